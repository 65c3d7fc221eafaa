package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// Departments lists the organization's departments with their member counts.
func (h *Handler) Departments(c echo.Context) error {
	return h.departmentsPage(c, http.StatusOK, "", "")
}

func (h *Handler) departmentsPage(c echo.Context, status int, name, errMsg string) error {
	list, err := h.app.DepartmentsWithCounts(c.Request().Context(), current(c))
	if err != nil {
		return err
	}
	return h.render(c, status, views.DepartmentsPage(views.DepartmentsView{Departments: list, Name: name, Error: errMsg}))
}

// CreateDepartment adds a department; a refused name comes back beside the field, as typed.
func (h *Handler) CreateDepartment(c echo.Context) error {
	req := models.DepartmentRequest{Name: c.FormValue("name")}
	d, err := h.app.CreateDepartment(c.Request().Context(), current(c), req, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.departmentsPage(c, http.StatusUnprocessableEntity, c.FormValue("name"), errs["name"])
	}
	if err != nil {
		return err
	}
	h.flash(c, "Department "+d.Name+" added.")
	return redirect(c, "/departments")
}

// department is the :id department of the route with its member count; another
// organization's id is not found.
func (h *Handler) department(c echo.Context) (*models.Department, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	ctx, cur := c.Request().Context(), current(c)
	d, err := h.app.FindDepartment(ctx, cur, id)
	if err != nil {
		return nil, err
	}
	list, err := h.app.DepartmentsWithCounts(ctx, cur)
	for _, o := range list {
		if o.ID == d.ID {
			d.Members = o.Members
		}
	}
	return d, err
}

// RenameDepartmentForm shows the Rename dialog.
func (h *Handler) RenameDepartmentForm(c echo.Context) error {
	d, err := h.department(c)
	if err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.RenameDepartmentDialog(*d, d.Name, ""))
}

// RenameDepartment renames a department.
func (h *Handler) RenameDepartment(c echo.Context) error {
	d, err := h.department(c)
	if err != nil {
		return err
	}
	_, err = h.app.RenameDepartment(c.Request().Context(), current(c), d.ID, models.DepartmentRequest{Name: c.FormValue("name")}, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.RenameDepartmentDialog(*d, c.FormValue("name"), errs["name"]))
	}
	if err != nil {
		return err
	}
	return h.done(c, "Department "+d.Name+" renamed.", "/departments")
}

// DeleteDepartmentForm asks where the department's members go before deleting it.
func (h *Handler) DeleteDepartmentForm(c echo.Context) error {
	d, others, err := h.deleteChoices(c)
	if err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.DeleteDepartmentDialog(*d, others, "", ""))
}

// DeleteDepartment deletes a department, its members moved to the one chosen or to none.
func (h *Handler) DeleteDepartment(c echo.Context) error {
	d, others, err := h.deleteChoices(c)
	if err != nil {
		return err
	}
	moveTo, _ := strconv.ParseInt(c.FormValue("move_to"), 10, 64)
	n, err := h.app.DeleteDepartment(c.Request().Context(), current(c), d.ID, moveTo, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.DeleteDepartmentDialog(*d, others, c.FormValue("move_to"), errs["move_to"]))
	}
	if err != nil {
		return err
	}
	msg := "Department " + d.Name + " deleted."
	if n > 0 {
		to := "no department"
		for _, o := range others {
			if o.ID == moveTo {
				to = o.Name
			}
		}
		msg += " " + strconv.Itoa(n) + " members moved to " + to + "."
	}
	return h.done(c, msg, "/departments")
}

func (h *Handler) deleteChoices(c echo.Context) (*models.Department, []models.Department, error) {
	d, err := h.department(c)
	if err != nil {
		return nil, nil, err
	}
	list, err := h.app.ListDepartments(c.Request().Context(), current(c))
	var others []models.Department
	for _, o := range list {
		if o.ID != d.ID {
			others = append(others, o)
		}
	}
	return d, others, err
}
