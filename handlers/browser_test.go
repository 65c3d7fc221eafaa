package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gatehouse/models"
)

// Browser tests drive the system Chromium through the flows a person clicks. They skip when
// Chromium is missing, unless GATEHOUSE_E2E=1 (as in CI) makes that a failure.

const (
	browserTimeout = 60 * time.Second // a whole test in one tab; a hang fails instead of blocking
	pageTimeout    = 15 * time.Second // one page to appear after a click
	pollTimeout    = 10 * time.Second // one htmx swap or similar wait inside a page
)

// findChromium returns Debian's Chromium, or a chromium on PATH.
func findChromium() (string, error) {
	const debian = "/usr/bin/chromium"
	if _, err := os.Stat(debian); err == nil {
		return debian, nil
	}
	return exec.LookPath("chromium")
}

// browserTab is what the helpers keep about one tab: what its pages wrote to the console.
type browserTab struct {
	name    string
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

type tabKey struct{}

func tabOf(ctx context.Context) *browserTab {
	tab, _ := ctx.Value(tabKey{}).(*browserTab)
	return tab
}

// newBrowser starts a headless Chromium with a fresh profile for this test and returns the
// context of its first tab, bounded by browserTimeout. The browser closes when the test ends;
// if the test failed, a screenshot and the page's HTML are saved and their paths logged.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		const how = "browser tests need Chromium at /usr/bin/chromium or on PATH; install it with: apt-get install chromium"
		if os.Getenv("GATEHOUSE_E2E") == "1" {
			t.Fatal(how + " (GATEHOUSE_E2E=1 requires the browser tests to run)")
		}
		t.Skip(how)
	}
	// Not t.TempDir: Chromium's helper processes can still be writing when the test ends, and
	// a failed RemoveAll would fail the test.
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
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(func() {
		cancelAlloc()
		os.RemoveAll(profile)
	})
	return openTab(t, alloc, "browser")
}

// newPerson opens a tab in a new browser context of the same Chromium: its own cookies and
// storage, so a second person (an invitee, another admin) can act beside the first.
func newPerson(t *testing.T, browser context.Context, name string) context.Context {
	t.Helper()
	// The tab lives until the test ends, not until browser's deadline, so a screenshot can
	// still be taken after a timeout.
	return openTab(t, context.WithoutCancel(browser), name, chromedp.WithNewBrowserContext())
}

func openTab(t *testing.T, parent context.Context, name string, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(parent, opts...)
	// The first action binds the tab (and for the first tab, the browser) to the context it
	// runs with, so it gets tabCtx itself; a timer stands in for a deadline.
	stop := time.AfterFunc(30*time.Second, cancelTab)
	err := chromedp.Do(tabCtx)
	stop.Stop()
	if err != nil {
		cancelTab()
		t.Fatalf("starting %s: %v", name, err)
	}

	tab := &browserTab{name: name}
	messages := chromedp.Console(tabCtx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.console = append(tab.console, m)
			tab.mu.Unlock()
		}
	}()

	runCtx, cancelRun := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(func() {
		if t.Failed() {
			saveEvidence(t, tabCtx, name)
		}
		cancelRun()
		cancelTab()
		<-done
	})
	return context.WithValue(runCtx, tabKey{}, tab)
}

// saveEvidence keeps a screenshot and the HTML of the tab's page outside the test's temporary
// directory (which is deleted when the test ends) and logs where.
func saveEvidence(t *testing.T, tabCtx context.Context, name string) {
	ctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
	defer cancel()
	base := fmt.Sprintf("%s/%s-%s-%d", os.TempDir(), regexp.MustCompile(`\W+`).ReplaceAllString(t.Name(), "_"), name, time.Now().UnixNano())
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err != nil {
		t.Logf("%s: no screenshot: %v", name, err)
	} else if err := os.WriteFile(base+".png", png, 0o644); err == nil {
		t.Logf("%s: screenshot of %s saved to %s", name, loc, base+".png")
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		if err := os.WriteFile(base+".html", []byte(html), 0o644); err == nil {
			t.Logf("%s: page HTML saved to %s", name, base+".html")
		}
	}
}

