package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gatehouse/models"
	"gatehouse/store"
)

// ErrNoSMS refuses SMS enrollment when no text message provider is configured: codes would
// only sit in the outbox.
var ErrNoSMS = fmt.Errorf("app: no SMS provider is configured: %w", models.ErrNotFound)

// SMSCapError refuses a text message because one of the SMS caps was reached. Its message
// is a RuleError's, shown beside the phone field.
type SMSCapError struct{ Msg string }

func (e *SMSCapError) Error() string { return e.Msg }

// Unwrap makes the refusal a RuleError for models.RefusalMessage.
func (e *SMSCapError) Unwrap() error { return &models.RuleError{Msg: e.Msg} }

// SMSOffered reports whether SMS is offered as a second factor: only with a provider.
func (s *Service) SMSOffered() bool { return s.cfg.SMSConfigured }

// PasswordError refuses a change because the password asked again was wrong, or because
// the login backoff holds the account. It is a RuleError for models.RefusalMessage.
type PasswordError struct{ Msg string }

func (e *PasswordError) Error() string { return e.Msg }

// Unwrap makes the refusal a RuleError.
func (e *PasswordError) Unwrap() error { return &models.RuleError{Msg: e.Msg} }

// recheckPassword asks for the password again before a member who already has two-factor
// authentication changes it. A wrong password counts toward the login backoff.
func (s *Service) recheckPassword(cur *models.Current, password string) error {
	if !cur.User.MFAEnabled {
		return nil
	}
	key := "email:" + cur.User.Email
	if wait := s.lim.Wait(key); wait > 0 {
		return &PasswordError{Msg: (&WaitError{Wait: wait}).Error()}
	}
	if !models.CheckPassword(cur.User.PasswordHash, password) {
		s.lim.Fail(key)
		return &PasswordError{Msg: "Your current password is incorrect."}
	}
	return nil
}

// TOTPEnrollment is an authenticator key being set up; the browser keeps it until confirmed.
type TOTPEnrollment struct {
	Issuer, Account, Secret string
}

// TOTPIssuer is the name authenticator apps show for the member's organization.
func TOTPIssuer(cur *models.Current) string { return "Gatehouse (" + cur.Org.Name + ")" }

// StartTOTPEnrollment makes a new authenticator key for the current member.
func (s *Service) StartTOTPEnrollment(ctx context.Context, cur *models.Current) (*TOTPEnrollment, error) {
	key, err := models.NewTOTPKey(TOTPIssuer(cur), cur.User.Email)
	if err != nil {
		return nil, err
	}
	return &TOTPEnrollment{Issuer: TOTPIssuer(cur), Account: cur.User.Email, Secret: key.Secret()}, nil
}

// Enrolled is a confirmed second factor; the first one comes with recovery codes, shown once.
type Enrolled struct {
	Factor        *models.MFAFactor
	RecoveryCodes []string
}

// ConfirmTOTP confirms the authenticator key with a code from the app. A wrong code is
// models.FieldErrors on "code"; a wrong password a *PasswordError.
func (s *Service) ConfirmTOTP(ctx context.Context, cur *models.Current, req models.TOTPConfirmRequest, meta models.Meta) (*Enrolled, error) {
	if err := s.recheckPassword(cur, req.Password); err != nil {
		return nil, err
	}
	step, ok := models.MatchTOTP(req.Secret, req.Code, s.now(), 0)
	if !ok {
		return nil, models.FieldErrors{"code": "That code isn't right. Enter the 6-digit code your app shows now; check that your phone's clock is set automatically."}
	}
	return s.confirmFactor(ctx, cur, store.NewFactor{Kind: models.FactorTOTP, Secret: req.Secret, Step: step}, meta)
}

func (s *Service) confirmFactor(ctx context.Context, cur *models.Current, nf store.NewFactor, meta models.Meta) (*Enrolled, error) {
	out := &Enrolled{}
	if !cur.User.MFAEnabled {
		out.RecoveryCodes, nf.RecoveryHashes = models.NewRecoveryCodes()
	}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out.Factor, err = s.st.ConfirmFactor(ctx, cur.User.ID, nf); err != nil {
			return err
		}
		detail := nf.Kind.Label()
		if out.Factor.Phone != "" {
			detail += " " + models.MaskPhone(out.Factor.Phone)
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionMFAEnrolled, detail), meta)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("second factor enrolled", "user", cur.User.ID, "kind", nf.Kind)
	return out, nil
}

