package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/models"
)

// passwordStep posts the login form with the right password for an account with a second
// factor: the answer is the second step, never a session.
func (c *client) passwordStep(email string) {
	c.t.Helper()
	c.passwordStepNext(email, "")
}

func (c *client) passwordStepNext(email, next string) {
	c.t.Helper()
	c.get("/login?next=" + url.QueryEscape(next))
	p := c.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {next}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login/verify" {
		c.t.Fatalf("password step for %s: %d to %q (%q), want 303 to /login/verify", email, p.StatusCode, p.location(), p.text(".form-error"))
	}
	if v := c.get("/login/verify"); v.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /login/verify: %d to %q", v.StatusCode, v.location())
	}
}

// verify posts the second step.
func (c *client) verify(method, code string) *page {
	c.t.Helper()
	return c.post("/login/verify", url.Values{"method": {method}, "code": {code}})
}

// sessions counts the server-side sessions of email's account.
func (a *testApp) sessions(email string) int {
	a.t.Helper()
	ss, err := a.Store.FindUserSessions(context.Background(), a.user(email).ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return len(ss)
}

// withSMS logs email in with the password, sets up text messages to phone (E.164) and logs
// out again.
func (a *testApp) withSMS(mb *mailbox, email, phone string) {
	a.t.Helper()
	c := a.newClient()
	c.login(email, testPassword)
	c.get("/mfa/setup/sms")
	sent := len(mb.texts(phone))
	wantRedirect(a.t, c.post("/mfa/setup/sms", url.Values{"phone": {phone}}), http.StatusSeeOther, "/mfa/setup/sms?sent=1", "setting up SMS")
	code := smsCode(a.t, mb.waitSMS(phone, sent+1))
	if r := c.post("/mfa/setup/sms/verify", url.Values{"code": {code}}); r.StatusCode != http.StatusOK || len(r.recoveryCodes()) != 10 {
		a.t.Fatalf("confirming SMS: %d %q", r.StatusCode, r.text("h1"))
	}
	c.post("/logout", nil)
}

// wantNoSession checks that c is not logged in: every page sends it to log in.
func wantNoSession(t *testing.T, c *client, what string) {
	t.Helper()
	for _, path := range []string{"/", "/users", "/settings", "/mfa/setup"} {
		p := c.get(path)
		if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Errorf("%s: GET %s: %d to %q, want to log in", what, path, p.StatusCode, p.location())
		}
	}
}

