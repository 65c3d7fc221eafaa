package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// maxOutboxError bounds the delivery error kept on a message; SMTP servers can be chatty.
const maxOutboxError = 1000

// enqueue writes msg to the outbox inside the caller's transaction, due at once. The caller
// owns the transaction, so the message exists exactly when the change that caused it does.
func enqueue(tx *gorm.DB, msg *models.OutboxMessage, now time.Time) error {
	if msg.Channel == "" || msg.Recipient == "" {
		return fmt.Errorf("outbox message needs a channel and a recipient: %w", models.ErrInvalid)
	}
	msg.ID = 0
	msg.Status = models.OutboxPending
	msg.Attempts = 0
	msg.NextAttemptAt = now
	msg.LastError = ""
	msg.SentAt = nil
	msg.CreatedAt = now
	msg.ClaimedBy, msg.ClaimedUntil = "", nil
	return tx.Create(msg).Error
}

// Enqueue writes a standalone message to the outbox (one that no other change goes with,
// such as a password reset). Messages caused by a change are enqueued in that change's transaction.
func (s *Store) Enqueue(ctx context.Context, msg *models.OutboxMessage) error {
	err := s.tx(ctx, func(tx *gorm.DB) error { return enqueue(tx, msg, s.now()) })
	if err != nil {
		return fmt.Errorf("store: unable to enqueue message: %w", err)
	}
	return nil
}

// DueMessages returns up to limit messages waiting for delivery whose next attempt is due,
// the longest-waiting first.
func (s *Store) DueMessages(ctx context.Context, limit int) ([]models.OutboxMessage, error) {
	if limit <= 0 {
		limit = 50
	}
	var msgs []models.OutboxMessage
	err := s.reader(ctx).
		Where("status IN ? AND next_attempt_at <= ?", []models.OutboxStatus{models.OutboxPending, models.OutboxRetrying}, s.now()).
		Order("next_attempt_at").Order("id").Limit(limit).Find(&msgs).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find due messages: %w", err)
	}
	return msgs, nil
}

// deliverable are the statuses the sender may still act on.
var deliverable = []models.OutboxStatus{models.OutboxPending, models.OutboxRetrying}

// ClaimMessages claims up to limit due messages for worker until now+lease, the
// longest-waiting first, and returns them. A message another worker holds is skipped until
// its lease has run out, so with several instances (or workers) each message is handed to
// one of them; a crashed instance's messages are taken again once its lease ends. The
// worker records each outcome (MarkMessageSent, MarkMessageRetry, MarkMessageHeld), which
// ends the claim, and gives back what it did not get to (ReleaseClaims).
//
// The candidates are read and claimed in one write transaction, and the UPDATE claims only
// rows still unclaimed, so two workers never both win a message: on SQLite the write lock
// makes the transactions take turns; on PostgreSQL the second UPDATE re-checks the row
// after the first commits (and the dialect's claimLock lets it skip locked rows instead).
func (s *Store) ClaimMessages(ctx context.Context, worker string, limit int, lease time.Duration) ([]models.OutboxMessage, error) {
	if limit <= 0 {
		limit = 50
	}
	if worker == "" || lease <= 0 {
		return nil, fmt.Errorf("store: a claim needs a worker and a lease: %w", models.ErrInvalid)
	}
	// A read first: an idle outbox (every poll of every instance) takes no write lock.
	now := s.now()
	var due []int64
	err := s.reader(ctx).Model(&models.OutboxMessage{}).
		Where("status IN ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)", deliverable, now, now).
		Limit(1).Pluck("id", &due).Error
	if err != nil || len(due) == 0 {
		if err != nil {
			return nil, fmt.Errorf("store: unable to find due messages: %w", err)
		}
		return nil, nil
	}
	var msgs []models.OutboxMessage
	err = s.quietTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var ids []int64
		q := tx.Model(&models.OutboxMessage{}).
			Where("status IN ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)", deliverable, now, now).
			Order("next_attempt_at").Order("id").Limit(limit)
		if err := s.d.claimLock(q).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(lease)
		err := tx.Model(&models.OutboxMessage{}).
			Where("id IN ? AND status IN ? AND (claimed_until IS NULL OR claimed_until < ?)", ids, deliverable, now).
			Updates(map[string]any{"claimed_by": worker, "claimed_until": until}).Error
		if err != nil {
			return err
		}
		return tx.Where("id IN ? AND claimed_by = ? AND claimed_until = ?", ids, worker, until).
			Order("next_attempt_at").Order("id").Find(&msgs).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to claim due messages: %w", err)
	}
	return msgs, nil
}

// ExtendClaims moves worker's lease on the messages ids to until, before a delivery that
// could outlast it. It returns the ids still held (a message whose lease ran out and that
// another worker took is no longer the caller's to send).
func (s *Store) ExtendClaims(ctx context.Context, worker string, ids []int64, until time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var held []int64
	err := s.quietTx(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&models.OutboxMessage{}).Where("id IN ? AND claimed_by = ? AND status IN ?", ids, worker, deliverable).
			Update("claimed_until", until).Error
		if err != nil {
			return err
		}
		return tx.Model(&models.OutboxMessage{}).Where("id IN ? AND claimed_by = ? AND claimed_until = ?", ids, worker, until).
			Order("id").Pluck("id", &held).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to extend claims: %w", err)
	}
	return held, nil
}

