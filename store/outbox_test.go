package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// mustEnqueue writes an email for orgID (nil for none) to the outbox.
func mustEnqueue(tb testing.TB, s *Store, orgID, invitationID *int64, to string) models.OutboxMessage {
	tb.Helper()
	msg := models.OutboxMessage{OrgID: orgID, InvitationID: invitationID, Channel: models.ChannelEmail, Recipient: to,
		Subject: "Hello " + to, TextBody: "text for " + to, HTMLBody: "<p>html for " + to + "</p>"}
	if err := s.Enqueue(context.Background(), &msg); err != nil {
		tb.Fatalf("Enqueue(%s): %v", to, err)
	}
	return msg
}

func mustFindMessage(tb testing.TB, s *Store, id int64) models.OutboxMessage {
	tb.Helper()
	var m models.OutboxMessage
	if err := s.r.Take(&m, id).Error; err != nil {
		tb.Fatalf("read message %d: %v", id, err)
	}
	return m
}

// mustInsertInvitation inserts an invitation row for m; the invitation store methods live elsewhere.
func mustInsertInvitation(tb testing.TB, s *Store, m models.Membership, now time.Time) models.Invitation {
	tb.Helper()
	inv := models.Invitation{OrgID: m.OrgID, MembershipID: m.ID, Email: m.Email, TokenHash: models.HashToken(fmt.Sprint(m.ID, now.UnixNano())),
		ExpiresAt: now.Add(72 * time.Hour), CreatedAt: now}
	if err := s.w.Create(&inv).Error; err != nil {
		tb.Fatalf("insert invitation for %s: %v", m.Email, err)
	}
	return inv
}

