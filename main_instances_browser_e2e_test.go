package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
)

// Several instances, as a person clicks: two `gatehouse serve` processes on one database
// behind nginx, which sends each request to the next instance in turn (round-robin, no
// stickiness), and beside it one nginx port per instance. In Chromium the Owner logs in and
// invites two people through the Invite users dialog; one signs up through the emailed link;
// the other is reinvited (the old link is refused); the new member is terminated on instance
// A and her next request is refused by instance B; she is restored on B and A serves her.
// Every email reaches the SMTP server once, and nginx's log shows both instances answered
// the Owner's logged-in pages. GATEHOUSE_E2E=1 runs it (it needs nginx and Chromium).
func TestSeveralInstancesBrowserFlow(t *testing.T) {
	if os.Getenv("GATEHOUSE_E2E") != "1" {
		t.Skip("end-to-end: set GATEHOUSE_E2E=1 (builds gatehouse, starts two instances, nginx and Chromium)")
	}
	nginx, chromium := "/usr/sbin/nginx", "/usr/bin/chromium"
	for _, p := range []string{nginx, chromium} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("GATEHOUSE_E2E=1 needs %s: apt-get install nginx chromium", p)
		}
	}
	began := time.Now()
	defer func() { t.Logf("the flow took %s", time.Since(began).Round(time.Millisecond)) }()
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := os.Getenv("GATEHOUSE_E2E_DB")
	if db == "" {
		db = testdb.Path(t, "shared.db")
	}
	sink := startSink(t)

	cmd := exec.Command(bin, "create-owner", "--db", db, "--email", "olive@acme.test", "--first-name", "Olive",
		"--last-name", "Owner", "--org", "Acme", "--password-stdin")
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

	ports := [3]int{freeTCPPort(t), freeTCPPort(t), freeTCPPort(t)}
	base := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	onA, onB := fmt.Sprintf("http://127.0.0.1:%d", ports[1]), fmt.Sprintf("http://127.0.0.1:%d", ports[2])
	a := startInstance(t, bin, db, base, sink.addr)
	b := startInstance(t, bin, db, base, sink.addr)
	accessLog := startSplitBalancer(t, nginx, ports, a.addr, b.addr)

	owner := startChromium(t, chromium)
	const (
		ada     = "ada@example.com"
		grace   = "grace@example.com"
		adaName = "Ada Lovelace"
	)

	// 1. The Owner logs in through the balancer.
	browse(t, owner, "open Gatehouse", chromedp.Navigate(base+"/"))
	waitH1(t, owner, "Log in")
	typeInto(t, owner, "Email", "olive@acme.test")
	typeInto(t, owner, "Password", testPW)
	clickTo(t, owner, xbutton("Log in"), "Welcome, Olive")

	// 2. Invite Ada and Grace through the Invite users dialog.
	browse(t, owner, "open Users", chromedp.Navigate(base+"/users"))
	waitH1(t, owner, "Users")
	browse(t, owner, "open Invite users", chromedp.Click(chromedp.Search(`//a[normalize-space()="Invite users"]`)))
	waitDialogTitled(t, owner, "Invite users")
	browse(t, owner, "type the emails", chromedp.SetValue(chromedp.CSS(`#modal dialog[open] textarea[name="emails"]`), ada+"\n"+grace))
	browse(t, owner, "send the invitations", chromedp.Click(inDialog("button", "Send invitations")))
	waitDialogTitled(t, owner, "Invitations")
	outcomes := evaluate[map[string]string](t, owner, `Object.fromEntries(
		Array.from(document.querySelectorAll("#modal dialog .outcome")).map(li => [
			li.querySelector(".outcome-email").textContent.trim(), li.querySelector(".badge").textContent.trim()]))`)
	if len(outcomes) != 2 || outcomes[ada] != "Invitation sent" || outcomes[grace] != "Invitation sent" {
		t.Fatalf("invite result %q, want %s and %s each with \"Invitation sent\"", outcomes, ada, grace)
	}
	clickTo(t, owner, inDialog("a", "Done"), "Users")

	// 3. Ada opens the emailed link in her own browser and signs up.
	adaLink := inviteLinkIn(t, sink.waitTexts(t, ada, 1)[0])
	adaTab := newChromiumPerson(t, owner, "ada")
	browse(t, adaTab, "open Ada's link", chromedp.Navigate(adaLink))
	waitH1(t, adaTab, "Create your account")
	typeInto(t, adaTab, "First name", "Ada")
	typeInto(t, adaTab, "Last name", "Lovelace")
	typeInto(t, adaTab, "Password", testPW)
	typeInto(t, adaTab, "Confirm password", testPW)
	clickTo(t, adaTab, xbutton("Create account"), "Welcome, Ada")

	// 4. Reinvite Grace: a second email with a new link; the first is refused, the second opens.
	browse(t, owner, "open the Inactivated tab", chromedp.Navigate(base+"/users?tab=inactivated"))
	waitH1(t, owner, "Users")
	rowMenu(t, owner, grace, "Reinvite", "Reinvite: "+grace)
	browse(t, owner, "confirm Reinvite", chromedp.Click(inDialog("button", "Reinvite")))
	waitFlash(t, owner, "A new invitation is on its way to "+grace)
	graceMail := sink.waitTexts(t, grace, 2)
	first, second := inviteLinkIn(t, graceMail[0]), inviteLinkIn(t, graceMail[1])
	if first == second {
		t.Fatal("the reinvitation carries the same link as the first invitation")
	}
	graceTab := newChromiumPerson(t, owner, "grace")
	browse(t, graceTab, "open Grace's first link", chromedp.Navigate(first))
	waitH1(t, graceTab, "This link was replaced by a newer one")
	if code := evaluate[string](t, graceTab, `(document.querySelector(".error-code") || {}).textContent || ""`); strings.TrimSpace(code) != "410" {
		t.Errorf("the replaced link shows code %q, want 410", code)
	}
	browse(t, graceTab, "open Grace's second link", chromedp.Navigate(second))
	waitH1(t, graceTab, "Create your account")

	// 5. Terminate Ada on instance A; her next request, on instance B, is refused.
	browse(t, owner, "open Users on instance A", chromedp.Navigate(onA+"/users?tab=active"))
	waitH1(t, owner, "Users")
	rowMenu(t, owner, adaName, "Terminate", "Terminate: "+adaName)
	browse(t, owner, "confirm Terminate", chromedp.Click(inDialog("button", "Terminate")))
	waitFlash(t, owner, adaName+" was terminated")
	browse(t, adaTab, "Ada's next request, on instance B", chromedp.Navigate(onB+"/users"))
	waitH1(t, adaTab, "You are not a member of any organization")
	waitFlash(t, adaTab, "Your access to Acme has ended")

	// 6. Restore Ada on instance B; instance A serves her as a member again.
	browse(t, owner, "open Terminated on instance B", chromedp.Navigate(onB+"/users?tab=terminated"))
	waitH1(t, owner, "Users")
	rowMenu(t, owner, adaName, "Restore", "Restore: "+adaName)
	browse(t, owner, "confirm Restore", chromedp.Click(inDialog("button", "Restore")))
	waitFlash(t, owner, adaName+" was restored.")
	browse(t, adaTab, "Ada's next request, on instance A", chromedp.Navigate(onA+"/"))
	waitH1(t, adaTab, "Welcome, Ada")

	// Every email once: Ada's invitation, Grace's invitation and her reinvitation, nothing else.
	got := sink.counts()
	if len(got) != 2 || got[ada] != 1 || got[grace] != 2 {
		t.Errorf("the SMTP server received %v, want %s 1 and %s 2 (the invitation and the reinvitation)", got, ada, grace)
	}

	// And the outbox agrees: three messages, each sent on its first attempt, none still claimed
	// (so none can be sent again).
	st, err = store.Open(ctx, store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, err := st.FindOutbox(ctx, 1, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Errorf("the outbox holds %d messages, want 3", len(msgs))
	}
	for _, m := range msgs {
		if m.Status != models.OutboxSent || m.Attempts != 1 || m.ClaimedBy != "" {
			t.Errorf("outbox message %d to %s: status %s, %d attempts, claimed by %q; want sent once, unclaimed", m.ID, m.Recipient, m.Status, m.Attempts, m.ClaimedBy)
		}
	}

	// Round-robin without stickiness: both instances answered the Owner's logged-in pages
	// through the balancer.
	served := map[string]int{}
	logText, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(logText), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[1] == "200" && strings.HasPrefix(f[3], "/users") {
			served[f[0]]++
		}
	}
	if served[a.addr] == 0 || served[b.addr] == 0 {
		t.Errorf("through the balancer, logged-in /users requests were answered %v; want both %s and %s", served, a.addr, b.addr)
	}
	t.Logf("logged-in /users requests through the balancer, by instance: %v", served)
}

