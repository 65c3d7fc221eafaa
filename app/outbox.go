package app

import (
	"context"

	"gatehouse/models"
)

// ListOutbox returns one page of the current organization's outbox, newest first. Only
// Owners may read it: its messages hold live invitation links.
func (s *Service) ListOutbox(ctx context.Context, cur *models.Current, f models.OutboxFilter) ([]models.OutboxMessage, error) {
	if !cur.Can(models.PermManageOwners) {
		return nil, models.ErrForbidden
	}
	return s.st.FindOutbox(ctx, cur.Org.ID, f)
}

// FindOutboxMessage returns one of the current organization's outbox messages (Owners only);
// another organization's id is models.ErrNotFound.
func (s *Service) FindOutboxMessage(ctx context.Context, cur *models.Current, id int64) (*models.OutboxMessage, error) {
	if !cur.Can(models.PermManageOwners) {
		return nil, models.ErrForbidden
	}
	return s.st.FindOutboxMessage(ctx, cur.Org.ID, id)
}

// RetryMessage makes one of the current organization's undelivered messages due at once
// (an Owner's "Retry now"), keeping its attempt count, and wakes the sender. A message
// already sent is models.ErrConflict. It returns the message as it was before the retry.
//
// It writes no audit event (the audit log has no action for it, and a retry changes no
// member's access); it is logged.
func (s *Service) RetryMessage(ctx context.Context, cur *models.Current, id int64) (*models.OutboxMessage, error) {
	if !cur.Can(models.PermManageOwners) {
		return nil, models.ErrForbidden
	}
	var msg *models.OutboxMessage
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if msg, err = s.st.FindOutboxMessage(ctx, cur.Org.ID, id); err != nil {
			return err
		}
		return s.st.RetryMessage(ctx, cur.Org.ID, id)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("outbox message retried", "user", cur.User.ID, "org", cur.Org.ID, "outbox_id", id)
	s.pokeOutbox()
	return msg, nil
}
