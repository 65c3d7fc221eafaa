package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const resetPassword = "a completely new passphrase"

const resetSentText = "we've sent a link to reset its password. It works for 1 hour."

var resetLinkRe = regexp.MustCompile(`https?://[^\s"<>]+/reset-password/[A-Za-z0-9_-]{43}`)

// resetLink returns the reset link in the plain-text part of e.
func (e email) resetLink(t testing.TB) string {
	t.Helper()
	link := resetLinkRe.FindString(e.Text)
	if link == "" {
		t.Fatalf("no reset link in the email to %s:\n%s", e.To, e.Text)
	}
	return link
}

// askReset posts the "Forgot password?" form, fetching it first when the client has no CSRF token yet.
func (c *client) askReset(email string) *page {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/forgot-password")
	}
	return c.post("/forgot-password", url.Values{"email": {email}})
}

// sentText is what the page answering a reset request says.
func (p *page) sentText() string { return strings.Join(strings.Fields(p.text(".reset-sent")), " ") }

func wantResetSent(t testing.TB, p *page, email string) {
	t.Helper()
	want := "If an account exists for " + email + ", " + resetSentText
	if p.StatusCode != http.StatusOK || p.sentText() != want {
		t.Fatalf("reset request for %s: %d %q, want 200 %q", email, p.StatusCode, p.sentText(), want)
	}
}

// resetPath asks for a reset of email and returns the path of the link that arrives (the nth for email).
func (a *testApp) resetPath(mb *mailbox, email string, n int) string {
	a.t.Helper()
	c := a.newClient()
	wantResetSent(a.t, c.askReset(email), email)
	link := mb.waitFor(email, n).resetLink(a.t)
	if !strings.HasPrefix(link, a.Server.URL+"/reset-password/") {
		a.t.Fatalf("link %q is not built from the base URL %s", link, a.Server.URL)
	}
	return strings.TrimPrefix(link, a.Server.URL)
}

func setPassword(c *client, path, password, confirm string) *page {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login") // any form gives the browser its CSRF token; a dead link's page has none
	}
	return c.post(path, url.Values{"password": {password}, "confirm_password": {confirm}})
}

func TestPasswordResetThroughEmailedLink(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")

	// Another browser logged in before the reset: whoever knew the old password.
	other := app.newClient()
	other.login("olive@example.com", testPassword)

	c := app.newClient()
	form := c.get("/forgot-password")
	if form.StatusCode != http.StatusOK || form.text("h1") != "Forgot password?" {
		t.Fatalf("GET /forgot-password: %d %q", form.StatusCode, form.text("h1"))
	}
	if form.text(`label[for="f-email"]`) != "Email" || form.text(`form button[type="submit"]`) != "Send reset link" {
		t.Errorf("form: label %q, button %q", form.text(`label[for="f-email"]`), form.text(`form button[type="submit"]`))
	}
	wantResetSent(t, c.post("/forgot-password", url.Values{"email": {" Olive@Example.com "}}), "olive@example.com")

	e := mb.waitFor("olive@example.com", 1)
	if e.Subject != "Reset your Gatehouse password" || !strings.Contains(e.Text, "expires in 1 hour") || e.HTML == "" {
		t.Errorf("email subject %q, html %d bytes, text:\n%s", e.Subject, len(e.HTML), e.Text)
	}
	link := e.resetLink(t)
	if !strings.HasPrefix(link, app.Server.URL+"/reset-password/") {
		t.Fatalf("link %q is not built from the base URL %s", link, app.Server.URL)
	}
	path := strings.TrimPrefix(link, app.Server.URL)

	p := c.get(path)
	if p.StatusCode != http.StatusOK || p.text("h1") != "Set a new password" {
		t.Fatalf("GET reset link: %d %q", p.StatusCode, p.text("h1"))
	}
	if rp := p.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("reset page Referrer-Policy %q, want no-referrer", rp)
	}
	for _, label := range []string{"New password", "Confirm password"} {
		if p.Doc.Find("label:contains('"+label+"')").Length() != 1 {
			t.Errorf("reset form has no %q label", label)
		}
	}
	if got := p.text(`form button[type="submit"]`); got != "Set password" {
		t.Errorf("button %q, want Set password", got)
	}

	p = c.post(path, url.Values{"password": {resetPassword}, "confirm_password": {resetPassword}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST new password: %d → %q, want 303 to /login", p.StatusCode, p.location())
	}
	login := c.get("/login")
	if got := login.text(".flash"); got != "Your password has been changed. Log in with your new password." {
		t.Errorf("flash %q", got)
	}
	// The reset logged nobody in.
	if p := c.get("/users"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Errorf("GET /users after the reset: %d → %q, want a redirect to log in", p.StatusCode, p.location())
	}
	// The session open elsewhere ended with it.
	if p := other.get("/users"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Errorf("GET /users in the browser logged in before the reset: %d → %q, want a redirect to log in", p.StatusCode, p.location())
	}

	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("login with the old password: %d, want 401", p.StatusCode)
	}
	fresh := app.newClient()
	fresh.login("olive@example.com", resetPassword)
	if p := fresh.get("/users"); p.StatusCode != http.StatusOK {
		t.Errorf("GET /users after logging in with the new password: %d", p.StatusCode)
	}

	// The link is spent: both its page and its form say so, and change nothing.
	for _, p := range []*page{app.newClient().get(path), setPassword(app.newClient(), path, "yet another passphrase", "yet another passphrase")} {
		if p.StatusCode != http.StatusGone || p.text("h1") != "This reset link no longer works" {
			t.Errorf("spent link: %d %q, want 410", p.StatusCode, p.text("h1"))
		}
		if p.Doc.Find(`a[href="/forgot-password"]`).Length() == 0 {
			t.Error("the spent-link page does not offer to ask for a new link")
		}
	}
	if p := app.newClient().tryLogin("olive@example.com", resetPassword); p.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the new password after replaying the link: %d, want 303", p.StatusCode)
	}
}

