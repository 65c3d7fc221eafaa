package models

import (
	"crypto/rand"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// WhoMayInvite is the organization rule naming who may send invitations.
type WhoMayInvite string

// Who may invite (Settings).
const (
	InviteByAdmins WhoMayInvite = "admins"
	InviteByAll    WhoMayInvite = "all"
)

// Label is the choice as Settings shows it.
func (w WhoMayInvite) Label() string {
	if w == InviteByAll {
		return "All members"
	}
	return "Owners and Admins"
}

// SignupField is a field an organization may require at signup.
type SignupField string

// Fields an organization may require at signup, in form order.
const (
	SignupPhone      SignupField = "phone"
	SignupDepartment SignupField = "department"
	SignupPosition   SignupField = "position"
	SignupJobID      SignupField = "job_id"
)

// SignupFields lists the fields an organization may require, in form order.
var SignupFields = []SignupField{SignupPhone, SignupDepartment, SignupPosition, SignupJobID}

// Label is the field's visible name.
func (f SignupField) Label() string {
	switch f {
	case SignupPhone:
		return "Phone number"
	case SignupDepartment:
		return "Department"
	case SignupPosition:
		return "Position"
	case SignupJobID:
		return "Job ID"
	}
	return string(f)
}

// OrgRules are the organization's rules for who comes in and how (DESIGN.md "Organizations
// and ways to join"), with its public invitation. Embedded in Organization.
type OrgRules struct {
	WhoMayInvite       WhoMayInvite `gorm:"default:admins"`
	EnrollmentApproval bool         `gorm:"default:true"`
	// RequiredAtSignup is the SignupFields required, comma-separated.
	RequiredAtSignup string
	// Country is the ISO 3166 region national phone numbers are read in ("US").
	Country string `gorm:"default:US"`
	// The public invitation: looked up by the hashes; JoinSealed holds the link token and the
	// join code for showing them again (sealed with a key from the installation secret).
	JoinEnabled   bool
	JoinTokenHash []byte
	JoinCodeHash  []byte
	JoinSealed    []byte
	JoinExpiresAt *time.Time
	JoinMaxUses   int // 0: no cap
	JoinUses      int
	JoinDomains   string // allowed email domains, comma-separated; "" allows any
}

// Requires reports whether the organization requires f at signup.
func (r OrgRules) Requires(f SignupField) bool {
	return slices.Contains(strings.Split(r.RequiredAtSignup, ","), string(f))
}

// Required lists the fields required at signup, in form order.
func (r OrgRules) Required() []SignupField {
	var out []SignupField
	for _, f := range SignupFields {
		if r.Requires(f) {
			out = append(out, f)
		}
	}
	return out
}

// Domains lists the allowed email domains of the public invitation (none: any).
func (r OrgRules) Domains() []string {
	if r.JoinDomains == "" {
		return nil
	}
	return strings.Split(r.JoinDomains, ",")
}

// DomainAllowed reports whether a public join from email is allowed by the domain list.
func (r OrgRules) DomainAllowed(email string) bool {
	ds := r.Domains()
	if len(ds) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	return at >= 0 && slices.Contains(ds, strings.ToLower(email[at+1:]))
}

// JoinOpen says why the public invitation cannot be used at now ("" when it can).
func (r OrgRules) JoinOpen(now time.Time) string {
	switch {
	case !r.JoinEnabled:
		return "This invitation is no longer open."
	case r.JoinExpiresAt != nil && !now.Before(*r.JoinExpiresAt):
		return "This invitation has expired."
	case r.JoinMaxUses > 0 && r.JoinUses >= r.JoinMaxUses:
		return "This invitation has been used as many times as allowed."
	}
	return ""
}

// MayInvite reports whether a member holding perms may send invitations under the
// organization's "Who may invite" rule: Owners and Admins always, everyone active when the
// rule is "All members". What they may grant is still bounded by CheckGrant.
func MayInvite(org Organization, perms PermissionSet) bool {
	return perms.Has(PermInviteMembers) || (org.WhoMayInvite == InviteByAll && perms.Has(PermViewData))
}

// JoinVia is how a membership came into the organization.
type JoinVia string

// Ways in.
const (
	ViaAdmin  JoinVia = ""       // an invitation by an Owner or Admin
	ViaMember JoinVia = "member" // an invitation by a member who is not an Owner or Admin
	ViaLink   JoinVia = "link"   // the public invitation link
	ViaCode   JoinVia = "code"   // the join code typed at /join
)

// Label says how the request came in, as the Pending tab shows it.
func (v JoinVia) Label() string {
	switch v {
	case ViaMember:
		return "Invited by a member"
	case ViaLink:
		return "Public link"
	case ViaCode:
		return "Join code"
	}
	return "Invitation"
}

// InviteVia is how the invitation of an inviter holding perms counts: an Owner's or Admin's
// never waits for approval; anyone else's is a member invitation.
func InviteVia(perms PermissionSet) JoinVia {
	if perms.Has(PermManageMembers) {
		return ViaAdmin
	}
	return ViaMember
}

// StatusOnJoin is the one decision of what status a person gets when they come in (accept an
// invitation, join through the public link or code, or accept an invitation to an existing
// account): the public ways always wait in Pending; a member's invitation waits while the
// organization's enrollment approval is on; an Owner's or Admin's invitation never waits.
func StatusOnJoin(org Organization, via JoinVia) Status {
	switch via {
	case ViaLink, ViaCode:
		return StatusPending
	case ViaMember:
		if org.EnrollmentApproval {
			return StatusPending
		}
	}
	return StatusActive
}

// joinAlphabet is the join code's letters and digits with no look-alikes (no 0/O, 1/I/L,
// 2/Z, 5/S, 8/B, U/V): 24 symbols, so 8 of them are about 1.1×10¹¹ codes.
const joinAlphabet = "ACDEFGHJKMNPQRTVWXY34679"

// JoinCodeLen is the join code's length.
const JoinCodeLen = 8

// NewJoinCode returns a random join code.
func NewJoinCode() string {
	out := make([]byte, 0, JoinCodeLen)
	b := make([]byte, 16)
	for len(out) < JoinCodeLen {
		rand.Read(b)
		for _, c := range b {
			// Bytes past the last whole multiple of the alphabet are skipped: no symbol is likelier.
			if int(c) < 256/len(joinAlphabet)*len(joinAlphabet) && len(out) < JoinCodeLen {
				out = append(out, joinAlphabet[int(c)%len(joinAlphabet)])
			}
		}
	}
	return string(out)
}

// NormalizeJoinCode reads a typed join code: case, spaces and dashes are ignored.
func NormalizeJoinCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' || r == '\u2010' || r == '\u2013' {
			return -1
		}
		return r
	}, s)
}

