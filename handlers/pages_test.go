package handlers_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// ownerWithDB is an app with an Owner logged in and the database open for inserting members.
func ownerWithDB(t *testing.T) (*testApp, *client, *testDB, int64) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	return app, c, db, owner.Org.ID
}

// emails lists the email column of the members table, in order.
func (p *page) emails() []string {
	var out []string
	p.Doc.Find("#users-results tbody td.email").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func (p *page) href(sel string) string {
	h, _ := p.Doc.Find(sel).First().Attr("href")
	return h
}

func TestNotFoundPage(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	check := func(c *client, who string) {
		t.Helper()
		for _, path := range []string{"/no-such-page", "/users/999999/../../etc/passwd", "/static/", "/static/nope.js"} {
			p := c.get(path)
			if p.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", who, path, p.StatusCode)
				continue
			}
			if path == "/static/" || path == "/static/nope.js" {
				continue // the file server's own 404
			}
			if got := p.text(".error-page h1"); got != "Page not found" {
				t.Errorf("%s GET %s: heading %q", who, path, got)
			}
			if got := p.text(".error-code"); got != "404" {
				t.Errorf("%s GET %s: code %q", who, path, got)
			}
			for _, leak := range []string{"goroutine", ".go:", "echo", "runtime/", "Not Found"} {
				if strings.Contains(p.Body, leak) {
					t.Errorf("%s GET %s: the page contains %q", who, path, leak)
				}
			}
			if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s GET %s: Content-Type %q", who, path, ct)
			}
		}
	}
	check(app.newClient(), "visitor")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	check(c, "Owner")
	if c.get("/no-such-page").Doc.Find(".sidebar").Length() != 1 {
		t.Error("a logged-in member's 404 page is not in the app shell")
	}
	// A mistyped address is not a refused action: a Viewer gets 404 too, and nothing is audited.
	db := openDB(app)
	db.addMember(owner.Org.ID, "vic@example.com", models.RoleViewer)
	viewer := app.newClient()
	viewer.login("vic@example.com", testPassword)
	check(viewer, "Viewer")
	if p := viewer.post("/no-such-page", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("Viewer POST /no-such-page: %d, want 404", p.StatusCode)
	}
	if evs := app.auditEvents(models.ActionDenied); len(evs) != 0 {
		t.Errorf("unknown addresses audited as refusals: %+v", evs)
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	pages := map[string]*page{"login": c.get("/login"), "404": c.get("/nope")}
	c.login("olive@example.com", testPassword)
	pages["users"] = c.get("/users")
	pages["403 CSRF"] = c.request(http.MethodPost, "/settings", url.Values{}, nil)
	for name, p := range pages {
		csp := p.Header.Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			if f := strings.Fields(d); len(f) > 0 {
				directives[f[0]] = strings.Join(f[1:], " ")
			}
		}
		script, ok := directives["script-src"]
		if !ok {
			script, ok = directives["default-src"]
		}
		if !ok || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
			t.Errorf("%s: scripts not restricted by CSP %q", name, csp)
		}
		if directives["frame-ancestors"] != "'none'" {
			t.Errorf("%s: CSP frame-ancestors %q, want 'none'", name, directives["frame-ancestors"])
		}
		if got := p.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, got)
		}
		if got := p.Header.Get("Referrer-Policy"); !slices.Contains([]string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}, got) {
			t.Errorf("%s: Referrer-Policy %q", name, got)
		}
		// The CSP would block inline script anyway; make sure the pages do not depend on it.
		if n := p.Doc.Find("script:not([src])").Length(); n != 0 {
			t.Errorf("%s: %d inline scripts", name, n)
		}
		p.Doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline handler %s=%q", name, a.Key, a.Val)
				}
			}
		})
	}
	if got := pages["users"].Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("personal page Cache-Control %q, want no-store", got)
	}
}

