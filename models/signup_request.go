package models

import "time"

// SignupRequest is what an invited person fills in to create their account.
type SignupRequest struct {
	FirstName, LastName, Password, Confirm string
	// Extras are the fields the organization requires at signup (checked by the use case,
	// which knows the organization).
	Extras SignupExtras
	// Email is asked for by a phone invitation's signup only (its link carries no email).
	Email string
}

// Validate cleans the names and checks the password for the invited email.
func (r *SignupRequest) Validate(email string) FieldErrors {
	errs := FieldErrors{}
	r.FirstName, r.LastName = ValidateNames(errs, r.FirstName, r.LastName)
	if msg := ValidatePassword(r.Password, email); msg != "" {
		errs.Add("password", msg)
	} else if r.Confirm != r.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}

// SetupLinkLifetime bounds how long a printed setup link works.
const SetupLinkLifetime = 24 * time.Hour

// SetupRequest is the first-run form: the organization and its first Owner.
type SetupRequest struct {
	Token, OrgName, FirstName, LastName, Email, Password, Confirm string
}

// Validate cleans the text fields in place and returns what is wrong with them.
func (r *SetupRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	r.Email = NormalizeEmail(r.Email)
	r.OrgName = RequiredText(errs, "org_name", r.OrgName, MaxOrgNameLen, "Organization name", "Enter your organization's name.")
	r.FirstName, r.LastName = ValidateNames(errs, r.FirstName, r.LastName)
	if msg := ValidateEmail(r.Email); msg != "" {
		errs.Add("email", msg)
	}
	if msg := ValidatePassword(r.Password, r.Email); msg != "" {
		errs.Add("password", msg)
	} else if r.Confirm != r.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}

// InvitationInfo is an invitation link with what its signup page shows.
type InvitationInfo struct {
	Invitation    Invitation
	State         LinkState
	Org           Organization
	Membership    Membership
	Inviter       *User // nil when the inviter's account is gone
	AccountExists bool  // the invited email already has a Gatehouse account
}
