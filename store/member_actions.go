package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// FindMember returns one of the organization's memberships with its roles. An id from
// another organization is models.ErrNotFound, exactly like an id that does not exist.
func (s *Store) FindMember(ctx context.Context, orgID, id int64) (*models.Membership, error) {
	m, err := loadMember(s.reader(ctx), orgID, id)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("store: unable to find member: %w", err)
	}
	return m, err
}

// FindMemberByEmail returns the organization's membership with that email (compared
// normalised), with its roles, or models.ErrNotFound.
func (s *Store) FindMemberByEmail(ctx context.Context, orgID int64, email string) (*models.Membership, error) {
	email = models.NormalizeEmail(email)
	db := s.reader(ctx)
	var m models.Membership
	err := db.Where("org_id = ? AND email = ?", orgID, email).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to find member by email: %w", err)
	}
	roles, err := rolesOf(db, []int64{m.ID})
	if err != nil {
		return nil, fmt.Errorf("store: unable to find member by email: %w", err)
	}
	m.Roles = roles[m.ID]
	return &m, nil
}

func loadMember(db *gorm.DB, orgID, id int64) (*models.Membership, error) {
	var m models.Membership
	if err := db.Where("org_id = ? AND id = ?", orgID, id).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	roles, err := rolesOf(db, []int64{m.ID})
	if err != nil {
		return nil, err
	}
	m.Roles = roles[m.ID]
	return &m, nil
}

// loadForAction loads the membership and checks that the actor holds the action's
// permission and that the membership's status offers it; it returns the status it leads to.
func loadForAction(tx *gorm.DB, actor *models.Current, id int64, act models.MemberAction) (*models.Membership, models.Status, error) {
	if !actor.Can(act.Permission()) {
		return nil, "", models.ErrForbidden
	}
	m, err := loadMember(tx, actor.Org.ID, id)
	if err != nil {
		return nil, "", err
	}
	to, err := models.Transition(m.Status, act)
	if err != nil {
		return nil, "", err
	}
	return m, to, nil
}

func actorOf(cur *models.Current) models.Actor {
	return models.Actor{UserID: cur.User.ID, Permissions: cur.Permissions}
}

func targetOf(m *models.Membership) models.Target {
	return models.Target{UserID: m.UserID, Status: m.Status, Roles: m.Roles}
}

// activeOwners counts the organization's active members holding Owner.
func activeOwners(tx *gorm.DB, orgID int64) (int, error) {
	var n int64
	err := tx.Table("memberships").Joins("JOIN membership_roles ON membership_roles.membership_id = memberships.id").
		Where("memberships.org_id = ? AND memberships.status = ? AND membership_roles.role = ?", orgID, models.StatusActive, models.RoleOwner).
		Count(&n).Error
	return int(n), err
}

// SetMemberRoles replaces the roles of an active or invited member under DESIGN.md's rules:
// not one's own, Owner only by Owners, nothing the actor lacks, never the last active Owner.
func (s *Store) SetMemberRoles(ctx context.Context, actor *models.Current, id int64, roles []models.Role, meta models.Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		m, _, err := loadForAction(tx, actor, id, models.ActEditRoles)
		if err != nil {
			return err
		}
		owners, err := activeOwners(tx, actor.Org.ID)
		if err != nil {
			return err
		}
		if err := models.CheckRoleChange(actorOf(actor), targetOf(m), roles, owners); err != nil {
			return err
		}
		roles = models.SortRoles(roles)
		if rolesText(roles) == rolesText(m.Roles) {
			return nil
		}
		if err := setRoles(tx, m.ID, roles); err != nil {
			return err
		}
		if err := tx.Model(m).Update("updated_at", s.now()).Error; err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
			Action: models.ActionRolesChanged, TargetMembershipID: &m.ID, TargetEmail: m.Email,
			Detail: orNone(rolesText(m.Roles)) + " → " + rolesText(roles)}, meta, s.now())
	})
	return wrapRule(err, "change roles")
}

// MemberDetails are the membership fields admins edit. Name, email and phone are the member's own.
type MemberDetails struct {
	Department string
	Position   string
	JobID      string
	Location   string
}

