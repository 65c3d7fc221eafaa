package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// Helpers shared by invite_test.go, signup_test.go and member_actions_test.go.

// orgState is everything an invitation or member action may change in one organization,
// so a refused request can be checked to have changed nothing.
type orgState struct {
	Counts      map[models.Status]int64
	Members     []string // one line per membership: status, account, names, details and roles
	Invitations []string // one line per link: membership, expiry, used/revoked/superseded
	Outbox      int64
	Users       int64
	Audit       []string // member.* events
}

// state reads orgState through the app's store (and the test connection for the rows the
// store has no listing method for).
func (a *testApp) state(db *testDB, orgID int64) orgState {
	a.t.Helper()
	ctx := context.Background()
	var s orgState
	var err error
	if s.Counts, err = a.Store.MemberCounts(ctx, orgID); err != nil {
		a.t.Fatal(err)
	}
	for st, n := range s.Counts {
		if n == 0 {
			delete(s.Counts, st)
		}
	}
	var ids []int64
	if err := db.db.Model(&models.Membership{}).Where("org_id = ?", orgID).Order("id").Pluck("id", &ids).Error; err != nil {
		a.t.Fatal(err)
	}
	for _, id := range ids {
		m, err := a.Store.FindMember(ctx, orgID, id)
		if err != nil {
			a.t.Fatal(err)
		}
		s.Members = append(s.Members, memberLine(m))
	}
	var invs []models.Invitation
	if err := db.db.Where("org_id = ?", orgID).Order("id").Find(&invs).Error; err != nil {
		a.t.Fatal(err)
	}
	for _, inv := range invs {
		s.Invitations = append(s.Invitations, fmt.Sprintf("#%d member=%d %s expires=%s used=%v revoked=%v superseded=%v",
			inv.ID, inv.MembershipID, inv.Email, inv.ExpiresAt.UTC(), inv.UsedAt != nil, inv.RevokedAt != nil, inv.SupersededAt != nil))
	}
	if err := db.db.Model(&models.OutboxMessage{}).Where("org_id = ?", orgID).Count(&s.Outbox).Error; err != nil {
		a.t.Fatal(err)
	}
	if s.Users, err = a.Store.CountUsers(ctx); err != nil {
		a.t.Fatal(err)
	}
	evs, err := a.Store.FindAuditEvents(ctx, models.AuditFilter{OrgID: &orgID, Limit: 500})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.HasPrefix(string(ev.Action), "member.") {
			s.Audit = append(s.Audit, fmt.Sprintf("#%d %s %s %s", ev.ID, ev.Action, ev.TargetEmail, ev.Detail))
		}
	}
	return s
}

func memberLine(m *models.Membership) string {
	user, inviter := "-", "-"
	if m.UserID != nil {
		user = strconv.FormatInt(*m.UserID, 10)
	}
	if m.InvitedByID != nil {
		inviter = strconv.FormatInt(*m.InvitedByID, 10)
	}
	return fmt.Sprintf("#%d %s %s user=%s name=%q/%q dept=%q pos=%q job=%q loc=%q roles=%v invitedBy=%s updated=%s",
		m.ID, m.Email, m.Status, user, m.FirstName, m.LastName, m.Department, m.Position, m.JobID, m.Location,
		m.Roles, inviter, m.UpdatedAt.UTC())
}

// assertUnchanged fails the test when anything in the organization changed since before.
func (a *testApp) assertUnchanged(db *testDB, orgID int64, before orgState, what string) {
	a.t.Helper()
	after := a.state(db, orgID)
	if reflect.DeepEqual(before, after) {
		return
	}
	a.t.Errorf("%s changed the organization:\n before %+v\n after  %+v", what, before, after)
}

// memberByEmail returns the organization's membership of email with its roles, or nil.
func (a *testApp) memberByEmail(db *testDB, orgID int64, email string) *models.Membership {
	a.t.Helper()
	var ids []int64
	if err := db.db.Model(&models.Membership{}).Where("org_id = ? AND email = ?", orgID, email).Pluck("id", &ids).Error; err != nil {
		a.t.Fatal(err)
	}
	switch len(ids) {
	case 0:
		return nil
	case 1:
	default:
		a.t.Fatalf("%d memberships of %s", len(ids), email)
	}
	m, err := a.Store.FindMember(context.Background(), orgID, ids[0])
	if err != nil {
		a.t.Fatal(err)
	}
	return m
}

// member returns the membership with id, failing the test if it is gone.
func (a *testApp) member(orgID, id int64) *models.Membership {
	a.t.Helper()
	m, err := a.Store.FindMember(context.Background(), orgID, id)
	if err != nil {
		a.t.Fatalf("FindMember %d: %v", id, err)
	}
	return m
}

