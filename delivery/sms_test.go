package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/models"
)

// smsReceiver is a real HTTP webhook on loopback that records the JSON it receives.
type smsReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []webhookPayload
	requests []*http.Request
	status   int // the answer; 200 when zero
	answer   string
}

func startReceiver(t *testing.T, addr string) *smsReceiver {
	t.Helper()
	r := &smsReceiver{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(r.serveHTTP))
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		r.Listener.Close()
		r.Listener = ln
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

func (r *smsReceiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	var p webhookPayload
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" || dec.Decode(&p) != nil {
		http.Error(w, "want a POST of JSON {to, body}", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, p)
	r.requests = append(r.requests, req)
	if r.status != 0 {
		w.WriteHeader(r.status)
	}
	io.WriteString(w, r.answer)
}

func (r *smsReceiver) received() []webhookPayload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhookPayload(nil), r.got...)
}

func (r *smsReceiver) answerWith(status int, body string) {
	r.mu.Lock()
	r.status, r.answer = status, body
	r.mu.Unlock()
}

func newWebhook(t *testing.T, rawURL string) *Webhook {
	t.Helper()
	w, err := NewWebhook(rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func smsMessage(to, code string) models.OutboxMessage {
	return models.OutboxMessage{ID: 9, Channel: models.ChannelSMS, Recipient: to, TextBody: SMSCode("Acme", code),
		CreatedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
}

var codeInBody = regexp.MustCompile(`^(\d{6}) is your Gatehouse verification code`)

func TestWebhookSend(t *testing.T) {
	rcv := startReceiver(t, "")
	w := newWebhook(t, rcv.URL+"/sms?key=abc")
	if err := w.Send(context.Background(), smsMessage("+447911123456", "482913")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := rcv.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d messages, want 1", len(got))
	}
	if got[0].To != "+447911123456" {
		t.Errorf("to = %q", got[0].To)
	}
	m := codeInBody.FindStringSubmatch(got[0].Body)
	if m == nil || m[1] != "482913" {
		t.Errorf("the code is not at the start of the body: %q", got[0].Body)
	}
	req := rcv.requests[0]
	if req.URL.Path != "/sms" || req.URL.RawQuery != "key=abc" {
		t.Errorf("request went to %s, want the webhook URL with its query", req.URL)
	}
	if _, _, ok := req.BasicAuth(); ok {
		t.Errorf("Basic auth sent without credentials in the URL")
	}
}

func TestWebhookBasicAuthFromURL(t *testing.T) {
	rcv := startReceiver(t, "")
	w := newWebhook(t, strings.Replace(rcv.URL, "http://", "http://gate:hunter2-secret@", 1))
	if err := w.Send(context.Background(), smsMessage("+447911123456", "482913")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if user, pass, ok := rcv.requests[0].BasicAuth(); !ok || user != "gate" || pass != "hunter2-secret" {
		t.Errorf("Basic auth = %q %q %v, want the URL's user and password", user, pass, ok)
	}
}

func TestWebhookErrorAnswer(t *testing.T) {
	rcv := startReceiver(t, "")
	// A gateway that echoes the message back in its error must not put the code in the log.
	rcv.answerWith(http.StatusServiceUnavailable, "gateway busy\nrequest was: 482913 is your Gatehouse verification code"+strings.Repeat(" and more", 100))
	w := newWebhook(t, rcv.URL)
	err := w.Send(context.Background(), smsMessage("+447911123456", "482913"))
	if err == nil {
		t.Fatal("Send succeeded on a 503")
	}
	msg := err.Error()
	if !strings.Contains(msg, "503 Service Unavailable") || !strings.Contains(msg, "gateway busy request was") {
		t.Errorf("error %q, want the status and the start of the answer", msg)
	}
	if strings.Contains(msg, "482913") {
		t.Errorf("error repeats the code: %q", msg)
	}
	if len(msg) > 400 || strings.Contains(msg, "\n") {
		t.Errorf("error is not one short line (%d bytes): %q", len(msg), msg)
	}

	for _, status := range []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusNotModified} {
		rcv.answerWith(status, "")
		if err := w.Send(context.Background(), smsMessage("+447911123456", "482913")); err == nil || !strings.Contains(err.Error(), http.StatusText(status)) {
			t.Errorf("answer %d: error = %v, want one naming the status", status, err)
		}
	}
}

// A redirect is an error, not followed: following would resend the message and credentials elsewhere.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	elsewhere := startReceiver(t, "")
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	w := newWebhook(t, redirect.URL)
	if err := w.Send(context.Background(), smsMessage("+447911123456", "482913")); err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("Send through a redirect: %v, want an error with 307", err)
	}
	if n := len(elsewhere.received()); n != 0 {
		t.Errorf("the redirect was followed (%d messages elsewhere)", n)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	w := newWebhook(t, slow.URL)

	t.Run("caller's context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := w.Send(ctx, smsMessage("+447911123456", "482913"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want the deadline", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %s despite a 100 ms deadline", d)
		}
	})
	t.Run("own timeout", func(t *testing.T) {
		w.timeout = 100 * time.Millisecond
		start := time.Now()
		if err := w.Send(context.Background(), smsMessage("+447911123456", "482913")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want the deadline", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %s despite a 100 ms timeout", d)
		}
	})
}

