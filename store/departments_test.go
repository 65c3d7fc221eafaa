package store

import (
	"context"
	"slices"
	"testing"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// The migration to managed departments keeps every member's department: each organization's
// distinct texts become its departments (exact text), members point at theirs by id.
func TestDepartmentsMigration(t *testing.T) {
	ctx := context.Background()
	s, err := open(Options{Path: testdb.Path(t, "old.db"), Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := slices.IndexFunc(sqliteMigrations, func(m migration) bool { return m.name == "departments" })
	if err := s.migrate(ctx, s.d.migrations()[:before]); err != nil {
		t.Fatal(err)
	}
	acme, globex := mustCreateOrg(t, s, "Acme"), mustCreateOrg(t, s, "Globex")
	type row struct {
		org         int64
		email, dept string
	}
	rows := []row{{acme.ID, "a@x.test", "Sales"}, {acme.ID, "b@x.test", "Sales"}, {acme.ID, "c@x.test", "sales"},
		{acme.ID, "d@x.test", ""}, {globex.ID, "e@x.test", "Sales"}}
	for _, r := range rows {
		m := mustInsertMember(t, s, models.Membership{OrgID: r.org, Email: r.email, Status: models.StatusActive})
		if err := s.w.Exec("UPDATE memberships SET department = ? WHERE id = ?", r.dept, m.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.migrate(ctx, s.d.migrations()); err != nil {
		t.Fatal(err)
	}
	for org, want := range map[int64][]string{acme.ID: {"Sales", "sales"}, globex.ID: {"Sales"}} {
		list, err := s.ListDepartments(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range list {
			names = append(names, d.Name)
		}
		if len(names) != len(want) || names[0] != want[0] || names[len(names)-1] != want[len(want)-1] {
			t.Errorf("org %d departments %q, want %q", org, names, want)
		}
	}
	for _, r := range rows {
		m := membershipOf(t, s, r.org, r.email)
		if m.Department != r.dept || (r.dept == "") != (m.DepartmentID == nil) {
			t.Errorf("%s: department %q (id %v), want %q", r.email, m.Department, m.DepartmentID, r.dept)
		}
	}
	if got := membershipOf(t, s, globex.ID, "e@x.test"); got.DepartmentID != nil && *got.DepartmentID == *membershipOf(t, s, acme.ID, "a@x.test").DepartmentID {
		t.Error("two organizations share a department")
	}
}
