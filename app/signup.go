package app

import (
	"context"
	"errors"

	"gatehouse/models"
	"gatehouse/store"
)

// ErrHasAccount is AcceptInvitation's answer when the invited email already has a Gatehouse
// account: there is nothing to sign up for; the person logs in with that account and the
// invitation stays as it is.
var ErrHasAccount = errors.New("the invited email already has an account")

// Invitation returns a live invitation link with what its signup page shows. A link that
// cannot be used is a *models.LinkError (with the info, for saying whom to ask); an unknown
// one models.ErrNotFound; one whose email already has an account ErrHasAccount (with info).
func (s *Service) Invitation(ctx context.Context, raw string) (*models.InvitationInfo, error) {
	info, err := s.st.FindInvitation(ctx, raw)
	if err != nil {
		return nil, err
	}
	if info.State != models.LinkLive {
		return info, &models.LinkError{State: info.State}
	}
	if info.AccountExists {
		// The link is read before the account is looked for, so a parallel submit of this very
		// link can create the account in between: read the link again, and a link spent
		// meanwhile says so instead of "you already have an account".
		again, err := s.st.FindInvitation(ctx, raw)
		if err != nil {
			return nil, err
		}
		if again.State != models.LinkLive {
			return again, &models.LinkError{State: again.State}
		}
		return info, ErrHasAccount
	}
	return info, nil
}

// AcceptInvitation creates the invited person's account from a live link, makes the
// membership active and audits it, in one transaction. Of many parallel submissions of one
// link exactly one succeeds; the others get a *models.LinkError (used). Invalid input is
// models.FieldErrors; an email that already has an account is ErrHasAccount.
func (s *Service) AcceptInvitation(ctx context.Context, raw string, req models.SignupRequest, meta models.Meta) (*models.User, *models.InvitationInfo, error) {
	info, err := s.Invitation(ctx, raw)
	if err != nil {
		return nil, info, err
	}
	email := info.Invitation.Email
	if email == "" {
		// A phone invitation: the person gives their email now.
		email = models.NormalizeEmail(req.Email)
	}
	errs := req.Validate(email)
	if info.Invitation.Email == "" {
		req.Email = email
		if msg := models.ValidateEmail(email); msg != "" {
			errs.Add("email", msg)
		}
	}
	req.Extras.Validate(errs, info.Org.OrgRules)
	if errs.Any() {
		return nil, info, errs
	}
	in := store.AcceptInput{FirstName: req.FirstName, LastName: req.LastName, PasswordHash: models.HashPassword(req.Password),
		Extras: req.Extras, Email: req.Email}
	var user *models.User
	var status models.Status
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if in.DepartmentID, in.Extras.Department, err = s.departmentIn(ctx, info.Org.ID, in.Extras.Department); err != nil {
			return err
		}
		u, m, err := s.st.AcceptInvitation(ctx, raw, in)
		if err != nil {
			return err
		}
		user, status = u, m.Status
		detail := ""
		if m.Status == models.StatusPending {
			detail = "waiting for approval"
		}
		return s.st.Audit(ctx, models.AuditEvent{OrgID: &m.OrgID, ActorUserID: &u.ID, ActorEmail: u.Email,
			Action: models.ActionSignedUp, TargetMembershipID: &m.ID, TargetEmail: u.Email, Detail: detail}, meta)
	})
	if errors.Is(err, models.ErrConflict) && info.Invitation.Email == "" {
		return nil, info, models.FieldErrors{"email": "This email already has a Gatehouse account. Use another one, or ask whoever invited you to invite that account."}
	}
	if errors.Is(err, models.ErrConflict) {
		return nil, info, ErrHasAccount
	}
	if err != nil {
		return nil, info, err
	}
	s.log.Info("invitation accepted", "user", user.ID, "org", info.Org.ID, "status", status)
	info.Membership.Status = status
	return user, info, nil
}

// AfterSignup is where a new member goes once their account exists: straight to setting up a
// second factor when the organization requires one.
func (s *Service) AfterSignup(u *models.User, org *models.Organization) string {
	if org.MustEnroll(*u, s.now()) {
		return "/mfa/setup"
	}
	return "/"
}
