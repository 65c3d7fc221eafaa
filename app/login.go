package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gatehouse/delivery"
	"gatehouse/models"
)

// WaitError refuses an attempt made during the login backoff.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string {
	return "Too many failed attempts. Try again in " + HumanWait(e.Wait) + "."
}

// ErrBadCredentials is a wrong email or password; which of the two is never said.
var ErrBadCredentials = errors.New("app: email or password is incorrect")

// ErrTooManyCodes ends a second step after too many wrong codes.
var ErrTooManyCodes = errors.New("app: too many wrong codes")

// HumanWait says a backoff wait in words: "1 second", "3 minutes".
func HumanWait(d time.Duration) string {
	if d < time.Minute {
		s := int(math.Ceil(d.Seconds()))
		if s == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// LoginResult is a login that got past its password: either a session (SessionToken, the raw
// token for the cookie) or, for an account with a second factor, a challenge (ChallengeToken).
type LoginResult struct {
	User           *models.User
	SessionToken   string
	OrgID          int64 // the organization the session is in
	ChallengeToken string
}

// Login checks the email and password. Whether or not the account exists, a failure looks and
// takes the same, and counts toward the backoff (a *WaitError while it lasts). A wrong password
// gives ErrBadCredentials. oldSession is
// the raw session token the browser held: it is ended when a new session starts.
func (s *Service) Login(ctx context.Context, req models.LoginRequest, oldSession string, meta models.Meta) (*LoginResult, error) {
	user, email, err := s.checkPassword(ctx, req, meta)
	if err != nil {
		return nil, err
	}

	// With a second factor the password only opens the second step; the backoff counter
	// is reset when the whole login succeeds, so a known password buys no free guesses.
	if user.MFAEnabled {
		raw, hash := models.NewToken()
		if _, err := s.st.StartChallenge(ctx, user.ID, models.ChallengeLogin, hash, "", meta.IP); err != nil {
			return nil, err
		}
		return &LoginResult{User: user, ChallengeToken: raw}, nil
	}
	s.lim.Reset("email:" + email)
	sess, raw, err := s.loginSession(ctx, user, oldSession, meta)
	if err != nil {
		return nil, err
	}
	s.log.Info("login succeeded", "user", user.ID, "ip", meta.IP)
	return &LoginResult{User: user, SessionToken: raw, OrgID: sess.OrgID}, nil
}

// checkPassword checks an email and password under the login backoff (a *WaitError while it
// lasts); whether or not the account exists, a failure looks and takes the same
// (ErrBadCredentials), counts toward the backoff and is audited. It returns the account and
// the normalised email.
func (s *Service) checkPassword(ctx context.Context, req models.LoginRequest, meta models.Meta) (*models.User, string, error) {
	email := models.NormalizeEmail(req.Email)
	if len(email) > models.MaxEmailLen {
		email = email[:models.MaxEmailLen]
	}
	keys := []string{"ip:" + meta.IP, "email:" + email}
	if wait := s.lim.Wait(keys...); wait > 0 {
		s.log.Warn("login blocked by backoff", "ip", meta.IP)
		if err := s.st.Audit(ctx, models.AuditEvent{Action: models.ActionLoginBlocked, TargetEmail: email}, meta); err != nil {
			return nil, "", err
		}
		return nil, "", &WaitError{Wait: wait}
	}

	// The password is checked outside any write transaction: hashing takes tens of
	// milliseconds, and the single writer must not wait on it.
	user, err := s.st.FindUserByEmail(ctx, email)
	ok := false
	switch {
	case err == nil && len(req.Password) <= 4*models.MaxPasswordLen:
		ok = models.CheckPassword(user.PasswordHash, req.Password)
	case err == nil || errors.Is(err, models.ErrNotFound):
		models.CheckNoPassword(req.Password)
	default:
		return nil, "", err
	}
	if !ok {
		s.lim.Fail(keys...)
		s.log.Info("login failed", "ip", meta.IP)
		ev := models.AuditEvent{Action: models.ActionLoginFailed, TargetEmail: email}
		if user != nil {
			ev.ActorUserID, ev.ActorEmail, ev.OrgID = &user.ID, user.Email, user.LastOrgID
		}
		if err := s.st.Audit(ctx, ev, meta); err != nil {
			return nil, "", err
		}
		return nil, "", ErrBadCredentials
	}
	return user, email, nil
}

// StartSession starts a session for a user whose identity was just proven another way (a new
// account from an invitation), ending the one the browser held. It returns the raw token.
func (s *Service) StartSession(ctx context.Context, user *models.User, oldSession string, meta models.Meta) (*LoginResult, error) {
	raw, sess, err := s.startSession(ctx, user, oldSession, meta)
	if err != nil {
		return nil, err
	}
	return &LoginResult{User: user, SessionToken: raw, OrgID: sess.OrgID}, nil
}

// loginSession starts the session of a login: in the person's last organization where they
// are active, or in none when they have none left (they may then create or join one).
func (s *Service) loginSession(ctx context.Context, user *models.User, oldSession string, meta models.Meta) (*models.Session, string, error) {
	raw, sess, err := s.startSession(ctx, user, oldSession, meta)
	return sess, raw, err
}

// LoginChallenge is a login waiting at its second step, with its user and factors.
type LoginChallenge struct {
	Challenge *models.MFAChallenge
	User      *models.User
	TOTP      []models.MFAFactor
	SMS       *models.MFAFactor
}

// Method is the second-step method used for a request of method: the one asked for when the
// account has it, otherwise the authenticator app, then SMS, then a recovery code.
func (lc *LoginChallenge) Method(method string) string {
	switch {
	case method == "recovery":
		return method
	case method == "sms" && lc.SMS != nil:
		return method
	case method == "totp" && len(lc.TOTP) > 0:
		return method
	case len(lc.TOTP) > 0:
		return "totp"
	case lc.SMS != nil:
		return "sms"
	}
	return "recovery"
}

// FindLoginChallenge returns the live second step named by the raw token from the cookie, or
// models.ErrGone when there is none.
func (s *Service) FindLoginChallenge(ctx context.Context, token string) (*LoginChallenge, error) {
	if token == "" {
		return nil, models.ErrGone
	}
	ch, err := s.st.FindChallenge(ctx, models.HashToken(token), models.ChallengeLogin)
	if err != nil {
		return nil, err
	}
	lc := &LoginChallenge{Challenge: ch}
	if lc.User, err = s.st.FindUser(ctx, ch.UserID); err != nil {
		return nil, err
	}
	factors, err := s.st.FindFactors(ctx, ch.UserID)
	if err != nil {
		return nil, err
	}
	for i, f := range factors {
		switch f.Kind {
		case models.FactorTOTP:
			lc.TOTP = append(lc.TOTP, f)
		case models.FactorSMS:
			// Without a provider no text would arrive: the member uses another factor or a
			// recovery code.
			if lc.SMS == nil && s.cfg.SMSConfigured {
				lc.SMS = &factors[i]
			}
		}
	}
	return lc, nil
}

// SendLoginCode texts a code to the member's phone for the login waiting at its second step.
// The challenge is returned with any error after it was found (a refusal is a RuleError);
// without an SMS factor nothing is sent.
func (s *Service) SendLoginCode(ctx context.Context, token string, meta models.Meta) (*LoginChallenge, error) {
	lc, err := s.FindLoginChallenge(ctx, token)
	if err != nil || lc.SMS == nil {
		return lc, err
	}
	return lc, s.sendLoginCode(ctx, lc, meta)
}

// SecondStep is a second step that was checked.
type SecondStep struct {
	Challenge    *LoginChallenge
	Method       string // the method that was used
	SessionToken string // the new session's raw token, once the step succeeded
	OrgID        int64  // the organization the session is in
	RecoveryLeft int    // recovery codes left, after a recovery code was used
}

// VerifySecondStep checks the second factor and, when it is right, starts the session. Wrong
// codes count toward the account's and the address's login backoff and are audited; a wrong
// code gives a RuleError, too many ErrTooManyCodes, a gone challenge models.ErrGone.
func (s *Service) VerifySecondStep(ctx context.Context, token string, req models.SecondStepRequest, oldSession string, meta models.Meta) (*SecondStep, error) {
	lc, err := s.FindLoginChallenge(ctx, token)
	if err != nil {
		return nil, err
	}
	out := &SecondStep{Challenge: lc, Method: lc.Method(req.Method)}
	keys := []string{"ip:" + meta.IP, "email:" + lc.User.Email}
	if wait := s.lim.Wait(keys...); wait > 0 {
		return out, &WaitError{Wait: wait}
	}
	code := models.NormalizeCode(req.Code)
	switch out.Method {
	case "totp":
		err = &models.RuleError{Msg: "That code isn't right. Check the time on your phone, and enter the code your app shows now."}
		for _, f := range lc.TOTP {
			if step, ok := models.MatchTOTP(f.Secret, code, s.now(), f.LastStep); ok {
				err = s.st.ConsumeTOTPStep(ctx, f.ID, step)
				break
			}
		}
	case "sms":
		err = s.st.CheckChallengeCode(ctx, lc.Challenge.ID, models.HashCode(lc.Challenge.TokenHash, code))
	default:
		out.RecoveryLeft, err = s.useRecoveryCode(ctx, lc.User, code, meta)
	}
	if errors.Is(err, models.ErrGone) {
		s.lim.Fail(keys...)
		s.auditSecondStep(ctx, lc.User, out.Method+": too many wrong codes", meta)
		return out, ErrTooManyCodes
	}
	if models.RefusalMessage(err) != "" {
		s.lim.Fail(keys...)
		s.auditSecondStep(ctx, lc.User, out.Method, meta)
		return out, err
	}
	if err != nil {
		return out, err
	}
	if err := s.st.EndChallenge(ctx, lc.Challenge.ID); err != nil {
		return out, err
	}
	s.lim.Reset("email:" + lc.User.Email)
	sess, raw, err := s.loginSession(ctx, lc.User, oldSession, meta)
	if err != nil {
		return out, err
	}
	out.SessionToken, out.OrgID = raw, sess.OrgID
	s.log.Info("login succeeded", "user", lc.User.ID, "second_factor", out.Method, "ip", meta.IP)
	return out, nil
}

// useRecoveryCode spends one of u's recovery codes and audits it, and returns how many remain.
func (s *Service) useRecoveryCode(ctx context.Context, u *models.User, code string, meta models.Meta) (int, error) {
	var left int
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if left, err = s.st.UseRecoveryCode(ctx, u.ID, models.HashRecoveryCode(code)); err != nil {
			return err
		}
		return s.st.Audit(ctx, models.AuditEvent{OrgID: u.LastOrgID, ActorUserID: &u.ID, ActorEmail: u.Email,
			Action: models.ActionRecoveryCodeUsed, TargetEmail: u.Email, Detail: fmt.Sprintf("%d left", left)}, meta)
	})
	return left, err
}

