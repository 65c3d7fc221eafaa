package handlers_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/models"
)

// TestBrowserDepartments follows an Owner through departments as clicked: create Research on
// the Departments page, invite someone into it, bulk-edit two active members into it (and a
// location) from the Users page, filter the Users page by it, and export that department.
func TestBrowserDepartments(t *testing.T) {
	owner := newBrowser(t)
	axe := axeSource(t)
	app := newTestApp(t)
	app.startMail()
	orgID := app.createOwner("olive@example.com").Org.ID
	db := openDB(app)
	db.addMembers(orgID, member{Email: "ann@example.com", First: "Ann", Last: "Able"}, member{Email: "bob@example.com", First: "Bob", Last: "Baker"},
		member{Email: "cy@example.com", First: "Cy", Last: "Cole"})

	step(t, owner, "open Gatehouse", chromedp.Navigate(app.Server.URL+"/login"))
	waitPage(t, owner, "Log in")
	fill(t, owner, [2]string{"Email", "olive@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, owner, button("Log in"), "Welcome, Olive")

	// 1. Create Research on the Departments page.
	clickToPage(t, owner, navLink("Departments"), "Departments")
	fill(t, owner, [2]string{"New department", " Research "})
	clickToPage(t, owner, button("Add department"), "Departments")
	assertFlash(t, owner, "Department Research added.")
	axeScan(t, owner, axe, "the Departments page")
	shoot(t, owner, "departments-1280")
	assertCleanConsole(t, owner)

	// 2. Invite someone into it.
	clickToPage(t, owner, navLink("Users"), "Users")
	openDialog(t, owner, chromedp.Search(`//a[normalize-space()="Invite users"]`), "Invite users")
	step(t, owner, "paste the email", chromedp.Focus(labelled(t, owner, "Emails")), paste("dee@example.com"))
	step(t, owner, "choose Research", chromedp.SetValue(chromedp.CSS(`#modal select[name="department"]`), "Research")) // the Users page's filter is labelled Department too
	replaceDialog(t, owner, dialogButton("Send invitations"), "Invitations")
	if m := app.memberByEmail(db, orgID, "dee@example.com"); m == nil || m.Department != "Research" || m.Status != models.StatusInvited {
		t.Fatalf("the invited member: %+v", m)
	}

	// 3. Bulk-edit Ann and Bob: department Research, location Oslo, position left alone.
	step(t, owner, "open Active", chromedp.Navigate(app.Server.URL+"/users?tab=active"))
	waitPage(t, owner, "Users")
	for _, who := range []string{"Ann Able", "Bob Baker"} {
		step(t, owner, "tick "+who, chromedp.Click(chromedp.CSS(`input[aria-label="Select `+who+`"]`)))
	}
	step(t, owner, "choose Edit details", chromedp.SetValue(labelled(t, owner, "Selected members"), "edit_details"))
	clickToPage(t, owner, button("Apply to selected"), "Edit details of 2 members")
	axeScan(t, owner, axe, "the bulk Edit details page")
	step(t, owner, "set the department", chromedp.Click(chromedp.CSS(`input[name="department_op"][value="set"]`)))
	step(t, owner, "choose Research", chromedp.SetValue(labelled(t, owner, "New Department"), "Research"))
	step(t, owner, "set the location", chromedp.Click(chromedp.CSS(`input[name="location_op"][value="set"]`)))
	fill(t, owner, [2]string{"New Location", "Oslo"})
	shoot(t, owner, "bulk-edit-1280")
	clickToPage(t, owner, button("Save details of 2 members"), "Edit details: done")
	if got := run(t, owner, "read the result", chromedp.Text(chromedp.CSS(".lede"))); !strings.Contains(got, "2 members succeeded") {
		t.Errorf("bulk result %q", got)
	}
	for _, e := range []string{"ann@example.com", "bob@example.com"} {
		if m := app.memberByEmail(db, orgID, e); m.Department != "Research" || m.Location != "Oslo" {
			t.Errorf("%s: %s", e, memberLine(m))
		}
	}
	if m := app.memberByEmail(db, orgID, "cy@example.com"); m.Department != "" {
		t.Errorf("Cy, not ticked, changed: %s", memberLine(m))
	}

	// 4. Filter the Active tab by Research (htmx swaps the results in place).
	step(t, owner, "open Active", chromedp.Navigate(app.Server.URL+"/users?tab=active"))
	waitPage(t, owner, "Users")
	markResults(t, owner)
	step(t, owner, "filter by Research", chromedp.Evaluate[chromedp.Void](`(function () {
		const s = document.getElementById("dept-filter");
		s.value = Array.from(s.options).find(o => o.text === "Research").value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	waitSwappedResults(t, owner, "filter by Research", "Bob Baker")
	users := readUsersPage(t, owner)
	if len(users.Rows) != 2 {
		t.Fatalf("Research lists %d rows: %+v", len(users.Rows), users.Rows)
	}
	for _, r := range users.Rows {
		if r.Cells["Department"] != "Research" {
			t.Errorf("row %v", r.Cells)
		}
	}
	if u := location(t, owner); u.Query().Get("dept") == "" {
		t.Errorf("the address %s does not keep the filter", u)
	}

	// 5. Export that department, from the page as it now stands.
	step(t, owner, "reload with the filter", chromedp.Reload())
	waitPage(t, owner, "Users")
	out := download(t, owner, chromedp.Search(`//a[normalize-space()="Export CSV"]`))
	exp, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(exp) != 3 || exp[1][1] != "ann@example.com" || exp[2][1] != "bob@example.com" || exp[1][2] != "Research" || exp[2][2] != "Research" {
		t.Errorf("export %q, %v", exp, err)
	}
	assertCleanConsole(t, owner)

	// 6. The pages on a phone.
	step(t, owner, "narrow the window to 390 px", chromedp.EmulateViewport(390, 844))
	shoot(t, owner, "users-by-department-390")
	noSideways(t, owner, "Users by department at 390 px")
	step(t, owner, "open Departments", chromedp.Navigate(app.Server.URL+"/departments"))
	waitPage(t, owner, "Departments")
	noSideways(t, owner, "Departments at 390 px")
	shoot(t, owner, "departments-390")
}
