package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/models"
)

// TestPhoneInvitation: an Owner invites two phone numbers (E.164 and national in the
// organization's country); the texts come through the real SMS webhook on loopback; the
// person opens the link from the message, gives an email and signs up; the phone becomes the
// account's. Duplicates are refused like emails.
func TestPhoneInvitation(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	mb := app.startMail()
	c.get("/users/invite")
	bad := c.post("/users/invite", url.Values{"phones": {"+1 201 555 0199\nnot a phone"}, "roles": {"viewer"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.text("#f-phones-error"), "not a phone") {
		t.Fatalf("a bad phone: %d %q", bad.StatusCode, bad.text("#f-phones-error"))
	}
	if got := bad.Doc.Find("#f-phones").Text(); got != "+1 201 555 0199\nnot a phone" {
		t.Errorf("the phones typed were not kept: %q", got)
	}
	p := c.post("/users/invite", url.Values{"phones": {"(201) 555-0199\n+44 7911 123456"}, "roles": {"editor"}})
	out := p.outcomes()
	if p.StatusCode != http.StatusOK || out["+12015550199"].Message != "Invitation sent" || out["+447911123456"].Message != "Invitation sent" {
		t.Fatalf("invite phones: %d %+v", p.StatusCode, out)
	}
	body := mb.waitSMS("+12015550199", 1)
	link := inviteLinkRe.FindString(body)
	if link == "" || !strings.Contains(body, "Acme") {
		t.Fatalf("text message %q has no link", body)
	}
	if n := len(app.outboxOf(orgID)); n != 2 {
		t.Errorf("outbox has %d messages, want 2 texts", n)
	}
	// Same number again: already invited, nothing sent.
	p = c.post("/users/invite", url.Values{"phones": {"+1 (201) 555-0199"}, "roles": {"viewer"}})
	if got := p.outcomes()["+12015550199"].Message; got != "Already invited" {
		t.Errorf("the same phone again: %q", got)
	}

	// The person signs up from the link, giving their email.
	v := app.newClient()
	path := app.pathOf(link)
	sp := v.get(path)
	email := sp.labelled("Email")
	if _, ro := email.Attr("readonly"); ro || sp.StatusCode != http.StatusOK {
		t.Fatalf("the signup page does not ask for the email: %d", sp.StatusCode)
	}
	sp = v.post(path, validSignup())
	if sp.StatusCode != http.StatusUnprocessableEntity || sp.text("#f-email-error") == "" {
		t.Fatalf("signup without an email: %d", sp.StatusCode)
	}
	form := validSignup()
	form.Set("email", "olive@example.com") // the Owner's: taken here
	if sp = v.post(path, form); sp.StatusCode != http.StatusUnprocessableEntity || sp.text("#f-email-error") == "" {
		t.Errorf("signup with a taken email: %d %q", sp.StatusCode, sp.text("#f-email-error"))
	}
	form.Set("email", "Phoebe@Example.com")
	if sp = v.post(path, form); sp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signup: %d %q", sp.StatusCode, sp.text(".field-error"))
	}
	m := app.memberByEmail(db, orgID, "phoebe@example.com")
	if m.Status != models.StatusActive || m.Phone != "+12015550199" || len(m.Roles) != 1 || m.Roles[0] != models.RoleEditor {
		t.Errorf("member = %+v", m)
	}
	u, err := app.Store.FindUserByEmail(t.Context(), "phoebe@example.com")
	if err != nil || u.Phone != "+12015550199" {
		t.Errorf("account = %+v, %v", u, err)
	}
	if again := v.get(path); again.StatusCode != http.StatusGone {
		t.Errorf("the link again: %d, want 410", again.StatusCode)
	}
}

// Without a text message provider the result says so instead of "Invitation sent".
func TestPhoneInvitationWithoutProvider(t *testing.T) {
	app := newTestAppSMS(t, false)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/users/invite")
	p := c.post("/users/invite", url.Values{"phones": {"+12015550100"}, "emails": {"ann@example.com"}, "roles": {"viewer"}})
	out := p.outcomes()
	if got := out["+12015550100"].Message; !strings.Contains(got, "no text message provider") {
		t.Errorf("phone without a provider: %q", got)
	}
	if out["ann@example.com"].Message != "Invitation sent" {
		t.Errorf("email beside it: %+v", out["ann@example.com"])
	}
}
