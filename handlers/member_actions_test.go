package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// actionSlugs are the last path segments of every row action, /users/{id}/{slug}.
var actionSlugs = []string{"reinvite", "revoke", "invite-link", "roles", "details", "terminate", "restore", "approve", "reject", "reapprove"}

// rowHrefs lists the links of the row-actions menu of the row showing email.
func rowHrefs(p *page, email string) []string {
	var out []string
	p.Doc.Find("#users-results tbody tr:contains('" + email + "') .row-menu .menu-item").Each(func(_ int, s *goquery.Selection) {
		h, _ := s.Attr("href")
		out = append(out, h)
	})
	return out
}

func memberPath(id int64, slug string) string { return fmt.Sprintf("/users/%d/%s", id, slug) }

// teamApp is an Owner logged in, with members in every status.
type team struct {
	app   *testApp
	owner *client
	db    *testDB
	orgID int64
	olive models.Membership // the Owner, logged in as owner
	ada   models.Membership // active Admin
	vic   models.Membership // active Viewer
	eve   models.Membership // active Editor
	ivy   models.Membership // invited Editor, no account
	pat   models.Membership // pending
	rex   models.Membership // rejected
	tom   models.Membership // terminated Editor + Viewer
}

func newTeam(t *testing.T) *team {
	app, c, db, orgID := ownerWithDB(t)
	db.departments(orgID, "Ops", "Research", "Sales")
	ms := db.addMembers(orgID,
		member{Email: "ada@example.com", First: "Ada", Last: "Admin", Roles: []models.Role{models.RoleAdmin}},
		member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}},
		member{Email: "eve@example.com", First: "Eve", Last: "Editor", Roles: []models.Role{models.RoleEditor}},
		member{Email: "ivy@example.com", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleEditor}},
		member{Email: "pat@example.com", First: "Pat", Last: "Pending", Status: models.StatusPending},
		member{Email: "rex@example.com", First: "Rex", Last: "Rejected", Status: models.StatusRejected},
		member{Email: "tom@example.com", First: "Tom", Last: "Gone", Status: models.StatusTerminated, Roles: []models.Role{models.RoleEditor, models.RoleViewer}},
	)
	tm := &team{app: app, owner: c, db: db, orgID: orgID, ada: ms[0], vic: ms[1], eve: ms[2], ivy: ms[3], pat: ms[4], rex: ms[5], tom: ms[6]}
	tm.olive = *app.memberByEmail(db, orgID, "olive@example.com")
	c.get("/users")
	return tm
}

// as logs a fresh browser in as email and loads the Users page for its CSRF token.
func (tm *team) as(email string) *client {
	c := tm.app.newClient()
	c.login(email, testPassword)
	c.get("/users")
	return c
}

func TestRowMenus(t *testing.T) {
	tm := newTeam(t)
	editor := []string{"Edit roles", "Edit details", "Terminate", "Edit access"}
	for _, who := range []string{"olive@example.com", "ada@example.com"} {
		c := tm.owner
		if who != "olive@example.com" {
			c = tm.as(who)
		}
		active := c.get("/users?tab=active")
		for _, email := range []string{"olive@example.com", "ada@example.com", "vic@example.com", "eve@example.com"} {
			want := editor
			if email == who {
				want = []string{"Edit details", "Edit access"} // not one's own roles, not terminating oneself
			}
			if got := rowMenu(active, email); !slices.Equal(got, want) {
				t.Errorf("%s sees on %s's active row %v, want %v", who, email, got, want)
			}
		}
		if got, want := rowHrefs(active, "vic@example.com"), []string{memberPath(tm.vic.ID, "roles"), memberPath(tm.vic.ID, "details"), memberPath(tm.vic.ID, "terminate"), memberPath(tm.vic.ID, "access")}; !slices.Equal(got, want) {
			t.Errorf("%s: Vic's menu links %v, want %v", who, got, want)
		}
		inactivated := c.get("/users?tab=inactivated")
		if got, want := rowMenu(inactivated, "ivy@example.com"), []string{"Reinvite", "Revoke invitation", "Copy invite link", "Edit roles"}; !slices.Equal(got, want) {
			t.Errorf("%s sees on an invited row %v, want %v", who, got, want)
		}
		if got, want := rowHrefs(inactivated, "ivy@example.com"), []string{memberPath(tm.ivy.ID, "reinvite"), memberPath(tm.ivy.ID, "revoke"), memberPath(tm.ivy.ID, "invite-link"), memberPath(tm.ivy.ID, "roles")}; !slices.Equal(got, want) {
			t.Errorf("%s: Ivy's menu links %v, want %v", who, got, want)
		}
		if got, want := rowMenu(c.get("/users?tab=terminated"), "tom@example.com"), []string{"Restore"}; !slices.Equal(got, want) {
			t.Errorf("%s sees on a terminated row %v, want %v", who, got, want)
		}
		if got, want := rowMenu(c.get("/users?tab=pending"), "pat@example.com"), []string{"Approve", "Reject"}; !slices.Equal(got, want) {
			t.Errorf("%s sees on a pending row %v, want %v", who, got, want)
		}
		// Destructive actions are marked as such.
		if cls, _ := active.Doc.Find(`a.menu-item[href="` + memberPath(tm.vic.ID, "terminate") + `"]`).Attr("class"); !strings.Contains(cls, "danger") {
			t.Errorf("Terminate is not marked dangerous: %q", cls)
		}
	}
	for _, who := range []string{"vic@example.com", "eve@example.com"} {
		c := tm.as(who)
		for tab, emails := range map[string][]string{
			"active": {"olive@example.com", "ada@example.com", "vic@example.com", "eve@example.com"}, "inactivated": {"ivy@example.com"},
			"terminated": {"tom@example.com"}, "pending": {"pat@example.com"},
		} {
			p := c.get("/users?tab=" + tab)
			// No menu at all rather than fifty saying "No actions available".
			for _, email := range emails {
				if got := rowMenu(p, email); !slices.Equal(got, []string{""}) {
					t.Errorf("%s sees on %s (%s) %v, want no menu", who, email, tab, got)
				}
			}
			if n := p.Doc.Find(".row-menu, .menu-empty").Length(); n != 0 {
				t.Errorf("%s sees %d row menus on %s, want none", who, n, tab)
			}
			if n := p.Doc.Find(`#users-results th:contains("MFA")`).Length(); n != 0 {
				t.Errorf("%s sees the MFA column on %s", who, tab)
			}
			if n := p.Doc.Find(".row-menu .menu-item").Length(); n != 0 {
				t.Errorf("%s sees %d actions on %s", who, n, tab)
			}
		}
	}
}