// FormatJoinCode shows a join code in two groups of four ("ACDE-FGHJ").
func FormatJoinCode(code string) string {
	if len(code) != JoinCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// RulesRequest is a change of the organization's rules as typed into Settings.
type RulesRequest struct {
	WhoMayInvite       WhoMayInvite
	EnrollmentApproval bool
	Required           []string
	Country            string
}

// Validate checks the choices and cleans the country code.
func (r *RulesRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	if r.WhoMayInvite != InviteByAdmins && r.WhoMayInvite != InviteByAll {
		errs.Add("who_may_invite", "Choose who may invite from the list.")
	}
	for _, f := range r.Required {
		if !slices.Contains(SignupFields, SignupField(f)) {
			errs.Add("required_at_signup", "Choose fields from the list.")
		}
	}
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	if _, ok := phonenumbers.GetSupportedRegions()[r.Country]; !ok {
		errs.Add("country", "Enter a two-letter country code, like US, GB or DE.")
	}
	return errs
}

// RequiredText is the Required fields in form order, comma-separated (the stored form).
func (r RulesRequest) RequiredText() string {
	var out []string
	for _, f := range SignupFields {
		if slices.Contains(r.Required, string(f)) {
			out = append(out, string(f))
		}
	}
	return strings.Join(out, ",")
}

// MaxJoinDomains bounds the allowed domains of a public invitation.
const MaxJoinDomains = 50

// JoinLinkRequest sets the limits of the public invitation: an optional expiry date
// (YYYY-MM-DD, the end of that day in UTC), a cap on uses (blank: none) and allowed domains.
type JoinLinkRequest struct {
	Expires, MaxUses, Domains string
	// Parsed by Validate.
	ExpiresAt  *time.Time
	Cap        int
	DomainList []string
}

// Validate parses the limits; now is for refusing an expiry in the past.
func (r *JoinLinkRequest) Validate(now time.Time) FieldErrors {
	errs := FieldErrors{}
	r.ExpiresAt = nil
	if e := strings.TrimSpace(r.Expires); e != "" {
		d, err := time.Parse("2006-01-02", e)
		if err != nil {
			errs.Add("join_expires", "Enter a date like 2030-12-31, or leave it empty for no expiry.")
		} else if t := d.Add(24 * time.Hour); !t.After(now) {
			errs.Add("join_expires", "Choose a date from today on.")
		} else {
			r.ExpiresAt = &t
		}
	}
	r.Cap = 0
	if m := strings.TrimSpace(r.MaxUses); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 1_000_000 {
			errs.Add("join_max_uses", "Enter a whole number from 1 to 1000000, or leave it empty for no cap.")
		}
		r.Cap = n
	}
	r.DomainList = nil
	for _, d := range strings.FieldsFunc(strings.ToLower(r.Domains), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == ';' }) {
		d = strings.TrimPrefix(d, "@")
		if msg := ValidateEmail("a@" + d); msg != "" {
			errs.Add("join_domains", d+" is not a domain, like example.com.")
			continue
		}
		if !slices.Contains(r.DomainList, d) {
			r.DomainList = append(r.DomainList, d)
		}
	}
	if len(r.DomainList) > MaxJoinDomains {
		errs.Add("join_domains", "List at most "+strconv.Itoa(MaxJoinDomains)+" domains.")
	}
	return errs
}

