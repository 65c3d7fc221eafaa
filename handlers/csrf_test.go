package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/models"
)

// request sends method to path with form (exactly as given: no CSRF token is added) and extra headers.
func (c *client) request(method, path string, form url.Values, header http.Header) *page {
	c.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, c.app.Server.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return c.do(req)
}

// csrfSetup is an Owner logged in, with the database open to check that nothing changed.
func csrfSetup(t *testing.T) (*testApp, *client, *testDB, int64) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/settings")
	return app, c, db, owner.Org.ID
}

// statePosts are state-changing requests; each refused one must leave the Owner logged in
// and the organization named Acme.
var statePosts = []struct {
	path string
	form func() url.Values
}{
	{"/logout", func() url.Values { return url.Values{} }},
	{"/settings", func() url.Values { return url.Values{"name": {"Pwned"}, "invite_lifetime_hours": {"700"}} }},
}

func assertRefused(t *testing.T, c *client, db *testDB, orgID int64, p *page, what string) {
	t.Helper()
	if p.StatusCode != http.StatusForbidden {
		t.Fatalf("%s: %d, want 403", what, p.StatusCode)
	}
	if got := p.text("h1"); got != "Request refused" {
		t.Errorf("%s: page heading %q", what, got)
	}
	if !c.loggedIn() {
		t.Fatalf("%s logged the Owner out", what)
	}
	if o := db.org(orgID); o.Name != "Acme" || o.InviteLifetimeHours != 72 {
		t.Fatalf("%s changed the organization: %+v", what, o)
	}
}

func TestCrossSitePostsRefused(t *testing.T) {
	headers := map[string]http.Header{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}},
		"foreign Origin":            {"Origin": {"https://evil.example"}},
		"opaque Origin":             {"Origin": {"null"}},
	}
	for _, sp := range statePosts {
		for name, h := range headers {
			t.Run(sp.path+" "+name, func(t *testing.T) {
				app, c, db, orgID := csrfSetup(t)
				// The token is right: a cross-site request is refused even if it carries one.
				form := sp.form()
				form.Set("_csrf", c.csrf)
				p := c.request(http.MethodPost, sp.path, form, h)
				assertRefused(t, c, db, orgID, p, "POST "+sp.path+" with "+name)
				if n := len(app.auditEvents(models.ActionLogout)); n != 0 {
					t.Errorf("%d logout events", n)
				}
			})
		}
	}
}

func TestPostsWithoutTheRightTokenRefused(t *testing.T) {
	for _, sp := range statePosts {
		t.Run(sp.path, func(t *testing.T) {
			app, c, db, orgID := csrfSetup(t)
			assertRefused(t, c, db, orgID, c.request(http.MethodPost, sp.path, sp.form(), nil), "no token")

			form := sp.form()
			form.Set("_csrf", "")
			assertRefused(t, c, db, orgID, c.request(http.MethodPost, sp.path, form, nil), "empty token")

			form.Set("_csrf", c.csrf+"x")
			assertRefused(t, c, db, orgID, c.request(http.MethodPost, sp.path, form, nil), "altered token")

			// Another browser's valid token is no good in this one.
			other := app.newClient()
			other.get("/login")
			if other.csrf == "" || other.csrf == c.csrf {
				t.Fatal("the other browser has no token of its own")
			}
			form.Set("_csrf", other.csrf)
			assertRefused(t, c, db, orgID, c.request(http.MethodPost, sp.path, form, nil), "another browser's token")
			assertRefused(t, c, db, orgID, c.request(http.MethodPost, sp.path, sp.form(), http.Header{"X-CSRF-Token": {other.csrf}}),
				"another browser's token in X-CSRF-Token")
		})
	}
}

func TestTokenInHeaderOrFieldAccepted(t *testing.T) {
	t.Run("X-CSRF-Token settings", func(t *testing.T) {
		_, c, db, orgID := csrfSetup(t)
		p := c.request(http.MethodPost, "/settings", url.Values{"name": {"Acme Two"}, "invite_lifetime_hours": {"24"}},
			http.Header{"X-CSRF-Token": {c.csrf}, "HX-Request": {"true"}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /settings with X-CSRF-Token: %d", p.StatusCode)
		}
		if o := db.org(orgID); o.Name != "Acme Two" {
			t.Fatalf("organization not renamed: %+v", o)
		}
	})
	t.Run("X-CSRF-Token logout", func(t *testing.T) {
		_, c, _, _ := csrfSetup(t)
		p := c.request(http.MethodPost, "/logout", nil, http.Header{"X-CSRF-Token": {c.csrf}})
		if p.StatusCode != http.StatusSeeOther || c.loggedIn() {
			t.Fatalf("POST /logout with X-CSRF-Token: %d, still logged in: %v", p.StatusCode, c.loggedIn())
		}
	})
	t.Run("form field, same origin", func(t *testing.T) {
		app, c, db, orgID := csrfSetup(t)
		// What a browser sends for a form on our own page.
		h := http.Header{"Origin": {app.Server.URL}, "Sec-Fetch-Site": {"same-origin"}}
		form := url.Values{"name": {"Acme Three"}, "invite_lifetime_hours": {"24"}, "_csrf": {c.csrf}}
		if p := c.request(http.MethodPost, "/settings", form, h); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("same-origin POST /settings: %d", p.StatusCode)
		}
		if o := db.org(orgID); o.Name != "Acme Three" {
			t.Fatalf("organization not renamed: %+v", o)
		}
		if p := c.request(http.MethodPost, "/logout", url.Values{"_csrf": {c.csrf}}, h); p.StatusCode != http.StatusSeeOther || c.loggedIn() {
			t.Fatalf("same-origin POST /logout: %d", p.StatusCode)
		}
	})
	t.Run("form field, no headers", func(t *testing.T) {
		// Older browsers send neither Sec-Fetch-Site nor, for same-origin posts, always Origin.
		_, c, db, orgID := csrfSetup(t)
		form := url.Values{"name": {"Acme Four"}, "invite_lifetime_hours": {"24"}, "_csrf": {c.csrf}}
		if p := c.request(http.MethodPost, "/settings", form, nil); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /settings without fetch metadata: %d", p.StatusCode)
		}
		if o := db.org(orgID); o.Name != "Acme Four" {
			t.Fatalf("organization not renamed: %+v", o)
		}
	})
}

// The login form is protected too, so another site cannot log a visitor into an account it controls.
func TestLoginFormNeedsToken(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.get("/login")
	form := url.Values{"email": {"olive@example.com"}, "password": {testPassword}}
	if p := c.request(http.MethodPost, "/login", form, nil); p.StatusCode != http.StatusForbidden {
		t.Fatalf("POST /login without a token: %d, want 403", p.StatusCode)
	}
	form.Set("_csrf", c.csrf)
	if p := c.request(http.MethodPost, "/login", form, http.Header{"Sec-Fetch-Site": {"cross-site"}}); p.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST /login: %d, want 403", p.StatusCode)
	}
	if c.loggedIn() {
		t.Fatal("a refused login started a session")
	}
}
