package delivery

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testclock"
	"gatehouse/internal/testdb"

	"github.com/emersion/go-smtp"

	"gatehouse/models"
	"gatehouse/store"
)

// testClock is the clock of the store and the worker, moved by the test.
type testClock = testclock.Clock

// syncBuffer collects log output written from the worker's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fixture struct {
	st    *store.Store
	clock *testClock
	log   *syncBuffer
	orgID int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := testclock.New()
	st, err := store.Open(context.Background(), store.Options{Path: testdb.Path(t, "mail.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	res, err := st.CreateOwner(context.Background(), store.CreateOwnerInput{Email: "olive@example.com", FirstName: "Olive", LastName: "Owner",
		PasswordHash: "not a real hash", OrgName: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, clock: clock, log: &syncBuffer{}, orgID: res.Org.ID}
}

func (f *fixture) worker(senders map[models.Channel]Sender) *Worker {
	return NewWorker(f.st, senders, f.clock.Now, slog.New(slog.NewTextHandler(f.log, nil)))
}

func (f *fixture) smtp(t *testing.T, addr string) map[models.Channel]Sender {
	t.Helper()
	s, err := NewSMTP("smtp://"+addr, "Gatehouse <no-reply@gatehouse.example>")
	if err != nil {
		t.Fatal(err)
	}
	return map[models.Channel]Sender{models.ChannelEmail: s}
}

const inviteLink = "https://gatehouse.example/invite?token=Zm9vYmFyLXNpbmdsZS11c2UtdG9rZW4"

// enqueueInvitation writes an invitation email to the outbox, as the invite handler does.
func (f *fixture) enqueueInvitation(t *testing.T, to string) models.OutboxMessage {
	t.Helper()
	subject, text, html := InvitationEmail(InvitationData{OrgName: "Acme", InviterName: "Olive Owner", InviterEmail: "olive@example.com",
		RecipientFirstName: "Ann", Link: inviteLink, ExpiresAt: f.clock.Now().Add(72 * time.Hour), Now: f.clock.Now()})
	msg := models.OutboxMessage{OrgID: &f.orgID, Channel: models.ChannelEmail, Recipient: to, Subject: subject, TextBody: text, HTMLBody: html}
	if err := f.st.Enqueue(context.Background(), &msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func (f *fixture) message(t *testing.T, id int64) *models.OutboxMessage {
	t.Helper()
	m, err := f.st.FindOutboxMessage(context.Background(), f.orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func runOnce(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

// assertNoBody fails when the log holds the link: bodies are single-use links and stay out of logs.
func (f *fixture) assertNoBody(t *testing.T) {
	t.Helper()
	if strings.Contains(f.log.String(), "token=") || strings.Contains(f.log.String(), "Accept the invitation") {
		t.Errorf("the log holds a message body:\n%s", f.log.String())
	}
}

func TestWorkerDeliversInvitation(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, "127.0.0.1:0")
	w := f.worker(f.smtp(t, srv.Addr))
	msg := f.enqueueInvitation(t, "ann@example.com")

	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "no-reply@gatehouse.example" || len(got[0].To) != 1 || got[0].To[0] != "ann@example.com" {
		t.Errorf("envelope from %q to %v", got[0].From, got[0].To)
	}

	m, err := netmail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	h := m.Header
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "no-reply@gatehouse.example" || from[0].Name != "Gatehouse" {
		t.Errorf("From = %v (%v)", from, err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "ann@example.com" {
		t.Errorf("To = %v (%v)", to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "Olive Owner invited you to Acme on Gatehouse" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<gatehouse.") || !strings.HasSuffix(id, "@gatehouse.example>") {
		t.Errorf("Message-ID = %q", id)
	}
	if date, err := h.Date(); err != nil || !date.Equal(msg.CreatedAt) {
		t.Errorf("Date = %v (%v), want %v", date, err, msg.CreatedAt)
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	var order []string
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p) // NextPart undoes quoted-printable
		parts[ct] = string(b)
		order = append(order, ct)
	}
	if len(order) != 2 || order[0] != "text/plain" || order[1] != "text/html" {
		t.Fatalf("parts %v, want text/plain then text/html (the last is the preferred one)", order)
	}
	for _, ct := range order {
		if !strings.Contains(parts[ct], inviteLink) {
			t.Errorf("%s part lacks the link:\n%s", ct, parts[ct])
		}
	}
	if !strings.Contains(parts["text/html"], `href="`+inviteLink+`"`) {
		t.Errorf("html part has no button linking to the invitation")
	}
	if !strings.Contains(parts["text/plain"], "Hello Ann,") {
		t.Errorf("text part:\n%s", parts["text/plain"])
	}

	if sent := f.message(t, msg.ID); sent.Status != models.OutboxSent || sent.Attempts != 1 || sent.SentAt == nil {
		t.Errorf("after delivery: status %q attempts %d sent_at %v", sent.Status, sent.Attempts, sent.SentAt)
	}
	if n := runOnce(t, w); n != 0 || len(srv.messages()) != 1 {
		t.Errorf("second RunOnce handled %d and the server has %d messages: a sent message went again", n, len(srv.messages()))
	}
	if !strings.Contains(f.log.String(), "email sent") || !strings.Contains(f.log.String(), "ann@example.com") {
		t.Errorf("log does not record the delivery:\n%s", f.log.String())
	}
	f.assertNoBody(t)
}

// The mail server is down when the invitation is written; nothing is lost: the message
// waits with backoff and goes out once the server is back.
func TestWorkerRetriesWhileServerDown(t *testing.T) {
	f := newFixture(t)
	addr := freePort(t)
	w := f.worker(f.smtp(t, addr))
	msg := f.enqueueInvitation(t, "ann@example.com")

	runOnce(t, w)
	m := f.message(t, msg.ID)
	if m.Status != models.OutboxRetrying || m.Attempts != 1 {
		t.Fatalf("after a failed attempt: status %q attempts %d, want retrying, 1", m.Status, m.Attempts)
	}
	if want := f.clock.Now().Add(models.OutboxBackoff(1)); !m.NextAttemptAt.Equal(want) {
		t.Errorf("next attempt %v, want %v", m.NextAttemptAt, want)
	}
	if !strings.Contains(m.LastError, "connection refused") {
		t.Errorf("last error %q, want the dial error", m.LastError)
	}
	if !strings.Contains(f.log.String(), "unable to send email") {
		t.Errorf("the failure is not logged:\n%s", f.log.String())
	}

	srv := startServer(t, addr) // the server comes back on the same port
	if n := runOnce(t, w); n != 0 {
		t.Errorf("RunOnce before the backoff ended handled %d messages", n)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("delivered before the backoff ended (%d)", n)
	}

	f.clock.Advance(models.OutboxBackoff(1))
	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce after the backoff handled %d messages, want 1", n)
	}
	if got := srv.messages(); len(got) != 1 || !bytes.Contains(got[0].Data, []byte("Olive Owner invited you")) {
		t.Fatalf("server received %d messages, want the invitation", len(got))
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxSent || m.Attempts != 2 {
		t.Errorf("status %q attempts %d, want sent after 2 attempts", m.Status, m.Attempts)
	}
	f.assertNoBody(t)
}

func TestWorkerGivesUp(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, "127.0.0.1:0", withRcptError(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy"}))
	w := f.worker(f.smtp(t, srv.Addr))
	msg := f.enqueueInvitation(t, "ann@example.com")

	for i := 1; i <= models.OutboxMaxAttempts; i++ {
		if n := runOnce(t, w); n != 1 {
			t.Fatalf("attempt %d: RunOnce handled %d messages", i, n)
		}
		m := f.message(t, msg.ID)
		if m.Attempts != i {
			t.Fatalf("attempt %d: attempts = %d", i, m.Attempts)
		}
		want := models.OutboxRetrying
		if i == models.OutboxMaxAttempts {
			want = models.OutboxFailed
		}
		if m.Status != want || !strings.Contains(m.LastError, "451") {
			t.Fatalf("attempt %d: status %q error %q, want %q with the server's 451", i, m.Status, m.LastError, want)
		}
		f.clock.Advance(models.OutboxBackoff(i))
	}
	f.clock.Advance(24 * time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Errorf("a failed message was tried again (%d)", n)
	}
	if !strings.Contains(f.log.String(), "giving up") {
		t.Errorf("giving up is not logged:\n%s", f.log.String())
	}

	// Retry now (the Outbox page) gives it one more try.
	if err := f.st.RetryMessage(context.Background(), f.orgID, msg.ID); err != nil {
		t.Fatal(err)
	}
	if n := runOnce(t, w); n != 1 {
		t.Errorf("after Retry now, RunOnce handled %d messages, want 1", n)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxFailed || m.Attempts != models.OutboxMaxAttempts+1 {
		t.Errorf("after the extra try: status %q attempts %d", m.Status, m.Attempts)
	}
	f.assertNoBody(t)
}

func TestWorkerHoldsWithoutSender(t *testing.T) {
	f := newFixture(t)
	w := f.worker(nil)
	msg := f.enqueueInvitation(t, "ann@example.com")

	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxHeld || m.Attempts != 0 {
		t.Errorf("status %q attempts %d, want held, 0", m.Status, m.Attempts)
	}
	log := f.log.String()
	if !strings.Contains(log, "email to ann@example.com is held in the Outbox page (no --smtp-url)") {
		t.Errorf("log does not say the email is held:\n%s", log)
	}
	if !strings.Contains(log, "Olive Owner invited you to Acme on Gatehouse") {
		t.Errorf("log does not name the subject:\n%s", log)
	}
	f.assertNoBody(t)
	if n := runOnce(t, w); n != 0 {
		t.Errorf("a held message was handled again (%d)", n)
	}
}

// After a failed delivery the rest of the round's email waits, so a dead server costs one
// attempt per round; the other messages keep their attempt count.
func TestWorkerStopsRoundAfterFailure(t *testing.T) {
	f := newFixture(t)
	w := f.worker(f.smtp(t, freePort(t)))
	a := f.enqueueInvitation(t, "ann@example.com")
	b := f.enqueueInvitation(t, "bob@example.com")
	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	if m := f.message(t, a.ID); m.Attempts != 1 {
		t.Errorf("first message attempts %d, want 1", m.Attempts)
	}
	if m := f.message(t, b.ID); m.Attempts != 0 || m.Status != models.OutboxPending {
		t.Errorf("second message: status %q attempts %d, want untouched", m.Status, m.Attempts)
	}
}

func TestWorkerPoke(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, "127.0.0.1:0")
	w := f.worker(f.smtp(t, srv.Addr))
	w.interval = time.Hour // only a poke can wake it
	rounds := make(chan struct{}, 8)
	w.waiting = func() { rounds <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()

	<-rounds // the first, empty round has passed: the worker waits for a poke
	f.enqueueInvitation(t, "ann@example.com")
	w.Poke()
	w.Poke() // never blocks, even with a poke pending
	select {
	case <-rounds: // the poked round has delivered
	case <-time.After(5 * time.Second):
		t.Fatal("a poke did not wake the worker")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(srv.messages()) != 1 {
		t.Errorf("poked worker delivered %d messages, want 1", len(srv.messages()))
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