// counts returns the Users page tab counts of the organization.
func (a *testApp) counts(orgID int64) map[models.Status]int64 {
	a.t.Helper()
	c, err := a.Store.MemberCounts(context.Background(), orgID)
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// outboxOf returns the organization's outbox, newest first.
func (a *testApp) outboxOf(orgID int64) []models.OutboxMessage {
	a.t.Helper()
	msgs, err := a.Store.FindOutbox(context.Background(), orgID, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		a.t.Fatal(err)
	}
	return msgs
}

// outboxLinkFor returns the path of the link in the newest invitation email to email.
func (a *testApp) outboxLinkFor(orgID int64, email string) string {
	a.t.Helper()
	for _, m := range a.outboxOf(orgID) {
		if m.Recipient == email {
			link := inviteLinkRe.FindString(m.TextBody)
			if !strings.HasPrefix(link, a.Server.URL+"/invite/") {
				a.t.Fatalf("outbox email to %s links to %q, not to %s/invite/…", email, link, a.Server.URL)
			}
			return strings.TrimPrefix(link, a.Server.URL)
		}
	}
	a.t.Fatalf("no email to %s in the outbox", email)
	return ""
}

// pathOf returns the path of an emailed link, failing the test unless it is on the base URL.
func (a *testApp) pathOf(link string) string {
	a.t.Helper()
	if !strings.HasPrefix(link, a.Server.URL+"/") {
		a.t.Fatalf("link %q is not built from the base URL %s", link, a.Server.URL)
	}
	return strings.TrimPrefix(link, a.Server.URL)
}

// orgNamed inserts another organization into the app's database.
func (d *testDB) orgNamed(name string) models.Organization {
	d.t.Helper()
	o := models.Organization{Name: name, InviteLifetimeHours: models.DefaultInviteLifetimeHours}
	if err := d.db.Create(&o).Error; err != nil {
		d.t.Fatal(err)
	}
	return o
}

// htmx sends a request as htmx does for a dialog in #modal, with the client's CSRF token.
func (c *client) htmx(method, path string, form url.Values) *page {
	c.t.Helper()
	h := http.Header{"HX-Request": {"true"}, "HX-Target": {"modal"}}
	if method != http.MethodGet {
		h.Set("X-CSRF-Token", c.csrf)
		if form == nil {
			form = url.Values{}
		}
	}
	return c.request(method, path, form, h)
}

// invite posts the invite form as an Owner or Admin would.
func (c *client) invite(emails string, roles ...models.Role) *page {
	c.t.Helper()
	f := url.Values{"emails": {emails}}
	for _, r := range roles {
		f.Add("roles", string(r))
	}
	return c.post("/users/invite", f)
}

// outcomes maps each email of an invite result to its line: message, action and warning.
type outcome struct {
	Message, Action, Href, Warning string
}

func (p *page) outcomes() map[string]outcome {
	out := map[string]outcome{}
	p.Doc.Find(".outcomes li").Each(func(_ int, s *goquery.Selection) {
		email := strings.TrimSpace(s.Find(".outcome-email").Text())
		if _, dup := out[email]; dup {
			out[email+" (again)"] = outcome{}
		}
		href, _ := s.Find("a").Attr("href")
		out[email] = outcome{Message: strings.TrimSpace(s.Find(".badge").Text()), Action: strings.TrimSpace(s.Find("a").Text()),
			Href: href, Warning: strings.TrimSpace(s.Find(".outcome-warning").Text())}
	})
	return out
}

// rowMenu lists the labels of the row-actions menu of the row showing email.
func rowMenu(p *page, email string) []string {
	var out []string
	row := p.Doc.Find("#users-results tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find("td.email").Text()) == email
	})
	if row.Length() != 1 {
		return []string{fmt.Sprintf("(%d rows for %s)", row.Length(), email)}
	}
	row.Find(".row-menu .menu-item").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	if len(out) == 0 {
		out = append(out, strings.TrimSpace(row.Find(".row-menu .menu-empty").Text()))
	}
	return out
}

// textareaError returns the message shown beside the textarea named name.
func (p *page) textareaError(name string) string {
	return strings.TrimSpace(p.Doc.Find(`textarea[name="` + name + `"]`).Closest(".field").Find(".field-error").Text())
}

// rolesError returns the message shown in the Roles fieldset.
func (p *page) rolesError() string {
	return strings.TrimSpace(p.Doc.Find("fieldset.role-choice .field-error").Text())
}

// checkedRoles lists the role checkboxes that are checked.
func (p *page) checkedRoles() []string {
	var out []string
	p.Doc.Find(`input[type="checkbox"][name="roles"]:checked`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		out = append(out, v)
	})
	return out
}

// labelled returns the control a <label> with exactly text points at.
func (p *page) labelled(text string) *goquery.Selection {
	var ctl *goquery.Selection
	p.Doc.Find("label").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) == text {
			if id, ok := s.Attr("for"); ok && ctl == nil {
				ctl = p.Doc.Find("#" + id)
			}
		}
	})
	if ctl == nil {
		return p.Doc.Find("#no-such-element")
	}
	return ctl
}

// inviteApp is an Owner logged in with the database open.
func inviteApp(t *testing.T) (*testApp, *client, *testDB, int64) {
	app, c, db, orgID := ownerWithDB(t)
	db.departments(orgID, "Eng", "Ops", "Sales")
	return app, c, db, orgID
}

