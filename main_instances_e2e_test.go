package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-smtp"

	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
)

// Several instances end to end: two `gatehouse serve` processes on one database behind the
// real nginx, invitations sent through both, every email at the SMTP server exactly once; one
// instance killed with SIGKILL during a burst of invitations, and the other delivers
// everything, once. GATEHOUSE_E2E=1 runs it (it builds the binary and needs nginx);
// GATEHOUSE_E2E_DB may name an empty database (a postgres:// URL) instead of a new SQLite file.
func TestSeveralInstancesBehindNginx(t *testing.T) {
	if os.Getenv("GATEHOUSE_E2E") != "1" {
		t.Skip("end-to-end: set GATEHOUSE_E2E=1 (builds gatehouse, starts two instances and nginx)")
	}
	nginx := "/usr/sbin/nginx"
	if _, err := os.Stat(nginx); err != nil {
		t.Fatal("GATEHOUSE_E2E=1 needs nginx: apt-get install nginx")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := os.Getenv("GATEHOUSE_E2E_DB")
	if db == "" {
		db = testdb.Path(t, "shared.db") // a SQLite file, or with GATEHOUSE_TEST_DB=postgres a PostgreSQL schema
	}
	sink := startSink(t)

	// The Owner, and no second factor required, so the test logs in with a password.
	cmd := exec.Command(bin, "create-owner", "--db", db, "--email", "olive@acme.test", "--password-stdin")
	cmd.Stdin = strings.NewReader(testPW + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("create-owner: %v\n%s", err, out)
	}
	st, err := store.Open(ctx, store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	off := models.MFAOff
	if _, _, err := st.UpdateOrganization(ctx, 1, store.OrgUpdate{MFAPolicy: &off}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	proxyPort := freeTCPPort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	a := startInstance(t, bin, db, base, sink.addr)
	b := startInstance(t, bin, db, base, sink.addr)
	startBalancer(t, nginx, proxyPort, a.addr, b.addr)

	c := newE2EClient(t)
	c.get(base + "/login")
	if p := c.post(base+"/login", url.Values{"email": {"olive@acme.test"}, "password": {testPW}}); p.status != http.StatusSeeOther {
		t.Fatalf("login through nginx: %d", p.status)
	}
	c.get(base + "/users/invite")

	// Twenty invitations, alternating between the two instances (the session and the CSRF
	// token are good on both: they live in the database).
	sent := map[string]bool{}
	for i := range 20 {
		to := fmt.Sprintf("person%02d@example.com", i)
		inst := []*instanceProc{a, b}[i%2]
		if p := c.post("http://"+inst.addr+"/users/invite", url.Values{"emails": {to}, "roles": {"viewer"}}); p.status != http.StatusOK || !strings.Contains(p.body, "Invitation sent") {
			t.Fatalf("invite %s on instance %d: %d", to, i%2, p.status)
		}
		sent[to] = true
	}
	sink.waitFor(t, sent, 30*time.Second)

	// A burst through nginx while the SMTP server holds every delivery at MAIL FROM, so both
	// workers hold claims; instance A is killed (SIGKILL) a third of the way in, holding
	// its claims, and the server lets mail through again. Every invitation answered "sent"
	// must arrive once; one cut off by the kill arrives at most once.
	sink.stall()
	unsure := map[string]bool{}
	for i := range 30 {
		if i == 10 {
			// Wait until A holds a message (its worker is stuck at the server), then kill it.
			deadline := time.Now().Add(10 * time.Second)
			for claimedBy(t, db, a.cmd.Process.Pid) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("instance A claimed nothing during the burst")
				}
				time.Sleep(20 * time.Millisecond) // polling the database for an external effect
			}
			a.kill(t)
			t.Logf("instance A killed holding %d messages", claimedBy(t, db, a.cmd.Process.Pid))
			sink.release()
		}
		to := fmt.Sprintf("burst%02d@example.com", i)
		p, err := c.tryPost(base+"/users/invite", url.Values{"emails": {to}, "roles": {"viewer"}})
		switch {
		case err == nil && p.status == http.StatusOK && strings.Contains(p.body, "Invitation sent"):
			sent[to] = true
		case err != nil || p.status >= 500:
			unsure[to] = true
		default:
			t.Fatalf("invite %s through nginx: %d", to, p.status)
		}
	}
	// The survivor sends what the dead instance had claimed once the lease (9 s here) ends.
	sink.waitFor(t, sent, 60*time.Second)
	for to, n := range sink.counts() {
		if n != 1 {
			t.Errorf("%s received %d emails, want 1", to, n)
		}
		if !sent[to] && !unsure[to] {
			t.Errorf("%s received an email nobody invited", to)
		}
	}
	t.Logf("%d invitations answered sent, %d cut off by the kill; %d emails received", len(sent), len(unsure), len(sink.counts()))
}

// instanceProc is one `gatehouse serve` process.
type instanceProc struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{}
	log    *syncBuffer
}

