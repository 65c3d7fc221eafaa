package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

const signupPassword = "purple staple quarry lantern"

// invitedApp is an Owner who has invited Ann Able as an Editor, and the path of Ann's link.
func invitedApp(t *testing.T) (*testApp, *client, *testDB, int64, string) {
	app, c, db, orgID := ownerWithDB(t)
	c.get("/users/invite")
	p := c.post("/users/invite", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "emails": {"ann@example.com"}, "roles": {"editor"}})
	if p.StatusCode != http.StatusOK || p.outcomes()["ann@example.com"].Message != "Invitation sent" {
		t.Fatalf("invite: %d %+v", p.StatusCode, p.outcomes())
	}
	return app, c, db, orgID, app.outboxLinkFor(orgID, "ann@example.com")
}

func validSignup() url.Values {
	return url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {signupPassword}, "confirm_password": {signupPassword}}
}

// assertGone checks a 410 page whose heading contains want.
func assertGone(t *testing.T, p *page, want, what string) {
	t.Helper()
	if p.StatusCode != http.StatusGone {
		t.Errorf("%s: %d, want 410", what, p.StatusCode)
	}
	if got := p.text(".error-page h1"); !strings.Contains(got, want) {
		t.Errorf("%s: heading %q, want it to say %q", what, got, want)
	}
	if p.Doc.Find("form input[name=password]").Length() != 0 {
		t.Errorf("%s: the signup form is shown", what)
	}
}

// noAccount checks that no account exists for email.
func (a *testApp) noAccount(email string) {
	a.t.Helper()
	if u, err := a.Store.FindUserByEmail(context.Background(), email); !errors.Is(err, models.ErrNotFound) {
		a.t.Errorf("an account exists for %s: %+v, %v", email, u, err)
	}
}

func TestSignupPage(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	before := app.state(db, orgID)
	c := app.newClient()
	p := c.get(link)
	if p.StatusCode != http.StatusOK || p.text("h1") != "Create your account" {
		t.Fatalf("GET %s: %d %q", link, p.StatusCode, p.text("h1"))
	}
	assertNoReferrer(t, p, "signup page")
	if lede := p.text(".lede"); !strings.Contains(lede, "Acme") || !strings.Contains(lede, "Olive Owner") {
		t.Errorf("the page does not name the organization and the inviter: %q", lede)
	}
	email := p.labelled("Email")
	if v, _ := email.Attr("value"); v != "ann@example.com" {
		t.Errorf("email %q", v)
	}
	if _, ro := email.Attr("readonly"); !ro {
		t.Error("the email can be edited")
	}
	for label, want := range map[string]string{"First name": "Ann", "Last name": "Able", "Password": "", "Confirm password": ""} {
		ctl := p.labelled(label)
		if ctl.Length() != 1 {
			t.Errorf("no field labelled %q", label)
			continue
		}
		if v, _ := ctl.Attr("value"); v != want {
			t.Errorf("%s prefilled with %q, want %q", label, v, want)
		}
	}
	if got := p.text(`form button[type="submit"]`); got != "Create account" {
		t.Errorf("button %q", got)
	}
	if action, _ := p.Doc.Find("form").Attr("action"); action != link {
		t.Errorf("the form posts to %q", action)
	}
	// Opening the link changes nothing: it still works.
	if p := c.get(link); p.StatusCode != http.StatusOK {
		t.Errorf("second GET: %d", p.StatusCode)
	}
	app.assertUnchanged(db, orgID, before, "opening the signup page")
}

