package app

import (
	"context"

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
		return s.st.UpdateProfile(ctx, cur, req.FirstName, req.LastName, req.Phone, meta)
	})
}

// ChangePassword sets a new password after checking the current one, then ends every other
// session of the member. Wrong current passwords count toward the login backoff of the
// account (a *WaitError while it lasts), so a borrowed session cannot be used to guess the
// password. Invalid input is models.FieldErrors.
func (s *Service) ChangePassword(ctx context.Context, cur *models.Current, req models.PasswordChangeRequest, meta models.Meta) error {
	key := "email:" + cur.User.Email
	if wait := s.lim.wait(key); wait > 0 {
		s.log.Warn("password change blocked by backoff", "user", cur.User.ID, "ip", meta.IP)
		return &WaitError{Wait: wait}
	}
	errs := req.Validate(cur.User.Email)
	if req.Current != "" {
		if len(req.Current) <= 4*models.MaxPasswordLen && models.CheckPassword(cur.User.PasswordHash, req.Current) {
			s.lim.reset(key)
		} else {
			s.lim.fail(key)
			s.log.Info("password change: current password incorrect", "user", cur.User.ID, "ip", meta.IP)
			errs["current_password"] = "Current password is incorrect."
		}
	}
	if errs.Any() {
		return errs
	}
	hash := models.HashPassword(req.New)
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		return s.st.ChangePassword(ctx, cur, hash, meta)
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
		return s.st.EndUserSession(ctx, cur, sessionID, meta)
	})
}

// EndOtherSessions signs out every session of the member but this one, and returns how many.
func (s *Service) EndOtherSessions(ctx context.Context, cur *models.Current, meta models.Meta) (int64, error) {
	var n int64
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.st.EndOtherSessions(ctx, cur, meta)
		return err
	})
	return n, err
}
