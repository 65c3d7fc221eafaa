package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestDepartments(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	// The store creates organizations only at setup: an Admin of another organization is Ada
	// acting in an organization that has no departments, with Acme's department ids.
	elsewhere := *f.ada
	elsewhere.Org.ID = f.org.ID + 1000

	t.Run("create: trimmed, unique without case, capped", func(t *testing.T) {
		d, err := f.app.CreateDepartment(ctx, f.ada, models.DepartmentRequest{Name: "  Sales  "}, testMeta)
		if err != nil || d.Name != "Sales" || d.OrgID != f.org.ID {
			t.Fatalf("CreateDepartment = %+v, %v; want Sales in Acme", d, err)
		}
		for name, want := range map[string]string{
			"sales":                  `There is already a department named "Sales".`,
			"   ":                    "Enter a name.",
			strings.Repeat("x", 201): "Name is too long (at most 200 characters).",
			"Bad\x00name":            "Name contains characters that are not allowed.",
		} {
			before := f.state(t)
			_, err := f.app.CreateDepartment(ctx, f.owner, models.DepartmentRequest{Name: name}, testMeta)
			var fe models.FieldErrors
			if !errors.As(err, &fe) || fe["name"] != want {
				t.Errorf("CreateDepartment(%.20q) = %v, want %q", name, err, want)
			}
			f.unchanged(t, before, "a refused department")
		}
		if _, err := f.app.CreateDepartment(ctx, f.ed, models.DepartmentRequest{Name: "Editors"}, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("an Editor creates a department: %v", err)
		}
		list, _ := f.app.ListDepartments(ctx, f.vic)
		if len(list) != 1 || list[0].Name != "Sales" {
			t.Errorf("Acme's departments %+v", list)
		}
	})

	sales := mustDept(t, f, "Sales")
	ops := f.department(t, "Ops")
	for _, e := range []string{"vic@acme.test", "ed@acme.test"} {
		if _, err := f.app.UpdateMemberDetails(ctx, f.owner, f.member(t, e).ID, models.MemberDetailsRequest{Department: "sales"}, testMeta); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("rename: one row, members follow", func(t *testing.T) {
		if _, err := f.app.RenameDepartment(ctx, f.ada, sales.ID, models.DepartmentRequest{Name: "OPS"}, testMeta); !fieldErr(err, "name", `There is already a department named "Ops".`) {
			t.Errorf("rename to another's name: %v", err)
		}
		if _, err := f.app.RenameDepartment(ctx, &elsewhere, sales.ID, models.DepartmentRequest{Name: "Mine"}, testMeta); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("rename another organization's department: %v, want not found", err)
		}
		if _, err := f.app.RenameDepartment(ctx, f.vic, sales.ID, models.DepartmentRequest{Name: "Mine"}, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a Viewer renames: %v", err)
		}
		d, err := f.app.RenameDepartment(ctx, f.ada, sales.ID, models.DepartmentRequest{Name: " Revenue "}, testMeta)
		if err != nil || d.Name != "Revenue" {
			t.Fatalf("rename = %+v, %v", d, err)
		}
		if got := f.member(t, "vic@acme.test"); got.Department != "Revenue" {
			t.Errorf("Vic's department after the rename: %q", got.Department)
		}
		if evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionDepartmentRenamed, Limit: 10}); len(evs) != 1 || evs[0].Detail != `"Sales" → "Revenue"` {
			t.Errorf("rename events %+v", evs)
		}
		if _, err := f.app.FindDepartment(ctx, &elsewhere, sales.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another organization finds Acme's department: %v", err)
		}
	})

	t.Run("filter by department", func(t *testing.T) {
		page, err := f.app.ListMembers(ctx, f.vic, models.MemberFilter{Status: models.StatusActive, DeptID: sales.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got := emailsOf(page.Members); !slices.Equal(got, []string{"ed@acme.test", "vic@acme.test"}) {
			t.Errorf("members of Revenue: %v", got)
		}
		for _, sort := range []models.SortKey{models.SortEmail, models.SortLastLogin} {
			page, _ := f.app.ListMembers(ctx, f.vic, models.MemberFilter{Status: models.StatusActive, DeptID: sales.ID, Sort: sort, Query: "v", Limit: 50})
			if got := emailsOf(page.Members); !slices.Equal(got, []string{"vic@acme.test"}) {
				t.Errorf("searched v by %s: %v", sort, got)
			}
		}
		if page, _ := f.app.ListMembers(ctx, &elsewhere, models.MemberFilter{Status: models.StatusActive, DeptID: sales.ID, Limit: 50}); len(page.Members) != 0 {
			t.Errorf("another organization's department lists %v", emailsOf(page.Members))
		}
		if n, _ := f.app.CountMatching(ctx, f.owner, models.MemberFilter{Status: models.StatusActive, DeptID: sales.ID}); n != 2 {
			t.Errorf("CountMatching = %d, want 2", n)
		}
	})

	t.Run("delete: members moved or cleared", func(t *testing.T) {
		if _, err := f.app.DeleteDepartment(ctx, f.ada, sales.ID, 999999, testMeta); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("move to an unknown department: %v", err)
		}
		if _, err := f.app.DeleteDepartment(ctx, &elsewhere, sales.ID, 0, testMeta); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("delete another organization's department: %v", err)
		}
		if _, err := f.app.DeleteDepartment(ctx, f.ed, sales.ID, 0, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("an Editor deletes: %v", err)
		}
		if _, err := f.app.DeleteDepartment(ctx, f.ada, sales.ID, sales.ID, testMeta); !fieldErr(err, "move_to", "Choose another department, or No department.") {
			t.Errorf("move to itself: %v", err)
		}
		n, err := f.app.DeleteDepartment(ctx, f.ada, sales.ID, ops.ID, testMeta)
		if err != nil || n != 2 {
			t.Fatalf("delete moving to Ops = %d, %v", n, err)
		}
		for _, e := range []string{"vic@acme.test", "ed@acme.test"} {
			m := f.member(t, e)
			if m.Department != "Ops" {
				t.Errorf("%s: department %q, want Ops", e, m.Department)
			}
			if evs := f.auditOf(t, models.ActionDetailsChanged, m.ID); len(evs) == 0 || evs[len(evs)-1].Detail != `department "Revenue" → "Ops"; department "Revenue" deleted` {
				t.Errorf("%s: events %+v", e, evs)
			}
		}
		n, err = f.app.DeleteDepartment(ctx, f.owner, ops.ID, 0, testMeta)
		if err != nil || n != 2 || f.member(t, "vic@acme.test").Department != "" || f.member(t, "vic@acme.test").DepartmentID != nil {
			t.Errorf("delete clearing = %d, %v; Vic %+v", n, err, f.member(t, "vic@acme.test"))
		}
		list, _ := f.app.ListDepartments(ctx, f.owner)
		if len(list) != 0 {
			t.Errorf("left %+v", list)
		}
	})
}

