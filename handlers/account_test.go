package handlers_test

import (
	"context"
	"errors"
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

const (
	newPassword = "a different long passphrase"
	chromeLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// user reads the account with that email as it is stored now.
func (a *testApp) user(email string) *models.User {
	a.t.Helper()
	u, err := a.Store.FindUserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// userLine is what a test compares to see that an account did not change.
func userLine(u *models.User) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%v|%v", u.Email, u.FirstName, u.LastName, u.Phone, u.PasswordHash, u.MFAEnabled, u.UpdatedAt)
}

// loginAs logs a browser in sending userAgent, so the session records it.
func (c *client) loginAs(email, password, userAgent string) {
	c.t.Helper()
	c.get("/login")
	p := c.request(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "_csrf": {c.csrf}},
		http.Header{"User-Agent": {userAgent}})
	if p.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login as %s: %d", email, p.StatusCode)
	}
}

// sessionRow is one row of the Account page's sessions table.
type sessionRow struct {
	ID       int64
	Device   string
	IP       string
	ThisOne  bool
	EndPath  string // the row's "Sign out" form, "" when there is none
	LastSeen string
}

func (p *page) sessionRows() []sessionRow {
	var out []sessionRow
	p.Doc.Find(".sessions-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		id, _ := tr.Attr("id")
		n, _ := strconv.ParseInt(strings.TrimPrefix(id, "session-"), 10, 64)
		r := sessionRow{ID: n, IP: strings.TrimSpace(tr.Find("td").Eq(1).Text()), LastSeen: strings.TrimSpace(tr.Find("td").Eq(3).Text())}
		dev := tr.Find("td.device")
		r.Device = strings.TrimSpace(dev.Find("span").First().Text())
		r.ThisOne = strings.Contains(dev.Find(".badge").Text(), "This device")
		form := tr.Find("form")
		if action, ok := form.Attr("action"); ok && strings.Contains(form.Find("button").Text(), "Sign out") {
			r.EndPath = action
		}
		out = append(out, r)
	})
	return out
}

// flashText is the page's flash messages.
func (p *page) flashText() string { return strings.TrimSpace(p.Doc.Find(".flash").Text()) }

// accountApp is an Owner (Olive) logged in on the Account page, with the database open.
func accountApp(t *testing.T) (*testApp, *client, *testDB, int64) {
	app, c, db, orgID := ownerWithDB(t)
	p := c.get("/account")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /account: %d", p.StatusCode)
	}
	return app, c, db, orgID
}

func profileForm(first, last, phone string) url.Values {
	return url.Values{"first_name": {first}, "last_name": {last}, "phone": {phone}}
}