func TestReinvite(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	mb := app.startMail()
	c.get("/users/invite")
	c.invite("ann@example.com", models.RoleViewer)
	first := mb.waitFor("ann@example.com", 1).inviteLink(t)
	m := app.memberByEmail(db, orgID, "ann@example.com")

	before := app.state(db, orgID)
	p := c.get(memberPath(m.ID, "reinvite"))
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text(".dialog-card"), "ann@example.com") ||
		p.text(`.dialog-card form button[type="submit"]`) != "Reinvite" {
		t.Fatalf("GET reinvite: %d %q", p.StatusCode, p.text(".dialog-card"))
	}
	if method, _ := p.Doc.Find(".dialog-card form").Attr("method"); method != "post" {
		t.Errorf("the reinvite form's method is %q", method)
	}
	app.assertUnchanged(db, orgID, before, "GET reinvite")

	p = c.post(memberPath(m.ID, "reinvite"), nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=inactivated" {
		t.Fatalf("POST reinvite: %d to %q", p.StatusCode, p.location())
	}
	if flash := c.get(p.location()).text(".flash"); !strings.Contains(flash, "ann@example.com") {
		t.Errorf("flash %q", flash)
	}
	second := mb.waitFor("ann@example.com", 2).inviteLink(t)
	if second == first {
		t.Fatal("the reinvite email carries the first link")
	}
	v := app.newClient()
	assertGone(t, v.get(app.pathOf(first)), "replaced", "the first link after a reinvite")
	if p := v.get(app.pathOf(second)); p.StatusCode != http.StatusOK {
		t.Errorf("the new link: %d", p.StatusCode)
	}
	if got := app.member(orgID, m.ID); got.Status != models.StatusInvited {
		t.Errorf("status after reinvite %q", got.Status)
	}
	if evs := app.auditEvents(models.ActionReinvited); len(evs) != 1 || evs[0].TargetEmail != "ann@example.com" {
		t.Errorf("audit %+v", evs)
	}
	if got := app.counts(orgID)[models.StatusInvited]; got != 1 {
		t.Errorf("Inactivated count %d", got)
	}

	// Only invited members can be reinvited.
	owner := app.memberByEmail(db, orgID, "olive@example.com")
	before = app.state(db, orgID)
	for _, p := range []*page{c.get(memberPath(owner.ID, "reinvite")), c.post(memberPath(owner.ID, "reinvite"), nil)} {
		if p.StatusCode != http.StatusConflict {
			t.Errorf("%s reinvite of an active member: %d, want 409", p.Request.Method, p.StatusCode)
		}
	}
	app.assertUnchanged(db, orgID, before, "reinviting an active member")
}

