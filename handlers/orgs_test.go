package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// noMFA turns the MFA policy off in every organization, as createOwner does for Acme.
func (d *testDB) noMFA() {
	d.t.Helper()
	if err := d.db.Exec("UPDATE organizations SET mfa_policy = ?", models.MFAOff).Error; err != nil {
		d.t.Fatal(err)
	}
}

// alsoIn makes m's account an active member of another organization too, without roles.
func (d *testDB) alsoIn(orgID int64, m models.Membership) models.Membership {
	d.t.Helper()
	o := models.Membership{OrgID: orgID, UserID: m.UserID, Status: models.StatusActive, Email: m.Email}
	o.SetName(m.FirstName, m.LastName)
	if err := d.db.Create(&o).Error; err != nil {
		d.t.Fatal(err)
	}
	return o
}

// switcherOrgs lists the switcher's organizations as shown, the current one first marked ✓.
func (p *page) switcherOrgs() []string {
	var out []string
	p.Doc.Find(".org-list li").Each(func(_ int, s *goquery.Selection) {
		name := strings.TrimSpace(s.Find(".org-item-name").Text())
		if s.Find(".org-current").Length() > 0 {
			name = "✓ " + name
		}
		out = append(out, name)
	})
	return out
}

// bell is the count the Notifications button shows ("" for none).
func (p *page) bell() string { return p.text(".bell .bell-count") }

// switchTo posts the switcher's form for org.
func (c *client) switchTo(orgID int64) *page {
	c.t.Helper()
	return c.post("/organizations/switch", url.Values{"org": {strconv.FormatInt(orgID, 10)}})
}

// TestSwitchOrganization: an Owner of Acme who is a Viewer in Globex switches, sees the
// Viewer's view, and back; the session id changes at each switch; an organization they are
// not active in is 404 and changes nothing.
func TestSwitchOrganization(t *testing.T) {
	app, c, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	olive := app.memberByEmail(db, acmeID, "olive@example.com")
	db.setRoles(db.alsoIn(globex.ID, *olive).ID, models.RoleViewer)
	initech := db.orgNamed("Initech")
	db.addMember(initech.ID, "ian@example.com", models.RoleOwner)

	home := c.get("/users")
	if got := home.switcherOrgs(); strings.Join(got, "|") != "✓ Acme|Globex" {
		t.Fatalf("switcher %q", got)
	}
	if name := home.text(".org-summary"); !strings.Contains(name, "Acme") || !strings.Contains(name, "Switch organization") {
		t.Errorf("switcher button %q", name)
	}
	if home.Doc.Find(`.plus-menu a[href="/users/invite"]`).Text() != "Invite member" {
		t.Fatal("the Owner's + menu has no Invite member")
	}
	oldCookie := c.cookie()

	p := c.switchTo(globex.ID)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("switch: %d to %q", p.StatusCode, p.location())
	}
	users := c.get("/users")
	if users.StatusCode != http.StatusOK || strings.Join(users.switcherOrgs(), "|") != "Acme|✓ Globex" {
		t.Fatalf("after switching: %d %q", users.StatusCode, users.switcherOrgs())
	}
	if users.Doc.Find(`.plus-menu a[href="/users/invite"]`).Length() != 0 || users.Doc.Find(`a[href="/settings"]`).Length() != 0 {
		t.Error("a Viewer in Globex is offered Invite or Settings")
	}
	if c.get("/settings").StatusCode != http.StatusForbidden {
		t.Error("a Viewer reached Globex's Settings")
	}
	// The old session id no longer works.
	replay := app.newClientWithCookie(oldCookie)
	if p := replay.get("/users"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Errorf("the cookie from before the switch: %d to %q", p.StatusCode, p.location())
	}
	if evs := app.auditEvents(models.ActionOrgSwitched); len(evs) != 1 || *evs[0].OrgID != globex.ID || evs[0].Detail != "from Acme" {
		t.Errorf("switch events %+v", evs)
	}

	// Not a member of Initech; no such organization: 404, nothing changes.
	for _, id := range []string{strconv.FormatInt(initech.ID, 10), "99999", "x"} {
		if p := c.post("/organizations/switch", url.Values{"org": {id}}); p.StatusCode != http.StatusNotFound {
			t.Errorf("switch to %s: %d, want 404", id, p.StatusCode)
		}
	}
	// Terminated in Acme: not offered, and refused.
	db.setStatus(olive.ID, models.StatusTerminated)
	if p := c.switchTo(acmeID); p.StatusCode != http.StatusNotFound {
		t.Errorf("switch to an organization where terminated: %d", p.StatusCode)
	}
	if got := c.get("/users").switcherOrgs(); strings.Join(got, "|") != "✓ Globex" {
		t.Errorf("switcher after termination in Acme %q", got)
	}
	db.setStatus(olive.ID, models.StatusActive)
	c.switchTo(acmeID)
	if p := c.get("/users"); p.Doc.Find(`.plus-menu a[href="/users/invite"]`).Length() == 0 || strings.Join(p.switcherOrgs(), "|") != "✓ Acme|Globex" {
		t.Errorf("back in Acme: %q", p.switcherOrgs())
	}
}

