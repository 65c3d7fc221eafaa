package models

import (
	"slices"
	"strconv"
	"strings"
)

// InviteRequest is one submission of "Invite users" as typed into the form (or sent by a
// client): the people, by email, and what they are invited as.
type InviteRequest struct {
	FirstName, LastName string // used when one person is invited
	Emails              string // separated by commas, semicolons, spaces or new lines
	Phones              string // one per line: E.164 or national in the organization's country (ParsePhones)
	Department          string
	Position            string
	Roles               []Role
	Apps                []int64 // ids of the organization's enabled apps the people may use; checked by the use case
	People              []int64 // accounts picked from "People from your other organizations"; the use case adds their emails
	// Parsed by Validate.
	EmailList []string
	// Parsed by ParsePhones, in E.164.
	PhoneList []string
}

// Validate cleans the fields, parses the email list and returns what is wrong.
func (r *InviteRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	var msg string
	for _, fld := range []struct {
		name, label string
		val         *string
		max         int
	}{
		{"first_name", "First name", &r.FirstName, MaxNameLen},
		{"last_name", "Last name", &r.LastName, MaxNameLen},
		{"department", "Department", &r.Department, MaxFieldLen},
		{"position", "Position", &r.Position, MaxFieldLen},
	} {
		if *fld.val, msg = CleanText(*fld.val, fld.max, fld.label); msg != "" {
			errs.Add(fld.name, msg)
		}
	}
	emails, invalid := ParseEmailList(r.Emails)
	switch {
	case len(invalid) > 0:
		msg := "Not valid email addresses: " + joinShort(invalid, maxListedInvalid) + ". Correct or remove them."
		if AnyMixedScript(invalid) {
			msg += " " + MixedScriptEmail
		}
		errs.Add("emails", msg)
	case len(emails) == 0 && strings.TrimSpace(r.Phones) == "":
		errs.Add("emails", "Enter at least one email address or phone number.")
	case len(emails) > MaxInvitesPerSubmission:
		errs.Add("emails", "You can invite at most "+strconv.Itoa(MaxInvitesPerSubmission)+" people at once; you entered "+strconv.Itoa(len(emails))+".")
	}
	r.EmailList = emails
	for _, role := range r.Roles {
		if !role.Valid() {
			errs.Add("roles", "Choose roles from the list.")
		}
	}
	if len(r.Roles) == 0 {
		errs.Add("roles", "Choose at least one role.")
	}
	return errs
}

// ParsePhones reads the phone numbers, one per line, E.164 or national in country, into
// PhoneList (E.164, without repeats), recording what is wrong in errs under "phones".
func (r *InviteRequest) ParsePhones(errs FieldErrors, country string) {
	r.PhoneList = nil
	var invalid []string
	for _, line := range strings.Split(r.Phones, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, msg := ParsePhone(line, country)
		switch {
		case msg != "":
			invalid = append(invalid, line)
		case !slices.Contains(r.PhoneList, p):
			r.PhoneList = append(r.PhoneList, p)
		}
	}
	switch {
	case len(invalid) > 0:
		errs.Add("phones", "Not valid phone numbers: "+joinShort(invalid, maxListedInvalid)+". Use one per line, with + and the country code or as dialled in "+country+".")
	case len(r.PhoneList)+len(r.EmailList) > MaxInvitesPerSubmission:
		errs.Add("phones", "You can invite at most "+strconv.Itoa(MaxInvitesPerSubmission)+" people at once.")
	}
}

// maxListedInvalid is how many invalid addresses a message names before "and N more".
const maxListedInvalid = 5

func joinShort(items []string, n int) string {
	s := ""
	for i, it := range items {
		if i == n {
			return s + " and " + strconv.Itoa(len(items)-n) + " more"
		}
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s
}

// InviteResult is what happened to one invited email.
type InviteResult string

// Invite results. An email that already has a Gatehouse account elsewhere is InviteSent like
// any other: the inviter must not learn who has an account (issue 8, finding 13).
const (
	InviteSent      InviteResult = "sent"
	InviteExists    InviteResult = "exists" // a membership already exists; Existing says in what status
	InviteOverQuota InviteResult = "quota"
	// InviteHeld is a phone invitation saved while no text message provider is configured: the
	// message waits on the Outbox page instead of pretending to be sent.
	InviteHeld InviteResult = "held"
)

// InviteOutcome is the result for one email of an invite submission.
type InviteOutcome struct {
	Email    string
	Result   InviteResult
	Existing *Membership
}

// MemberDetailsRequest is the Edit details form: the membership fields admins edit. Name,
// email and phone are the member's own.
type MemberDetailsRequest struct {
	Department, Position, JobID, Location string // Department: a department's name, "" for none
	DepartmentID                          *int64 // the department Department names, resolved by the use case
}

// Validate cleans the fields and returns what is wrong.
func (r *MemberDetailsRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	var msg string
	for _, fld := range []struct {
		name, label string
		val         *string
	}{{"department", "Department", &r.Department}, {"position", "Position", &r.Position}, {"job_id", "Job ID", &r.JobID}, {"location", "Location", &r.Location}} {
		if *fld.val, msg = CleanText(*fld.val, MaxFieldLen, fld.label); msg != "" {
			errs.Add(fld.name, msg)
		}
	}
	return errs
}