// UpdateMemberDetails changes an active member's department, position, job ID and location.
func (s *Store) UpdateMemberDetails(ctx context.Context, actor *models.Current, id int64, d MemberDetails, meta models.Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		m, _, err := loadForAction(tx, actor, id, models.ActEditDetails)
		if err != nil {
			return err
		}
		var what []string
		for _, f := range []struct{ name, old, new string }{
			{"department", m.Department, d.Department}, {"position", m.Position, d.Position},
			{"job ID", m.JobID, d.JobID}, {"location", m.Location, d.Location},
		} {
			if f.old != f.new {
				what = append(what, fmt.Sprintf("%s %q → %q", f.name, f.old, f.new))
			}
		}
		if len(what) == 0 {
			return nil
		}
		err = tx.Model(m).Updates(map[string]any{"department": d.Department, "position": d.Position, "job_id": d.JobID,
			"location": d.Location, "updated_at": s.now()}).Error
		if err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
			Action: models.ActionDetailsChanged, TargetMembershipID: &m.ID, TargetEmail: m.Email, Detail: strings.Join(what, "; ")}, meta, s.now())
	})
	return wrapRule(err, "change member details")
}

var statusAudit = map[models.MemberAction]models.Action{
	models.ActTerminate: models.ActionTerminated,
	models.ActRestore:   models.ActionRestored,
	models.ActApprove:   models.ActionApproved,
	models.ActReject:    models.ActionRejected,
	models.ActReapprove: models.ActionReapproved,
}

// ChangeMemberStatus terminates, restores, approves, rejects or re-approves a member.
// Terminating keeps the membership, its roles and history, and ends the member's sessions in
// this organization at once; restoring gives back the roles held before.
func (s *Store) ChangeMemberStatus(ctx context.Context, actor *models.Current, id int64, act models.MemberAction, meta models.Meta) (*models.Membership, error) {
	auditAction, ok := statusAudit[act]
	if !ok {
		return nil, fmt.Errorf("store: %q is not a status change", act)
	}
	var m *models.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var to models.Status
		var err error
		m, to, err = loadForAction(tx, actor, id, act)
		if err != nil {
			return err
		}
		switch act {
		case models.ActTerminate:
			owners, err := activeOwners(tx, actor.Org.ID)
			if err != nil {
				return err
			}
			if err := models.CheckTerminate(actorOf(actor), targetOf(m), owners); err != nil {
				return err
			}
			if m.UserID != nil {
				if err := tx.Where("user_id = ? AND org_id = ?", *m.UserID, m.OrgID).Delete(&models.Session{}).Error; err != nil {
					return err
				}
			}
		default:
			// Bringing someone (back) in hands them their roles: the actor must be able to grant them.
			if len(m.Roles) > 0 {
				if err := models.CheckGrant(actorOf(actor), m.Roles); err != nil {
					return err
				}
			} else if to == models.StatusActive {
				if err := setRoles(tx, m.ID, []models.Role{models.RoleViewer}); err != nil {
					return err
				}
				m.Roles = []models.Role{models.RoleViewer}
			}
		}
		if err := tx.Model(m).Updates(map[string]any{"status": to, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		m.Status = to
		return writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
			Action: auditAction, TargetMembershipID: &m.ID, TargetEmail: m.Email, Detail: rolesDetail(m.Roles)}, meta, s.now())
	})
	if err != nil {
		return nil, wrapRule(err, "change member status")
	}
	return m, nil
}

// FindInviters lists the organization's active Owners and Admins (up to 10), for telling
// members without invite permission whom to ask.
func (s *Store) FindInviters(ctx context.Context, orgID int64) ([]models.Membership, error) {
	var rows []models.Membership
	err := s.reader(ctx).Where("org_id = ? AND status = ? AND id IN (?)", orgID, models.StatusActive,
		s.r.Table("membership_roles").Select("membership_id").Where("role IN ?", []models.Role{models.RoleOwner, models.RoleAdmin})).
		Order("name_key, id").Limit(10).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find inviters: %w", err)
	}
	return rows, nil
}

// rolesDetail is an audit detail naming the roles held.
func rolesDetail(roles []models.Role) string {
	if len(roles) == 0 {
		return "no roles"
	}
	return "roles " + rolesText(roles)
}

func orNone(s string) string {
	if s == "" {
		return "no roles"
	}
	return s
}
