package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gatehouse/models"
)

// pokeCounter stands in for the mail worker and counts the handlers' pokes.
type pokeCounter struct{ n atomic.Int32 }

func (p *pokeCounter) Poke() { p.n.Add(1) }

const outboxLink = "http://gatehouse.test/invite/c2luZ2xlLXVzZS10b2tlbi1mb3ItYW5u"

// enqueue writes an email for orgID to the outbox, as the invite handler does.
func (a *testApp) enqueue(orgID int64, to string) models.OutboxMessage {
	a.t.Helper()
	msg := models.OutboxMessage{OrgID: &orgID, Channel: models.ChannelEmail, Recipient: to,
		Subject: "Olive Owner invited you to Acme on Gatehouse", TextBody: "Hello,\n\nOpen this link:\n\n" + outboxLink + "\n", HTMLBody: "<p>html</p>"}
	if err := a.Store.Enqueue(context.Background(), &msg); err != nil {
		a.t.Fatal(err)
	}
	return msg
}

// failMessage makes the sender give up on a message, as after every attempt failed.
func (a *testApp) failMessage(id int64) {
	a.t.Helper()
	for range models.OutboxMaxAttempts {
		if err := a.Store.MarkMessageRetry(context.Background(), id, "dial tcp 10.0.0.1:587: connection refused"); err != nil {
			a.t.Fatal(err)
		}
	}
}

func (a *testApp) outboxMessage(orgID, id int64) *models.OutboxMessage {
	a.t.Helper()
	m, err := a.Store.FindOutboxMessage(context.Background(), orgID, id)
	if err != nil {
		a.t.Fatal(err)
	}
	return m
}

// outboxRow returns the Outbox table row whose subject links to message id.
func (p *page) outboxRow(id int64) *goquery.Selection {
	return p.Doc.Find(fmt.Sprintf(`#outbox-results tbody tr:has(a[href="/outbox/%d"])`, id))
}

func TestOutboxPage(t *testing.T) {
	app, c, _, orgID := ownerWithDB(t)
	held := app.enqueue(orgID, "ann@example.com")
	if err := app.Store.MarkMessageHeld(context.Background(), held.ID); err != nil {
		t.Fatal(err)
	}
	failed := app.enqueue(orgID, "bob@example.com")
	app.failMessage(failed.ID)
	sent := app.enqueue(orgID, "cat@example.com")
	if err := app.Store.MarkMessageSent(context.Background(), sent.ID); err != nil {
		t.Fatal(err)
	}

	p := c.get("/outbox")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /outbox: %d", p.StatusCode)
	}
	if got := p.text("h1"); got != "Outbox" {
		t.Errorf("heading %q", got)
	}
	if nav := p.Doc.Find(`.nav a[href="/outbox"]`); nav.Length() != 1 || strings.TrimSpace(nav.Text()) != "Outbox" || nav.AttrOr("aria-current", "") != "page" {
		t.Errorf("the navigation has no current Outbox link")
	}
	if note := p.text(".outbox-note"); !strings.Contains(note, "No mail server is configured") || !strings.Contains(note, "--smtp-url") {
		t.Errorf("no explanation of held email without --smtp-url: %q", note)
	}
	for _, tc := range []struct {
		msg            models.OutboxMessage
		badge          string
		attempts       string
		errText, retry string
	}{
		{held, "Held", "0", "", ""}, // no mail server: nothing to retry with
		{failed, "Failed", fmt.Sprint(models.OutboxMaxAttempts), "connection refused", "Retry now"},
		{sent, "Sent", "1", "", ""},
	} {
		row := p.outboxRow(tc.msg.ID)
		if row.Length() != 1 {
			t.Errorf("no row for the message to %s", tc.msg.Recipient)
			continue
		}
		cells := row.Find("td")
		if got := strings.TrimSpace(cells.Eq(0).Text()); got != tc.msg.Recipient {
			t.Errorf("recipient %q, want %q", got, tc.msg.Recipient)
		}
		if got := strings.TrimSpace(cells.Eq(1).Text()); got != tc.msg.Subject {
			t.Errorf("subject %q", got)
		}
		if got := strings.TrimSpace(cells.Eq(2).Text()); got != "Email" {
			t.Errorf("channel %q", got)
		}
		if got := strings.TrimSpace(row.Find(".badge").Text()); got != tc.badge {
			t.Errorf("%s: badge %q, want %q", tc.msg.Recipient, got, tc.badge)
		}
		if got := strings.TrimSpace(cells.Eq(4).Text()); got != tc.attempts {
			t.Errorf("%s: attempts %q, want %s", tc.msg.Recipient, got, tc.attempts)
		}
		if got := strings.TrimSpace(cells.Eq(5).Text()); (tc.errText == "" && got != "") || !strings.Contains(got, tc.errText) {
			t.Errorf("%s: last error %q, want %q", tc.msg.Recipient, got, tc.errText)
		}
		if got := strings.TrimSpace(cells.Eq(6).Text()); got != "just now" {
			t.Errorf("%s: created %q", tc.msg.Recipient, got)
		}
		btn := row.Find(`form[method="post"] button`)
		if got := strings.TrimSpace(btn.Text()); got != tc.retry {
			t.Errorf("%s: button %q, want %q", tc.msg.Recipient, got, tc.retry)
		}
		if tc.retry != "" && row.Find(`form input[name="_csrf"]`).AttrOr("value", "") == "" {
			t.Errorf("%s: the retry form has no CSRF token", tc.msg.Recipient)
		}
	}
	if strings.Contains(p.Body, outboxLink) {
		t.Error("the list shows message bodies; they belong on the message's own page")
	}

	t.Run("message page shows the plain-text body", func(t *testing.T) {
		p := c.get(fmt.Sprintf("/outbox/%d", held.ID))
		if p.StatusCode != http.StatusOK {
			t.Fatalf("GET message: %d", p.StatusCode)
		}
		if got := p.text("h1"); got != held.Subject {
			t.Errorf("heading %q", got)
		}
		if body := p.Doc.Find("pre").Text(); body != held.TextBody {
			t.Errorf("pre holds %q, want the text body %q", body, held.TextBody)
		}
		if got := p.text(".badge"); got != "Held" {
			t.Errorf("badge %q", got)
		}
	})

	t.Run("status filter", func(t *testing.T) {
		p := c.get("/outbox?status=failed")
		if n := p.Doc.Find("#outbox-results tbody tr").Length(); n != 1 || p.outboxRow(failed.ID).Length() != 1 {
			t.Errorf("status=failed lists %d rows, want only the failed one", n)
		}
		if got := p.Doc.Find(`select[name="status"] option[selected]`).AttrOr("value", "?"); got != "failed" {
			t.Errorf("selected status %q", got)
		}
		if p := c.get("/outbox?status=bogus"); p.StatusCode != http.StatusOK || p.Doc.Find("#outbox-results tbody tr").Length() != 3 {
			t.Errorf("an unknown status: %d, %d rows; want every message", p.StatusCode, p.Doc.Find("#outbox-results tbody tr").Length())
		}
	})
}

