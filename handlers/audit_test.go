package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// auditRow is one row of the Audit log table, as text.
type auditRow struct {
	Time, Ago, Actor, Action, Target, TargetHref, Detail, IP string
}

// auditRows reads the Audit log table.
func (p *page) auditRows() []auditRow {
	var out []auditRow
	p.Doc.Find("#audit-results tbody tr").Each(func(_ int, tr *goquery.Selection) {
		td := tr.Find("td")
		cell := func(i int) string { return strings.TrimSpace(td.Eq(i).Text()) }
		ago, _ := td.Eq(0).Find("time").Attr("title")
		href, _ := td.Eq(3).Find("a").Attr("href")
		out = append(out, auditRow{Time: cell(0), Ago: ago, Actor: cell(1), Action: cell(2), Target: cell(3), TargetHref: href, Detail: cell(4), IP: cell(5)})
	})
	return out
}

// auditActions lists the Action column, newest first.
func (p *page) auditActions() []string {
	var out []string
	for _, r := range p.auditRows() {
		out = append(out, r.Action)
	}
	return out
}

// writeAudit records an event in org straight through the store, as the app's actions do.
func (a *testApp) writeAudit(orgID int64, ev models.AuditEvent) {
	a.t.Helper()
	ev.OrgID = &orgID
	if err := a.Store.Audit(context.Background(), ev, models.Meta{IP: "198.51.100.9"}); err != nil {
		a.t.Fatal(err)
	}
}