// Terminated in the current organization: the next request lands in the other one, with a notice.
func TestTerminatedMovesToOtherOrganization(t *testing.T) {
	app, owner, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	mia := db.addMember(acmeID, "mia@example.com", models.RoleEditor)
	db.setRoles(db.alsoIn(globex.ID, mia).ID, models.RoleViewer)
	c := app.newClient()
	c.login("mia@example.com", testPassword)
	if got := c.get("/users").switcherOrgs(); strings.Join(got, "|") != "✓ Acme|Globex" {
		t.Fatalf("switcher %q", got)
	}
	owner.get(memberPath(mia.ID, "terminate"))
	if p := owner.post(memberPath(mia.ID, "terminate"), nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("terminate: %d", p.StatusCode)
	}
	p := c.get("/users")
	if p.StatusCode != http.StatusOK || strings.Join(p.switcherOrgs(), "|") != "✓ Globex" {
		t.Fatalf("next request: %d %q", p.StatusCode, p.switcherOrgs())
	}
	if got := p.text(".flash"); got != "Your access to Acme has ended. You are now in Globex." {
		t.Errorf("notice %q", got)
	}
	if strings.Contains(p.Body, "olive@example.com") {
		t.Error("Acme's members shown after termination")
	}
}

// TestCreateOrganization: the creator becomes the Owner and switches to it; a bad name is
// refused beside the field with the form kept.
func TestCreateOrganization(t *testing.T) {
	app, c, db, acmeID := ownerWithDB(t)
	if p := c.get("/organizations/new"); p.StatusCode != http.StatusOK || p.text("h1") != "Create organization" {
		t.Fatalf("GET: %d %q", p.StatusCode, p.text("h1"))
	}
	long := strings.Repeat("x", 101)
	for _, name := range []string{"", "   ", long} {
		p := c.post("/organizations", url.Values{"name": {name}})
		if p.StatusCode != http.StatusUnprocessableEntity || p.text(".field-error") == "" {
			t.Errorf("name %q: %d %q", name, p.StatusCode, p.text(".field-error"))
		}
		if v, _ := p.Doc.Find(`input[name="name"]`).Attr("value"); v != name {
			t.Errorf("name %q not kept: %q", name, v)
		}
	}
	p := c.post("/organizations", url.Values{"name": {"  Umbrella Corp "}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("create: %d to %q", p.StatusCode, p.location())
	}
	db.noMFA() // a new organization requires a second factor, as one made at setup does
	users := c.get("/users")
	if got := strings.Join(users.switcherOrgs(), "|"); got != "Acme|✓ Umbrella Corp" {
		t.Fatalf("switcher %q", got)
	}
	if emails := users.emails(); len(emails) != 1 || emails[0] != "olive@example.com" {
		t.Errorf("members of the new organization %q", emails)
	}
	if users.text(".account-menu .muted") != "Owner · Umbrella Corp" {
		t.Errorf("account menu %q", users.text(".account-menu .muted"))
	}
	evs := app.auditEvents(models.ActionOrgCreated)
	if len(evs) != 1 || evs[0].Detail != "organization Umbrella Corp" || *evs[0].OrgID == acmeID {
		t.Errorf("events %+v", evs)
	}
	// CSRF: refused without the token.
	if p := c.post("/organizations", url.Values{"name": {"Evil"}, "_csrf": {"x"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d", p.StatusCode)
	}
}

var joinLinkRE = regexp.MustCompile(`/invite/[A-Za-z0-9_-]+`)

// TestInviteExistingAccount: the bell counts the invitation, the emailed link leads through
// login to "Join Acme?", Join makes the membership active with the invited roles, another
// account is refused, Decline shows "Declined" to the inviter.
func TestInviteExistingAccount(t *testing.T) {
	app, owner, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	db.addMember(globex.ID, "gus@example.com", models.RoleOwner)
	db.addMember(globex.ID, "gwen@example.com", models.RoleViewer)
	owner.get("/users/invite")
	if p := owner.invite("gus@example.com\ngwen@example.com", models.RoleEditor); p.outcomes()["gus@example.com"].Message != "Invitation sent" {
		t.Fatalf("invite: %+v", p.outcomes())
	}
	link := app.outboxLinkFor(acmeID, "gus@example.com")
	path := joinLinkRE.FindString(link)

	// Not logged in: to login and back, no signup form.
	v := app.newClient()
	p := v.get(path)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("GET link logged out: %d to %q", p.StatusCode, p.location())
	}
	v.get(p.location())
	p = v.post("/login", url.Values{"email": {"gus@example.com"}, "password": {testPassword}, "next": {path}})
	if p.StatusCode != http.StatusSeeOther || p.location() != path {
		t.Fatalf("login: %d to %q", p.StatusCode, p.location())
	}
	prompt := v.get(path)
	if prompt.StatusCode != http.StatusOK || prompt.text("h1") != "Join Acme?" ||
		prompt.Doc.Find("button:contains('Join')").Length() != 1 || prompt.Doc.Find("button:contains('Decline')").Length() != 1 {
		t.Fatalf("prompt: %d %q", prompt.StatusCode, prompt.text("h1"))
	}
	if prompt.Doc.Find(`input[name="password"]`).Length() != 0 {
		t.Error("a signup form for an existing account")
	}
	if got := prompt.bell(); got != "1" {
		t.Errorf("bell %q, want 1", got)
	}
	notes := v.get("/notifications")
	if notes.text(".notification-title") != "Join Acme?" || !strings.Contains(notes.text(".notification"), "Editor") {
		t.Errorf("notifications %q", notes.text(".notifications"))
	}

	// Another account: refused, nothing changes.
	gwen := app.newClient()
	gwen.login("gwen@example.com", testPassword)
	if p := gwen.get(path); p.StatusCode != http.StatusForbidden || !strings.Contains(p.text("main"), "another") {
		t.Errorf("another account's click: %d %q", p.StatusCode, p.text("main"))
	}
	gusM := app.memberByEmail(db, acmeID, "gus@example.com")
	joinPath := "/notifications/" + strconv.FormatInt(gusM.ID, 10)
	for _, act := range []string{"/join", "/decline"} {
		if p := gwen.post(joinPath+act, nil); p.StatusCode != http.StatusNotFound {
			t.Errorf("another account posting %s: %d, want 404", act, p.StatusCode)
		}
	}
	if p := gwen.get(joinPath); p.StatusCode != http.StatusNotFound {
		t.Errorf("another account's prompt: %d", p.StatusCode)
	}
	if got := gwen.get("/notifications").bell(); got != "1" {
		t.Errorf("gwen's bell %q, want 1 (her own)", got)
	}

	// Join.
	if p := v.post(joinPath+"/join", nil); p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("join: %d to %q", p.StatusCode, p.location())
	}
	home := v.get("/users")
	if !strings.Contains(home.text(".flash"), "You joined Acme") || home.bell() != "" {
		t.Errorf("after join: flash %q bell %q", home.text(".flash"), home.bell())
	}
	if got := strings.Join(home.switcherOrgs(), "|"); got != "Acme|✓ Globex" {
		t.Errorf("switcher %q", got)
	}
	m := app.memberByEmail(db, acmeID, "gus@example.com")
	if m.Status != models.StatusActive || len(m.Roles) != 1 || m.Roles[0] != models.RoleEditor || m.UserID == nil {
		t.Errorf("membership %s %v", m.Status, m.Roles)
	}
	if p := v.post(joinPath+"/join", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("joining twice: %d", p.StatusCode)
	}
	if p := v.get(path); p.StatusCode != http.StatusGone {
		t.Errorf("the link after joining: %d, want 410", p.StatusCode)
	}
	if evs := app.auditEvents(models.ActionInvitationJoined); len(evs) != 1 || evs[0].Detail != "roles Editor" || evs[0].ActorEmail != "gus@example.com" {
		t.Errorf("joined events %+v", evs)
	}

	// Decline.
	gwenM := app.memberByEmail(db, acmeID, "gwen@example.com")
	if p := gwen.post("/notifications/"+strconv.FormatInt(gwenM.ID, 10)+"/decline", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d", p.StatusCode)
	}
	if got := gwen.get("/notifications"); got.bell() != "" || got.Doc.Find(".notification").Length() != 0 {
		t.Errorf("after decline: bell %q", got.bell())
	}
	tab := owner.get("/users?tab=inactivated")
	row := tab.Doc.Find("tr").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "gwen@example.com") })
	if !strings.Contains(row.Text(), "Declined") || row.Find(`a:contains("Reinvite")`).Length() == 0 {
		t.Errorf("the inviter's row %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if evs := app.auditEvents(models.ActionInvitationDeclined); len(evs) != 1 || evs[0].ActorEmail != "gwen@example.com" {
		t.Errorf("declined events %+v", evs)
	}
	gwenLink := joinLinkRE.FindString(app.outboxLinkFor(acmeID, "gwen@example.com"))
	if p := gwen.get(gwenLink); p.StatusCode != http.StatusGone || !strings.Contains(p.text("h1"), "declined") {
		t.Errorf("the declined link: %d %q", p.StatusCode, p.text("h1"))
	}
}