func TestCopyInviteLink(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	c.get("/users/invite")
	c.invite("ann@example.com", models.RoleViewer)
	emailed := app.outboxLinkFor(orgID, "ann@example.com")
	m := app.memberByEmail(db, orgID, "ann@example.com")
	c.get("/users?tab=inactivated")

	before := app.state(db, orgID)
	p := c.get(memberPath(m.ID, "invite-link"))
	if p.StatusCode != http.StatusOK || p.Doc.Find("#invite-link").Length() != 0 || strings.Contains(p.Body, "/invite/") {
		t.Fatalf("GET shows a link before confirming: %d", p.StatusCode)
	}
	app.assertUnchanged(db, orgID, before, "GET invite-link")

	outbox := len(app.outboxOf(orgID))
	copied := func() string {
		t.Helper()
		p := c.post(memberPath(m.ID, "invite-link"), nil)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("POST invite-link: %d", p.StatusCode)
		}
		assertNoReferrer(t, p, "the copy-link dialog")
		in := p.Doc.Find("input#invite-link")
		link, _ := in.Attr("value")
		if _, ro := in.Attr("readonly"); !ro {
			t.Error("the link input is not read-only")
		}
		if p.labelled("Invite link").Length() != 1 {
			t.Error("the link input has no label")
		}
		if btn := p.Doc.Find(`button[data-copy="#invite-link"]`); strings.TrimSpace(btn.Text()) != "Copy" {
			t.Errorf("Copy button %q", btn.Text())
		}
		if !strings.HasPrefix(link, app.Server.URL+"/invite/") || !inviteLinkRe.MatchString(link) {
			t.Fatalf("copied link %q", link)
		}
		if strings.Count(p.Body, link) != 1 {
			t.Errorf("the link appears %d times in the dialog, want once", strings.Count(p.Body, link))
		}
		return strings.TrimPrefix(link, app.Server.URL)
	}
	one := copied()
	v := app.newClient()
	assertGone(t, v.get(emailed), "replaced", "the emailed link after Copy invite link")
	if p := v.get(one); p.StatusCode != http.StatusOK {
		t.Errorf("the copied link: %d", p.StatusCode)
	}
	two := copied()
	assertGone(t, v.get(one), "replaced", "the first copied link after a second copy")
	if p := v.get(two); p.StatusCode != http.StatusOK {
		t.Errorf("the second copied link: %d", p.StatusCode)
	}
	if got := len(app.outboxOf(orgID)); got != outbox {
		t.Errorf("copying links put %d emails in the outbox", got-outbox)
	}
	if evs := app.auditEvents(models.ActionLinkCopied); len(evs) != 2 {
		t.Errorf("%d link_copied events, want 2", len(evs))
	}
	// The dialog does not show a link again.
	if p := c.get(memberPath(m.ID, "invite-link")); strings.Contains(p.Body, two) {
		t.Error("the confirmation shows the last link again")
	}
	// The copied link signs up.
	v.get(two)
	if p := v.post(two, validSignup()); p.StatusCode != http.StatusSeeOther {
		t.Errorf("signup with the copied link: %d", p.StatusCode)
	}
}

func TestRevokeInvitation(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	c.get("/users/invite")
	c.invite("ann@example.com", models.RoleViewer)
	link := app.outboxLinkFor(orgID, "ann@example.com")
	m := app.memberByEmail(db, orgID, "ann@example.com")

	before := app.state(db, orgID)
	p := c.get(memberPath(m.ID, "revoke"))
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET revoke: %d", p.StatusCode)
	}
	btn := p.Doc.Find(`.dialog-card form button[type="submit"]`)
	if cls, _ := btn.Attr("class"); strings.TrimSpace(btn.Text()) != "Revoke invitation" || !strings.Contains(cls, "danger") {
		t.Errorf("confirm button %q (%s)", btn.Text(), cls)
	}
	if !strings.Contains(p.text(".dialog-card"), "ann@example.com") {
		t.Errorf("the confirmation does not name the address: %q", p.text(".dialog-card"))
	}
	app.assertUnchanged(db, orgID, before, "GET revoke")
	if p := app.newClient().get(link); p.StatusCode != http.StatusOK {
		t.Fatalf("the link after GET revoke: %d", p.StatusCode)
	}

	p = c.post(memberPath(m.ID, "revoke"), nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=inactivated" {
		t.Fatalf("POST revoke: %d to %q", p.StatusCode, p.location())
	}
	if got := app.member(orgID, m.ID); got.Status != models.StatusRevoked {
		t.Errorf("status %q, want revoked", got.Status)
	}
	if got := app.counts(orgID)[models.StatusInvited]; got != 0 {
		t.Errorf("Inactivated count %d, want 0", got)
	}
	if got := c.get("/users?tab=inactivated").emails(); len(got) != 0 {
		t.Errorf("Inactivated lists %v", got)
	}
	assertGone(t, app.newClient().get(link), "withdrawn", "the link after revoking")
	if evs := app.auditEvents(models.ActionRevoked); len(evs) != 1 || evs[0].TargetEmail != "ann@example.com" {
		t.Errorf("audit %+v", evs)
	}
	// Revoking again is not offered.
	before = app.state(db, orgID)
	if p := c.post(memberPath(m.ID, "revoke"), nil); p.StatusCode != http.StatusConflict {
		t.Errorf("second revoke: %d, want 409", p.StatusCode)
	}
	app.assertUnchanged(db, orgID, before, "a second revoke")

	// The address can be invited again; the old link stays withdrawn.
	c.get("/users/invite")
	if p := c.invite("ann@example.com", models.RoleEditor); p.outcomes()["ann@example.com"].Message != "Invitation sent" {
		t.Fatalf("inviting again: %+v", p.outcomes())
	}
	if got := app.member(orgID, m.ID); got.Status != models.StatusInvited || !slices.Equal(got.Roles, []models.Role{models.RoleEditor}) {
		t.Errorf("membership after inviting again %s", memberLine(got))
	}
	assertGone(t, app.newClient().get(link), "withdrawn", "the revoked link after a new invitation")
	if p := app.newClient().get(app.outboxLinkFor(orgID, "ann@example.com")); p.StatusCode != http.StatusOK {
		t.Errorf("the new link: %d", p.StatusCode)
	}
}

