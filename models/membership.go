package models

import "time"

// Status is where a membership is in its lifecycle (DESIGN.md, Membership lifecycle).
type Status string

// Membership statuses.
const (
	StatusInvited    Status = "invited"
	StatusPending    Status = "pending"
	StatusRejected   Status = "rejected"
	StatusActive     Status = "active"
	StatusTerminated Status = "terminated"
	StatusRevoked    Status = "revoked"
)

// Label is the status as a badge shows it.
func (s Status) Label() string {
	switch s {
	case StatusInvited:
		return "Invited"
	case StatusPending:
		return "Pending"
	case StatusRejected:
		return "Rejected"
	case StatusActive:
		return "Active"
	case StatusTerminated:
		return "Terminated"
	case StatusRevoked:
		return "Revoked"
	}
	return string(s)
}

// Tab is one of the Users page tabs.
type Tab string

// Users page tabs, in display order.
const (
	TabActive      Tab = "active"
	TabPending     Tab = "pending"
	TabInactivated Tab = "inactivated"
	TabTerminated  Tab = "terminated"
)

// Tabs lists the Users page tabs in display order.
var Tabs = []Tab{TabActive, TabPending, TabInactivated, TabTerminated}

// ParseTab returns the tab named s, or the Active tab for anything unknown.
func ParseTab(s string) Tab {
	for _, t := range Tabs {
		if string(t) == s {
			return t
		}
	}
	return TabActive
}

// Label is the tab's visible name.
func (t Tab) Label() string {
	switch t {
	case TabPending:
		return "Pending"
	case TabInactivated:
		return "Inactivated"
	case TabTerminated:
		return "Terminated"
	}
	return "Active"
}

// Status is the membership status listed under the tab. Rejected requests live under
// Pending behind a filter; revoked invitations are on no tab.
func (t Tab) Status() Status {
	switch t {
	case TabPending:
		return StatusPending
	case TabInactivated:
		return StatusInvited
	case TabTerminated:
		return StatusTerminated
	}
	return StatusActive
}

// Membership is a user, or an invited email, in an organization. Email and names are
// copied from the user so the Users page can sort, search and page on one indexed table.
type Membership struct {
	ID           int64
	OrgID        int64
	UserID       *int64
	Status       Status
	Email        string // '' for a phone invitation until the person signs up
	Phone        string // E.164, for a phone invitation; '' otherwise
	FirstName    string
	LastName     string
	NameKey      string // lower-cased "first last", or the email when there is no name: the sort key
	LastNameKey  string // lower-cased last name, for search
	DepartmentID *int64 // one of the organization's departments, or nil
	Department   string `gorm:"-"` // its name, loaded with the membership ("" when none)
	Position     string
	JobID        string
	Location     string
	InvitedByID  *int64
	JoinedVia    JoinVia // how the membership came in (the Pending tab's "how")
	// RejectReason is what the admin wrote when rejecting the request ("" when none).
	RejectReason string
	LastLoginAt  time.Time // zero when the member never logged in
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Roles        []Role `gorm:"-"`
	UserMFA      bool   `gorm:"-"` // the account has a second factor (loaded for the Users page)
}

// DisplayName is the member's name, or their email when no name is known.
func (m Membership) DisplayName() string {
	return DisplayName(m.FirstName, m.LastName, m.Contact())
}

// Contact is the member's email, or the phone of a phone invitation not yet signed up.
func (m Membership) Contact() string {
	if m.Email == "" {
		return m.Phone
	}
	return m.Email
}

// SetName sets the names and the derived sort and search keys.
func (m *Membership) SetName(first, last string) {
	m.FirstName, m.LastName = first, last
	m.NameKey, m.LastNameKey = NameKeys(first, last, m.Contact())
}

// TabOf is the Users page tab that lists memberships in status s (Active for revoked ones, which no tab lists).
func TabOf(s Status) Tab {
	switch s {
	case StatusPending, StatusRejected:
		return TabPending
	case StatusInvited:
		return TabInactivated
	case StatusTerminated:
		return TabTerminated
	}
	return TabActive
}
