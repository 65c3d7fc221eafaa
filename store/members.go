package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// The Users page's filter types live in models; these names keep the store's callers short.
type (
	MemberSort   = models.MemberSort
	MemberFilter = models.MemberFilter
	MemberPage   = models.MemberPage
)

// Sort orders, each backed by an (org_id, status, key, id) index.
const (
	SortName      = models.SortName
	SortEmail     = models.SortEmail
	SortLastLogin = models.SortLastLogin
	SortJoined    = models.SortJoined
)

// ParseMemberSort returns the sort named s, or SortName.
func ParseMemberSort(s string) MemberSort { return models.ParseMemberSort(s) }

func sortColumn(s MemberSort) string {
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

func sortKey(s MemberSort, m *models.Membership) string {
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
// keyset pagination on (sort key, id): every page costs the same however deep it is. Each
// member carries what a Users page row shows (memberColumns) and its roles.
func (s *Store) FindMembers(ctx context.Context, orgID int64, f MemberFilter) (*MemberPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxMemberPage)
	f.Sort = ParseMemberSort(string(f.Sort))
	// The page is ordered, and cursors compared, by (keyCol, idCol).
	keyCol, idCol := sortColumn(f.Sort), "id"
	var q *gorm.DB
	if term := strings.ToLower(strings.TrimSpace(f.Query)); term != "" {
		q, keyCol, idCol = s.searchMembers(ctx, orgID, f.Status, term, f.Sort)
	} else {
		q = s.reader(ctx).Model(&models.Membership{}).Where("org_id = ? AND status = ?", orgID, f.Status)
	}
	if f.NoMFA {
		// Checked row by row as the page fills, not by listing every account without MFA.
		q = q.Where("EXISTS (SELECT 1 FROM users WHERE users.id = memberships.user_id AND users.mfa_enabled = ?)", false)
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
		q = q.Where(fmt.Sprintf("(%s, %s) %s (?, ?)", keyCol, idCol, op), c.Value, c.ID)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	// The page is found first, then joined with its roles: one query, whose rows are the
	// page's members, each repeated once per role it holds.
	page := q.Select(memberColumns).Order(keyCol + " " + dir).Order(idCol + " " + dir).Limit(f.Limit + 1)
	rows, err := scanMembers(s.reader(ctx).Table("(?) AS m", page).Select("m.*, membership_roles.role").
		Joins("LEFT JOIN membership_roles ON membership_roles.membership_id = m.id").
		Order("m."+sortColumn(f.Sort)+" "+dir).Order("m.id "+dir).Order("membership_roles.role"), orgID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find members: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	if backward {
		slices.Reverse(rows)
	}
	res := &MemberPage{Members: rows}
	if len(rows) > 0 {
		first, last := &rows[0], &rows[len(rows)-1]
		if (!backward && more) || backward {
			res.Next = cursor{Sort: f.Sort, Desc: f.Desc, Value: sortKey(f.Sort, last), ID: last.ID}.encode()
		}
		if (backward && more) || (!backward && c != nil) {
			res.Prev = cursor{Sort: f.Sort, Desc: f.Desc, Value: sortKey(f.Sort, first), ID: first.ID, Backward: true}.encode()
		}
	}
	return res, nil
}

// memberColumns are what a Users page row shows (and its cursors need), in scanMembers' order,
// with whether the member's account has a second factor. Reading a column costs the driver a
// few cgo calls per row, and a time column a parse too, so FindMembers leaves out the rest:
// position, job ID, location, inviter, last name key and updated time stay zero (FindMember
// loads a whole membership).
const memberColumns = "memberships.id, memberships.user_id, memberships.status, memberships.email, memberships.first_name, " +
	"memberships.last_name, memberships.name_key, memberships.department, memberships.last_login_at, memberships.created_at, " +
	"COALESCE((SELECT users.mfa_enabled FROM users WHERE users.id = memberships.user_id), 0) AS user_mfa"

// scanMembers runs q, which selects memberColumns of orgID's memberships and then a role,
// ordered so that each member's rows are together, and reads the rows without reflection: a
// Users page reads 51 members on every request.
func scanMembers(q *gorm.DB, orgID int64) ([]models.Membership, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]models.Membership, 0, 64)
	for rows.Next() {
		var m models.Membership
		var role sql.NullString
		if err := rows.Scan(&m.ID, &m.UserID, &m.Status, &m.Email, &m.FirstName, &m.LastName, &m.NameKey,
			&m.Department, &m.LastLoginAt, &m.CreatedAt, &m.UserMFA, &role); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != m.ID {
			m.OrgID = orgID
			out = append(out, m)
		}
		if role.Valid {
			last := &out[len(out)-1]
			last.Roles = append(last.Roles, models.Role(role.String))
		}
	}
	for i := range out {
		out[i].Roles = models.SortRoles(out[i].Roles)
	}
	return out, rows.Err()
}

// searchPrefixLen is the longest prefix member_prefixes holds (migration "member search prefixes").
const searchPrefixLen = 3

// searchMembers selects the organization's members in status whose email, "first last" or last
// name starts with term, and returns the columns to order and page them by for sort. Search is
// dialect-specific by nature, so it stays behind this one function.
//
// Sorted by name (the default), it reads member_prefixes, which holds the first one to three
// characters of each key beside the name key: a term of up to three characters is one range
// of its primary key, already in name order, so a page costs the same however many members
// match; a longer term walks the range of its first three characters, checking each member
// until the page is full. CROSS JOIN makes SQLite drive the join from member_prefixes, in
// that order.
//
// Sorted otherwise, each key is searched as a range on its own (org_id, status, key) index and
// only the matches are sorted, so the cost follows the number of matches, never the size of
// the table. The unary + keeps SQLite from walking the sort index and probing every row
// instead (which costs a full scan when a term matches little).
func (s *Store) searchMembers(ctx context.Context, orgID int64, status models.Status, term string, sort MemberSort) (q *gorm.DB, keyCol, idCol string) {
	hi := term + "\U0010FFFF"
	db := s.reader(ctx)
	if sort == SortName {
		prefix := term
		if r := []rune(term); len(r) > searchPrefixLen {
			prefix = string(r[:searchPrefixLen])
		}
		q = db.Table("member_prefixes AS p CROSS JOIN memberships").
			Where("memberships.id = p.membership_id AND p.org_id = ? AND p.status = ? AND p.prefix = ?", orgID, status, prefix)
		if prefix != term {
			q = q.Where(`(memberships.email >= ? AND memberships.email < ?) OR (memberships.name_key >= ? AND memberships.name_key < ?)
				OR (memberships.last_name_key >= ? AND memberships.last_name_key < ?)`, term, hi, term, hi, term, hi)
		}
		return q, "p.name_key", "p.membership_id"
	}
	ids := db.Raw(`SELECT id FROM memberships WHERE org_id = ? AND status = ? AND email >= ? AND email < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND name_key >= ? AND name_key < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND last_name_key >= ? AND last_name_key < ?`,
		orgID, status, term, hi, orgID, status, term, hi, orgID, status, term, hi)
	q = db.Model(&models.Membership{}).Where("+org_id = ? AND +status = ? AND id IN (?)", orgID, status, ids)
	return q, sortColumn(sort), "id"
}

// MemberCounts returns the number of the organization's memberships in each status,
// read from the trigger-maintained counts table rather than by counting rows.
func (s *Store) MemberCounts(ctx context.Context, orgID int64) (map[models.Status]int64, error) {
	var rows []struct {
		Status models.Status
		N      int64
	}
	if err := s.reader(ctx).Table("membership_counts").Where("org_id = ?", orgID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count members: %w", err)
	}
	out := make(map[models.Status]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// MemberCursorAt returns the cursor of the page of status members that starts after the
// first skip of them in sort order (ascending; "" for the first page when skip < 1), for
// tools such as the benchmark that need a page deep in the list. It walks with OFFSET, so no
// request path may use it.
func (s *Store) MemberCursorAt(ctx context.Context, orgID int64, status models.Status, sort MemberSort, skip int) (string, error) {
	if skip < 1 {
		return "", nil
	}
	var m models.Membership
	err := s.reader(ctx).Where("org_id = ? AND status = ?", orgID, status).
		Order(sortColumn(sort)).Order("id").Offset(skip - 1).Take(&m).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to find member %d: %w", skip, notFound(err))
	}
	return cursor{Sort: sort, Value: sortKey(sort, &m), ID: m.ID}.encode(), nil
}