// consoleProblems returns what the tab's pages wrote to the console that a person would see
// as broken: uncaught exceptions, console errors, Content Security Policy violations, and
// failed loads of Gatehouse's own static files. Failed loads of other URLs are left to the
// test: a 422 answer to an htmx form is normal.
func consoleProblems(ctx context.Context) []string {
	tab := tabOf(ctx)
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var out []string
	for _, m := range tab.console {
		problem := false
		switch {
		case strings.Contains(m.Text, "Content Security Policy"), m.Source == "security":
			problem = true
		case m.Source == "network":
			problem = m.Type == chromedp.ConsoleError && strings.Contains(m.URL, "/static/")
		case m.IsException(), m.Type == chromedp.ConsoleError:
			problem = true
		}
		if problem {
			out = append(out, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
		}
	}
	return out
}

// clearConsole forgets the messages seen so far.
func clearConsole(ctx context.Context) {
	tab := tabOf(ctx)
	tab.mu.Lock()
	tab.console = nil
	tab.mu.Unlock()
}

// assertCleanConsole fails the test if the tab's pages reported problems (see consoleProblems).
func assertCleanConsole(t *testing.T, ctx context.Context) {
	t.Helper()
	if p := consoleProblems(ctx); len(p) > 0 {
		t.Errorf("%s console reports problems:\n  %s", tabOf(ctx).name, strings.Join(p, "\n  "))
	}
}

// do runs steps in the tab and stops the test, naming the step, if one fails.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// run runs one action that returns a value, stopping the test if it fails.
func run[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// xpathText quotes s for an XPath expression.
func xpathText(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `concat("` + strings.ReplaceAll(s, `"`, `", '"', "`) + `")`
}

// heading selects the page's h1 with exactly this text, so waiting on it waits for that page.
func heading(text string) chromedp.Search {
	return chromedp.Search(`//h1[normalize-space()=` + xpathText(text) + `]`)
}

// button selects a button by its visible text.
func button(text string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()=` + xpathText(text) + `]`)
}

// waitPage waits until the page with heading h1 is shown. If another page stays instead, the
// test stops with that page's address, heading and text.
func waitPage(t *testing.T, ctx context.Context, h1 string) {
	t.Helper()
	waitPageFor(t, ctx, h1, pageTimeout)
}

func waitPageFor(t *testing.T, ctx context.Context, h1 string, d time.Duration) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(heading(h1))); err != nil {
		shows, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search + " shows: " +
			(document.body ? document.body.innerText.replace(/\s+/g, " ").trim().slice(0, 400) : "(no body)")`))
		t.Fatalf("waiting for the page %q: %v; the browser is at %s", h1, err, shows)
	}
}

// clickToPage clicks what sel finds, waits for the page load it starts, and then for the page
// with heading h1: a wrong page fails at once with what it shows.
func clickToPage[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, h1 string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
		t.Fatalf("clicking %v to reach %q: %v", sel, h1, err)
	}
	// The page has loaded: its heading is there already, or this is the wrong page.
	waitPageFor(t, ctx, h1, 2*time.Second)
}

// labelled returns the id of the input that the <label> with exactly this text names with its
// `for` attribute, failing the test unless exactly one such label exists and is wired to a
// control, so a test that types into a field also proves the field is labelled.
func labelled(t *testing.T, ctx context.Context, label string) chromedp.ID {
	t.Helper()
	type found struct {
		ID    string `json:"id"`
		Error string `json:"error"`
	}
	f := run(t, ctx, "find the field labelled "+label, chromedp.Evaluate[found](`(function (text) {
		const labels = Array.from(document.querySelectorAll("label")).filter(l => l.textContent.trim() === text);
		if (labels.length !== 1) return {error: labels.length + " labels have this text"};
		const l = labels[0];
		if (!l.htmlFor) return {error: "the label has no for attribute"};
		const el = document.getElementById(l.htmlFor);
		if (!el) return {error: "no element has the label's for id " + JSON.stringify(l.htmlFor)};
		if (l.control !== el) return {error: "the label's for names a " + el.tagName + ", not a form control"};
		return {id: el.id};
	})(`+js(label)+`)`))
	if f.Error != "" {
		t.Fatalf("field labelled %q: %s", label, f.Error)
	}
	return chromedp.ID(f.ID)
}

// fill types each value into the field with that label, in order, as a person would.
func fill(t *testing.T, ctx context.Context, fields ...[2]string) {
	t.Helper()
	for _, f := range fields {
		do(t, ctx, "type into "+f[0], chromedp.SendKeys(labelled(t, ctx, f[0]), f[1]))
	}
}

