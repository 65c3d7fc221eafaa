package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/models"
)

// setupToken mints a setup link token on the app's empty database.
func (a *testApp) setupToken() string {
	a.t.Helper()
	tok, err := a.Store.CreateSetupToken(context.Background())
	if err != nil || tok == "" {
		a.t.Fatalf("CreateSetupToken: %q, %v", tok, err)
	}
	return tok
}

func (a *testApp) countUsers() int64 {
	a.t.Helper()
	n, err := a.Store.CountUsers(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

const setupPassword = "four unrelated words here"

func validSetup(token string) url.Values {
	return url.Values{
		"token": {token}, "org_name": {"Acme Ltd"}, "first_name": {"Olive"}, "last_name": {"Owner"},
		"email": {"olive@example.com"}, "password": {setupPassword}, "confirm_password": {setupPassword},
	}
}

func assertNoReferrer(t *testing.T, p *page, what string) {
	t.Helper()
	if got := p.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, got)
	}
}

func TestSetupForm(t *testing.T) {
	app := newTestApp(t)
	tok := app.setupToken()
	c := app.newClient()
	p := c.get("/setup?token=" + url.QueryEscape(tok))
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /setup: %d", p.StatusCode)
	}
	assertNoReferrer(t, p, "setup form")
	if v, _ := p.inputValue("token"); v != tok {
		t.Errorf("form carries token %q", v)
	}
	for _, f := range []struct{ name, label string }{
		{"org_name", "Organization name"}, {"first_name", "First name"}, {"last_name", "Last name"},
		{"email", "Email"}, {"password", "Password"}, {"confirm_password", "Confirm password"},
	} {
		in := p.Doc.Find(`input[name="` + f.name + `"]`)
		id, _ := in.Attr("id")
		if in.Length() != 1 || strings.TrimSpace(p.Doc.Find(`label[for="`+id+`"]`).Text()) != f.label {
			t.Errorf("field %s has no label %q", f.name, f.label)
		}
	}
}

func TestSetupBadLink(t *testing.T) {
	app := newTestApp(t)
	live := app.setupToken()
	c := app.newClient()
	for _, q := range []string{"", "?token=", "?token=nope", "?token=" + url.QueryEscape(live+"x"), "?token=" + strings.Repeat("A", 5000)} {
		p := c.get("/setup" + q)
		if p.StatusCode != http.StatusGone {
			t.Fatalf("GET /setup%.30s: %d, want 410", q, p.StatusCode)
		}
		if got := p.text("h1"); got != "This setup link no longer works" {
			t.Errorf("GET /setup%.30s: heading %q", q, got)
		}
		assertNoReferrer(t, p, "410 page")
		if p.Doc.Find(`input[name="password"]`).Length() != 0 {
			t.Error("410 page shows the setup form")
		}
	}
	// Posting with a bad token creates nothing, however valid the rest.
	c.get("/setup?token=" + url.QueryEscape(live))
	if p := c.post("/setup", validSetup("nope")); p.StatusCode != http.StatusGone {
		t.Fatalf("POST /setup with a bad token: %d, want 410", p.StatusCode)
	}
	if n := app.countUsers(); n != 0 {
		t.Fatalf("%d users after a refused setup", n)
	}

	// A newer link replaces the older one, and a link expires after a day.
	newer := app.setupToken()
	if p := c.get("/setup?token=" + url.QueryEscape(live)); p.StatusCode != http.StatusGone {
		t.Fatalf("superseded setup link: %d, want 410", p.StatusCode)
	}
	app.Clock.Advance(24*time.Hour - time.Second)
	if p := c.get("/setup?token=" + url.QueryEscape(newer)); p.StatusCode != http.StatusOK {
		t.Fatalf("setup link a second before it expires: %d, want 200", p.StatusCode)
	}
	app.Clock.Advance(time.Second)
	if p := c.get("/setup?token=" + url.QueryEscape(newer)); p.StatusCode != http.StatusGone {
		t.Fatalf("expired setup link: %d, want 410", p.StatusCode)
	}
}

