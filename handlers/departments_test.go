package handlers_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

func deptPath(id int64, action string) string {
	return "/departments/" + strconv.FormatInt(id, 10) + "/" + action
}

// setDept files members under a department straight in the database.
func (d *testDB) setDept(dept *models.Department, ms ...models.Membership) {
	d.t.Helper()
	for _, m := range ms {
		var id any
		if dept != nil {
			id = dept.ID
		}
		if err := d.db.Model(&models.Membership{}).Where("id = ?", m.ID).Update("department_id", id).Error; err != nil {
			d.t.Fatal(err)
		}
	}
}

func TestDepartmentsPage(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	other := db.orgNamed("Globex")
	theirs := db.departments(other.ID, "Theirs")[0]
	vic := db.addMember(orgID, "vic@example.com", models.RoleViewer)

	p := c.get("/departments")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Departments" || p.href(`nav a[href="/departments"]`) == "" {
		t.Fatalf("GET /departments: %d %q, or no link in the navigation", p.StatusCode, p.text("h1"))
	}
	p = c.post("/departments", url.Values{"name": {"  Sales  "}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/departments" {
		t.Fatalf("add: %d to %q", p.StatusCode, p.location())
	}
	p = c.get("/departments")
	if got := p.text("tbody td.wrap"); got != "Sales" || !strings.Contains(p.flashText(), "Department Sales added.") {
		t.Errorf("listed %q, flash %q", got, p.flashText())
	}
	for name, want := range map[string]string{"sales": `There is already a department named "Sales".`, strings.Repeat("x", 201): "too long", "": "Enter a name."} {
		p := c.post("/departments", url.Values{"name": {name}})
		msg, described := p.fieldError("name")
		if v, _ := p.inputValue("name"); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, want) || !described || v != name {
			t.Errorf("add %.20q: %d %q (described %v), kept %.20q", name, p.StatusCode, msg, described, v)
		}
	}
	list := app.departments(orgID)
	sales := list[0]
	ops := db.departments(orgID, "Ops")[0]
	db.setDept(&sales, vic)

	// Rename, in its dialog; another organization's department is not found.
	if p := c.get(deptPath(sales.ID, "rename")); p.StatusCode != http.StatusOK {
		t.Errorf("rename dialog: %d", p.StatusCode)
	}
	if p := c.post(deptPath(sales.ID, "rename"), url.Values{"name": {"OPS"}}); p.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("rename to Ops' name: %d", p.StatusCode)
	}
	for _, path := range []string{deptPath(theirs.ID, "rename"), deptPath(theirs.ID, "delete"), "/departments/x/rename"} {
		if p := c.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
		if p := c.post(path, url.Values{"name": {"Mine"}}); p.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := c.post(deptPath(sales.ID, "rename"), url.Values{"name": {"Revenue"}}); p.StatusCode != http.StatusSeeOther {
		t.Errorf("rename: %d", p.StatusCode)
	}
	if got := app.member(orgID, vic.ID).Department; got != "Revenue" {
		t.Errorf("Vic's department after the rename: %q", got)
	}

	// Delete: the dialog offers the other departments and none; moving to another
	// organization's department is not found.
	p = c.get(deptPath(sales.ID, "delete"))
	var choices []string
	p.Doc.Find(`select[name="move_to"] option`).Each(func(_ int, s *goquery.Selection) { choices = append(choices, s.Text()) })
	if !slices.Equal(choices, []string{"No department (clear it)", "Ops"}) {
		t.Errorf("move to choices %q", choices)
	}
	if p := c.post(deptPath(sales.ID, "delete"), url.Values{"move_to": {strconv.FormatInt(theirs.ID, 10)}}); p.StatusCode != http.StatusNotFound {
		t.Errorf("move to Globex's department: %d", p.StatusCode)
	}
	p = c.post(deptPath(sales.ID, "delete"), url.Values{"move_to": {strconv.FormatInt(ops.ID, 10)}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.StatusCode)
	}
	if got := app.member(orgID, vic.ID).Department; got != "Ops" {
		t.Errorf("Vic after the delete: %q, want Ops", got)
	}
	if got := app.departments(orgID); len(got) != 1 || got[0].Name != "Ops" {
		t.Errorf("left %+v", got)
	}
	if got := app.departments(other.ID); len(got) != 1 {
		t.Errorf("Globex's departments %+v", got)
	}

	// Editors and Viewers neither see nor use it.
	e := app.newClient()
	db.addMember(orgID, "eve@example.com", models.RoleEditor)
	e.login("eve@example.com", testPassword)
	if p := e.get("/users"); p.href(`nav a[href="/departments"]`) != "" {
		t.Error("an Editor is offered Departments")
	}
	for _, p := range []*page{e.get("/departments"), e.post("/departments", url.Values{"name": {"Mine"}}), e.post(deptPath(ops.ID, "delete"), nil)} {
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("an Editor %s %s: %d", p.Request.Method, p.Request.URL.Path, p.StatusCode)
		}
	}
}

