package store

import (
	"context"
	"errors"
	"fmt"

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

// LockMemberEmail keeps other transactions from adding email to orgID until the one ctx
// carries ends (PostgreSQL; SQLite's one writer already does), so that two invitations of one
// address at the same moment make one membership.
func (s *Store) LockMemberEmail(ctx context.Context, orgID int64, email string) error {
	return s.serialize(ctx, "member email", fmt.Sprint(orgID, ":", models.NormalizeEmail(email)))
}

// memberByEmail and memberByPhone find an organization's membership by email or phone (org
// id, value). Each names its partial unique index's condition (phone invitations have no email
// yet, email invitations no phone), without which the planner cannot use memberships_org_email
// or memberships_org_phone and walks the organization's members instead
// (TestMemberLookupsUseIndexes).
const (
	memberByEmail = "org_id = ? AND email = ? AND email <> ''"
	memberByPhone = "org_id = ? AND phone = ? AND phone <> ''"
)

// FindMemberByEmail returns the organization's membership with that email (compared
// normalised), in any status, with its roles, or models.ErrNotFound.
func (s *Store) FindMemberByEmail(ctx context.Context, orgID int64, email string) (*models.Membership, error) {
	email = models.NormalizeEmail(email)
	db := s.reader(ctx)
	var m models.Membership
	err := db.Where(memberByEmail, orgID, email).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to find member by email: %w", err)
	}
	if err := fillDepartment(db, &m); err != nil {
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
	if err := fillDepartment(db, &m); err != nil {
		return nil, err
	}
	roles, err := rolesOf(db, []int64{m.ID})
	if err != nil {
		return nil, err
	}
	m.Roles = roles[m.ID]
	return &m, nil
}

// CountActiveOwners counts the organization's active members holding Owner. The use cases
// that could remove the last one read it inside their transaction, so two of them cannot
// each see the other Owner and both go ahead.
func (s *Store) CountActiveOwners(ctx context.Context, orgID int64) (int, error) {
	if err := s.serialize(ctx, "owners", orgID); err != nil {
		return 0, err
	}
	var n int64
	err := s.reader(ctx).Table("memberships").Joins("JOIN membership_roles ON membership_roles.membership_id = memberships.id").
		Where("memberships.org_id = ? AND memberships.status = ? AND membership_roles.role = ?", orgID, models.StatusActive, models.RoleOwner).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to count owners: %w", err)
	}
	return int(n), nil
}

// SetMemberRoles replaces the membership's roles.
func (s *Store) SetMemberRoles(ctx context.Context, m *models.Membership, roles []models.Role) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := setRoles(tx, m.ID, roles); err != nil {
			return err
		}
		return tx.Model(m).Update("updated_at", s.now()).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to change roles: %w", err)
	}
	m.Roles = models.SortRoles(roles)
	return nil
}

// UpdateMemberDetails writes the membership's department (d.DepartmentID, which names d.Department),
// position, job ID and location.
func (s *Store) UpdateMemberDetails(ctx context.Context, m *models.Membership, d models.MemberDetailsRequest) error {
	err := s.writer(ctx).Model(m).Updates(map[string]any{"department_id": d.DepartmentID, "position": d.Position, "job_id": d.JobID,
		"location": d.Location, "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("store: unable to change member details: %w", err)
	}
	m.DepartmentID, m.Department, m.Position, m.JobID, m.Location = d.DepartmentID, d.Department, d.Position, d.JobID, d.Location
	return nil
}

// SetMemberStatus moves the membership to status to.
func (s *Store) SetMemberStatus(ctx context.Context, m *models.Membership, to models.Status) error {
	defer s.noteChange(ctx)
	if err := s.writer(ctx).Model(m).Updates(map[string]any{"status": to, "updated_at": s.now()}).Error; err != nil {
		return fmt.Errorf("store: unable to change member status: %w", err)
	}
	m.Status = to
	return nil
}

// CountMembershipsNotAdministeredBy counts the user's active memberships in organizations
// other than orgID where adminUserID is not an active Owner or Admin. Second factors belong
// to the account, so an admin may reset them only when this is 0.
func (s *Store) CountMembershipsNotAdministeredBy(ctx context.Context, userID, orgID, adminUserID int64) (int, error) {
	var n int64
	err := s.reader(ctx).Table("memberships AS m").Where("m.user_id = ? AND m.org_id <> ? AND m.status = ?", userID, orgID, models.StatusActive).
		Where(`NOT EXISTS (SELECT 1 FROM memberships a JOIN membership_roles r ON r.membership_id = a.id
			WHERE a.org_id = m.org_id AND a.user_id = ? AND a.status = ? AND r.role IN ?)`,
			adminUserID, models.StatusActive, []models.Role{models.RoleOwner, models.RoleAdmin}).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to count memberships: %w", err)
	}
	return int(n), nil
}

// ClearMFA removes every second factor, recovery code and pending challenge of the user and
// ends all their sessions, so they enroll again at their next login.
func (s *Store) ClearMFA(ctx context.Context, userID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := clearMFA(tx, userID); err != nil {
			return err
		}
		return tx.Where("user_id = ?", userID).Delete(&models.Session{}).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to reset MFA: %w", err)
	}
	return nil
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
