package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// UpdateProfile changes a user's own names and phone (E.164, or "" for none). The names are
// copied onto every membership of the user, in every organization and status, so the Users
// pages sort and search by the new name; in one transaction. It returns what changed, for the
// audit log (the phone masked); nothing is written when nothing changed ("").
func (s *Store) UpdateProfile(ctx context.Context, userID int64, first, last, phone string) (string, error) {
	var changed string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u models.User
		if err := tx.Take(&u, userID).Error; err != nil {
			return notFound(err)
		}
		var what []string
		for _, f := range []struct{ name, old, new string }{
			{"first name", u.FirstName, first}, {"last name", u.LastName, last},
		} {
			if f.old != f.new {
				what = append(what, fmt.Sprintf("%s %q → %q", f.name, f.old, f.new))
			}
		}
		if u.Phone != phone {
			// The audit log is read by Admins, and a phone is the member's own: show only its end.
			what = append(what, "phone "+maskedPhone(u.Phone)+" → "+maskedPhone(phone))
		}
		if len(what) == 0 {
			return nil
		}
		now := s.now()
		err := tx.Model(&u).Updates(map[string]any{"first_name": first, "last_name": last, "phone": phone, "updated_at": now}).Error
		if err != nil {
			return err
		}
		// Membership.SetName's keys, with the email fallback taken from each row's own email.
		nameKey, lastNameKey := models.NameKeys(first, last, "")
		keyExpr := gorm.Expr("?", nameKey)
		if nameKey == "" {
			keyExpr = gorm.Expr("email")
		}
		err = tx.Model(&models.Membership{}).Where("user_id = ?", u.ID).Updates(map[string]any{
			"first_name": first, "last_name": last, "name_key": keyExpr, "last_name_key": lastNameKey, "updated_at": now}).Error
		if err != nil {
			return err
		}
		changed = strings.Join(what, "; ")
		return nil
	})
	if err != nil {
		return "", wrapRule(err, "update profile")
	}
	return changed, nil
}

func maskedPhone(p string) string {
	if p == "" {
		return "none"
	}
	return models.MaskPhone(p)
}

// ChangePassword sets a user's password hash and ends every other session of theirs (all but
// keepSessionID), any login waiting at its second step and every outstanding reset link, so whoever knew the old password
// is out at once. One transaction; it returns how many sessions ended.
func (s *Store) ChangePassword(ctx context.Context, userID, keepSessionID int64, newHash string) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&models.User{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": newHash, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		ended := tx.Where("user_id = ? AND id <> ?", userID, keepSessionID).Delete(&models.Session{})
		if ended.Error != nil {
			return ended.Error
		}
		n = ended.RowsAffected
		// A login past its password step was let in by the old password.
		if err := tx.Where("user_id = ? AND purpose = ?", userID, models.ChallengeLogin).Delete(&models.MFAChallenge{}).Error; err != nil {
			return err
		}
		return endResetLinks(tx, userID)
	})
	if err != nil {
		return 0, wrapRule(err, "change password")
	}
	return n, nil
}

// FindUserSessions returns the user's sessions, the most recently active first. Expired
// sessions not yet pruned are included; the caller knows the policy.
func (s *Store) FindUserSessions(ctx context.Context, userID int64) ([]models.Session, error) {
	var out []models.Session
	err := s.reader(ctx).Where("user_id = ?", userID).Order("last_seen_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find sessions: %w", err)
	}
	return out, nil
}

// EndUserSession ends one of a user's other sessions and returns it. A session of another
// user, or keepSessionID (the current one, which ends by logging out), gives
// models.ErrNotFound and changes nothing.
func (s *Store) EndUserSession(ctx context.Context, userID, keepSessionID, sessionID int64) (*models.Session, error) {
	var sess models.Session
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ? AND user_id = ? AND id <> ?", sessionID, userID, keepSessionID).Take(&sess).Error
		if err != nil {
			return notFound(err)
		}
		return tx.Delete(&sess).Error
	})
	if err != nil {
		return nil, wrapRule(err, "end session")
	}
	return &sess, nil
}

// EndOtherSessions ends every session of a user except keepSessionID and returns how many ended.
func (s *Store) EndOtherSessions(ctx context.Context, userID, keepSessionID int64) (int64, error) {
	defer s.noteChange(ctx)
	res := s.writer(ctx).Where("user_id = ? AND id <> ?", userID, keepSessionID).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to end other sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