func TestAuditLogShowsLogins(t *testing.T) {
	app, c, _, _ := ownerWithDB(t)
	app.Clock.Advance(5 * time.Minute)
	p := c.get("/audit")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /audit: %d", p.StatusCode)
	}
	if got := p.text("h1"); got != "Audit log" {
		t.Errorf("heading %q", got)
	}
	link := p.Doc.Find(`.nav-section a[href="/audit"]`)
	if strings.TrimSpace(link.Text()) != "Audit log" || link.AttrOr("aria-current", "") != "page" {
		t.Errorf("navigation link to the audit log: %q, aria-current %q", link.Text(), link.AttrOr("aria-current", ""))
	}
	rows := p.auditRows()
	if len(rows) != 2 || rows[1].Action != "Owner added from the command line" || rows[1].Actor != "command line" {
		t.Fatalf("%d rows, want the Owner's login and her creation: %+v", len(rows), rows)
	}
	r := rows[0]
	want := auditRow{Time: "2026-11-24 09:00:00 UTC", Ago: "5 min ago", Actor: "olive@example.com", Action: "Logged in", Target: "olive@example.com", IP: "127.0.0.1"}
	want.TargetHref, want.Detail = r.TargetHref, r.Detail
	if r != want {
		t.Errorf("row = %+v,\nwant %+v", r, want)
	}
	if !strings.HasPrefix(r.TargetHref, "/audit?member=") {
		t.Errorf("target links to %q, want the member's own events", r.TargetHref)
	}
	if p.Doc.Find(".badge").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Logged in" }).Length() != 1 {
		t.Error("the action is not shown as a badge")
	}
	// Filters are labelled and sent by GET, so they work without JavaScript.
	form := p.Doc.Find("form.audit-filter")
	if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/audit" {
		t.Errorf("filter form: method %q action %q", form.AttrOr("method", ""), form.AttrOr("action", ""))
	}
	for label, sel := range map[string]string{"Action": `select[name="action"]`, "Member email": `input[name="email"]`} {
		id := form.Find(sel).AttrOr("id", "")
		if id == "" || strings.TrimSpace(form.Find(`label[for="`+id+`"]`).Text()) != label {
			t.Errorf("%s has no label %q", sel, label)
		}
	}
	options := form.Find(`select[name="action"] option`)
	if options.Length() != len(models.AuditActions)+1 || strings.TrimSpace(options.First().Text()) != "All actions" {
		t.Errorf("%d action options starting %q, want All actions and one per action", options.Length(), options.First().Text())
	}
	if p.Doc.Find(".pager").Length() != 0 {
		t.Error("a single page offers a pager")
	}

	// After logging out and in again, the newest events come first.
	c.post("/logout", nil)
	c.login("olive@example.com", testPassword)
	if got, want := c.get("/audit").auditActions(), []string{"Logged in", "Logged out", "Logged in", "Owner added from the command line"}; !slicesEqual(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestAuditFilterByAction(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	db.addMember(orgID, "ann@example.com", models.RoleAdmin)
	ann := app.newClient()
	ann.login("ann@example.com", testPassword)
	app.newClient().tryLogin("olive@example.com", "wrong password")

	p := c.get("/audit?action=" + string(models.ActionLoginFailed))
	rows := p.auditRows()
	if len(rows) != 1 || rows[0].Action != "Login failed" || rows[0].Target != "olive@example.com" {
		t.Fatalf("failed logins: %+v", rows)
	}
	if got := p.Doc.Find(`select[name="action"] option[selected]`).AttrOr("value", ""); got != string(models.ActionLoginFailed) {
		t.Errorf("selected action %q", got)
	}
	if p.Doc.Find(`a[href="/audit"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Clear filters" }).Length() != 1 {
		t.Error("no Clear filters link")
	}
	if got := c.get("/audit?action=" + string(models.ActionLogin)).auditRows(); len(got) != 2 {
		t.Errorf("logins: %+v, want Olive's and Ann's", got)
	}
	if got := c.get("/audit?action=" + string(models.ActionTerminated)); len(got.auditRows()) != 0 || got.text(".empty") != "No events match these filters." {
		t.Errorf("an action nobody did: %d rows, empty state %q", len(got.auditRows()), got.text(".empty"))
	}
	// An unknown action is ignored: everything is listed, All actions selected.
	all := c.get("/audit?action=nonsense")
	if n := len(all.auditRows()); n != 4 {
		t.Errorf("unknown action lists %d rows, want all 4", n)
	}
	if all.Doc.Find(`select[name="action"] option[selected]`).AttrOr("value", "x") != "" {
		t.Error("unknown action: All actions is not selected")
	}
}

func TestAuditFilterByMember(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	ms := db.addMembers(orgID,
		member{Email: "ann@example.com", First: "Ann", Last: "Admin", Roles: []models.Role{models.RoleAdmin}},
		member{Email: "ivy@example.com", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleViewer}})
	ann, ivy := ms[0], ms[1]
	app.writeAudit(orgID, models.AuditEvent{ActorUserID: ann.UserID, ActorEmail: ann.Email, Action: models.ActionInvited,
		TargetMembershipID: &ivy.ID, TargetEmail: ivy.Email, Detail: "roles Viewer"})
	annClient := app.newClient()
	annClient.login("ann@example.com", testPassword)

	p := c.get("/audit?email=" + url.QueryEscape("  ANN@Example.com "))
	if got, want := p.auditActions(), []string{"Logged in", "Invited"}; !slicesEqual(got, want) {
		t.Errorf("Ann's events %v, want %v", got, want)
	}
	if v, _ := p.inputValue("email"); v != "ann@example.com" {
		t.Errorf("Member email box shows %q", v)
	}
	// Ivy has no account: the events about her, and the Target link leads to the same.
	byEmail := c.get("/audit?email=ivy@example.com")
	rows := byEmail.auditRows()
	if len(rows) != 1 || rows[0].Actor != "ann@example.com" || rows[0].Target != "ivy@example.com" || rows[0].Detail != "roles Viewer" || rows[0].IP != "198.51.100.9" {
		t.Fatalf("Ivy's events: %+v", rows)
	}
	if want := fmt.Sprintf("/audit?member=%d", ivy.ID); rows[0].TargetHref != want {
		t.Errorf("target links to %q, want %q", rows[0].TargetHref, want)
	}
	byID := c.get(rows[0].TargetHref)
	if got := byID.auditRows(); len(got) != 1 || got[0] != rows[0] {
		t.Errorf("by member id: %+v", got)
	}
	if v, _ := byID.inputValue("email"); v != "ivy@example.com" {
		t.Errorf("filtered by id, the Member email box shows %q", v)
	}
	// Member and action together.
	if got := c.get(fmt.Sprintf("/audit?member=%d&action=%s", ann.ID, models.ActionLogin)).auditActions(); !slicesEqual(got, []string{"Logged in"}) {
		t.Errorf("Ann's logins: %v", got)
	}
	none := c.get("/audit?email=nobody@example.com")
	if len(none.auditRows()) != 0 || none.text(".empty") != "No member of Acme has the email “nobody@example.com”." {
		t.Errorf("unknown email: %d rows, message %q", len(none.auditRows()), none.text(".empty"))
	}
}

func TestAuditPages(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	ann := db.addMember(orgID, "ann@example.com", models.RoleAdmin)
	// The Owner's creation and login, then 119 events: every other one is about Ann.
	for i := range 119 {
		ev := models.AuditEvent{ActorEmail: "olive@example.com", Action: models.ActionDetailsChanged, Detail: fmt.Sprintf("change %03d", i)}
		if i%2 == 0 {
			ev.TargetMembershipID, ev.TargetEmail, ev.Action = &ann.ID, ann.Email, models.ActionRolesChanged
		}
		app.writeAudit(orgID, ev)
	}
	walk := func(t *testing.T, first string) (details []string, pages int) {
		t.Helper()
		next := first
		for next != "" {
			if pages++; pages > 10 {
				t.Fatal("pages never end")
			}
			p := c.get(next)
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", next, p.StatusCode)
			}
			rows := p.auditRows()
			if len(rows) > 50 {
				t.Fatalf("GET %s: %d rows, want at most 50", next, len(rows))
			}
			for _, r := range rows {
				details = append(details, r.Detail)
			}
			newest := p.href(`.pager a[rel="first"]`)
			if (pages == 1) != (newest == "") {
				t.Errorf("page %d: ← Newest link %q", pages, newest)
			}
			if newest != "" && newest != first {
				t.Errorf("page %d: ← Newest goes to %q, want %q", pages, newest, first)
			}
			next = p.href(`.pager a[rel="next"]`)
			if next != "" && p.text(`.pager a[rel="next"]`) != "Older →" {
				t.Errorf("older link text %q", p.text(`.pager a[rel="next"]`))
			}
		}
		return details, pages
	}
	t.Run("everything", func(t *testing.T) {
		details, pages := walk(t, "/audit")
		if len(details) != 121 || pages != 3 {
			t.Fatalf("%d events on %d pages, want 121 on 3", len(details), pages)
		}
		seen := map[string]bool{}
		for i, d := range details[:119] {
			if want := fmt.Sprintf("change %03d", 118-i); d != want || seen[d] {
				t.Fatalf("event %d is %q, want %q, each once", i, d, want)
			}
			seen[d] = true
		}
	})
	t.Run("filters kept", func(t *testing.T) {
		first := fmt.Sprintf("/audit?action=%s&member=%d", models.ActionRolesChanged, ann.ID)
		p := c.get(first)
		older := p.href(`.pager a[rel="next"]`)
		u, err := url.Parse(older)
		if err != nil || u.Query().Get("action") != string(models.ActionRolesChanged) || u.Query().Get("member") != strconv.FormatInt(ann.ID, 10) {
			t.Fatalf("Older link %q drops the filters", older)
		}
		details, pages := walk(t, first)
		if len(details) != 60 || pages != 2 {
			t.Errorf("%d of Ann's role changes on %d pages, want 60 on 2", len(details), pages)
		}
	})
	t.Run("past the end", func(t *testing.T) {
		p := c.get("/audit?before=1")
		if len(p.auditRows()) != 0 || p.text(".empty") != "No older events." || p.href(`.pager a[rel="first"]`) != "/audit" {
			t.Errorf("before=1: %d rows, message %q, Newest %q", len(p.auditRows()), p.text(".empty"), p.href(`.pager a[rel="first"]`))
		}
	})
}

func TestAuditOwnersAndAdminsOnly(t *testing.T) {
	for _, tt := range []struct {
		role models.Role
		want int
	}{{models.RoleAdmin, http.StatusOK}, {models.RoleEditor, http.StatusForbidden}, {models.RoleViewer, http.StatusForbidden}} {
		t.Run(string(tt.role), func(t *testing.T) {
			app, _, db, orgID := ownerWithDB(t)
			email := string(tt.role) + "@example.com"
			db.addMember(orgID, email, tt.role)
			c := app.newClient()
			c.login(email, testPassword)
			hasLink := c.get("/").Doc.Find(`a[href="/audit"]`).Length() == 1
			p := c.get("/audit")
			if p.StatusCode != tt.want {
				t.Fatalf("GET /audit as %s: %d, want %d", tt.role, p.StatusCode, tt.want)
			}
			if hasLink != (tt.want == http.StatusOK) {
				t.Errorf("%s sees the Audit log link: %v", tt.role, hasLink)
			}
			if tt.want == http.StatusOK {
				if len(p.auditRows()) == 0 {
					t.Errorf("%s sees no events", tt.role)
				}
				return
			}
			if strings.Contains(p.Body, "olive@example.com") {
				t.Errorf("the 403 page for %s shows the log", tt.role)
			}
			if p2 := c.get("/audit?action=login.succeeded&before=5"); p2.StatusCode != http.StatusForbidden {
				t.Errorf("GET /audit with filters as %s: %d, want 403", tt.role, p2.StatusCode)
			}
		})
	}
	t.Run("logged out", func(t *testing.T) {
		app := newTestApp(t)
		p := app.newClient().get("/audit?action=logout")
		if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login?next=") {
			t.Errorf("visitor: %d to %q, want 303 to the login page", p.StatusCode, p.location())
		}
	})
}

func TestAuditOtherOrganization(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	globex := models.Organization{Name: "Globex", InviteLifetimeHours: 72}
	if err := db.db.Create(&globex).Error; err != nil {
		t.Fatal(err)
	}
	theirs := db.addMembers(globex.ID, member{Email: "gus@globex.example", First: "Gus", Roles: []models.Role{models.RoleOwner}})[0]
	app.writeAudit(globex.ID, models.AuditEvent{ActorUserID: theirs.UserID, ActorEmail: theirs.Email, Action: models.ActionRolesChanged,
		TargetMembershipID: &theirs.ID, TargetEmail: theirs.Email, Detail: "globex secret"})
	ours := db.addMember(orgID, "ann@example.com", models.RoleAdmin)

	for _, path := range []string{
		"/audit",
		fmt.Sprintf("/audit?member=%d", theirs.ID),
		fmt.Sprintf("/audit?member=%d&action=%s", theirs.ID, models.ActionRolesChanged),
		"/audit?email=gus@globex.example",
		fmt.Sprintf("/audit?before=%d", 1<<40),
	} {
		p := c.get(path)
		if p.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.StatusCode)
		}
		if strings.Contains(p.Body, "globex secret") || strings.Contains(p.Doc.Find("#audit-results tbody").Text(), "gus@") {
			t.Errorf("GET %s shows Globex's events", path)
		}
	}
	if p := c.get(fmt.Sprintf("/audit?member=%d", theirs.ID)); len(p.auditRows()) != 0 || p.text(".empty") != "That member is not in Acme." {
		t.Errorf("Globex's member id: %d rows, message %q", len(p.auditRows()), p.text(".empty"))
	}
	if p := c.get(fmt.Sprintf("/audit?member=%d", ours.ID)); p.text(".empty") != "No events match these filters." {
		t.Errorf("our member without events: message %q", p.text(".empty"))
	}
}

func TestAuditHostileParams(t *testing.T) {
	_, c, _, _ := ownerWithDB(t)
	long := strings.Repeat("a", 5000) + "@example.com"
	for _, q := range []string{
		"before=-1", "before=0", "before=abc", "before=99999999999999999999", "before=9223372036854775807", "before=1e9", "before=%00",
		"member=abc", "member=-5", "member=0", "member=99999999999999999999", "member=9223372036854775807", "member=1%20OR%201=1",
		"action=%27%3B+DROP+TABLE+audit_events%3B--", "action=" + strings.Repeat("x", 10000), "action=login.succeeded&action=logout",
		"email=" + url.QueryEscape(long), "email=%ff%fe", "email=%00", "email=%25", "email=" + url.QueryEscape("<script>alert(1)</script>"),
		"email=a%40b&member=1&before=2&action=logout",
	} {
		p := c.get("/audit?" + q)
		if p.StatusCode != http.StatusOK {
			t.Errorf("GET /audit?%.60s: %d, want 200", q, p.StatusCode)
		}
		if strings.Contains(p.Body, "<script>alert") {
			t.Errorf("GET /audit?%.60s: input echoed unescaped", q)
		}
	}
	if v, _ := c.get("/audit?email=" + url.QueryEscape(long)).inputValue("email"); len(v) > models.MaxEmailLen {
		t.Errorf("a %d-byte email is echoed back whole (%d bytes)", len(long), len(v))
	}
	// The ids of the log are not a secret, but a cursor far in the future is just the first page.
	if got, first := c.get("/audit?before=9223372036854775807").auditRows(), c.get("/audit").auditRows(); len(got) != len(first) {
		t.Errorf("largest cursor lists %d rows, the first page %d", len(got), len(first))
	}
}
