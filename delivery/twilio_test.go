package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/models"
)

const (
	testSID     = "AC0123456789abcdef0123456789abcdef"
	testToken   = "hunter2-auth-token"
	testService = "MG0123456789abcdef0123456789abcdef"
)

// fakeTwilio speaks the part of Twilio's Messages API Gatehouse uses: it checks the path,
// the Basic auth and the form, and answers as Twilio does.
type fakeTwilio struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	fail  string // a Twilio error JSON to answer with (status 400), or ""
}

func startTwilio(t *testing.T) *fakeTwilio {
	t.Helper()
	ft := &fakeTwilio{}
	ft.Server = httptest.NewServer(http.HandlerFunc(ft.serveHTTP))
	t.Cleanup(ft.Close)
	return ft
}

func (ft *fakeTwilio) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code": 20404, "message": "The requested resource `+r.URL.Path+` was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ft.mu.Lock()
	ft.forms = append(ft.forms, r.PostForm)
	fail := ft.fail
	ft.mu.Unlock()
	if fail != "" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, fail)
		return
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"account_sid": %q, "body": %q, "direction": "outbound-api", "from": %q, "messaging_service_sid": %q, "num_segments": "1", "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": %q, "uri": "/2010-04-01/Accounts/%s/Messages/SM0123456789abcdef0123456789abcdef.json"}`,
		testSID, r.PostForm.Get("Body"), r.PostForm.Get("From"), r.PostForm.Get("MessagingServiceSid"), r.PostForm.Get("To"), testSID)
}

func (ft *fakeTwilio) received() []url.Values {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return append([]url.Values(nil), ft.forms...)
}

func newTwilio(t *testing.T, from, base string) *Twilio {
	t.Helper()
	tw, err := NewTwilio(testSID, testToken, from, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func TestTwilioSend(t *testing.T) {
	ft := startTwilio(t)
	tw := newTwilio(t, "+1 415-555-0100", ft.URL+"/")
	if err := tw.Send(context.Background(), smsMessage("+447911123456", "482913")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := ft.received()
	if len(got) != 1 {
		t.Fatalf("Twilio got %d messages, want 1", len(got))
	}
	f := got[0]
	if f.Get("To") != "+447911123456" || f.Get("From") != "+14155550100" || f.Has("MessagingServiceSid") {
		t.Errorf("form %v, want To, and From in E.164", f)
	}
	if m := codeInBody.FindStringSubmatch(f.Get("Body")); m == nil || m[1] != "482913" {
		t.Errorf("Body %q does not carry the code", f.Get("Body"))
	}
}

func TestTwilioMessagingService(t *testing.T) {
	ft := startTwilio(t)
	tw := newTwilio(t, testService, ft.URL)
	if err := tw.Send(context.Background(), smsMessage("+447911123456", "482913")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := ft.received()
	if len(got) != 1 || got[0].Get("MessagingServiceSid") != testService || got[0].Has("From") {
		t.Errorf("form %v, want MessagingServiceSid and no From", got)
	}
	if s := tw.String(); !strings.Contains(s, testService) {
		t.Errorf("String() = %q, want the Messaging Service", s)
	}
}

func TestTwilioErrorAnswer(t *testing.T) {
	ft := startTwilio(t)
	ft.mu.Lock()
	ft.fail = `{"code": 21211, "message": "The 'To' number +4479 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`
	ft.mu.Unlock()
	tw := newTwilio(t, "+14155550100", ft.URL)
	err := tw.Send(context.Background(), smsMessage("+4479", "482913"))
	if err == nil {
		t.Fatal("Send succeeded on Twilio's error")
	}
	for _, want := range []string{"The 'To' number +4479 is not a valid phone number.", "21211", "400", "https://www.twilio.com/docs/errors/21211"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestTwilioWrongCredentials(t *testing.T) {
	ft := startTwilio(t)
	tw, err := NewTwilio(testSID, "not-the-token", "+14155550100", ft.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = tw.Send(context.Background(), smsMessage("+447911123456", "482913"))
	if err == nil || !strings.Contains(err.Error(), "Authenticate") || !strings.Contains(err.Error(), "20003") {
		t.Errorf("error = %v, want Twilio's 20003 Authenticate", err)
	}
	if err != nil && strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error repeats the token: %v", err)
	}
}

// An answer that is not Twilio's JSON (a proxy's error page, a 2xx without a sid) is an
// error naming the status, so the worker retries.
func TestTwilioUnexpectedAnswer(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{http.StatusBadGateway, "<html>Bad gateway</html>", "502 Bad Gateway: <html>Bad gateway</html>"},
		{http.StatusCreated, `{"status": "queued"}`, "201 Created without a message sid"},
		{http.StatusOK, "", "200 OK without a message sid"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		err := newTwilio(t, "+14155550100", srv.URL).Send(context.Background(), smsMessage("+447911123456", "482913"))
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("answer %d %q: error = %v, want %q", tc.status, tc.body, err, tc.want)
		}
	}
}

func TestTwilioTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	tw := newTwilio(t, "+14155550100", slow.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := tw.Send(ctx, smsMessage("+447911123456", "482913")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %s despite a 100 ms deadline", d)
	}
}

func TestNewTwilio(t *testing.T) {
	for _, bad := range []struct{ sid, token, from, base, want string }{
		{"", testToken, "+14155550100", "", "GATEHOUSE_TWILIO_ACCOUNT_SID"},
		{testToken, testToken, "+14155550100", "", "GATEHOUSE_TWILIO_ACCOUNT_SID"}, // the token pasted into the wrong variable
		{"SK0123456789abcdef0123456789abcdef", testToken, "+14155550100", "", "GATEHOUSE_TWILIO_ACCOUNT_SID"},
		{testSID, "  ", "+14155550100", "", "GATEHOUSE_TWILIO_AUTH_TOKEN"},
		{testSID, testToken, "4155550100", "", "GATEHOUSE_TWILIO_FROM"},
		{testSID, testToken, "+0123", "", "GATEHOUSE_TWILIO_FROM"},
		{testSID, testToken, testToken, "", "GATEHOUSE_TWILIO_FROM"},
		{testSID, testToken, "MG123", "", "GATEHOUSE_TWILIO_FROM"},
		{testSID, testToken, "+14155550100", "ftp://api.example.com", "Twilio API URL"},
		{testSID, testToken, "+14155550100", "https://user:hunter2-auth-token@api.example.com", "Twilio API URL"},
	} {
		_, err := NewTwilio(bad.sid, bad.token, bad.from, bad.base, nil)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewTwilio(%q, %q, %q, %q) error = %v, want it to name %s", bad.sid, bad.token, bad.from, bad.base, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Errorf("error repeats the token: %v", err)
		}
	}

	tw := newTwilio(t, "+14155550100", "")
	if tw.endpoint != TwilioAPI+"/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		t.Errorf("default endpoint %q", tw.endpoint)
	}
	s := tw.String()
	if strings.Contains(s, testToken) || !strings.Contains(s, testSID) || !strings.Contains(s, "+14155550100") {
		t.Errorf("String() = %q, want the account and number without the token", s)
	}
}

