package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"gatehouse/models"
	"gatehouse/store"
)

// mfaApp is Gatehouse with an organization that requires two-factor authentication and
// its Owner, Olive, who has not set it up yet.
func mfaApp(t *testing.T) (*testApp, *store.CreateOwnerResult) {
	t.Helper()
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	app.setMFAPolicy(owner, models.MFARequired)
	return app, owner
}

// totpCode is the code an authenticator app with secret shows at the app's clock.
func (a *testApp) totpCode(secret string) string {
	a.t.Helper()
	code, err := totp.GenerateCodeCustom(secret, a.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		a.t.Fatal(err)
	}
	return code
}

// recoveryCodes lists the codes of a "Recovery codes" page.
func (p *page) recoveryCodes() []string {
	var out []string
	p.Doc.Find("ol.codes code").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

// enrollApp sets up the authenticator app for the logged-in client, through the pages,
// and returns the key and the recovery codes shown.
func (c *client) enrollApp(password string) (secret string, codes []string) {
	c.t.Helper()
	p := c.get("/mfa/setup/app")
	secret = p.totpKey()
	if p.StatusCode != http.StatusOK || secret == "" {
		c.t.Fatalf("GET /mfa/setup/app: %d, key %q", p.StatusCode, secret)
	}
	form := url.Values{"code": {c.app.totpCode(secret)}}
	if password != "" {
		form.Set("password", password)
	}
	r := c.post("/mfa/setup/app", form)
	if password != "" {
		if r.StatusCode != http.StatusSeeOther {
			c.t.Fatalf("adding an authenticator: %d %q", r.StatusCode, r.text(".form-error"))
		}
		return secret, nil
	}
	if r.StatusCode != http.StatusOK || r.text("h1") != "Recovery codes" {
		c.t.Fatalf("confirming the authenticator: %d %q %q", r.StatusCode, r.text("h1"), r.Doc.Find(".field-error").Text())
	}
	return secret, r.recoveryCodes()
}

// withAuthenticator logs email in with the password, sets up the authenticator app and logs
// out again, and moves the clock to the next 30 s step so the enrolling code is spent.
func (a *testApp) withAuthenticator(email string) (secret string, codes []string) {
	a.t.Helper()
	c := a.newClient()
	c.login(email, testPassword)
	secret, codes = c.enrollApp("")
	c.post("/logout", nil)
	a.Clock.Advance(30 * time.Second)
	return secret, codes
}

// factors returns the confirmed second factors of email's account.
func (a *testApp) factors(email string) []models.MFAFactor {
	a.t.Helper()
	fs, err := a.Store.FindFactors(context.Background(), a.user(email).ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return fs
}

// recoveryLeft counts email's unused recovery codes.
func (a *testApp) recoveryLeft(email string) int {
	a.t.Helper()
	n, err := a.Store.CountRecoveryCodes(context.Background(), a.user(email).ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

// org reads the organization back, to see what a settings change did or did not do.
func (a *testApp) org(id int64) *models.Organization {
	a.t.Helper()
	o, err := a.Store.FindOrganization(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return o
}

func wantRedirect(t testing.TB, p *page, status int, to, what string) {
	t.Helper()
	if p.StatusCode != status || p.location() != to {
		t.Errorf("%s: %d to %q, want %d to %q", what, p.StatusCode, p.location(), status, to)
	}
}

// A member who must enroll can reach nothing but the setup pages and logging out.
func TestMFAEnrollmentRequired(t *testing.T) {
	app, owner := mfaApp(t)
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	for _, path := range []string{"/", "/users", "/users?tab=pending", "/users/invite", "/settings", "/audit", "/outbox", "/account"} {
		wantRedirect(t, c.get(path), http.StatusSeeOther, "/mfa/setup", "GET "+path)
	}
	// Paths that only look like the setup pages lead nowhere.
	for _, path := range []string{"/mfa/../users", "/mfa/%2e%2e/users", "/mfa/setup/..%2F..%2Fsettings"} {
		req, _ := http.NewRequest(http.MethodGet, app.Server.URL+path, nil)
		if p := c.do(req); p.StatusCode == http.StatusOK {
			t.Errorf("GET %s: 200 %q", path, p.text("h1"))
		}
	}
	for _, path := range []string{"/users", "/users/invite", "/settings"} {
		p := c.htmx(http.MethodGet, path, nil)
		if p.StatusCode != http.StatusNoContent || p.Header.Get("HX-Redirect") != "/mfa/setup" {
			t.Errorf("htmx GET %s: %d HX-Redirect %q, want 204 to /mfa/setup", path, p.StatusCode, p.Header.Get("HX-Redirect"))
		}
	}
	// Changes are refused the same way, and change nothing.
	c.get("/mfa/setup")
	settings := url.Values{"name": {"Hijacked"}, "invite_lifetime_hours": {"72"}, "mfa_policy": {"off"}, "mfa_grace_days": {"0"}}
	wantRedirect(t, c.post("/settings", settings), http.StatusSeeOther, "/mfa/setup", "POST /settings")
	if p := c.htmx(http.MethodPost, "/settings", settings); p.Header.Get("HX-Redirect") != "/mfa/setup" {
		t.Errorf("htmx POST /settings: %d HX-Redirect %q", p.StatusCode, p.Header.Get("HX-Redirect"))
	}
	wantRedirect(t, c.post("/users/invite", url.Values{"emails": {"x@example.com"}, "roles": {"viewer"}}), http.StatusSeeOther, "/mfa/setup", "POST /users/invite")
	if o := app.org(owner.Org.ID); o.Name != "Acme" || o.MFAPolicy != models.MFARequired {
		t.Errorf("organization %q policy %q after refused changes", o.Name, o.MFAPolicy)
	}
	if n := len(app.outboxOf(owner.Org.ID)); n != 0 {
		t.Errorf("%d messages in the outbox after a refused invitation", n)
	}

	p := c.get("/mfa/setup")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Set up two-factor authentication" {
		t.Fatalf("GET /mfa/setup: %d %q", p.StatusCode, p.text("h1"))
	}
	if !strings.Contains(p.text(".lede"), "Acme asks every member") {
		t.Errorf("the page does not say the organization requires it: %q", p.text(".lede"))
	}
	if p.href(`a[href="/mfa/setup/app"]`) == "" || !strings.Contains(p.text(`a[href="/mfa/setup/app"]`), "Authenticator app") ||
		!strings.Contains(p.text(`a[href="/mfa/setup/sms"]`), "Text message (SMS)") {
		t.Error("the choices Authenticator app and Text message (SMS) are missing")
	}
	if p.Doc.Find(`a[href="/account"]`).Length() != 0 {
		t.Error("a member who must enroll is offered 'Not now'")
	}
	for _, path := range []string{"/mfa/setup/app", "/mfa/setup/sms"} {
		if p := c.get(path); p.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.StatusCode)
		}
	}
	// Logging out works.
	if p.Doc.Find(`form[action="/logout"]`).Length() != 1 {
		t.Error("no Log out on the setup page")
	}
	wantRedirect(t, c.post("/logout", nil), http.StatusSeeOther, "/login", "POST /logout")
	wantRedirect(t, c.get("/mfa/setup"), http.StatusSeeOther, "/login?next=%2Fmfa%2Fsetup", "GET /mfa/setup after logging out")
}

// Where MFA is optional or off, members without it use everything; setup stays offered.
func TestMFANotRequired(t *testing.T) {
	for _, policy := range []models.MFAPolicy{models.MFAOptional, models.MFAOff} {
		t.Run(string(policy), func(t *testing.T) {
			app, owner := mfaApp(t)
			app.setMFAPolicy(owner, policy)
			c := app.newClient()
			c.login("olive@example.com", testPassword)
			for _, path := range []string{"/", "/users", "/settings"} {
				if p := c.get(path); p.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %d to %q", path, p.StatusCode, p.location())
				}
			}
			p := c.get("/mfa/setup")
			if p.StatusCode != http.StatusOK || p.Doc.Find(`a[href="/account"]`).Length() == 0 {
				t.Errorf("GET /mfa/setup: %d, 'Not now' offered: %v", p.StatusCode, p.Doc.Find(`a[href="/account"]`).Length() > 0)
			}
		})
	}
}

// A grace period lets a new account in until it has passed.
func TestMFAGraceDays(t *testing.T) {
	app, owner := mfaApp(t)
	if err := openDB(app).db.Exec("UPDATE organizations SET mfa_grace_days = 3 WHERE id = ?", owner.Org.ID).Error; err != nil {
		t.Fatal(err)
	}
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Fatalf("a new account within the grace period: %d to %q", p.StatusCode, p.location())
	}
	// Sessions last 12 hours at most, so each day is a new login.
	app.Clock.Advance(3*24*time.Hour - time.Minute)
	c.login("olive@example.com", testPassword)
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Errorf("a minute before the grace period ends: %d to %q", p.StatusCode, p.location())
	}
	app.Clock.Advance(time.Minute)
	// The same session is sent to set up from the moment the grace period ends.
	wantRedirect(t, c.get("/users"), http.StatusSeeOther, "/mfa/setup", "GET /users when the grace period ends")
	if p := c.get("/mfa/setup"); p.StatusCode != http.StatusOK || p.Doc.Find(`a[href="/account"]`).Length() != 0 {
		t.Errorf("GET /mfa/setup after the grace period: %d", p.StatusCode)
	}
}

