package app

import (
	"context"
	"errors"

	"gatehouse/models"
)

// joinKeyPrefix keys the wrong join codes and links of one address in the limiter: past a few,
// the login backoff (limiter.Fail) holds the address back.
const joinKeyPrefix = "join:ip:"

// JoinTarget is an organization reached through its open public invitation.
type JoinTarget struct {
	Org    *models.Organization
	Via    models.JoinVia // ViaLink or ViaCode
	Secret string         // the raw link token, or the join code as normalised
}

// JoinClosedError refuses a public invitation that exists but cannot be used now (disabled,
// expired or at its cap), with a message for the visitor.
type JoinClosedError struct {
	Org *models.Organization
	Msg string
}

func (e *JoinClosedError) Error() string { return e.Msg }

// Unwrap makes a closed invitation errors.Is(err, models.ErrGone).
func (e *JoinClosedError) Unwrap() error { return models.ErrGone }

// ErrJoinUnknown is a link or join code that matches no public invitation.
var ErrJoinUnknown = errors.New("app: no such public invitation")

// OpenJoin finds the open public invitation of a link token (via ViaLink) or typed join code
// (ViaCode; case, spaces and dashes ignored). Wrong guesses from one address are held back
// like failed logins (a *WaitError) and audited in aggregate; an unknown one is
// ErrJoinUnknown, a closed one a *JoinClosedError.
func (s *Service) OpenJoin(ctx context.Context, via models.JoinVia, secret string, meta models.Meta) (*JoinTarget, error) {
	key := joinKeyPrefix + meta.IP
	if wait := s.lim.Wait(key); wait > 0 {
		if err := s.st.Audit(ctx, models.AuditEvent{Action: models.ActionJoinBlocked, Detail: "join code or link"}, meta); err != nil {
			return nil, err
		}
		return nil, &WaitError{Wait: wait}
	}
	if via == models.ViaCode {
		secret = models.NormalizeJoinCode(secret)
	}
	var org *models.Organization
	var err error
	switch {
	case secret == "" || len(secret) > 100:
		err = models.ErrNotFound
	case via == models.ViaCode:
		org, err = s.st.FindOrgByJoinCode(ctx, models.HashToken(secret))
	default:
		org, err = s.st.FindOrgByJoinToken(ctx, models.HashToken(secret))
	}
	if errors.Is(err, models.ErrNotFound) {
		s.lim.Fail(key)
		if err := s.st.Audit(ctx, models.AuditEvent{Action: models.ActionJoinCodeWrong, Detail: "wrong join code or link"}, meta); err != nil {
			return nil, err
		}
		return nil, ErrJoinUnknown
	}
	if err != nil {
		return nil, err
	}
	if msg := org.JoinOpen(s.now()); msg != "" {
		return nil, &JoinClosedError{Org: org, Msg: msg}
	}
	return &JoinTarget{Org: org, Via: via, Secret: secret}, nil
}

// JoinResult is where a public join left the person.
type JoinResult struct {
	Org        *models.Organization
	User       *models.User
	Membership *models.Membership
}

// ErrAlreadyMember refuses a public join by someone who already has a membership in the
// organization (pending, active or otherwise); the result still names it.
var ErrAlreadyMember = errors.New("app: already has a membership in the organization")

// JoinWithSignup creates an account through an open public invitation and puts its request
// in Pending (models.StatusOnJoin), counting one use of the invitation inside the same
// transaction so parallel joins cannot pass its cap. Invalid input, a domain not allowed and
// an email that already has an account are models.FieldErrors (the last counted as a wrong
// guess, so the form cannot be used to list accounts quickly).
func (s *Service) JoinWithSignup(ctx context.Context, via models.JoinVia, secret string, req models.JoinSignupRequest, meta models.Meta) (*JoinResult, error) {
	t, err := s.OpenJoin(ctx, via, secret, meta)
	if err != nil {
		return nil, err
	}
	if errs := req.Validate(t.Org.OrgRules); errs.Any() {
		return &JoinResult{Org: t.Org}, errs
	}
	hash := models.HashPassword(req.Password)
	res := &JoinResult{Org: t.Org}
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		u := &models.User{Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, PasswordHash: hash,
			Phone: req.Extras.Phone, LastOrgID: &t.Org.ID}
		if err := s.st.CreateUser(ctx, u); err != nil {
			return err
		}
		res.User = u
		return s.joinTx(ctx, t, u, req.Extras, res, meta)
	})
	if errors.Is(err, models.ErrConflict) {
		s.lim.Fail(joinKeyPrefix + meta.IP)
		return res, models.FieldErrors{"email": "This email already has a Gatehouse account: log in with it below instead."}
	}
	if err != nil {
		return res, s.joinClosed(ctx, t, err)
	}
	s.log.Info("join requested", "user", res.User.ID, "org", t.Org.ID, "via", via)
	return res, nil
}