// splitBalancerConf is the round-robin balancer (with an access log naming the upstream of
// each request) and one port for each instance alone.
const splitBalancerConf = `daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
	log_format upstreams '$upstream_addr $status $request_method $uri';
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	proxy_http_version 1.1;
	proxy_set_header Connection "";
	proxy_set_header Host $http_host;
	proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
	proxy_set_header X-Forwarded-Proto $scheme;
	upstream gatehouse {
		server %[5]s;
		server %[6]s;
		keepalive 16;
	}
	server {
		listen 127.0.0.1:%[2]d;
		access_log %[1]s/access.log upstreams;
		location / { proxy_pass http://gatehouse; }
	}
	server {
		listen 127.0.0.1:%[3]d;
		location / { proxy_pass http://%[5]s; }
	}
	server {
		listen 127.0.0.1:%[4]d;
		location / { proxy_pass http://%[6]s; }
	}
}
`

// startSplitBalancer starts nginx on ports (the balancer, instance a alone, instance b alone)
// and returns the balancer's access log.
func startSplitBalancer(t *testing.T, bin string, ports [3]int, a, b string) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(splitBalancerConf, dir, ports[0], ports[1], ports[2], a, b)), 0o644); err != nil {
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
	for _, p := range ports {
		waitListening(t, fmt.Sprintf("127.0.0.1:%d", p), exited)
	}
	return filepath.Join(dir, "access.log")
}

