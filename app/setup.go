package app

import (
	"context"
	"errors"

	"gatehouse/models"
	"gatehouse/store"
)

// ErrSetupDone refuses the setup link once the first Owner exists.
var ErrSetupDone = errors.New("setup already done")

// CheckSetupToken returns nil when raw is a live setup link on a database without accounts,
// ErrSetupDone once an account exists, and models.ErrGone for a spent, expired or unknown link.
func (s *Service) CheckSetupToken(ctx context.Context, raw string) error {
	n, err := s.st.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return ErrSetupDone
	}
	return s.st.CheckSetupToken(ctx, raw)
}

// CompleteSetup spends the setup link and creates the organization and its first Owner, and
// audits it, in one transaction. Invalid input is models.FieldErrors; a link that no longer
// works is ErrSetupDone or models.ErrGone, as CheckSetupToken says.
func (s *Service) CompleteSetup(ctx context.Context, req models.SetupRequest, meta models.Meta) (*models.User, error) {
	if err := s.CheckSetupToken(ctx, req.Token); err != nil {
		return nil, err
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	in := store.SetupInput{OrgName: req.OrgName, FirstName: req.FirstName, LastName: req.LastName, Email: req.Email,
		PasswordHash: models.HashPassword(req.Password)}
	var res *store.SetupResult
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if res, err = s.st.CompleteSetup(ctx, req.Token, in); err != nil {
			return err
		}
		return s.st.Audit(ctx, models.AuditEvent{OrgID: &res.Org.ID, ActorUserID: &res.User.ID, ActorEmail: res.User.Email,
			Action: models.ActionSetup, TargetMembershipID: &res.Membership.ID, TargetEmail: res.User.Email,
			Detail: "organization " + res.Org.Name}, meta)
	})
	if errors.Is(err, models.ErrGone) {
		return nil, s.CheckSetupToken(ctx, req.Token)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("setup completed", "user", res.User.ID)
	return &res.User, nil
}

// CreateOwnerRequest is an Owner added from the command line (gatehouse create-owner).
type CreateOwnerRequest struct {
	Email, FirstName, LastName string
	Password                   string // needed only when the email has no account yet
	OrgName                    string // organization to use or create; the first one when empty
}

// OwnerCreated says what CreateOwner did.
type OwnerCreated struct {
	Org         models.Organization
	User        models.User
	CreatedUser bool // false when the account existed and was only given Owner
	CreatedOrg  bool
}

// NeedsPassword reports whether CreateOwner for email would create an account, and so needs a password.
func (s *Service) NeedsPassword(ctx context.Context, email string) (bool, error) {
	_, err := s.st.FindUserByEmail(ctx, models.NormalizeEmail(email))
	if errors.Is(err, models.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// CreateOwner makes the email an active Owner (the recovery path for a team locked out of its
// console): in the named organization, created when no organization has that name, or without
// a name in the first one (a new one on an empty database). An
// existing account keeps its password. It is audited as done from the command line.
func (s *Service) CreateOwner(ctx context.Context, req CreateOwnerRequest) (*OwnerCreated, error) {
	in := store.CreateOwnerInput{Email: models.NormalizeEmail(req.Email), FirstName: req.FirstName, LastName: req.LastName, OrgName: req.OrgName}
	if in.OrgName != "" {
		org := models.OrgRequest{Name: in.OrgName}
		if errs := org.Validate(); errs.Any() {
			return nil, models.FieldErrors{"org": errs["name"]}
		}
		in.OrgName = org.Name
	}
	need, err := s.NeedsPassword(ctx, in.Email)
	if err != nil {
		return nil, err
	}
	if need {
		if msg := models.ValidatePassword(req.Password, in.Email); msg != "" {
			return nil, models.FieldErrors{"password": msg}
		}
		in.PasswordHash = models.HashPassword(req.Password)
	}
	var res *store.CreateOwnerResult
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		if res, err = s.st.CreateOwner(ctx, in); err != nil {
			return err
		}
		return s.st.Audit(ctx, models.AuditEvent{OrgID: &res.Org.ID, ActorEmail: "command line", Action: models.ActionOwnerCreated,
			TargetMembershipID: &res.Membership.ID, TargetEmail: res.User.Email}, models.Meta{IP: "local"})
	})
	if err != nil {
		return nil, err
	}
	return &OwnerCreated{Org: res.Org, User: res.User, CreatedUser: res.CreatedUser, CreatedOrg: res.CreatedOrg}, nil
}
