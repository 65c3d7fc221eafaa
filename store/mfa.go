package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// FindFactors returns the user's confirmed second factors, oldest first.
func (s *Store) FindFactors(ctx context.Context, userID int64) ([]models.MFAFactor, error) {
	var fs []models.MFAFactor
	if err := s.reader(ctx).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Order("id").Find(&fs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find factors: %w", err)
	}
	return fs, nil
}

// StartChallenge records a pending second step for the user; the browser holds the token.
// For enrollment by SMS, phone names the number being confirmed: an unconfirmed factor is
// created for it (replacing any earlier unconfirmed one).
func (s *Store) StartChallenge(ctx context.Context, userID int64, purpose models.ChallengePurpose, tokenHash []byte, phone, ip string) (*models.MFAChallenge, error) {
	var ch models.MFAChallenge
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		// Expired challenges of anyone are dead weight once the SMS caps no longer count them
		// (an hour); drop them here rather than in a janitor.
		if err := tx.Where("expires_at <= ?", now.Add(-models.SMSCapWindowIP)).Delete(&models.MFAChallenge{}).Error; err != nil {
			return err
		}
		ch = models.MFAChallenge{TokenHash: tokenHash, UserID: userID, Purpose: purpose, IP: ip, CreatedAt: now, ExpiresAt: now.Add(models.ChallengeLifetime)}
		if phone != "" {
			// One enrollment at a time: the earlier ones end. Their unconfirmed numbers stay a
			// day, for the cap on distinct numbers a member may have texted (models.SMSCapMemberNumbers).
			if err := tx.Where("user_id = ? AND purpose = ?", userID, models.ChallengeEnroll).Delete(&models.MFAChallenge{}).Error; err != nil {
				return err
			}
			if err := tx.Where("user_id = ? AND confirmed_at IS NULL AND created_at <= ?", userID, now.Add(-models.SMSCapWindowMember)).
				Delete(&models.MFAFactor{}).Error; err != nil {
				return err
			}
			f := models.MFAFactor{UserID: userID, Kind: models.FactorSMS, Phone: phone, CreatedAt: now}
			if err := tx.Create(&f).Error; err != nil {
				return err
			}
			ch.FactorID = &f.ID
		}
		return tx.Create(&ch).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to start challenge: %w", err)
	}
	return &ch, nil
}

// FindChallenge returns the live challenge with that token hash, or models.ErrGone.
func (s *Store) FindChallenge(ctx context.Context, tokenHash []byte, purpose models.ChallengePurpose) (*models.MFAChallenge, error) {
	var ch models.MFAChallenge
	err := s.reader(ctx).Where("token_hash = ? AND purpose = ?", tokenHash, purpose).Take(&ch).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && !s.now().Before(ch.ExpiresAt) {
		return nil, models.ErrGone
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to find challenge: %w", err)
	}
	return &ch, nil
}

// EndChallenge deletes a challenge once its second step is done or abandoned.
func (s *Store) EndChallenge(ctx context.Context, id int64) error {
	if err := s.writer(ctx).Delete(&models.MFAChallenge{}, id).Error; err != nil {
		return fmt.Errorf("store: unable to end challenge: %w", err)
	}
	return nil
}

// SMSUsage counts what the SMS caps limit, from the database so the counts survive restarts:
// the distinct numbers the user started to enroll since memberSince (and whether phone is
// one of them), the texts sent for the organization since orgSince, and the challenges
// from ip that sent a code since ipSince.
func (s *Store) SMSUsage(ctx context.Context, userID int64, phone string, orgID *int64, ip string, memberSince, orgSince, ipSince time.Time) (models.SMSUsage, error) {
	var u models.SMSUsage
	db := s.reader(ctx)
	var phones []string
	if err := db.Model(&models.MFAFactor{}).Where("user_id = ? AND kind = ? AND created_at > ?", userID, models.FactorSMS, memberSince).
		Distinct().Pluck("phone", &phones).Error; err != nil {
		return u, fmt.Errorf("store: unable to count SMS: %w", err)
	}
	u.MemberNumbers = len(phones)
	for _, p := range phones {
		u.KnownNumber = u.KnownNumber || p == phone
	}
	var n int64
	if orgID != nil {
		if err := db.Model(&models.OutboxMessage{}).Where("channel = ? AND org_id = ? AND created_at > ?", models.ChannelSMS, *orgID, orgSince).
			Count(&n).Error; err != nil {
			return u, fmt.Errorf("store: unable to count SMS: %w", err)
		}
		u.OrgSent = int(n)
	}
	if ip != "" {
		if err := db.Model(&models.MFAChallenge{}).Where("ip = ? AND last_sent_at > ?", ip, ipSince).Count(&n).Error; err != nil {
			return u, fmt.Errorf("store: unable to count SMS: %w", err)
		}
		u.IPSent = int(n)
	}
	return u, nil
}