// TestInviteResponseSameWithAccount: the inviter's HTTP response is byte-identical, apart from
// the address, whether or not the address has an account (no probing).
func TestInviteResponseSameWithAccount(t *testing.T) {
	app, c, db, _ := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	db.addMember(globex.ID, "gus@example.com", models.RoleViewer)
	body := func(email string) string {
		c.get("/users/invite")
		p := c.invite(email, models.RoleViewer)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("invite %s: %d", email, p.StatusCode)
		}
		return comparable(p.Body, email)
	}
	with, without := body("gus@example.com"), body("gwen@example.com")
	if with != without {
		t.Errorf("the invite response differs for an address with an account:\n%s\n---\n%s", with, without)
	}
	_ = app
}

// TestLeaveAndDeleteOrganization: the last Owner may not leave; a member leaves and lands in
// their other organization; deleting needs the typed name, ends memberships and keeps accounts.
func TestLeaveAndDeleteOrganization(t *testing.T) {
	app, owner, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	mia := db.addMember(acmeID, "mia@example.com", models.RoleEditor)
	db.setRoles(db.alsoIn(globex.ID, mia).ID, models.RoleViewer)
	// The last Owner.
	if p := owner.get("/account/leave"); p.StatusCode != http.StatusOK || p.text("h1") != "Leave organization" {
		t.Fatalf("GET leave: %d %q", p.StatusCode, p.text("h1"))
	}
	if p := owner.post("/account/leave", nil); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".form-error"), "last Owner") {
		t.Errorf("the last Owner leaving: %d %q", p.StatusCode, p.text(".form-error"))
	}
	// A member leaves.
	c := app.newClient()
	c.login("mia@example.com", testPassword)
	c.get("/account")
	if p := c.post("/account/leave", nil); p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("leave: %d to %q", p.StatusCode, p.location())
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK || !strings.Contains(p.text(".flash"), "You left Acme. You are now in Globex.") ||
		strings.Join(p.switcherOrgs(), "|") != "✓ Globex" {
		t.Errorf("after leaving: %d %q %q", p.StatusCode, p.text(".flash"), p.switcherOrgs())
	}
	if evs := app.auditEvents(models.ActionOrgLeft); len(evs) != 1 || evs[0].ActorEmail != "mia@example.com" {
		t.Errorf("left events %+v", evs)
	}
	// Delete: an Editor may not; the wrong name is refused beside the field.
	c.switchTo(globex.ID)
	db.addMember(acmeID, "ed@example.com", models.RoleAdmin)
	admin := app.newClient()
	admin.login("ed@example.com", testPassword)
	if p := admin.post("/settings/delete", url.Values{"confirm": {"Acme"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("an Admin deleting: %d", p.StatusCode)
	}
	owner.get("/settings")
	if p := owner.post("/settings/delete", url.Values{"confirm": {"acme"}}); p.StatusCode != http.StatusUnprocessableEntity || p.text(".field-error") == "" {
		t.Errorf("wrong name: %d %q", p.StatusCode, p.text(".field-error"))
	}
	if p := owner.post("/settings/delete", url.Values{"confirm": {"Acme"}}); p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
		t.Fatalf("delete: %d to %q", p.StatusCode, p.location())
	}
	if p := owner.get("/organizations/none"); p.text("h1") != "You are not a member of any organization" {
		t.Errorf("owner after deleting: %q", p.text("h1"))
	}
	// The Admin's session moves to no organization on its next request; accounts stay.
	if p := admin.get("/users"); p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
		t.Errorf("the Admin's next request: %d to %q", p.StatusCode, p.location())
	}
	if p := admin.get("/organizations/none"); p.text(".flash") != "The organization you were in is no longer available to you." {
		t.Errorf("the Admin's notice %q", p.text(".flash"))
	}
	if p := admin.get("/organizations/none"); p.text(".flash") != "" {
		t.Errorf("the notice again: %q", p.text(".flash"))
	}
	var users int64
	db.db.Model(&models.User{}).Count(&users)
	if users != 3 {
		t.Errorf("%d accounts after deleting, want 3", users)
	}
	if evs := app.auditEvents(models.ActionOrgDeleted); len(evs) != 1 || evs[0].OrgID != nil || evs[0].Detail != "organization Acme" {
		t.Errorf("deleted events %+v", evs)
	}
}