func TestEditRoles(t *testing.T) {
	tm := newTeam(t)
	app, c, db, orgID := tm.app, tm.owner, tm.db, tm.orgID

	p := c.get(memberPath(tm.vic.ID, "roles"))
	if p.StatusCode != http.StatusOK || p.Doc.Find("table.matrix").Length() != 1 {
		t.Fatalf("GET roles: %d, matrix %d", p.StatusCode, p.Doc.Find("table.matrix").Length())
	}
	if got := p.checkedRoles(); !slices.Equal(got, []string{"viewer"}) {
		t.Errorf("checked %v", got)
	}
	p = c.post(memberPath(tm.vic.ID, "roles"), url.Values{"roles": {"admin"}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=active" {
		t.Fatalf("POST roles: %d to %q (%q)", p.StatusCode, p.location(), p.rolesError())
	}
	if got := app.member(orgID, tm.vic.ID).Roles; !slices.Equal(got, []models.Role{models.RoleAdmin}) {
		t.Errorf("Vic's roles %v", got)
	}
	evs := app.auditEvents(models.ActionRolesChanged)
	if len(evs) != 1 || evs[0].TargetEmail != "vic@example.com" || evs[0].Detail != "Viewer → Admin" {
		t.Errorf("audit %+v", evs)
	}
	// Invited members' roles can be edited too.
	if p := c.post(memberPath(tm.ivy.ID, "roles"), url.Values{"roles": {"viewer", "editor"}}); p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=inactivated" {
		t.Errorf("POST roles of an invited member: %d to %q", p.StatusCode, p.location())
	}

	refused := func(c *client, id int64, roles []string, status int, want, what string) {
		t.Helper()
		before := app.state(db, orgID)
		p := c.post(memberPath(id, "roles"), url.Values{"roles": roles})
		if p.StatusCode != status {
			t.Errorf("%s: %d, want %d", what, p.StatusCode, status)
		}
		if want != "" && !strings.Contains(p.rolesError(), want) {
			t.Errorf("%s: message %q, want %q", what, p.rolesError(), want)
		}
		app.assertUnchanged(db, orgID, before, what)
	}
	refused(c, tm.olive.ID, []string{"viewer"}, http.StatusUnprocessableEntity, "can't change your own roles", "an Owner changing their own roles")
	refused(c, tm.eve.ID, nil, http.StatusUnprocessableEntity, "Choose at least one role", "no role")
	refused(c, tm.eve.ID, []string{"superuser"}, http.StatusUnprocessableEntity, "role", "an unknown role")
	refused(c, tm.eve.ID, []string{"viewer", "superuser"}, http.StatusUnprocessableEntity, "Unknown role", "an unknown role beside a known one")
	refused(c, tm.tom.ID, []string{"viewer"}, http.StatusConflict, "", "roles of a terminated member")

	ada := tm.as("ada@example.com")
	refused(ada, tm.eve.ID, []string{"owner"}, http.StatusUnprocessableEntity, "Only an Owner can grant the Owner role", "an Admin granting Owner")
	refused(ada, tm.eve.ID, []string{"owner", "editor"}, http.StatusUnprocessableEntity, "Only an Owner can grant the Owner role", "an Admin granting Owner beside Editor")
	refused(ada, tm.olive.ID, []string{"admin"}, http.StatusUnprocessableEntity, "Only an Owner can remove the Owner role", "an Admin demoting an Owner")
	refused(ada, tm.olive.ID, []string{"owner", "admin"}, http.StatusUnprocessableEntity, "Owner", "an Admin editing an Owner's roles")
	refused(ada, tm.ada.ID, []string{"owner"}, http.StatusUnprocessableEntity, "can't change your own roles", "an Admin making themselves Owner")
	// An Admin may still manage non-Owners.
	if p := ada.post(memberPath(tm.eve.ID, "roles"), url.Values{"roles": {"editor", "viewer"}}); p.StatusCode != http.StatusSeeOther {
		t.Errorf("an Admin editing an Editor's roles: %d %q", p.StatusCode, p.rolesError())
	}

	for _, who := range []string{"eve@example.com", "vic@example.com"} {
		if who == "vic@example.com" {
			db.setRoles(tm.vic.ID, models.RoleViewer)
		}
		x := tm.as(who)
		self := tm.eve.ID
		if who == "vic@example.com" {
			self = tm.vic.ID
		}
		for _, target := range []int64{self, tm.ada.ID, tm.pat.ID} {
			before := app.state(db, orgID)
			for _, p := range []*page{x.get(memberPath(target, "roles")), x.post(memberPath(target, "roles"), url.Values{"roles": {"owner"}}),
				x.post(memberPath(target, "roles"), url.Values{"roles": {"admin"}})} {
				if p.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s %s: %d, want 403", who, p.Request.Method, memberPath(target, "roles"), p.StatusCode)
				}
			}
			app.assertUnchanged(db, orgID, before, who+" editing roles")
		}
		if evs := app.auditEvents(models.ActionDenied); len(evs) == 0 {
			t.Error("refused role edits were not audited")
		}
	}
}

