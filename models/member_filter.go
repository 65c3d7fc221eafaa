package models

// MemberFilter selects one page of an organization's members.
type MemberFilter struct {
	Status Status
	Query  string // prefix of email, "first last" or last name; case-insensitive
	Sort   SortKey
	Desc   bool
	Cursor string // opaque, from a previous MemberPage; "" for the first page
	Limit  int
	NoMFA  bool  // only members whose account has no second factor
	AppID  int64 // only members who may use this app of the organization (given it, or through a role); 0 for all
	DeptID int64 // only members of this department of the organization; 0 for all
}

// MemberPage is one page of members and the cursors to its neighbours ("" when none).
type MemberPage struct {
	Members []Membership
	Next    string
	Prev    string
}