// waitTexts waits until n messages have arrived for to and returns their plain-text parts.
func (s *smtpSink) waitTexts(t *testing.T, to string, n int) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		raw := append([][]byte(nil), s.raw[to]...)
		s.mu.Unlock()
		if len(raw) >= n {
			out := make([]string, len(raw))
			for i, r := range raw {
				out[i] = plainText(t, r)
			}
			return out
		}
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("%d emails to %s after 20 s, want %d", len(raw), to, n)
		}
	}
}

// plainText returns the text/plain part of a MIME message.
func plainText(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			t.Fatalf("no text/plain part in:\n%s", raw)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p) // quoted-printable is decoded by multipart
		if err != nil {
			t.Fatal(err)
		}
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/plain" {
			return string(body)
		}
	}
}

var e2eInviteLinkRe = regexp.MustCompile(`https?://[^\s"<>]+/invite/[A-Za-z0-9_-]{43}`)

func inviteLinkIn(t *testing.T, text string) string {
	t.Helper()
	link := e2eInviteLinkRe.FindString(text)
	if link == "" {
		t.Fatalf("no invitation link in the email:\n%s", text)
	}
	return link
}

// The browser side: a small chromedp flow. The handlers package has a fuller set of helpers
// (handlers/browser_test.go); a root-package test cannot import them, and this flow needs few.

const browserStepTimeout = 15 * time.Second

// startChromium starts a headless Chromium with a fresh profile and returns its first tab.
func startChromium(t *testing.T, path string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "gatehouse-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(func() {
		cancelAlloc()
		os.RemoveAll(profile)
	})
	return chromiumTab(t, alloc, "owner")
}

// newChromiumPerson opens a tab with its own cookies in the same Chromium.
func newChromiumPerson(t *testing.T, browser context.Context, name string) context.Context {
	t.Helper()
	return chromiumTab(t, context.WithoutCancel(browser), name, chromedp.WithNewBrowserContext())
}