// SendChallengeCode stores a new SMS code (hashed, bound to the challenge, valid 10 minutes)
// and puts the text message in the outbox. Sends are throttled: one a minute per challenge
// and five an hour per phone number; past either, a RuleError says how long to wait.
func (s *Store) SendChallengeCode(ctx context.Context, challengeID int64, phone string, codeHash []byte, msg models.OutboxMessage, orgID *int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var ch models.MFAChallenge
		if err := s.d.lockRows(tx).Take(&ch, challengeID).Error; err != nil {
			return models.ErrGone
		}
		if !now.Before(ch.ExpiresAt) || ch.Attempts >= models.MaxCodeAttempts {
			return models.ErrGone
		}
		if ch.LastSentAt != nil && now.Sub(*ch.LastSentAt) < models.SMSResendInterval {
			wait := int((models.SMSResendInterval - now.Sub(*ch.LastSentAt)).Seconds() + 0.999)
			unit := "seconds"
			if wait == 1 {
				unit = "second"
			}
			return &models.RuleError{Msg: fmt.Sprintf("A code was just sent. You can ask for another in %d %s.", wait, unit)}
		}
		// The hourly cap per number holds across challenges sent at once.
		if err := s.d.lockKey(tx, "sms to:"+phone); err != nil {
			return err
		}
		var sent int64
		if err := tx.Model(&models.OutboxMessage{}).Where("channel = ? AND recipient = ? AND created_at > ?", models.ChannelSMS, phone, now.Add(-time.Hour)).
			Count(&sent).Error; err != nil {
			return err
		}
		if sent >= models.MaxSMSPerHour {
			return &models.RuleError{Msg: "Too many codes were sent to this number in the last hour. Wait a while, or use another way to verify."}
		}
		exp := now.Add(models.SMSCodeLifetime)
		if err := tx.Model(&ch).Updates(map[string]any{"code_hash": codeHash, "code_expires_at": exp, "last_sent_at": now}).Error; err != nil {
			return err
		}
		msg.Channel, msg.Recipient, msg.OrgID = models.ChannelSMS, phone, orgID
		return enqueue(tx, &msg, now)
	})
	return wrapRule(err, "send code")
}

// CheckChallengeCode checks an SMS code against the challenge. A right code is spent at
// once; a wrong or expired one counts as an attempt, and the fifth ends the challenge
// (models.ErrGone). Attempts are committed even though the check fails.
func (s *Store) CheckChallengeCode(ctx context.Context, challengeID int64, codeHash []byte) error {
	var outcome error
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var ch models.MFAChallenge
		if err := s.d.lockRows(tx).Take(&ch, challengeID).Error; err != nil || !now.Before(ch.ExpiresAt) {
			outcome = models.ErrGone
			return nil
		}
		switch {
		case ch.CodeHash == nil || ch.CodeExpiresAt == nil || !now.Before(*ch.CodeExpiresAt):
			outcome = &models.RuleError{Msg: "That code has expired or was already used. Send a new one."}
		case !models.SameHash(ch.CodeHash, codeHash):
			outcome = &models.RuleError{Msg: "That code isn't right. Check the latest text message and try again."}
		default:
			return tx.Model(&ch).Updates(map[string]any{"code_hash": nil, "code_expires_at": nil}).Error
		}
		ch.Attempts++
		if ch.Attempts >= models.MaxCodeAttempts {
			outcome = models.ErrGone
			return tx.Delete(&ch).Error
		}
		return tx.Model(&ch).Update("attempts", ch.Attempts).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to check code: %w", err)
	}
	return outcome
}

// ConsumeTOTPStep records that the factor's code for step was used, refusing a step at or
// before the last one used, so each authenticator code works once even under races.
func (s *Store) ConsumeTOTPStep(ctx context.Context, factorID, step int64) error {
	res := s.writer(ctx).Model(&models.MFAFactor{}).Where("id = ? AND last_step < ?", factorID, step).Update("last_step", step)
	if res.Error != nil {
		return fmt.Errorf("store: unable to record code use: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return &models.RuleError{Msg: "That code was already used. Wait for the next one in your app."}
	}
	return nil
}

// UseRecoveryCode spends one of the user's recovery codes and returns how many remain. A
// wrong or spent code is a RuleError.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, codeHash []byte) (int, error) {
	var left int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.RecoveryCode{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, codeHash).Update("used_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &models.RuleError{Msg: "That recovery code isn't right or was already used."}
		}
		return tx.Model(&models.RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&left).Error
	})
	return int(left), wrapRule(err, "use recovery code")
}

