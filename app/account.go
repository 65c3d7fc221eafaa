package app

import (
	"context"
	"fmt"

	"gatehouse/models"
)

// Account is what the Account page shows besides the member's own fields.
type Account struct {
	Sessions []models.Session // the live ones, the most recently active first
	MFA      *AccountMFA
}

// FindAccount returns the current member's live sessions and second factors.
func (s *Service) FindAccount(ctx context.Context, cur *models.Current) (*Account, error) {
	sessions, err := s.st.FindUserSessions(ctx, cur.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	live := sessions[:0]
	for _, sess := range sessions {
		// Expired sessions wait for the pruner but can no longer be used: don't list them.
		if sess.ID == cur.Session.ID || !s.cfg.Sessions.Expired(sess, now) {
			live = append(live, sess)
		}
	}
	mfa, err := s.FindAccountMFA(ctx, cur)
	if err != nil {
		return nil, err
	}
	return &Account{Sessions: live, MFA: mfa}, nil
}

// UpdateProfile changes the member's own name and phone. Only those fields are read: email,
// roles and everything else on the account are not the form's to change. req is cleaned in
// place; invalid input is models.FieldErrors and changes nothing.
func (s *Service) UpdateProfile(ctx context.Context, cur *models.Current, req *models.ProfileRequest, meta models.Meta) error {
	if errs := req.Validate(); errs.Any() {
		return errs
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		what, err := s.st.UpdateProfile(ctx, cur.User.ID, req.FirstName, req.LastName, req.Phone)
		if err != nil || what == "" {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionProfileUpdated, what), meta)
	})
}

// ChangePassword sets a new password after checking the current one, then ends every other
// session of the member. Wrong current passwords count toward the login backoff of the
// account (a *WaitError while it lasts), so a borrowed session cannot be used to guess the
// password. Invalid input is models.FieldErrors.
func (s *Service) ChangePassword(ctx context.Context, cur *models.Current, req models.PasswordChangeRequest, meta models.Meta) error {
	key := "email:" + cur.User.Email
	if wait := s.lim.Wait(key); wait > 0 {
		s.log.Warn("password change blocked by backoff", "user", cur.User.ID, "ip", meta.IP)
		return &WaitError{Wait: wait}
	}
	errs := req.Validate(cur.User.Email)
	if req.Current != "" {
		if len(req.Current) <= 4*models.MaxPasswordLen && models.CheckPassword(cur.User.PasswordHash, req.Current) {
			s.lim.Reset(key)
		} else {
			s.lim.Fail(key)
			s.log.Info("password change: current password incorrect", "user", cur.User.ID, "ip", meta.IP)
			errs["current_password"] = "Current password is incorrect."
		}
	}
	if errs.Any() {
		return errs
	}
	hash := models.HashPassword(req.New)
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		n, err := s.st.ChangePassword(ctx, cur.User.ID, cur.Session.ID, hash)
		if err != nil {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionPasswordChanged, sessionsEnded(n)), meta)
	})
	if err == nil {
		s.log.Info("password changed", "user", cur.User.ID, "ip", meta.IP)
	}
	return err
}

// EndSession signs out one of the member's other sessions. A session of anyone else, or the
// current one, is models.ErrNotFound.
func (s *Service) EndSession(ctx context.Context, cur *models.Current, sessionID int64, meta models.Meta) error {
	return s.st.InTx(ctx, func(ctx context.Context) error {
		sess, err := s.st.EndUserSession(ctx, cur.User.ID, cur.Session.ID, sessionID)
		if err != nil {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionSessionRevoked,
			fmt.Sprintf("session from %s, signed in %s", orUnknown(sess.IP), sess.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))), meta)
	})
}

// EndOtherSessions signs out every session of the member but this one, and returns how many.
// The audit event is written only when one ended.
func (s *Service) EndOtherSessions(ctx context.Context, cur *models.Current, meta models.Meta) (int64, error) {
	var n int64
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.st.EndOtherSessions(ctx, cur.User.ID, cur.Session.ID); err != nil || n == 0 {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionSessionRevoked, sessionsEnded(n)), meta)
	})
	return n, err
}

func sessionsEnded(n int64) string {
	if n == 1 {
		return "1 other session signed out"
	}
	return fmt.Sprintf("%d other sessions signed out", n)
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}