// Failed requests never carry the token in their errors.
func TestTwilioErrorsHideToken(t *testing.T) {
	tw := newTwilio(t, "+14155550100", "http://"+freePort(t))
	err := tw.Send(context.Background(), smsMessage("+447911123456", "482913"))
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("error = %v, want connection refused", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error repeats the token: %v", err)
	}
}

func TestWorkerDeliversSMSThroughTwilio(t *testing.T) {
	f := newFixture(t)
	ft := startTwilio(t)
	w := f.worker(map[models.Channel]Sender{models.ChannelSMS: newTwilio(t, "+14155550100", ft.URL)})
	msg := f.enqueueSMS(t, "+447911123456", "305117")
	if n := runOnce(t, w); n != 1 {
		t.Errorf("RunOnce handled %d messages, want 1", n)
	}
	if got := ft.received(); len(got) != 1 || got[0].Get("To") != "+447911123456" || !strings.HasPrefix(got[0].Get("Body"), "305117 ") {
		t.Fatalf("Twilio got %v", got)
	}
	if m := f.message(t, msg.ID); m.Status != models.OutboxSent {
		t.Errorf("status %q, want sent", m.Status)
	}
	f.assertNoCode(t, "305117")
	if strings.Contains(f.log.String(), testToken) {
		t.Errorf("the log holds the token:\n%s", f.log.String())
	}
}