// The password alone opens no session: nothing can be reached or changed before the second
// step, which then lands on the page asked for. Each authenticator code works once.
func TestMFALoginAuthenticator(t *testing.T) {
	app, owner := mfaApp(t)
	secret, _ := app.withAuthenticator("olive@example.com")
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Fatalf("%d sessions before logging in", n)
	}

	c := app.newClient()
	c.passwordStepNext("olive@example.com", "/settings")
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Fatalf("the password alone opened %d sessions", n)
	}
	v := c.get("/login/verify")
	if v.text("h1") != "Verify it's you" || v.labelled("Verification code").Length() != 1 ||
		v.Doc.Find(`button:contains("Verify")`).Length() != 1 || v.Doc.Find(`a:contains("Use a recovery code")`).Length() != 1 {
		t.Errorf("second step page: %q", v.text("h1"))
	}
	// MFA cannot be skipped: every page, and every change with the CSRF token of the verify page.
	wantRedirect(t, c.get("/users"), http.StatusSeeOther, "/login?next=%2Fusers", "GET /users between the steps")
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/login", "GET / between the steps")
	if p := c.htmx(http.MethodGet, "/users", nil); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("htmx GET /users between the steps: %d", p.StatusCode)
	}
	wantNoSession(t, c, "between the steps")
	c.get("/login/verify")
	if c.csrf == "" {
		t.Fatal("no CSRF token on the verify page")
	}
	settings := url.Values{"name": {"Hijacked"}, "invite_lifetime_hours": {"72"}, "mfa_policy": {"off"}, "mfa_grace_days": {"0"}}
	wantRedirect(t, c.post("/settings", settings), http.StatusSeeOther, "/login", "POST /settings between the steps")
	wantRedirect(t, c.post("/users/invite", url.Values{"emails": {"x@example.com"}, "roles": {"viewer"}}), http.StatusSeeOther, "/login", "POST /users/invite between the steps")
	wantRedirect(t, c.post("/mfa/setup/app", url.Values{"code": {"123456"}}), http.StatusSeeOther, "/login", "POST /mfa/setup/app between the steps")
	if o := app.org(owner.Org.ID); o.Name != "Acme" || o.MFAPolicy != models.MFARequired {
		t.Errorf("organization %q %q after posts between the steps", o.Name, o.MFAPolicy)
	}
	if n := len(app.outboxOf(owner.Org.ID)); n != 0 || len(app.factors("olive@example.com")) != 1 || app.sessions("olive@example.com") != 0 {
		t.Errorf("posts between the steps: %d messages, %d factors, %d sessions", n, len(app.factors("olive@example.com")), app.sessions("olive@example.com"))
	}

	// The right code starts the session and goes where the login was headed.
	code := app.totpCode(secret)
	c.get("/login/verify")
	wantRedirect(t, c.verify("totp", code), http.StatusSeeOther, "/settings", "the right code")
	if n := app.sessions("olive@example.com"); n != 1 {
		t.Errorf("%d sessions after the second step, want 1", n)
	}
	if p := c.get("/settings"); p.StatusCode != http.StatusOK {
		t.Errorf("GET /settings after logging in: %d", p.StatusCode)
	}
	// The spent attempt cannot be used again.
	wantRedirect(t, c.verify("totp", code), http.StatusSeeOther, "/login", "posting the second step again")

	// The same code in a new login attempt, in the same 30 s: a replay.
	c2 := app.newClient()
	c2.passwordStep("olive@example.com")
	r := c2.verify("totp", code)
	if r.StatusCode != http.StatusUnprocessableEntity || r.text(".form-error") == "" {
		t.Errorf("a replayed code: %d %q", r.StatusCode, r.text(".form-error"))
	}
	// Still refused in the next step, where the phone shows a new code.
	app.Clock.Advance(30 * time.Second)
	if r := c2.verify("totp", code); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a replayed code a step later: %d", r.StatusCode)
	}
	if n := app.sessions("olive@example.com"); n != 1 {
		t.Errorf("%d sessions after replays, want 1", n)
	}
	if evs := app.auditEvents(models.ActionMFAFailed); len(evs) != 2 || evs[0].TargetEmail != "olive@example.com" || evs[0].Detail != "totp" {
		t.Errorf("mfa.failed events %+v", evs)
	}
	wantRedirect(t, c2.verify("totp", app.totpCode(secret)), http.StatusSeeOther, "/", "the new code")
	if n := app.sessions("olive@example.com"); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
}

// Wrong second-step codes count toward the account's backoff: after five, even the right
// code waits, and so does a new password step.
func TestMFALoginBackoff(t *testing.T) {
	app, _ := mfaApp(t)
	secret, _ := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	wrong := "000000"
	if wrong == app.totpCode(secret) {
		wrong = "111111"
	}
	for i := 1; i <= 5; i++ {
		if r := c.verify("totp", wrong); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i, r.StatusCode)
		}
	}
	r := c.verify("totp", app.totpCode(secret))
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.text(".form-error"), "Too many failed attempts") {
		t.Errorf("the right code after five wrong ones: %d %q, want 429", r.StatusCode, r.text(".form-error"))
	}
	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new password step after five wrong codes: %d, want 429", p.StatusCode)
	}
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Errorf("%d sessions", n)
	}
	if n := len(app.auditEvents(models.ActionMFAFailed)); n != 5 {
		t.Errorf("%d mfa.failed events, want 5", n)
	}
	// Once the backoff has passed, the right code works.
	app.Clock.Advance(30 * time.Second)
	wantRedirect(t, c.verify("totp", app.totpCode(secret)), http.StatusSeeOther, "/", "the right code after the backoff")
}