// SMSEnrollment is a phone number being enrolled: the browser keeps Token and Phone.
type SMSEnrollment struct {
	Token string
	Phone string // E.164
}

// StartSMSEnrollment checks the number, starts the enrollment and texts the first code, within
// the SMS caps (an *SMSCapError, audited when reached). A bad number is models.FieldErrors on
// "phone"; without an SMS provider it is ErrNoSMS.
func (s *Service) StartSMSEnrollment(ctx context.Context, cur *models.Current, req models.SMSEnrollRequest, meta models.Meta) (*SMSEnrollment, error) {
	if !s.cfg.SMSConfigured {
		return nil, ErrNoSMS
	}
	if err := s.recheckPassword(cur, req.Password); err != nil {
		return nil, err
	}
	phone, msg := models.NormalizePhone(req.Phone)
	if msg != "" {
		return nil, models.FieldErrors{"phone": msg}
	}
	raw, hash := models.NewToken()
	err := s.smsTx(ctx, cur.User.ID, cur.User.Email, phone, &cur.Org.ID, true, meta, func(ctx context.Context) (*models.MFAChallenge, error) {
		return s.st.StartChallenge(ctx, cur.User.ID, models.ChallengeEnroll, hash, phone, meta.IP)
	})
	if err != nil {
		return nil, err
	}
	return &SMSEnrollment{Token: raw, Phone: phone}, nil
}

// FindSMSEnrollment returns the live SMS enrollment of the current member named by the raw
// token from the cookie, or nil.
func (s *Service) FindSMSEnrollment(ctx context.Context, cur *models.Current, token string) (*models.MFAChallenge, error) {
	if !s.cfg.SMSConfigured {
		return nil, ErrNoSMS
	}
	if token == "" {
		return nil, nil
	}
	ch, err := s.st.FindChallenge(ctx, models.HashToken(token), models.ChallengeEnroll)
	if errors.Is(err, models.ErrGone) || err == nil && (ch.UserID != cur.User.ID || ch.FactorID == nil) {
		return nil, nil
	}
	return ch, err
}

// ResendSMS texts a new code for the enrollment in progress, within the SMS caps. Without a
// live enrollment it is models.ErrGone.
func (s *Service) ResendSMS(ctx context.Context, cur *models.Current, token, phone string, meta models.Meta) error {
	ch, err := s.FindSMSEnrollment(ctx, cur, token)
	if err != nil {
		return err
	}
	if ch == nil {
		return models.ErrGone
	}
	return s.smsTx(ctx, cur.User.ID, cur.User.Email, phone, &cur.Org.ID, true, meta, func(context.Context) (*models.MFAChallenge, error) {
		return ch, nil
	})
}

// VerifySMS confirms the phone with the texted code. Without a live enrollment it is
// models.ErrGone, after too many wrong codes ErrTooManyCodes; a wrong code is a RuleError.
func (s *Service) VerifySMS(ctx context.Context, cur *models.Current, token, code string, meta models.Meta) (*Enrolled, error) {
	ch, err := s.FindSMSEnrollment(ctx, cur, token)
	if err != nil {
		return nil, err
	}
	if ch == nil {
		return nil, models.ErrGone
	}
	err = s.st.CheckChallengeCode(ctx, ch.ID, models.HashCode(ch.TokenHash, models.NormalizeCode(code)))
	if errors.Is(err, models.ErrGone) {
		return nil, ErrTooManyCodes
	}
	if err != nil {
		return nil, err
	}
	if err := s.st.EndChallenge(ctx, ch.ID); err != nil {
		return nil, err
	}
	return s.confirmFactor(ctx, cur, store.NewFactor{Kind: models.FactorSMS, FactorID: *ch.FactorID}, meta)
}