func TestOutboxPages(t *testing.T) {
	app, c, _, orgID := ownerWithDB(t)
	var ids []int64
	for i := range 53 {
		ids = append(ids, app.enqueue(orgID, fmt.Sprintf("p%02d@example.com", i)).ID)
	}
	p := c.get("/outbox")
	rows := p.Doc.Find("#outbox-results tbody tr")
	if rows.Length() != 50 || p.outboxRow(ids[52]).Length() != 1 || p.outboxRow(ids[3]).Length() != 1 || p.outboxRow(ids[2]).Length() != 0 {
		t.Fatalf("first page: %d rows, want the newest 50", rows.Length())
	}
	older := p.href(`.pager a[rel="next"]`)
	if older == "" || p.Doc.Find(".pager").Text() == "" || strings.Contains(p.Doc.Find(".pager").Text(), "Newest") {
		t.Fatalf("first page pager: %q", p.Doc.Find(".pager").Text())
	}
	p = c.get(older)
	if n := p.Doc.Find("#outbox-results tbody tr").Length(); n != 3 || p.outboxRow(ids[0]).Length() != 1 {
		t.Errorf("second page: %d rows, want the oldest 3", n)
	}
	if p.href(`.pager a[rel="next"]`) != "" || p.href(".pager a") != "/outbox" {
		t.Errorf("last page pager: %q", p.Doc.Find(".pager").Text())
	}
}

func TestOutboxOwnersOnly(t *testing.T) {
	for _, role := range []models.Role{models.RoleAdmin, models.RoleViewer} {
		t.Run(string(role), func(t *testing.T) {
			app, _, db, orgID := ownerWithDB(t)
			email := string(role) + "@example.com"
			db.addMember(orgID, email, role)
			msg := app.enqueue(orgID, "ann@example.com")
			app.failMessage(msg.ID)

			c := app.newClient()
			c.login(email, testPassword)
			home := c.get("/")
			if home.Doc.Find(`a[href="/outbox"]`).Length() != 0 {
				t.Errorf("%s sees a link to the Outbox", role)
			}
			for _, path := range []string{"/outbox", fmt.Sprintf("/outbox/%d", msg.ID)} {
				if p := c.get(path); p.StatusCode != http.StatusForbidden {
					t.Errorf("GET %s as %s: %d, want 403", path, role, p.StatusCode)
				} else if strings.Contains(p.Body, outboxLink) {
					t.Errorf("GET %s as %s shows the message body", path, role)
				}
			}
			if p := c.post(fmt.Sprintf("/outbox/%d/retry", msg.ID), nil); p.StatusCode != http.StatusForbidden {
				t.Errorf("POST retry as %s: %d, want 403", role, p.StatusCode)
			}
			if m := app.outboxMessage(orgID, msg.ID); m.Status != models.OutboxFailed {
				t.Errorf("after a refused retry the message is %q", m.Status)
			}
		})
	}
}