func TestInviteDialog(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	before := app.state(db, orgID)
	p := c.get("/users/invite")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Invite users" {
		t.Fatalf("GET /users/invite: %d %q", p.StatusCode, p.text("h1"))
	}
	for label, name := range map[string]string{"First name": "first_name", "Last name": "last_name", "Emails": "emails",
		"Department": "department", "Position": "position"} {
		ctl := p.labelled(label)
		if ctl.Length() != 1 {
			t.Errorf("no control labelled %q", label)
			continue
		}
		if got, _ := ctl.Attr("name"); got != name {
			t.Errorf("%q labels the field %q, want %q", label, got, name)
		}
	}
	if !p.labelled("Emails").Is("textarea") {
		t.Error("Emails is not a textarea: several addresses cannot be pasted one per line")
	}
	var roles []string
	p.Doc.Find(`fieldset.role-choice input[type="checkbox"][name="roles"]`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		roles = append(roles, v)
		if _, disabled := s.Attr("disabled"); disabled {
			t.Errorf("the Owner sees the role %q disabled", v)
		}
		if s.Closest("label").Length() != 1 {
			t.Errorf("role checkbox %q has no label", v)
		}
	})
	if want := []string{"owner", "admin", "editor", "viewer"}; !slices.Equal(roles, want) {
		t.Errorf("role checkboxes %v, want %v", roles, want)
	}
	if got := p.checkedRoles(); !slices.Equal(got, []string{"viewer"}) {
		t.Errorf("roles checked by default %v, want the least privileged, viewer", got)
	}
	if got := p.text("fieldset.role-choice legend"); got != "Roles" {
		t.Errorf("role choice legend %q", got)
	}
	matrix := p.Doc.Find("fieldset.role-choice table.matrix")
	if matrix.Length() != 1 {
		t.Fatal("no permission matrix beside the role choice")
	}
	var cols []string
	matrix.Find("thead th").Each(func(_ int, s *goquery.Selection) { cols = append(cols, strings.TrimSpace(s.Text())) })
	if want := []string{"Permission", "Owner", "Admin", "Editor", "Viewer"}; !slices.Equal(cols, want) {
		t.Errorf("matrix columns %v, want %v", cols, want)
	}
	rows := matrix.Find("tbody tr")
	if rows.Length() != len(models.AllPermissions) {
		t.Errorf("matrix has %d rows, want %d", rows.Length(), len(models.AllPermissions))
	}
	// Spot-check DESIGN.md's matrix: Editors manage content, only Owners grant Owner.
	row := func(label string) []string {
		var out []string
		matrix.Find("tbody tr:contains('" + label + "') td").Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Find(".visually-hidden").Text()))
		})
		return out
	}
	if got := row("Manage content and integrations"); !slices.Equal(got, []string{"yes", "yes", "yes", "no"}) {
		t.Errorf("matrix row Manage content: %v", got)
	}
	if got := row("Grant or remove Owner"); !slices.Equal(got, []string{"yes", "no", "no", "no"}) {
		t.Errorf("matrix row Grant Owner: %v", got)
	}
	if got := p.text(`form:has(textarea[name=emails]) button[type="submit"]`); got != "Send invitations" {
		t.Errorf("submit button %q", got)
	}
	if action, _ := p.Doc.Find("form:has(textarea[name=emails])").Attr("method"); action != "post" {
		t.Errorf("invite form method %q, want post", action)
	}
	app.assertUnchanged(db, orgID, before, "GET /users/invite")
}

func TestInviteOneEmail(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	mb := app.startMail()
	owner, _ := app.Store.FindUserByEmail(context.Background(), "olive@example.com")
	c.get("/users/invite")
	p := c.post("/users/invite", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "emails": {" Ann@Example.com "},
		"roles": {"editor"}, "department": {"Sales"}, "position": {"Account manager"}})
	if p.StatusCode != http.StatusOK {
		t.Fatalf("POST /users/invite: %d %q", p.StatusCode, p.text(".field-error"))
	}
	if got := p.outcomes(); !reflect.DeepEqual(got, map[string]outcome{"ann@example.com": {Message: "Invitation sent"}}) {
		t.Errorf("result %+v", got)
	}
	m := app.memberByEmail(db, orgID, "ann@example.com")
	if m == nil {
		t.Fatal("no membership for ann@example.com")
	}
	if m.Status != models.StatusInvited || m.UserID != nil || !slices.Equal(m.Roles, []models.Role{models.RoleEditor}) ||
		m.FirstName != "Ann" || m.LastName != "Able" || m.Department != "Sales" || m.Position != "Account manager" ||
		m.InvitedByID == nil || *m.InvitedByID != owner.ID {
		t.Errorf("membership %s", memberLine(m))
	}
	if got := app.counts(orgID); got[models.StatusInvited] != 1 || got[models.StatusActive] != 1 {
		t.Errorf("counts %v, want 1 inactivated and 1 active", got)
	}
	if evs := app.auditEvents(models.ActionInvited); len(evs) != 1 || evs[0].TargetEmail != "ann@example.com" ||
		evs[0].ActorEmail != "olive@example.com" || !strings.Contains(evs[0].Detail, "Editor") {
		t.Errorf("audit events %+v", evs)
	}

	e := mb.waitFor("ann@example.com", 1)
	expires := app.Clock.Now().Add(72 * time.Hour).UTC().Format("Monday 2 January 2006, 15:04 UTC")
	if !strings.Contains(e.Subject, "Olive Owner") || !strings.Contains(e.Subject, "Acme") {
		t.Errorf("subject %q does not name the inviter and the organization", e.Subject)
	}
	for part, body := range map[string]string{"text": e.Text, "HTML": e.HTML} {
		for _, want := range []string{"Acme", "Olive Owner", "olive@example.com", expires, "Hello Ann,"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", part, want, body)
			}
		}
	}
	link := e.inviteLink(t)
	path := app.pathOf(link)
	if !strings.Contains(e.HTML, `href="`+link+`"`) {
		t.Errorf("the HTML part does not link to %s", link)
	}
	if p := app.newClient().get(path); p.StatusCode != http.StatusOK {
		t.Errorf("the emailed link opens with %d", p.StatusCode)
	}
}

