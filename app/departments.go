package app

import (
	"context"
	"fmt"
	"strconv"

	"gatehouse/models"
)

// ListDepartments returns the organization's departments by name: the choices of the Users
// page filter, the invite dialog and Edit details.
func (s *Service) ListDepartments(ctx context.Context, cur *models.Current) ([]models.Department, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.ListDepartments(ctx, cur.Org.ID)
}

// DepartmentsWithCounts is the Departments page: the departments with how many members each
// has. Owners and Admins only.
func (s *Service) DepartmentsWithCounts(ctx context.Context, cur *models.Current) ([]models.Department, error) {
	if !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	list, err := s.st.ListDepartments(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	return list, s.st.CountDepartmentMembers(ctx, list)
}

// FindDepartment returns one of the organization's departments for its rename or delete
// dialog; another organization's id is models.ErrNotFound.
func (s *Service) FindDepartment(ctx context.Context, cur *models.Current, id int64) (*models.Department, error) {
	if !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	return s.st.FindDepartment(ctx, cur.Org.ID, id)
}

// CreateDepartment adds a department to the organization's list. Its name is trimmed, at most
// models.MaxDepartmentLen characters, and unlike every other department's, case aside.
func (s *Service) CreateDepartment(ctx context.Context, cur *models.Current, req models.DepartmentRequest, meta models.Meta) (*models.Department, error) {
	if !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	d := &models.Department{OrgID: cur.Org.ID, Name: req.Name}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkDepartmentName(ctx, cur, 0, req.Name); err != nil {
			return err
		}
		if err := s.st.CreateDepartment(ctx, d); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionDepartmentCreated, strconv.Quote(d.Name)), meta)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// RenameDepartment renames one of the organization's departments: one row is written, its
// members follow by id.
func (s *Service) RenameDepartment(ctx context.Context, cur *models.Current, id int64, req models.DepartmentRequest, meta models.Meta) (*models.Department, error) {
	if !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	var d *models.Department
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.st.FindDepartment(ctx, cur.Org.ID, id); err != nil {
			return err
		}
		if d.Name == req.Name {
			return nil
		}
		if err := s.checkDepartmentName(ctx, cur, id, req.Name); err != nil {
			return err
		}
		old := d.Name
		if err := s.st.RenameDepartment(ctx, d, req.Name); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionDepartmentRenamed, fmt.Sprintf("%q → %q", old, d.Name)), meta)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDepartment deletes one of the organization's departments; its members move to the
// department moveTo, or have none when moveTo is 0. Each member moved gets an audit event
// naming the deletion, and the deletion one with the count. It returns how many moved.
func (s *Service) DeleteDepartment(ctx context.Context, cur *models.Current, id, moveTo int64, meta models.Meta) (int, error) {
	if !cur.Can(models.PermManageMembers) {
		return 0, models.ErrForbidden
	}
	if moveTo == id {
		return 0, models.FieldErrors{"move_to": "Choose another department, or No department."}
	}
	n := 0
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		d, err := s.st.FindDepartment(ctx, cur.Org.ID, id)
		if err != nil {
			return err
		}
		var to *int64
		toName := ""
		if moveTo != 0 {
			target, err := s.st.FindDepartment(ctx, cur.Org.ID, moveTo)
			if err != nil {
				return err
			}
			to, toName = &target.ID, target.Name
		}
		members, err := s.st.DepartmentMembers(ctx, cur.Org.ID, d.ID)
		if err != nil {
			return err
		}
		if _, err := s.st.DeleteDepartment(ctx, d, to); err != nil {
			return err
		}
		n = len(members)
		m := meta
		m.Via = "department " + strconv.Quote(d.Name) + " deleted"
		for i := range members {
			detail := fmt.Sprintf("department %q → %q", d.Name, toName)
			if err := s.st.Audit(ctx, cur.EventOn(models.ActionDetailsChanged, &members[i], detail), m); err != nil {
				return err
			}
		}
		detail := strconv.Quote(d.Name) + ": " + strconv.Itoa(n) + " members "
		if to == nil {
			detail += "left without a department"
		} else {
			detail += "moved to " + strconv.Quote(toName)
		}
		return s.st.Audit(ctx, cur.Event(models.ActionDepartmentDeleted, detail), meta)
	})
	return n, err
}

// checkDepartmentName refuses a name another department of the organization (not id) has,
// case aside.
func (s *Service) checkDepartmentName(ctx context.Context, cur *models.Current, id int64, name string) error {
	list, err := s.st.ListDepartments(ctx, cur.Org.ID)
	if err != nil {
		return err
	}
	if d := models.DepartmentNamed(list, name); d != nil && d.ID != id {
		return models.FieldErrors{"name": "There is already a department named " + strconv.Quote(d.Name) + "."}
	}
	return nil
}

// departmentNamed resolves a form's department, a name from the list ("" for none), inside
// the caller's transaction: its id and its name as the list spells it, or a field error.
func (s *Service) departmentNamed(ctx context.Context, cur *models.Current, name string) (*int64, string, error) {
	return s.departmentIn(ctx, cur.Org.ID, name)
}

// departmentIn is departmentNamed for the organization orgID, for people who are not yet its
// members (a signup's required department).
func (s *Service) departmentIn(ctx context.Context, orgID int64, name string) (*int64, string, error) {
	if name == "" {
		return nil, "", nil
	}
	list, err := s.st.ListDepartments(ctx, orgID)
	if err != nil {
		return nil, "", err
	}
	id, spelled, msg := models.ResolveDepartment(name, list)
	if msg != "" {
		return nil, "", models.FieldErrors{"department": "Choose a department from the list."}
	}
	return id, spelled, nil
}