func TestNewWebhook(t *testing.T) {
	for _, bad := range []struct{ url, want string }{
		{"", "http:// or https://"},
		{"ftp://user:hunter2-secret@sms.example.com/", "http:// or https://"},
		{"sms.example.com/send", "http:// or https://"},
		{"https://user:hunter2-secret@/send", "needs a host"},
		{"https://user:hunter2-secret@sms.example.com:%zz/", "not a valid URL"},
	} {
		_, err := NewWebhook(bad.url, nil)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewWebhook(%q) error = %v, want it to say %q", bad.url, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewWebhook(%q) error repeats the password: %v", bad.url, err)
		}
	}
	for in, want := range map[string]string{
		"https://sms.example.com":                                      "https://sms.example.com",
		"http://localhost:9000/":                                       "http://localhost:9000",
		"https://user:hunter2-secret@sms.example.com/hooks/T0/B0/XYZ":  "https://sms.example.com/…",
		"https://sms.example.com/send?token=hunter2-secret#frag":       "https://sms.example.com/…",
		"https://user:hunter2-secret@sms.example.com:8443?k=hunter2-x": "https://sms.example.com:8443/…",
	} {
		if got := newWebhook(t, in).String(); got != want {
			t.Errorf("NewWebhook(%q).String() = %q, want %q", in, got, want)
		}
	}
}

// A failed request names the webhook without the secrets its URL may carry.
func TestWebhookErrorsHideSecrets(t *testing.T) {
	addr := freePort(t)
	w := newWebhook(t, "http://user:hunter2-secret@"+addr+"/hook/hunter2-path?token=hunter2-query")
	err := w.Send(context.Background(), smsMessage("+447911123456", "482913"))
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error repeats a secret of the URL: %v", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q, want the host and the cause", err)
	}
}