// The last active Owner cannot be demoted, even when two Owners demote each other at once.
func TestEditRolesKeepsAnOwner(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	oscar := db.addMember(orgID, "oscar@example.com", models.RoleOwner)
	olive := app.memberByEmail(db, orgID, "olive@example.com")
	o2 := app.newClient()
	o2.login("oscar@example.com", testPassword)
	o2.get("/users")
	c.get("/users")
	for round := range 5 {
		db.setRoles(olive.ID, models.RoleOwner)
		db.setRoles(oscar.ID, models.RoleOwner)
		var wg sync.WaitGroup
		pages := make([]*page, 2)
		wg.Go(func() { pages[0] = c.post(memberPath(oscar.ID, "roles"), url.Values{"roles": {"admin"}}) })
		wg.Go(func() { pages[1] = o2.post(memberPath(olive.ID, "roles"), url.Values{"roles": {"admin"}}) })
		wg.Wait()
		owners := 0
		for _, id := range []int64{olive.ID, oscar.ID} {
			if slices.Contains(app.member(orgID, id).Roles, models.RoleOwner) {
				owners++
			}
		}
		if owners != 1 {
			t.Fatalf("round %d: %d active Owners left (statuses %d, %d)", round, owners, pages[0].StatusCode, pages[1].StatusCode)
		}
		ok := 0
		for _, p := range pages {
			switch p.StatusCode {
			case http.StatusSeeOther:
				ok++
			case http.StatusUnprocessableEntity, http.StatusForbidden:
			default:
				t.Errorf("round %d: %d", round, p.StatusCode)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d demotions succeeded, want 1", round, ok)
		}
	}
}

func TestEditDetails(t *testing.T) {
	tm := newTeam(t)
	app, c, db, orgID := tm.app, tm.owner, tm.db, tm.orgID

	p := c.get(memberPath(tm.vic.ID, "details"))
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET details: %d", p.StatusCode)
	}
	for label, name := range map[string]string{"Department": "department", "Position": "position", "Job ID": "job_id", "Location": "location"} {
		if got, _ := p.labelled(label).Attr("name"); got != name {
			t.Errorf("%q labels %q, want %q", label, got, name)
		}
	}
	for _, personal := range []string{"first_name", "last_name", "email", "phone"} {
		if p.Doc.Find(`form [name="`+personal+`"]`).Length() != 0 {
			t.Errorf("the details form offers %s", personal)
		}
	}

	userBefore, _ := app.Store.FindUserByEmail(t.Context(), "vic@example.com")
	p = c.post(memberPath(tm.vic.ID, "details"), url.Values{"department": {" Sales "}, "position": {"Rep"}, "job_id": {"J-42"}, "location": {"Oslo"},
		"first_name": {"Hacked"}, "last_name": {"Name"}, "email": {"evil@example.com"}, "phone": {"+15555550100"}, "status": {"terminated"}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=active" {
		t.Fatalf("POST details: %d to %q", p.StatusCode, p.location())
	}
	m := app.member(orgID, tm.vic.ID)
	if m.Department != "Sales" || m.Position != "Rep" || m.JobID != "J-42" || m.Location != "Oslo" {
		t.Errorf("details not saved: %s", memberLine(m))
	}
	if m.FirstName != "Vic" || m.LastName != "Viewer" || m.Email != "vic@example.com" || m.Status != models.StatusActive {
		t.Errorf("personal fields changed by an admin: %s", memberLine(m))
	}
	u, err := app.Store.FindUserByEmail(t.Context(), "vic@example.com")
	if err != nil || u.FirstName != userBefore.FirstName || u.LastName != userBefore.LastName || u.Phone != userBefore.Phone {
		t.Errorf("account changed: %+v, %v", u, err)
	}
	app.noAccount("evil@example.com")
	if evs := app.auditEvents(models.ActionDetailsChanged); len(evs) != 1 || !strings.Contains(evs[0].Detail, "Oslo") {
		t.Errorf("audit %+v", evs)
	}
	if got := c.get(memberPath(tm.vic.ID, "details")); func() string { v, _ := got.inputValue("job_id"); return v }() != "J-42" {
		t.Error("the dialog does not show the saved job ID")
	}

	// 200 characters fit; 201 do not.
	if p := c.post(memberPath(tm.vic.ID, "details"), url.Values{"location": {strings.Repeat("é", 200)}}); p.StatusCode != http.StatusSeeOther {
		t.Errorf("200-character location: %d", p.StatusCode)
	}
	for _, field := range []string{"department", "position", "job_id", "location"} {
		before := app.state(db, orgID)
		form := url.Values{"department": {"Ops"}, "position": {"Lead"}, "job_id": {"J-7"}, "location": {"Rome"}}
		form.Set(field, strings.Repeat("x", 201))
		p := c.post(memberPath(tm.vic.ID, "details"), form)
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("201-character %s: %d, want 422", field, p.StatusCode)
		}
		if msg, described := p.fieldError(field); !strings.Contains(msg, "too long") || !described {
			t.Errorf("201-character %s: message %q (described %v)", field, msg, described)
		}
		for _, other := range []string{"department", "position", "job_id", "location"} {
			if v, _ := p.inputValue(other); other != field && v != form.Get(other) {
				t.Errorf("201-character %s: %s kept as %q", field, other, v)
			}
		}
		app.assertUnchanged(db, orgID, before, "a 201-character "+field)
	}

	// Details are for active members only, and only managers edit them.
	before := app.state(db, orgID)
	for _, id := range []int64{tm.ivy.ID, tm.tom.ID, tm.pat.ID} {
		if p := c.post(memberPath(id, "details"), url.Values{"department": {"X"}}); p.StatusCode != http.StatusConflict {
			t.Errorf("details of member %d: %d, want 409", id, p.StatusCode)
		}
	}
	eve := tm.as("eve@example.com")
	for _, p := range []*page{eve.get(memberPath(tm.vic.ID, "details")), eve.post(memberPath(tm.vic.ID, "details"), url.Values{"department": {"X"}}),
		eve.post(memberPath(tm.eve.ID, "details"), url.Values{"department": {"X"}})} {
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("an Editor %s details: %d, want 403", p.Request.Method, p.StatusCode)
		}
	}
	app.assertUnchanged(db, orgID, before, "refused detail edits")
}

