package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
)

// secondInstance opens the fixture's database file again, as another gatehouse process on
// the same database would.
func (f *fixture) secondInstance(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: path, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFileFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	clock := newFixture(t).clock // a clock at the usual time
	path := testdb.Path(t, "shared.db")
	st, err := store.Open(context.Background(), store.Options{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	res, err := st.CreateOwner(context.Background(), store.CreateOwnerInput{Email: "olive@example.com", FirstName: "Olive", LastName: "Owner",
		PasswordHash: "not a real hash", OrgName: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, clock: clock, log: &syncBuffer{}, orgID: res.Org.ID}, path
}

// Two instances on one database, each with its own worker, drain 200 messages into one SMTP
// server at the same time: every message arrives exactly once and is recorded sent once.
func TestTwoInstancesDeliverEachMessageOnce(t *testing.T) {
	f, path := newFileFixture(t)
	other := f.secondInstance(t, path)
	srv := startServer(t, "127.0.0.1:0")
	const n = 200
	for i := range n {
		f.enqueueInvitation(t, fmt.Sprintf("person%03d@example.com", i))
	}
	logger := slog.New(slog.NewTextHandler(f.log, nil))
	workers := []*Worker{
		NewWorker(f.st, f.smtp(t, srv.Addr), f.clock.Now, logger),
		NewWorker(other, f.smtp(t, srv.Addr), f.clock.Now, logger),
	}
	if workers[0].ID() == workers[1].ID() {
		t.Fatalf("two workers share the id %q", workers[0].ID())
	}
	handled := make([]int, len(workers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, w := range workers {
		wg.Go(func() {
			<-start
			for {
				k, err := w.RunOnce(context.Background())
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
				handled[i] += k
				if k == 0 {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()

	if handled[0]+handled[1] != n {
		t.Errorf("the workers handled %d and %d messages, want %d in all", handled[0], handled[1], n)
	}
	got := srv.messages()
	if len(got) != n {
		t.Errorf("the SMTP server received %d messages, want %d", len(got), n)
	}
	seen := map[string]int{}
	for _, m := range got {
		seen[m.To[0]]++
	}
	for i := range n {
		if to := fmt.Sprintf("person%03d@example.com", i); seen[to] != 1 {
			t.Errorf("%s received %d messages, want 1", to, seen[to])
		}
	}
	msgs, err := f.st.FindOutbox(context.Background(), f.orgID, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Status != models.OutboxSent || m.Attempts != 1 || m.ClaimedBy != "" || m.ClaimedUntil != nil {
			t.Errorf("message %d: status %s, %d attempts, claimed by %q until %v; want sent once, unclaimed", m.ID, m.Status, m.Attempts, m.ClaimedBy, m.ClaimedUntil)
		}
	}
	t.Logf("worker 0 delivered %d, worker 1 delivered %d", handled[0], handled[1])
}

// A message claimed by an instance that then died is left alone while its lease lasts and
// delivered by another instance once it has run out.
func TestCrashedClaimIsTakenAfterTheLease(t *testing.T) {
	f, path := newFileFixture(t)
	other := f.secondInstance(t, path)
	srv := startServer(t, "127.0.0.1:0")
	msg := f.enqueueInvitation(t, "ann@example.com")

	// The crashed instance claimed the message and will never record anything.
	claimed, err := other.ClaimMessages(context.Background(), "crashed-host/1/dead", 10, claimLease)
	if err != nil || len(claimed) != 1 || claimed[0].ID != msg.ID {
		t.Fatalf("ClaimMessages = %v, %v; want the one message", claimed, err)
	}
	w := f.worker(f.smtp(t, srv.Addr))
	if n := runOnce(t, w); n != 0 || len(srv.messages()) != 0 {
		t.Fatalf("during the lease: handled %d, sent %d; want nothing", n, len(srv.messages()))
	}
	f.clock.Advance(claimLease - time.Second)
	if n := runOnce(t, w); n != 0 {
		t.Fatalf("a second before the lease ends: handled %d, want 0", n)
	}
	f.clock.Advance(2 * time.Second)
	if n := runOnce(t, w); n != 1 || len(srv.messages()) != 1 {
		t.Fatalf("after the lease: handled %d, sent %d; want 1", n, len(srv.messages()))
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxSent || m.ClaimedBy != "" {
		t.Errorf("message: %s, claimed by %q; want sent, unclaimed", m.Status, m.ClaimedBy)
	}
	// The crashed instance's late renewal finds nothing left to hold.
	if held, err := other.ExtendClaims(context.Background(), "crashed-host/1/dead", []int64{msg.ID}, f.clock.Now().Add(time.Hour)); err != nil || len(held) != 0 {
		t.Errorf("ExtendClaims by the crashed worker = %v, %v; want none held", held, err)
	}
	if n := runOnce(t, w); n != 0 || len(srv.messages()) != 1 {
		t.Errorf("again: handled %d, sent %d; want the one message, once", n, len(srv.messages()))
	}
}

// A worker whose server is down gives its claims back at the end of the round, so another
// instance may try at once, and a stopped worker gives back what it held.
func TestWorkerGivesClaimsBack(t *testing.T) {
	f, path := newFileFixture(t)
	other := f.secondInstance(t, path)
	for i := range 3 {
		f.enqueueInvitation(t, fmt.Sprintf("p%d@example.com", i))
	}
	down := f.worker(f.smtp(t, freePort(t))) // nothing listens there
	if n := runOnce(t, down); n != 1 {
		t.Fatalf("with the server down: handled %d, want 1 (the failed attempt; the rest wait)", n)
	}
	// Two are still due now; the failed one waits for its backoff.
	srv := startServer(t, "127.0.0.1:0")
	up := NewWorker(other, f.smtp(t, srv.Addr), f.clock.Now, slog.New(slog.NewTextHandler(f.log, nil)))
	if n := runOnce(t, up); n != 2 || len(srv.messages()) != 2 {
		t.Fatalf("the other instance: handled %d, sent %d; want the 2 given back", n, len(srv.messages()))
	}

	// Run gives back its claims when stopped.
	f.enqueueInvitation(t, "late@example.com")
	if _, err := f.st.ClaimMessages(context.Background(), up.ID(), 10, claimLease); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	up.Run(ctx) // one round (nothing is due for anyone else), then stops and releases
	if msgs, err := f.st.ClaimMessages(context.Background(), "someone-else", 10, claimLease); err != nil || len(msgs) != 1 || msgs[0].Recipient != "late@example.com" {
		t.Errorf("after Run stopped: ClaimMessages = %d messages, %v; want the late one, given back", len(msgs), err)
	}
}

// slowSender delivers through a real sender, then moves the test clock as if the delivery
// had taken that long, and runs after (if set) before returning.
type slowSender struct {
	inner  Sender
	clock  *testClock
	took   time.Duration
	after  func()
	before func(msg models.OutboxMessage)
}

func (s *slowSender) Send(ctx context.Context, msg models.OutboxMessage) error {
	if s.before != nil {
		s.before(msg)
	}
	err := s.inner.Send(ctx, msg)
	s.clock.Advance(s.took)
	if s.after != nil {
		s.after()
		s.after = nil
	}
	return err
}

// A worker renews its claim on the rest of a batch before a delivery that could outlast the
// lease; a message whose lease ran out and that another worker took is left to that worker.
func TestWorkerRenewsItsClaim(t *testing.T) {
	t.Run("renewed", func(t *testing.T) {
		f, _ := newFileFixture(t)
		srv := startServer(t, "127.0.0.1:0")
		first, second := f.enqueueInvitation(t, "ann@example.com"), f.enqueueInvitation(t, "bob@example.com")
		slow := &slowSender{inner: f.smtp(t, srv.Addr)[models.ChannelEmail], clock: f.clock, took: claimLease - sendTimeout/2}
		w := f.worker(map[models.Channel]Sender{models.ChannelEmail: slow})
		var during, atSend *models.OutboxMessage
		slow.after = func() { during = f.message(t, second.ID) }
		slow.before = func(msg models.OutboxMessage) {
			if msg.ID == second.ID {
				atSend = f.message(t, second.ID)
			}
		}
		if n := runOnce(t, w); n != 2 || len(srv.messages()) != 2 {
			t.Fatalf("handled %d, sent %d; want both", n, len(srv.messages()))
		}
		if during.ClaimedBy != w.ID() || !during.ClaimedUntil.Equal(f.message(t, first.ID).SentAt.Add(-slow.took).Add(claimLease)) {
			t.Errorf("before renewal the second message was claimed by %q until %v", during.ClaimedBy, during.ClaimedUntil)
		}
		if want := during.ClaimedUntil.Add(-claimLease).Add(slow.took).Add(claimLease); atSend.ClaimedBy != w.ID() || !atSend.ClaimedUntil.Equal(want) {
			t.Errorf("as the second delivery started, its claim was %q until %v; want renewed until %v", atSend.ClaimedBy, atSend.ClaimedUntil, want)
		}
		for _, id := range []int64{first.ID, second.ID} {
			if m := f.message(t, id); m.Status != models.OutboxSent || m.ClaimedBy != "" {
				t.Errorf("message %d: %s, claimed by %q", id, m.Status, m.ClaimedBy)
			}
		}
	})
	t.Run("taken by another", func(t *testing.T) {
		f, path := newFileFixture(t)
		other := f.secondInstance(t, path)
		srv := startServer(t, "127.0.0.1:0")
		f.enqueueInvitation(t, "ann@example.com")
		second := f.enqueueInvitation(t, "bob@example.com")
		// The worker stalls past its lease (the first delivery outlasts it); meanwhile another
		// instance takes what is due, the second message with it.
		slow := &slowSender{inner: f.smtp(t, srv.Addr)[models.ChannelEmail], clock: f.clock, took: claimLease + time.Second}
		slow.after = func() {
			msgs, err := other.ClaimMessages(context.Background(), "other", 10, claimLease)
			if err != nil || len(msgs) != 2 || msgs[1].ID != second.ID {
				t.Errorf("the other instance claimed %d messages, %v; want both (their leases ran out)", len(msgs), err)
			}
		}
		w := f.worker(map[models.Channel]Sender{models.ChannelEmail: slow})
		if n := runOnce(t, w); n != 1 || len(srv.messages()) != 1 {
			t.Fatalf("handled %d, sent %d; want only the first", n, len(srv.messages()))
		}
		if m := f.message(t, second.ID); m.Status != models.OutboxPending || m.ClaimedBy != "other" {
			t.Errorf("second message: %s, claimed by %q; want pending, still the other instance's", m.Status, m.ClaimedBy)
		}
	})
}

// countingQueue counts the releases a worker asks for.
type countingQueue struct {
	Queue
	releases int
}

func (q *countingQueue) ReleaseClaims(ctx context.Context, worker string) error {
	q.releases++
	return q.Queue.ReleaseClaims(ctx, worker)
}

// An idle round, or one that delivered everything it claimed, gives nothing back: it would be
// a write every poll.
func TestIdleRoundsWriteNothing(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, "127.0.0.1:0")
	q := &countingQueue{Queue: f.st}
	w := NewWorker(q, f.smtp(t, srv.Addr), f.clock.Now, slog.New(slog.NewTextHandler(f.log, nil)))
	runOnce(t, w)
	f.enqueueInvitation(t, "ann@example.com")
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("handled %d, want 1", n)
	}
	runOnce(t, w)
	if q.releases != 0 {
		t.Errorf("%d releases after rounds that left nothing claimed, want 0", q.releases)
	}
}