func TestAccountPage(t *testing.T) {
	app, c, db, orgID := accountApp(t)
	p := c.get("/account")
	if got := p.text("h1"); got != "Account" {
		t.Fatalf("heading %q", got)
	}
	var sections []string
	p.Doc.Find("main section h2").Each(func(_ int, s *goquery.Selection) { sections = append(sections, strings.TrimSpace(s.Text())) })
	if want := []string{"Profile", "Password", "Two-factor authentication", "Sessions", "Leave organization"}; !slicesEqual(sections, want) {
		t.Errorf("sections %q, want %q", sections, want)
	}
	for name, want := range map[string]string{"first_name": "Olive", "last_name": "Owner", "phone": "", "email": "olive@example.com"} {
		if got, _ := p.inputValue(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, ro := p.Doc.Find(`input[name="email"]`).Attr("readonly"); !ro {
		t.Error("email is not read-only")
	}
	for _, label := range []string{"First name", "Last name", "Phone", "Email", "Current password", "New password", "Confirm new password"} {
		if p.labelled(label).Length() != 1 {
			t.Errorf("no input labelled %q", label)
		}
	}
	if hint := p.text("#f-phone-hint"); hint != "With country code, like +44 7911 123456" {
		t.Errorf("phone hint %q", hint)
	}
	for _, b := range []string{"Save profile", "Change password"} {
		if p.Doc.Find("button:contains('"+b+"')").Length() != 1 {
			t.Errorf("no %q button", b)
		}
	}
	// The account menu links here, above Log out.
	items := p.Doc.Find(".account-menu .menu-item")
	if items.Length() < 2 || strings.TrimSpace(items.Eq(items.Length()-2).Text()) != "Account" || strings.TrimSpace(items.Last().Text()) != "Log out" {
		t.Errorf("account menu items %q", items.Text())
	}
	if href, _ := p.Doc.Find(".account-menu a.menu-item").Attr("href"); href != "/account" {
		t.Errorf("Account links to %q", href)
	}

	t.Run("every member has one", func(t *testing.T) {
		db.addMember(orgID, "vic@example.com", models.RoleViewer)
		v := app.newClient()
		v.login("vic@example.com", testPassword)
		p := v.get("/account")
		if p.StatusCode != http.StatusOK {
			t.Fatalf("Viewer: %d", p.StatusCode)
		}
		if got, _ := p.inputValue("email"); got != "vic@example.com" {
			t.Errorf("Viewer sees email %q", got)
		}
	})

	t.Run("logged out goes to log in", func(t *testing.T) {
		p := app.newClient().get("/account")
		if p.StatusCode != http.StatusSeeOther || p.location() != "/login?next=%2Faccount" {
			t.Errorf("%d to %q", p.StatusCode, p.location())
		}
	})
}

func TestAccountSaveProfile(t *testing.T) {
	app, c, _, _ := accountApp(t)
	p := c.post("/account/profile", profileForm("  Beatrix ", "Zeller", "+44 7911 123456"))
	if p.StatusCode != http.StatusSeeOther || p.location() != "/account" {
		t.Fatalf("save: %d to %q", p.StatusCode, p.location())
	}
	u := app.user("olive@example.com")
	if u.FirstName != "Beatrix" || u.LastName != "Zeller" || u.Phone != "+447911123456" {
		t.Errorf("saved %q %q %q", u.FirstName, u.LastName, u.Phone)
	}
	p = c.get("/account")
	if got := p.flashText(); got != "Profile saved." {
		t.Errorf("flash %q", got)
	}
	if got, _ := p.inputValue("phone"); got != "+447911123456" {
		t.Errorf("phone shown as %q", got)
	}
	if got := p.text(".account-name"); got != "Beatrix Zeller" {
		t.Errorf("top bar says %q", got)
	}
	// The Users page finds the member by the new name.
	if got := c.get("/users?q=beatrix+z").emails(); !slicesEqual(got, []string{"olive@example.com"}) {
		t.Errorf("search by new name: %q", got)
	}
	if evs := app.auditEvents(models.ActionProfileUpdated); len(evs) != 1 {
		t.Errorf("%d profile events", len(evs))
	}

	// The phone is optional: clearing it saves no phone.
	if p := c.post("/account/profile", profileForm("Beatrix", "Zeller", "  ")); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("clearing the phone: %d", p.StatusCode)
	}
	if u := app.user("olive@example.com"); u.Phone != "" {
		t.Errorf("phone %q after clearing it", u.Phone)
	}
}

func TestAccountProfileBadInput(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"phone without country code", profileForm("Beatrix", "Zeller", "12345"), "phone"},
		{"phone not a number", profileForm("Beatrix", "Zeller", "+44 12"), "phone"},
		{"10,000-character first name", profileForm(long, "Zeller", ""), "first_name"},
		{"10,000-character last name", profileForm("Beatrix", long, ""), "last_name"},
		{"empty first name", profileForm(" ", "Zeller", ""), "first_name"},
		{"control character", profileForm("Bea\x00trix", "Zeller", ""), "first_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, c, _, _ := accountApp(t)
			before := app.user("olive@example.com")
			p := c.post("/account/profile", tt.form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", p.StatusCode)
			}
			msg, described := p.fieldError(tt.field)
			if msg == "" || !described {
				t.Errorf("no message beside %s (%q, described %v)", tt.field, msg, described)
			}
			// The other input is kept.
			if tt.field != "last_name" {
				if got, _ := p.inputValue("last_name"); got != "Zeller" {
					t.Errorf("last name kept as %q", got)
				}
			}
			if tt.field == "phone" {
				if got, _ := p.inputValue("phone"); got != tt.form.Get("phone") {
					t.Errorf("phone kept as %q", got)
				}
			}
			after := app.user("olive@example.com")
			if userLine(after) != userLine(before) {
				t.Errorf("user changed: %+v", after)
			}
			if evs := app.auditEvents(models.ActionProfileUpdated); len(evs) != 0 {
				t.Errorf("%d profile events", len(evs))
			}
		})
	}
}