func TestInviteEmailLists(t *testing.T) {
	for name, tc := range map[string]struct {
		input string
		want  []string
	}{
		"spreadsheet column": {"ann@example.com\r\nbob@example.com\r\n", []string{"ann@example.com", "bob@example.com"}},
		"commas":             {"ann@example.com, bob@example.com,cat@example.com", []string{"ann@example.com", "bob@example.com", "cat@example.com"}},
		"semicolons":         {"ann@example.com; bob@example.com;", []string{"ann@example.com", "bob@example.com"}},
		"tabs":               {"ann@example.com\tbob@example.com", []string{"ann@example.com", "bob@example.com"}},
		"mixed":              {"ann@example.com;\n bob@example.com ,\tcat@example.com\n\n", []string{"ann@example.com", "bob@example.com", "cat@example.com"}},
		"duplicates":         {"Ann@Example.com\nbob@example.com\nANN@example.COM\nbob@example.com", []string{"ann@example.com", "bob@example.com"}},
		"named addresses":    {"Ann Able <ann@example.com>, \"Bob\" <BOB@example.com>", []string{"ann@example.com", "bob@example.com"}},
	} {
		t.Run(name, func(t *testing.T) {
			app, c, db, orgID := inviteApp(t)
			c.get("/users/invite")
			p := c.invite(tc.input, models.RoleViewer)
			if p.StatusCode != http.StatusOK {
				t.Fatalf("POST: %d %q", p.StatusCode, p.textareaError("emails"))
			}
			want := map[string]outcome{}
			for _, e := range tc.want {
				want[e] = outcome{Message: "Invitation sent"}
			}
			if got := p.outcomes(); !reflect.DeepEqual(got, want) {
				t.Errorf("result %+v, want %+v", got, want)
			}
			if n := p.Doc.Find(".outcomes li").Length(); n != len(tc.want) {
				t.Errorf("%d result lines, want %d", n, len(tc.want))
			}
			for _, e := range tc.want {
				if m := app.memberByEmail(db, orgID, e); m == nil || m.Status != models.StatusInvited {
					t.Errorf("%s not invited", e)
				}
			}
			if got := app.counts(orgID)[models.StatusInvited]; got != int64(len(tc.want)) {
				t.Errorf("Inactivated count %d, want %d", got, len(tc.want))
			}
			if got := len(app.outboxOf(orgID)); got != len(tc.want) {
				t.Errorf("%d emails in the outbox, want %d", got, len(tc.want))
			}
		})
	}
}

// An email that already has a membership gets no second one and no email; the result says
// why and offers the action DESIGN.md names.
func TestInviteExistingMemberships(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	ms := db.addMembers(orgID,
		member{Email: "amy@example.com", First: "Amy", Last: "Active", Roles: []models.Role{models.RoleEditor}},
		member{Email: "ivy@example.com", Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleViewer}},
		member{Email: "pat@example.com", First: "Pat", Last: "Pending", Status: models.StatusPending},
		member{Email: "rex@example.com", First: "Rex", Last: "Rejected", Status: models.StatusRejected},
		member{Email: "tom@example.com", First: "Tom", Last: "Gone", Status: models.StatusTerminated, Roles: []models.Role{models.RoleAdmin}},
	)
	c.get("/users/invite")
	before := app.state(db, orgID)
	p := c.invite("amy@example.com\nIVY@example.com\npat@example.com\nrex@example.com\nTom@Example.com\nolive@example.com", models.RoleAdmin)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d", p.StatusCode)
	}
	href := func(i int, slug string) string { return fmt.Sprintf("/users/%d/%s", ms[i].ID, slug) }
	got := p.outcomes()
	tom := got["tom@example.com"]
	if !strings.Contains(tom.Warning, "old account") || !strings.Contains(tom.Warning, "another address") {
		t.Errorf("terminated: warning %q does not say restoring gives the old account back", tom.Warning)
	}
	tom.Warning = ""
	got["tom@example.com"] = tom
	want := map[string]outcome{
		"amy@example.com":   {Message: "Already a member"},
		"ivy@example.com":   {Message: "Already invited", Action: "Reinvite", Href: href(1, "reinvite")},
		"pat@example.com":   {Message: "Awaiting approval", Action: "Approve", Href: href(2, "approve")},
		"rex@example.com":   {Message: "Rejected earlier", Action: "Re-approve", Href: href(3, "reapprove")},
		"tom@example.com":   {Message: "Removed earlier", Action: "Restore", Href: href(4, "restore")},
		"olive@example.com": {Message: "Already a member"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result\n got  %+v\n want %+v", got, want)
	}
	for i, o := range []outcome{want["ivy@example.com"], want["pat@example.com"], want["rex@example.com"], want["tom@example.com"]} {
		if p := c.get(o.Href); p.StatusCode != http.StatusOK {
			t.Errorf("the %s offered for %s opens with %d", o.Action, ms[i+1].Email, p.StatusCode)
		}
	}
	app.assertUnchanged(db, orgID, before, "inviting existing members")
}

