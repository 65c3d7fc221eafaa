package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"gatehouse/models"
)

// ListDepartments returns the organization's departments by name.
func (s *Store) ListDepartments(ctx context.Context, orgID int64) ([]models.Department, error) {
	var out []models.Department
	if err := s.reader(ctx).Where("org_id = ?", orgID).Order("name").Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list departments: %w", err)
	}
	return out, nil
}

// CountDepartmentMembers sets each department's Members: its memberships in any status,
// counted on memberships_by_department.
func (s *Store) CountDepartmentMembers(ctx context.Context, list []models.Department) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	var rows []struct {
		DepartmentID int64
		N            int64
	}
	err := s.reader(ctx).Table("memberships").Select("department_id, COUNT(*) AS n").
		Where("org_id = ? AND department_id IN ?", list[0].OrgID, ids).Group("department_id").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("store: unable to count department members: %w", err)
	}
	n := make(map[int64]int64, len(rows))
	for _, r := range rows {
		n[r.DepartmentID] = r.N
	}
	for i := range list {
		list[i].Members = n[list[i].ID]
	}
	return nil
}

// FindDepartment returns one of the organization's departments: another organization's id
// is models.ErrNotFound, as an unknown one.
func (s *Store) FindDepartment(ctx context.Context, orgID, id int64) (*models.Department, error) {
	var d models.Department
	if err := s.reader(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&d).Error; err != nil {
		if err = notFound(err); err == models.ErrNotFound {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find department: %w", err)
	}
	return &d, nil
}

// CreateDepartment stores a new department.
func (s *Store) CreateDepartment(ctx context.Context, d *models.Department) error {
	d.CreatedAt, d.UpdatedAt = s.now(), s.now()
	if err := s.writer(ctx).Create(d).Error; err != nil {
		return fmt.Errorf("store: unable to create department: %w", err)
	}
	return nil
}

// RenameDepartment changes a department's name: one row, whatever its member count.
func (s *Store) RenameDepartment(ctx context.Context, d *models.Department, name string) error {
	if err := s.writer(ctx).Model(d).Updates(map[string]any{"name": name, "updated_at": s.now()}).Error; err != nil {
		return fmt.Errorf("store: unable to rename department: %w", err)
	}
	d.Name = name
	return nil
}

// DeleteDepartment moves the department's members to the department to (nil: none) and
// deletes it. It returns how many members moved.
func (s *Store) DeleteDepartment(ctx context.Context, d *models.Department, to *int64) (int64, error) {
	db := s.writer(ctx)
	res := db.Table("memberships").Where("department_id = ? AND org_id = ?", d.ID, d.OrgID).
		Updates(map[string]any{"department_id": to, "updated_at": s.now()})
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to move department members: %w", res.Error)
	}
	if err := db.Delete(d).Error; err != nil {
		return 0, fmt.Errorf("store: unable to delete department: %w", err)
	}
	return res.RowsAffected, nil
}

// fillDepartment sets m.Department to the name of its department ("" for none).
func fillDepartment(db *gorm.DB, m *models.Membership) error {
	m.Department = ""
	if m.DepartmentID == nil {
		return nil
	}
	var names []string
	if err := db.Table("departments").Where("id = ?", *m.DepartmentID).Pluck("name", &names).Error; err != nil {
		return err
	}
	if len(names) > 0 {
		m.Department = names[0]
	}
	return nil
}

// DepartmentMembers lists the id and email of the organization's memberships in the
// department, for auditing a change to each.
func (s *Store) DepartmentMembers(ctx context.Context, orgID, deptID int64) ([]models.Membership, error) {
	var out []models.Membership
	err := s.reader(ctx).Select("id, email").Where("department_id = ? AND org_id = ?", deptID, orgID).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list department members: %w", err)
	}
	return out, nil
}
