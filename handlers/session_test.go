package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/models"
)

// cookieName is the browser session cookie's name over plain http.
const cookieName = "gatehouse"

// sessionCookie returns the session cookie a response sets, or nil.
func sessionCookie(p *page) *http.Cookie {
	var found *http.Cookie
	for _, ck := range p.Cookies() {
		if ck.Name == cookieName {
			found = ck
		}
	}
	return found
}

// cookie returns the value of the session cookie the client holds.
func (c *client) cookie() string {
	c.t.Helper()
	u, _ := url.Parse(c.app.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	c.t.Fatal("the client holds no session cookie")
	return ""
}

// newClientWithCookie is a fresh browser holding a copy of a session cookie.
func (a *testApp) newClientWithCookie(value string) *client {
	c := a.newClient()
	u, _ := url.Parse(a.Server.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: value, Path: "/"}})
	return c
}

// loggedIn reports whether GET /users shows the Users page (true) or sends the client to
// log in (false); anything else fails the test.
func (c *client) loggedIn() bool {
	c.t.Helper()
	p := c.get("/users")
	switch {
	case p.StatusCode == http.StatusOK && p.text("h1") == "Users":
		return true
	case p.StatusCode == http.StatusSeeOther && strings.HasPrefix(p.location(), "/login"):
		return false
	case p.StatusCode == http.StatusSeeOther && p.location() == "/organizations/none":
		return false // logged in, but in no organization: no data
	}
	c.t.Fatalf("GET /users: %d to %q", p.StatusCode, p.location())
	return false
}

func TestLogoutEndsServerSession(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/users")
	stolen := c.cookie()
	if !app.newClientWithCookie(stolen).loggedIn() {
		t.Fatal("a copy of the cookie does not work before logout: the replay check below would prove nothing")
	}

	p := c.post("/logout", nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /logout: %d to %q, want 303 to /login", p.StatusCode, p.location())
	}
	if got := c.get("/login").text(".flash"); got != "You have been logged out." {
		t.Errorf("flash after logout %q", got)
	}
	if c.loggedIn() {
		t.Fatal("still logged in after logout")
	}
	replay := app.newClientWithCookie(stolen)
	if replay.loggedIn() {
		t.Fatal("the cookie saved before logout still opens the session")
	}
	if p := replay.get("/"); p.StatusCode != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("GET / with the old cookie: %d to %q", p.StatusCode, p.location())
	}
	if evs := app.auditEvents(models.ActionLogout); len(evs) != 1 || evs[0].ActorEmail != "olive@example.com" {
		t.Errorf("logout events %+v", evs)
	}
}

func TestLogoutIsNotAGet(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	p := c.get("/logout")
	if p.StatusCode != http.StatusMethodNotAllowed && p.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /logout: %d, want 405 or 404", p.StatusCode)
	}
	if !c.loggedIn() {
		t.Fatal("GET /logout ended the session")
	}
	if evs := app.auditEvents(models.ActionLogout); len(evs) != 0 {
		t.Errorf("GET /logout wrote logout events: %+v", evs)
	}
}

func TestIdleTimeout(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	stolen := c.cookie()

	app.Clock.Advance(app.Policy.Idle - time.Second)
	if !app.newClientWithCookie(stolen).loggedIn() {
		t.Fatal("session ended a second before the idle timeout")
	}
	// That request touched the session: start again from a fresh login to test the timeout itself.
	c = app.newClient()
	c.login("olive@example.com", testPassword)
	app.Clock.Advance(app.Policy.Idle)
	p := c.get("/users")
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login?next=%2Fusers" {
		t.Fatalf("GET /users after the idle timeout: %d to %q", p.StatusCode, p.location())
	}
	p = c.get(p.location())
	if got := p.text(".flash"); !strings.HasPrefix(got, "Your session has ended") {
		t.Errorf("login page after the idle timeout says %q", got)
	}
	if v, _ := p.inputValue("next"); v != "/users" {
		t.Errorf("login form next %q", v)
	}
	if c.loggedIn() {
		t.Fatal("logged in again without logging in")
	}
}

func TestActivityKeepsSessionAlive(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	for i := range 3 {
		app.Clock.Advance(50 * time.Minute)
		if !c.loggedIn() {
			t.Fatalf("logged out after %d × 50 min of activity", i+1)
		}
	}
	// Activity is recorded to the second: a request 59 s after the last one moves the idle
	// deadline too, and the session ends exactly the idle timeout after the last request.
	app.Clock.Advance(59 * time.Second)
	if !c.loggedIn() {
		t.Fatal("logged out 59 s after a request")
	}
	app.Clock.Advance(app.Policy.Idle - time.Second)
	if !c.loggedIn() {
		t.Fatal("logged out one second before the idle timeout after the last request")
	}
	app.Clock.Advance(app.Policy.Idle)
	if c.loggedIn() {
		t.Fatal("still logged in an idle timeout after the last request")
	}
}

// An idle timeout under a minute keeps a member who is active logged in, and is held to the second.
func TestShortIdleTimeout(t *testing.T) {
	app := newTestAppWith(t, func(cfg *handlers.Config) { cfg.Sessions.Idle = 30 * time.Second })
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	for i := range 12 {
		app.Clock.Advance(20 * time.Second)
		if !c.loggedIn() {
			t.Fatalf("logged out after %d requests 20 s apart with a 30 s idle timeout", i+1)
		}
	}
	app.Clock.Advance(29 * time.Second)
	if !c.loggedIn() {
		t.Fatal("logged out 29 s after a request with a 30 s idle timeout")
	}
	app.Clock.Advance(30 * time.Second)
	if c.loggedIn() {
		t.Fatal("still logged in 30 s after the last request")
	}
}

