package models

// MemberSort names a Users page sort order.
type MemberSort string

// Sort orders the Users page offers.
const (
	SortName      MemberSort = "name"
	SortEmail     MemberSort = "email"
	SortLastLogin MemberSort = "last_login"
	SortJoined    MemberSort = "joined"
)

// ParseMemberSort returns the sort named s, or SortName.
func ParseMemberSort(s string) MemberSort {
	switch MemberSort(s) {
	case SortEmail, SortLastLogin, SortJoined:
		return MemberSort(s)
	}
	return SortName
}

// MemberFilter selects one page of an organization's members.
type MemberFilter struct {
	Status Status
	Query  string // prefix of email, "first last" or last name; case-insensitive
	Sort   MemberSort
	Desc   bool
	Cursor string // opaque, from a previous MemberPage; "" for the first page
	Limit  int
	NoMFA  bool // only members whose account has no second factor
}

// MemberPage is one page of members and the cursors to its neighbours ("" when none).
type MemberPage struct {
	Members []Membership
	Next    string
	Prev    string
}