// Setting up the authenticator app: a QR code and the key as text, a code to confirm, then
// recovery codes shown once.
func TestMFAEnrollAuthenticator(t *testing.T) {
	app, owner := mfaApp(t)
	c := app.newClient()
	c.login("olive@example.com", testPassword)

	p := c.get("/mfa/setup/app")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Set up two-factor authentication" {
		t.Fatalf("GET /mfa/setup/app: %d %q", p.StatusCode, p.text("h1"))
	}
	src, _ := p.Doc.Find(".qr img").Attr("src")
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(src, prefix) {
		t.Fatalf("QR code src %.40q, want a data:image/png URI", src)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, prefix))
	if err != nil {
		t.Fatalf("QR code: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("QR code is not a readable PNG: %v", err)
	}
	if alt, _ := p.Doc.Find(".qr img").Attr("alt"); alt == "" {
		t.Error("the QR code has no alt text")
	}
	secret := p.totpKey()
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("key %q, want 32 base32 characters", secret)
	}
	if p.labelled("Verification code").Length() != 1 || p.Doc.Find(`button:contains("Verify")`).Length() != 1 {
		t.Error("no Verification code field or Verify button")
	}
	if p.labelled("Current password").Length() != 0 {
		t.Error("a first factor asks for the password")
	}
	// Opening the page again shows a new key; the last one shown is the one to confirm.
	again := c.get("/mfa/setup/app")
	if again.totpKey() == secret {
		t.Error("the same key twice")
	}
	secret = again.totpKey()

	// Wrong codes: 422 beside the field, the same key shown again, nothing enrolled.
	for _, code := range []string{"000000", "12345", "", "abcdef", app.totpCode(p.totpKey())} {
		r := c.post("/mfa/setup/app", url.Values{"code": {code}})
		msg, described := r.fieldError("code")
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "isn't right") || !described {
			t.Errorf("code %q: %d %q", code, r.StatusCode, msg)
		}
		if r.totpKey() != secret {
			t.Errorf("code %q: key %q shown after a wrong code, want %q", code, r.totpKey(), secret)
		}
	}
	if u := app.user("olive@example.com"); u.MFAEnabled || len(app.factors("olive@example.com")) != 0 {
		t.Fatal("wrong codes enrolled a factor")
	}
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/mfa/setup", "GET / after wrong codes")

	// The right code.
	r := c.post("/mfa/setup/app", url.Values{"code": {app.totpCode(secret)}})
	if r.StatusCode != http.StatusOK || r.text("h1") != "Recovery codes" {
		t.Fatalf("right code: %d %q %q", r.StatusCode, r.text("h1"), r.Doc.Find(".field-error").Text())
	}
	codes := r.recoveryCodes()
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10: %v", len(codes), codes)
	}
	for _, code := range codes {
		if !regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}$`).MatchString(code) {
			t.Errorf("recovery code %q", code)
		}
	}
	dl := r.Doc.Find("a:contains('Download')")
	href, _ := dl.Attr("href")
	if _, ok := dl.Attr("download"); !ok || !strings.HasPrefix(href, "data:text/plain") {
		t.Errorf("Download link %q (download attribute %v)", href, ok)
	}
	file, err := url.PathUnescape(href[strings.Index(href, ",")+1:])
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		if !strings.Contains(file, code) {
			t.Errorf("the download lacks %s", code)
		}
	}
	if cont := r.Doc.Find("a:contains('Continue')"); cont.Length() != 1 || cont.AttrOr("href", "") != "/" {
		t.Errorf("Continue links to %q", cont.AttrOr("href", ""))
	}

	u := app.user("olive@example.com")
	fs := app.factors("olive@example.com")
	if !u.MFAEnabled || len(fs) != 1 || fs[0].Kind != models.FactorTOTP || fs[0].Secret != secret {
		t.Fatalf("after enrolling: MFA %v, factors %+v", u.MFAEnabled, fs)
	}
	if n := app.recoveryLeft("olive@example.com"); n != 10 {
		t.Errorf("%d recovery codes stored, want 10", n)
	}
	if evs := app.auditEvents(models.ActionMFAEnrolled); len(evs) != 1 || evs[0].Detail != "Authenticator app" || evs[0].OrgID == nil || *evs[0].OrgID != owner.Org.ID {
		t.Errorf("mfa.enrolled events %+v", evs)
	}
	for _, path := range []string{"/", "/users", "/settings"} {
		if p := c.get(path); p.StatusCode != http.StatusOK {
			t.Errorf("GET %s after enrolling: %d to %q", path, p.StatusCode, p.location())
		}
	}
	// The codes were shown once: posting the form again enrolls nothing more and shows none.
	again = c.post("/mfa/setup/app", url.Values{"code": {app.totpCode(secret)}})
	if again.StatusCode != http.StatusSeeOther || len(again.recoveryCodes()) != 0 || len(app.factors("olive@example.com")) != 1 {
		t.Errorf("posting the confirmed key again: %d, %d factors", again.StatusCode, len(app.factors("olive@example.com")))
	}
}

// Setting up text messages, with the code read from the SMS webhook.
func TestMFAEnrollSMS(t *testing.T) {
	app, owner := mfaApp(t)
	mb := app.startMail()
	c := app.newClient()
	c.login("olive@example.com", testPassword)

	p := c.get("/mfa/setup/sms")
	if p.StatusCode != http.StatusOK || p.labelled("Phone number").Length() != 1 || p.Doc.Find(`button:contains("Send code")`).Length() != 1 {
		t.Fatalf("GET /mfa/setup/sms: %d, Phone number field %d", p.StatusCode, p.labelled("Phone number").Length())
	}
	for _, bad := range []string{"", "07911 123456", "+44 7911", "+44 79II 123456", "call me"} {
		r := c.post("/mfa/setup/sms", url.Values{"phone": {bad}})
		msg, described := r.fieldError("phone")
		kept, _ := r.inputValue("phone")
		if r.StatusCode != http.StatusUnprocessableEntity || msg == "" || !described || kept != bad {
			t.Errorf("phone %q: %d, message %q (described %v), kept %q", bad, r.StatusCode, msg, described, kept)
		}
	}
	if n := len(app.outboxOf(owner.Org.ID)); n != 0 {
		t.Fatalf("%d messages queued for bad numbers", n)
	}

	r := c.post("/mfa/setup/sms", url.Values{"phone": {"+44 7911 123456"}})
	wantRedirect(t, r, http.StatusSeeOther, "/mfa/setup/sms?sent=1", "a good number")
	first := smsCode(t, mb.waitSMS("+447911123456", 1))
	sent := c.get("/mfa/setup/sms?sent=1")
	if !strings.Contains(sent.text(".lede"), "•••••••••3456") || sent.labelled("Verification code").Length() != 1 {
		t.Errorf("after sending: %q", sent.text(".lede"))
	}
	if strings.Contains(sent.Body, "7911123456") {
		t.Error("the page shows the whole number")
	}

	// Resending at once is refused with the wait; a minute later it works.
	rs := c.post("/mfa/setup/sms/resend", nil)
	if rs.StatusCode != http.StatusTooManyRequests || !strings.Contains(rs.text(".form-error"), "ask for another in 60 seconds") {
		t.Errorf("resend at once: %d %q", rs.StatusCode, rs.text(".form-error"))
	}
	app.Clock.Advance(61 * time.Second)
	wantRedirect(t, c.post("/mfa/setup/sms/resend", nil), http.StatusSeeOther, "/mfa/setup/sms?sent=1", "resend after a minute")
	if f := c.get("/mfa/setup/sms?sent=1").flashText(); f != "We sent a new code." {
		t.Errorf("flash %q", f)
	}
	second := smsCode(t, mb.waitSMS("+447911123456", 2))
	if len(mb.texts("+447911123456")) != 2 {
		t.Errorf("%d texts, want 2", len(mb.texts("+447911123456")))
	}

	// The replaced code and a wrong one are refused beside the field.
	for _, code := range []string{first, "000000"} {
		if code == second {
			continue
		}
		r := c.post("/mfa/setup/sms/verify", url.Values{"code": {code}})
		if msg, _ := r.fieldError("code"); r.StatusCode != http.StatusUnprocessableEntity || msg == "" {
			t.Errorf("code %s: %d %q", code, r.StatusCode, msg)
		}
	}
	if app.user("olive@example.com").MFAEnabled {
		t.Fatal("enrolled by wrong codes")
	}
	r = c.post("/mfa/setup/sms/verify", url.Values{"code": {second[:3] + " " + second[3:]}})
	if r.StatusCode != http.StatusOK || r.text("h1") != "Recovery codes" || len(r.recoveryCodes()) != 10 {
		t.Fatalf("right code: %d %q, %d codes", r.StatusCode, r.text("h1"), len(r.recoveryCodes()))
	}
	fs := app.factors("olive@example.com")
	if !app.user("olive@example.com").MFAEnabled || len(fs) != 1 || fs[0].Kind != models.FactorSMS || fs[0].Phone != "+447911123456" {
		t.Errorf("factors %+v", fs)
	}
	if evs := app.auditEvents(models.ActionMFAEnrolled); len(evs) != 1 || !strings.Contains(evs[0].Detail, "3456") || strings.Contains(evs[0].Detail, "7911") {
		t.Errorf("mfa.enrolled events %+v", evs)
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Errorf("GET /users after enrolling: %d", p.StatusCode)
	}
	for _, m := range app.outboxOf(owner.Org.ID) {
		if m.Channel != models.ChannelSMS || m.Status != models.OutboxSent {
			t.Errorf("outbox message to %s: %s %s", m.Recipient, m.Channel, m.Status)
		}
	}
}

// Five wrong codes end the enrollment attempt; the right code does not work after that.
func TestMFAEnrollSMSWrongCodes(t *testing.T) {
	app, owner := mfaApp(t)
	mb := app.startMail()
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/mfa/setup/sms")
	c.post("/mfa/setup/sms", url.Values{"phone": {"+1 201 555 0123"}})
	code := smsCode(t, mb.waitSMS("+12015550123", 1))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i <= 4; i++ {
		if r := c.post("/mfa/setup/sms/verify", url.Values{"code": {wrong}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i, r.StatusCode)
		}
	}
	wantRedirect(t, c.post("/mfa/setup/sms/verify", url.Values{"code": {wrong}}), http.StatusSeeOther, "/mfa/setup/sms", "the fifth wrong code")
	if f := c.get("/mfa/setup/sms").flashText(); !strings.Contains(f, "Too many wrong codes") {
		t.Errorf("flash %q", f)
	}
	wantRedirect(t, c.post("/mfa/setup/sms/verify", url.Values{"code": {code}}), http.StatusSeeOther, "/mfa/setup/sms", "the right code after the attempt ended")
	if f := c.get("/mfa/setup/sms").flashText(); !strings.Contains(f, "expired") {
		t.Errorf("flash %q", f)
	}
	if app.user("olive@example.com").MFAEnabled || len(app.factors("olive@example.com")) != 0 {
		t.Error("enrolled after the attempt ended")
	}
	// A resend for the ended attempt sends nothing.
	app.Clock.Advance(2 * time.Minute)
	wantRedirect(t, c.post("/mfa/setup/sms/resend", nil), http.StatusSeeOther, "/mfa/setup/sms", "resend after the attempt ended")
	if n := len(app.outboxOf(owner.Org.ID)); n != 1 {
		t.Errorf("%d messages in the outbox, want the first only", n)
	}
}

// A member who already has a second factor gives the password again to add another.
func TestMFAAddMethodNeedsPassword(t *testing.T) {
	app, owner := mfaApp(t)
	mb := app.startMail()
	secret, _ := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	wantRedirect(t, c.verify("totp", app.totpCode(secret)), http.StatusSeeOther, "/", "second step")

	p := c.get("/mfa/setup/sms")
	if p.labelled("Current password").Length() != 1 {
		t.Fatal("no Current password field when adding SMS")
	}
	if p := c.get("/mfa/setup/app"); p.labelled("Current password").Length() != 1 {
		t.Fatal("no Current password field when adding an authenticator")
	}
	before := len(app.outboxOf(owner.Org.ID))
	r := c.post("/mfa/setup/sms", url.Values{"password": {"wrong password here"}, "phone": {"+44 7911 123456"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(".form-error"), "current password is incorrect") {
		t.Errorf("wrong password: %d %q", r.StatusCode, r.text(".form-error"))
	}
	if kept, _ := r.inputValue("phone"); kept != "+44 7911 123456" {
		t.Errorf("phone kept as %q", kept)
	}
	r = c.post("/mfa/setup/app", url.Values{"password": {"wrong password here"}, "code": {app.totpCode(c.get("/mfa/setup/app").totpKey())}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(".form-error"), "current password is incorrect") {
		t.Errorf("wrong password for an authenticator: %d %q", r.StatusCode, r.text(".form-error"))
	}
	if len(app.outboxOf(owner.Org.ID)) != before || len(app.factors("olive@example.com")) != 1 {
		t.Fatal("a wrong password sent a code or added a factor")
	}

	// The right password: SMS added as a second method, no new recovery codes.
	r = c.post("/mfa/setup/sms", url.Values{"password": {testPassword}, "phone": {"+44 7911 123456"}})
	wantRedirect(t, r, http.StatusSeeOther, "/mfa/setup/sms?sent=1", "the right password")
	code := smsCode(t, mb.waitSMS("+447911123456", 1))
	r = c.post("/mfa/setup/sms/verify", url.Values{"code": {code}})
	wantRedirect(t, r, http.StatusSeeOther, "/account", "confirming a second method")
	if len(r.recoveryCodes()) != 0 {
		t.Error("recovery codes shown again for a second method")
	}
	if fs := app.factors("olive@example.com"); len(fs) != 2 || fs[1].Kind != models.FactorSMS {
		t.Errorf("factors %+v", fs)
	}
	// The first recovery codes still work.
	if n := app.recoveryLeft("olive@example.com"); n != 10 {
		t.Errorf("%d recovery codes, want the first 10", n)
	}

	// Wrong passwords count toward the login backoff: after five, even the right one waits.
	for i := range 4 {
		if r := c.post("/mfa/setup/sms", url.Values{"password": {"wrong password here"}, "phone": {"+44 7911 654321"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password %d: %d", i+3, r.StatusCode)
		}
	}
	r = c.post("/mfa/setup/sms", url.Values{"password": {testPassword}, "phone": {"+44 7911 654321"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(".form-error"), "Too many failed attempts") {
		t.Errorf("the right password after five wrong ones: %d %q", r.StatusCode, r.text(".form-error"))
	}
	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusTooManyRequests {
		t.Errorf("logging in after five wrong passwords on the setup page: %d, want 429", p.StatusCode)
	}
	if len(mb.texts("+447911654321")) != 0 || len(app.factors("olive@example.com")) != 2 {
		t.Error("a refused request sent a code or added a factor")
	}
}

// The Users page shows who has a second factor and filters those who have none.
func TestUsersPageMFAColumn(t *testing.T) {
	app, owner := mfaApp(t)
	db := openDB(app)
	db.addMembers(owner.Org.ID,
		member{Email: "ada@example.com", First: "Ada", Last: "Admin", Roles: []models.Role{models.RoleAdmin}},
		member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}},
		member{Email: "ivy@example.com", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleViewer}},
	)
	app.withAuthenticator("ada@example.com")
	secret, _ := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	c.verify("totp", app.totpCode(secret))

	p := c.get("/users")
	if p.Doc.Find("#users-results thead th:contains('MFA')").Length() != 1 {
		t.Fatal("no MFA column")
	}
	col := -1
	p.Doc.Find("#users-results thead th").Each(func(i int, th *goquery.Selection) {
		if strings.TrimSpace(th.Text()) == "MFA" {
			col = i
		}
	})
	cell := func(p *page, email string) string {
		row := p.Doc.Find("#users-results tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.TrimSpace(s.Find("td.email").Text()) == email
		})
		return strings.TrimSpace(row.Find("td").Eq(col).Text())
	}
	for email, want := range map[string]string{"olive@example.com": "On", "ada@example.com": "On", "vic@example.com": "Not enrolled"} {
		if got := cell(p, email); got != want {
			t.Errorf("MFA of %s: %q, want %q", email, got, want)
		}
	}
	if got := rowMenu(p, "ada@example.com"); !slices.Contains(got, "Reset MFA") {
		t.Errorf("Ada's menu %v lacks Reset MFA", got)
	}
	if got := rowMenu(p, "vic@example.com"); slices.Contains(got, "Reset MFA") {
		t.Errorf("Vic, without MFA, is offered Reset MFA: %v", got)
	}
	if got := rowMenu(p, "olive@example.com"); slices.Contains(got, "Reset MFA") {
		t.Errorf("Olive is offered to reset her own MFA: %v", got)
	}

	none := c.get("/users?mfa=none")
	if got := none.emails(); !slices.Equal(got, []string{"vic@example.com"}) {
		t.Errorf("?mfa=none lists %v, want only Vic", got)
	}
	if _, checked := none.Doc.Find(`input[name="mfa"][value="none"]`).Attr("checked"); !checked {
		t.Error("the MFA filter is not shown as on")
	}
	// Tabs keep the filter; the Inactivated tab has nobody without an account to list.
	if got := c.get("/users?tab=inactivated&mfa=none").emails(); len(got) != 0 {
		t.Errorf("inactivated without MFA: %v", got)
	}
	if got := c.get("/users?mfa=none&q=ada").emails(); len(got) != 0 {
		t.Errorf("searching Ada without MFA: %v", got)
	}
	if got := c.htmx(http.MethodGet, "/users?mfa=none", nil).emails(); !slices.Equal(got, []string{"vic@example.com"}) {
		t.Errorf("htmx ?mfa=none lists %v", got)
	}
}

// Owners set the MFA policy and the grace period on the Settings page.
func TestSettingsMFAPolicy(t *testing.T) {
	app, owner := mfaApp(t)
	secret, _ := app.withAuthenticator("olive@example.com")
	c := app.newClient()
	c.passwordStep("olive@example.com")
	c.verify("totp", app.totpCode(secret))

	p := c.get("/settings")
	for _, v := range []string{"required", "optional", "off"} {
		if p.Doc.Find(`input[type="radio"][name="mfa_policy"][value="`+v+`"]`).Length() != 1 {
			t.Errorf("no %s choice", v)
		}
	}
	if _, ok := p.Doc.Find(`input[name="mfa_policy"][value="required"]`).Attr("checked"); !ok {
		t.Error("Required is not shown as the policy")
	}
	form := func(policy, grace string) url.Values {
		return url.Values{"name": {"Acme"}, "invite_lifetime_hours": {"72"}, "mfa_policy": {policy}, "mfa_grace_days": {grace}}
	}
	for _, tc := range []struct {
		policy models.MFAPolicy
		grace  int
	}{{models.MFAOptional, 0}, {models.MFAOff, 30}, {models.MFARequired, 7}, {models.MFARequired, 0}} {
		r := c.post("/settings", form(string(tc.policy), " "+strconv.Itoa(tc.grace)))
		wantRedirect(t, r, http.StatusSeeOther, "/settings", "saving "+string(tc.policy))
		if o := app.org(owner.Org.ID); o.MFAPolicy != tc.policy || o.MFAGraceDays != tc.grace {
			t.Errorf("saved %q %d, want %q %d", o.MFAPolicy, o.MFAGraceDays, tc.policy, tc.grace)
		}
	}
	evs := app.auditEvents(models.ActionOrgUpdated)
	var details []string
	for _, ev := range evs {
		details = append(details, ev.Detail)
	}
	if len(evs) != 4 || !strings.Contains(strings.Join(details, "|"), "MFA Required → Optional") || !strings.Contains(strings.Join(details, "|"), "MFA grace period 0 → 30 days") {
		t.Errorf("settings audit details %q", details)
	}

	for _, tc := range []struct{ policy, grace, field string }{
		{"optional", "31", "mfa_grace_days"}, {"optional", "x", "mfa_grace_days"}, {"optional", "-1", "mfa_grace_days"},
		{"optional", "1.5", "mfa_grace_days"}, {"sometimes", "3", "mfa_policy"}, {"Required", "3", "mfa_policy"},
	} {
		r := c.post("/settings", form(tc.policy, tc.grace))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("policy %q grace %q: %d, want 422", tc.policy, tc.grace, r.StatusCode)
			continue
		}
		var msg string
		if tc.field == "mfa_grace_days" {
			msg, _ = r.fieldError(tc.field)
			if kept, _ := r.inputValue("mfa_grace_days"); kept != tc.grace {
				t.Errorf("grace %q kept as %q", tc.grace, kept)
			}
		} else {
			msg = strings.TrimSpace(r.Doc.Find("fieldset .field-error").Text())
		}
		if msg == "" {
			t.Errorf("policy %q grace %q: no message for %s", tc.policy, tc.grace, tc.field)
		}
		if o := app.org(owner.Org.ID); o.MFAPolicy != models.MFARequired || o.MFAGraceDays != 0 {
			t.Errorf("a refused form saved %q %d", o.MFAPolicy, o.MFAGraceDays)
		}
	}
}

// totpKey is the authenticator key shown on the setup page, without the spaces that group it.
func (p *page) totpKey() string { return strings.Join(strings.Fields(p.text("#totp-key")), "") }