// Text message login: the code comes through the webhook and works only for its attempt.
func TestMFALoginSMS(t *testing.T) {
	app, owner := mfaApp(t)
	mb := app.startMail()
	app.withSMS(mb, "olive@example.com", "+447911123456")

	c := app.newClient()
	c.passwordStep("olive@example.com")
	v := c.get("/login/verify")
	if !strings.Contains(v.text(".lede"), "•••••••••3456") || v.Doc.Find(`button:contains("Send code")`).Length() != 1 || v.labelled("Verification code").Length() != 0 {
		t.Errorf("SMS second step before sending: %q", v.text(".lede"))
	}
	if strings.Contains(v.Body, "7911123456") {
		t.Error("the second step shows the whole number")
	}
	wantRedirect(t, c.post("/login/verify/send", nil), http.StatusSeeOther, "/login/verify?method=sms", "Send code")
	code := smsCode(t, mb.waitSMS("+447911123456", 2))
	if v := c.get("/login/verify?method=sms"); v.labelled("Verification code").Length() != 1 {
		t.Error("no Verification code field after sending")
	}
	if msgs := app.outboxOf(owner.Org.ID); msgs[0].Channel != models.ChannelSMS || strings.Contains(msgs[0].Subject, code) {
		t.Errorf("outbox %+v", msgs[0])
	}

	// A second browser's attempt has its own code; the first one's is refused there.
	c2 := app.newClient()
	c2.passwordStep("olive@example.com")
	wantRedirect(t, c2.post("/login/verify/send", nil), http.StatusSeeOther, "/login/verify?method=sms", "Send code in a second browser")
	code2 := smsCode(t, mb.waitSMS("+447911123456", 3))
	if code2 != code {
		if r := c2.verify("sms", code); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a code from another login attempt: %d", r.StatusCode)
		}
		if r := c.verify("sms", code2); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a code from another login attempt (the other way): %d", r.StatusCode)
		}
	}
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Fatalf("%d sessions before a right code", n)
	}
	wantRedirect(t, c2.verify("sms", code2), http.StatusSeeOther, "/", "the second browser's own code")
	wantRedirect(t, c.verify("sms", code), http.StatusSeeOther, "/", "the first browser's own code")
	if n := app.sessions("olive@example.com"); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Errorf("GET /users: %d", p.StatusCode)
	}
	// Resending within the minute is refused with a message.
	c3 := app.newClient()
	c3.passwordStep("olive@example.com")
	c3.post("/login/verify/send", nil)
	if r := c3.post("/login/verify/send", nil); r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.text(".form-error"), "ask for another in") {
		t.Errorf("resend at once: %d %q", r.StatusCode, r.text(".form-error"))
	}
}

// SMS codes expire after 10 minutes; five wrong ones end the attempt.
func TestMFALoginSMSExpiryAndAttempts(t *testing.T) {
	app, _ := mfaApp(t)
	mb := app.startMail()
	app.withSMS(mb, "olive@example.com", "+12015550123")

	c := app.newClient()
	c.passwordStep("olive@example.com")
	c.post("/login/verify/send", nil)
	code := smsCode(t, mb.waitSMS("+12015550123", 2))
	app.Clock.Advance(10 * time.Minute)
	r := c.verify("sms", code)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(".form-error"), "expired") {
		t.Errorf("a code 10 minutes old: %d %q", r.StatusCode, r.text(".form-error"))
	}
	// A new code, in the same attempt, works.
	wantRedirect(t, c.post("/login/verify/send", nil), http.StatusSeeOther, "/login/verify?method=sms", "Send a new code")
	code = smsCode(t, mb.waitSMS("+12015550123", 3))
	wantRedirect(t, c.verify("sms", code), http.StatusSeeOther, "/", "a fresh code")

	// Five wrong codes end the attempt, and the right one is no use after that. (From another
	// address: the expired code above counts toward this one's backoff, which would cut in first.)
	c2 := app.newClientFrom("127.0.0.2")
	c2.passwordStep("olive@example.com")
	c2.post("/login/verify/send", nil)
	code = smsCode(t, mb.waitSMS("+12015550123", 4))
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	for i := 1; i <= 4; i++ {
		if r := c2.verify("sms", wrong); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i, r.StatusCode)
		}
	}
	wantRedirect(t, c2.verify("sms", wrong), http.StatusSeeOther, "/login", "the fifth wrong code")
	if f := c2.get("/login").flashText(); !strings.Contains(f, "Too many wrong codes") {
		t.Errorf("flash %q", f)
	}
	wantRedirect(t, c2.verify("sms", code), http.StatusSeeOther, "/login", "the right code after the attempt ended")
	if n := app.sessions("olive@example.com"); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	var details []string
	for _, ev := range app.auditEvents(models.ActionMFAFailed) {
		details = append(details, ev.Detail)
	}
	slices.Sort(details)
	if want := []string{"sms", "sms", "sms", "sms", "sms", "sms: too many wrong codes"}; !slices.Equal(details, want) {
		t.Errorf("mfa.failed details %q, want %q", details, want)
	}
}