func TestHealthz(t *testing.T) {
	app := newTestApp(t)
	resp, err := http.Get(app.Server.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	var body map[string]string
	if err := json.Unmarshal(b, &body); err != nil || body["status"] != "ok" {
		t.Fatalf("body %s (%v), want status ok", b, err)
	}
	// A health check needs no session: it sets no cookie.
	if len(resp.Cookies()) != 0 {
		t.Errorf("/healthz sets cookies: %v", resp.Header.Values("Set-Cookie"))
	}
}

func TestUsersNeedsLogin(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	p := c.get("/users")
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login?next=%2Fusers" {
		t.Fatalf("GET /users: %d to %q", p.StatusCode, p.location())
	}
	p = c.get("/users?tab=pending&q=ada")
	want := "/login?next=" + url.QueryEscape("/users?tab=pending&q=ada")
	if p.StatusCode != http.StatusSeeOther || p.location() != want {
		t.Fatalf("GET /users?tab=pending&q=ada: %d to %q, want %q", p.StatusCode, p.location(), want)
	}
	if p.Doc.Find("table").Length() != 0 || strings.Contains(p.Body, "olive@example.com") {
		t.Fatal("the redirect shows members")
	}
	// Following the redirect and logging in lands on the page first asked for.
	p = c.get(p.location())
	next, _ := p.inputValue("next")
	p = c.post("/login", url.Values{"email": {"olive@example.com"}, "password": {testPassword}, "next": {next}})
	if p.location() != "/users?tab=pending&q=ada" {
		t.Fatalf("after login: to %q", p.location())
	}
	// htmx is told where to go instead of swapping the login page into the table.
	p = app.newClient().request(http.MethodGet, "/users?q=a", nil, http.Header{"HX-Request": {"true"}, "HX-Target": {"users-results"}})
	if p.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(p.Header.Get("HX-Redirect"), "/login") {
		t.Fatalf("logged-out htmx request: %d, HX-Redirect %q", p.StatusCode, p.Header.Get("HX-Redirect"))
	}
}

