package handlers_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/models"
)

// TestBrowserImportFlow onboards people from a spreadsheet as an Owner clicks it: download the
// template, fill two good rows and a bad one, preview (2 to invite, 1 error), confirm, watch the
// import finish, find both under Inactivated with their emails delivered, revoke both with a
// bulk action, and export the Active tab.
func TestBrowserImportFlow(t *testing.T) {
	owner := newBrowser(t)
	app := newTestApp(t)
	mb := app.startMail()
	orgID := app.createOwner("olive@example.com").Org.ID
	openDB(app).departments(orgID, "Research") // the Department column names one of the list

	step(t, owner, "open Gatehouse", chromedp.Navigate(app.Server.URL+"/login"))
	waitPage(t, owner, "Log in")
	fill(t, owner, [2]string{"Email", "olive@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, owner, button("Log in"), "Welcome, Olive")
	clickToPage(t, owner, navLink("Users"), "Users")
	clickToPage(t, owner, chromedp.Search(`//a[normalize-space()="Import users"]`), "Import users")
	assertCleanConsole(t, owner)

	// 1. The template, filled in a "spreadsheet".
	tmpl := download(t, owner, chromedp.Search(`//a[normalize-space()="Download template (CSV)"]`))
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(tmpl, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][2] != "Email" || recs[1][2] != "ada@example.com" {
		t.Fatalf("template %q, %v", recs, err)
	}
	rows := [][]string{recs[0],
		{"Ada", "Lovelace", "ada@example.com", "", "Editor", "Research", "Analyst", "E-1", "London"},
		{"Grace", "Hopper", "grace@example.com", "", "Viewer, Editor", "Research", "", "", ""},
		{"Bad", "Row", "not an email", "", "Viewer", "", "", "", ""},
	}
	path := filepath.Join(t.TempDir(), "team.csv")
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// 2. Upload and preview.
	step(t, owner, "choose the file", chromedp.SetUploadFiles(labelled(t, owner, "Spreadsheet (CSV or Excel .xlsx, at most 5 MB and 5,000 people)"), []string{path}))
	clickToPage(t, owner, button("Preview"), "Import preview")
	shoot(t, owner, "import-preview")
	summary := run(t, owner, "read the summary", chromedp.Text(chromedp.ID("import-summary")))
	if !strings.Contains(summary, "2 people to invite") || !strings.Contains(summary, "1 row with an error") {
		t.Fatalf("preview summary %q", summary)
	}
	if n := app.counts(orgID); n[models.StatusInvited] != 0 {
		t.Fatalf("the preview invited: %v", n)
	}

	// 3. Confirm, and the progress reaches the end (htmx polls the card).
	clickToPage(t, owner, button("Confirm import (2 invitations)"), "Import")
	if _, err := chromedp.Run(owner, chromedp.PollFunction[bool](`function () {
		const p = document.getElementById("import-progress"); return !!p && p.textContent.includes("Import finished");
	}`, chromedp.WithPollingTimeout(pollTimeout))); err != nil {
		t.Fatalf("the import never finished on the page: %v", err)
	}
	progress := run(t, owner, "read the progress", chromedp.Text(chromedp.ID("import-progress")))
	if !strings.Contains(progress, "2 invitations sent") || !strings.Contains(progress, "1 row not imported") {
		t.Errorf("progress %q", progress)
	}
	assertCleanConsole(t, owner)
	shoot(t, owner, "import-done")

	// 4. Both are under Inactivated, and their invitations reached the SMTP server.
	step(t, owner, "open Inactivated", chromedp.Navigate(app.Server.URL+"/users?tab=inactivated"))
	waitPage(t, owner, "Users")
	users := waitUsers(t, owner, "both imported people", func(p usersPage) bool { return len(p.Rows) == 2 })
	for _, r := range users.Rows {
		if e := r.Cells["Email"]; e != "ada@example.com" && e != "grace@example.com" {
			t.Errorf("unexpected row %v", r.Cells)
		}
	}
	for _, to := range []string{"ada@example.com", "grace@example.com"} {
		if m := mb.waitFor(to, 1); !strings.Contains(strings.ToLower(m.Subject), "invit") {
			t.Errorf("email to %s: %q", to, m.Subject)
		}
	}

	// 5. Select both with "Select all on this page" and revoke them, confirming first.
	step(t, owner, "select all on the page", chromedp.Click(chromedp.CSS(`input[data-select-all]`)))
	if n := run(t, owner, "count ticked rows", chromedp.Evaluate[int](`document.querySelectorAll('input[name="ids"]:checked').length`)); n != 2 {
		t.Fatalf("%d rows ticked after Select all, want 2", n)
	}
	step(t, owner, "choose Revoke", chromedp.SetValue(labelled(t, owner, "Selected members"), "revoke"))
	clickToPage(t, owner, button("Apply to selected"), "Revoke invitation 2 members?")
	clickToPage(t, owner, button("Revoke invitation 2 members"), "Revoke invitation: done")
	if got := run(t, owner, "read the result", chromedp.Text(chromedp.CSS(".lede"))); !strings.Contains(got, "2 members succeeded") {
		t.Errorf("bulk result %q", got)
	}
	if n := app.counts(orgID)[models.StatusInvited]; n != 0 {
		t.Errorf("%d still invited after the bulk revoke", n)
	}
	assertCleanConsole(t, owner)

	// 6. Export the Active tab and read the file.
	step(t, owner, "open Active", chromedp.Navigate(app.Server.URL+"/users?tab=active"))
	waitPage(t, owner, "Users")
	step(t, owner, "narrow the window to 390 px", chromedp.EmulateViewport(390, 844))
	shoot(t, owner, "users-390")
	out := download(t, owner, chromedp.Search(`//a[normalize-space()="Export CSV"]`))
	exp, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(exp) != 2 || exp[0][1] != "Email" || exp[1][1] != "olive@example.com" || exp[1][3] != "Active" {
		t.Errorf("export %q, %v", exp, err)
	}
}
