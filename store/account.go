package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// UpdateProfile changes the current user's own names and phone (E.164, or "" for none). The
// names are copied onto every membership of the user, in every organization and status, so
// the Users pages sort and search by the new name; all in one transaction with the audit event.
// Nothing is written when nothing changed.
func (s *Store) UpdateProfile(ctx context.Context, cur *models.Current, first, last, phone string, meta Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u models.User
		if err := tx.Take(&u, cur.User.ID).Error; err != nil {
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
		return writeAudit(tx, models.AuditEvent{OrgID: &cur.Org.ID, ActorUserID: &u.ID, ActorEmail: u.Email,
			Action: models.ActionProfileUpdated, TargetMembershipID: &cur.Membership.ID, TargetEmail: u.Email,
			Detail: strings.Join(what, "; ")}, meta, now)
	})
	return wrapRule(err, "update profile")
}

func maskedPhone(p string) string {
	if p == "" {
		return "none"
	}
	return models.MaskPhone(p)
}

// ChangePassword sets the current user's password hash and ends every other session of
// theirs, any login waiting at its second step and every outstanding reset link, so whoever knew the old password is out
// at once. The current session stays. One transaction, with the audit event.
func (s *Store) ChangePassword(ctx context.Context, cur *models.Current, newHash string, meta Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&models.User{}).Where("id = ?", cur.User.ID).Updates(map[string]any{"password_hash": newHash, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		ended := tx.Where("user_id = ? AND id <> ?", cur.User.ID, cur.Session.ID).Delete(&models.Session{})
		if ended.Error != nil {
			return ended.Error
		}
		// A login past its password step was let in by the old password.
		if err := tx.Where("user_id = ? AND purpose = ?", cur.User.ID, models.ChallengeLogin).Delete(&models.MFAChallenge{}).Error; err != nil {
			return err
		}
		if err := endResetLinks(tx, cur.User.Email); err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &cur.Org.ID, ActorUserID: &cur.User.ID, ActorEmail: cur.User.Email,
			Action: models.ActionPasswordChanged, TargetMembershipID: &cur.Membership.ID, TargetEmail: cur.User.Email,
			Detail: sessionsEnded(ended.RowsAffected)}, meta, now)
	})
	return wrapRule(err, "change password")
}

func sessionsEnded(n int64) string {
	if n == 1 {
		return "1 other session signed out"
	}
	return fmt.Sprintf("%d other sessions signed out", n)
}

// FindUserSessions returns the user's sessions, the most recently active first. Expired
// sessions not yet pruned are included; the caller knows the policy.
func (s *Store) FindUserSessions(ctx context.Context, userID int64) ([]models.Session, error) {
	var out []models.Session
	err := s.r.WithContext(ctx).Where("user_id = ?", userID).Order("last_seen_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find sessions: %w", err)
	}
	return out, nil
}

// EndUserSession ends one of the current user's other sessions. A session of another user,
// or the current one (which ends by logging out), gives models.ErrNotFound and changes nothing.
func (s *Store) EndUserSession(ctx context.Context, cur *models.Current, sessionID int64, meta Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var sess models.Session
		err := tx.Where("id = ? AND user_id = ? AND id <> ?", sessionID, cur.User.ID, cur.Session.ID).Take(&sess).Error
		if err != nil {
			return notFound(err)
		}
		if err := tx.Delete(&sess).Error; err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &cur.Org.ID, ActorUserID: &cur.User.ID, ActorEmail: cur.User.Email,
			Action: models.ActionSessionRevoked, TargetMembershipID: &cur.Membership.ID, TargetEmail: cur.User.Email,
			Detail: fmt.Sprintf("session from %s, signed in %s", orUnknown(sess.IP), sess.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))}, meta, s.now())
	})
	return wrapRule(err, "end session")
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}

// EndOtherSessions ends every session of the current user except the current one and
// returns how many ended. The audit event is written only when one did.
func (s *Store) EndOtherSessions(ctx context.Context, cur *models.Current, meta Meta) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND id <> ?", cur.User.ID, cur.Session.ID).Delete(&models.Session{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		n = res.RowsAffected
		return writeAudit(tx, models.AuditEvent{OrgID: &cur.Org.ID, ActorUserID: &cur.User.ID, ActorEmail: cur.User.Email,
			Action: models.ActionSessionRevoked, TargetMembershipID: &cur.Membership.ID, TargetEmail: cur.User.Email,
			Detail: sessionsEnded(n)}, meta, s.now())
	})
	if err != nil {
		return 0, wrapRule(err, "end other sessions")
	}
	return n, nil
}