// smsTx runs start (which returns the challenge a code is for) and sends the code in one
// transaction, after the SMS caps: distinct numbers per member and day (when enrolling),
// texts per organization and hour, second steps per IP and hour. A cap reached is audited
// (once per cap, key and window, so a flood writes one event) and nothing is written.
func (s *Service) smsTx(ctx context.Context, userID int64, email, phone string, orgID *int64, enrolling bool, meta models.Meta,
	start func(ctx context.Context) (*models.MFAChallenge, error)) error {
	var refused error
	code := models.NewSMSCode()
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		usage, err := s.st.SMSUsage(ctx, userID, phone, orgID, meta.IP,
			now.Add(-models.SMSCapWindowMember), now.Add(-models.SMSCapWindowOrg), now.Add(-models.SMSCapWindowIP))
		if err != nil {
			return err
		}
		if msg, which := usage.SMSCapReached(enrolling); msg != "" {
			refused = &SMSCapError{Msg: msg}
			key, window := fmt.Sprint("sms-cap:member:", userID), models.SMSCapWindowMember
			switch which {
			case "organization":
				key, window = fmt.Sprint("sms-cap:org:", *orgID), models.SMSCapWindowOrg
			case "ip":
				key, window = "sms-cap:ip:"+meta.IP, models.SMSCapWindowIP
			}
			s.log.Warn("text message refused: cap reached", "cap", which, "user", userID, "ip", meta.IP)
			if !s.lim.Allow(key, 1, window) {
				return nil
			}
			return s.st.Audit(ctx, models.AuditEvent{OrgID: orgID, ActorUserID: &userID, ActorEmail: email, Action: models.ActionSMSCapped,
				TargetEmail: email, Detail: which + " cap reached, to " + models.MaskPhone(phone)}, meta)
		}
		ch, err := start(ctx)
		if err != nil {
			return err
		}
		return s.sendCodeTx(ctx, ch, phone, orgID, code)
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	s.pokeOutbox()
	return nil
}

// AccountMFA is the two-factor section of the Account page.
type AccountMFA struct {
	Factors      []models.MFAFactor
	RecoveryLeft int
}

// FindAccountMFA returns the current member's second factors and unused recovery codes.
func (s *Service) FindAccountMFA(ctx context.Context, cur *models.Current) (*AccountMFA, error) {
	factors, err := s.st.FindFactors(ctx, cur.User.ID)
	if err != nil {
		return nil, err
	}
	out := &AccountMFA{Factors: factors}
	if len(factors) > 0 {
		if out.RecoveryLeft, err = s.st.CountRecoveryCodes(ctx, cur.User.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemoveFactor removes one of the member's second factors, after the password. Removing the
// last one is refused (a RuleError) where the organization requires MFA.
func (s *Service) RemoveFactor(ctx context.Context, cur *models.Current, factorID int64, password string, meta models.Meta) error {
	if err := s.recheckPassword(cur, password); err != nil {
		return err
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		factors, err := s.st.FindFactors(ctx, cur.User.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(factors, func(f models.MFAFactor) bool { return f.ID == factorID }) {
			return models.ErrNotFound
		}
		if len(factors) == 1 && cur.Org.MFAPolicy == models.MFARequired {
			return &models.RuleError{Msg: cur.Org.Name + " requires two-factor authentication: add another method before removing this one."}
		}
		f, err := s.st.RemoveFactor(ctx, cur.User.ID, factorID)
		if err != nil {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionMFARemoved, f.Kind.Label()), meta)
	})
}

// RegenerateRecoveryCodes replaces the member's recovery codes, after the password, and
// returns the new ones (shown once). A member without MFA gets none.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, cur *models.Current, password string, meta models.Meta) ([]string, error) {
	if !cur.User.MFAEnabled {
		return nil, nil
	}
	if err := s.recheckPassword(cur, password); err != nil {
		return nil, err
	}
	codes, hashes := models.NewRecoveryCodes()
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.ReplaceRecoveryCodes(ctx, cur.User.ID, hashes); err != nil {
			return err
		}
		return s.st.Audit(ctx, selfEvent(cur, models.ActionRecoveryCodesRenewed, ""), meta)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
