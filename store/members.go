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
	q, keyCol, idCol, err := s.memberQuery(ctx, orgID, f)
	if err != nil {
		return nil, err
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

// memberQuery selects the organization's members f asks for (its status, search and
// filters; not its cursor or limit), and names the columns to order and page them by.
func (s *Store) memberQuery(ctx context.Context, orgID int64, f models.MemberFilter) (q *gorm.DB, keyCol, idCol string, err error) {
	// The page is ordered, and cursors compared, by (keyCol, idCol).
	keyCol, idCol = sortColumn(f.Sort), "id"
	term := strings.ToLower(strings.TrimSpace(f.Query))
	narrow := false
	if f.AppID != 0 {
		if narrow, err = s.fewAppMembers(ctx, f.AppID); err != nil {
			return nil, "", "", err
		}
	}
	switch {
	case term != "" && !narrow:
		q, keyCol, idCol = s.searchMembers(ctx, orgID, f.Status, term, f.Sort)
	case narrow:
		// Few members may use the app: the page is read from its grants (a lookup by id
		// each, then a sort of at most maxNarrowApp rows) rather than by walking the
		// organization's members until enough have it. SQLite is kept off the status
		// indexes (unindexed).
		q = s.reader(ctx).Model(&models.Membership{}).
			Where(s.d.unindexed("org_id")+" = ? AND "+s.d.unindexed("status")+" = ? AND id IN (SELECT membership_id FROM app_members WHERE app_id = ?)", orgID, f.Status, f.AppID)
		if term != "" {
			// The search's prefixes, checked on these few rows.
			hi := term + "\U0010FFFF"
			q = q.Where(`(memberships.email >= ? AND memberships.email < ?) OR (memberships.name_key >= ? AND memberships.name_key < ?)
				OR (memberships.last_name_key >= ? AND memberships.last_name_key < ?)`, term, hi, term, hi, term, hi)
		}
	default:
		q = s.reader(ctx).Model(&models.Membership{}).Where("org_id = ? AND status = ?", orgID, f.Status)
	}
	if f.DeptID != 0 {
		// In name order (and to count), memberships_by_department (org_id, department_id,
		// status, name_key, id) walks just the department's members, however few. In another
		// order, walking that order's index and checking each row beats sorting a whole
		// department per page: SQLite is kept off memberships_by_department (unindexed).
		col := "memberships.department_id"
		if f.Sort != models.SortName {
			col = s.d.unindexed(col)
		}
		q = q.Where(col+" = ?", f.DeptID)
	}
	if f.NoMFA {
		// Checked row by row as the page fills, not by listing every account without MFA.
		q = q.Where("EXISTS (SELECT 1 FROM users WHERE users.id = memberships.user_id AND users.mfa_enabled = ?)", false)
	}
	if f.AppID != 0 {
		// Also checked row by row as the page fills, on the primary keys of app_members
		// (app_id, membership_id), membership_roles (membership_id, role) and app_roles
		// (app_id, role); the app must be orgID's, so its grants only name orgID's members.
		q = q.Where(`(EXISTS (SELECT 1 FROM app_members WHERE app_members.app_id = ? AND app_members.membership_id = memberships.id)
			OR EXISTS (SELECT 1 FROM membership_roles JOIN app_roles ON app_roles.role = membership_roles.role
				WHERE membership_roles.membership_id = memberships.id AND app_roles.app_id = ?))`, f.AppID, f.AppID)
		q = q.Where("EXISTS (SELECT 1 FROM apps WHERE apps.id = ? AND apps.org_id = ?)", f.AppID, orgID)
	}
	return q, keyCol, idCol, nil
}

// CountMatching counts the organization's members f asks for (without its cursor and limit),
// stopping at limit+1: a count past the cap of a bulk action is not needed exactly.
func (s *Store) CountMatching(ctx context.Context, orgID int64, f models.MemberFilter, limit int) (int, error) {
	f.Sort = models.ParseSortKey(string(f.Sort))
	q, _, idCol, err := s.memberQuery(ctx, orgID, f)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.reader(ctx).Table("(?) AS m", q.Select(idCol+" AS id").Limit(limit+1)).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count members: %w", err)
	}
	return int(n), nil
}

// MatchingIDs lists the ids of the organization's members f asks for (without its cursor and
// limit), in its order, at most limit+1 of them.
func (s *Store) MatchingIDs(ctx context.Context, orgID int64, f models.MemberFilter, limit int) ([]int64, error) {
	f.Sort = models.ParseSortKey(string(f.Sort))
	q, keyCol, idCol, err := s.memberQuery(ctx, orgID, f)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := q.Order(keyCol).Order(idCol).Limit(limit+1).Pluck(idCol, &ids).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	return ids, nil
}

// maxNarrowApp is how many members given an app (and no role carrying it) FindMembers reads
// by their grants; past it, walking the sort index and checking each member is cheaper.
const maxNarrowApp = 2000

// fewAppMembers reports whether no role carries the app and at most maxNarrowApp members
// were given it: counting stops there, on app_members' primary key.
func (s *Store) fewAppMembers(ctx context.Context, appID int64) (bool, error) {
	var n int64
	err := s.reader(ctx).Raw(`SELECT CASE WHEN EXISTS (SELECT 1 FROM app_roles WHERE app_id = ?) THEN ? ELSE
		(SELECT COUNT(*) FROM (SELECT 1 FROM app_members WHERE app_id = ? LIMIT ?) AS few) END`, appID, maxNarrowApp+1, appID, maxNarrowApp+1).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to count app members: %w", err)
	}
	return n <= maxNarrowApp, nil
}

// memberColumns are what a Users page row shows (and its cursors need), in scanMembers' order,
// with whether the member's account has a second factor. Reading a column costs the driver a
// few cgo calls per row, and a time column a parse too, so FindMembers leaves out the rest:
// position, job ID, location, inviter, last name key and updated time stay zero (FindMember
// loads a whole membership).
const memberColumns = "memberships.id, memberships.user_id, memberships.status, memberships.email, memberships.first_name, " +
	"memberships.last_name, memberships.name_key, " +
	"COALESCE((SELECT departments.name FROM departments WHERE departments.id = memberships.department_id), '') AS department, " +
	"memberships.last_login_at, memberships.created_at, memberships.joined_via, memberships.reject_reason, memberships.invited_by_id, " +
	"COALESCE((SELECT users.mfa_enabled FROM users WHERE users.id = memberships.user_id), false) AS user_mfa"

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
			&m.Department, &m.LastLoginAt, &m.CreatedAt, &m.JoinedVia, &m.RejectReason, &m.InvitedByID, &m.UserMFA, &role); err != nil {
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
// read from the trigger-maintained counts table rather than by counting rows (on PostgreSQL a
// count is spread over a few rows, summed here).
func (s *Store) MemberCounts(ctx context.Context, orgID int64) (map[models.Status]int64, error) {
	var rows []struct {
		Status models.Status
		N      int64
	}
	if err := s.reader(ctx).Table("membership_counts").Select("status, SUM(n) AS n").Where("org_id = ?", orgID).Group("status").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count members: %w", err)
	}
	out := make(map[models.Status]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