func TestUsersPage(t *testing.T) {
	_, c, db, orgID := ownerWithDB(t)
	db.addMembers(orgID,
		member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}},
		member{Email: "pat@example.com", First: "Pat", Last: "Pending", Status: models.StatusPending},
		member{Email: "pia@example.com", First: "Pia", Last: "Pending", Status: models.StatusPending},
		member{Email: "ivy@example.com", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleEditor}},
		member{Email: "tom@example.com", First: "Tom", Last: "Gone", Status: models.StatusTerminated},
		member{Email: "rex@example.com", First: "Rex", Last: "Rejected", Status: models.StatusRejected},
	)
	p := c.get("/users")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Users" {
		t.Fatalf("GET /users: %d %q", p.StatusCode, p.text("h1"))
	}
	type tab struct {
		label string
		count string
	}
	var tabs []tab
	p.Doc.Find(".tabs a").Each(func(_ int, s *goquery.Selection) {
		count := strings.TrimSpace(s.Find(".tab-count").Text())
		label := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Text()), count))
		tabs = append(tabs, tab{label, count})
	})
	want := []tab{{"Active", "2"}, {"Pending", "2"}, {"Inactivated", "1"}, {"Terminated", "1"}}
	if !slices.Equal(tabs, want) {
		t.Errorf("tabs %v, want %v", tabs, want)
	}
	if got := p.text(`.tabs a[aria-current="page"]`); !strings.HasPrefix(got, "Active") {
		t.Errorf("current tab %q, want Active", got)
	}
	// A bare aria-current reads as "false" to assistive technology: it must say "page".
	if n := p.Doc.Find(`[aria-current]:not([aria-current="page"])`).Length(); n != 0 {
		t.Errorf("%d elements with an aria-current other than \"page\"", n)
	}
	if got := p.text(`.sidebar a[aria-current="page"]`); got != "Users" {
		t.Errorf("navigation marks %q current, want Users", got)
	}

	label := p.Doc.Find("label:contains('Search')")
	forID, _ := label.Attr("for")
	if label.Length() != 1 || forID == "" {
		t.Fatal(`no "Search" label bound to an input`)
	}
	if typ, _ := p.Doc.Find("#" + forID).Attr("type"); typ != "search" {
		t.Errorf(`the "Search" label is bound to %q, not the search box`, typ)
	}

	var headers []string
	p.Doc.Find("#users-results thead th").Each(func(_ int, s *goquery.Selection) {
		headers = append(headers, strings.Trim(strings.TrimSpace(s.Text()), " ↑↓"))
	})
	for _, h := range []string{"Name", "Email", "Roles", "Last login", "Status"} {
		if !slices.Contains(headers, h) {
			t.Errorf("no %q column in %q", h, headers)
		}
	}

	if got := p.emails(); !slices.Equal(got, []string{"olive@example.com", "vic@example.com"}) {
		t.Errorf("Active tab lists %v", got)
	}
	row := p.Doc.Find("#users-results tbody tr:contains('olive@example.com')")
	if badges := row.Find(".badge").Text(); !strings.Contains(badges, "Owner") || !strings.Contains(badges, "Active") {
		t.Errorf("Owner row badges %q", badges)
	}
	if got := row.Find(".person-name").Text(); got != "Olive Owner" {
		t.Errorf("Owner row name %q", got)
	}
	if got := p.Doc.Find("#users-results tbody tr:contains('vic@example.com') .badge").Text(); !strings.Contains(got, "Viewer") {
		t.Errorf("Viewer row badges %q", got)
	}
	if p.Doc.Find("#users-results tbody tr").First().Find("details.row-menu summary[aria-label]").Length() != 1 {
		t.Error("rows have no labelled actions menu")
	}

	for _, tc := range []struct {
		tab  string
		want []string
	}{
		{"pending", []string{"pat@example.com", "pia@example.com"}},
		{"inactivated", []string{"ivy@example.com"}},
		{"terminated", []string{"tom@example.com"}},
		{"bogus", []string{"olive@example.com", "vic@example.com"}},
		{"", []string{"olive@example.com", "vic@example.com"}},
		{"ACTIVE", []string{"olive@example.com", "vic@example.com"}},
	} {
		p := c.get("/users?tab=" + url.QueryEscape(tc.tab))
		if p.StatusCode != http.StatusOK {
			t.Fatalf("tab %q: %d", tc.tab, p.StatusCode)
		}
		if got := p.emails(); !slices.Equal(got, tc.want) {
			t.Errorf("tab %q lists %v, want %v", tc.tab, got, tc.want)
		}
	}
	if got := c.get("/users?tab=bogus").text(`.tabs a[aria-current="page"]`); !strings.HasPrefix(got, "Active") {
		t.Errorf("?tab=bogus marks %q current, want Active", got)
	}
	if got := c.get("/users?tab=terminated").text("#users-results tbody td:nth-last-child(2) .badge"); got != "Terminated" {
		t.Errorf("terminated member's badge %q", got)
	}
}

