package models

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// InvitePerson is one person to invite, with what is theirs alone: the invite dialog makes
// one per email (sharing roles, department and position), an import one per row.
type InvitePerson struct {
	Email, FirstName, LastName, Phone     string
	Department, Position, JobID, Location string // Department: a department's name as typed, "" for none
	DepartmentID                          *int64 // the department Department names (set by ResolveDepartment)
	Roles                                 []Role
	Apps                                  []App // granted with the invitation (the organization's enabled apps)
}

// ImportStatus is where a confirmed import is.
type ImportStatus string

// Import statuses.
const (
	ImportRunning ImportStatus = "running"
	ImportDone    ImportStatus = "done"
)

// Import is a confirmed import of members from a file: its rows are stored with it and
// worked through in batches, so it survives a restart.
type Import struct {
	ID                       int64
	OrgID                    int64
	UserID                   *int64 // who confirmed it; they invite every row
	IP, UserAgent            string
	FileName                 string
	Status                   ImportStatus
	Total, Done              int
	Invited, Skipped, Failed int
	CreatedAt                time.Time
	FinishedAt               *time.Time
}

// TableName is the table imports are stored in.
func (Import) TableName() string { return "member_imports" }

// Percent is how far the import is, from 0 to 100.
func (i Import) Percent() int {
	if i.Total == 0 {
		return 100
	}
	return i.Done * 100 / i.Total
}

// RowOutcome is what the preview says will happen to a row, or what did.
type RowOutcome string

// Row outcomes. RowPending is a confirmed row not yet worked on.
const (
	RowPending   RowOutcome = ""
	RowInvite    RowOutcome = "invite"    // preview: a new invitation (or a revoked one renewed)
	RowSkip      RowOutcome = "skip"      // already a member (active or pending)
	RowReinvite  RowOutcome = "reinvite"  // already invited: use Reinvite for a new link
	RowRestore   RowOutcome = "restore"   // terminated: use Restore
	RowReapprove RowOutcome = "reapprove" // rejected: use Re-approve
	RowError     RowOutcome = "error"     // the row cannot be imported; Message says why
	RowQuota     RowOutcome = "quota"     // valid, but past a daily quota
	RowInvited   RowOutcome = "invited"   // result: the invitation was sent
)

// Label is the outcome as the preview and the result file name it.
func (o RowOutcome) Label() string {
	switch o {
	case RowInvite:
		return "Invite"
	case RowSkip:
		return "Skip (already a member)"
	case RowReinvite:
		return "Reinvite"
	case RowRestore:
		return "Restore"
	case RowReapprove:
		return "Re-approve"
	case RowError:
		return "Error"
	case RowQuota:
		return "Over quota"
	case RowInvited:
		return "Invited"
	case RowPending:
		return "Waiting"
	}
	return string(o)
}

// ExistingOutcome is what an import does with a row whose email already has a membership in
// status st: nothing, naming the action that would apply (the invite dialog's rule).
func ExistingOutcome(st Status) RowOutcome {
	switch st {
	case StatusInvited:
		return RowReinvite
	case StatusTerminated:
		return RowRestore
	case StatusRejected:
		return RowReapprove
	}
	return RowSkip
}

// ExistingMessage explains ExistingOutcome to the importer.
func ExistingMessage(st Status) string {
	switch st {
	case StatusInvited:
		return "Already invited: not sent again. Use Reinvite on the Users page for a new link."
	case StatusTerminated:
		return "A terminated member: use Restore on the Users page."
	case StatusRejected:
		return "A rejected request: use Re-approve on the Users page."
	case StatusPending:
		return "Already asked to join: approve them on the Pending tab."
	}
	return "Already a member."
}

