package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// OrgUpdate holds the organization settings to change; nil fields stay as they are.
type OrgUpdate struct {
	Name                *string
	InviteLifetimeHours *int
	MFAPolicy           *models.MFAPolicy
	MFAGraceDays        *int
	InviteQuota         *int
	WhoMayInvite        *models.WhoMayInvite
	EnrollmentApproval  *bool
	RequiredAtSignup    *string
	Country             *string
}

// UpdateOrganization changes the organization's settings and returns it with a description
// of each change ("" when nothing changed, and nothing is written).
func (s *Store) UpdateOrganization(ctx context.Context, orgID int64, upd OrgUpdate) (*models.Organization, string, error) {
	var org models.Organization
	var what []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&org, orgID).Error; err != nil {
			return notFound(err)
		}
		changes := map[string]any{}
		if upd.Name != nil && *upd.Name != org.Name {
			changes["name"] = *upd.Name
			what = append(what, fmt.Sprintf("name %q → %q", org.Name, *upd.Name))
		}
		if upd.InviteLifetimeHours != nil && *upd.InviteLifetimeHours != org.InviteLifetimeHours {
			changes["invite_lifetime_hours"] = *upd.InviteLifetimeHours
			what = append(what, "invitation lifetime "+strconv.Itoa(org.InviteLifetimeHours)+"h → "+strconv.Itoa(*upd.InviteLifetimeHours)+"h")
		}
		if upd.MFAPolicy != nil && *upd.MFAPolicy != org.MFAPolicy {
			changes["mfa_policy"] = *upd.MFAPolicy
			what = append(what, "MFA "+org.MFAPolicy.Label()+" → "+upd.MFAPolicy.Label())
		}
		if upd.MFAGraceDays != nil && *upd.MFAGraceDays != org.MFAGraceDays {
			changes["mfa_grace_days"] = *upd.MFAGraceDays
			what = append(what, "MFA grace period "+strconv.Itoa(org.MFAGraceDays)+" → "+strconv.Itoa(*upd.MFAGraceDays)+" days")
		}
		if upd.InviteQuota != nil && *upd.InviteQuota != org.InviteQuota {
			changes["invite_quota"] = *upd.InviteQuota
			what = append(what, "invitations per member per day "+strconv.Itoa(org.InviteQuota)+" → "+strconv.Itoa(*upd.InviteQuota))
		}
		rulesChanges(&org, upd, changes, &what)
		if len(changes) == 0 {
			return nil
		}
		return tx.Model(&org).Updates(changes).Error
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to update organization: %w", err)
	}
	return &org, strings.Join(what, "; "), nil
}

// FindOrganization returns the organization with that id, or models.ErrNotFound.
func (s *Store) FindOrganization(ctx context.Context, id int64) (*models.Organization, error) {
	return findByID[models.Organization](s.reader(ctx), id, "organization")
}

// rulesChanges adds the changes of the organization's joining rules to changes and what.
func rulesChanges(org *models.Organization, upd OrgUpdate, changes map[string]any, what *[]string) {
	if upd.WhoMayInvite != nil && *upd.WhoMayInvite != org.WhoMayInvite {
		changes["who_may_invite"] = *upd.WhoMayInvite
		*what = append(*what, "who may invite "+org.WhoMayInvite.Label()+" → "+upd.WhoMayInvite.Label())
	}
	if upd.EnrollmentApproval != nil && *upd.EnrollmentApproval != org.EnrollmentApproval {
		changes["enrollment_approval"] = *upd.EnrollmentApproval
		*what = append(*what, "enrollment approval "+onOff(org.EnrollmentApproval)+" → "+onOff(*upd.EnrollmentApproval))
	}
	if upd.RequiredAtSignup != nil && *upd.RequiredAtSignup != org.RequiredAtSignup {
		changes["required_at_signup"] = *upd.RequiredAtSignup
		*what = append(*what, fmt.Sprintf("required at signup %q → %q", org.RequiredAtSignup, *upd.RequiredAtSignup))
	}
	if upd.Country != nil && *upd.Country != org.Country {
		changes["country"] = *upd.Country
		*what = append(*what, "country "+org.Country+" → "+*upd.Country)
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