func TestAccountProfileIgnoresExtraFields(t *testing.T) {
	app, c, db, orgID := accountApp(t)
	mia := db.addMember(orgID, "mia@example.com", models.RoleViewer)
	owner := app.memberByEmail(db, orgID, "olive@example.com")
	form := profileForm("Beatrix", "Zeller", "")
	form.Set("email", "evil@example.com")
	form.Set("user_id", strconv.FormatInt(*mia.UserID, 10))
	form.Set("id", strconv.FormatInt(*mia.UserID, 10))
	form.Set("mfa_enabled", "true")
	form.Set("role", "viewer")
	form.Set("roles", "viewer")
	form.Set("status", "terminated")
	form.Set("password_hash", "x")
	p := c.post("/account/profile", form)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", p.StatusCode)
	}
	u := app.user("olive@example.com")
	if u.FirstName != "Beatrix" || u.MFAEnabled || !models.CheckPassword(u.PasswordHash, testPassword) {
		t.Errorf("user %+v", u)
	}
	if _, err := app.Store.FindUserByEmail(context.Background(), "evil@example.com"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an account with the posted email: %v", err)
	}
	if m := app.user("mia@example.com"); m.FirstName != "Mia" || m.LastName != "Member" {
		t.Errorf("Mia renamed to %q %q", m.FirstName, m.LastName)
	}
	after := app.memberByEmail(db, orgID, "olive@example.com")
	if after.Status != models.StatusActive || !slicesEqual(roleNames(after.Roles), roleNames(owner.Roles)) || after.Email != "olive@example.com" {
		t.Errorf("membership %+v, was %+v", after, owner)
	}
}

func roleNames(rs []models.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func passwordForm(current, next, confirm string) url.Values {
	return url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {confirm}}
}

func TestAccountChangePasswordWrongCurrent(t *testing.T) {
	app, a, _, _ := accountApp(t)
	b := app.newClient()
	b.login("olive@example.com", testPassword)

	p := a.post("/account/password", passwordForm("not my password at all", newPassword, newPassword))
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("%d, want 422", p.StatusCode)
	}
	if msg, described := p.fieldError("current_password"); !strings.Contains(msg, "Current password is incorrect") || !described {
		t.Errorf("beside Current password: %q (described %v)", msg, described)
	}
	if v, _ := p.inputValue("current_password"); v != "" {
		t.Error("the password was sent back to the page")
	}
	if !b.loggedIn() || !a.loggedIn() {
		t.Error("a session ended")
	}
	if u := app.user("olive@example.com"); !models.CheckPassword(u.PasswordHash, testPassword) {
		t.Error("password changed")
	}
	if evs := app.auditEvents(models.ActionPasswordChanged); len(evs) != 0 {
		t.Errorf("%d password events", len(evs))
	}
	if p := app.newClient().tryLogin("olive@example.com", newPassword); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("new password logs in: %d", p.StatusCode)
	}

	t.Run("bad new passwords", func(t *testing.T) {
		for _, tt := range []struct {
			form  url.Values
			field string
		}{
			{passwordForm(testPassword, "short", "short"), "new_password"},
			{passwordForm(testPassword, strings.Repeat("x", 129), strings.Repeat("x", 129)), "new_password"},
			{passwordForm(testPassword, newPassword, newPassword+"!"), "confirm_password"},
			{passwordForm(testPassword, testPassword, testPassword), "new_password"},
			{passwordForm("", newPassword, newPassword), "current_password"},
		} {
			p := a.post("/account/password", tt.form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%v: %d, want 422", tt.form, p.StatusCode)
				continue
			}
			if msg, _ := p.fieldError(tt.field); msg == "" {
				t.Errorf("%v: no message beside %s", tt.form, tt.field)
			}
		}
		if !b.loggedIn() {
			t.Error("the other session ended")
		}
		if u := app.user("olive@example.com"); !models.CheckPassword(u.PasswordHash, testPassword) {
			t.Error("password changed")
		}
	})
}