// An unknown email gets the very page a known one gets, and nothing is sent.
func TestPasswordResetNoEnumeration(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")

	unknown := app.newClient().askReset("nobody@example.com")
	known := app.newClient().askReset("olive@example.com")
	wantResetSent(t, unknown, "nobody@example.com")
	if unknown.StatusCode != known.StatusCode {
		t.Errorf("status: unknown %d, known %d", unknown.StatusCode, known.StatusCode)
	}
	if a, b := comparable(unknown.Body, "nobody@example.com"), comparable(known.Body, "olive@example.com"); a != b {
		t.Errorf("bodies differ:\nunknown:\n%s\nknown:\n%s", a, b)
	}
	// The worker sends in order: once the later, known email is in, an earlier one would be too.
	mb.waitFor("olive@example.com", 1)
	for _, m := range mb.messages() {
		if m.To == "nobody@example.com" {
			t.Errorf("an email went to an address without an account: %q", m.Subject)
		}
	}
}

func TestPasswordResetRateLimit(t *testing.T) {
	t.Run("per email", func(t *testing.T) {
		app := newTestApp(t)
		mb := app.startMail()
		app.createOwner("olive@example.com")
		app.createOwner("oscar@example.com")
		var first *page
		for i := range 5 {
			p := app.newClient().askReset("olive@example.com")
			wantResetSent(t, p, "olive@example.com")
			if i == 0 {
				first = p
			}
		}
		mb.waitFor("olive@example.com", 5)
		limited := app.newClient().askReset("olive@example.com")
		wantResetSent(t, limited, "olive@example.com")
		if comparable(limited.Body, "olive@example.com") != comparable(first.Body, "olive@example.com") {
			t.Errorf("the limited answer differs from the first:\n%s", limited.Body)
		}
		// Sent after the refused request; once it arrives, a sixth email would have too.
		wantResetSent(t, app.newClient().askReset("oscar@example.com"), "oscar@example.com")
		mb.waitFor("oscar@example.com", 1)
		if n := countTo(mb, "olive@example.com"); n != 5 {
			t.Errorf("%d emails after 6 requests within the hour, want 5", n)
		}
		// The latest link still works: the refused request replaced nothing. (Which of the five
		// emails carries it is the order their outbox messages were written in, after each
		// request answered: on PostgreSQL they are written side by side.)
		live := 0
		for _, m := range mb.messages() {
			if m.To == "olive@example.com" && app.newClient().get(strings.TrimPrefix(m.resetLink(t), app.Server.URL)).StatusCode == http.StatusOK {
				live++
			}
		}
		if live != 1 {
			t.Errorf("%d of the five links work after a refused sixth request, want 1", live)
		}

		app.Clock.Advance(time.Hour)
		wantResetSent(t, app.newClient().askReset("olive@example.com"), "olive@example.com")
		mb.waitFor("olive@example.com", 6)
	})

	t.Run("per IP", func(t *testing.T) {
		app := newTestApp(t)
		mb := app.startMail()
		app.createOwner("olive@example.com")
		c := app.newClient()
		for i := range 20 {
			wantResetSent(t, c.askReset("nobody"+string(rune('a'+i))+"@example.com"), "nobody"+string(rune('a'+i))+"@example.com")
		}
		wantResetSent(t, c.askReset("olive@example.com"), "olive@example.com")
		// Another address is its own client: one from 127.0.0.2 is not limited.
		wantResetSent(t, app.newClientFrom("127.0.0.2").askReset("oscar@example.com"), "oscar@example.com")
		app.Clock.Advance(time.Hour)
		wantResetSent(t, c.askReset("olive@example.com"), "olive@example.com")
		mb.waitFor("olive@example.com", 1)
		if n := countTo(mb, "olive@example.com"); n != 1 {
			t.Errorf("%d emails to olive, want 1: the request over the IP quota must send nothing", n)
		}
	})
}