// flashes returns the texts of the page's flash messages.
func flashes(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return run(t, ctx, "read flash messages", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".flash")).map(e => e.textContent.trim())`))
}

func assertFlash(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	got := flashes(t, ctx)
	for _, f := range got {
		if strings.Contains(f, want) {
			return
		}
	}
	t.Errorf("flash %q not shown; flashes: %q", want, got)
}

// location returns the tab's current URL, parsed.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	u, err := url.Parse(run(t, ctx, "read location", chromedp.Location()))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// usersTab is one tab of the Users page's tab bar as the browser shows it.
type usersTab struct {
	Label       string `json:"label"`
	Count       string `json:"count"`
	AriaCurrent string `json:"ariaCurrent"` // the attribute's value; "" when present but empty
	HasCurrent  bool   `json:"hasCurrent"`
}

// usersRow is one row of the Users table, cells keyed by column heading.
type usersRow struct {
	Cells      map[string]string   `json:"cells"`
	Badges     map[string][]string `json:"badges"`
	ActionsFor string              `json:"actionsFor"` // aria-label of the row menu's summary
}

// usersPage is what the Users page shows, read in one go.
type usersPage struct {
	Tabs  []usersTab `json:"tabs"`
	Rows  []usersRow `json:"rows"`
	Empty string     `json:"empty"`
}

func readUsersPage(t *testing.T, ctx context.Context) usersPage {
	t.Helper()
	return run(t, ctx, "read the Users page", chromedp.Evaluate[usersPage](`(function () {
		const tabs = Array.from(document.querySelectorAll('nav[aria-label="Member status"] a')).map(a => {
			const count = a.querySelector(".tab-count");
			let label = a.textContent;
			if (count) label = label.replace(count.textContent, "");
			return {label: label.trim(), count: count ? count.textContent.trim() : "",
				ariaCurrent: a.getAttribute("aria-current") || "", hasCurrent: a.hasAttribute("aria-current")};
		});
		const results = document.getElementById("users-results");
		if (!results) return {tabs: tabs, rows: [], empty: ""};
		const heads = Array.from(results.querySelectorAll("thead th")).map(th => th.textContent.replace(/[↑↓]/g, "").trim());
		const rows = Array.from(results.querySelectorAll("tbody tr")).map(tr => {
			const cells = {}, badges = {};
			Array.from(tr.children).forEach((td, i) => {
				const key = heads[i] || ("col" + i);
				cells[key] = td.textContent.replace(/\s+/g, " ").trim();
				badges[key] = Array.from(td.querySelectorAll(".badge")).map(b => b.textContent.trim());
			});
			const summary = tr.querySelector("details summary[aria-label]");
			return {cells: cells, badges: badges, actionsFor: summary ? summary.getAttribute("aria-label") : ""};
		});
		const empty = results.querySelector(".empty");
		return {tabs: tabs, rows: rows, empty: empty ? empty.textContent.trim() : ""};
	})()`))
}

// markResults tags the current #users-results element and the window, so a later check can
// tell an htmx swap (new element, same window) from a full page load (new window).
func markResults(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "mark the results", chromedp.Evaluate[chromedp.Void](
		`window.__gatehouseTest = true; document.getElementById("users-results").dataset.testOld = "1"`))
}

// waitSwappedResults waits until htmx has replaced #users-results, without a page load, with
// results whose text contains want.
func waitSwappedResults(t *testing.T, ctx context.Context, step, want string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function (want) {
		const r = document.getElementById("users-results");
		return window.__gatehouseTest === true && !!r && !r.dataset.testOld && r.textContent.includes(want);
	}`, chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("users-results") || {}).textContent || "(no #users-results)"`))
		t.Fatalf("%s: results never showed %q after an htmx swap (%v); they show: %s", step, want, err,
			strings.Join(strings.Fields(got), " "))
	}
}

// TestBrowserFirstOwnerFlow follows the first person to use a new Gatehouse: from the setup
// link printed on first start, through creating the organization and logging in, to the
// Users page, its search, and logging out.
func TestBrowserFirstOwnerFlow(t *testing.T) {
	ctx := newBrowser(t) // first, so a missing browser skips before anything starts
	app := newTestApp(t)
	began := time.Now()
	defer func() { t.Logf("browser flow took %s", time.Since(began).Round(time.Millisecond)) }()

	const (
		org   = "Acme Rockets"
		first = "Olive"
		last  = "Owner"
		email = "olive.owner@example.com"
	)
	name := first + " " + last

	// 1. The setup link Gatehouse prints on first start.
	token, err := app.Store.CreateSetupToken(context.Background())
	if err != nil || token == "" {
		t.Fatalf("CreateSetupToken: %q, %v", token, err)
	}
	do(t, ctx, "open the setup link", chromedp.Navigate(app.Server.URL+"/setup?token="+url.QueryEscape(token)))
	waitPage(t, ctx, "Set up Gatehouse")

	// 2. Fill the form by its labels and create the Owner.
	fill(t, ctx,
		[2]string{"Organization name", org},
		[2]string{"First name", first},
		[2]string{"Last name", last},
		[2]string{"Email", email},
		[2]string{"Password", testPassword},
		[2]string{"Confirm password", testPassword},
	)
	clickToPage(t, ctx, chromedp.CSS(`form[action="/setup"] button[type="submit"]`), "Log in")

	// 3. The login page says the account is ready; log in.
	if u := location(t, ctx); u.Path != "/login" {
		t.Errorf("after setup the browser is at %s, want /login", u)
	}
	assertFlash(t, ctx, "Your Owner account is ready")
	// A new organization requires two-factor authentication; enrolling is the MFA browser
	// test's subject, so this flow turns the policy off to reach the Users page directly.
	if err := openDB(app).db.Exec("UPDATE organizations SET mfa_policy = ?", models.MFAOff).Error; err != nil {
		t.Fatal(err)
	}
	fill(t, ctx, [2]string{"Email", email}, [2]string{"Password", testPassword})
	clickToPage(t, ctx, button("Log in"), "Welcome, "+first)

	// 4. Users, through the side navigation's "User control" section.
	usersLink := chromedp.Search(`//aside//nav//*[./*[normalize-space()="User control"]]//a[normalize-space()="Users"]`)
	clickToPage(t, ctx, usersLink, "Users")
	if u := location(t, ctx); u.Path != "/users" {
		t.Errorf("the Users link led to %s, want /users", u)
	}
	if !run(t, ctx, "check htmx loaded", chromedp.Evaluate[bool](`typeof htmx !== "undefined"`)) {
		t.Fatal("htmx did not load on the Users page (blocked by CSP, or a wrong static URL?)")
	}
	navCurrent := run(t, ctx, "read the navigation's current item", chromedp.Evaluate[string](
		`(document.querySelector('aside nav a[href="/users"]') || {getAttribute: () => null}).getAttribute("aria-current") || ""`))
	if navCurrent == "" || navCurrent == "false" {
		t.Errorf(`the side navigation's "Users" link has aria-current=%q; assistive technology reads an empty value as "false", want "page"`, navCurrent)
	}

	users := readUsersPage(t, ctx)
	var labels []string
	for _, tb := range users.Tabs {
		labels = append(labels, tb.Label)
	}
	if got, want := strings.Join(labels, ","), "Active,Pending,Inactivated,Terminated"; got != want {
		t.Errorf("tabs %q, want %q", got, want)
	}
	for _, tb := range users.Tabs {
		current := tb.HasCurrent && tb.AriaCurrent != "" && tb.AriaCurrent != "false"
		switch {
		case tb.Label == "Active" && !current:
			t.Errorf(`the "Active" tab is not marked current for assistive technology: aria-current=%q (present: %v), want "page"`, tb.AriaCurrent, tb.HasCurrent)
		case tb.Label != "Active" && tb.HasCurrent:
			t.Errorf("tab %q is marked current, but Active is the open tab", tb.Label)
		}
		if tb.Label == "Active" && tb.Count != "1" {
			t.Errorf(`the "Active" tab counts %q, want "1"`, tb.Count)
		}
	}
	if len(users.Rows) != 1 {
		t.Fatalf("the Active tab lists %d rows, want the Owner alone: %+v", len(users.Rows), users.Rows)
	}
	row := users.Rows[0]
	if !strings.Contains(row.Cells["Name"], name) {
		t.Errorf("Name cell %q, want %q", row.Cells["Name"], name)
	}
	if row.Cells["Email"] != email {
		t.Errorf("Email cell %q, want %q", row.Cells["Email"], email)
	}
	if got := row.Badges["Roles"]; len(got) != 1 || got[0] != "Owner" {
		t.Errorf("Roles badges %q, want [Owner]", got)
	}
	if got := row.Badges["Status"]; len(got) != 1 || got[0] != "Active" {
		t.Errorf("Status badges %q, want [Active]", got)
	}
	if !strings.HasPrefix(row.ActionsFor, "Actions for") {
		t.Errorf("row-actions menu: summary aria-label %q, want one starting %q", row.ActionsFor, "Actions for")
	} else if !strings.Contains(row.ActionsFor, name) {
		t.Errorf("row-actions menu %q does not say whose row it is (%q)", row.ActionsFor, name)
	}

	// 5. Search: part of the email finds the Owner, nonsense finds nobody; htmx swaps the results.
	search := labelled(t, ctx, "Search")
	markResults(t, ctx)
	do(t, ctx, "type part of the email into Search", chromedp.SendKeys(search, email[:7]))
	waitSwappedResults(t, ctx, "search "+email[:7], email)
	if users := readUsersPage(t, ctx); len(users.Rows) != 1 || users.Rows[0].Cells["Email"] != email {
		t.Errorf("searching %q lists %+v, want the Owner alone", email[:7], users.Rows)
	}
	if u := location(t, ctx); u.Query().Get("q") != email[:7] {
		t.Errorf("after searching, the address is %s; want q=%s pushed so the search can be bookmarked", u, email[:7])
	}
	const nobody = "zz-nobody"
	markResults(t, ctx)
	do(t, ctx, "type a search that matches nobody",
		chromedp.Clear(search),
		chromedp.SendKeys(search, nobody))
	waitSwappedResults(t, ctx, "search "+nobody, "No members match")
	if users := readUsersPage(t, ctx); len(users.Rows) != 0 || !strings.Contains(users.Empty, nobody) {
		t.Errorf("searching %q: rows %+v, empty message %q; want no rows and a message naming the search", nobody, users.Rows, users.Empty)
	}

	// Nothing the logged-in pages did broke the Content Security Policy or threw (7 below).
	if !run(t, ctx, "check htmx after the swaps", chromedp.Evaluate[bool](`typeof htmx !== "undefined"`)) {
		t.Error("htmx is gone after the search swaps")
	}
	assertCleanConsole(t, ctx)
	clearConsole(ctx)

	// 6. Log out through the account menu; the session is over on the server too.
	do(t, ctx, "open the account menu", chromedp.Click(chromedp.CSS(`details.account-menu > summary`)))
	do(t, ctx, "see Log out in the account menu", chromedp.WaitVisible(button("Log out")))
	clickToPage(t, ctx, button("Log out"), "Log in")
	assertFlash(t, ctx, "You have been logged out.")
	do(t, ctx, "go back to /users", chromedp.Navigate(app.Server.URL+"/users"))
	waitPage(t, ctx, "Log in")
	if u := location(t, ctx); u.Path != "/login" || u.Query().Get("next") != "/users" {
		t.Errorf("after logging out, /users led to %s; want /login?next=/users", u)
	}
	assertCleanConsole(t, ctx)

	// 7. The console check sees CSP violations: an inline script, which the policy forbids, is
	// reported and does not run.
	clearConsole(ctx)
	do(t, ctx, "inject an inline script", chromedp.Evaluate[chromedp.Void](
		`(() => { const s = document.createElement("script"); s.textContent = "window.__inlineRan = true"; document.head.appendChild(s); })()`))
	deadline := time.Now().Add(pollTimeout)
	for len(consoleProblems(ctx)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // console events arrive on their own goroutine
	}
	if p := consoleProblems(ctx); len(p) == 0 || !strings.Contains(strings.Join(p, " "), "Content Security Policy") {
		t.Errorf("an inline script was not reported as a CSP violation; console: %q", p)
	}
	if run(t, ctx, "check the inline script did not run", chromedp.Evaluate[bool](`window.__inlineRan === true`)) {
		t.Error("an inline script ran: the Content Security Policy does not forbid inline scripts")
	}
	clearConsole(ctx)
}
