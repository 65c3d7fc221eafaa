package handlers_test

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/models"
)

// newClientFrom is a browser whose connections come from ip (any 127.0.0.0/8 address), so
// tests can tell the per-IP login backoff from the per-account one.
func (a *testApp) newClientFrom(ip string) *client {
	c := a.newClient()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	a.t.Cleanup(tr.CloseIdleConnections)
	c.http.Transport = tr
	return c
}

// tryLogin posts the login form once, fetching the form first when the client has no CSRF token yet.
func (c *client) tryLogin(email, password string) *page {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	return c.post("/login", url.Values{"email": {email}, "password": {password}})
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// comparable blanks what legitimately differs between two browsers' copies of a page: the
// echoed email and the CSRF token.
func comparable(body, email string) string {
	body = csrfValue.ReplaceAllString(body, `name="_csrf" value=""`)
	return strings.ReplaceAll(body, email, "EMAIL")
}

func TestLoginSucceeds(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	if p := c.get("/users"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /users before login: %d, want 303", p.StatusCode)
	}
	p := c.get("/login")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Log in" {
		t.Fatalf("GET /login: %d %q", p.StatusCode, p.text("h1"))
	}
	for _, label := range []string{"Email", "Password"} {
		if p.Doc.Find("label:contains('"+label+"')").Length() == 0 {
			t.Errorf("login form has no %q label", label)
		}
	}
	if p.Doc.Find(`a[href="/forgot-password"]:contains('Forgot password?')`).Length() != 1 {
		t.Error(`no "Forgot password?" link`)
	}

	p = c.post("/login", url.Values{"email": {"olive@example.com"}, "password": {testPassword}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("login: %d to %q, want 303 to /", p.StatusCode, p.location())
	}
	if sessionCookie(p) == nil {
		t.Fatal("login set no session cookie")
	}
	p = c.get("/users")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Users" {
		t.Fatalf("GET /users after login: %d %q", p.StatusCode, p.text("h1"))
	}
	// Someone already logged in who opens the login page goes straight on.
	if p := c.get("/login?next=%2Fusers"); p.StatusCode != http.StatusSeeOther || p.location() != "/users" {
		t.Fatalf("GET /login while logged in: %d to %q", p.StatusCode, p.location())
	}
}

func TestLoginNext(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	cases := []struct{ next, want string }{
		{"/users", "/users"},
		{"/users?tab=pending&q=ada", "/users?tab=pending&q=ada"},
		{"", "/"},
		{"//evil.com", "/"},
		{"//evil.com/users", "/"},
		{"https://evil.com", "/"},
		{"http://evil.com/users", "/"},
		{`/\evil.com`, "/"},
		{`/\/evil.com`, "/"},
		{"javascript:alert(1)", "/"},
		{"users", "/"},
		{"/\r\nLocation: https://evil.com", "/"},
		{"/login", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.next, func(t *testing.T) {
			c := app.newClient()
			// The form carries next from the query string to the post.
			p := c.get("/login?" + url.Values{"next": {tc.next}}.Encode())
			if v, _ := p.inputValue("next"); v != tc.want {
				t.Errorf("login form carries next=%q, want %q", v, tc.want)
			}
			p = c.post("/login", url.Values{"email": {"olive@example.com"}, "password": {testPassword}, "next": {tc.next}})
			if p.StatusCode != http.StatusSeeOther || p.location() != tc.want {
				t.Fatalf("login with next=%q: %d to %q, want 303 to %q", tc.next, p.StatusCode, p.location(), tc.want)
			}
		})
	}
}

func TestLoginFailureRevealsNothing(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()

	wrong := c.tryLogin("olive@example.com", "not the password at all")
	unknown := c.tryLogin("nobody@example.com", "not the password at all")
	for name, p := range map[string]*page{"wrong password": wrong, "unknown email": unknown} {
		if p.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, p.StatusCode)
		}
		if got := p.text(".form-error"); got != "Email or password is incorrect." {
			t.Errorf("%s: error %q", name, got)
		}
		if v, ok := p.Doc.Find(`input[name="password"]`).Attr("value"); ok {
			t.Errorf("%s: the password is echoed back (%q)", name, v)
		}
		if strings.Contains(p.Body, "not the password at all") {
			t.Errorf("%s: the password appears in the page", name)
		}
	}
	if v, _ := wrong.inputValue("email"); v != "olive@example.com" {
		t.Errorf("email not kept after a failure: %q", v)
	}
	if a, b := comparable(wrong.Body, "olive@example.com"), comparable(unknown.Body, "nobody@example.com"); a != b {
		t.Errorf("a wrong password and an unknown email give different pages:\n%s\n---\n%s", a, b)
	}
	if p := c.get("/users"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /users after failed logins: %d, want 303 (no session)", p.StatusCode)
	}
}

