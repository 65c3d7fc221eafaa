package models

// JoinStatus is the status an invited membership takes when its person accepts: by signing
// up through the emailed link, or, with an existing account, by answering "Join" (the
// notification or the link). Both paths ask this one function, so the organization's
// enrollment rule applies to both alike. Today every accepted invitation is active; a
// membership that is no longer invited is refused.
func JoinStatus(org Organization, m Membership) (Status, error) {
	return Transition(m.Status, ActAccept)
}

// OrgRequest is the Create organization form.
type OrgRequest struct {
	Name string
}

// Validate checks the organization's name as Settings and setup do.
func (r *OrgRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	r.Name = RequiredText(errs, "name", r.Name, MaxOrgNameLen, "Organization name", "Enter the organization's name.")
	return errs
}