// ImportRow is one row of an import file as written, and what became of it.
type ImportRow struct {
	ImportID                              int64 `gorm:"primaryKey;autoIncrement:false"`
	Line                                  int   `gorm:"primaryKey;autoIncrement:false"`
	FirstName, LastName, Email, Phone     string
	Roles                                 string
	Department, Position, JobID, Location string
	Apps                                  string // app names as written; resolved by ResolveApps
	Outcome                               RowOutcome
	Message                               string
}

// TableName is the table import rows are stored in.
func (ImportRow) TableName() string { return "member_import_rows" }

// Person validates the row as written and returns the person to invite, or a message saying
// what is wrong with it (the first problem found).
func (r ImportRow) Person() (InvitePerson, string) {
	p := InvitePerson{}
	if strings.TrimSpace(r.Email) == "" {
		return p, "Missing email: the Email column is required."
	}
	p.Email = NormalizeEmail(r.Email)
	if msg := ValidateEmail(p.Email); msg != "" {
		return p, "Bad email " + strconv.Quote(r.Email) + ": " + msg
	}
	roles, msg := ParseRoleNames(r.Roles)
	if msg != "" {
		return p, msg
	}
	p.Roles = roles
	if strings.TrimSpace(r.Phone) != "" {
		phone, msg := NormalizePhone(r.Phone)
		if msg != "" {
			return p, "Bad phone " + strconv.Quote(r.Phone) + ": " + msg
		}
		p.Phone = phone
	}
	for _, f := range []struct {
		label  string
		in     string
		out    *string
		maxLen int
	}{
		{"First name", r.FirstName, &p.FirstName, MaxNameLen}, {"Last name", r.LastName, &p.LastName, MaxNameLen},
		{"Department", r.Department, &p.Department, MaxFieldLen}, {"Position", r.Position, &p.Position, MaxFieldLen},
		{"Job ID", r.JobID, &p.JobID, MaxFieldLen}, {"Location", r.Location, &p.Location, MaxFieldLen},
	} {
		v, msg := CleanText(f.in, f.maxLen, f.label)
		if msg != "" {
			return p, msg
		}
		*f.out = v
	}
	return p, ""
}

// ParseRoleNames reads a Roles cell: role names (Owner, Admin, Editor, Viewer, any case)
// separated by commas, semicolons, slashes or spaces.
func ParseRoleNames(s string) ([]Role, string) {
	var roles []Role
	for _, name := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",;/| \t", r) }) {
		found := false
		for _, r := range BuiltinRoles {
			if strings.EqualFold(name, r.Label()) {
				roles, found = append(roles, r), true
			}
		}
		if !found {
			return nil, "Unknown role " + strconv.Quote(name) + ": use " + RoleNameList() + "."
		}
	}
	if len(roles) == 0 {
		return nil, "Missing roles: the Roles column is required (" + RoleNameList() + ")."
	}
	return SortRoles(roles), ""
}

// RoleNameList names the roles for messages: "Owner, Admin, Editor or Viewer".
func RoleNameList() string {
	names := make([]string, len(BuiltinRoles))
	for i, r := range BuiltinRoles {
		names[i] = r.Label()
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ResolveApps reads an Apps cell: app names separated by commas, trimmed and compared without
// case, among apps (the organization's apps, enabled or not). It returns the apps named, each
// once, or a message for the first name that is not an enabled app ("Unknown app: X", "Wiki is
// disabled"). An empty cell is no apps.
func ResolveApps(cell string, apps []App) ([]App, string) {
	var out []App
	for _, name := range strings.Split(cell, ",") {
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			continue
		}
		i := slices.IndexFunc(apps, func(a App) bool { return strings.EqualFold(strings.Join(strings.Fields(a.Name), " "), name) })
		switch {
		case i < 0:
			return nil, "Unknown app: " + TruncateUTF8(name, MaxFieldLen)
		case !apps[i].Enabled:
			return nil, apps[i].Name + " is disabled"
		case !slices.ContainsFunc(out, func(a App) bool { return a.ID == apps[i].ID }):
			out = append(out, apps[i])
		}
	}
	return out, ""
}