func TestSignupValidation(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	c := app.newClient()
	c.get(link)
	with := func(k, v string) url.Values {
		f := validSignup()
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"empty first name", with("first_name", " "), "first_name", "Enter your first name"},
		{"empty last name", with("last_name", ""), "last_name", "Enter your last name"},
		{"first name of 10,000 characters", with("first_name", strings.Repeat("a", 10_000)), "first_name", "too long"},
		{"short password", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {"short pw"}, "confirm_password": {"short pw"}}, "password", "at least 12"},
		{"long password", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {strings.Repeat("p", 129)}, "confirm_password": {strings.Repeat("p", 129)}}, "password", "at most 128"},
		{"huge password", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {strings.Repeat("p", 100_000)}, "confirm_password": {"x"}}, "password", "at most 128"},
		{"common password", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {"1qaz2wsx3edc4rfv"}, "confirm_password": {"1qaz2wsx3edc4rfv"}}, "password", "most common passwords"},
		{"email as password", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "password": {"ann@example.com"}, "confirm_password": {"ann@example.com"}}, "password", "email address"},
		{"mismatch", with("confirm_password", signupPassword+"!"), "confirm_password", "don't match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := app.state(db, orgID)
			p := c.post(link, tc.form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST: %d, want 422", p.StatusCode)
			}
			msg, described := p.fieldError(tc.field)
			if !strings.Contains(msg, tc.want) || !described {
				t.Errorf("beside %s: %q (aria-describedby %v), want %q", tc.field, msg, described, tc.want)
			}
			for _, name := range []string{"first_name", "last_name"} {
				if tc.field == name {
					continue
				}
				if v, _ := p.inputValue(name); v != tc.form.Get(name) {
					t.Errorf("%s kept as %q, want %q", name, v, tc.form.Get(name))
				}
			}
			for _, name := range []string{"password", "confirm_password"} {
				if v, ok := p.inputValue(name); ok && v != "" {
					t.Errorf("the %s is sent back in the page", name)
				}
			}
			if v, _ := p.inputValue("email"); v != "ann@example.com" {
				t.Errorf("email shown as %q", v)
			}
			app.noAccount("ann@example.com")
			app.assertUnchanged(db, orgID, before, tc.name)
		})
	}
	// The link still works after all that.
	if p := c.post(link, validSignup()); p.StatusCode != http.StatusSeeOther {
		t.Errorf("valid signup after the refusals: %d", p.StatusCode)
	}
}

func TestSignupSucceeds(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	m := app.memberByEmail(db, orgID, "ann@example.com")
	counts := app.counts(orgID)
	c := app.newClient()
	c.get(link)
	f := validSignup()
	f.Set("first_name", " Annie ")
	f.Set("last_name", "Able-Smith")
	p := c.post(link, f)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("POST: %d to %q (%q)", p.StatusCode, p.location(), p.text(".field-error"))
	}
	home := c.get("/")
	if home.StatusCode != http.StatusOK || !strings.Contains(home.text(".flash"), "Welcome to Acme") {
		t.Errorf("home after signup: %d, flash %q", home.StatusCode, home.text(".flash"))
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK || p.text("h1") != "Users" {
		t.Fatalf("the new member is not logged in: GET /users %d", p.StatusCode)
	}
	u, err := app.Store.FindUserByEmail(context.Background(), "ann@example.com")
	if err != nil || u.FirstName != "Annie" || u.LastName != "Able-Smith" || !models.CheckPassword(u.PasswordHash, signupPassword) {
		t.Fatalf("account %+v, %v", u, err)
	}
	got := app.member(orgID, m.ID)
	if got.Status != models.StatusActive || got.UserID == nil || *got.UserID != u.ID ||
		!slices.Equal(got.Roles, []models.Role{models.RoleEditor}) || got.FirstName != "Annie" {
		t.Errorf("membership %s", memberLine(got))
	}
	after := app.counts(orgID)
	if after[models.StatusActive] != counts[models.StatusActive]+1 || after[models.StatusInvited] != counts[models.StatusInvited]-1 {
		t.Errorf("counts %v → %v", counts, after)
	}
	evs := app.auditEvents(models.ActionSignedUp)
	if len(evs) != 1 || evs[0].TargetEmail != "ann@example.com" || evs[0].ActorUserID == nil || *evs[0].ActorUserID != u.ID {
		t.Errorf("audit %+v", evs)
	}
	// The Editor role applies: the member may not invite.
	if p := c.get("/users/invite"); p.StatusCode != http.StatusForbidden {
		t.Errorf("the new Editor opens the invite form: %d", p.StatusCode)
	}

	// The link is spent: opening or posting it again says so and changes nothing.
	before := app.state(db, orgID)
	other := app.newClient()
	assertGone(t, other.get(link), "already been used", "GET of a used link")
	other.get("/login")
	assertGone(t, other.post(link, validSignup()), "already been used", "POST of a used link")
	app.assertUnchanged(db, orgID, before, "reusing the link")

	// The password chosen at signup logs in.
	app.newClient().login("ann@example.com", signupPassword)
}