func TestAccountWrongCurrentPasswordCountsTowardBackoff(t *testing.T) {
	app, a, _, _ := accountApp(t)
	for i := range 5 {
		if p := a.post("/account/password", passwordForm(fmt.Sprintf("wrong guess number %d", i), newPassword, newPassword)); p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i, p.StatusCode)
		}
	}
	// The account's login is now held back, even with the right password from another browser.
	if p := app.newClientFrom("127.0.0.2").tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusTooManyRequests {
		t.Errorf("login after five wrong current passwords: %d, want 429", p.StatusCode)
	}
	// And so is the next guess here, unchecked.
	p := a.post("/account/password", passwordForm(testPassword, newPassword, newPassword))
	if p.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while blocked: %d, want 429", p.StatusCode)
	}
	if msg, _ := p.fieldError("current_password"); !strings.Contains(msg, "Too many failed attempts") {
		t.Errorf("beside Current password: %q", msg)
	}
	if u := app.user("olive@example.com"); !models.CheckPassword(u.PasswordHash, testPassword) {
		t.Error("password changed while blocked")
	}
}

func TestAccountChangePassword(t *testing.T) {
	app, a, _, _ := accountApp(t)
	b := app.newClient()
	b.login("olive@example.com", testPassword)
	if !b.loggedIn() {
		t.Fatal("second browser not logged in")
	}
	a.get("/account")
	oldToken := a.csrf

	p := a.post("/account/password", passwordForm(testPassword, newPassword, newPassword))
	if p.StatusCode != http.StatusSeeOther || p.location() != "/account" {
		t.Fatalf("change: %d to %q", p.StatusCode, p.location())
	}
	if b.loggedIn() {
		t.Error("the other browser's session still works")
	}
	p = a.get("/account")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("this browser after the change: %d to %q", p.StatusCode, p.location())
	}
	if got := p.flashText(); got != "Password changed. Your other sessions have been signed out." {
		t.Errorf("flash %q", got)
	}
	if rows := p.sessionRows(); len(rows) != 1 || !rows[0].ThisOne {
		t.Errorf("sessions after the change: %+v", rows)
	}
	if a.csrf == oldToken {
		t.Error("the CSRF token was not rotated")
	}
	if p := a.post("/account/sessions/end-others", url.Values{"_csrf": {oldToken}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("a post with the old CSRF token: %d, want 403", p.StatusCode)
	}
	if p := app.newClient().tryLogin("olive@example.com", testPassword); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password still logs in: %d", p.StatusCode)
	}
	app.newClient().login("olive@example.com", newPassword)
	if evs := app.auditEvents(models.ActionPasswordChanged); len(evs) != 1 || evs[0].Detail != "1 other session signed out" {
		t.Errorf("audit %+v", evs)
	}
}

