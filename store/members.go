package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// MaxMemberPage is the largest page FindMembers returns.
const MaxMemberPage = 100

// FindMembers returns one page of the organization's members with the given status, by
// keyset pagination on (sort key, id): every page costs the same however deep it is. Each
// member carries what a Users page row shows (memberColumns) and its roles.
func (s *Store) FindMembers(ctx context.Context, orgID int64, f models.MemberFilter) (*models.MemberPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxMemberPage)
	f.Sort = models.ParseSortKey(string(f.Sort))
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
		q = q.Where(fmt.Sprintf("(%s, %s) %s (?, ?)", keyCol, idCol, op), c.value(), c.ID)
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
	res := &models.MemberPage{Members: rows}
	if len(rows) > 0 {
		first, last := &rows[0], &rows[len(rows)-1]
		if (!backward && more) || backward {
			res.Next = cursorAt(f.Sort, f.Desc, last, false).encode()
		}
		if (backward && more) || (!backward && c != nil) {
			res.Prev = cursorAt(f.Sort, f.Desc, first, true).encode()
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

// searchMembers selects the organization's members in status whose email, "first last" or last
// name starts with term, and returns the columns to order and page them by for sort. Search is
// dialect-specific by nature: the dialect writes the query (sqliteDialect.searchMembers).
func (s *Store) searchMembers(ctx context.Context, orgID int64, status models.Status, term string, sort models.SortKey) (q *gorm.DB, keyCol, idCol string) {
	return s.d.searchMembers(s.reader(ctx), orgID, status, term, sort)
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
