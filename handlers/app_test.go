package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testclock"
	"gatehouse/internal/testdb"

	"github.com/PuerkitoBio/goquery"

	gatehouse "gatehouse/app"
	"gatehouse/handlers"
	"gatehouse/models"
	"gatehouse/store"
)

// fakeClock is a clock the test moves by hand.
type fakeClock = testclock.Clock

// testApp is Gatehouse on a fresh SQLite file, served by httptest, with a controlled clock.
type testApp struct {
	t       testing.TB
	Store   *store.Store
	App     *gatehouse.Service
	Clock   *fakeClock
	Server  *httptest.Server
	Policy  models.SessionPolicy
	Path    string // the SQLite file
	outbox  *outboxHook
	Logs    *logBuffer // every line the handlers logged
	Handler *handlers.Handler
}

// logBuffer collects log lines from the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// outboxHook forwards the handlers' pokes to a mail worker once a test starts one (startMail).
type outboxHook struct {
	mu     sync.Mutex
	target interface{ Poke() }
}

func (o *outboxHook) Poke() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.target != nil {
		o.target.Poke()
	}
}

const testPassword = "correct horse battery staple"

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppSMS is newTestApp with a text message provider configured (sms) or not.
func newTestAppSMS(t testing.TB, sms bool) *testApp {
	t.Helper()
	return newTestAppFull(t, sms, nil)
}

// newTestAppWith is newTestApp with the handlers' configuration adjusted by configure first
// (its session policy applies to the use cases too).
func newTestAppWith(t testing.TB, configure func(*handlers.Config)) *testApp {
	t.Helper()
	return newTestAppFull(t, true, configure)
}

func newTestAppFull(t testing.TB, sms bool, configure func(*handlers.Config)) *testApp {
	t.Helper()
	clock := testclock.New()
	path := testdb.Path(t, "test.db")
	st, err := store.Open(context.Background(), store.Options{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{t: t, Store: st, Clock: clock, Policy: models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour}, outbox: &outboxHook{}, Path: path}
	// The server starts first so the base URL can name its real address.
	app.Server = httptest.NewUnstartedServer(nil)
	app.Server.Start()
	base, _ := url.Parse(app.Server.URL)
	app.Logs = &logBuffer{}
	log := slog.New(slog.NewTextHandler(app.Logs, nil))
	cfg := handlers.Config{BaseURL: base, Sessions: app.Policy, Secret: []byte("test secret"), Version: "test"}
	if configure != nil {
		configure(&cfg)
		app.Policy = cfg.Sessions
	}
	// The use cases offer SMS as with a provider (unless sms is false): the tests read the texts from the mail worker.
	svc := gatehouse.New(st, gatehouse.Config{BaseURL: base, Sessions: app.Policy, Outbox: app.outbox, SMSConfigured: sms}, clock, log)
	app.App = svc
	h := handlers.New(svc, cfg, clock, log)
	app.Handler = h
	app.Server.Config.Handler = h.Echo()
	t.Cleanup(func() { app.Server.Close(); svc.Wait(); st.Close() })
	return app
}

// createOwner adds an active Owner with testPassword, creating the organization on first use.
// The organization's MFA policy is set to off, so tests of other features log in with a
// password alone; tests of MFA call setMFAPolicy.
func (a *testApp) createOwner(email string) *store.CreateOwnerResult {
	a.t.Helper()
	created, err := a.App.CreateOwner(context.Background(), gatehouse.CreateOwnerRequest{
		Email: email, FirstName: "Olive", LastName: "Owner", Password: testPassword, OrgName: "Acme"})
	if err != nil {
		a.t.Fatal(err)
	}
	res := &store.CreateOwnerResult{Org: created.Org, User: created.User, CreatedUser: created.CreatedUser, CreatedOrg: created.CreatedOrg}
	if res.CreatedOrg {
		a.setMFAPolicy(res, models.MFAOff)
	}
	return res
}

// setMFAPolicy sets the organization's MFA policy straight in the database, without the
// audit event the Settings page would write, so tests counting events are not disturbed.
func (a *testApp) setMFAPolicy(owner *store.CreateOwnerResult, p models.MFAPolicy) {
	a.t.Helper()
	if err := openDB(a).db.Exec("UPDATE organizations SET mfa_policy = ? WHERE id = ?", p, owner.Org.ID).Error; err != nil {
		a.t.Fatal(err)
	}
}

// client is one browser: a cookie jar, no automatic redirects, and the last CSRF token seen.
type client struct {
	t    testing.TB
	app  *testApp
	http *http.Client
	csrf string
}

func (a *testApp) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a response with its parsed HTML.
type page struct {
	*http.Response
	Doc  *goquery.Document
	Body string
}

func (c *client) do(req *http.Request) *page {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
		c.csrf = tok
	}
	return &page{Response: resp, Doc: doc, Body: string(b)}
}

func (c *client) get(path string) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.Server.URL+path, nil)
	return c.do(req)
}

// post sends a form with the client's CSRF token unless form sets _csrf itself.
func (c *client) post(path string, form url.Values) *page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login logs in through the form and fails the test unless it succeeds.
func (c *client) login(email, password string) {
	c.t.Helper()
	c.get("/login")
	p := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if p.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login as %s: status %d, want 303; page says %q", email, p.StatusCode, strings.TrimSpace(p.Doc.Find(".form-error").Text()))
	}
}

// text returns the trimmed text of the first element matching sel.
func (p *page) text(sel string) string {
	return strings.TrimSpace(p.Doc.Find(sel).First().Text())
}

func (p *page) location() string { return p.Header.Get("Location") }

// TestHarness checks the harness itself: an Owner logs in and sees the Users page.
func TestHarness(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	p := c.get("/users")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users: %d", p.StatusCode)
	}
	if got := p.text("h1"); got != "Users" {
		t.Fatalf("heading %q", got)
	}
	if !strings.Contains(p.Doc.Find("table").Text(), "olive@example.com") {
		t.Fatal("owner not listed on the Users page")
	}
}