func TestOutboxOtherOrganization(t *testing.T) {
	app, c, db, orgID := ownerWithDB(t)
	globex := models.Organization{Name: "Globex", InviteLifetimeHours: 72}
	if err := db.db.Create(&globex).Error; err != nil {
		t.Fatal(err)
	}
	theirs := app.enqueue(globex.ID, "secret@globex.example")
	app.failMessage(theirs.ID)
	app.enqueue(orgID, "ann@example.com")

	for _, path := range []string{fmt.Sprintf("/outbox/%d", theirs.ID), "/outbox/999999", "/outbox/abc"} {
		if p := c.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := c.post(fmt.Sprintf("/outbox/%d/retry", theirs.ID), nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("POST retry of Globex's message: %d, want 404", p.StatusCode)
	}
	if m := app.outboxMessage(globex.ID, theirs.ID); m.Status != models.OutboxFailed {
		t.Errorf("Globex's message became %q", m.Status)
	}
	if p := c.get("/outbox"); strings.Contains(p.Body, "secret@globex.example") {
		t.Error("Acme's Outbox lists Globex's message")
	}
}

func TestOutboxRetryNow(t *testing.T) {
	app, c, _, orgID := ownerWithDB(t)
	pokes := &pokeCounter{}
	app.outbox.mu.Lock()
	app.outbox.target = pokes
	app.outbox.mu.Unlock()
	msg := app.enqueue(orgID, "ann@example.com")
	app.failMessage(msg.ID)
	app.Clock.Advance(10 * time.Minute)

	c.get("/outbox")
	p := c.post(fmt.Sprintf("/outbox/%d/retry", msg.ID), url.Values{"from": {"message"}})
	if p.StatusCode != http.StatusSeeOther || p.location() != fmt.Sprintf("/outbox/%d", msg.ID) {
		t.Fatalf("POST retry: %d to %q, want 303 back to the message; page: %s", p.StatusCode, p.location(), p.text("main"))
	}
	m := app.outboxMessage(orgID, msg.ID)
	if m.Status != models.OutboxPending || !m.NextAttemptAt.Equal(app.Clock.Now()) || m.Attempts != models.OutboxMaxAttempts {
		t.Errorf("after Retry now: status %q next %v attempts %d; want pending, now, attempts kept", m.Status, m.NextAttemptAt, m.Attempts)
	}
	if pokes.n.Load() != 1 {
		t.Errorf("the worker was poked %d times, want 1", pokes.n.Load())
	}
	page := c.get(p.location())
	if got := page.text(".flash"); !strings.Contains(got, "ann@example.com") {
		t.Errorf("flash %q", got)
	}
	if got := page.text(".badge"); got != "Pending" {
		t.Errorf("badge after retry %q, want Pending", got)
	}

	t.Run("refused for a sent message", func(t *testing.T) {
		if err := app.Store.MarkMessageSent(context.Background(), msg.ID); err != nil {
			t.Fatal(err)
		}
		p := c.post(fmt.Sprintf("/outbox/%d/retry", msg.ID), nil)
		if p.StatusCode != http.StatusConflict {
			t.Fatalf("POST retry of a sent message: %d, want 409", p.StatusCode)
		}
		if got := p.text("h1"); got != "Already sent" {
			t.Errorf("409 page heading %q", got)
		}
		if m := app.outboxMessage(orgID, msg.ID); m.Status != models.OutboxSent {
			t.Errorf("sent message became %q", m.Status)
		}
		if pokes.n.Load() != 1 {
			t.Errorf("a refused retry poked the worker")
		}
	})

	t.Run("needs the CSRF token", func(t *testing.T) {
		other := app.enqueue(orgID, "bob@example.com")
		app.failMessage(other.ID)
		p := c.post(fmt.Sprintf("/outbox/%d/retry", other.ID), url.Values{"_csrf": {"forged"}})
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("POST retry with a wrong token: %d, want 403", p.StatusCode)
		}
		if m := app.outboxMessage(orgID, other.ID); m.Status != models.OutboxFailed {
			t.Errorf("message became %q", m.Status)
		}
	})
}