func chromiumTab(t *testing.T, parent context.Context, name string, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	tabCtx, cancel := chromedp.NewContext(parent, opts...)
	stop := time.AfterFunc(30*time.Second, cancel)
	err := chromedp.Do(tabCtx)
	stop.Stop()
	if err != nil {
		cancel()
		t.Fatalf("starting the %s tab: %v", name, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			shows, _ := chromedp.Run(tabCtx, chromedp.Evaluate[string](`location.href + " shows: " +
				(document.body ? document.body.innerText.replace(/\s+/g, " ").trim().slice(0, 400) : "(no body)")`))
			t.Logf("the %s tab is at %s", name, shows)
		}
		cancel()
	})
	return tabCtx
}

// browse runs actions in the tab, failing the test, named by step, if they fail or take too long.
func browse(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// xpathLiteral quotes s for XPath (the texts here hold no double quote).
func xpathLiteral(s string) string { return `"` + s + `"` }

func xbutton(text string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()=` + xpathLiteral(text) + `]`)
}

// inDialog selects an element (button, a) of the open dialog by its text.
func inDialog(tag, text string) chromedp.Search {
	return chromedp.Search(`//div[@id="modal"]/dialog[@open]//` + tag + `[normalize-space()=` + xpathLiteral(text) + `]`)
}

// waitH1 waits for the page whose h1 is text.
func waitH1(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	browse(t, ctx, "wait for the page "+text, chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()=`+xpathLiteral(text)+`]`)))
}

// clickTo clicks sel, waits for the page load it starts and for the page whose h1 is text.
func clickTo(t *testing.T, ctx context.Context, sel chromedp.Search, h1 string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
		t.Fatalf("clicking %v to reach %q: %v", sel, h1, err)
	}
	waitH1(t, ctx, h1)
}

// typeInto types value into the field its <label> names.
func typeInto(t *testing.T, ctx context.Context, label, value string) {
	t.Helper()
	id := evaluate[string](t, ctx, `(function (text) {
		const l = Array.from(document.querySelectorAll("label")).filter(l => l.textContent.trim() === text);
		return l.length === 1 && l[0].control ? l[0].control.id : "";
	})(`+jsString(label)+`)`)
	if id == "" {
		t.Fatalf("no one field labelled %q", label)
	}
	browse(t, ctx, "type into "+label, chromedp.SendKeys(chromedp.ID(id), value))
}

// waitDialogTitled waits until the open dialog's h2 is title and htmx has settled it (so its
// form is enhanced before the test clicks).
func waitDialogTitled(t *testing.T, ctx context.Context, title string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.PollFunction[bool](`function (title) {
		const h = document.querySelector("#modal dialog[open] h2");
		return !!h && h.textContent.trim() === title && !document.querySelector(".htmx-settling, .htmx-request");
	}`, chromedp.WithPollingArgs(title), chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
		t.Fatalf("waiting for the dialog %q: %v", title, err)
	}
}

// waitFlash waits until a flash message contains want. The page may be replaced meanwhile
// (htmx swaps, or a plain form post and its redirect), so each look is its own evaluation.
func waitFlash(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(browserStepTimeout)
	for {
		ectx, cancel := context.WithTimeout(ctx, 2*time.Second)
		shown, err := chromedp.Run(ectx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll(".flash")).some(e => e.textContent.includes(`+jsString(want)+`))`))
		cancel()
		if err == nil && shown {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message %q was not shown within %s (last look: %v)", want, browserStepTimeout, err)
		}
		time.Sleep(50 * time.Millisecond) // polling the page for what the server answered
	}
}

// rowMenu opens the Users row menu "Actions for who", chooses item and waits for its dialog.
func rowMenu(t *testing.T, ctx context.Context, who, item, title string) {
	t.Helper()
	menu := `//details[summary[@aria-label=` + xpathLiteral("Actions for "+who) + `]]`
	browse(t, ctx, "open the row menu of "+who, chromedp.Click(chromedp.Search(menu+`/summary`)))
	browse(t, ctx, "choose "+item, chromedp.Click(chromedp.Search(menu+`//a[contains(@class,"menu-item")][normalize-space()=`+xpathLiteral(item)+`]`)))
	waitDialogTitled(t, ctx, title)
}
