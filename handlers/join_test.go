package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gatehouse/models"
)

// enableJoin turns the public invitation on through Settings and returns the link's path and the join code.
func enableJoin(t *testing.T, c *client) (string, string) {
	t.Helper()
	c.get("/settings")
	p := c.post("/settings/join", url.Values{"action": {"enable"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d %s", p.StatusCode, p.text(".field-error"))
	}
	return joinLinkOnSettings(t, c)
}

func joinLinkOnSettings(t *testing.T, c *client) (string, string) {
	t.Helper()
	p := c.get("/settings")
	link, _ := p.Doc.Find("#join-link").Attr("value")
	i := strings.Index(link, "/join/")
	code := p.text(".join-code")
	if i < 0 || len(code) != 9 {
		t.Fatalf("settings show link %q, code %q", link, code)
	}
	return link[i:], code
}

func joinSignup(extra url.Values) url.Values {
	v := url.Values{"email": {"newbie@example.com"}, "first_name": {"New"}, "last_name": {"Bie"},
		"password": {signupPassword}, "confirm_password": {signupPassword}}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

func TestSettingsPublicInvitation(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	p := c.get("/settings")
	body := p.Doc.Text()
	for _, want := range []string{"Who may invite", "Enrollment approval", "Required at signup", "Public invitation", "Enable"} {
		if !strings.Contains(body, want) {
			t.Errorf("Settings do not say %q", want)
		}
	}
	if p.Doc.Find("#join-link").Length() != 0 {
		t.Error("a link is shown while the public invitation is off")
	}
	if p := c.get("/settings/join/qr.png"); p.StatusCode != http.StatusNotFound {
		t.Errorf("QR code while off: %d, want 404", p.StatusCode)
	}
	// Bad limits are refused beside their fields, as typed.
	p = c.post("/settings/join", url.Values{"action": {"enable"}, "join_max_uses": {"0"}, "join_domains": {"example.com, nope"}})
	if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-join_max_uses-error") == "" || p.text("#f-join_domains-error") == "" {
		t.Errorf("bad limits: %d %q %q", p.StatusCode, p.text("#f-join_max_uses-error"), p.text("#f-join_domains-error"))
	}
	if v, _ := p.Doc.Find("#f-join_domains").Attr("value"); v != "example.com, nope" {
		t.Errorf("domains typed were not kept: %q", v)
	}
	path, code := enableJoin(t, c)
	p = c.get("/settings")
	if !strings.Contains(p.Doc.Text(), "Join code") || !strings.Contains(p.Doc.Text(), "Download QR code") ||
		p.Doc.Find(`button[value=regenerate]`).Text() != "Regenerate" || p.Doc.Find(`button[value=disable]`).Text() != "Disable" {
		t.Errorf("enabled card: %s", p.text("#join-heading"))
	}
	png := c.get("/settings/join/qr.png")
	if png.StatusCode != http.StatusOK || png.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix([]byte(png.Body), []byte("\x89PNG")) {
		t.Errorf("PNG: %d %s", png.StatusCode, png.Header.Get("Content-Type"))
	}
	svg := c.get("/settings/join/qr.svg")
	if svg.StatusCode != http.StatusOK || !strings.HasPrefix(svg.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(svg.Body, "<svg") {
		t.Errorf("SVG: %d %s", svg.StatusCode, svg.Header.Get("Content-Type"))
	}
	// Regenerate: the old link and code stop at once.
	c.post("/settings/join", url.Values{"action": {"regenerate"}})
	newPath, newCode := joinLinkOnSettings(t, c)
	if newPath == path || newCode == code {
		t.Fatal("regenerate kept the link or code")
	}
	v := app.newClient()
	if p := v.get(path); p.StatusCode != http.StatusNotFound {
		t.Errorf("old link: %d, want 404", p.StatusCode)
	}
	v.get("/join")
	if p := v.post("/join", url.Values{"code": {code}}); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text("#f-code-error"), "doesn't work") {
		t.Errorf("old code: %d %q", p.StatusCode, p.text("#f-code-error"))
	}
	if p := v.get(newPath); p.StatusCode != http.StatusOK || p.text("h1") != "Join Acme" {
		t.Errorf("new link: %d %q", p.StatusCode, p.text("h1"))
	}
	// Disable: closed.
	c.post("/settings/join", url.Values{"action": {"disable"}})
	if p := v.get(newPath); p.StatusCode != http.StatusGone {
		t.Errorf("disabled link: %d, want 410", p.StatusCode)
	}
	// Editors and Viewers reach none of it.
	db.addMembers(orgID, member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}})
	vc := app.newClient()
	vc.login("vic@example.com", testPassword)
	for _, path := range []string{"/settings/join/qr.png", "/settings"} {
		if p := vc.get(path); p.StatusCode != http.StatusForbidden {
			t.Errorf("Viewer GET %s: %d", path, p.StatusCode)
		}
	}
	if p := vc.post("/settings/join", url.Values{"action": {"enable"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("Viewer enables: %d", p.StatusCode)
	}
}

func TestJoinPaths(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	path, code := enableJoin(t, c)

	t.Run("link", func(t *testing.T) {
		v := app.newClient()
		p := v.get(path)
		assertNoReferrer(t, p, "join page")
		if p.StatusCode != http.StatusOK || p.Doc.Find("form[action='/join/signup'] input[name=email]").Length() != 1 {
			t.Fatalf("join page: %d", p.StatusCode)
		}
		bad := v.post("/join/signup", joinSignup(url.Values{"link": {strings.TrimPrefix(path, "/join/")}, "email": {"nope"}, "confirm_password": {"other"}}))
		if bad.StatusCode != http.StatusUnprocessableEntity || bad.text("#f-email-error") == "" {
			t.Errorf("bad signup: %d %q", bad.StatusCode, bad.text("#f-email-error"))
		}
		if v, _ := bad.Doc.Find("#f-first_name").Attr("value"); v != "New" {
			t.Errorf("the form lost the first name: %q", v)
		}
		p = v.post("/join/signup", joinSignup(url.Values{"link": {strings.TrimPrefix(path, "/join/")}}))
		if p.StatusCode != http.StatusOK || p.text("h1") != "Waiting for approval" {
			t.Fatalf("signup through the link: %d %q %s", p.StatusCode, p.text("h1"), p.text(".form-error"))
		}
		if m := app.memberByEmail(db, orgID, "newbie@example.com"); m.Status != models.StatusPending || m.JoinedVia != models.ViaLink {
			t.Errorf("member = %+v", m)
		}
		// Logging in before the approval shows no data, and says what the person waits for.
		v.login("newbie@example.com", signupPassword)
		if p := v.get("/users"); p.StatusCode != http.StatusSeeOther || p.location() != "/organizations/none" {
			t.Fatalf("a pending person opens Users: %d %q", p.StatusCode, p.location())
		}
		p = v.get("/organizations/none")
		if got := p.text("#no-org-waiting + p + ul"); got != "Acme" {
			t.Errorf("the no-organization page lists %q as waiting for approval, want Acme", got)
		}
	})

	t.Run("code typed loosely, existing account", func(t *testing.T) {
		db.addMembers(orgID, member{Email: "gone@example.com", First: "Gone", Last: "Member", Status: models.StatusTerminated})
		// An account with no membership in Acme: make it through the link, then reject nothing.
		v := app.newClient()
		p := v.get("/join")
		if p.Doc.Find("input[name=code]").Length() != 1 || p.Doc.Find("button").Text() != "Join" || p.labelled("Join code").Length() != 1 {
			t.Fatal("the /join page has no Join code field and Join button")
		}
		typed := strings.ToLower(code[:2]) + " " + strings.ToLower(code[2:])
		p = v.post("/join", url.Values{"code": {typed}})
		if p.StatusCode != http.StatusOK || p.text("h1") != "Join Acme" {
			t.Fatalf("code %q: %d %q", typed, p.StatusCode, p.text("#f-code-error"))
		}
		hidden, _ := p.Doc.Find("form[action='/join/login'] input[name=code]").Attr("value")
		p = v.post("/join/login", url.Values{"code": {hidden}, "login_email": {"newbie@example.com"}, "login_password": {"wrong wrong wrong"}})
		if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".form-error"), "incorrect") {
			t.Errorf("wrong password: %d %q", p.StatusCode, p.text(".form-error"))
		}
		// Newbie is already pending: asking again shows the same waiting page, and adds nothing.
		p = v.post("/join/login", url.Values{"code": {hidden}, "login_email": {"newbie@example.com"}, "login_password": {signupPassword}})
		if p.StatusCode != http.StatusOK || p.text("h1") != "Waiting for approval" {
			t.Errorf("pending account asks again: %d %q", p.StatusCode, p.text("h1"))
		}
	})

	t.Run("pending queue: approve with roles, reject with reason, re-approve", func(t *testing.T) {
		m := app.memberByEmail(db, orgID, "newbie@example.com")
		p := c.get("/users?tab=pending")
		if !strings.Contains(p.Doc.Text(), "newbie@example.com") || !strings.Contains(p.Doc.Text(), "Public link") {
			t.Errorf("the Pending tab does not show the request and how it came: %s", p.text("main"))
		}
		id := strconv.FormatInt(m.ID, 10)
		p = c.get("/users/" + id + "/reject")
		if p.labelled("Reason (optional)").Length() != 1 {
			t.Fatal("the Reject dialog has no reason field")
		}
		p = c.post("/users/"+id+"/reject", url.Values{"reason": {"Staff only."}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d", p.StatusCode)
		}
		if m := app.memberByEmail(db, orgID, "newbie@example.com"); m.Status != models.StatusRejected || m.RejectReason != "Staff only." {
			t.Errorf("after reject: %+v", m)
		}
		p = c.get("/users?tab=pending&filter=rejected")
		if !strings.Contains(p.Doc.Text(), "newbie@example.com") {
			t.Error("the Rejected filter does not list the request")
		}
		p = c.get("/users/" + id + "/reapprove")
		if got := p.checkedRoles(); len(got) != 1 || got[0] != "viewer" {
			t.Errorf("Re-approve dialog roles = %v, want Viewer", got)
		}
		p = c.post("/users/"+id+"/reapprove", url.Values{"roles": {"owner"}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("re-approve as Owner by the Owner: %d", p.StatusCode)
		}
		if m := app.memberByEmail(db, orgID, "newbie@example.com"); m.Status != models.StatusActive || len(m.Roles) != 1 || m.Roles[0] != models.RoleOwner {
			t.Errorf("after re-approve: %+v", m)
		}
		var subjects []string
		for _, msg := range app.outboxOf(orgID) {
			if msg.Recipient == "newbie@example.com" {
				subjects = append(subjects, msg.Subject)
			}
		}
		if len(subjects) != 2 {
			t.Errorf("emails to the person: %q, want the rejection and the approval", subjects)
		}
	})
}

func TestJoinCodeBruteForce(t *testing.T) {
	app, c, _, _ := ownerWithDB(t)
	_, code := enableJoin(t, c)
	v := app.newClient()
	v.get("/join")
	var last *page
	for i := range 12 {
		last = v.post("/join", url.Values{"code": {"WRONG" + strconv.Itoa(100+i)}})
		if last.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.text("#f-code-error"), "Too many attempts") {
		t.Fatalf("after many wrong codes: %d %q", last.StatusCode, last.text("#f-code-error"))
	}
	if p := v.post("/join", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right code while held back: %d", p.StatusCode)
	}
}

func TestRequiredAtSignupAndApproval(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	c.get("/settings")
	p := c.post("/settings/rules", url.Values{"who_may_invite": {"all"}, "enrollment_approval": {"on"}, "required_at_signup": {"phone", "job_id"}, "country": {"zz"}})
	if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-country-error") == "" {
		t.Fatalf("bad country: %d", p.StatusCode)
	}
	p = c.post("/settings/rules", url.Values{"who_may_invite": {"all"}, "enrollment_approval": {"on"}, "required_at_signup": {"phone", "job_id"}, "country": {"us"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save rules: %d %s", p.StatusCode, p.text(".field-error"))
	}
	// A Viewer may now invite (Viewer only); their invitee waits in Pending.
	db.addMembers(orgID, member{Email: "vic@example.com", First: "Vic", Last: "Viewer", Roles: []models.Role{models.RoleViewer}})
	vc := app.newClient()
	vc.login("vic@example.com", testPassword)
	vc.get("/users/invite")
	p = vc.post("/users/invite", url.Values{"emails": {"pal@example.com"}, "roles": {"viewer"}})
	if p.StatusCode != http.StatusOK || p.outcomes()["pal@example.com"].Message != "Invitation sent" {
		t.Fatalf("Viewer invites: %d %+v", p.StatusCode, p.outcomes())
	}
	link := app.outboxLinkFor(orgID, "pal@example.com")
	v := app.newClient()
	p = v.get(link)
	if p.labelled("Phone number").Length() != 1 || p.labelled("Job ID").Length() != 1 || p.labelled("Department").Length() != 0 {
		t.Fatal("the signup page does not ask for exactly the required fields")
	}
	p = v.post(link, validSignup())
	if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-phone-error") == "" || p.text("#f-job_id-error") == "" {
		t.Fatalf("signup without them: %d", p.StatusCode)
	}
	form := validSignup()
	form.Set("phone", "201-555-0123")
	form.Set("job_id", "J-7")
	p = v.post(link, form)
	if p.StatusCode != http.StatusOK || p.text("h1") != "Waiting for approval" {
		t.Fatalf("signup: %d %q", p.StatusCode, p.text("h1"))
	}
	m := app.memberByEmail(db, orgID, "pal@example.com")
	if m.Status != models.StatusPending || m.JobID != "J-7" {
		t.Errorf("member = %+v", m)
	}
	if u, err := app.Store.FindUserByEmail(t.Context(), "pal@example.com"); err != nil || u.Phone != "+12015550123" {
		t.Errorf("account phone = %+v, %v", u, err)
	}
	// The Pending tab says who invited them.
	row := c.get("/users?tab=pending").Doc.Find("#" + "member-" + strconv.FormatInt(m.ID, 10))
	if got := strings.Join(strings.Fields(row.Find(".pending-request").Text()), " "); !strings.Contains(got, "Invited by Vic Viewer") {
		t.Errorf("the Pending row says %q, want who invited them", got)
	}
}