func TestLoginNormalisesEmail(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	p := c.tryLogin("  OLIVE@Example.COM \t", testPassword)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("login with upper-case, padded email: %d %q", p.StatusCode, p.text(".form-error"))
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users: %d", p.StatusCode)
	}
}

func TestLoginBackoff(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	for i := 1; i <= 5; i++ {
		if p := c.tryLogin("olive@example.com", "wrong password "+string(rune('0'+i))); p.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i, p.StatusCode)
		}
	}
	p := c.tryLogin("olive@example.com", testPassword)
	if p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: %d, want 429", p.StatusCode)
	}
	if got := p.text(".form-error"); got != "Too many failed attempts. Try again in 1 second." {
		t.Errorf("backoff message %q", got)
	}
	if p := c.get("/users"); p.StatusCode != http.StatusSeeOther {
		t.Fatal("a blocked attempt started a session")
	}
	if evs := app.auditEvents(models.ActionLoginBlocked); len(evs) != 1 || evs[0].TargetEmail != "olive@example.com" {
		t.Errorf("login.blocked events %+v", evs)
	}

	// The backoff grows with each further failure.
	app.Clock.Advance(time.Second)
	if p := c.tryLogin("olive@example.com", "wrong again"); p.StatusCode != http.StatusUnauthorized {
		t.Fatalf("attempt after the backoff: %d, want 401", p.StatusCode)
	}
	p = c.tryLogin("olive@example.com", testPassword)
	if got := p.text(".form-error"); p.StatusCode != http.StatusTooManyRequests || got != "Too many failed attempts. Try again in 2 seconds." {
		t.Fatalf("after a 6th failure: %d %q, want 429 and 2 seconds", p.StatusCode, got)
	}

	app.Clock.Advance(2 * time.Second)
	if p := c.tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("login once the backoff has passed: %d %q", p.StatusCode, p.text(".form-error"))
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users after the backoff: %d", p.StatusCode)
	}
}

// An unknown email is counted and blocked exactly like a real account, so the backoff
// cannot be used to find out which accounts exist.
func TestLoginBackoffUnknownEmailIdentical(t *testing.T) {
	run := func(email string) (statuses []int, blocked *page) {
		app := newTestApp(t)
		app.createOwner("olive@example.com")
		c := app.newClient()
		for range 5 {
			statuses = append(statuses, c.tryLogin(email, "wrong password").StatusCode)
		}
		blocked = c.tryLogin(email, testPassword)
		return append(statuses, blocked.StatusCode), blocked
	}
	knownStatuses, known := run("olive@example.com")
	unknownStatuses, unknown := run("nobody@example.com")
	want := []int{401, 401, 401, 401, 401, 429}
	for i := range want {
		if knownStatuses[i] != want[i] || unknownStatuses[i] != want[i] {
			t.Fatalf("statuses: known %v, unknown %v, want %v for both", knownStatuses, unknownStatuses, want)
		}
	}
	if !strings.HasPrefix(unknown.text(".form-error"), "Too many failed attempts") {
		t.Errorf("unknown email blocked with %q", unknown.text(".form-error"))
	}
	if a, b := comparable(known.Body, "olive@example.com"), comparable(unknown.Body, "nobody@example.com"); a != b {
		t.Errorf("blocked pages differ between a real and an unknown account:\n%s\n---\n%s", a, b)
	}
}

// Failures count per account (wherever they come from) and per IP (whichever account they name).
func TestLoginBackoffPerAccountAndPerIP(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	db.addMember(owner.Org.ID, "mia@example.com", models.RoleViewer)

	attacker := app.newClientFrom("127.0.0.2")
	for range 5 {
		attacker.tryLogin("olive@example.com", "guess")
	}
	victim := app.newClientFrom("127.0.0.3")
	if p := victim.tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("account under attack, login from another IP: %d, want 429", p.StatusCode)
	}
	if p := victim.tryLogin("mia@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account from a clean IP: %d, want 303", p.StatusCode)
	}

	sprayer := app.newClientFrom("127.0.0.4")
	for i := range 5 {
		sprayer.tryLogin("someone"+string(rune('a'+i))+"@example.com", "guess")
	}
	if p := sprayer.tryLogin("mia@example.com", testPassword); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an IP that failed on five accounts: %d, want 429", p.StatusCode)
	}

	// A successful login clears the account's count: failures before it do not add up with those after.
	db.addMember(owner.Org.ID, "max@example.com", models.RoleViewer)
	typo := app.newClientFrom("127.0.0.5")
	for range 4 {
		typo.tryLogin("max@example.com", "typo")
	}
	if p := app.newClientFrom("127.0.0.6").tryLogin("max@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("login after four failures: %d, want 303", p.StatusCode)
	}
	app.newClientFrom("127.0.0.7").tryLogin("max@example.com", "typo")
	if p := app.newClientFrom("127.0.0.8").tryLogin("max@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("one failure after a successful login: %d, want 303 (the count should have started again)", p.StatusCode)
	}
}

