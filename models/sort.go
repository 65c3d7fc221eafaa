package models

// SortKey names an order of the Users page: the views link to it, the store pages by it.
type SortKey string

// The orders the Users page offers; each is backed by an (org_id, status, key, id) index.
const (
	SortName      SortKey = "name"
	SortEmail     SortKey = "email"
	SortLastLogin SortKey = "last_login"
	SortJoined    SortKey = "joined"
)

// ParseSortKey returns the sort key named s, or SortName.
func ParseSortKey(s string) SortKey {
	switch k := SortKey(s); k {
	case SortEmail, SortLastLogin, SortJoined:
		return k
	}
	return SortName
}

// IsTime reports whether the key orders by a time (its cursors carry a time, not text).
func (k SortKey) IsTime() bool { return k == SortLastLogin || k == SortJoined }