func TestSignupExpiredLink(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	// The organization's lifetime, not the 72-hour default, decides.
	if err := db.db.Model(&models.Organization{}).Where("id = ?", orgID).Update("invite_lifetime_hours", 2).Error; err != nil {
		t.Fatal(err)
	}
	c.get("/users/invite")
	c.invite("ann@example.com", models.RoleViewer)
	link := app.outboxLinkFor(orgID, "ann@example.com")
	visitor := app.newClient()
	app.Clock.Advance(2*time.Hour - time.Minute)
	if p := visitor.get(link); p.StatusCode != http.StatusOK {
		t.Fatalf("a minute before expiry: %d", p.StatusCode)
	}
	app.Clock.Advance(2 * time.Minute)
	before := app.state(db, orgID)
	p := visitor.get(link)
	assertGone(t, p, "expired", "GET of an expired link")
	if msg := p.text(".error-page p:not(.error-code)"); !strings.Contains(msg, "Olive Owner (olive@example.com)") {
		t.Errorf("the page does not say whom to ask: %q", msg)
	}
	assertGone(t, visitor.post(link, validSignup()), "expired", "POST of an expired link")
	app.noAccount("ann@example.com")
	app.assertUnchanged(db, orgID, before, "an expired link")

	// It stays in Inactivated marked Expired, with Reinvite offered.
	c.login("olive@example.com", testPassword)
	users := c.get("/users?tab=inactivated")
	row := users.Doc.Find("#users-results tbody tr:contains('ann@example.com')")
	if got := row.Find("td .badge").Last().Text(); got != "Expired" {
		t.Errorf("status badge %q, want Expired", got)
	}
	if !slices.Contains(rowMenu(users, "ann@example.com"), "Reinvite") {
		t.Errorf("Reinvite not offered for an expired invitation: %v", rowMenu(users, "ann@example.com"))
	}
}

func TestSignupSupersededLink(t *testing.T) {
	app, c, db, orgID, link := invitedApp(t)
	m := app.memberByEmail(db, orgID, "ann@example.com")
	c.get("/users")
	if p := c.post(fmt.Sprintf("/users/%d/reinvite", m.ID), nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reinvite: %d", p.StatusCode)
	}
	newLink := app.outboxLinkFor(orgID, "ann@example.com")
	if newLink == link {
		t.Fatal("reinvite sent the same link")
	}
	v := app.newClient()
	before := app.state(db, orgID)
	assertGone(t, v.get(link), "replaced", "GET of a superseded link")
	v.get("/login")
	assertGone(t, v.post(link, validSignup()), "replaced", "POST of a superseded link")
	app.assertUnchanged(db, orgID, before, "a superseded link")
	if p := v.get(newLink); p.StatusCode != http.StatusOK {
		t.Errorf("the new link: %d", p.StatusCode)
	}
}

func TestSignupRevokedLink(t *testing.T) {
	app, c, db, orgID, link := invitedApp(t)
	m := app.memberByEmail(db, orgID, "ann@example.com")
	c.get("/users")
	if p := c.post(fmt.Sprintf("/users/%d/revoke", m.ID), nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.StatusCode)
	}
	v := app.newClient()
	before := app.state(db, orgID)
	p := v.get(link)
	assertGone(t, p, "withdrawn", "GET of a revoked link")
	if msg := p.text(".error-page p:not(.error-code)"); !strings.Contains(msg, "olive@example.com") {
		t.Errorf("the page does not say whom to ask: %q", msg)
	}
	v.get("/login")
	assertGone(t, v.post(link, validSignup()), "withdrawn", "POST of a revoked link")
	app.noAccount("ann@example.com")
	app.assertUnchanged(db, orgID, before, "a revoked link")
}