// A member terminated everywhere logs in to no organization (issue 11): they may create or
// join one, and see no one's data.
func TestLoginTerminatedMemberHasNoOrganization(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	m := db.addMember(owner.Org.ID, "mia@example.com", models.RoleAdmin)
	db.setStatus(m.ID, models.StatusTerminated)

	c := app.newClient()
	if p := c.tryLogin("mia@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("terminated member login: %d, want 303", p.StatusCode)
	}
	p := c.get("/users")
	if p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
		t.Fatalf("GET /users in no organization: %d to %q", p.StatusCode, p.location())
	}
	if p := c.get("/organizations/none"); p.text("h1") != "You are not a member of any organization" || strings.Contains(p.Body, "olive@example.com") {
		t.Errorf("no-organization page %q", p.text("h1"))
	}
	if evs := app.auditEvents(models.ActionLogin); len(evs) != 1 || evs[0].OrgID != nil {
		t.Errorf("login events %+v, want one outside any organization", evs)
	}
}

func TestLoginLongPassword(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	for _, n := range []int{129, 513, 4096, 100_000} {
		for _, email := range []string{"olive@example.com", "nobody@example.com"} {
			c := app.newClient()
			p := c.tryLogin(email, strings.Repeat("p", n))
			if p.StatusCode != http.StatusUnauthorized {
				t.Errorf("%d-byte password for %s: %d, want 401", n, email, p.StatusCode)
			}
			app.Clock.Advance(time.Hour) // stay clear of the backoff
		}
	}
	// The right password is still the only way in, and an over-long one that begins with it is not.
	c := app.newClient()
	if p := c.tryLogin("olive@example.com", testPassword+strings.Repeat("x", 600)); p.StatusCode != http.StatusUnauthorized {
		t.Fatalf("right password with 600 bytes appended: %d, want 401", p.StatusCode)
	}
	app.Clock.Advance(time.Hour)
	if p := c.tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password: %d", p.StatusCode)
	}
}

func TestLoginHostileInput(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	for _, email := range []string{strings.Repeat("a", 10_000) + "@example.com", "olive@example.com\x00", "\xff\xfe@example.com", "", "<script>@x.y"} {
		c := app.newClient()
		p := c.tryLogin(email, "whatever it is")
		if p.StatusCode != http.StatusUnauthorized {
			t.Errorf("email %.20q: %d, want 401", email, p.StatusCode)
		}
		app.Clock.Advance(time.Hour)
	}
}

func TestLoginAudit(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	c := app.newClient()
	c.tryLogin("olive@example.com", "secret wrong one")
	c.tryLogin("nobody@example.com", "secret wrong two")
	c.login("olive@example.com", testPassword)

	failed := app.auditEvents(models.ActionLoginFailed)
	if len(failed) != 2 {
		t.Fatalf("%d login.failed events, want 2", len(failed))
	}
	unknown, wrong := failed[0], failed[1]
	if wrong.TargetEmail != "olive@example.com" || wrong.ActorUserID == nil || *wrong.ActorUserID != owner.User.ID {
		t.Errorf("login.failed for a wrong password: %+v", wrong)
	}
	if unknown.TargetEmail != "nobody@example.com" || unknown.ActorUserID != nil {
		t.Errorf("login.failed for an unknown email: %+v", unknown)
	}
	ok := app.auditEvents(models.ActionLogin)
	if len(ok) != 1 || ok[0].ActorEmail != "olive@example.com" || ok[0].OrgID == nil || *ok[0].OrgID != owner.Org.ID || ok[0].IP == "" {
		t.Fatalf("login.succeeded events %+v", ok)
	}
	for _, ev := range append(failed, ok...) {
		for _, field := range []string{ev.Detail, ev.TargetEmail, ev.ActorEmail, ev.UserAgent} {
			if strings.Contains(field, "secret wrong") || strings.Contains(field, testPassword) {
				t.Errorf("audit event %s holds a password: %+v", ev.Action, ev)
			}
		}
	}
}
