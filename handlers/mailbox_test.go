package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"gatehouse/delivery"
	"gatehouse/models"
)

// mailbox is a real SMTP server on loopback that keeps every message it receives, and a
// real SMS webhook receiver that keeps every text message.
type mailbox struct {
	t    testing.TB
	Addr string
	mu   sync.Mutex
	msgs []email
	sms  []textMessage
}

// textMessage is one SMS the webhook received.
type textMessage struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// email is one received message, parsed.
type email struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// startMail runs a real SMTP server and a mail worker delivering the app's outbox to it.
// The worker runs in the background, woken by the handlers after each enqueue.
func (a *testApp) startMail() *mailbox {
	a.t.Helper()
	mb := &mailbox{t: a.t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.t.Fatal(err)
	}
	mb.Addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{mb: mb}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	a.t.Cleanup(func() { srv.Close() })

	sender, err := delivery.NewSMTP("smtp://"+mb.Addr+"?tls=none", "Gatehouse <no-reply@gatehouse.test>")
	if err != nil {
		a.t.Fatal(err)
	}
	// Text messages go out through the same worker to a webhook, as with --sms-webhook-url.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m textMessage
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil {
			mb.t.Errorf("sms webhook: unreadable %s request", r.Method)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mb.mu.Lock()
		mb.sms = append(mb.sms, m)
		mb.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	a.t.Cleanup(hook.Close)
	texter, err := delivery.NewWebhook(hook.URL+"/sms", nil)
	if err != nil {
		a.t.Fatal(err)
	}
	w := delivery.NewWorker(a.Store, map[models.Channel]delivery.Sender{models.ChannelEmail: sender, models.ChannelSMS: texter}, a.Clock.Now,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	a.t.Cleanup(func() { cancel(); <-done })
	a.outbox.mu.Lock()
	a.outbox.target = w
	a.outbox.mu.Unlock()
	return mb
}

type mailboxSession struct {
	mb *mailbox
	to string
}

func (s *mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *mailboxSession) Reset()        {}
func (s *mailboxSession) Logout() error { return nil }

func (s *mailboxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	e, err := parseEmail(raw)
	if err != nil {
		s.mb.t.Errorf("mailbox: unreadable message: %v\n%s", err, raw)
		return err
	}
	e.To = s.to
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, e)
	s.mb.mu.Unlock()
	return nil
}

// parseEmail reads the subject and the text and HTML parts of a MIME message.
func parseEmail(raw []byte) (email, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return email{}, err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	e := email{Subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return e, err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return e, nil
		}
		if err != nil {
			return e, err
		}
		body, err := io.ReadAll(p) // multipart decodes quoted-printable parts itself
		if err != nil {
			return e, err
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			e.Text = string(body)
		case "text/html":
			e.HTML = string(body)
		}
	}
}

// messages returns what has arrived so far.
func (mb *mailbox) messages() []email {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]email(nil), mb.msgs...)
}

// waitFor waits until n messages have arrived for to, and returns the last.
func (mb *mailbox) waitFor(to string, n int) email {
	mb.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []email
		for _, m := range mb.messages() {
			if strings.EqualFold(m.To, to) {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			mb.t.Fatalf("mailbox: %d message(s) for %s after 10 s, want %d", len(got), to, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// texts returns the text messages sent to phone so far, oldest first.
func (mb *mailbox) texts(phone string) []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	var out []string
	for _, m := range mb.sms {
		if m.To == phone {
			out = append(out, m.Body)
		}
	}
	return out
}

// waitSMS waits until n text messages have arrived for phone (E.164), and returns the nth body.
func (mb *mailbox) waitSMS(phone string, n int) string {
	mb.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := mb.texts(phone)
		if len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			mb.t.Fatalf("sms webhook: %d message(s) for %s after 10 s, want %d", len(got), phone, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var smsCodeRe = regexp.MustCompile(`\b[0-9]{6}\b`)

// smsCode returns the one 6-digit code in a text message.
func smsCode(t testing.TB, body string) string {
	t.Helper()
	codes := smsCodeRe.FindAllString(body, -1)
	if len(codes) != 1 {
		t.Fatalf("want one 6-digit code in the text message %q, found %v", body, codes)
	}
	return codes[0]
}

var inviteLinkRe = regexp.MustCompile(`https?://[^\s"<>]+/invite/[A-Za-z0-9_-]{43}`)

// inviteLink returns the invitation link in the plain-text part of e.
func (e email) inviteLink(t testing.TB) string {
	t.Helper()
	link := inviteLinkRe.FindString(e.Text)
	if link == "" {
		t.Fatalf("no invitation link in the email to %s:\n%s", e.To, e.Text)
	}
	return link
}

// TestMailboxReceivesInvitation is the smallest end-to-end mail path: invite over HTTP, the
// worker delivers over real SMTP, the link in the message opens the signup page.
func TestMailboxReceivesInvitation(t *testing.T) {
	app := newTestApp(t)
	mb := app.startMail()
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/users/invite")
	p := c.post("/users/invite", map[string][]string{"emails": {"New.Person@Example.com"}, "roles": {"editor"}})
	if p.StatusCode != 200 || !strings.Contains(p.Doc.Find(".outcomes").Text(), "Invitation sent") {
		t.Fatalf("invite: %d %q", p.StatusCode, p.Doc.Find(".outcomes").Text())
	}
	e := mb.waitFor("new.person@example.com", 1)
	if !strings.Contains(e.Subject, "Acme") || e.HTML == "" {
		t.Fatalf("email subject %q, html part %d bytes", e.Subject, len(e.HTML))
	}
	link := e.inviteLink(t)
	if !strings.HasPrefix(link, app.Server.URL+"/invite/") {
		t.Fatalf("link %q is not built from the base URL %s", link, app.Server.URL)
	}
	signup := app.newClient().get(strings.TrimPrefix(link, app.Server.URL))
	if signup.StatusCode != 200 || signup.text("h1") != "Create your account" {
		t.Fatalf("signup page: %d %q", signup.StatusCode, signup.text("h1"))
	}
	if v, _ := signup.Doc.Find("#f-email").Attr("value"); v != "new.person@example.com" {
		t.Fatalf("signup email %q", v)
	}
}