func TestSignupUnknownToken(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	before := app.state(db, orgID)
	c := app.newClient()
	c.get("/login")
	real := strings.TrimPrefix(link, "/invite/")
	for _, tok := range []string{
		"garbage",
		strings.Repeat("A", 43),
		real[:42],
		real + "A",
		strings.ToUpper(real),
		"%00",
		"..%2F..%2Fusers",
		"%E2%80%AE" + real,
		strings.Repeat("x", 4000),
	} {
		path := "/invite/" + tok
		for _, p := range []*page{c.get(path), c.post(path, validSignup())} {
			if p.StatusCode != http.StatusNotFound {
				t.Errorf("%s %.60s: %d, want 404", p.Request.Method, path, p.StatusCode)
				continue
			}
			if got := p.text(".error-page h1"); got != "This invitation link doesn't work" {
				t.Errorf("%s %.60s: heading %q", p.Request.Method, path, got)
			}
		}
	}
	app.noAccount("ann@example.com")
	app.assertUnchanged(db, orgID, before, "unknown tokens")
	if p := c.get(link); p.StatusCode != http.StatusOK {
		t.Errorf("the real link after the guesses: %d", p.StatusCode)
	}
}

// Twenty parallel submits of one link from twenty browsers create exactly one account.
func TestSignupParallel(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	active := app.counts(orgID)[models.StatusActive]
	const n = 20
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = app.newClient()
		clients[i].get(link)
	}
	statuses := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			f := validSignup()
			f.Set("_csrf", c.csrf)
			f.Set("first_name", fmt.Sprintf("Ann%d", i))
			req, _ := http.NewRequest(http.MethodPost, app.Server.URL+link, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			resp, err := c.http.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	created, gone := 0, 0
	for i, st := range statuses {
		switch {
		case errs[i] != nil:
			t.Errorf("client %d: %v", i, errs[i])
		case st == http.StatusSeeOther:
			created++
		case st == http.StatusGone:
			gone++
		default:
			t.Errorf("client %d: %d, want 303 or 410", i, st)
		}
	}
	if created != 1 || gone != n-1 {
		t.Errorf("%d created and %d refused with 410, want 1 and %d", created, gone, n-1)
	}
	u, err := app.Store.FindUserByEmail(context.Background(), "ann@example.com")
	if err != nil {
		t.Fatalf("no account: %v", err)
	}
	if got := app.counts(orgID)[models.StatusActive]; got != active+1 {
		t.Errorf("Active count %d, want %d", got, active+1)
	}
	if users, _ := app.Store.CountUsers(context.Background()); users != 2 {
		t.Errorf("%d accounts, want 2 (Owner and Ann)", users)
	}
	if evs := app.auditEvents(models.ActionSignedUp); len(evs) != 1 {
		t.Errorf("%d signed_up events, want 1", len(evs))
	}
	// The winner is logged in; the account name is the winner's.
	for i, c := range clients {
		if statuses[i] == http.StatusSeeOther {
			if !c.loggedIn() {
				t.Error("the winning client is not logged in")
			}
			if want := fmt.Sprintf("Ann%d", i); u.FirstName != want {
				t.Errorf("account first name %q, want the winner's %q", u.FirstName, want)
			}
		} else if c.loggedIn() {
			t.Errorf("losing client %d is logged in", i)
		}
	}
	if m := app.memberByEmail(db, orgID, "ann@example.com"); m.Status != models.StatusActive || m.UserID == nil || *m.UserID != u.ID {
		t.Errorf("membership %s", memberLine(m))
	}
}

// The account is for the invited address whatever email the form posts.
func TestSignupIgnoresPostedEmail(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	c := app.newClient()
	c.get(link)
	f := validSignup()
	f.Set("email", "mallory@example.com")
	if p := c.post(link, f); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d", p.StatusCode)
	}
	app.noAccount("mallory@example.com")
	if _, err := app.Store.FindUserByEmail(context.Background(), "ann@example.com"); err != nil {
		t.Errorf("no account for the invited address: %v", err)
	}
	if m := app.memberByEmail(db, orgID, "ann@example.com"); m.Status != models.StatusActive {
		t.Errorf("membership %s", memberLine(m))
	}
	if m := app.memberByEmail(db, orgID, "mallory@example.com"); m != nil {
		t.Errorf("a membership for the posted address: %s", memberLine(m))
	}
}

