package store

import (
	"context"
	"errors"
	"testing"

	"gatehouse/models"
)

// TestInTxNests checks that store methods and a nested InTx join the transaction the ctx
// carries (the single writer would otherwise wait for itself forever), see its writes, and
// that an error anywhere rolls all of it back.
func TestInTxNests(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	res := mustCreateOwner(t, s, "olive@acme.test", "Acme")
	count := func() int {
		return len(mustAudit(t, s, models.AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated}))
	}
	ev := models.AuditEvent{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated}

	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Audit(ctx, ev, models.Meta{}); err != nil {
			return err
		}
		return s.InTx(ctx, func(ctx context.Context) error {
			if err := s.Audit(ctx, ev, models.Meta{}); err != nil {
				return err
			}
			// A read inside the transaction sees its own writes.
			evs, err := s.FindAuditEvents(ctx, models.AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated})
			if err != nil || len(evs) != 2 {
				t.Errorf("inside the transaction: %d events, %v; want 2", len(evs), err)
			}
			return nil
		})
	})
	if err != nil || count() != 2 {
		t.Fatalf("committed: %v, %d events; want 2", err, count())
	}

	boom := errors.New("boom")
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Audit(ctx, ev, models.Meta{}); err != nil {
			return err
		}
		return s.InTx(ctx, func(ctx context.Context) error { return boom })
	})
	if !errors.Is(err, boom) || count() != 2 {
		t.Fatalf("rolled back: %v, %d events; want boom and still 2", err, count())
	}
}
