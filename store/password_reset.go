package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// PasswordResetLifetime is how long an emailed password reset link works.
const PasswordResetLifetime = time.Hour

// RequestPasswordReset starts a password reset for the account with that (normalised) email,
// in one transaction: every earlier reset link of the account stops working, a new token
// (stored as tokenHash, valid until expires) is bound to the email, msg is put in the outbox
// addressed to it, and the request is audited. When no account has that email nothing is
// written and the result is the same nil, so callers cannot tell the two apart.
//
// The message belongs to no organization: the Outbox page shows bodies to Owners, and a
// reset link in an Owner's hands would let them take over a member's password.
func (s *Store) RequestPasswordReset(ctx context.Context, email string, tokenHash []byte, expires time.Time, msg models.OutboxMessage, meta Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u models.User
		if err := tx.Where("email = ?", email).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			return err
		}
		now := s.now()
		// The account's earlier links go, and expired ones of anybody with them: a reset token
		// is worth nothing once spent, replaced or expired, and the audit log keeps the history.
		err := tx.Where("purpose = ? AND (email = ? OR expires_at <= ?)", models.PurposeReset, u.Email, now).Delete(&models.Token{}).Error
		if err != nil {
			return err
		}
		t := models.Token{Purpose: models.PurposeReset, Email: u.Email, Hash: tokenHash,
			ExpiresAt: expires.UTC().Truncate(time.Microsecond), CreatedAt: now}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		msg.Channel, msg.Recipient, msg.OrgID, msg.InvitationID = models.ChannelEmail, u.Email, nil, nil
		if err := enqueue(tx, &msg, now); err != nil {
			return err
		}
		ev := models.AuditEvent{OrgID: u.LastOrgID, Action: models.ActionPasswordResetAsked, TargetEmail: u.Email}
		if ev.TargetMembershipID, err = lastMembershipID(tx, &u); err != nil {
			return err
		}
		return writeAudit(tx, ev, meta, now)
	})
	if err != nil {
		return fmt.Errorf("store: unable to request a password reset: %w", err)
	}
	return nil
}

// lastMembershipID is the id of the user's membership in the organization they last used,
// or nil, so audit events about the account can be found from that member's row.
func lastMembershipID(tx *gorm.DB, u *models.User) (*int64, error) {
	if u.LastOrgID == nil {
		return nil, nil
	}
	var ids []int64
	if err := tx.Model(&models.Membership{}).Where("org_id = ? AND user_id = ?", *u.LastOrgID, u.ID).Limit(1).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}

// FindPasswordReset returns the email a live reset token was sent to. An unknown, spent,
// replaced or expired token, or a token minted for another purpose, gives models.ErrGone.
func (s *Store) FindPasswordReset(ctx context.Context, raw string) (string, error) {
	t, err := findLiveToken(s.r.WithContext(ctx), models.PurposeReset, raw, s.now())
	if err != nil {
		return "", err
	}
	return t.Email, nil
}

// ResetPassword spends the reset token and gives its account the new password hash, in one
// transaction: the token is claimed by a conditional update (so of parallel submits exactly
// one wins; the others get models.ErrGone, as does any token that is not live), every
// session of the account ends, any login or enrollment waiting at its second step is
// dropped, and the reset is audited. It logs nobody in and leaves MFA factors as they are,
// so the next login still asks for the second step.
func (s *Store) ResetPassword(ctx context.Context, raw, passwordHash string, meta Meta) (*models.User, error) {
	var user models.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		hash := models.HashToken(raw)
		res := tx.Model(&models.Token{}).Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, models.PurposeReset, now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrGone
		}
		var t models.Token
		if err := tx.Where("hash = ?", hash).Take(&t).Error; err != nil {
			return err
		}
		// The token is bound to the email it was sent to: an account that changed its email
		// since, or no longer exists, is not reset through it.
		if err := tx.Where("email = ?", t.Email).Take(&user).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.ErrGone
			}
			return err
		}
		if err := tx.Model(&user).UpdateColumns(map[string]any{"password_hash": passwordHash, "updated_at": now}).Error; err != nil {
			return err
		}
		user.PasswordHash, user.UpdatedAt = passwordHash, now
		if err := endResetLinks(tx, user.Email); err != nil {
			return err
		}
		ended := tx.Where("user_id = ?", user.ID).Delete(&models.Session{})
		if ended.Error != nil {
			return ended.Error
		}
		if err := tx.Where("user_id = ?", user.ID).Delete(&models.MFAChallenge{}).Error; err != nil {
			return err
		}
		ev := models.AuditEvent{OrgID: user.LastOrgID, ActorUserID: &user.ID, ActorEmail: user.Email,
			Action: models.ActionPasswordReset, TargetEmail: user.Email, Detail: sessionsSignedOut(ended.RowsAffected)}
		var err error
		if ev.TargetMembershipID, err = lastMembershipID(tx, &user); err != nil {
			return err
		}
		return writeAudit(tx, ev, meta, now)
	})
	if err != nil {
		if errors.Is(err, models.ErrGone) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to reset password: %w", err)
	}
	return &user, nil
}

// endResetLinks ends every reset link still outstanding for email: whoever asked for one
// before the password changed must not be able to set another over it.
func endResetLinks(tx *gorm.DB, email string) error {
	return tx.Where("purpose = ? AND email = ? AND used_at IS NULL", models.PurposeReset, email).Delete(&models.Token{}).Error
}

func sessionsSignedOut(n int64) string {
	if n == 1 {
		return "1 session signed out"
	}
	return fmt.Sprintf("%d sessions signed out", n)
}