func TestAbsoluteLifetime(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	for elapsed := 50 * time.Minute; elapsed < app.Policy.Lifetime; elapsed += 50 * time.Minute {
		app.Clock.Advance(50 * time.Minute)
		if !c.loggedIn() {
			t.Fatalf("an active session ended after %v", elapsed)
		}
	}
	// 14 × 50 min = 11 h 40 min; 20 more minutes reach 12 hours although the session is 20 min idle.
	app.Clock.Advance(20 * time.Minute)
	p := c.get("/users")
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("GET /users after 12 hours: %d to %q", p.StatusCode, p.location())
	}
	if got := c.get(p.location()).text(".flash"); !strings.HasPrefix(got, "Your session has ended") {
		t.Errorf("login page after the lifetime says %q", got)
	}
}

func TestLoginStartsNewSession(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.get("/login")
	before, csrfBefore := c.cookie(), c.csrf
	c.login("olive@example.com", testPassword)
	first := c.cookie()
	c.get("/users")
	if first == before || c.csrf == csrfBefore || c.csrf == "" {
		t.Fatal("login kept the anonymous cookie or CSRF token")
	}
	// Session fixation: a copy of the pre-login cookie gains nothing from the login.
	if app.newClientWithCookie(before).loggedIn() {
		t.Fatal("the cookie from before login opens the session")
	}

	// Logging in again replaces the session: the earlier cookie stops working.
	c.login("olive@example.com", testPassword)
	second := c.cookie()
	if second == first {
		t.Fatal("a second login kept the cookie")
	}
	if app.newClientWithCookie(first).loggedIn() {
		t.Fatal("the session from the first login survives the second")
	}
	if !app.newClientWithCookie(second).loggedIn() {
		t.Fatal("the new session does not work")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.get("/login")
	p := c.post("/login", url.Values{"email": {"olive@example.com"}, "password": {testPassword}})
	ck := sessionCookie(p)
	if ck == nil {
		t.Fatalf("login response sets no %q cookie; Set-Cookie: %q", cookieName, p.Header.Values("Set-Cookie"))
	}
	if !ck.HttpOnly {
		t.Error("session cookie is not HttpOnly")
	}
	if ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie SameSite %v, want Lax", ck.SameSite)
	}
	if ck.Path != "/" {
		t.Errorf("session cookie Path %q, want /", ck.Path)
	}
	if ck.Secure {
		t.Error("session cookie is Secure on plain http: browsers would never send it back")
	}
	if ck.Domain != "" {
		t.Errorf("session cookie Domain %q, want none", ck.Domain)
	}
}

func TestGarbageCookieIsLoggedOut(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	good := c.cookie()
	for _, v := range []string{"garbage", "", "a|b|c", good[:len(good)/2], strings.Repeat("A", 3000), "%00%ff"} {
		c := app.newClientWithCookie(v)
		if c.loggedIn() {
			t.Fatalf("cookie %.20q is taken as logged in", v)
		}
		p := c.get("/login")
		if p.StatusCode != http.StatusOK {
			t.Fatalf("GET /login with cookie %.20q: %d", v, p.StatusCode)
		}
		// The browser can still log in: it got a fresh cookie and CSRF token.
		if p := c.post("/login", url.Values{"email": {"olive@example.com"}, "password": {testPassword}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("login after cookie %.20q: %d", v, p.StatusCode)
		}
	}
}

// Terminating a member ends their access on the next request (DESIGN.md, lifecycle): with no
// other organization, their login goes on in none (issue 11), and it sees no data.
func TestTerminationEndsOpenSession(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	m := db.addMember(owner.Org.ID, "mia@example.com", models.RoleAdmin)
	c := app.newClient()
	c.login("mia@example.com", testPassword)
	if !c.loggedIn() {
		t.Fatal("member not logged in")
	}
	db.setStatus(m.ID, models.StatusTerminated)
	p := c.get("/users")
	if p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
		t.Fatalf("terminated member's next request: %d to %q", p.StatusCode, p.location())
	}
	page := c.get(p.location())
	if got := page.text(".flash"); !strings.Contains(got, "access to Acme has ended") {
		t.Errorf("the page after termination says %q", got)
	}
	if h := page.text("h1"); h != "You are not a member of any organization" || strings.Contains(page.Body, "olive@example.com") {
		t.Errorf("no-organization page: %q", h)
	}
	for _, path := range []string{"/", "/users", "/audit", "/settings", "/account"} {
		if p := c.get(path); p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
			t.Errorf("GET %s in no organization: %d to %q", path, p.StatusCode, p.location())
		}
	}
	// Restoring brings her back in (access is what her memberships say), with a notice.
	db.setStatus(m.ID, models.StatusActive)
	if p := c.get("/users"); p.StatusCode != http.StatusOK || !strings.Contains(p.text(".flash"), "You are now in Acme") {
		t.Fatalf("after restore: %d, flash %q", p.StatusCode, p.text(".flash"))
	}
}