func dueIDs(tb testing.TB, s *Store, limit int) []int64 {
	tb.Helper()
	msgs, err := s.DueMessages(context.Background(), limit)
	if err != nil {
		tb.Fatalf("DueMessages: %v", err)
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}

func TestEnqueue(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	org := mustCreateOwner(t, s, "owner@example.com", "Acme").Org

	t.Run("pending and due now", func(t *testing.T) {
		msg := models.OutboxMessage{OrgID: &org.ID, Channel: models.ChannelEmail, Recipient: "a@example.com", Subject: "Hi", TextBody: "Hello",
			Status: models.OutboxSent, Attempts: 5, LastError: "stale"} // whatever the caller set, a new message starts fresh
		if err := s.Enqueue(ctx, &msg); err != nil {
			t.Fatal(err)
		}
		got := mustFindMessage(t, s, msg.ID)
		if got.Status != models.OutboxPending || got.Attempts != 0 || got.LastError != "" || got.SentAt != nil {
			t.Errorf("stored status %q attempts %d error %q sent %v, want pending, 0, none, nil", got.Status, got.Attempts, got.LastError, got.SentAt)
		}
		if !got.NextAttemptAt.Equal(clock.Now()) || !got.CreatedAt.Equal(clock.Now()) {
			t.Errorf("next attempt %v created %v, want both %v", got.NextAttemptAt, got.CreatedAt, clock.Now())
		}
		if got.Recipient != "a@example.com" || got.Subject != "Hi" || got.TextBody != "Hello" || got.OrgID == nil || *got.OrgID != org.ID {
			t.Errorf("stored %+v", got)
		}
	})

	t.Run("needs a recipient", func(t *testing.T) {
		err := s.Enqueue(ctx, &models.OutboxMessage{Channel: models.ChannelEmail, TextBody: "x"})
		if !errors.Is(err, models.ErrInvalid) {
			t.Errorf("Enqueue without recipient: %v, want ErrInvalid", err)
		}
	})

	t.Run("rolls back with the change that caused it", func(t *testing.T) {
		var before, after int64
		s.r.Model(&models.OutboxMessage{}).Count(&before)
		boom := errors.New("the invitation failed")
		err := s.tx(ctx, func(tx *gorm.DB) error {
			msg := models.OutboxMessage{OrgID: &org.ID, Channel: models.ChannelEmail, Recipient: "b@example.com", TextBody: "x"}
			if err := enqueue(tx, &msg, s.now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx: %v", err)
		}
		s.r.Model(&models.OutboxMessage{}).Count(&after)
		if after != before {
			t.Errorf("messages %d → %d: the message outlived its rolled-back transaction", before, after)
		}
	})
}

func TestDueMessages(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)

	first := mustEnqueue(t, s, nil, nil, "first@example.com")
	clock.Advance(time.Second)
	second := mustEnqueue(t, s, nil, nil, "second@example.com")
	retrying := mustEnqueue(t, s, nil, nil, "retrying@example.com")
	held := mustEnqueue(t, s, nil, nil, "held@example.com")
	sent := mustEnqueue(t, s, nil, nil, "sent@example.com")
	if err := s.MarkMessageRetry(ctx, retrying.ID, "421 try later"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMessageHeld(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMessageSent(ctx, sent.ID); err != nil {
		t.Fatal(err)
	}

	if got, want := dueIDs(t, s, 10), []int64{first.ID, second.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("due = %v, want %v (oldest first; retrying not yet due; held and sent never)", got, want)
	}
	if got := dueIDs(t, s, 1); len(got) != 1 || got[0] != first.ID {
		t.Errorf("due with limit 1 = %v, want [%d]", got, first.ID)
	}

	// The retry is due once its backoff has passed, and not a moment before.
	clock.Advance(models.OutboxBackoff(1) - time.Microsecond)
	if got := dueIDs(t, s, 10); len(got) != 2 {
		t.Errorf("due just before the backoff ends = %v, want only the two pending", got)
	}
	clock.Advance(time.Microsecond)
	if got, want := dueIDs(t, s, 10), []int64{first.ID, second.ID, retrying.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("due once the backoff ends = %v, want %v", got, want)
	}

	t.Run("sent and held are final for the sender", func(t *testing.T) {
		if err := s.MarkMessageSent(ctx, sent.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("MarkMessageSent twice: %v, want ErrNotFound", err)
		}
		if err := s.MarkMessageRetry(ctx, held.ID, "x"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("MarkMessageRetry on a held message: %v, want ErrNotFound", err)
		}
		if err := s.MarkMessageHeld(ctx, sent.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("MarkMessageHeld on a sent message: %v, want ErrNotFound", err)
		}
		if got := mustFindMessage(t, s, sent.ID); got.Status != models.OutboxSent || got.Attempts != 1 || got.SentAt == nil {
			t.Errorf("sent message: status %q attempts %d sent_at %v, want sent, 1, set", got.Status, got.Attempts, got.SentAt)
		}
	})
}

func TestMarkMessageRetryBackoff(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	msg := mustEnqueue(t, s, nil, nil, "down@example.com")

	waits := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute}
	if len(waits) != models.OutboxMaxAttempts-1 {
		t.Fatalf("schedule has %d waits, OutboxMaxAttempts is %d: update the test", len(waits), models.OutboxMaxAttempts)
	}
	for i, wait := range waits {
		errText := fmt.Sprintf("dial tcp: connection refused (%d)", i+1)
		if err := s.MarkMessageRetry(ctx, msg.ID, errText); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		got := mustFindMessage(t, s, msg.ID)
		if got.Status != models.OutboxRetrying || got.Attempts != i+1 || got.LastError != errText {
			t.Fatalf("after attempt %d: status %q attempts %d error %q", i+1, got.Status, got.Attempts, got.LastError)
		}
		if want := clock.Now().Add(wait); !got.NextAttemptAt.Equal(want) {
			t.Fatalf("after attempt %d: next attempt %v, want %v (+%s)", i+1, got.NextAttemptAt, want, wait)
		}
		clock.Advance(wait)
	}
	if err := s.MarkMessageRetry(ctx, msg.ID, "still down"); err != nil {
		t.Fatal(err)
	}
	got := mustFindMessage(t, s, msg.ID)
	if got.Status != models.OutboxFailed || got.Attempts != models.OutboxMaxAttempts {
		t.Errorf("after %d attempts: status %q attempts %d, want failed", models.OutboxMaxAttempts, got.Status, got.Attempts)
	}
	clock.Advance(24 * time.Hour)
	if ids := dueIDs(t, s, 10); len(ids) != 0 {
		t.Errorf("a failed message is due again: %v", ids)
	}

	t.Run("long errors are cut", func(t *testing.T) {
		m := mustEnqueue(t, s, nil, nil, "long@example.com")
		long := make([]byte, 5000)
		for i := range long {
			long[i] = 'x'
		}
		if err := s.MarkMessageRetry(ctx, m.ID, string(long)); err != nil {
			t.Fatal(err)
		}
		if got := mustFindMessage(t, s, m.ID); len(got.LastError) != maxOutboxError {
			t.Errorf("stored error of %d bytes, want %d", len(got.LastError), maxOutboxError)
		}
	})
}

func TestOutboxScopedByOrg(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	acme := mustCreateOwner(t, s, "owner@example.com", "Acme").Org
	globex := mustCreateOrg(t, s, "Globex")

	var acmeMsgs []models.OutboxMessage
	for i := range 5 {
		acmeMsgs = append(acmeMsgs, mustEnqueue(t, s, &acme.ID, nil, fmt.Sprintf("a%d@example.com", i)))
		clock.Advance(time.Second)
	}
	theirs := mustEnqueue(t, s, &globex.ID, nil, "g@example.com")
	noOrg := mustEnqueue(t, s, nil, nil, "reset@example.com")

	t.Run("FindOutbox", func(t *testing.T) {
		got, err := s.FindOutbox(ctx, acme.ID, models.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		want := []int64{acmeMsgs[4].ID, acmeMsgs[3].ID, acmeMsgs[2].ID, acmeMsgs[1].ID, acmeMsgs[0].ID}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("Acme's outbox = %v, want %v (newest first, nobody else's)", ids, want)
		}

		page1, _ := s.FindOutbox(ctx, acme.ID, models.OutboxFilter{Limit: 2})
		page2, _ := s.FindOutbox(ctx, acme.ID, models.OutboxFilter{Limit: 2, Before: page1[1].ID})
		page3, _ := s.FindOutbox(ctx, acme.ID, models.OutboxFilter{Limit: 2, Before: page2[1].ID})
		if len(page1) != 2 || len(page2) != 2 || len(page3) != 1 || page2[0].ID != want[2] || page3[0].ID != want[4] {
			t.Errorf("pages of 2: %d, %d, %d messages", len(page1), len(page2), len(page3))
		}

		if err := s.MarkMessageSent(ctx, acmeMsgs[1].ID); err != nil {
			t.Fatal(err)
		}
		sent, _ := s.FindOutbox(ctx, acme.ID, models.OutboxFilter{Status: models.OutboxSent})
		if len(sent) != 1 || sent[0].ID != acmeMsgs[1].ID {
			t.Errorf("status filter sent = %v, want only message %d", sent, acmeMsgs[1].ID)
		}
	})

	t.Run("FindOutboxMessage", func(t *testing.T) {
		got, err := s.FindOutboxMessage(ctx, acme.ID, acmeMsgs[0].ID)
		if err != nil || got.Recipient != "a0@example.com" || got.TextBody != "text for a0@example.com" {
			t.Errorf("own message: %+v, %v", got, err)
		}
		for _, id := range []int64{theirs.ID, noOrg.ID, 999999} {
			if _, err := s.FindOutboxMessage(ctx, acme.ID, id); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("FindOutboxMessage(Acme, %d): %v, want ErrNotFound", id, err)
			}
		}
	})

	t.Run("RetryMessage", func(t *testing.T) {
		m := acmeMsgs[2]
		for range models.OutboxMaxAttempts {
			if err := s.MarkMessageRetry(ctx, m.ID, "550 no"); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustFindMessage(t, s, m.ID); got.Status != models.OutboxFailed {
			t.Fatalf("status %q, want failed", got.Status)
		}
		clock.Advance(time.Minute)
		if err := s.RetryMessage(ctx, acme.ID, m.ID); err != nil {
			t.Fatalf("RetryMessage: %v", err)
		}
		got := mustFindMessage(t, s, m.ID)
		if got.Status != models.OutboxPending || !got.NextAttemptAt.Equal(clock.Now()) || got.Attempts != models.OutboxMaxAttempts {
			t.Errorf("after retry: status %q next %v attempts %d, want pending, now, attempts kept", got.Status, got.NextAttemptAt, got.Attempts)
		}
		if ids := dueIDs(t, s, 100); !containsID(ids, m.ID) {
			t.Errorf("retried message not due: %v", ids)
		}
		// One more failure gives up again at once: Retry now is one more try, not a new schedule.
		if err := s.MarkMessageRetry(ctx, m.ID, "550 still no"); err != nil {
			t.Fatal(err)
		}
		if got := mustFindMessage(t, s, m.ID); got.Status != models.OutboxFailed {
			t.Errorf("after the extra try failed: status %q, want failed", got.Status)
		}

		if err := s.RetryMessage(ctx, acme.ID, acmeMsgs[1].ID); !errors.Is(err, models.ErrConflict) {
			t.Errorf("RetryMessage on a sent message: %v, want ErrConflict", err)
		}
		if err := s.MarkMessageRetry(ctx, theirs.ID, "x"); err != nil {
			t.Fatal(err)
		}
		if err := s.RetryMessage(ctx, acme.ID, theirs.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RetryMessage on Globex's message as Acme: %v, want ErrNotFound", err)
		}
		if got := mustFindMessage(t, s, theirs.ID); got.Status != models.OutboxRetrying {
			t.Errorf("Globex's message became %q", got.Status)
		}
	})
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestLatestDeliveries(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	org := mustCreateOwner(t, s, "owner@example.com", "Acme").Org
	var invs []models.Invitation
	for _, email := range []string{"ann@example.com", "bob@example.com", "cat@example.com"} {
		m := mustInsertMember(t, s, models.Membership{OrgID: org.ID, Email: email, Status: models.StatusInvited})
		invs = append(invs, mustInsertInvitation(t, s, m, clock.Now()))
	}
	// Ann's first email failed; the reinvite's email (a newer message) was sent.
	annOld := mustEnqueue(t, s, &org.ID, &invs[0].ID, "ann@example.com")
	bob := mustEnqueue(t, s, &org.ID, &invs[1].ID, "bob@example.com")
	annNew := mustEnqueue(t, s, &org.ID, &invs[0].ID, "ann@example.com")
	for range models.OutboxMaxAttempts {
		if err := s.MarkMessageRetry(ctx, annOld.ID, "550 no"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkMessageSent(ctx, annNew.ID); err != nil {
		t.Fatal(err)
	}

	var queries atomic.Int32
	if err := s.r.Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.LatestDeliveries(ctx, []int64{invs[0].ID, invs[1].ID, invs[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	if n := queries.Load(); n != 1 {
		t.Errorf("LatestDeliveries ran %d queries, want 1", n)
	}
	if len(got) != 2 {
		t.Errorf("got %d deliveries, want 2 (Cat has no message)", len(got))
	}
	if m := got[invs[0].ID]; m.ID != annNew.ID || m.Status != models.OutboxSent {
		t.Errorf("Ann's latest = message %d (%s), want %d (sent)", m.ID, m.Status, annNew.ID)
	}
	if m := got[invs[1].ID]; m.ID != bob.ID || m.Status != models.OutboxPending {
		t.Errorf("Bob's latest = message %d (%s), want %d (pending)", m.ID, m.Status, bob.ID)
	}
	if _, ok := got[invs[2].ID]; ok {
		t.Error("Cat has a delivery without any message")
	}

	queries.Store(0)
	if got, err := s.LatestDeliveries(ctx, nil); err != nil || len(got) != 0 || queries.Load() != 0 {
		t.Errorf("no ids: %v, %v, %d queries; want an empty map and no query", got, err, queries.Load())
	}
}