func countTo(mb *mailbox, to string) int {
	n := 0
	for _, m := range mb.messages() {
		if strings.EqualFold(m.To, to) {
			n++
		}
	}
	return n
}

func TestPasswordResetLinkExpires(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")
	path := app.resetPath(mb, "olive@example.com", 1)
	app.Clock.Advance(61 * time.Minute)
	if p := app.newClient().get(path); p.StatusCode != http.StatusGone {
		t.Errorf("GET expired link: %d, want 410", p.StatusCode)
	}
	if p := setPassword(app.newClient(), path, resetPassword, resetPassword); p.StatusCode != http.StatusGone {
		t.Errorf("POST expired link: %d, want 410", p.StatusCode)
	}
	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the old password after an expired reset: %d, want 303", p.StatusCode)
	}
}

// A newer request replaces the earlier link.
func TestPasswordResetNewerLinkReplacesOlder(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")
	older := app.resetPath(mb, "olive@example.com", 1)
	newer := app.resetPath(mb, "olive@example.com", 2)
	if p := app.newClient().get(older); p.StatusCode != http.StatusGone {
		t.Errorf("GET older link: %d, want 410", p.StatusCode)
	}
	if p := app.newClient().get(newer); p.StatusCode != http.StatusOK {
		t.Errorf("GET newer link: %d, want 200", p.StatusCode)
	}
}

func TestPasswordResetBadPassword(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")
	path := app.resetPath(mb, "olive@example.com", 1)
	c := app.newClient()
	for _, tc := range []struct {
		name, password, confirm, field, want string
	}{
		{"too short", "short", "short", "password", "Use at least 12 characters."},
		{"too long", strings.Repeat("x", 129), strings.Repeat("x", 129), "password", "Use at most 128 characters."},
		{"common", "password1234", "password1234", "password", "one of the most common passwords"},
		{"the email", "olive@example.com", "olive@example.com", "password", "Don't use your email address"},
		{"mismatch", resetPassword, resetPassword + "!", "confirm_password", "The passwords don't match."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := setPassword(c, path, tc.password, tc.confirm)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.StatusCode)
			}
			if got := p.text("#f-" + tc.field + "-error"); !strings.Contains(got, tc.want) {
				t.Errorf("message beside %s: %q, want %q", tc.field, got, tc.want)
			}
			if p.text("h1") != "Set a new password" {
				t.Errorf("page %q, want the form again", p.text("h1"))
			}
		})
	}
	// Nothing changed: the old password works and the link is still live.
	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the old password after refused resets: %d, want 303", p.StatusCode)
	}
	if p := app.newClient().get(path); p.StatusCode != http.StatusOK {
		t.Errorf("the link after refused resets: %d, want 200", p.StatusCode)
	}
}

func TestForgotPasswordInvalidEmail(t *testing.T) {
	app := newTestApp(t)
	p := app.newClient().askReset("not an email")
	if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-email-error") == "" {
		t.Errorf("invalid email: %d %q, want 422 with a message beside Email", p.StatusCode, p.text("#f-email-error"))
	}
	if v, _ := p.Doc.Find("#f-email").Attr("value"); v != "not an email" {
		t.Errorf("email field kept %q", v)
	}
}

// Links are built from --base-url, never from the request's Host header.
func TestPasswordResetLinkIgnoresHostHeader(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.get("/forgot-password")
	form := url.Values{"email": {"olive@example.com"}, "_csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/forgot-password", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	// The client's jar keys cookies by the forged host, so the browser's cookie goes in by hand.
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	wantResetSent(t, c.do(req), "olive@example.com")
	e := mb.waitFor("olive@example.com", 1)
	if link := e.resetLink(t); !strings.HasPrefix(link, app.Server.URL+"/reset-password/") {
		t.Errorf("link %q, want it on %s", link, app.Server.URL)
	}
	if strings.Contains(e.Text, "evil.example") || strings.Contains(e.HTML, "evil.example") {
		t.Error("the email names the forged host")
	}
}