func TestTerminateAndRestore(t *testing.T) {
	tm := newTeam(t)
	app, c, db, orgID := tm.app, tm.owner, tm.db, tm.orgID
	db.setRoles(tm.eve.ID, models.RoleEditor, models.RoleViewer)
	eve := tm.as("eve@example.com")
	counts := app.counts(orgID)

	before := app.state(db, orgID)
	p := c.get(memberPath(tm.eve.ID, "terminate"))
	btn := p.Doc.Find(`.dialog-card form button[type="submit"]`)
	if cls, _ := btn.Attr("class"); p.StatusCode != http.StatusOK || strings.TrimSpace(btn.Text()) != "Terminate" || !strings.Contains(cls, "danger") {
		t.Fatalf("GET terminate: %d, button %q (%s)", p.StatusCode, btn.Text(), cls)
	}
	if msg := p.text(".dialog-card"); !strings.Contains(msg, "Eve Editor") || !strings.Contains(msg, "at once") {
		t.Errorf("confirmation %q", msg)
	}
	app.assertUnchanged(db, orgID, before, "GET terminate")
	if !eve.loggedIn() {
		t.Fatal("GET terminate ended the member's session")
	}

	p = c.post(memberPath(tm.eve.ID, "terminate"), nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=active" {
		t.Fatalf("POST terminate: %d to %q (%q)", p.StatusCode, p.location(), p.text(".form-error"))
	}
	// Her open session is refused on its very next request: it goes on in no organization.
	next := eve.get("/")
	if next.StatusCode != http.StatusSeeOther || next.location() != "/organizations/none" {
		t.Fatalf("terminated member's next request: %d to %q", next.StatusCode, next.location())
	}
	if flash := eve.get(next.location()).text(".flash"); !strings.Contains(flash, "access") || !strings.Contains(flash, "has ended") {
		t.Errorf("flash %q", flash)
	}
	if eve.loggedIn() {
		t.Error("the terminated member's session came back")
	}
	if p := eve.post("/login", url.Values{"email": {"eve@example.com"}, "password": {testPassword}}); p.StatusCode != http.StatusSeeOther {
		t.Errorf("terminated member logging in: %d, want 303 (to no organization)", p.StatusCode)
	}
	if p := eve.get("/users"); p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
		t.Errorf("terminated member after logging in again: %d to %q", p.StatusCode, p.location())
	}
	after := app.counts(orgID)
	if after[models.StatusTerminated] != counts[models.StatusTerminated]+1 || after[models.StatusActive] != counts[models.StatusActive]-1 {
		t.Errorf("counts %v → %v", counts, after)
	}
	m := app.member(orgID, tm.eve.ID)
	if m.Status != models.StatusTerminated || !slices.Equal(m.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) {
		t.Errorf("terminated membership %s", memberLine(m))
	}
	if evs := app.auditEvents(models.ActionTerminated); len(evs) != 1 || evs[0].TargetEmail != "eve@example.com" {
		t.Errorf("audit %+v", evs)
	}
	if got := c.get("/users?tab=terminated").emails(); !slices.Contains(got, "eve@example.com") {
		t.Errorf("Terminated tab lists %v", got)
	}
	before = app.state(db, orgID)
	if p := c.post(memberPath(tm.eve.ID, "terminate"), nil); p.StatusCode != http.StatusConflict {
		t.Errorf("terminating twice: %d, want 409", p.StatusCode)
	}
	app.assertUnchanged(db, orgID, before, "terminating twice")

	// Restore: confirm first, with the shared-mailbox warning; then she is back with the same roles.
	p = c.get(memberPath(tm.eve.ID, "restore"))
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text(".dialog-card .warning"), "another address") ||
		!strings.Contains(p.text(".dialog-card"), "Editor, Viewer") {
		t.Errorf("GET restore: %d %q", p.StatusCode, p.text(".dialog-card"))
	}
	app.assertUnchanged(db, orgID, before, "GET restore")
	p = c.post(memberPath(tm.eve.ID, "restore"), nil)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/users?tab=terminated" {
		t.Fatalf("POST restore: %d to %q", p.StatusCode, p.location())
	}
	m = app.member(orgID, tm.eve.ID)
	if m.Status != models.StatusActive || !slices.Equal(m.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) {
		t.Errorf("restored membership %s", memberLine(m))
	}
	if got := app.counts(orgID); got[models.StatusActive] != counts[models.StatusActive] || got[models.StatusTerminated] != counts[models.StatusTerminated] {
		t.Errorf("counts after restore %v, want %v", got, counts)
	}
	if evs := app.auditEvents(models.ActionRestored); len(evs) != 1 {
		t.Errorf("%d restored events", len(evs))
	}
	back := app.newClient()
	back.login("eve@example.com", testPassword)
	if !back.loggedIn() {
		t.Error("the restored member cannot use Gatehouse")
	}
}