// TestInvitePeopleFromOtherOrganizations: the invite dialog finds, by name or email, only
// active members of the inviter's other organizations; picked people are invited without an
// address typed; a stranger's id is refused (404) and invites no one.
func TestInvitePeopleFromOtherOrganizations(t *testing.T) {
	app, c, db, acmeID := ownerWithDB(t)
	globex, initech := db.orgNamed("Globex"), db.orgNamed("Initech")
	db.noMFA()
	olive := app.memberByEmail(db, acmeID, "olive@example.com")
	db.setRoles(db.alsoIn(globex.ID, *olive).ID, models.RoleViewer)
	ms := db.addMembers(globex.ID,
		member{Email: "gail@example.com", First: "Gail", Last: "Gray", Roles: []models.Role{models.RoleEditor}},
		member{Email: "tom@example.com", First: "Tom", Last: "Gone", Roles: []models.Role{models.RoleViewer}, Status: models.StatusTerminated})
	ian := db.addMember(initech.ID, "ian@example.com", models.RoleOwner)
	gail := ms[0]

	found := func(p *page) []string {
		var out []string
		p.Doc.Find(`#people-results input[name="people"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Parent().Find(".person-email").Text()))
		})
		return out
	}
	dialog := c.get("/users/invite")
	if dialog.text(".people-choice legend") != "People from your other organizations" {
		t.Fatalf("no people choice: %q", dialog.text(".people-choice legend"))
	}
	if got := found(dialog); strings.Join(got, "|") != "gail@example.com" {
		t.Errorf("people offered %q, want only Gail (not the terminated Tom, nor Ian from an organization Olive is not in)", got)
	}
	for q, want := range map[string]string{"ga": "gail@example.com", "GRAY": "gail@example.com", "gail@": "gail@example.com", "ian": "", "tom": "", "%": ""} {
		p := c.get("/users/invite/people?people_q=" + url.QueryEscape(q))
		if got := strings.Join(found(p), "|"); p.StatusCode != http.StatusOK || got != want {
			t.Errorf("search %q: %d %q, want %q", q, p.StatusCode, got, want)
		}
	}
	// Without JavaScript, Search reloads the dialog with the form as typed.
	p := c.get("/users/invite?" + url.Values{"people_q": {"gail"}, "emails": {"x@example.com"}, "roles": {"editor"}, "people": {strconv.FormatInt(*gail.UserID, 10)}}.Encode())
	if p.text("#f-emails") != "x@example.com" || strings.Join(found(p), "|") != "gail@example.com" ||
		p.Doc.Find(`#people-results input[checked]`).Length() != 1 || p.Doc.Find(`input[name="roles"][value="editor"][checked]`).Length() != 1 {
		t.Errorf("search without JavaScript lost the form: emails %q people %q", p.text("#f-emails"), found(p))
	}

	// A stranger's account id: 404, no one invited.
	before := app.counts(acmeID)
	c.get("/users/invite")
	if p := c.post("/users/invite", url.Values{"people": {strconv.FormatInt(*ian.UserID, 10)}, "roles": {"viewer"}}); p.StatusCode != http.StatusNotFound {
		t.Errorf("inviting a stranger by id: %d, want 404", p.StatusCode)
	}
	if after := app.counts(acmeID); after[models.StatusInvited] != before[models.StatusInvited] {
		t.Errorf("counts %v → %v", before, after)
	}
	// Gail, picked: invited without an address typed.
	res := c.post("/users/invite", url.Values{"people": {strconv.FormatInt(*gail.UserID, 10)}, "roles": {"viewer"}})
	if res.outcomes()["gail@example.com"].Message != "Invitation sent" {
		t.Fatalf("inviting Gail by pick: %d %+v", res.StatusCode, res.outcomes())
	}
	if m := app.memberByEmail(db, acmeID, "gail@example.com"); m.Status != models.StatusInvited {
		t.Errorf("Gail in Acme: %s", m.Status)
	}
	// An inviter with no other organization is not offered the search.
	db.addMember(acmeID, "ada@example.com", models.RoleAdmin)
	ada := app.newClient()
	ada.login("ada@example.com", testPassword)
	if p := ada.get("/users/invite"); p.Doc.Find(".people-choice").Length() != 0 {
		t.Error("people choice offered to an inviter with one organization")
	}
	if p := ada.get("/users/invite/people?people_q=g"); strings.Join(found(p), "|") != "" {
		t.Errorf("Ada's search %q", found(p))
	}
}

// Someone with no organization left sees the invitations waiting on the no-organization page;
// joining one puts their session in it.
func TestNoOrganizationJoin(t *testing.T) {
	app, _, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()
	mia := db.addMember(acmeID, "mia@example.com", models.RoleEditor)
	db.setStatus(mia.ID, models.StatusTerminated)
	db.addMember(globex.ID, "gus@example.com", models.RoleOwner)
	g := app.newClient()
	g.login("gus@example.com", testPassword)
	g.get("/users/invite")
	if p := g.invite("mia@example.com", models.RoleViewer); p.outcomes()["mia@example.com"].Message != "Invitation sent" {
		t.Fatalf("invite: %+v", p.outcomes())
	}
	c := app.newClient()
	c.login("mia@example.com", testPassword)
	page := c.get("/organizations/none")
	if page.text("h1") != "You are not a member of any organization" || page.text(".notification-title") != "Join Globex?" || page.bell() != "1" {
		t.Fatalf("no-organization page: %q %q bell %q", page.text("h1"), page.text(".notification-title"), page.bell())
	}
	id := app.memberByEmail(db, globex.ID, "mia@example.com").ID
	if p := c.post("/notifications/"+strconv.FormatInt(id, 10)+"/join", nil); p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("join: %d to %q", p.StatusCode, p.location())
	}
	home := c.get("/users")
	if home.StatusCode != http.StatusOK || strings.Join(home.switcherOrgs(), "|") != "✓ Globex" || !strings.Contains(home.text(".flash"), "Welcome to Globex.") {
		t.Errorf("after joining: %d %q %q", home.StatusCode, home.switcherOrgs(), home.text(".flash"))
	}
	if p := c.get("/organizations/none"); p.StatusCode != http.StatusSeeOther || p.location() != "/" {
		t.Errorf("the no-organization page once in one: %d to %q", p.StatusCode, p.location())
	}
}
