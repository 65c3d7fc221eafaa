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

// SavePasswordReset binds a new reset token (stored as tokenHash, valid until expires) to
// the (normalised) email, whether or not an account has it, so both cases do the same work:
// every earlier reset link of the email stops working, and expired ones of anybody go.
func (s *Store) SavePasswordReset(ctx context.Context, email string, tokenHash []byte, expires time.Time) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		// A reset token is worth nothing once spent, replaced or expired; the audit log keeps the history.
		err := tx.Where("purpose = ? AND (email = ? OR expires_at <= ?)", models.PurposeReset, email, now).Delete(&models.Token{}).Error
		if err != nil {
			return err
		}
		t := models.Token{Purpose: models.PurposeReset, Email: email, Hash: tokenHash,
			ExpiresAt: expires.UTC().Truncate(time.Microsecond), CreatedAt: now}
		return tx.Create(&t).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to save a password reset: %w", err)
	}
	return nil
}

// DeletePasswordReset deletes the reset token with that hash (one that will not be sent).
func (s *Store) DeletePasswordReset(ctx context.Context, tokenHash []byte) error {
	if err := s.writer(ctx).Where("hash = ? AND purpose = ?", tokenHash, models.PurposeReset).Delete(&models.Token{}).Error; err != nil {
		return fmt.Errorf("store: unable to delete a password reset: %w", err)
	}
	return nil
}

// LastMembershipID is the id of the user's membership in the organization they last used, or
// nil, so audit events about the account can be found from that member's row.
func (s *Store) LastMembershipID(ctx context.Context, u *models.User) (*int64, error) {
	id, err := lastMembershipID(s.reader(ctx), u)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find membership: %w", err)
	}
	return id, nil
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
	t, err := findLiveToken(s.reader(ctx), models.PurposeReset, raw, s.now())
	if err != nil {
		return "", err
	}
	return t.Email, nil
}

// ResetPassword spends the reset token and gives its account the new password hash, in one
// transaction: the token is claimed by a conditional update (so of parallel submits exactly
// one wins; the others get models.ErrGone, as does any token that is not live), every
// session of the account ends, any login or enrollment waiting at its second step is
// dropped. It logs nobody in and leaves MFA factors as they are, so the next login still asks
// for the second step. It returns the account and how many sessions ended.
func (s *Store) ResetPassword(ctx context.Context, raw, passwordHash string) (*models.User, int64, error) {
	var user models.User
	var ended int64
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
		if err := endResetLinks(tx, user.ID); err != nil {
			return err
		}
		gone := tx.Where("user_id = ?", user.ID).Delete(&models.Session{})
		if gone.Error != nil {
			return gone.Error
		}
		ended = gone.RowsAffected
		return tx.Where("user_id = ?", user.ID).Delete(&models.MFAChallenge{}).Error
	})
	if err != nil {
		if errors.Is(err, models.ErrGone) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("store: unable to reset password: %w", err)
	}
	return &user, ended, nil
}

// endResetLinks ends every reset link still outstanding for the user's address: whoever asked
// for one before the password changed must not be able to set another over it.
func endResetLinks(tx *gorm.DB, userID int64) error {
	return tx.Where("purpose = ? AND used_at IS NULL AND email = (SELECT email FROM users WHERE id = ?)", models.PurposeReset, userID).
		Delete(&models.Token{}).Error
}