func TestAccountSessions(t *testing.T) {
	app, a, db, orgID := accountApp(t)
	b := app.newClient()
	app.Clock.Advance(5 * time.Minute)
	b.loginAs("olive@example.com", testPassword, chromeLinux)

	p := a.get("/account")
	rows := p.sessionRows()
	if len(rows) != 2 {
		t.Fatalf("sessions %+v, want 2", rows)
	}
	var mine, other sessionRow
	for _, r := range rows {
		if r.ThisOne {
			mine = r
		} else {
			other = r
		}
	}
	if mine.ID == 0 || other.ID == 0 || mine.ID == other.ID {
		t.Fatalf("rows %+v: want one marked This device", rows)
	}
	if mine.EndPath != "" {
		t.Error("this device has a Sign out button")
	}
	if other.Device != "Chrome on Linux" || other.IP != "127.0.0.1" || other.LastSeen != "just now" {
		t.Errorf("other session %+v", other)
	}
	if want := fmt.Sprintf("/account/sessions/%d/end", other.ID); other.EndPath != want {
		t.Errorf("Sign out posts to %q, want %q", other.EndPath, want)
	}
	if p.Doc.Find("button:contains('Sign out everywhere else')").Length() != 1 {
		t.Error("no Sign out everywhere else button")
	}

	t.Run("another member's session is not found", func(t *testing.T) {
		db.addMember(orgID, "mia@example.com", models.RoleViewer)
		m := app.newClient()
		m.login("mia@example.com", testPassword)
		ss, err := app.Store.FindUserSessions(context.Background(), app.user("mia@example.com").ID)
		if err != nil || len(ss) != 1 {
			t.Fatalf("Mia's sessions %v, %v", ss, err)
		}
		for _, path := range []string{fmt.Sprintf("/account/sessions/%d/end", ss[0].ID), "/account/sessions/99999/end", "/account/sessions/abc/end", "/account/sessions/-1/end"} {
			if p := a.post(path, nil); p.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, p.StatusCode)
			}
		}
		if !m.loggedIn() {
			t.Error("Mia's session ended")
		}
		if !b.loggedIn() {
			t.Error("Olive's other session ended")
		}
	})

	t.Run("Sign out ends that session", func(t *testing.T) {
		p := a.post(other.EndPath, nil)
		if p.StatusCode != http.StatusSeeOther || p.location() != "/account" {
			t.Fatalf("sign out: %d to %q", p.StatusCode, p.location())
		}
		// The flash first: any page this browser loads takes it.
		p = a.get("/account")
		if got := p.flashText(); got != "Session signed out." {
			t.Errorf("flash %q", got)
		}
		if b.loggedIn() {
			t.Error("the signed-out session still works")
		}
		if !a.loggedIn() {
			t.Error("this session ended too")
		}
		if rows := p.sessionRows(); len(rows) != 1 || !rows[0].ThisOne {
			t.Errorf("sessions %+v", rows)
		}
		if p.Doc.Find("button:contains('Sign out everywhere else')").Length() != 0 {
			t.Error("Sign out everywhere else offered with no other session")
		}
		if evs := app.auditEvents(models.ActionSessionRevoked); len(evs) != 1 {
			t.Errorf("%d session events", len(evs))
		}
	})
}

func TestAccountSignOutEverywhereElse(t *testing.T) {
	app, a, db, orgID := accountApp(t)
	others := []*client{app.newClient(), app.newClient()}
	for _, o := range others {
		o.login("olive@example.com", testPassword)
	}
	db.addMember(orgID, "mia@example.com", models.RoleViewer)
	mia := app.newClient()
	mia.login("mia@example.com", testPassword)
	if n := len(a.get("/account").sessionRows()); n != 3 {
		t.Fatalf("%d sessions listed, want 3", n)
	}
	p := a.post("/account/sessions/end-others", nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/account" {
		t.Fatalf("%d to %q", p.StatusCode, p.location())
	}
	p = a.get("/account")
	if got := p.flashText(); got != "Signed out 2 other sessions." {
		t.Errorf("flash %q", got)
	}
	if n := len(p.sessionRows()); n != 1 {
		t.Errorf("%d sessions listed, want 1", n)
	}
	for i, o := range others {
		if o.loggedIn() {
			t.Errorf("other session %d still works", i)
		}
	}
	if !a.loggedIn() {
		t.Error("this session ended")
	}
	if !mia.loggedIn() {
		t.Error("another member's session ended")
	}
}

func TestAccountPostsNeedCSRF(t *testing.T) {
	app, a, _, _ := accountApp(t)
	b := app.newClient()
	b.loginAs("olive@example.com", testPassword, chromeLinux)
	var otherEnd string
	for _, r := range a.get("/account").sessionRows() {
		if !r.ThisOne {
			otherEnd = r.EndPath
		}
	}
	if otherEnd == "" {
		t.Fatal("no Sign out for the other session")
	}
	before := app.user("olive@example.com")
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/account/profile", profileForm("Pwned", "Pwned", "+447911123456")},
		{"/account/password", passwordForm(testPassword, newPassword, newPassword)},
		{otherEnd, url.Values{}},
		{"/account/sessions/end-others", url.Values{}},
	} {
		for name, form := range map[string]url.Values{"no token": tt.form, "wrong token": withField(tt.form, "_csrf", "forged")} {
			if p := a.request(http.MethodPost, tt.path, form, nil); p.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s, %s: %d, want 403", tt.path, name, p.StatusCode)
			}
		}
	}
	if after := app.user("olive@example.com"); userLine(after) != userLine(before) {
		t.Errorf("user changed: %+v", after)
	}
	if !b.loggedIn() || !a.loggedIn() {
		t.Error("a session ended")
	}
}

func withField(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}