func TestInviteBadEmailsKeepInput(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	c.get("/users/invite")
	before := app.state(db, orgID)
	emails := "ann@example.com\nnot-an-email\nbob@\nann@example..com"
	p := c.post("/users/invite", url.Values{"first_name": {"Ann"}, "last_name": {"Able"}, "emails": {emails},
		"department": {"Sales"}, "position": {"Rep"}, "roles": {"admin", "editor"}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST: %d, want 422", p.StatusCode)
	}
	msg := p.textareaError("emails")
	for _, bad := range []string{"not-an-email", "bob@"} {
		if !strings.Contains(msg, bad) {
			t.Errorf("the Emails error %q does not name %q", msg, bad)
		}
	}
	if strings.Contains(msg, "ann@example.com,") {
		t.Errorf("the Emails error %q names a valid address", msg)
	}
	if desc, _ := p.Doc.Find("textarea[name=emails]").Attr("aria-describedby"); desc != "f-emails-error" {
		t.Errorf("Emails aria-describedby %q", desc)
	}
	if got := p.Doc.Find("textarea[name=emails]").Text(); got != emails {
		t.Errorf("Emails kept as %q", got)
	}
	for name, want := range map[string]string{"first_name": "Ann", "last_name": "Able", "department": "Sales", "position": "Rep"} {
		if got, _ := p.inputValue(name); got != want {
			t.Errorf("%s kept as %q, want %q", name, got, want)
		}
	}
	if got := p.checkedRoles(); !slices.Equal(got, []string{"admin", "editor"}) {
		t.Errorf("roles kept as %v", got)
	}
	app.assertUnchanged(db, orgID, before, "an invite with bad emails")
}

func TestInviteValidation(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	c.get("/users/invite")
	list := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "person%03d@example.com\n", i)
		}
		return b.String()
	}
	long := strings.Repeat("n", 10_000)
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string // the field whose message is checked: emails, roles or an input's name
		want  string
	}{
		{"101 emails", url.Values{"emails": {list(101)}, "roles": {"viewer"}}, "emails", "at most 100"},
		{"empty", url.Values{"emails": {""}, "roles": {"viewer"}}, "emails", "Enter at least one email"},
		{"only separators", url.Values{"emails": {" \r\n,;\t "}, "roles": {"viewer"}}, "emails", "Enter at least one email"},
		{"no emails field", url.Values{"roles": {"viewer"}}, "emails", "Enter at least one email"},
		{"first name of 10,000 characters", url.Values{"first_name": {long}, "emails": {"ann@example.com"}, "roles": {"viewer"}}, "first_name", "too long"},
		{"last name of 10,000 characters", url.Values{"last_name": {long}, "emails": {"ann@example.com"}, "roles": {"viewer"}}, "last_name", "too long"},
		{"department of 10,000 characters", url.Values{"department": {long}, "emails": {"ann@example.com"}, "roles": {"viewer"}}, "department", "too long"},
		{"position with a control character", url.Values{"position": {"Rep\x00"}, "emails": {"ann@example.com"}, "roles": {"viewer"}}, "position", "not allowed"},
		{"email of 10,000 characters", url.Values{"emails": {long + "@example.com"}, "roles": {"viewer"}}, "emails", "Not valid"},
		{"no role", url.Values{"emails": {"ann@example.com"}}, "roles", "Choose at least one role"},
		{"unknown role", url.Values{"emails": {"ann@example.com"}, "roles": {"superuser"}}, "roles", "Choose roles from the list"},
		{"unknown role beside a known one", url.Values{"emails": {"ann@example.com"}, "roles": {"viewer", "superuser"}}, "roles", "Choose roles from the list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := app.state(db, orgID)
			p := c.post("/users/invite", tc.form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST: %d, want 422", p.StatusCode)
			}
			var msg string
			switch tc.field {
			case "emails":
				msg = p.textareaError("emails")
			case "roles":
				msg = p.rolesError()
			default:
				msg, _ = p.fieldError(tc.field)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message beside %s %q, want it to say %q", tc.field, msg, tc.want)
			}
			app.assertUnchanged(db, orgID, before, tc.name)
		})
	}

	t.Run("100 emails", func(t *testing.T) {
		p := c.invite(list(100), models.RoleViewer)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("POST: %d %q", p.StatusCode, p.textareaError("emails"))
		}
		sent := 0
		for _, o := range p.outcomes() {
			if o.Message == "Invitation sent" {
				sent++
			}
		}
		if sent != 100 {
			t.Errorf("%d sent, want 100", sent)
		}
		if got := app.counts(orgID)[models.StatusInvited]; got != 100 {
			t.Errorf("Inactivated count %d, want 100", got)
		}
	})
}