// A session ended for another reason (here: logged out with a copy of the cookie) does not
// claim that access has ended.
func TestSignedOutElsewhereIsNotTermination(t *testing.T) {
	app, _, db, orgID := ownerWithDB(t)
	db.addMember(orgID, "eve@example.com", models.RoleEditor)
	a := app.newClient()
	a.login("eve@example.com", testPassword)
	b := app.newClientWithCookie(a.cookie())
	a.get("/users")
	if p := a.post("/logout", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.StatusCode)
	}
	p := b.get("/users")
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("the other copy's next request: %d to %q", p.StatusCode, p.location())
	}
	if flash := b.get(p.location()).text(".flash"); !strings.Contains(flash, "signed out") || strings.Contains(flash, "ended") {
		t.Errorf("flash %q", flash)
	}
}

func TestTerminateRules(t *testing.T) {
	tm := newTeam(t)
	app, c, db, orgID := tm.app, tm.owner, tm.db, tm.orgID
	ada := tm.as("ada@example.com")
	eve := tm.as("eve@example.com")
	for _, tc := range []struct {
		who    *client
		target int64
		status int
		want   string
		what   string
	}{
		{c, tm.olive.ID, http.StatusUnprocessableEntity, "can't terminate yourself", "an Owner terminating themselves"},
		{ada, tm.ada.ID, http.StatusUnprocessableEntity, "can't terminate yourself", "an Admin terminating themselves"},
		{ada, tm.olive.ID, http.StatusUnprocessableEntity, "Only an Owner can terminate an Owner", "an Admin terminating the Owner"},
		{eve, tm.vic.ID, http.StatusForbidden, "", "an Editor terminating"},
		{eve, tm.tom.ID, http.StatusForbidden, "", "an Editor restoring"},
	} {
		before := app.state(db, orgID)
		path := memberPath(tc.target, "terminate")
		if tc.target == tm.tom.ID {
			path = memberPath(tc.target, "restore")
		}
		p := tc.who.post(path, nil)
		if p.StatusCode != tc.status || !strings.Contains(p.text(".form-error"), tc.want) {
			t.Errorf("%s: %d %q, want %d %q", tc.what, p.StatusCode, p.text(".form-error"), tc.status, tc.want)
		}
		app.assertUnchanged(db, orgID, before, tc.what)
	}
	if !c.loggedIn() || !ada.loggedIn() {
		t.Error("a refused termination ended a session")
	}
}

// Another organization's members answer 404 to every action, and nothing happens to them.
func TestActionsOnAnotherOrganization(t *testing.T) {
	tm := newTeam(t)
	app, c, db := tm.app, tm.owner, tm.db
	globex := db.orgNamed("Other")
	theirs := db.addMembers(globex.ID,
		member{Email: "gina@globex.example", First: "Gina", Last: "Globex", Roles: []models.Role{models.RoleViewer}},
		member{Email: "ian@globex.example", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleViewer}},
		member{Email: "tess@globex.example", First: "Tess", Last: "Globex", Status: models.StatusTerminated, Roles: []models.Role{models.RoleViewer}},
		member{Email: "paul@globex.example", First: "Paul", Last: "Globex", Status: models.StatusPending},
	)
	ours := app.state(db, tm.orgID)
	before := app.state(db, globex.ID)
	for _, m := range theirs {
		for _, slug := range actionSlugs {
			path := memberPath(m.ID, slug)
			for _, p := range []*page{c.get(path), c.post(path, url.Values{"roles": {"admin"}, "department": {"X"}}),
				c.htmx(http.MethodPost, path, url.Values{"roles": {"admin"}})} {
				if p.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s (Other's %s): %d, want 404", p.Request.Method, path, m.Status, p.StatusCode)
				}
				if strings.Contains(p.Body, m.Email) {
					t.Errorf("%s %s shows Other's member", p.Request.Method, path)
				}
			}
		}
	}
	app.assertUnchanged(db, globex.ID, before, "actions on another organization")
	app.assertUnchanged(db, tm.orgID, ours, "actions on another organization (own org)")
}