func TestSetupValidation(t *testing.T) {
	app := newTestApp(t)
	tok := app.setupToken()
	c := app.newClient()
	c.get("/setup?token=" + url.QueryEscape(tok))
	long := strings.Repeat("n", 10_000)
	cases := []struct {
		name, field, value, errField, want string
	}{
		{"empty org", "org_name", "", "org_name", "Enter your organization's name."},
		{"blank org", "org_name", "   ", "org_name", "Enter your organization's name."},
		{"empty first name", "first_name", "", "first_name", "Enter your first name."},
		{"empty last name", "last_name", "", "last_name", "Enter your last name."},
		{"empty email", "email", "", "email", "Enter an email address."},
		{"bad email", "email", "olive.example.com", "email", "Enter a valid email address"},
		{"email with name", "email", "Olive <olive@example.com>", "email", "Enter a valid email address"},
		{"empty password", "password", "", "password", "at least 12"},
		{"11-char password", "password", "elevenchars", "password", "Use at least 12 characters."},
		{"129-char password", "password", strings.Repeat("p", 129), "password", "at most 128"},
		{"common password", "password", "123qweasdzxc", "password", "most common passwords"},
		{"email as password", "password", "olive@example.com", "password", "email address"},
		{"mismatched confirmation", "confirm_password", setupPassword + "!", "confirm_password", "The passwords don't match."},
		{"10,000-char org name", "org_name", long, "org_name", "at most 100"},
		{"10,000-char first name", "first_name", long, "first_name", "at most 100"},
		{"10,000-char last name", "last_name", long, "last_name", "at most 100"},
		{"10,000-char email", "email", long + "@example.com", "email", "at most 254"},
		{"control character", "first_name", "Ol\x00ive", "first_name", "not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := validSetup(tok)
			form.Set(tc.field, tc.value)
			if tc.field == "password" {
				form.Set("confirm_password", tc.value)
			}
			p := c.post("/setup", form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.StatusCode)
			}
			assertNoReferrer(t, p, "422 page")
			msg, described := p.fieldError(tc.errField)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message beside %s: %q, want %q", tc.errField, msg, tc.want)
			}
			if !described {
				t.Errorf("input %s is not described by its error", tc.errField)
			}
			if n := p.Doc.Find(".field-error").Length(); n != 1 {
				t.Errorf("%d field errors, want 1: %q", n, p.Doc.Find(".field-error").Text())
			}
			// The other input is kept (trimmed); passwords never come back.
			for _, f := range []string{"org_name", "first_name", "last_name", "email"} {
				if f == tc.field {
					continue
				}
				if v, _ := p.inputValue(f); v != form.Get(f) {
					t.Errorf("%s not kept: %q, want %q", f, v, form.Get(f))
				}
			}
			if v, _ := p.inputValue("token"); v != tok {
				t.Errorf("token not kept: %q", v)
			}
			for _, f := range []string{"password", "confirm_password"} {
				if v, ok := p.inputValue(f); ok {
					t.Errorf("%s echoed back: %q", f, v)
				}
			}
			if strings.Contains(p.Body, setupPassword) {
				t.Error("the password appears in the page")
			}
			if n := app.countUsers(); n != 0 {
				t.Fatalf("%d users after invalid setup", n)
			}
		})
	}
	// Nothing was spent: the link still works.
	if p := c.get("/setup?token=" + url.QueryEscape(tok)); p.StatusCode != http.StatusOK {
		t.Fatalf("setup link after invalid attempts: %d", p.StatusCode)
	}
}