// A signup form posted with another browser's CSRF token is refused.
func TestSignupCSRFFromAnotherBrowser(t *testing.T) {
	app, _, db, orgID, link := invitedApp(t)
	a, b := app.newClient(), app.newClient()
	a.get(link)
	b.get(link)
	if a.csrf == "" || a.csrf == b.csrf {
		t.Fatalf("tokens %q and %q", a.csrf, b.csrf)
	}
	before := app.state(db, orgID)
	f := validSignup()
	f.Set("_csrf", a.csrf)
	if p := b.post(link, f); p.StatusCode != http.StatusForbidden {
		t.Errorf("POST with another browser's token: %d, want 403", p.StatusCode)
	}
	f.Del("_csrf")
	f.Set("_csrf", "")
	if p := b.post(link, f); p.StatusCode != http.StatusForbidden {
		t.Errorf("POST without a token: %d, want 403", p.StatusCode)
	}
	app.noAccount("ann@example.com")
	app.assertUnchanged(db, orgID, before, "a signup with a foreign token")
	if p := b.post(link, validSignup()); p.StatusCode != http.StatusSeeOther {
		t.Errorf("POST with the browser's own token: %d", p.StatusCode)
	}
}

// What an inviter sees of an invitation is the same whether or not the email already has a
// Gatehouse account elsewhere (issue 8, finding 13): the result dialog, the Inactivated tab,
// the copied link's dialog and the email sent differ only by the address.
func TestInviteExistingAccountLooksTheSame(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.addMember(globex.ID, "gus@example.com", models.RoleViewer) // has an account elsewhere
	seen := func(email string) []string {
		c.get("/users/invite")
		res := c.invite(email, models.RoleViewer)
		m := app.memberByEmail(db, orgID, email)
		msgs := app.outboxOf(orgID)
		mail := msgs[len(msgs)-1]
		tab := c.get("/users?tab=inactivated")
		row := tab.Doc.Find("tr").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), email) })
		rowHTML, _ := row.Html()
		copied := c.post(memberPath(m.ID, "invite-link"), nil)
		norm := func(s string) string {
			s = strings.ReplaceAll(s, email, "EMAIL")
			s = strings.ReplaceAll(s, "/users/"+strconv.FormatInt(m.ID, 10)+"/", "/users/ID/")
			s = strings.ReplaceAll(s, `"/users/`+strconv.FormatInt(m.ID, 10)+`"`, `"/users/ID"`)
			s = strings.ReplaceAll(s, `value="`+strconv.FormatInt(m.ID, 10)+`"`, `value="ID"`) // the row's bulk checkbox
			return inviteTokenRE.ReplaceAllString(s, "/invite/TOKEN")
		}
		return []string{strconv.Itoa(res.StatusCode), norm(res.text(".modal, dialog, main")), norm(rowHTML),
			strconv.Itoa(copied.StatusCode), norm(copied.text("main, .modal, dialog")),
			string(mail.Status), norm(mail.Subject), norm(mail.TextBody)}
	}
	with, without := seen("gus@example.com"), seen("gwen@example.com") // same initial for the avatar
	names := []string{"invite status", "invite result", "Inactivated row", "copy link status", "copy link dialog", "email status", "email subject", "email body"}
	for i := range with {
		if with[i] != without[i] {
			t.Errorf("%s differs for an email with an account:\n%q\nwithout:\n%q", names[i], with[i], without[i])
		}
	}
	if !strings.Contains(with[1], "Invitation sent") {
		t.Errorf("invite result %q, want Invitation sent", with[1])
	}
}

var inviteTokenRE = regexp.MustCompile(`/invite/[A-Za-z0-9_-]+`)