// CountRecoveryCodes returns how many unused recovery codes the user has.
func (s *Store) CountRecoveryCodes(ctx context.Context, userID int64) (int, error) {
	var n int64
	if err := s.reader(ctx).Model(&models.RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count recovery codes: %w", err)
	}
	return int(n), nil
}

// NewFactor is a second factor being confirmed.
type NewFactor struct {
	Kind     models.FactorKind
	FactorID int64  // the unconfirmed SMS factor the challenge was for
	Secret   string // the TOTP secret
	Step     int64  // the TOTP step of the confirming code
	// RecoveryHashes replace the user's recovery codes when not nil (on the first factor).
	RecoveryHashes [][]byte
}

// ConfirmFactor makes a factor of the user count: it is confirmed, the user has MFA, and
// recovery codes are stored when given, in one transaction. An SMS factor that is not the
// user's unconfirmed one is models.ErrGone.
func (s *Store) ConfirmFactor(ctx context.Context, userID int64, nf NewFactor) (*models.MFAFactor, error) {
	var f models.MFAFactor
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		switch nf.Kind {
		case models.FactorSMS:
			if err := tx.Where("id = ? AND user_id = ? AND kind = ? AND confirmed_at IS NULL", nf.FactorID, userID, models.FactorSMS).Take(&f).Error; err != nil {
				return models.ErrGone
			}
			if err := tx.Model(&f).Update("confirmed_at", now).Error; err != nil {
				return err
			}
		case models.FactorTOTP:
			f = models.MFAFactor{UserID: userID, Kind: models.FactorTOTP, Secret: nf.Secret, LastStep: nf.Step, ConfirmedAt: &now, CreatedAt: now}
			if err := tx.Create(&f).Error; err != nil {
				return err
			}
		default:
			return models.ErrInvalid
		}
		if err := tx.Model(&models.User{}).Where("id = ?", userID).Update("mfa_enabled", true).Error; err != nil {
			return err
		}
		if nf.RecoveryHashes != nil {
			return replaceRecoveryCodes(tx, userID, nf.RecoveryHashes, now)
		}
		return nil
	})
	if err != nil {
		return nil, wrapRule(err, "confirm factor")
	}
	return &f, nil
}

func replaceRecoveryCodes(tx *gorm.DB, userID int64, hashes [][]byte, now time.Time) error {
	if err := tx.Where("user_id = ?", userID).Delete(&models.RecoveryCode{}).Error; err != nil {
		return err
	}
	for _, h := range hashes {
		if err := tx.Create(&models.RecoveryCode{UserID: userID, CodeHash: h, CreatedAt: now}).Error; err != nil {
			return err
		}
	}
	return nil
}

// ReplaceRecoveryCodes swaps the user's recovery codes for new ones, all earlier ones dead.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	err := s.tx(ctx, func(tx *gorm.DB) error { return replaceRecoveryCodes(tx, userID, hashes, s.now()) })
	return wrapRule(err, "replace recovery codes")
}

// RemoveFactor deletes one of the user's confirmed factors and returns it; when it was the
// last, the recovery codes, pending challenges and the user's MFA go too. Whether it may be
// removed is the caller's rule. Another user's factor is models.ErrNotFound.
func (s *Store) RemoveFactor(ctx context.Context, userID, factorID int64) (*models.MFAFactor, error) {
	var f models.MFAFactor
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND user_id = ? AND confirmed_at IS NOT NULL", factorID, userID).Take(&f).Error; err != nil {
			return models.ErrNotFound
		}
		if err := tx.Delete(&f).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.MFAFactor{}).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return clearMFA(tx, userID)
		}
		return nil
	})
	if err != nil {
		return nil, wrapRule(err, "remove factor")
	}
	return &f, nil
}

// clearMFA removes every factor, recovery code and pending challenge of a user.
func clearMFA(tx *gorm.DB, userID int64) error {
	for _, m := range []any{&models.MFAFactor{}, &models.RecoveryCode{}, &models.MFAChallenge{}} {
		if err := tx.Where("user_id = ?", userID).Delete(m).Error; err != nil {
			return err
		}
	}
	return tx.Model(&models.User{}).Where("id = ?", userID).Update("mfa_enabled", false).Error
}