func TestSetupSucceedsOnce(t *testing.T) {
	app := newTestApp(t)
	tok := app.setupToken()
	c := app.newClient()
	c.get("/setup?token=" + url.QueryEscape(tok))
	form := validSetup(tok)
	form.Set("email", "  Olive@Example.COM ")
	form.Set("org_name", "  Acme Ltd ")
	p := c.post("/setup", form)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /setup: %d to %q; errors %q", p.StatusCode, p.location(), p.Doc.Find(".field-error").Text())
	}
	p = c.get("/login")
	if got := p.text(".flash"); got != "Your Owner account is ready. Log in to continue." {
		t.Errorf("flash %q", got)
	}
	if n := app.countUsers(); n != 1 {
		t.Fatalf("%d users after setup, want 1", n)
	}
	evs := app.auditEvents(models.ActionSetup)
	if len(evs) != 1 || evs[0].ActorEmail != "olive@example.com" {
		t.Errorf("setup.completed events %+v", evs)
	}

	// The same link again: already set up, nothing changes.
	again := app.newClient()
	p = again.get("/setup?token=" + url.QueryEscape(tok))
	if p.StatusCode != http.StatusGone || p.text("h1") != "Gatehouse is already set up" {
		t.Fatalf("setup link after setup: %d %q", p.StatusCode, p.text("h1"))
	}
	assertNoReferrer(t, p, "already set up page")
	if p.Doc.Find(`a[href="/login"]`).Length() == 0 {
		t.Error("already-set-up page does not lead to log in")
	}
	again.get("/login")
	form = validSetup(tok)
	form.Set("email", "mallory@example.com")
	if p := again.post("/setup", form); p.StatusCode != http.StatusGone {
		t.Fatalf("second POST /setup: %d, want 410", p.StatusCode)
	}
	if n := app.countUsers(); n != 1 {
		t.Fatalf("%d users after a second setup, want 1", n)
	}
	// No new link can be minted once someone exists.
	if tok, err := app.Store.CreateSetupToken(context.Background()); err != nil || tok != "" {
		t.Fatalf("CreateSetupToken after setup: %q, %v", tok, err)
	}

	c.login("olive@example.com", setupPassword)
	// A new organization requires a second factor: the new Owner can only set one up.
	if p := c.get("/users"); p.StatusCode != http.StatusSeeOther || p.location() != "/mfa/setup" {
		t.Fatalf("GET /users before enrolling: %d to %q, want 303 to /mfa/setup", p.StatusCode, p.location())
	}
	if err := openDB(app).db.Exec("UPDATE organizations SET mfa_policy = ?", models.MFAOff).Error; err != nil {
		t.Fatal(err)
	}
	p = c.get("/users")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users as the new Owner: %d", p.StatusCode)
	}
	if got := p.text(".org-name"); got != "Acme Ltd" {
		t.Errorf("organization %q, want Acme Ltd", got)
	}
	row := p.Doc.Find("tbody tr:contains('olive@example.com')")
	if row.Length() != 1 || !strings.Contains(row.Find(".badge").Text(), "Owner") || !strings.Contains(row.Text(), "Olive Owner") {
		t.Errorf("the new Owner's row: %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if p := c.get("/settings"); p.StatusCode != http.StatusOK {
		t.Errorf("the new Owner cannot open settings: %d", p.StatusCode)
	}
}

// The setup page is sent with Referrer-Policy: no-referrer, so Chromium posts its form with
// "Origin: null"; Sec-Fetch-Site still says same-origin, and the form must go through.
func TestSetupPostFromNoReferrerPage(t *testing.T) {
	app := newTestApp(t)
	tok := app.setupToken()
	c := app.newClient()
	c.get("/setup?token=" + url.QueryEscape(tok))
	form := validSetup(tok)
	form.Set("_csrf", c.csrf)
	p := c.request(http.MethodPost, "/setup", form, http.Header{"Origin": {"null"}, "Sec-Fetch-Site": {"same-origin"}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /setup as Chromium sends it: %d to %q (%q)", p.StatusCode, p.location(), p.text("h1"))
	}
	if n := app.countUsers(); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
}