func (a *testApp) departments(orgID int64) []models.Department {
	a.t.Helper()
	list, err := a.Store.ListDepartments(a.t.Context(), orgID)
	if err != nil {
		a.t.Fatal(err)
	}
	return list
}

// The Users page filters by department; the export of one department holds only its members;
// the invite dialog and Edit details choose from the list.
func TestDepartmentFilterAndExport(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	depts := db.departments(orgID, "R&D", "Sales")
	ms := db.addMembers(orgID, member{Email: "ann@example.com", First: "Ann"}, member{Email: "bob@example.com", First: "Bob"},
		member{Email: "cy@example.com", First: "Cy"})
	db.setDept(&depts[0], ms[0], ms[1])
	db.setDept(&depts[1], ms[2])

	p := c.get(fmt.Sprintf("/users?tab=active&dept=%d", depts[0].ID))
	if got := p.emails(); !slices.Equal(got, []string{"ann@example.com", "bob@example.com"}) {
		t.Errorf("R&D lists %v", got)
	}
	if v, _ := p.inputValue("dept"); v != strconv.FormatInt(depts[0].ID, 10) {
		t.Errorf("the filter shows %q", v)
	}
	href := p.href(`.export-links a[href^="/users/export.csv"]`)
	if !strings.Contains(href, "dept="+strconv.FormatInt(depts[0].ID, 10)) {
		t.Fatalf("export link %q lacks the department", href)
	}
	res := c.get(href)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "ann@example.com" || recs[2][1] != "bob@example.com" || recs[1][2] != "R&D" {
		t.Errorf("export %q", recs)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "gatehouse-active-rd-members.csv") {
		t.Errorf("file name %q", cd)
	}
	if got := c.get("/users?tab=active&dept=999999").emails(); len(got) != 4 {
		t.Errorf("an unknown department filters: %v", got)
	}

	// The invite dialog and Edit details offer the list, "No department" first.
	for _, path := range []string{"/users/invite", fmt.Sprintf("/users/%d/details", ms[2].ID)} {
		p := c.get(path)
		var opts []string
		p.Doc.Find(`select[name="department"] option`).Each(func(_ int, s *goquery.Selection) { opts = append(opts, s.Text()) })
		if !slices.Equal(opts, []string{"No department", "R&D", "Sales"}) {
			t.Errorf("%s offers %q", path, opts)
		}
	}
	if v, _ := c.get(fmt.Sprintf("/users/%d/details", ms[2].ID)).inputValue("department"); v != "Sales" {
		t.Errorf("Edit details shows %q selected, want Sales", v)
	}
	p = c.post(fmt.Sprintf("/users/%d/details", ms[2].ID), url.Values{"department": {"Marketing"}})
	if msg, _ := p.fieldError("department"); p.StatusCode != http.StatusUnprocessableEntity || msg != "Choose a department from the list." {
		t.Errorf("an unknown department: %d %q", p.StatusCode, msg)
	}
	_ = app
}