// JoinWithAccount puts a request from an existing account (email and password, checked under
// the login backoff) in Pending through an open public invitation. Someone who already has a
// membership in the organization gets ErrAlreadyMember with it in the result.
func (s *Service) JoinWithAccount(ctx context.Context, via models.JoinVia, secret string, req models.LoginRequest, meta models.Meta) (*JoinResult, error) {
	t, err := s.OpenJoin(ctx, via, secret, meta)
	if err != nil {
		return nil, err
	}
	res := &JoinResult{Org: t.Org}
	u, _, err := s.checkPassword(ctx, req, meta)
	if err != nil {
		return res, err
	}
	res.User = u
	if !t.Org.DomainAllowed(u.Email) {
		return res, models.FieldErrors{"login_email": "This invitation is for addresses at " + joinDomains(t.Org) + " only."}
	}
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		return s.joinTx(ctx, t, u, models.SignupExtras{}, res, meta)
	})
	if errors.Is(err, models.ErrConflict) {
		return res, ErrAlreadyMember
	}
	if err != nil {
		return res, s.joinClosed(ctx, t, err)
	}
	s.log.Info("join requested", "user", u.ID, "org", t.Org.ID, "via", via)
	return res, nil
}

// joinTx is the part of a public join inside its transaction: the use counted, the request
// added with the status StatusOnJoin gives it, its details, the audit event.
func (s *Service) joinTx(ctx context.Context, t *JoinTarget, u *models.User, x models.SignupExtras, res *JoinResult, meta models.Meta) error {
	if err := s.st.ClaimJoinUse(ctx, t.Org.ID, t.Via, models.HashToken(t.Secret), s.now()); err != nil {
		return err
	}
	m, err := s.st.AddPendingMember(ctx, t.Org.ID, u, t.Via)
	res.Membership = m
	if err != nil {
		return err
	}
	if to := models.StatusOnJoin(*t.Org, t.Via); to != m.Status {
		if err := s.st.SetMemberStatus(ctx, m, to); err != nil {
			return err
		}
	}
	if x.Any() {
		d := x.Details()
		if d.DepartmentID, d.Department, err = s.departmentIn(ctx, t.Org.ID, d.Department); err != nil {
			return err
		}
		if err := s.st.UpdateMemberDetails(ctx, m, d); err != nil {
			return err
		}
	}
	return s.st.Audit(ctx, models.AuditEvent{OrgID: &t.Org.ID, ActorUserID: &u.ID, ActorEmail: u.Email,
		Action: models.ActionJoinRequested, TargetMembershipID: &m.ID, TargetEmail: u.Email, Detail: t.Via.Label()}, meta)
}

// joinClosed turns the claim refused inside the transaction into the visitor's message.
func (s *Service) joinClosed(ctx context.Context, t *JoinTarget, err error) error {
	if errors.Is(err, models.ErrGone) {
		org, ferr := s.st.FindOrganization(ctx, t.Org.ID)
		msg := "This invitation is no longer open."
		if ferr == nil {
			msg = org.JoinOpen(s.now())
			if msg == "" {
				msg = "This invitation is no longer open."
			}
		}
		return &JoinClosedError{Org: t.Org, Msg: msg}
	}
	return err
}

func joinDomains(org *models.Organization) string {
	out := ""
	for i, d := range org.Domains() {
		if i > 0 {
			out += ", "
		}
		out += d
	}
	return out
}