func startInstance(t *testing.T, bin, db, base, smtpAddr string) *instanceProc {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	p := &instanceProc{addr: addr, exited: make(chan struct{}), log: &syncBuffer{}}
	p.cmd = exec.Command(bin, "serve", "--db", db, "--addr", addr, "--base-url", base, "--several-instances",
		"--smtp-url", "smtp://"+smtpAddr+"?tls=none", "--trusted-proxies", "127.0.0.1", "--invite-quota", "100000", "--outbox-lease", "9s")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("instance %s log:\n%s", addr, p.log.String())
		}
	})
	waitListening(t, addr, p.exited)
	return p
}

// claimedBy counts the outbox messages the gatehouse process pid holds (its worker's id
// names the process).
func claimedBy(t *testing.T, db string, pid int) int {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, err := st.FindOutbox(context.Background(), 1, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.ClaimedBy, fmt.Sprintf("/%d/", pid)) {
			n++
		}
	}
	return n
}

// kill ends the instance with SIGKILL: no shutdown, its claims left as they are.
func (p *instanceProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

func waitListening(t *testing.T, addr string, exited chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("%s exited before listening", addr)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen within 30 s", addr)
		}
		time.Sleep(20 * time.Millisecond) // polling for a port to open, not ordering goroutines
	}
}

// balancerConf is the README's nginx load balancer, on loopback.
const balancerConf = `daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	upstream gatehouse {
		server %[3]s max_fails=2 fail_timeout=10s;
		server %[4]s max_fails=2 fail_timeout=10s;
		keepalive 16;
	}
	server {
		listen 127.0.0.1:%[2]d;
		location / {
			proxy_pass http://gatehouse;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $http_host;
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto $scheme;
			proxy_next_upstream error timeout http_502 http_503;
		}
	}
}
`

func startBalancer(t *testing.T, bin string, port int, a, b string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(balancerConf, dir, port, a, b)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", port), exited)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// e2eClient is one browser: cookies (shared by every port of 127.0.0.1), no redirects
// followed, and the last CSRF token seen.
type e2eClient struct {
	t    *testing.T
	http *http.Client
	csrf string
}

type e2ePage struct {
	status int
	body   string
}

func newE2EClient(t *testing.T) *e2eClient {
	jar, _ := cookiejar.New(nil)
	return &e2eClient{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *e2eClient) do(req *http.Request) (*e2ePage, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b))); err == nil {
		if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
			c.csrf = tok
		}
	}
	return &e2ePage{status: resp.StatusCode, body: string(b)}, nil
}

func (c *e2eClient) get(u string) *e2ePage {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	p, err := c.do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

func (c *e2eClient) tryPost(u string, form url.Values) (*e2ePage, error) {
	form.Set("_csrf", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *e2eClient) post(u string, form url.Values) *e2ePage {
	c.t.Helper()
	p, err := c.tryPost(u, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// smtpSink is a real SMTP server on loopback counting the emails each address receives.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	got  map[string]int
	raw  map[string][][]byte // each message as received, per recipient
	more chan struct{}
	open chan struct{} // MAIL FROM waits until it is closed (stall, release)
}

// stall holds every delivery at MAIL FROM, before any of the message is sent, until release.
func (s *smtpSink) stall() { s.mu.Lock(); s.open = make(chan struct{}); s.mu.Unlock() }

func (s *smtpSink) release() { s.mu.Lock(); close(s.open); s.mu.Unlock() }

func startSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{addr: ln.Addr().String(), got: map[string]int{}, raw: map[string][][]byte{}, more: make(chan struct{}, 1), open: make(chan struct{})}
	close(s.open)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpSink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.got))
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

// waitFor waits until every address in want has had an email, or fails after limit.
func (s *smtpSink) waitFor(t *testing.T, want map[string]bool, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		got := s.counts()
		missing := 0
		for to := range want {
			if got[to] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("%d of %d emails did not arrive within %s", missing, len(want), limit)
		}
	}
}

type sinkSession struct {
	s  *smtpSink
	to []string
}

func (x *sinkSession) Mail(string, *smtp.MailOptions) error {
	x.s.mu.Lock()
	open := x.s.open
	x.s.mu.Unlock()
	<-open
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	for _, to := range x.to {
		x.s.got[to]++
		x.s.raw[to] = append(x.s.raw[to], raw)
	}
	x.s.mu.Unlock()
	select {
	case x.s.more <- struct{}{}:
	default:
	}
	return nil
}

func (x *sinkSession) Reset()        { x.to = nil }
func (x *sinkSession) Logout() error { return nil }
