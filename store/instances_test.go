package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// mustOpenShared opens the database at path as one of several instances.
func mustOpenShared(tb testing.TB, path string, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), Options{Path: path, Now: now, Shared: true})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func countChanges(tb testing.TB, s *Store) int64 {
	tb.Helper()
	var n int64
	if err := s.r.Raw("SELECT COUNT(*) FROM store_changes").Scan(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

// The outbox worker's bookkeeping is not a change: an idle poll writes nothing, and claims and
// deliveries leave the forward-auth cache (Changes) alone, on this instance and the others.
func TestOutboxClaimsAreNotChanges(t *testing.T) {
	clock := newClock()
	path := testdb.Path(t, "shared.db")
	s := mustOpenShared(t, path, clock.Now)
	ctx := context.Background()

	before, writes, rows := s.Changes(), s.writes.Load(), countChanges(t, s)
	if msgs, err := s.ClaimMessages(ctx, "w1", 10, time.Minute); err != nil || len(msgs) != 0 {
		t.Fatalf("ClaimMessages on an empty outbox = %v, %v", msgs, err)
	}
	if s.writes.Load() != writes {
		t.Error("an idle claim wrote to the database")
	}
	msg := mustEnqueue(t, s, nil, nil, "ann@example.com")
	if s.Changes() == before || countChanges(t, s) != rows+1 {
		t.Fatal("Enqueue, a write transaction, was not recorded as a change")
	}
	before, rows = s.Changes(), countChanges(t, s)
	msgs, err := s.ClaimMessages(ctx, "w1", 10, time.Minute)
	if err != nil || len(msgs) != 1 || msgs[0].ClaimedBy != "w1" || !msgs[0].ClaimedUntil.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("ClaimMessages = %+v, %v", msgs, err)
	}
	if held, err := s.ExtendClaims(ctx, "w2", []int64{msg.ID}, clock.Now().Add(time.Hour)); err != nil || len(held) != 0 {
		t.Errorf("ExtendClaims by another worker = %v, %v; want nothing held", held, err)
	}
	if err := s.MarkMessageRetry(ctx, msg.ID, "421 later"); err != nil {
		t.Fatal(err)
	}
	if m := mustFindMessage(t, s, msg.ID); m.ClaimedBy != "" || m.ClaimedUntil != nil {
		t.Errorf("after a failed attempt: claimed by %q until %v, want the claim ended", m.ClaimedBy, m.ClaimedUntil)
	}
	if s.Changes() != before || countChanges(t, s) != rows {
		t.Error("claiming and recording a delivery counted as a change")
	}
	if _, err := s.ClaimMessages(ctx, "", 10, time.Minute); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("a claim without a worker: %v, want ErrInvalid", err)
	}
}

// A shared store records its write transactions and the single statements that change access,
// another instance sees them at its next poll, and sweeping keeps the newest row.
func TestSharedChanges(t *testing.T) {
	clock := newClock()
	path := testdb.Path(t, "shared.db")
	a, b := mustOpenShared(t, path, clock.Now), mustOpenShared(t, path, clock.Now)
	ctx := context.Background()
	if err := b.PollChanges(ctx); err != nil {
		t.Fatal(err)
	}
	seen := b.Changes()
	if err := b.PollChanges(ctx); err != nil || b.Changes() != seen {
		t.Fatalf("a poll with nothing new counted a change (%v)", err)
	}
	org := mustCreateOrg(t, a, "Acme")
	name := "Acme Ltd"
	if _, _, err := a.UpdateOrganization(ctx, org.ID, OrgUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := b.PollChanges(ctx); err != nil || b.Changes() == seen {
		t.Fatalf("B did not see A's write transaction (%v)", err)
	}
	seen = b.Changes()
	if err := a.DeleteSession(ctx, 42); err != nil { // a single statement outside a transaction
		t.Fatal(err)
	}
	if err := b.PollChanges(ctx); err != nil || b.Changes() == seen {
		t.Fatalf("B did not see A's sessions ended (%v)", err)
	}

	// A SQLite store alone records nothing (a PostgreSQL store is always shared: another
	// instance may join at any time).
	if !testdb.Postgres() {
		alone := MustOpenDB(t, clock.Now)
		solo := mustCreateOrg(t, alone, "Solo")
		if _, _, err := alone.UpdateOrganization(ctx, solo.ID, OrgUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if alone.Shared() || countChanges(t, alone) != 0 {
			t.Error("a store that is not shared recorded changes")
		}
	}

	clock.Advance(keepChanges + time.Minute)
	n := countChanges(t, a)
	if err := a.SweepShared(ctx); err != nil {
		t.Fatal(err)
	}
	if got := countChanges(t, a); n < 2 || got != 1 {
		t.Errorf("after the sweep %d of %d change rows are left, want the newest only", got, n)
	}
	seen = b.Changes()
	if err := b.PollChanges(ctx); err != nil || b.Changes() != seen {
		t.Errorf("the sweep looked like a change to B (%v)", err)
	}
}
