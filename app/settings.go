package app

import (
	"context"

	"gatehouse/models"
	"gatehouse/store"
)

// UpdateSettings changes the current organization's settings and audits what changed.
// Invalid input is returned as models.FieldErrors and changes nothing.
func (s *Service) UpdateSettings(ctx context.Context, cur *models.Current, req models.SettingsRequest, meta models.Meta) (*models.Organization, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	var org *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var what string
		var err error
		var quota *int
		if req.Quota >= 0 {
			quota = &req.Quota
		}
		org, what, err = s.st.UpdateOrganization(ctx, cur.Org.ID, store.OrgUpdate{Name: &req.Name,
			InviteLifetimeHours: &req.Hours, MFAPolicy: &req.MFAPolicy, MFAGraceDays: &req.GraceDays, InviteQuota: quota})
		if err != nil || what == "" {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionOrgUpdated, what), meta)
	})
	return org, err
}