// A recovery code logs in once, and says how many are left.
func TestMFALoginRecoveryCode(t *testing.T) {
	app, _ := mfaApp(t)
	_, codes := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	v := c.get("/login/verify?method=recovery")
	if v.labelled("Recovery code").Length() != 1 {
		t.Fatal("no Recovery code field")
	}
	wantRedirect(t, c.verify("recovery", strings.ToUpper(codes[4])), http.StatusSeeOther, "/", "a recovery code")
	if f := c.get("/").flashText(); !strings.Contains(f, "You have 9 left") {
		t.Errorf("flash %q", f)
	}
	if n := app.recoveryLeft("olive@example.com"); n != 9 {
		t.Errorf("%d recovery codes left, want 9", n)
	}
	evs := app.auditEvents(models.ActionRecoveryCodeUsed)
	if len(evs) != 1 || evs[0].Detail != "9 left" || strings.Contains(evs[0].Detail, codes[4]) {
		t.Errorf("mfa.recovery_code_used events %+v", evs)
	}
	c.post("/logout", nil)

	c2 := app.newClient()
	c2.passwordStep("olive@example.com")
	for _, code := range []string{codes[4], "aaaa-bbbb-cc", ""} {
		r := c2.verify("recovery", code)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(".form-error"), "recovery code") {
			t.Errorf("recovery code %q: %d %q", code, r.StatusCode, r.text(".form-error"))
		}
		if r.labelled("Recovery code").Length() != 1 {
			t.Errorf("recovery code %q: the page switched away from recovery codes", code)
		}
	}
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Errorf("%d sessions after refused recovery codes", n)
	}
	// Down to three, the flash says to make new ones.
	unused := slices.Delete(slices.Clone(codes), 4, 5)
	for i := range 6 {
		c := app.newClient()
		c.passwordStep("olive@example.com")
		wantRedirect(t, c.verify("recovery", unused[i]), http.StatusSeeOther, "/", "recovery code")
		f := c.get("/").flashText()
		if left := 8 - i; !strings.Contains(f, "You have "+strconv.Itoa(left)+" left") || strings.Contains(f, "Make new ones") != (left <= 3) {
			t.Errorf("flash with %d codes left: %q", left, f)
		}
	}
	if n := len(app.auditEvents(models.ActionRecoveryCodeUsed)); n != 7 {
		t.Errorf("%d mfa.recovery_code_used events, want 7", n)
	}
}