func TestInviteAdminCannotGrantOwner(t *testing.T) {
	app, _, db, orgID := inviteApp(t)
	db.addMember(orgID, "ada@example.com", models.RoleAdmin)
	c := app.newClient()
	c.login("ada@example.com", testPassword)
	p := c.get("/users/invite")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("Admin GET /users/invite: %d", p.StatusCode)
	}
	if _, disabled := p.Doc.Find(`input[name="roles"][value="owner"]`).Attr("disabled"); !disabled {
		t.Error("the Owner role is offered to an Admin")
	}
	for _, roles := range [][]string{{"owner"}, {"owner", "viewer"}} {
		before := app.state(db, orgID)
		p := c.post("/users/invite", url.Values{"emails": {"ann@example.com"}, "roles": roles, "first_name": {"Ann"}})
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("Admin inviting with roles %v: %d, want 403", roles, p.StatusCode)
		}
		if msg := p.rolesError(); !strings.Contains(msg, "Only an Owner can grant the Owner role") {
			t.Errorf("roles %v: message beside Roles %q", roles, msg)
		}
		if v, _ := p.inputValue("first_name"); v != "Ann" {
			t.Errorf("first name kept as %q", v)
		}
		app.assertUnchanged(db, orgID, before, fmt.Sprintf("an Admin inviting with roles %v", roles))
	}
	// An Admin may grant Admin: it holds nothing the Admin lacks.
	if p := c.invite("ann@example.com", models.RoleAdmin); p.StatusCode != http.StatusOK || p.outcomes()["ann@example.com"].Message != "Invitation sent" {
		t.Errorf("Admin inviting an Admin: %d %+v", p.StatusCode, p.outcomes())
	}
}

func TestInviteRefusedToEditorsAndViewers(t *testing.T) {
	app, _, db, orgID := inviteApp(t)
	db.addMembers(orgID,
		member{Email: "ada@example.com", First: "Ada", Last: "Admin", Roles: []models.Role{models.RoleAdmin}},
		member{Email: "zed@example.com", First: "Zed", Last: "Former", Status: models.StatusTerminated, Roles: []models.Role{models.RoleAdmin}},
		member{Email: "eve@example.com", First: "Eve", Last: "Editor", Roles: []models.Role{models.RoleEditor}},
		member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}},
	)
	for _, who := range []string{"eve@example.com", "vic@example.com"} {
		t.Run(who, func(t *testing.T) {
			c := app.newClient()
			c.login(who, testPassword)
			before := app.state(db, orgID)
			for name, p := range map[string]*page{"page": c.get("/users/invite"), "htmx": c.htmx(http.MethodGet, "/users/invite", nil)} {
				if p.StatusCode != http.StatusForbidden {
					t.Errorf("%s: GET /users/invite: %d, want 403", name, p.StatusCode)
				}
				// The dialog only: the page around it names the Editor in the account menu.
				text := strings.Join(strings.Fields(p.Doc.Find("dialog, .dialog-card").Text()), " ")
				for _, want := range []string{"Ask an Owner or Admin", "Olive Owner", "olive@example.com", "Ada Admin", "ada@example.com"} {
					if !strings.Contains(text, want) {
						t.Errorf("%s: the refusal does not say %q: %s", name, want, text)
					}
				}
				if strings.Contains(text, "zed@example.com") || strings.Contains(text, "Eve Editor") {
					t.Errorf("%s: the refusal lists someone who cannot invite: %s", name, text)
				}
				if p.Doc.Find("textarea[name=emails]").Length() != 0 {
					t.Errorf("%s: the invite form is shown", name)
				}
			}
			p := c.post("/users/invite", url.Values{"emails": {"ann@example.com"}, "roles": {"viewer"}})
			if p.StatusCode != http.StatusForbidden {
				t.Errorf("POST /users/invite: %d, want 403", p.StatusCode)
			}
			p = c.htmx(http.MethodPost, "/users/invite", url.Values{"emails": {"ann@example.com"}, "roles": {"viewer"}})
			if p.StatusCode != http.StatusForbidden {
				t.Errorf("htmx POST /users/invite: %d, want 403", p.StatusCode)
			}
			app.assertUnchanged(db, orgID, before, who+" inviting")
		})
	}
}