func (s *Service) auditSecondStep(ctx context.Context, u *models.User, detail string, meta models.Meta) {
	s.log.Info("second step failed", "user", u.ID, "method", detail, "ip", meta.IP)
	err := s.st.Audit(ctx, models.AuditEvent{OrgID: u.LastOrgID, ActorUserID: &u.ID, ActorEmail: u.Email,
		Action: models.ActionMFAFailed, TargetEmail: u.Email, Detail: detail}, meta)
	if err != nil {
		s.log.Error("unable to audit a failed second step", "err", err)
	}
}

// sendLoginCode texts a code for a login's second step, within the SMS caps.
func (s *Service) sendLoginCode(ctx context.Context, lc *LoginChallenge, meta models.Meta) error {
	return s.smsTx(ctx, lc.User.ID, lc.User.Email, lc.SMS.Phone, lc.User.LastOrgID, false, meta, func(context.Context) (*models.MFAChallenge, error) {
		return lc.Challenge, nil
	})
}

// sendCodeTx mints an SMS code bound to the challenge and puts the text in the outbox, in the
// transaction ctx carries. Resends are throttled by the store (a RuleError).
func (s *Service) sendCodeTx(ctx context.Context, ch *models.MFAChallenge, phone string, orgID *int64, code string) error {
	orgName := ""
	if orgID != nil {
		if org, err := s.st.FindOrganization(ctx, *orgID); err == nil {
			orgName = org.Name
		}
	}
	msg := models.OutboxMessage{Subject: "Verification code", TextBody: delivery.SMSCode(orgName, code)}
	return s.st.SendChallengeCode(ctx, ch.ID, phone, models.HashCode(ch.TokenHash, code), msg, orgID)
}
