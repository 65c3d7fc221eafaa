package app

import (
	"context"
	"errors"

	"gatehouse/models"
	"gatehouse/store"
)

// Cookie is what a browser's cookie says about its login: the raw session token, and the
// organization and email of the login it remembers (to say why a session ended).
type Cookie struct {
	Token string
	OrgID int64
	Email string
}

// SignedOut is why a browser's session can no longer be used; the handler forgets the
// login and shows Why.
type SignedOut struct{ Why string }

func (e *SignedOut) Error() string { return e.Why }

// Authenticate returns who the cookie's session token belongs to. A session that has expired
// is ended here, and a *SignedOut says why; one whose member's access to its organization has
// ended moves to another of their organizations, or to none (Current.HasOrg false), with a
// Notice, so termination takes effect at once; an empty token gives (nil, nil). Activity is recorded on the
// session for the idle timeout. Reads run outside a write transaction: this runs on every
// request, and the single writer must not serialize page views.
func (s *Service) Authenticate(ctx context.Context, ck Cookie) (*models.Current, error) {
	if ck.Token == "" {
		return nil, nil
	}
	cur, err := s.st.FindCurrent(ctx, models.HashToken(ck.Token))
	if errors.Is(err, models.ErrNotFound) {
		// Ended elsewhere: logged out in another tab, pruned, or the member was terminated
		// (which deletes their sessions at once), and then they should hear that.
		if s.wasTerminated(ctx, ck) {
			return nil, &SignedOut{Why: "Your access has ended. Ask an Owner or Admin if you think this is a mistake."}
		}
		return nil, &SignedOut{Why: "You have been signed out. Log in again to continue."}
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case s.cfg.Sessions.Expired(cur.Session, now):
		return nil, s.endSession(ctx, cur, "Your session has ended. Log in again to continue.")
	case !cur.HasOrg():
		// Terminated, revoked, left or deleted here (or in no organization yet): the login goes
		// on in another organization, or in none (moveOff).
		if cur, err = s.moveOff(ctx, cur, ck.OrgID != 0); err != nil {
			return nil, err
		}
	}
	if models.NeedsTouch(cur.Session, now) {
		if err := s.st.TouchSession(ctx, cur.Session.ID); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// wasTerminated reports whether the member whose login the cookie remembers has been
// terminated in the organization they logged in to.
func (s *Service) wasTerminated(ctx context.Context, ck Cookie) bool {
	if ck.OrgID == 0 || ck.Email == "" {
		return false
	}
	m, err := s.st.FindMemberByEmail(ctx, ck.OrgID, ck.Email)
	if err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			s.log.Warn("unable to check why a session ended", "err", err)
		}
		return false
	}
	return m.Status == models.StatusTerminated
}

// endSession deletes a session that may no longer be used and says why.
func (s *Service) endSession(ctx context.Context, cur *models.Current, why string) error {
	if err := s.st.DeleteSession(ctx, cur.Session.ID); err != nil {
		s.log.Error("unable to delete ended session", "err", err)
	}
	return &SignedOut{Why: why}
}

// startSession ends the session the browser held (oldToken) and starts a new one for user,
// returning its raw token; a user with no active membership gets one without an organization.
func (s *Service) startSession(ctx context.Context, user *models.User, oldToken string, meta models.Meta) (string, *models.Session, error) {
	raw, hash := models.NewToken()
	var sess *models.Session
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if oldToken != "" {
			if old, err := s.st.FindCurrent(ctx, models.HashToken(oldToken)); err == nil {
				if err := s.st.DeleteSession(ctx, old.Session.ID); err != nil {
					return err
				}
			}
		}
		var err error
		if sess, err = s.st.CreateSession(ctx, store.LoginInput{UserID: user.ID, TokenHash: hash, Meta: meta}); err != nil {
			return err
		}
		cur, err := s.st.FindCurrent(ctx, hash)
		if err != nil {
			return err
		}
		ev := selfEvent(cur, models.ActionLogin, "")
		if !cur.HasOrg() {
			ev = orgEvent(cur, nil, models.ActionLogin, "no organization")
		}
		return s.st.Audit(ctx, ev, meta)
	})
	if err != nil {
		return "", nil, err
	}
	return raw, sess, nil
}

// Logout ends the current session, so the old cookie is worthless even if replayed.
func (s *Service) Logout(ctx context.Context, cur *models.Current, meta models.Meta) error {
	if cur == nil {
		return nil
	}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.DeleteSession(ctx, cur.Session.ID); err != nil {
			return err
		}
		ev := selfEvent(cur, models.ActionLogout, "")
		if !cur.HasOrg() {
			ev = orgEvent(cur, nil, models.ActionLogout, "")
		}
		return s.st.Audit(ctx, ev, meta)
	})
	if err == nil {
		s.log.Info("logout", "user", cur.User.ID)
	}
	return err
}

// selfEvent is an audit event of action done by the current member to their own account.
func selfEvent(cur *models.Current, action models.Action, detail string) models.AuditEvent {
	ev := cur.Event(action, detail)
	ev.TargetMembershipID, ev.TargetEmail = &cur.Membership.ID, cur.User.Email
	return ev
}