// ParsePhone reads a phone number in E.164 or national in country and returns it in E.164,
// or a message for the person.
func ParsePhone(s, country string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Enter a phone number."
	}
	if len(s) > 40 {
		return "", "That phone number is too long."
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, country)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", "That doesn't look like a valid phone number. Check the digits, or start with + and the country code."
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// SignupExtras are the fields an organization may require at signup (Required at signup).
type SignupExtras struct {
	Phone, Department, Position, JobID string
}

// Validate checks the fields org requires, recording messages in errs, and clears the others
// (the form does not show them). The phone is read in org's country and kept in E.164.
func (x *SignupExtras) Validate(errs FieldErrors, org OrgRules) {
	if !org.Requires(SignupPhone) {
		x.Phone = ""
	} else if p, msg := ParsePhone(x.Phone, org.Country); msg != "" {
		errs.Add("phone", msg)
	} else {
		x.Phone = p
	}
	for _, f := range []struct {
		field SignupField
		v     *string
	}{{SignupDepartment, &x.Department}, {SignupPosition, &x.Position}, {SignupJobID, &x.JobID}} {
		if !org.Requires(f.field) {
			*f.v = ""
			continue
		}
		*f.v = RequiredText(errs, string(f.field), *f.v, MaxFieldLen, f.field.Label(), "Enter your "+strings.ToLower(f.field.Label())+".")
	}
}

// Details is the membership part of the extras.
func (x SignupExtras) Details() MemberDetailsRequest {
	return MemberDetailsRequest{Department: x.Department, Position: x.Position, JobID: x.JobID}
}

// Any reports whether any membership detail was given.
func (x SignupExtras) Any() bool { return x.Department != "" || x.Position != "" || x.JobID != "" }

// JoinSignupRequest is the public invitation's signup form: an account for a new person.
type JoinSignupRequest struct {
	Email string
	SignupRequest
}

// Validate cleans the fields and checks them against org's rules (required fields, allowed
// email domains).
func (r *JoinSignupRequest) Validate(org OrgRules) FieldErrors {
	r.Email = NormalizeEmail(r.Email)
	var errs FieldErrors
	if msg := ValidateEmail(r.Email); msg != "" {
		errs = r.SignupRequest.Validate(r.Email)
		errs.Add("email", msg)
	} else {
		errs = r.SignupRequest.Validate(r.Email)
		if !org.DomainAllowed(r.Email) {
			errs.Add("email", "This invitation is for addresses at "+strings.Join(org.Domains(), ", ")+" only.")
		}
	}
	r.Extras.Validate(errs, org)
	return errs
}

// JoinStatus is the status an invited membership takes when its person accepts: by signing
// up through the link, or, with an existing account, by answering "Join" (the notification
// or the link). Both paths ask this one function: the membership must still be invited, and
// StatusOnJoin applies the organization's enrollment rule to how it was invited.
func JoinStatus(org Organization, m Membership) (Status, error) {
	if _, err := Transition(m.Status, ActAccept); err != nil {
		return "", err
	}
	return StatusOnJoin(org, m.JoinedVia), nil
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