// Import checks the Department column against the list: an unknown one is the row's error
// naming the valid ones (a typo must not file people under a new department).
func TestImportDepartments(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	f.department(t, "Sales")
	f.department(t, "Ops")
	svc := f.importer(t, 0, 0, true)
	p, err := svc.PreviewImport(ctx, f.owner, importCSV(
		",,a@example.com,,Viewer, sales ,,,",
		",,b@example.com,,Viewer,Slaes,,,",
		",,c@example.com,,Viewer,,,,"), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows[0].Outcome != models.RowInvite || p.Rows[2].Outcome != models.RowInvite {
		t.Errorf("rows %+v", p.Rows)
	}
	if r := p.Rows[1]; r.Outcome != models.RowError || r.Message != `Unknown department "Slaes": use one of Ops, Sales.` {
		t.Errorf("unknown department: %+v", r)
	}
}

func mustDept(t *testing.T, f *team, name string) *models.Department {
	t.Helper()
	list, err := f.app.ListDepartments(context.Background(), f.owner)
	if err != nil {
		t.Fatal(err)
	}
	d := models.DepartmentNamed(list, name)
	if d == nil {
		t.Fatalf("no department %q", name)
	}
	return d
}

func fieldErr(err error, field, msg string) bool {
	var fe models.FieldErrors
	return errors.As(err, &fe) && fe[field] == msg
}

func emailsOf(ms []models.Membership) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Email)
	}
	slices.Sort(out)
	return out
}
