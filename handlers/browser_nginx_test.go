package handlers_test

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// findNginx returns Debian's nginx, skipping the test when it is missing unless
// GATEHOUSE_E2E=1 makes that a failure.
func findNginx(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	const how = "the reverse proxy test needs nginx; install it with: apt-get install nginx"
	if os.Getenv("GATEHOUSE_E2E") == "1" {
		t.Fatal(how + " (GATEHOUSE_E2E=1 requires it to run)")
	}
	t.Skip(how)
	return ""
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// nginxConf is the README's nginx configuration, for one app on listen in front of upstream,
// guarded by Gatehouse at gatehouse.
const nginxConf = `daemon off;
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
	server {
		listen 127.0.0.1:%[2]d;
		location / {
			auth_request /internal-authz;
			auth_request_set $remote_user_h $upstream_http_remote_user;
			auth_request_set $remote_email_h $upstream_http_remote_email;
			auth_request_set $remote_name_h $upstream_http_remote_name;
			auth_request_set $remote_groups_h $upstream_http_remote_groups;
			proxy_set_header Remote-User $remote_user_h;
			proxy_set_header Remote-Email $remote_email_h;
			proxy_set_header Remote-Name $remote_name_h;
			proxy_set_header Remote-Groups $remote_groups_h;
			error_page 401 = @login;
			proxy_pass %[3]s;
		}
		location = /internal-authz {
			internal;
			proxy_pass %[4]s/api/authz/auth-request;
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
			proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
			proxy_set_header X-Original-Method $request_method;
		}
		location @login {
			return 302 %[4]s/login?rd=$scheme://$http_host$request_uri;
		}
	}
}
`

// startNginx runs nginx as the test's own process in front of upstream, guarded by
// gatehouse, and returns its URL once it answers.
func startNginx(t *testing.T, bin, upstream, gatehouse string) string {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConf, dir, port, upstream, gatehouse)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil {
				t.Logf("nginx error log:\n%s", b)
			}
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s", err, b)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not start listening within 10 s")
		}
		time.Sleep(20 * time.Millisecond) // polling for a port to open, not ordering goroutines
	}
}

// echoUpstream is the guarded app: a page showing the Remote-* headers nginx passed on.
func echoUpstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Team app</title><h1>Team app</h1>
<p id="user">%s</p><p id="email">%s</p><p id="name">%s</p><p id="groups">%s</p><p id="path">%s</p>`,
			html.EscapeString(r.Header.Get("Remote-User")), html.EscapeString(r.Header.Get("Remote-Email")),
			html.EscapeString(r.Header.Get("Remote-Name")), html.EscapeString(r.Header.Get("Remote-Groups")), html.EscapeString(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserNginxGate puts Gatehouse in front of an app with nginx's auth_request, as the
// README says, and drives Chromium through it: anonymous → Gatehouse's login (password and
// authenticator code) → back at the app, which sees the member's email; a member without
// the app gets 403; after Terminate the next request is refused.
func TestBrowserNginxGate(t *testing.T) {
	bin := findNginx(t)
	browser := newBrowser(t)
	g := newGateTeam(t)
	upstream := echoUpstream(t)
	proxy := startNginx(t, bin, upstream.URL, g.app.Server.URL)
	// The app is reached at nginx's address. Cookies are shared across ports of one host, as
	// --cookie-domain shares them across subdomains: the browser sends Gatehouse's cookie to the app.
	host := strings.TrimPrefix(proxy, "http://")
	appID := g.addApp("Team app", host)
	g.setAccess(g.vic.ID, g.grafana, appID)
	secret, _ := g.app.withAuthenticator("vic@example.com")

	vic := newPerson(t, browser, "vic")
	step(t, vic, "open the app anonymously", chromedp.Navigate(proxy+"/reports/q3?year=2026"))
	waitPage(t, vic, "Log in")
	if u := location(t, vic); u.Host != strings.TrimPrefix(g.app.Server.URL, "http://") || u.Path != "/login" ||
		u.Query().Get("rd") != proxy+"/reports/q3?year=2026" {
		t.Errorf("the anonymous visit landed at %s, want Gatehouse's /login?rd=%s", u, proxy+"/reports/q3?year=2026")
	}
	fill(t, vic, [2]string{"Email", "vic@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, vic, button("Log in"), "Verify it's you")
	fill(t, vic, [2]string{"Verification code", g.app.totpCode(secret)})
	// Gatehouse's continue page refreshes at once to the app.
	step(t, vic, "verify", chromedp.Click(button("Verify")))
	waitPage(t, vic, "Team app")
	if u := location(t, vic); u.String() != proxy+"/reports/q3?year=2026" {
		t.Errorf("after logging in Vic is at %s, want back at %s", u, proxy+"/reports/q3?year=2026")
	}
	seen := run(t, vic, "read what the app was told", chromedp.Evaluate[[]string](
		`["user","email","name","groups","path"].map(id => document.getElementById(id).textContent)`))
	if want := []string{"vic@example.com", "vic@example.com", "Vic Viewer", "viewer", "/reports/q3"}; strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("the app saw %q, want %q", seen, want)
	}

	// Eve is logged in but was not given the app: 403 from nginx, no redirect.
	eve := g.as("eve@example.com")
	resp, err := eve.http.Get(proxy + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("Eve at the app: %d, want 403", resp.StatusCode)
	}

	// Terminated: the very next request is refused. Vic's login goes on in no organization
	// (issue 11), which may use no app: 403 from nginx.
	g.ownerPost(fmt.Sprintf("/users/%d/terminate", g.vic.ID), nil)
	step(t, vic, "reload the app after Terminate", chromedp.Navigate(proxy+"/reports/q3"))
	if body := run(t, vic, "read the answer", chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(body, "403 Forbidden") {
		t.Errorf("after Terminate the app request shows %q, want nginx's 403", body)
	}
	// Vic's other browser, with its old cookie: the same.
	resp, err = g.vicC.http.Get(proxy + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("Vic's old cookie after Terminate: %d, want 403", resp.StatusCode)
	}
}
