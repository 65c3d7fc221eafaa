package models

// AuditFilter selects audit events.
type AuditFilter struct {
	// OrgID scopes the events to one organization. The audit log page always sets it;
	// nil (every organization, including events that belong to none) is for tests and tools.
	OrgID *int64
	// Action keeps only events of this action; "" for every action.
	Action Action
	// MemberID keeps only events about or by one membership: those targeting it, and those
	// its user did in its organization. A membership outside OrgID matches nothing.
	MemberID int64
	// Before keeps only events with a smaller id, for keyset pages newest first; 0 for the first page.
	Before int64
	// Limit is the most events returned: 100 when zero, negative or over MaxAuditPage.
	Limit int
}

// MaxAuditPage is the largest page of audit events one query returns.
const MaxAuditPage = 500

// AuditQuery is what the audit log page asks for in the current organization.
type AuditQuery struct {
	Action Action // "" for every action
	// Email is the Member email box: it wins over MemberID. "" for none.
	Email string
	// MemberID is a membership id, as the pager and the Target links carry it: 0 for none,
	// negative for one that could not be read (it names nobody).
	MemberID int64
	Before   int64 // keyset: only events with a smaller id; 0 for the newest
	Limit    int
}

// AuditPage is one page of the audit log and how its member filter was resolved.
type AuditPage struct {
	Events []AuditEvent
	// Member is the member the filter named; nil when there is no member filter or it named nobody.
	Member *Membership
	// MemberEmail is the email to show in the Member email box.
	MemberEmail string
	// NoMember says why nothing is listed when the member filter names nobody in the organization.
	NoMember string
}
