package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// MemberSort names a Users page sort order.
type MemberSort string

// Sort orders the Users page offers; each is backed by an (org_id, status, key, id) index.
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

func (s MemberSort) column() string {
	switch s {
	case SortEmail:
		return "email"
	case SortLastLogin:
		return "last_login_at"
	case SortJoined:
		return "created_at"
	}
	return "name_key"
}

func (s MemberSort) key(m *models.Membership) string {
	switch s {
	case SortEmail:
		return m.Email
	case SortLastLogin:
		return formatTime(m.LastLoginAt)
	case SortJoined:
		return formatTime(m.CreatedAt)
	}
	return m.NameKey
}

// formatTime renders t exactly as the SQLite driver stores it, so keyset comparisons
// against stored values are exact.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999999-07:00") }

// MemberFilter selects one page of an organization's members.
type MemberFilter struct {
	Status models.Status
	Query  string // prefix of email, "first last" or last name; case-insensitive
	Sort   MemberSort
	Desc   bool
	Cursor string // opaque, from a previous MemberPage; "" for the first page
	Limit  int
	NoMFA  bool // only members whose account has no second factor
}

// MemberPage is one page of members and the cursors to its neighbours ("" when none).
type MemberPage struct {
	Members []models.Membership
	Next    string
	Prev    string
}

type cursor struct {
	Sort     MemberSort `json:"s"`
	Desc     bool       `json:"d"`
	Value    string     `json:"v"`
	ID       int64      `json:"i"`
	Backward bool       `json:"b,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the cursor, or nil for one that is empty, malformed or made for another order.
func decodeCursor(s string, sort MemberSort, desc bool) *cursor {
	if s == "" || len(s) > 2048 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || c.Sort != sort || c.Desc != desc {
		return nil
	}
	return &c
}

// MaxMemberPage is the largest page FindMembers returns.
const MaxMemberPage = 100

// FindMembers returns one page of the organization's members with the given status, by
// keyset pagination on (sort key, id): every page costs the same however deep it is.
func (s *Store) FindMembers(ctx context.Context, orgID int64, f MemberFilter) (*MemberPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxMemberPage)
	col := f.Sort.column()
	q := s.r.WithContext(ctx).Model(&models.Membership{})
	if term := strings.ToLower(strings.TrimSpace(f.Query)); term != "" {
		q = s.searchMembers(ctx, q, orgID, f.Status, term)
	} else {
		q = q.Where("org_id = ? AND status = ?", orgID, f.Status)
	}
	if f.NoMFA {
		q = q.Where("user_id IN (?)", s.r.Model(&models.User{}).Select("id").Where("mfa_enabled = ?", false))
	}
	c := decodeCursor(f.Cursor, f.Sort, f.Desc)
	backward := c != nil && c.Backward
	// Walking backward reads the rows before the cursor in reverse order, then flips them.
	desc := f.Desc != backward
	if c != nil {
		op := ">"
		if desc {
			op = "<"
		}
		q = q.Where(fmt.Sprintf("(%s, id) %s (?, ?)", col, op), c.Value, c.ID)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	var rows []models.Membership
	if err := q.Order(col + " " + dir).Order("id " + dir).Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find members: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	if backward {
		slices.Reverse(rows)
	}
	page := &MemberPage{Members: rows}
	if len(rows) > 0 {
		first, last := &rows[0], &rows[len(rows)-1]
		if (!backward && more) || backward {
			page.Next = cursor{Sort: f.Sort, Desc: f.Desc, Value: f.Sort.key(last), ID: last.ID}.encode()
		}
		if (backward && more) || (!backward && c != nil) {
			page.Prev = cursor{Sort: f.Sort, Desc: f.Desc, Value: f.Sort.key(first), ID: first.ID, Backward: true}.encode()
		}
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	roles, err := rolesOf(s.r.WithContext(ctx), ids)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load member roles: %w", err)
	}
	mfa, err := usersWithMFA(s.r.WithContext(ctx), page.Members)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load member MFA: %w", err)
	}
	for i := range page.Members {
		m := &page.Members[i]
		m.Roles = roles[m.ID]
		m.UserMFA = m.UserID != nil && mfa[*m.UserID]
	}
	return page, nil
}

// searchMembers narrows q to the members whose email, "first last" or last name starts with
// term. Search is dialect-specific by nature, so it stays behind this one function.
//
// Each key is searched as a range on its own (org_id, status, key) index and only the matches
// are sorted, so the cost follows the number of matches, never the size of the table. The
// unary + keeps SQLite from walking the sort index and probing every row instead (which
// costs a full scan when a term matches little).
func (s *Store) searchMembers(ctx context.Context, q *gorm.DB, orgID int64, status models.Status, term string) *gorm.DB {
	hi := term + "\U0010FFFF"
	ids := s.r.WithContext(ctx).Raw(`SELECT id FROM memberships WHERE org_id = ? AND status = ? AND email >= ? AND email < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND name_key >= ? AND name_key < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND last_name_key >= ? AND last_name_key < ?`,
		orgID, status, term, hi, orgID, status, term, hi, orgID, status, term, hi)
	return q.Where("+org_id = ? AND +status = ? AND id IN (?)", orgID, status, ids)
}

// MemberCounts returns the number of the organization's memberships in each status,
// read from the trigger-maintained counts table rather than by counting rows.
func (s *Store) MemberCounts(ctx context.Context, orgID int64) (map[models.Status]int64, error) {
	var rows []struct {
		Status models.Status
		N      int64
	}
	if err := s.r.WithContext(ctx).Table("membership_counts").Where("org_id = ?", orgID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count members: %w", err)
	}
	out := make(map[models.Status]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// usersWithMFA returns which of the members' accounts have a second factor, in one query.
func usersWithMFA(db *gorm.DB, members []models.Membership) (map[int64]bool, error) {
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		if m.UserID != nil {
			ids = append(ids, *m.UserID)
		}
	}
	out := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var on []int64
	if err := db.Model(&models.User{}).Where("id IN ? AND mfa_enabled = ?", ids, true).Pluck("id", &on).Error; err != nil {
		return nil, err
	}
	for _, id := range on {
		out[id] = true
	}
	return out, nil
}