// Fields that are not on the form cannot be set by adding them to the post.
func TestInviteIgnoresExtraFields(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	other := db.orgNamed("Globex")
	owner, _ := app.Store.FindUserByEmail(context.Background(), "olive@example.com")
	ownerM := app.memberByEmail(db, orgID, "olive@example.com")
	ownerBefore := memberLine(ownerM)
	c.get("/users/invite")
	p := c.post("/users/invite", url.Values{"emails": {"ann@example.com"}, "roles": {"viewer"},
		"id": {strconv.FormatInt(ownerM.ID, 10)}, "org_id": {strconv.FormatInt(other.ID, 10)}, "status": {"active"},
		"user_id": {strconv.FormatInt(owner.ID, 10)}, "invited_by_id": {"999"}, "OrgID": {strconv.FormatInt(other.ID, 10)},
		"Status": {"active"}})
	if p.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d", p.StatusCode)
	}
	m := app.memberByEmail(db, orgID, "ann@example.com")
	if m == nil || m.Status != models.StatusInvited || m.UserID != nil || m.OrgID != orgID || m.ID == ownerM.ID ||
		m.InvitedByID == nil || *m.InvitedByID != owner.ID || !slices.Equal(m.Roles, []models.Role{models.RoleViewer}) {
		t.Fatalf("membership %+v", m)
	}
	if got := memberLine(app.member(orgID, ownerM.ID)); got != ownerBefore {
		t.Errorf("the Owner's membership changed:\n %s\n %s", ownerBefore, got)
	}
	if got := app.counts(other.ID); len(got) != 0 {
		t.Errorf("Globex has memberships: %v", got)
	}
	if got := app.counts(orgID); got[models.StatusActive] != 1 || got[models.StatusInvited] != 1 {
		t.Errorf("counts %v", got)
	}
}

// Links are built from --base-url, never from the request's Host header.
func TestInviteLinkIgnoresHostHeader(t *testing.T) {
	app, c, _, orgID := inviteApp(t)
	mb := app.startMail()
	c.get("/users/invite")
	form := url.Values{"emails": {"ann@example.com"}, "roles": {"viewer"}, "_csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/users/invite", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	// The client's jar keys cookies by the forged host, so the browser's cookie goes in by hand.
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	p := c.do(req)
	if p.StatusCode != http.StatusOK || p.outcomes()["ann@example.com"].Message != "Invitation sent" {
		t.Fatalf("POST with Host evil.example: %d %+v", p.StatusCode, p.outcomes())
	}
	e := mb.waitFor("ann@example.com", 1)
	if link := e.inviteLink(t); !strings.HasPrefix(link, app.Server.URL+"/invite/") {
		t.Errorf("link %q, want it on %s", link, app.Server.URL)
	}
	if strings.Contains(e.Text, "evil.example") || strings.Contains(e.HTML, "evil.example") {
		t.Error("the email names the forged host")
	}
	for _, m := range app.outboxOf(orgID) {
		if strings.Contains(m.TextBody+m.HTMLBody, "evil.example") {
			t.Error("the outbox message names the forged host")
		}
	}
}

// The default daily quota is 100 invitation emails per inviter.
func TestInviteDailyQuota(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	list := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s%03d@example.com\n", prefix, i)
		}
		return b.String()
	}
	c.get("/users/invite")
	if p := c.invite(list("a", 100), models.RoleViewer); p.StatusCode != http.StatusOK {
		t.Fatalf("first 100: %d %q", p.StatusCode, p.textareaError("emails"))
	}
	before := app.state(db, orgID)
	p := c.invite("late@example.com", models.RoleViewer)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("the 101st: %d", p.StatusCode)
	}
	o := p.outcomes()["late@example.com"]
	if !strings.HasPrefix(o.Message, "Not sent") || !strings.Contains(o.Message, "limit") {
		t.Errorf("the 101st says %q", o.Message)
	}
	app.assertUnchanged(db, orgID, before, "an invitation over the quota")

	// Reinvite sends an email too and is refused; Copy invite link sends none and still works.
	first := app.memberByEmail(db, orgID, "a000@example.com")
	p = c.post(fmt.Sprintf("/users/%d/reinvite", first.ID), nil)
	if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".form-error"), "limit") {
		t.Errorf("reinvite over the quota: %d %q", p.StatusCode, p.text(".form-error"))
	}
	app.assertUnchanged(db, orgID, before, "a reinvite over the quota")
	if p := c.post(fmt.Sprintf("/users/%d/invite-link", first.ID), nil); p.StatusCode != http.StatusOK {
		t.Errorf("copy invite link over the quota: %d", p.StatusCode)
	}

	// Another inviter has a quota of their own, but from the same address the per-IP quota
	// (100 a day, across inviters) refuses them too (app tests cover each quota alone).
	db.addMember(orgID, "ada@example.com", models.RoleAdmin)
	ada := app.newClient()
	ada.login("ada@example.com", testPassword)
	ada.get("/users/invite")
	if p := ada.invite("bea@example.com", models.RoleViewer); !strings.Contains(p.outcomes()["bea@example.com"].Message, "each IP address") {
		t.Errorf("another Admin's invitation from the same address: %+v", p.outcomes())
	}

	// A day later the quota is free again.
	app.Clock.Advance(24*time.Hour + time.Second)
	c.login("olive@example.com", testPassword)
	c.get("/users/invite")
	if p := c.invite("late@example.com", models.RoleViewer); p.outcomes()["late@example.com"].Message != "Invitation sent" {
		t.Errorf("a day later: %+v", p.outcomes())
	}
}

