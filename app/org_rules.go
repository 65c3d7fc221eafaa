package app

import (
	"context"

	"gatehouse/models"
	"gatehouse/store"
)

// UpdateRules changes the current organization's rules for coming in (Settings): who may
// invite, enrollment approval, the fields required at signup and the country phone numbers
// are read in. Audited; invalid input is models.FieldErrors and changes nothing.
func (s *Service) UpdateRules(ctx context.Context, cur *models.Current, req models.RulesRequest, meta models.Meta) (*models.Organization, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	required := req.RequiredText()
	var org *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var what string
		var err error
		org, what, err = s.st.UpdateOrganization(ctx, cur.Org.ID, store.OrgUpdate{WhoMayInvite: &req.WhoMayInvite,
			EnrollmentApproval: &req.EnrollmentApproval, RequiredAtSignup: &required, Country: &req.Country})
		if err != nil || what == "" {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionOrgUpdated, what), meta)
	})
	return org, err
}

// MayInvite reports whether the current member may send invitations under the organization's
// "Who may invite" rule (models.MayInvite).
func (s *Service) MayInvite(cur *models.Current) bool {
	return cur != nil && models.MayInvite(cur.Org, cur.Permissions)
}