// ReleaseClaims gives back the messages worker still holds (a worker stopping, or ending a
// round early), so another worker may take them at once instead of after the lease.
func (s *Store) ReleaseClaims(ctx context.Context, worker string) error {
	err := s.writer(ctx).Model(&models.OutboxMessage{}).Where("claimed_by = ?", worker).
		Updates(map[string]any{"claimed_by": "", "claimed_until": nil}).Error
	if err != nil {
		return fmt.Errorf("store: unable to release claims: %w", err)
	}
	return nil
}

// MarkMessageSent records a successful delivery (and ends the message's claim).
func (s *Store) MarkMessageSent(ctx context.Context, id int64) error {
	now := s.now()
	res := s.writer(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND status IN ?", id, deliverable).
		Updates(map[string]any{"status": models.OutboxSent, "attempts": gorm.Expr("attempts + 1"), "sent_at": now,
			"claimed_by": "", "claimed_until": nil})
	if res.Error != nil {
		return fmt.Errorf("store: unable to mark message %d sent: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: unable to mark message %d sent: %w", id, models.ErrNotFound)
	}
	return nil
}

// MarkMessageRetry records a failed delivery attempt: the message is tried again after
// models.OutboxBackoff, or marked failed once it has had models.OutboxMaxAttempts attempts.
// Its claim ends.
func (s *Store) MarkMessageRetry(ctx context.Context, id int64, errText string) error {
	err := s.quietTx(ctx, func(tx *gorm.DB) error {
		var msg models.OutboxMessage
		if err := tx.Select("id", "attempts").Where("status IN ?", deliverable).Take(&msg, id).Error; err != nil {
			return notFound(err)
		}
		now := s.now()
		attempts := msg.Attempts + 1
		status := models.OutboxRetrying
		if attempts >= models.OutboxMaxAttempts {
			status = models.OutboxFailed
		}
		return tx.Model(&msg).Updates(map[string]any{"status": status, "attempts": attempts,
			"next_attempt_at": now.Add(models.OutboxBackoff(attempts)), "last_error": truncate(errText, maxOutboxError),
			"claimed_by": "", "claimed_until": nil}).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to schedule a retry of message %d: %w", id, err)
	}
	return nil
}

// MarkMessageHeld keeps a message for the Outbox page because its channel has no sender configured.
func (s *Store) MarkMessageHeld(ctx context.Context, id int64) error {
	res := s.writer(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND status IN ?", id, deliverable).
		Updates(map[string]any{"status": models.OutboxHeld, "claimed_by": "", "claimed_until": nil})
	if res.Error != nil {
		return fmt.Errorf("store: unable to hold message %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: unable to hold message %d: %w", id, models.ErrNotFound)
	}
	return nil
}

// models.OutboxFilter is models.OutboxFilter, kept under its old name while the other packages move to it.
//
// Deprecated: use models.OutboxFilter.

// models.MaxOutboxPage is the largest page FindOutbox returns.

// FindOutbox returns the organization's messages matching f, newest first, by keyset on id.
func (s *Store) FindOutbox(ctx context.Context, orgID int64, f models.OutboxFilter) ([]models.OutboxMessage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, models.MaxOutboxPage)
	q := s.reader(ctx).Where("org_id = ?", orgID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var msgs []models.OutboxMessage
	if err := q.Order("id DESC").Limit(f.Limit).Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find outbox messages: %w", err)
	}
	return msgs, nil
}

// FindOutboxMessage returns one of the organization's messages; another organization's id is ErrNotFound.
func (s *Store) FindOutboxMessage(ctx context.Context, orgID, id int64) (*models.OutboxMessage, error) {
	var msg models.OutboxMessage
	if err := s.reader(ctx).Where("org_id = ?", orgID).Take(&msg, id).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find outbox message %d: %w", id, notFound(err))
	}
	return &msg, nil
}

// RetryMessage makes one of the organization's undelivered messages due at once, keeping its
// attempt count: an admin's "Retry now". A message already sent is ErrConflict.
func (s *Store) RetryMessage(ctx context.Context, orgID, id int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var msg models.OutboxMessage
		if err := tx.Select("id", "status").Where("org_id = ?", orgID).Take(&msg, id).Error; err != nil {
			return notFound(err)
		}
		if msg.Status == models.OutboxSent {
			return models.ErrConflict
		}
		return tx.Model(&msg).Updates(map[string]any{"status": models.OutboxPending, "next_attempt_at": s.now()}).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to retry message %d: %w", id, err)
	}
	return nil
}

// LatestDeliveries returns the newest outbox message of each invitation, keyed by invitation
// id, in one query; invitations without a message are absent from the map. The messages carry
// what the Users page shows of a delivery — id, organization, invitation, channel, recipient,
// status, attempts and sent time — and not their subjects, bodies or schedule.
func (s *Store) LatestDeliveries(ctx context.Context, invitationIDs []int64) (map[int64]models.OutboxMessage, error) {
	out := make(map[int64]models.OutboxMessage, len(invitationIDs))
	if len(invitationIDs) == 0 {
		return out, nil
	}
	var msgs []models.OutboxMessage
	err := s.reader(ctx).Select("id, org_id, invitation_id, channel, recipient, status, attempts, sent_at").
		Where("id IN (SELECT MAX(id) FROM outbox_messages WHERE invitation_id IN ? GROUP BY invitation_id)", invitationIDs).
		Find(&msgs).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find latest deliveries: %w", err)
	}
	for _, m := range msgs {
		out[*m.InvitationID] = m
	}
	return out, nil
}