// Parallel submissions by one inviter cannot send more than the quota between them.
func TestInviteQuotaRaceSafe(t *testing.T) {
	app, c1, _, orgID := inviteApp(t)
	c2 := app.newClient()
	c2.login("olive@example.com", testPassword)
	c1.get("/users/invite")
	c2.get("/users/invite")
	forms := make([]url.Values, 2)
	for i := range forms {
		var b strings.Builder
		for j := range 60 {
			fmt.Fprintf(&b, "p%d-%02d@example.com\n", i, j)
		}
		forms[i] = url.Values{"emails": {b.String()}, "roles": {"viewer"}}
	}
	clients := []*client{c1, c2}
	pages := make([]*page, 2)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { pages[i] = clients[i].post("/users/invite", forms[i]) })
	}
	wg.Wait()
	sent, refused := 0, 0
	for i, p := range pages {
		if p.StatusCode != http.StatusOK {
			t.Fatalf("submission %d: %d", i, p.StatusCode)
		}
		for _, o := range p.outcomes() {
			switch {
			case o.Message == "Invitation sent":
				sent++
			case strings.HasPrefix(o.Message, "Not sent"):
				refused++
			}
		}
	}
	if sent != 100 || refused != 20 {
		t.Errorf("%d sent and %d refused, want 100 and 20", sent, refused)
	}
	if got := app.counts(orgID)[models.StatusInvited]; got != 100 {
		t.Errorf("Inactivated count %d, want 100", got)
	}
	if got := len(app.outboxOf(orgID)); got != 100 {
		t.Errorf("%d emails in the outbox, want 100", got)
	}
}

func TestInviteHTMX(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	c.get("/users")
	p := c.htmx(http.MethodGet, "/users/invite", nil)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("htmx GET: %d", p.StatusCode)
	}
	assertDialogFragment(t, p, "htmx GET /users/invite")
	if p.Doc.Find("dialog textarea[name=emails]").Length() != 1 || p.Doc.Find("dialog table.matrix").Length() != 1 {
		t.Error("the fragment lacks the form or the matrix")
	}
	if got, _ := p.Doc.Find("dialog form").Attr("hx-post"); got != "/users/invite" {
		t.Errorf("form hx-post %q", got)
	}

	before := app.state(db, orgID)
	p = c.htmx(http.MethodPost, "/users/invite", url.Values{"emails": {"nope"}, "roles": {"editor"}, "department": {"Ops"}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("htmx POST with a bad email: %d", p.StatusCode)
	}
	assertDialogFragment(t, p, "htmx 422")
	if msg := p.textareaError("emails"); !strings.Contains(msg, "nope") {
		t.Errorf("fragment error %q", msg)
	}
	if v, _ := p.inputValue("department"); v != "Ops" {
		t.Errorf("department kept as %q", v)
	}
	app.assertUnchanged(db, orgID, before, "an htmx invite with a bad email")

	p = c.htmx(http.MethodPost, "/users/invite", url.Values{"emails": {"ann@example.com"}, "roles": {"editor"}})
	if p.StatusCode != http.StatusOK {
		t.Fatalf("htmx POST: %d", p.StatusCode)
	}
	assertDialogFragment(t, p, "htmx result")
	if got := p.outcomes()["ann@example.com"].Message; got != "Invitation sent" {
		t.Errorf("result %q", got)
	}
}

// assertDialogFragment checks that p is a lone <dialog>, not a page.
func assertDialogFragment(t *testing.T, p *page, what string) {
	t.Helper()
	body := strings.TrimSpace(p.Body)
	if !strings.HasPrefix(body, "<dialog") || !strings.HasSuffix(body, "</dialog>") {
		t.Errorf("%s: not a <dialog> fragment: %.80q … %.40q", what, body, body[max(0, len(body)-40):])
	}
	for _, whole := range []string{"<html", "<!doctype", "<body", "sidebar"} {
		if strings.Contains(strings.ToLower(body), whole) {
			t.Errorf("%s: the fragment contains %q", what, whole)
		}
	}
}

// A look-alike address (a Cyrillic а among Latin letters) is refused, and the message says why.
func TestInviteMixedScriptEmail(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	c.get("/users/invite")
	before := app.state(db, orgID)
	p := c.post("/users/invite", url.Values{"emails": {"аdmin@example.com"}, "roles": {"viewer"}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST: %d, want 422", p.StatusCode)
	}
	if msg := p.textareaError("emails"); !strings.Contains(msg, "аdmin@example.com") || !strings.Contains(msg, models.MixedScriptEmail) {
		t.Errorf("the Emails error %q does not name the address and say it mixes alphabets", msg)
	}
	app.assertUnchanged(db, orgID, before, "an invite of a look-alike address")
}
