package models

import (
	"strconv"
	"strings"
	"time"
)

// MaxDepartmentLen caps a department's name, as the Department field always was.
const MaxDepartmentLen = MaxFieldLen

// Department is one entry of an organization's managed list of departments.
type Department struct {
	ID        int64
	OrgID     int64
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Members   int64 `gorm:"-"` // memberships in it, in any status (loaded for the Departments page)
}

// DepartmentRequest is the Create and Rename department forms.
type DepartmentRequest struct {
	Name string
}

// Validate trims the name and returns what is wrong.
func (r *DepartmentRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	var msg string
	if r.Name, msg = CleanText(r.Name, MaxDepartmentLen, "Name"); msg != "" {
		errs.Add("name", msg)
	} else if r.Name == "" {
		errs.Add("name", "Enter a name.")
	}
	return errs
}

// DepartmentNamed finds name in list, trimmed, spelled the same or else compared without case
// ("" finds nothing).
func DepartmentNamed(list []Department, name string) *Department {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	for i := range list {
		if strings.EqualFold(list[i].Name, name) {
			return &list[i]
		}
	}
	return nil
}

// DepartmentChoices says which departments there are, for a message: "use one of Ops, Sales".
func DepartmentChoices(list []Department) string {
	if len(list) == 0 {
		return "there are no departments yet (Owners and Admins add them on the Departments page)"
	}
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.Name
	}
	return "use one of " + joinShort(names, 20)
}

// ResolveDepartment finds the department named name (trimmed, without case) in list: its id
// and its name as the list spells it, or a message when there is none. "" is no department.
func ResolveDepartment(name string, list []Department) (*int64, string, string) {
	if strings.TrimSpace(name) == "" {
		return nil, "", ""
	}
	d := DepartmentNamed(list, name)
	if d == nil {
		return nil, "", "Unknown department " + strconv.Quote(TruncateUTF8(strings.TrimSpace(name), MaxDepartmentLen)) + ": " + DepartmentChoices(list) + "."
	}
	id := d.ID
	return &id, d.Name, ""
}
