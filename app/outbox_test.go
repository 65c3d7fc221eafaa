package app_test

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

type pokes struct{ n atomic.Int32 }

func (p *pokes) Poke() { p.n.Add(1) }

func TestOutboxUseCases(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := &pokes{}
	base, _ := url.Parse("http://gatehouse.test")
	svc := app.New(f.st, app.Config{BaseURL: base, Outbox: p}, f.clock, nil)
	acme := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	owner := storetest.Current(acme)
	admin := *owner
	admin.Permissions = models.PermissionsOf([]models.Role{models.RoleAdmin})

	msg := models.OutboxMessage{OrgID: &acme.Org.ID, Channel: models.ChannelEmail, Recipient: "ann@acme.test", Subject: "Hi", TextBody: "Hello"}
	if err := f.st.Enqueue(ctx, &msg); err != nil {
		t.Fatal(err)
	}

	t.Run("Owners only", func(t *testing.T) {
		if _, err := svc.ListOutbox(ctx, &admin, models.OutboxFilter{}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("ListOutbox as an Admin: %v, want ErrForbidden", err)
		}
		if _, err := svc.FindOutboxMessage(ctx, &admin, msg.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("FindOutboxMessage as an Admin: %v, want ErrForbidden", err)
		}
		if _, err := svc.RetryMessage(ctx, &admin, msg.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("RetryMessage as an Admin: %v, want ErrForbidden", err)
		}
		if p.n.Load() != 0 {
			t.Errorf("a refused retry woke the sender")
		}
	})

	t.Run("list and find", func(t *testing.T) {
		msgs, err := svc.ListOutbox(ctx, owner, models.OutboxFilter{})
		if err != nil || len(msgs) != 1 || msgs[0].ID != msg.ID {
			t.Fatalf("ListOutbox = %v, %v", msgs, err)
		}
		got, err := svc.FindOutboxMessage(ctx, owner, msg.ID)
		if err != nil || got.Recipient != "ann@acme.test" {
			t.Fatalf("FindOutboxMessage = %+v, %v", got, err)
		}
	})

	t.Run("retry", func(t *testing.T) {
		for range models.OutboxMaxAttempts {
			if err := f.st.MarkMessageRetry(ctx, msg.ID, "refused"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := svc.RetryMessage(ctx, owner, msg.ID)
		if err != nil || got.Recipient != "ann@acme.test" {
			t.Fatalf("RetryMessage = %+v, %v", got, err)
		}
		if p.n.Load() != 1 {
			t.Errorf("sender woken %d times, want 1", p.n.Load())
		}
		after, _ := f.st.FindOutboxMessage(ctx, acme.Org.ID, msg.ID)
		if after.Status != models.OutboxPending || after.Attempts != models.OutboxMaxAttempts {
			t.Errorf("after retry: status %s, %d attempts; want pending with its attempts kept", after.Status, after.Attempts)
		}
		if err := f.st.MarkMessageSent(ctx, msg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RetryMessage(ctx, owner, msg.ID); !errors.Is(err, models.ErrConflict) {
			t.Errorf("RetryMessage on a sent message: %v, want ErrConflict", err)
		}
		if _, err := svc.RetryMessage(ctx, owner, msg.ID+100); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RetryMessage on no message: %v, want ErrNotFound", err)
		}
	})
}