// Bulk Edit details on the Active tab, of ticked rows and of every member matching the filter.
func TestBulkEditDetails(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	depts := db.departments(orgID, "Ops", "Sales")
	var specs []member
	for i := range 60 {
		specs = append(specs, member{Email: fmt.Sprintf("m%02d@example.com", i), First: "M", Last: fmt.Sprintf("%02d", i)})
	}
	ms := db.addMembers(orgID, specs...)
	db.setDept(&depts[1], ms[:55]...)
	other := db.orgNamed("Globex")
	stranger := db.addMember(other.ID, "gina@globex.example", models.RoleViewer)
	ids := func(list ...models.Membership) []string {
		var out []string
		for _, m := range list {
			out = append(out, strconv.FormatInt(m.ID, 10))
		}
		return out
	}

	// Ticked rows: the form first, then the result.
	c.get("/users?tab=active")
	form := url.Values{"tab": {"active"}, "action": {"edit_details"}, "scope": {"selected"}, "ids": append(ids(ms[0], ms[1]), strconv.FormatInt(stranger.ID, 10))}
	p := c.post("/users/bulk", form)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text("h1"), "Edit details of 3 members") {
		t.Fatalf("bulk edit form: %d %q %q", p.StatusCode, p.text("h1"), p.text("main"))
	}
	for _, name := range []string{"department_op", "position_op", "location_op"} {
		if p.Doc.Find(`input[type=radio][name="`+name+`"]`).Length() != 3 {
			t.Errorf("no Leave unchanged / Set / Clear for %s", name)
		}
	}
	if p.Doc.Find(`[name="job_id"], [name="email"], [name="first_name"]`).Length() != 0 {
		t.Error("bulk edit offers a field that is the members' own")
	}
	form.Set("confirm", "1")
	form.Set("position_op", "set")
	form.Set("position", "  ")
	if p := c.post("/users/bulk", form); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".field-error"), "Enter the new position") {
		t.Errorf("Set without a value: %d %q", p.StatusCode, p.text(".field-error"))
	}
	form.Set("position", "Lead")
	form.Set("department_op", "set")
	form.Set("department", "Ops")
	p = c.post("/users/bulk", form)
	if !strings.Contains(p.text(".lede"), "2 members succeeded, 1 was refused") || !strings.Contains(p.text("tbody"), "No longer in the organization.") {
		t.Errorf("result %q / %q", p.text(".lede"), p.text("tbody"))
	}
	for _, m := range ms[:2] {
		if got := app.member(orgID, m.ID); got.Department != "Ops" || got.Position != "Lead" {
			t.Errorf("%s: %s", m.Email, memberLine(got))
		}
	}
	if got := app.member(other.ID, stranger.ID); got.Position != "" || got.DepartmentID != nil {
		t.Errorf("Globex's member changed: %s", memberLine(got))
	}

	// Every member matching: Sales has 53 now, over a page of 50.
	p = c.get(fmt.Sprintf("/users?tab=active&dept=%d", depts[1].ID))
	btn := p.Doc.Find(`#bulk-form button[name="scope"][value="matching"]`)
	if got := strings.TrimSpace(btn.Text()); got != "Apply to all 53 matching" {
		t.Fatalf("matching button %q", got)
	}
	if v, _ := p.Doc.Find(`#bulk-form input[name="dept"]`).Attr("value"); v != strconv.FormatInt(depts[1].ID, 10) {
		t.Errorf("the bulk form carries dept %q", v)
	}
	match := url.Values{"tab": {"active"}, "action": {"edit_details"}, "scope": {"matching"}, "dept": {strconv.FormatInt(depts[1].ID, 10)}}
	p = c.post("/users/bulk", match)
	if !strings.Contains(p.text("h1"), "Edit details of 53 members") || p.Doc.Find(`input[name="ids"]`).Length() != 0 {
		t.Fatalf("matching form: %q", p.text("h1"))
	}
	// One more joins Sales before the confirm: the filter is read again.
	db.setDept(&depts[1], ms[59])
	match.Set("confirm", "1")
	match.Set("location_op", "set")
	match.Set("location", "Rome")
	p = c.post("/users/bulk", match)
	if !strings.Contains(p.text(".lede"), "54 members succeeded") {
		t.Errorf("matching result %q", p.text(".lede"))
	}
	for i, m := range ms {
		inSales := i >= 2 && i < 55 || i == 59
		if got := app.member(orgID, m.ID); (got.Location == "Rome") != inSales {
			t.Errorf("%s (Sales %v): location %q", m.Email, inSales, got.Location)
		}
	}
	if evs := app.auditDetails(orgID, models.ActionBulk); len(evs) != 2 || !strings.HasPrefix(evs[0], "edit details: 54 of 54 succeeded; bulk ") {
		t.Errorf("bulk events %q", evs)
	}

	// Another action on every member matching a search: confirmed first, carrying the search.
	term := url.Values{"tab": {"active"}, "action": {"terminate"}, "scope": {"matching"}, "q": {"m 0"}}
	p = c.post("/users/bulk", term)
	if !strings.Contains(p.text("h1"), "Terminate 10 members?") || p.Doc.Find(`form input[name="ids"]`).Length() != 0 {
		t.Fatalf("confirm %q", p.text("h1"))
	}
	if v, _ := p.Doc.Find(`form input[name="q"]`).Attr("value"); v != "m 0" {
		t.Errorf("the confirmation carries q %q", v)
	}
	term.Set("confirm", "1")
	if p := c.post("/users/bulk", term); !strings.Contains(p.text(".lede"), "10 members succeeded") {
		t.Errorf("terminate matching: %q", p.text(".lede"))
	}
	if n := app.counts(orgID)[models.StatusTerminated]; n != 10 {
		t.Errorf("%d terminated, want the 10 matching", n)
	}

	// Editors may not.
	e := app.newClient()
	db.addMember(orgID, "eve@example.com", models.RoleEditor)
	e.login("eve@example.com", testPassword)
	if p := e.get("/users?tab=active"); p.Doc.Find(`option[value="edit_details"]`).Length() != 0 {
		t.Error("an Editor is offered bulk Edit details")
	}
	form.Del("_csrf")
	if p := e.post("/users/bulk", form); p.StatusCode != http.StatusForbidden || strings.Contains(p.Body, "another site") {
		t.Errorf("an Editor's bulk edit: %d %q", p.StatusCode, p.text("main"))
	}
}