func TestUsersFragmentForHTMX(t *testing.T) {
	_, c, _, _ := ownerWithDB(t)
	htmx := http.Header{"HX-Request": {"true"}, "HX-Target": {"users-results"}}
	p := c.request(http.MethodGet, "/users?q=olive", nil, htmx)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("htmx GET /users: %d", p.StatusCode)
	}
	body := strings.TrimSpace(p.Body)
	if !strings.HasPrefix(body, `<div id="users-results"`) {
		t.Errorf("fragment starts %.60q, want the #users-results element", body)
	}
	for _, whole := range []string{"<html", "<!doctype", "<body", "<h1", "sidebar", `class="tabs"`} {
		if strings.Contains(strings.ToLower(p.Body), strings.ToLower(whole)) {
			t.Errorf("fragment contains %q", whole)
		}
	}
	if got := p.emails(); !slices.Equal(got, []string{"olive@example.com"}) {
		t.Errorf("fragment lists %v", got)
	}

	// Any other htmx target, or a history restore, needs the whole page.
	for name, h := range map[string]http.Header{
		"other target":    {"HX-Request": {"true"}, "HX-Target": {"main"}},
		"history restore": {"HX-Request": {"true"}, "HX-Target": {"users-results"}, "HX-History-Restore-Request": {"true"}},
		"no htmx":         {"HX-Target": {"users-results"}},
	} {
		p := c.request(http.MethodGet, "/users", nil, h)
		if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "<html") || p.text("h1") != "Users" {
			t.Errorf("%s: not the whole page (%d)", name, p.StatusCode)
		}
	}
}

func TestUsersPagination(t *testing.T) {
	_, c, db, orgID := ownerWithDB(t)
	ms := make([]member, 119)
	for i := range ms {
		// Names and emails sort in different orders, so each sort is really tested.
		ms[i] = member{Email: fmt.Sprintf("m%03d@example.com", 119-i), First: fmt.Sprintf("Member%03d", i), Last: "Test",
			Roles: []models.Role{models.RoleViewer}}
	}
	db.addMembers(orgID, ms...)

	for _, order := range []string{"", "&sort=email", "&sort=email&dir=desc", "&dir=desc", "&sort=last_login", "&sort=joined&dir=desc"} {
		t.Run(order, func(t *testing.T) {
			first := c.get("/users?tab=active" + order)
			page1 := first.emails()
			if len(page1) != 50 {
				t.Fatalf("page 1 has %d rows, want 50", len(page1))
			}
			if first.Doc.Find(`a[rel="prev"]`).Length() != 0 {
				t.Error("page 1 offers Previous")
			}
			next := first.href(`a[rel="next"]`)
			if next == "" || first.text(`a[rel="next"]`) != "Next →" {
				t.Fatal("page 1 has no Next link")
			}

			second := c.get(next)
			page2 := second.emails()
			if len(page2) != 50 {
				t.Fatalf("page 2 has %d rows, want 50", len(page2))
			}
			third := c.get(second.href(`a[rel="next"]`))
			page3 := third.emails()
			if len(page3) != 20 || third.Doc.Find(`a[rel="next"]`).Length() != 0 {
				t.Fatalf("page 3 has %d rows (want 20) and Next: %v", len(page3), third.Doc.Find(`a[rel="next"]`).Length() != 0)
			}
			all := slices.Concat(page1, page2, page3)
			seen := map[string]bool{}
			for _, e := range all {
				if seen[e] {
					t.Fatalf("%s appears on two pages", e)
				}
				seen[e] = true
			}
			if len(seen) != 120 {
				t.Fatalf("%d distinct members over three pages, want 120", len(seen))
			}
			if strings.Contains(order, "sort=email") {
				sorted := slices.Sorted(slices.Values(all))
				if strings.Contains(order, "desc") {
					slices.Reverse(sorted)
				}
				if !slices.Equal(all, sorted) {
					t.Error("pages are not in email order")
				}
			}

			// Previous from page 3 gives page 2, and from page 2 gives page 1 exactly.
			back2 := c.get(third.href(`a[rel="prev"]`))
			if got := back2.emails(); !slices.Equal(got, page2) {
				t.Errorf("Previous from page 3 lists %d rows starting %v, want page 2", len(got), got[:min(3, len(got))])
			}
			back1 := c.get(back2.href(`a[rel="prev"]`))
			if got := back1.emails(); !slices.Equal(got, page1) {
				t.Errorf("Previous from page 2 lists %d rows starting %v, want page 1", len(got), got[:min(3, len(got))])
			}
			if back1.Doc.Find(`a[rel="prev"]`).Length() != 0 {
				t.Error("page 1 reached by Previous offers Previous")
			}
			if back1.href(`a[rel="next"]`) == "" {
				t.Error("page 1 reached by Previous has no Next")
			}
		})
	}
}

