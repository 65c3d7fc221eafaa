package models

import (
	"strconv"
	"strings"
)

// SettingsRequest is a change of the organization settings as typed into a form (or sent by
// a client): text until Validate parses it.
type SettingsRequest struct {
	Name                string
	InviteLifetimeHours string
	MFAPolicy           MFAPolicy
	MFAGraceDays        string
	InviteQuota         string
	// Parsed by Validate.
	Hours, GraceDays, Quota int
}

// Validate cleans the fields, parses the numbers and returns what is wrong.
func (r *SettingsRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	r.Name = RequiredText(errs, "name", r.Name, MaxOrgNameLen, "Organization name", "Enter the organization's name.")
	n, err := strconv.Atoi(strings.TrimSpace(r.InviteLifetimeHours))
	if err != nil || n < MinInviteLifetimeHours || n > MaxInviteLifetimeHours {
		errs.Add("invite_lifetime_hours", "Enter a whole number of hours from "+strconv.Itoa(MinInviteLifetimeHours)+
			" to "+strconv.Itoa(MaxInviteLifetimeHours)+" ("+strconv.Itoa(MaxInviteLifetimeHours/24)+" days).")
	}
	r.Hours = n
	if !r.MFAPolicy.Valid() {
		errs.Add("mfa_policy", "Choose a two-factor policy from the list.")
	}
	g, err := strconv.Atoi(strings.TrimSpace(r.MFAGraceDays))
	if err != nil || g < 0 || g > MaxMFAGraceDays {
		errs.Add("mfa_grace_days", "Enter a whole number of days from 0 to "+strconv.Itoa(MaxMFAGraceDays)+".")
	}
	r.GraceDays = g
	// Left out, the quota stays as it is (Quota -1).
	q, err := -1, error(nil)
	if strings.TrimSpace(r.InviteQuota) != "" {
		q, err = strconv.Atoi(strings.TrimSpace(r.InviteQuota))
	}
	if err != nil || q < -1 || q > MaxInviteQuota || (q == -1 && strings.TrimSpace(r.InviteQuota) != "") {
		errs.Add("invite_quota", "Enter a whole number of invitations from 0 (no limit) to "+strconv.Itoa(MaxInviteQuota)+".")
	}
	r.Quota = q
	return errs
}