func (f *fixture) enqueueSMS(t *testing.T, to, code string) models.OutboxMessage {
	t.Helper()
	msg := models.OutboxMessage{OrgID: &f.orgID, Channel: models.ChannelSMS, Recipient: to, Subject: "Verification code", TextBody: SMSCode("Acme", code)}
	if err := f.st.Enqueue(context.Background(), &msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

// assertNoCode fails when the log holds the code.
func (f *fixture) assertNoCode(t *testing.T, code string) {
	t.Helper()
	if strings.Contains(f.log.String(), code) {
		t.Errorf("the log holds the code:\n%s", f.log.String())
	}
}

func TestWorkerDeliversSMSThroughWebhook(t *testing.T) {
	f := newFixture(t)
	rcv := startReceiver(t, "")
	w := f.worker(map[models.Channel]Sender{models.ChannelSMS: newWebhook(t, rcv.URL)})
	msg := f.enqueueSMS(t, "+447911123456", "305117")

	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	got := rcv.received()
	if len(got) != 1 || got[0].To != "+447911123456" {
		t.Fatalf("receiver got %+v, want one message to +447911123456", got)
	}
	if m := codeInBody.FindStringSubmatch(got[0].Body); m == nil || m[1] != "305117" {
		t.Errorf("body %q does not carry the code", got[0].Body)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxSent || m.Attempts != 1 || m.SentAt == nil {
		t.Errorf("after delivery: status %q attempts %d sent_at %v", m.Status, m.Attempts, m.SentAt)
	}
	if !strings.Contains(f.log.String(), "sms sent") {
		t.Errorf("log does not record the delivery:\n%s", f.log.String())
	}
	f.assertNoCode(t, "305117")
}

// The webhook is down when the code is written; the message waits with backoff and goes
// out once the webhook is back on the same port.
func TestWorkerRetriesSMSWhileWebhookDown(t *testing.T) {
	f := newFixture(t)
	addr := freePort(t)
	w := f.worker(map[models.Channel]Sender{models.ChannelSMS: newWebhook(t, "http://"+addr+"/sms")})
	msg := f.enqueueSMS(t, "+447911123456", "305117")

	runOnce(t, w)
	m := f.message(t, msg.ID)
	if m.Status != models.OutboxRetrying || m.Attempts != 1 || !strings.Contains(m.LastError, "connection refused") {
		t.Fatalf("after a failed attempt: status %q attempts %d error %q, want retrying, 1, connection refused", m.Status, m.Attempts, m.LastError)
	}
	if !strings.Contains(f.log.String(), "unable to send sms: will retry") {
		t.Errorf("the failure is not logged:\n%s", f.log.String())
	}

	rcv := startReceiver(t, addr)
	if n := runOnce(t, w); n != 0 || len(rcv.received()) != 0 {
		t.Fatalf("delivered before the backoff ended")
	}
	f.clock.Advance(models.OutboxBackoff(1))
	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce after the backoff handled %d messages, want 1", n)
	}
	if got := rcv.received(); len(got) != 1 || !strings.HasPrefix(got[0].Body, "305117 ") {
		t.Fatalf("receiver got %+v, want the code", got)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxSent || m.Attempts != 2 {
		t.Errorf("status %q attempts %d, want sent after 2 attempts", m.Status, m.Attempts)
	}
	f.assertNoCode(t, "305117")
}

func TestSMSCode(t *testing.T) {
	for _, tc := range []struct{ org, want string }{
		{"Acme", "123456 is your Gatehouse verification code for Acme. It expires in 10 minutes. Don't share it."},
		{"  Acme\n Corp ", "123456 is your Gatehouse verification code for Acme Corp. It expires in 10 minutes. Don't share it."},
		{"", "123456 is your Gatehouse verification code. It expires in 10 minutes. Don't share it."},
		{"Café Zoë", "123456 is your Gatehouse verification code for Café Zoe. It expires in 10 minutes. Don't share it."},
		{"Müller’s [Ops]", "123456 is your Gatehouse verification code for Müller's (Ops). It expires in 10 minutes. Don't share it."},
		{"Łódź Labs", "123456 is your Gatehouse verification code. It expires in 10 minutes. Don't share it."},
		{"株式会社", "123456 is your Gatehouse verification code. It expires in 10 minutes. Don't share it."},
		{"Acme 🚀", "123456 is your Gatehouse verification code. It expires in 10 minutes. Don't share it."},
	} {
		if got := SMSCode(tc.org, "123456"); got != tc.want {
			t.Errorf("SMSCode(%q):\n got %q\nwant %q", tc.org, got, tc.want)
		}
	}
	long := SMSCode(strings.Repeat("Very Long Organization Name ", 10), "123456")
	if !strings.Contains(long, "for Very Long Organization Name") || !strings.Contains(long, "... It expires in 10 minutes.") {
		t.Errorf("long name: %q, want it shortened with ...", long)
	}
	for _, org := range []string{"Acme", strings.Repeat("x", 500), "Café Zoë", "株式会社"} {
		s := SMSCode(org, "123456")
		if n := len([]rune(s)); n >= smsMaxLen {
			t.Errorf("SMSCode(%.20q) is %d characters, want under %d", org, n, smsMaxLen)
		}
		for _, r := range s {
			if !strings.ContainsRune(gsmBasic, r) {
				t.Errorf("SMSCode(%.20q) holds %q, outside the GSM 7-bit set", org, r)
			}
		}
	}
}

func TestWorkerHoldsSMSWithoutSender(t *testing.T) {
	f := newFixture(t)
	w := f.worker(map[models.Channel]Sender{models.ChannelEmail: nil})
	msg := f.enqueueSMS(t, "+447911123456", "305117")
	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxHeld {
		t.Errorf("status %q, want held", m.Status)
	}
	if !strings.Contains(f.log.String(), "held in the Outbox page (no --sms-webhook-url or GATEHOUSE_TWILIO_*)") {
		t.Errorf("log does not say why the text message is held:\n%s", f.log.String())
	}
	f.assertNoCode(t, "305117")
}