// The second step lasts 15 minutes; then the login starts again.
func TestMFALoginAttemptExpires(t *testing.T) {
	app, _ := mfaApp(t)
	secret, _ := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	app.Clock.Advance(16 * time.Minute)
	wantRedirect(t, c.verify("totp", app.totpCode(secret)), http.StatusSeeOther, "/login", "the right code after 16 minutes")
	if f := c.get("/login").flashText(); f != "Your sign-in attempt has expired. Log in again." {
		t.Errorf("flash %q", f)
	}
	wantRedirect(t, c.get("/login/verify"), http.StatusSeeOther, "/login", "GET /login/verify after it expired")
	wantRedirect(t, c.post("/login/verify/send", nil), http.StatusSeeOther, "/login", "Send code after it expired")
	if n := app.sessions("olive@example.com"); n != 0 {
		t.Errorf("%d sessions", n)
	}
	wantNoSession(t, c, "after the attempt expired")
	// A browser that never gave a password has no second step at all.
	wantRedirect(t, app.newClient().get("/login/verify"), http.StatusSeeOther, "/login", "GET /login/verify without a password step")
}

// An Owner resets a member's MFA from the row menu: their session ends and they set it up again.
func TestMFAResetByOwner(t *testing.T) {
	app, owner := mfaApp(t)
	db := openDB(app)
	ed := db.addMembers(owner.Org.ID, member{Email: "ed@example.com", First: "Ed", Last: "Editor", Roles: []models.Role{models.RoleEditor}})[0]
	edSecret, _ := app.withAuthenticator("ed@example.com")
	oliveSecret, _ := app.withAuthenticator("olive@example.com")
	olive := app.newClient()
	olive.passwordStep("olive@example.com")
	olive.verify("totp", app.totpCode(oliveSecret))
	edc := app.newClient()
	edc.passwordStep("ed@example.com")
	wantRedirect(t, edc.verify("totp", app.totpCode(edSecret)), http.StatusSeeOther, "/", "Ed logs in")

	users := olive.get("/users")
	path := memberPath(ed.ID, "reset-mfa")
	if !slices.Contains(rowHrefs(users, "ed@example.com"), path) {
		t.Fatalf("Ed's row menu %v lacks %s", rowHrefs(users, "ed@example.com"), path)
	}
	confirm := olive.get(path)
	if confirm.StatusCode != http.StatusOK || !strings.Contains(confirm.Body, "Reset two-factor authentication for Ed Editor?") {
		t.Fatalf("GET %s: %d", path, confirm.StatusCode)
	}
	if !app.user("ed@example.com").MFAEnabled {
		t.Fatal("opening the dialog reset MFA")
	}
	r := olive.post(path, nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/users") {
		t.Fatalf("POST %s: %d to %q", path, r.StatusCode, r.location())
	}
	if f := olive.get(r.location()).flashText(); !strings.Contains(f, "Two-factor authentication of Ed Editor was reset") {
		t.Errorf("flash %q", f)
	}
	if u := app.user("ed@example.com"); u.MFAEnabled || len(app.factors("ed@example.com")) != 0 || app.recoveryLeft("ed@example.com") != 0 {
		t.Errorf("Ed after the reset: MFA %v, %d factors, %d codes", u.MFAEnabled, len(app.factors("ed@example.com")), app.recoveryLeft("ed@example.com"))
	}
	if evs := app.auditEvents(models.ActionMFAReset); len(evs) != 1 || evs[0].TargetEmail != "ed@example.com" || evs[0].ActorEmail != "olive@example.com" {
		t.Errorf("mfa.reset events %+v", evs)
	}
	// Ed's open session has ended; Olive's has not.
	wantRedirect(t, edc.get("/users"), http.StatusSeeOther, "/login?next=%2Fusers", "Ed's next request")
	if p := olive.get("/users"); p.StatusCode != http.StatusOK {
		t.Errorf("Olive after the reset: %d", p.StatusCode)
	}
	// Ed's next login skips the second step and goes straight to setting one up.
	edc.login("ed@example.com", testPassword)
	wantRedirect(t, edc.get("/"), http.StatusSeeOther, "/mfa/setup", "Ed after logging in again")
	if users := olive.get("/users"); slices.Contains(rowMenu(users, "ed@example.com"), "Reset MFA") {
		t.Error("Reset MFA still offered for Ed")
	}
}