// Malformed and unknown ids answer 404, never 500.
func TestActionsBadIDs(t *testing.T) {
	tm := newTeam(t)
	app, c, db := tm.app, tm.owner, tm.db
	before := app.state(db, tm.orgID)
	for _, id := range []string{"abc", "-1", "0", "999999999999999999999", "9223372036854775807", "99999", "1.5", "0x1", "%20", "1%00", "%E2%80%8B"} {
		for _, slug := range actionSlugs {
			path := "/users/" + id + "/" + slug
			for _, p := range []*page{c.get(path), c.post(path, nil)} {
				if p.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: %d, want 404", p.Request.Method, path, p.StatusCode)
				}
			}
		}
	}
	app.assertUnchanged(db, tm.orgID, before, "requests with bad ids")
}

// State never changes on GET: opening every action of every member changes nothing.
func TestActionGetsChangeNothing(t *testing.T) {
	tm := newTeam(t)
	app, c, db := tm.app, tm.owner, tm.db
	before := app.state(db, tm.orgID)
	for _, m := range []models.Membership{tm.olive, tm.ada, tm.vic, tm.eve, tm.ivy, tm.pat, tm.rex, tm.tom} {
		for _, slug := range actionSlugs {
			p := c.get(memberPath(m.ID, slug))
			if p.StatusCode != http.StatusOK && p.StatusCode != http.StatusConflict {
				t.Errorf("GET %s (%s): %d", memberPath(m.ID, slug), m.Status, p.StatusCode)
			}
		}
	}
	app.assertUnchanged(db, tm.orgID, before, "GET of every action")
	// Member actions do not answer other methods either.
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		p := c.request(method, memberPath(tm.vic.ID, "terminate"), url.Values{}, http.Header{"X-CSRF-Token": {c.csrf}})
		if p.StatusCode != http.StatusMethodNotAllowed && p.StatusCode != http.StatusNotFound {
			t.Errorf("%s terminate: %d", method, p.StatusCode)
		}
	}
	app.assertUnchanged(db, tm.orgID, before, "other methods")
}

// htmx posts end with 204 and HX-Redirect to the tab the member was on; dialogs open as fragments.
func TestActionsHTMX(t *testing.T) {
	tm := newTeam(t)
	app, c, db, orgID := tm.app, tm.owner, tm.db, tm.orgID
	for _, slug := range []string{"terminate", "roles", "details"} {
		p := c.htmx(http.MethodGet, memberPath(tm.vic.ID, slug), nil)
		if p.StatusCode != http.StatusOK {
			t.Errorf("htmx GET %s: %d", slug, p.StatusCode)
		}
		assertDialogFragment(t, p, "htmx GET "+slug)
	}
	before := app.state(db, orgID)
	p := c.htmx(http.MethodPost, memberPath(tm.vic.ID, "details"), url.Values{"position": {strings.Repeat("x", 201)}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("htmx 422: %d", p.StatusCode)
	}
	assertDialogFragment(t, p, "htmx 422 details")
	if msg, _ := p.fieldError("position"); !strings.Contains(msg, "too long") {
		t.Errorf("htmx 422 message %q", msg)
	}
	app.assertUnchanged(db, orgID, before, "htmx 422")

	for _, tc := range []struct {
		id   int64
		slug string
		form url.Values
		to   string
	}{
		{tm.vic.ID, "details", url.Values{"department": {"Ops"}}, "/users?tab=active"},
		{tm.vic.ID, "roles", url.Values{"roles": {"editor"}}, "/users?tab=active"},
		{tm.ivy.ID, "roles", url.Values{"roles": {"viewer"}}, "/users?tab=inactivated"},
		{tm.ivy.ID, "reinvite", nil, "/users?tab=inactivated"},
		{tm.vic.ID, "terminate", nil, "/users?tab=active"},
		{tm.vic.ID, "restore", nil, "/users?tab=terminated"},
		{tm.pat.ID, "approve", nil, "/users?tab=pending"},
		{tm.rex.ID, "reapprove", nil, "/users?tab=pending"},
		{tm.ivy.ID, "revoke", nil, "/users?tab=inactivated"},
	} {
		p := c.htmx(http.MethodPost, memberPath(tc.id, tc.slug), tc.form)
		if p.StatusCode != http.StatusNoContent || p.Header.Get("HX-Redirect") != tc.to {
			t.Errorf("htmx POST %s of %d: %d, HX-Redirect %q, want 204 to %q (%q)", tc.slug, tc.id, p.StatusCode, p.Header.Get("HX-Redirect"), tc.to, p.text(".form-error"))
		}
		if strings.TrimSpace(p.Body) != "" {
			t.Errorf("htmx POST %s: body %.60q", tc.slug, p.Body)
		}
	}
	for id, want := range map[int64]models.Status{tm.vic.ID: models.StatusActive, tm.pat.ID: models.StatusActive, tm.rex.ID: models.StatusActive, tm.ivy.ID: models.StatusRevoked} {
		if got := app.member(orgID, id).Status; got != want {
			t.Errorf("member %d is %q, want %q", id, got, want)
		}
	}
	if got := app.member(orgID, tm.vic.ID); got.Department != "Ops" || !slices.Equal(got.Roles, []models.Role{models.RoleEditor}) {
		t.Errorf("Vic %s", memberLine(got))
	}
	// The flash waits for the full page the redirect loads.
	if flash := c.get("/users?tab=inactivated").Doc.Find(".flash").Text(); !strings.Contains(flash, "revoked") {
		t.Errorf("flashes after htmx posts %q", flash)
	}
}
