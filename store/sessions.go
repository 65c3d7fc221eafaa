package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"gatehouse/models"
)

// LoginInput is a new session for a user whose credentials have been checked.
type LoginInput struct {
	UserID    int64
	TokenHash []byte
	Meta      models.Meta
}

// CreateSession starts a session in the user's last organization (or their first active
// membership) and records the login on the user and membership, in one transaction. A user
// with no active membership gets a session without an organization (they may create or join one).
func (s *Store) CreateSession(ctx context.Context, in LoginInput) (*models.Session, error) {
	var sess *models.Session
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u models.User
		if err := tx.Take(&u, in.UserID).Error; err != nil {
			return notFound(err)
		}
		q := tx.Where("user_id = ? AND status = ?", u.ID, models.StatusActive)
		if u.LastOrgID != nil {
			// gorm's Order ignores a bare gorm.Expr (and an expression order cannot be merged with
			// another), so the whole ORDER BY is one clause.OrderBy expression.
			q = q.Order(clause.OrderBy{Expression: gorm.Expr("org_id = ? DESC, id", *u.LastOrgID)})
		} else {
			q = q.Order("id")
		}
		var m models.Membership
		now := s.now()
		if err := q.Take(&m).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			sess = &models.Session{TokenHash: in.TokenHash, UserID: u.ID, IP: in.Meta.IP,
				UserAgent: truncate(in.Meta.UserAgent, 300), CreatedAt: now, LastSeenAt: now}
			if err := tx.Omit("org_id").Create(sess).Error; err != nil {
				return err
			}
			return tx.Model(&u).UpdateColumn("last_login_at", now).Error
		} else if err != nil {
			return err
		}
		sess = &models.Session{TokenHash: in.TokenHash, UserID: u.ID, OrgID: m.OrgID, IP: in.Meta.IP,
			UserAgent: truncate(in.Meta.UserAgent, 300), CreatedAt: now, LastSeenAt: now}
		if err := tx.Create(sess).Error; err != nil {
			return err
		}
		if err := tx.Model(&u).UpdateColumns(map[string]any{"last_login_at": now, "last_org_id": m.OrgID}).Error; err != nil {
			return err
		}
		return tx.Model(&m).UpdateColumn("last_login_at", now).Error
	})
	if err != nil {
		if errors.Is(err, models.ErrForbidden) || errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to create session: %w", err)
	}
	return sess, nil
}

// FindCurrent loads the session with that token hash and who it belongs to: user,
// organization, membership (in any status; the caller decides what it allows) and roles. A
// session without an organization, or whose membership is gone (left, the organization
// deleted), has a zero Org or Membership.
// An unknown token gives models.ErrNotFound.
func (s *Store) FindCurrent(ctx context.Context, tokenHash []byte) (*models.Current, error) {
	db := s.reader(ctx)
	cols, err := currentColumns(db)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load session: %w", err)
	}
	// One query for what every request needs; roles come in a second.
	var row struct {
		Session    models.Session      `gorm:"embedded;embeddedPrefix:s__"`
		User       models.User         `gorm:"embedded;embeddedPrefix:u__"`
		Org        models.Organization `gorm:"embedded;embeddedPrefix:o__"`
		Membership models.Membership   `gorm:"embedded;embeddedPrefix:m__"`
	}
	res := db.Raw("SELECT "+cols+` FROM sessions
		JOIN users ON users.id = sessions.user_id
		LEFT JOIN organizations ON organizations.id = sessions.org_id
		LEFT JOIN memberships ON memberships.org_id = sessions.org_id AND memberships.user_id = sessions.user_id
		WHERE sessions.token_hash = ?`, tokenHash).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("store: unable to load session: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.ErrNotFound
	}
	cur := models.Current{Session: row.Session, User: row.User, Org: row.Org, Membership: row.Membership}
	if cur.Membership.ID == 0 || cur.Org.ID == 0 {
		cur.Org, cur.Membership = models.Organization{}, models.Membership{}
		return &cur, nil
	}
	roles, err := rolesOf(db, []int64{cur.Membership.ID})
	if err != nil {
		return nil, fmt.Errorf("store: unable to load session: %w", err)
	}
	cur.Membership.Roles = roles[cur.Membership.ID]
	cur.Permissions = models.PermissionsOf(cur.Membership.Roles)
	return &cur, nil
}

// currentColumns is FindCurrent's select list: every column of sessions, users, organizations
// and memberships, named with its table's prefix. It is made from the models, so a column
// added to one of them is loaded too.
var currentColumns = func() func(db *gorm.DB) (string, error) {
	var (
		once sync.Once
		cols string
		err  error
	)
	return func(db *gorm.DB) (string, error) {
		once.Do(func() {
			var list []string
			for _, t := range []struct {
				model         any
				table, prefix string
			}{
				{&models.Session{}, "sessions", "s__"}, {&models.User{}, "users", "u__"},
				{&models.Organization{}, "organizations", "o__"}, {&models.Membership{}, "memberships", "m__"},
			} {
				sch, perr := schema.Parse(t.model, &sync.Map{}, db.NamingStrategy)
				if perr != nil {
					err = perr
					return
				}
				for _, name := range sch.DBNames {
					list = append(list, t.table+"."+name+" AS "+t.prefix+name)
				}
			}
			cols = strings.Join(list, ", ")
		})
		return cols, err
	}
}()

// TouchSession records activity on a session, for the idle timeout.
func (s *Store) TouchSession(ctx context.Context, id int64) error {
	if err := s.writer(ctx).Model(&models.Session{}).Where("id = ?", id).UpdateColumn("last_seen_at", s.now()).Error; err != nil {
		return fmt.Errorf("store: unable to touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	defer s.noteChange(ctx)
	if err := s.writer(ctx).Delete(&models.Session{}, id).Error; err != nil {
		return fmt.Errorf("store: unable to delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes sessions that the policy has expired, and returns how many.
func (s *Store) PruneSessions(ctx context.Context, p models.SessionPolicy) (int64, error) {
	defer s.noteChange(ctx)
	now := s.now()
	res := s.writer(ctx).Where("last_seen_at <= ? OR created_at <= ?", now.Add(-p.Idle), now.Add(-p.Lifetime)).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to prune sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// rolesOf returns the roles of each membership id, in one query.
func rolesOf(db *gorm.DB, ids []int64) (map[int64][]models.Role, error) {
	out := make(map[int64][]models.Role, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// Read without reflection: the Users page asks for the roles of 50 members every time.
	rows, err := db.Table("membership_roles").Select("membership_id, role").Where("membership_id IN ?", ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role models.Role
		if err := rows.Scan(&id, &role); err != nil {
			return nil, err
		}
		out[id] = append(out[id], role)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, roles := range out {
		out[id] = models.SortRoles(roles)
	}
	return out, nil
}
