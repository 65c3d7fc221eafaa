package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gatehouse/models"
)

// Issue 8, finding 12: with no SMS provider an Owner could read members' live SMS codes on the
// Outbox page. Without one, SMS is not offered (the authenticator app is), its setup routes
// refuse, and no page shows a code.
func TestNoSMSProviderOffersNoSMS(t *testing.T) {
	app := newTestAppSMS(t, false)
	owner := app.createOwner("olive@example.com")
	app.setMFAPolicy(owner, models.MFARequired)
	c := app.newClient()
	c.login("olive@example.com", testPassword)

	p := c.get("/mfa/setup")
	if p.StatusCode != http.StatusOK || p.Doc.Find(`a[href="/mfa/setup/app"]`).Length() != 1 {
		t.Fatalf("GET /mfa/setup: %d, authenticator choice %d", p.StatusCode, p.Doc.Find(`a[href="/mfa/setup/app"]`).Length())
	}
	if n := p.Doc.Find(`a[href="/mfa/setup/sms"]`).Length(); n != 0 || strings.Contains(p.Body, "Text message (SMS)") {
		t.Error("SMS is offered without an SMS provider")
	}
	if r := c.get("/mfa/setup/sms"); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /mfa/setup/sms: %d, want 404", r.StatusCode)
	}
	if r := c.post("/mfa/setup/sms", url.Values{"phone": {"+44 7911 123456"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("POST /mfa/setup/sms: %d, want 404", r.StatusCode)
	}
	for _, path := range []string{"/mfa/setup/sms/resend", "/mfa/setup/sms/verify"} {
		if r := c.post(path, url.Values{"code": {"123456"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, r.StatusCode)
		}
	}
	if n := len(app.outboxOf(owner.Org.ID)); n != 0 {
		t.Errorf("%d messages queued", n)
	}
}

// No page shows a text message's code: the Outbox page masks it.
func TestOutboxMasksSMSCodes(t *testing.T) {
	app := newTestAppSMS(t, false)
	owner := app.createOwner("olive@example.com")
	msg := models.OutboxMessage{Channel: models.ChannelSMS, Recipient: "+447911123456", OrgID: &owner.Org.ID,
		Subject: "Verification code", TextBody: "482913 is your Gatehouse verification code. It expires in 10 minutes. Don't share it."}
	if err := app.Store.Enqueue(context.Background(), &msg); err != nil {
		t.Fatal(err)
	}
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	for _, path := range []string{"/outbox", "/outbox/" + strconv.FormatInt(msg.ID, 10)} {
		p := c.get(path)
		if p.StatusCode != http.StatusOK || strings.Contains(p.Body, "482913") {
			t.Errorf("GET %s: %d, shows the code: %v", path, p.StatusCode, strings.Contains(p.Body, "482913"))
		}
	}
	if body := c.get("/outbox/" + strconv.FormatInt(msg.ID, 10)).text("pre"); !strings.Contains(body, "is your Gatehouse verification code") {
		t.Errorf("the message's text is hidden altogether: %q", body)
	}
}

// Issue 8, finding 3: a member could make Gatehouse text any number of phone numbers while
// enrolling. Past the cap on distinct numbers, the message sits beside the phone field.
func TestSMSEnrollmentCapMessage(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/mfa/setup/sms")
	for i := range models.SMSCapMemberNumbers {
		r := c.post("/mfa/setup/sms", url.Values{"phone": {"+44 7911 12345" + strconv.Itoa(i)}})
		wantRedirect(t, r, http.StatusSeeOther, "/mfa/setup/sms?sent=1", "number "+strconv.Itoa(i+1))
	}
	r := c.post("/mfa/setup/sms", url.Values{"phone": {"+44 7911 123459"}})
	msg, described := r.fieldError("phone")
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(msg, "too many phone numbers") || !described {
		t.Errorf("a number past the cap: %d, phone field message %q (described %v)", r.StatusCode, msg, described)
	}
	if n := len(app.outboxOf(owner.Org.ID)); n != models.SMSCapMemberNumbers {
		t.Errorf("%d texts queued, want %d", n, models.SMSCapMemberNumbers)
	}
}
