package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// fileSize is the size of the file at path, 0 when it does not exist.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

const maxWAL = 32 << 20

// floodAudit writes n audit events from make(i), failing the test as soon as the WAL passes maxWAL.
func floodAudit(t *testing.T, s *Store, path string, n int, make func(i int) (models.AuditEvent, models.Meta)) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		ev, meta := make(i)
		if err := s.Audit(ctx, ev, meta); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			if wal := fileSize(t, path+"-wal"); wal > maxWAL {
				t.Fatalf("the WAL is %d MB after %d audit events", wal>>20, i+1)
			}
		}
	}
	if wal := fileSize(t, path+"-wal"); wal > maxWAL {
		t.Fatalf("the WAL is %d MB after %d audit events", wal>>20, n)
	}
}

// A flood of blocked logins neither grows the WAL nor the database: it is one event, then one
// that counts the rest.
func TestBlockedLoginFloodBounded(t *testing.T) {
	testdb.SkipOnPostgres(t, "measures the SQLite file and its WAL")
	clock := newClock()
	path := testdb.Path(t, "gatehouse.db")
	s := mustOpenPath(t, path, clock.Now)
	before := fileSize(t, path)
	floodAudit(t, s, path, 20_000, func(i int) (models.AuditEvent, models.Meta) {
		return models.AuditEvent{Action: models.ActionLoginBlocked, TargetEmail: fmt.Sprintf("user%d@example.com", i)},
			models.Meta{IP: "203.0.113.7", UserAgent: "flood"}
	})
	if n := countRows(t, s, &models.AuditEvent{}); n != 1 {
		t.Errorf("%d audit events during the flood's first minute, want 1", n)
	}
	clock.Advance(refusalWindow)
	s.flushRefusals(context.Background(), false)
	evs := mustAudit(t, s, models.AuditFilter{Action: models.ActionLoginBlocked})
	if len(evs) != 2 || evs[0].Detail != "19999 more in the last minute" || evs[0].IP != "203.0.113.7" || evs[0].TargetEmail != "" {
		t.Fatalf("events after the window: %+v", evs)
	}
	if evs[1].TargetEmail != "user0@example.com" {
		t.Errorf("first event's target %q", evs[1].TargetEmail)
	}
	if grown := fileSize(t, path) - before; grown > 1<<20 {
		t.Errorf("the database grew by %d KB", grown>>10)
	}
}

// Refusals from different addresses or members are counted apart; a new window starts afresh;
// Close writes what is still counted.
func TestRefusalAggregation(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	path := testdb.Path(t, "gatehouse.db")
	s, err := Open(ctx, Options{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	actor := mustCreateOwner(t, s, "olive@acme.test", "Acme").User.ID
	denied := models.AuditEvent{Action: models.ActionDenied, ActorUserID: &actor, Detail: "POST /users/invite needs invite"}
	for range 3 {
		for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
			if err := s.Audit(ctx, denied, models.Meta{IP: ip}); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock.Advance(refusalWindow)
	// The next refusal from 192.0.2.1 writes the ended window's count and starts a new one.
	if err := s.Audit(ctx, denied, models.Meta{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	// Not aggregated: every failed login is written.
	for range 3 {
		if err := s.Audit(ctx, models.AuditEvent{Action: models.ActionLoginFailed}, models.Meta{IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpenPath(t, path, clock.Now)
	var details []string
	for _, ev := range mustAudit(t, s, models.AuditFilter{Action: models.ActionDenied}) {
		details = append(details, ev.IP+" "+ev.Detail)
	}
	got := strings.Join(details, "\n")
	for _, want := range []string{
		"192.0.2.1 POST /users/invite needs invite (2 more in the last minute)",
		"192.0.2.2 POST /users/invite needs invite (2 more in the last minute)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(details) != 5 {
		t.Errorf("%d access.denied events, want 5 (2 first, 2 counts, 1 new window):\n%s", len(details), got)
	}
	if n := len(mustAudit(t, s, models.AuditFilter{Action: models.ActionLoginFailed})); n != 3 {
		t.Errorf("%d login.failed events, want 3", n)
	}
}

// Inserts alone (which SQLite's own auto-checkpoint misses) keep the WAL bounded.
func TestWALCheckpointedUnderInserts(t *testing.T) {
	testdb.SkipOnPostgres(t, "SQLite's WAL checkpoints")
	if testing.Short() {
		t.Skip("writes 20,000 rows")
	}
	path := testdb.Path(t, "gatehouse.db")
	s := mustOpenPath(t, path, nil)
	start := time.Now()
	floodAudit(t, s, path, 20_000, func(i int) (models.AuditEvent, models.Meta) {
		return models.AuditEvent{Action: models.ActionLoginFailed, TargetEmail: fmt.Sprintf("user%d@example.com", i)},
			models.Meta{IP: fmt.Sprintf("198.51.100.%d", i%250), UserAgent: "flood"}
	})
	t.Logf("20,000 inserts in %v; WAL %d KB", time.Since(start), fileSize(t, path+"-wal")>>10)
}

// A database that cannot be written is not healthy, though it answers queries.
func TestHealthyReadOnly(t *testing.T) {
	ctx := context.Background()
	path := testdb.Path(t, "gatehouse.db")
	s, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Healthy(ctx); err != nil {
		t.Fatalf("Healthy: %v", err)
	}
	s.Close()
	ro, err := Open(ctx, Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatalf("Open read-only: %v", err)
	}
	defer ro.Close()
	if _, err := ro.FindAuditEvents(ctx, models.AuditFilter{}); err != nil {
		t.Fatalf("a read-only database does not answer reads: %v", err)
	}
	err = ro.Healthy(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Fatalf("Healthy on a read-only database = %v, want cannot be written", err)
	}
	// A failed write is reported too, without waiting for the next probe.
	if err := ro.Audit(ctx, models.AuditEvent{Action: models.ActionLoginFailed}, models.Meta{}); err == nil {
		t.Fatal("a write to a read-only database succeeded")
	}
	if err := ro.Healthy(ctx); err == nil || !strings.Contains(err.Error(), "last write failed") {
		t.Errorf("Healthy after a failed write = %v", err)
	}
}

// Healthy probes a write at most every writeProbeEvery, however often it is asked.
func TestHealthyProbesRarely(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	before := s.writes.Load()
	for range 100 {
		if err := s.Healthy(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.writes.Load() - before; n != 1 {
		t.Errorf("%d write probes for 100 health checks within %v, want 1", n, writeProbeEvery)
	}
	clock.Advance(writeProbeEvery)
	if err := s.Healthy(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.writes.Load() - before; n != 2 {
		t.Errorf("%d write probes after %v, want 2", n, writeProbeEvery)
	}
}

// Past maxRefusalKeys, refusals from further addresses are counted together, per organization.
func TestRefusalKeysBounded(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	const max = 200
	s.refused.max = max
	for i := range max + 500 {
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if err := s.Audit(ctx, models.AuditEvent{Action: models.ActionLoginBlocked}, models.Meta{IP: ip}); err != nil {
			t.Fatal(err)
		}
	}
	s.refused.mu.Lock()
	n := len(s.refused.m)
	s.refused.mu.Unlock()
	if n > max+1 {
		t.Errorf("%d keys counted, want at most %d", n, max+1)
	}
	clock.Advance(refusalWindow)
	s.flushRefusals(ctx, false)
	evs := mustAudit(t, s, models.AuditFilter{Action: models.ActionLoginBlocked, Limit: 1})
	if len(evs) != 1 || evs[0].Detail != "from one of many addresses (499 more in the last minute)" {
		t.Errorf("newest event %+v", evs)
	}
}