// Only Owners and Admins reset MFA, never their own, an Admin never an Owner's, and never
// in another organization.
func TestMFAResetRefused(t *testing.T) {
	app, owner := mfaApp(t)
	db := openDB(app)
	ms := db.addMembers(owner.Org.ID,
		member{Email: "ada@example.com", First: "Ada", Last: "Admin", Roles: []models.Role{models.RoleAdmin}},
		member{Email: "eve@example.com", First: "Eve", Last: "Editor", Roles: []models.Role{models.RoleEditor}},
		member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}},
	)
	globex := db.orgNamed("Globex")
	gina := db.addMembers(globex.ID, member{Email: "gina@globex.example", First: "Gina", Last: "Globex", Roles: []models.Role{models.RoleViewer}})[0]
	if err := db.db.Exec("UPDATE users SET mfa_enabled = ? WHERE email = ?", true, "gina@globex.example").Error; err != nil {
		t.Fatal(err)
	}
	oliveM := app.memberByEmail(db, owner.Org.ID, "olive@example.com")
	clients := map[string]*client{}
	for _, email := range []string{"olive@example.com", "ada@example.com", "eve@example.com", "vic@example.com"} {
		secret, _ := app.withAuthenticator(email)
		c := app.newClient()
		c.passwordStep(email)
		wantRedirect(t, c.verify("totp", app.totpCode(secret)), http.StatusSeeOther, "/", email+" logs in")
		c.get("/users")
		clients[email] = c
	}
	mfaOf := func() string {
		var out []string
		for _, email := range []string{"olive@example.com", "ada@example.com", "eve@example.com", "vic@example.com", "gina@globex.example"} {
			u := app.user(email)
			out = append(out, email+"="+map[bool]string{true: "on", false: "off"}[u.MFAEnabled])
		}
		return strings.Join(out, " ")
	}
	before := mfaOf()

	for _, tc := range []struct {
		who    string
		target int64
		status int
		says   string
	}{
		{"vic@example.com", ms[1].ID, http.StatusForbidden, ""},
		{"eve@example.com", ms[2].ID, http.StatusForbidden, ""},
		{"eve@example.com", oliveM.ID, http.StatusForbidden, ""},
		{"olive@example.com", oliveM.ID, http.StatusUnprocessableEntity, "your own"},
		{"ada@example.com", ms[0].ID, http.StatusUnprocessableEntity, "your own"},
		{"ada@example.com", oliveM.ID, http.StatusUnprocessableEntity, "Only an Owner"},
		{"olive@example.com", gina.ID, http.StatusNotFound, ""},
		{"ada@example.com", gina.ID, http.StatusNotFound, ""},
	} {
		path := memberPath(tc.target, "reset-mfa")
		c := clients[tc.who]
		for _, p := range []*page{c.post(path, nil), c.htmx(http.MethodPost, path, url.Values{})} {
			if p.StatusCode != tc.status || !strings.Contains(p.Body, tc.says) {
				t.Errorf("%s: %s POST %s: %d, want %d saying %q", tc.who, p.Request.Header.Get("HX-Request"), path, p.StatusCode, tc.status, tc.says)
			}
		}
		if tc.status == http.StatusNotFound {
			if p := c.get(path); p.StatusCode != http.StatusNotFound || strings.Contains(p.Body, "gina") {
				t.Errorf("%s: GET %s: %d", tc.who, path, p.StatusCode)
			}
		}
	}
	if got := mfaOf(); got != before {
		t.Errorf("refused resets changed MFA:\n%s\n%s", before, got)
	}
	if n := len(app.auditEvents(models.ActionMFAReset)); n != 0 {
		t.Errorf("%d mfa.reset events", n)
	}
	for email, c := range clients {
		if p := c.get("/users"); p.StatusCode != http.StatusOK {
			t.Errorf("%s lost their session: %d", email, p.StatusCode)
		}
	}
	// An Admin may reset an Editor.
	if r := clients["ada@example.com"].post(memberPath(ms[1].ID, "reset-mfa"), nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/users") {
		t.Errorf("Ada resets Eve: %d to %q", r.StatusCode, r.location())
	}
	if app.user("eve@example.com").MFAEnabled {
		t.Error("Ada's reset of Eve did nothing")
	}
}