func TestUsersSearch(t *testing.T) {
	_, c, db, orgID := ownerWithDB(t)
	db.addMembers(orgID,
		member{Email: "ada@example.com", First: "Ada", Last: "Lovelace"},
		member{Email: "alan@example.org", First: "Alan", Last: "Turing"},
		member{Email: "grace@example.net", First: "Grace", Last: "Hopper"},
		member{Email: "adam@example.com", First: "Adam", Last: "Smith", Status: models.StatusPending},
	)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ada", []string{"ada@example.com"}},
		{"ADA", []string{"ada@example.com"}},
		{"  ada  ", []string{"ada@example.com"}},
		{"a", []string{"ada@example.com", "alan@example.org"}},
		{"turing", []string{"alan@example.org"}},
		{"grace h", []string{"grace@example.net"}},
		{"alan@example.org", []string{"alan@example.org"}},
		{"example", nil},
		{"zzz", nil},
		{"%", nil},
		{"_", nil},
		{"' OR 1=1 --", nil},
	} {
		p := c.get("/users?q=" + url.QueryEscape(tc.q))
		if p.StatusCode != http.StatusOK {
			t.Fatalf("q=%q: %d", tc.q, p.StatusCode)
		}
		if got := p.emails(); !slices.Equal(got, tc.want) {
			t.Errorf("q=%q lists %v, want %v", tc.q, got, tc.want)
		}
		if v, _ := p.inputValue("q"); v != strings.TrimSpace(tc.q) {
			t.Errorf("q=%q: search box holds %q", tc.q, v)
		}
		if tc.want == nil && !strings.Contains(p.text(".empty"), "No members match") {
			t.Errorf("q=%q: empty message %q", tc.q, p.text(".empty"))
		}
	}
	// Search stays within the tab.
	if got := c.get("/users?tab=pending&q=ada").emails(); !slices.Equal(got, []string{"adam@example.com"}) {
		t.Errorf("pending tab, q=ada: %v", got)
	}
}

func TestUsersHostileInput(t *testing.T) {
	_, c, db, orgID := ownerWithDB(t)
	db.addMembers(orgID, member{Email: "ada@example.com", First: "Ada", Last: "Lovelace"})
	forged := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for _, q := range []string{
		"q=" + strings.Repeat("a", 10_000),
		"q=" + url.QueryEscape(strings.Repeat("é", 5_000)),
		"q=%FF%FE%00",
		"cursor=garbage!!",
		"cursor=" + strings.Repeat("A", 10_000),
		"cursor=" + forged(map[string]any{"s": "name", "v": "zzz", "i": -1}),
		"cursor=" + forged(map[string]any{"s": "name", "v": 12, "i": "x"}),
		"cursor=" + forged(map[string]any{"s": "last_login", "v": "not a time", "i": 1}) + "&sort=last_login",
		"cursor=" + forged(map[string]any{"s": "email", "v": "", "i": 9e18, "b": true}) + "&sort=email",
		"sort=bogus&dir=sideways",
		"tab=%00",
	} {
		p := c.get("/users?" + q)
		if p.StatusCode != http.StatusOK {
			t.Errorf("GET /users?%.40s: %d, want 200", q, p.StatusCode)
		}
	}
	// A garbage cursor is just the first page.
	if got := c.get("/users?cursor=garbage!!").emails(); !slices.Equal(got, []string{"ada@example.com", "olive@example.com"}) {
		t.Errorf("garbage cursor lists %v", got)
	}
	if p := c.get("/users?q=" + strings.Repeat("a", 10_000)); len([]rune(p.text(".empty"))) > 200 {
		t.Errorf("a 10,000-character search is echoed in full")
	}
}
