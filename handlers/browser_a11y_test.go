package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gatehouse/models"
	"gatehouse/store"
)

// Accessibility and responsive-layout tests: axe-core on every page and dialog, a phone-size
// flow, a keyboard-only flow. axe-core is the npm package that .ci/run installs into
// .cache/axe; GATEHOUSE_AXE names another axe.min.js.

const axeDefault = "../.cache/axe/node_modules/axe-core/axe.min.js"

// longEmail is a 200-character address: it must not break any table, dialog or page.
var longEmail = strings.Repeat("l", 188) + "@example.com"

// a11yPages are the pages axe scans, for each role that may open them. A new page is one line.
// path may name {eve} (an active Editor's member page) or {long} (the invited member with a
// 200-character email); follow, when set, is a link on that page to open and scan instead.
var a11yPages = []struct {
	name, path, follow string
	editor             bool // the Editor scans it too (the Owner scans every page)
}{
	{name: "home", path: "/", editor: true},
	{name: "users active", path: "/users?tab=active", editor: true},
	{name: "users pending", path: "/users?tab=pending", editor: true},
	{name: "users rejected", path: "/users?tab=pending&filter=rejected"},
	{name: "users inactivated", path: "/users?tab=inactivated", editor: true},
	{name: "users terminated", path: "/users?tab=terminated"},
	{name: "users search", path: "/users?tab=active&q=ada", editor: true},
	{name: "users filtered by app", path: "/users?tab=active&app={app}"},
	{name: "users filtered by department", path: "/users?tab=active&dept={dept}", editor: true},
	{name: "departments", path: "/departments"},
	{name: "member page", path: "/users/{eve}", editor: true},
	{name: "member page, invited, long email", path: "/users/{long}"},
	{name: "audit log", path: "/audit"},
	{name: "settings", path: "/settings"},
	{name: "outbox", path: "/outbox"},
	{name: "outbox message", path: "/outbox", follow: "#outbox-results tbody a"},
	{name: "account", path: "/account", editor: true},
	{name: "two-factor setup", path: "/mfa/setup", editor: true},
	{name: "authenticator setup", path: "/mfa/setup/app"},
	{name: "import users", path: "/users/import"},
	{name: "apps", path: "/apps"},
	{name: "add app", path: "/apps/new"},
	{name: "app", path: "/apps/{app}"},
	{name: "rotate signing key without JavaScript", path: "/apps/signing-key/rotate"},
	{name: "not found", path: "/users/999999999", editor: true},
	{name: "dialog page without JavaScript", path: "/users/{eve}/roles"},
	{name: "notifications", path: "/notifications", editor: true},
	{name: "create organization without JavaScript", path: "/organizations/new", editor: true},
	{name: "leave organization without JavaScript", path: "/account/leave", editor: true},
	{name: "delete organization without JavaScript", path: "/settings/delete"},
}

// a11yDialogs are the dialogs axe scans: opened with htmx from page, by the row-menu item or
// link with this text (the first one on the page). A new dialog is one line.
var a11yDialogs = []struct {
	page, item string
	editor     bool
}{
	{page: "/users?tab=active", item: "Invite users", editor: true},
	{page: "/users?tab=active", item: "Edit roles"},
	{page: "/users?tab=active", item: "Edit details"},
	{page: "/users?tab=active", item: "Terminate"},
	{page: "/users?tab=inactivated", item: "Reinvite"},
	{page: "/users?tab=inactivated", item: "Revoke invitation"},
	{page: "/users?tab=inactivated", item: "Copy invite link"},
	{page: "/users?tab=pending", item: "Approve"},
	{page: "/users?tab=pending", item: "Reject"},
	{page: "/users?tab=pending&filter=rejected", item: "Re-approve"},
	{page: "/users?tab=terminated", item: "Restore"},
	{page: "/users/{long}", item: "Revoke invitation"},
	{page: "/users?tab=active", item: "Edit access"},
	{page: "/apps", item: "Disable"},
	{page: "/departments", item: "Rename"},
	{page: "/departments", item: "Delete"},
	{page: "/apps", item: "Rotate signing key"},
	{page: "/", item: "Create organization", editor: true},
	{page: "/", item: "Invite member"},
	{page: "/account", item: "Leave organization", editor: true},
	{page: "/settings", item: "Delete organization"},
}

// a11yOrg is a seeded organization: the Owner olive@example.com, an Editor eve@example.com,
// an invited member with a 200-character email, a rejected one, and 24 seeded members in every status.
type a11yOrg struct {
	app                   *testApp
	eve, long, wiki, dept int64
	ownerEmail            string
}

func seededOrg(t *testing.T) *a11yOrg {
	t.Helper()
	app, _, db, orgID := ownerWithDB(t)
	if _, err := app.Store.Seed(context.Background(), store.SeedOptions{Members: 24, Seed: 10}); err != nil {
		t.Fatal(err)
	}
	ms := db.addMembers(orgID,
		member{Email: "eve@example.com", First: "Eve", Last: "Editor", Roles: []models.Role{models.RoleEditor}},
		member{Email: longEmail, Status: models.StatusInvited, NoAccount: true, Roles: []models.Role{models.RoleViewer}},
		member{Email: "rex@example.com", First: "Rex", Last: "Rejected", Status: models.StatusRejected},
	)
	// An app to guard, added as the Owner would.
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/apps/new")
	added := c.post("/apps", url.Values{"name": {"Wiki"}, "description": {"The team's wiki"}, "urls": {"wiki.example.com\ntools.example.com/wiki"}})
	wiki, err := strconv.ParseInt(strings.TrimPrefix(added.location(), "/apps/"), 10, 64)
	if added.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("add app: status %d, location %q", added.StatusCode, added.location())
	}
	// Every Editor gets it, so the Users page filtered by it and Eve's page list someone's apps.
	if p := c.post(fmt.Sprintf("/apps/%d/roles", wiki), url.Values{"roles": {"editor"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("app roles: status %d", p.StatusCode)
	}
	// With an OpenID Connect client, so the app's page lists one.
	c.get(fmt.Sprintf("/apps/%d", wiki))
	if p := c.post(fmt.Sprintf("/apps/%d/oidc-clients", wiki), url.Values{"redirect_uris": {"https://wiki.example.com/oauth/callback"}}); p.StatusCode != http.StatusOK {
		t.Fatalf("add OIDC client: status %d", p.StatusCode)
	}
	// The seed files members under departments; the filter is scanned on the first.
	depts := app.departments(orgID)
	if len(depts) == 0 {
		t.Fatal("the seed made no departments")
	}
	return &a11yOrg{app: app, eve: ms[0].ID, long: ms[1].ID, wiki: wiki, dept: depts[0].ID, ownerEmail: "olive@example.com"}
}

func (o *a11yOrg) path(p string) string {
	p = strings.ReplaceAll(p, "{eve}", fmt.Sprint(o.eve))
	p = strings.ReplaceAll(p, "{app}", fmt.Sprint(o.wiki))
	p = strings.ReplaceAll(p, "{dept}", fmt.Sprint(o.dept))
	return strings.ReplaceAll(p, "{long}", fmt.Sprint(o.long))
}

// logIn logs the tab in through the form.
func logIn(t *testing.T, ctx context.Context, base, email, home string) {
	t.Helper()
	step(t, ctx, "open the login page", chromedp.Navigate(base+"/login"))
	waitPage(t, ctx, "Log in")
	fill(t, ctx, [2]string{"Email", email}, [2]string{"Password", testPassword})
	clickToPage(t, ctx, button("Log in"), home)
}

// axeSource reads axe.min.js, failing (GATEHOUSE_E2E=1) or skipping when it is missing.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("GATEHOUSE_AXE")
	if path == "" {
		path = axeDefault
	}
	b, err := os.ReadFile(path)
	if err != nil {
		abs, _ := filepath.Abs(path)
		how := "the accessibility test needs axe-core at " + abs + "; install it with: npm install --prefix .cache/axe axe-core@4.14.1 (bash .ci/run does)"
		if os.Getenv("GATEHOUSE_E2E") == "1" {
			t.Fatal(how)
		}
		t.Skip(how)
	}
	return string(b)
}

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeScan runs axe-core at WCAG 2.2 A/AA on the document and reports every violation.
func axeScan(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if !run(t, ctx, "check for axe", chromedp.Evaluate[bool](`typeof window.axe !== "undefined"`)) {
		step(t, ctx, "inject axe", chromedp.Evaluate[chromedp.Void](axe+"\n;undefined"))
	}
	vs := run(t, ctx, "axe "+what, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " "))})))`,
		chromedp.EvalAwaitPromise))
	for _, v := range vs {
		t.Errorf("axe on %s: %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
}

// colorScheme emulates prefers-color-scheme.
func colorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
	if err != nil {
		t.Fatalf("emulate %s: %v", scheme, err)
	}
}

// openDialogByText opens, with htmx, the dialog behind the first menu item or link with this text.
func openDialogByText(t *testing.T, ctx context.Context, item string) {
	t.Helper()
	href := run(t, ctx, "find "+item, chromedp.Evaluate[string](`(function (text) {
		const a = Array.from(document.querySelectorAll('a[hx-target="#modal"]')).find(a => a.textContent.trim() === text);
		return a ? a.getAttribute("hx-get") : "";
	})(`+js(item)+`)`))
	if href == "" {
		t.Fatalf("no link %q on the page opens a dialog", item)
	}
	step(t, ctx, "open "+item, chromedp.Evaluate[chromedp.Void](`htmx.ajax("GET", `+js(href)+`, {target: "#modal", swap: "innerHTML"}); undefined`))
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function () {
		return !!document.querySelector("#modal dialog[open]") && !document.querySelector(".htmx-settling, .htmx-request");
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("the dialog of %q did not open: %v", item, err)
	}
}

// TestBrowserAccessibility runs axe-core on every page and dialog, as the Owner (light and
// dark) and as an Editor, in a seeded organization: no violations at WCAG 2.2 A/AA.
func TestBrowserAccessibility(t *testing.T) {
	browser := newBrowser(t)
	axe := axeSource(t)
	org := seededOrg(t)
	base := org.app.Server.URL

	// Logged out.
	for _, p := range []string{"/login", "/forgot-password", "/join"} {
		step(t, browser, "open "+p, chromedp.Navigate(base+p))
		axeScan(t, browser, axe, p+" (logged out)")
	}

	// Each role, colour scheme and half (pages, dialogs) gets a tab of its own, logged in
	// afresh, so each stays well inside a tab's time budget.
	for _, who := range []struct {
		name, email, home string
		editor            bool
	}{{"Owner", org.ownerEmail, "Welcome, Olive", false}, {"Editor", "eve@example.com", "Welcome, Eve", true}} {
		for _, scheme := range []string{"light", "dark"} {
			began := time.Now()
			ctx := newPerson(t, browser, who.name+"-"+scheme+"-pages")
			colorScheme(t, ctx, scheme)
			logIn(t, ctx, base, who.email, who.home)
			for _, p := range a11yPages {
				if who.editor && !p.editor {
					continue
				}
				step(t, ctx, "open "+p.name, chromedp.Navigate(base+org.path(p.path)))
				if p.follow != "" {
					clickToPageAny(t, ctx, p.follow)
				}
				what := fmt.Sprintf("%s as %s (%s)", p.name, who.name, scheme)
				axeScan(t, ctx, axe, what)
				noSideways(t, ctx, what+" at 1280 px")
				fitsCards(t, ctx, what+" at 1280 px")
				shoot(t, ctx, strings.NewReplacer(" ", "-", ",", "").Replace(who.name+"-"+scheme+"-"+p.name))
			}

			ctx = newPerson(t, browser, who.name+"-"+scheme+"-dialogs")
			colorScheme(t, ctx, scheme)
			logIn(t, ctx, base, who.email, who.home)
			for _, d := range a11yDialogs {
				if who.editor && !d.editor {
					continue
				}
				step(t, ctx, "open "+d.page, chromedp.Navigate(base+org.path(d.page)))
				openDialogByText(t, ctx, d.item)
				what := fmt.Sprintf("dialog %q on %s as %s (%s)", d.item, d.page, who.name, scheme)
				axeScan(t, ctx, axe, what)
				noSideways(t, ctx, what)
				inViewport(t, ctx, what, "#modal dialog[open], #modal dialog[open] .dialog-actions .btn")
			}
			t.Logf("%s, %s: every page and dialog scanned in %s", who.name, scheme, time.Since(began).Round(time.Millisecond))
		}
	}
}

// clickToPageAny follows the first link matching css.
func clickToPageAny(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	href := run(t, ctx, "find "+css, chromedp.Evaluate[string](`(document.querySelector(`+js(css)+`) || {}).href || ""`))
	if href == "" {
		t.Fatalf("no link %s", css)
	}
	step(t, ctx, "follow "+css, chromedp.Navigate(href))
}

// noSideways fails unless the page fits the viewport's width: nothing scrolls sideways.
func noSideways(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type widths struct{ Scroll, Inner int }
	w := run(t, ctx, "measure "+where, chromedp.Evaluate[widths](`({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`))
	if w.Scroll > w.Inner {
		wide := run(t, ctx, "find what is too wide", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).filter(e =>
			e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest("details:not([open]) > :not(summary)")).slice(0, 6).map(e =>
			e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className + " right " + Math.round(e.getBoundingClientRect().right))`))
		t.Errorf("%s: the page is %d px wide in a %d px viewport; too wide: %q", where, w.Scroll, w.Inner, wide)
	}
}

// fitsCards fails unless every table card shows its whole table without scrolling, and every
// row menu button lies inside its card.
func fitsCards(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	bad := run(t, ctx, "measure the cards", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".table-card")).flatMap(card => {
		const out = [], c = card.getBoundingClientRect();
		if (card.scrollWidth > card.clientWidth) out.push((card.id || "card") + " scrolls: " + card.scrollWidth + " > " + card.clientWidth);
		card.querySelectorAll("summary, td").forEach(e => {
			const r = e.getBoundingClientRect();
			if (r.right > c.right + 0.5) out.push((card.id || "card") + ": " + e.tagName + " ends at " + Math.round(r.right) + ", past the card's " + Math.round(c.right));
		});
		return out.slice(0, 5);
	})`))
	for _, b := range bad {
		t.Errorf("%s: %s", where, b)
	}
}

// inViewport fails unless every element matching xpath lies within the viewport's width.
func inViewport(t *testing.T, ctx context.Context, where, css string) {
	t.Helper()
	bad := run(t, ctx, "measure "+css, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+js(css)+`)).filter(e => {
		const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth || r.width === 0;
	}).map(e => e.textContent.trim() + " " + JSON.stringify(e.getBoundingClientRect()))`))
	if len(bad) > 0 {
		t.Errorf("%s: outside the viewport: %q", where, bad)
	}
}

// TestBrowserPhone uses Gatehouse at 390×844: open the navigation, invite a person, terminate
// another. The page never scrolls sideways and every dialog button can be reached.
func TestBrowserPhone(t *testing.T) {
	browser := newBrowser(t)
	org := seededOrg(t)
	base := org.app.Server.URL
	ctx := newPerson(t, browser, "phone")
	step(t, ctx, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile))
	logIn(t, ctx, base, org.ownerEmail, "Welcome, Olive")
	noSideways(t, ctx, "Home")

	// The navigation is behind the Menu button.
	if run(t, ctx, "is the nav hidden", chromedp.Evaluate[bool](`document.querySelector(".nav a[href='/users']").checkVisibility()`)) {
		t.Error("at 390 px the navigation is shown before Menu is opened")
	}
	step(t, ctx, "open the menu", chromedp.Click(chromedp.Search(`//summary[normalize-space()="Menu"]`)))
	noSideways(t, ctx, "the open navigation")
	clickToPage(t, ctx, navLink("Users"), "Users")
	noSideways(t, ctx, "Users")
	shoot(t, ctx, "phone-users")

	// Invite a person.
	openDialog(t, ctx, chromedp.Search(`//a[normalize-space()="Invite users"]`), "Invite users")
	noSideways(t, ctx, "the Invite dialog")
	inViewport(t, ctx, "the Invite dialog", "#modal dialog[open]")
	fill(t, ctx, [2]string{"Emails", "phoebe@example.com"})
	step(t, ctx, "scroll to Send invitations", chromedp.ScrollIntoView(dialogButton("Send invitations")))
	inViewport(t, ctx, "the Invite dialog's buttons", "#modal dialog[open] .dialog-actions .btn")
	replaceDialog(t, ctx, dialogButton("Send invitations"), "Invitations")
	noSideways(t, ctx, "the invitation result")
	clickToPage(t, ctx, dialogLink("Done"), "Users")
	noSideways(t, ctx, "Inactivated")
	if _, ok := rowOf(readUsersPage(t, ctx), "phoebe@example.com"); !ok {
		t.Error("the invited person is not on the Inactivated tab")
	}

	// Terminate another.
	clickToPage(t, ctx, usersTabLink("Active"), "Users")
	rowAction(t, ctx, "Eve Editor", "Terminate", "Terminate: Eve Editor")
	noSideways(t, ctx, "the Terminate dialog")
	shoot(t, ctx, "phone-terminate")
	inViewport(t, ctx, "the Terminate dialog", "#modal dialog[open]")
	inViewport(t, ctx, "the Terminate dialog's buttons", "#modal dialog[open] .dialog-actions .btn")
	submitInPlace(t, ctx, dialogButton("Terminate"))
	assertFlash(t, ctx, "Eve Editor was terminated")
	noSideways(t, ctx, "Users after terminating")
	if _, ok := rowOf(readUsersPage(t, ctx), "eve@example.com"); ok {
		t.Error("Eve is still on the Active tab after terminating her")
	}
	for _, p := range []string{"/audit", "/outbox", "/account", "/settings", "/departments", fmt.Sprintf("/users/%d", org.long)} {
		step(t, ctx, "open "+p, chromedp.Navigate(base+p))
		noSideways(t, ctx, p)
		shoot(t, ctx, "phone"+strings.ReplaceAll(p, "/", "-"))
	}
}

// activeIs reports whether the focused element matches css.
func activeIs(t *testing.T, ctx context.Context, css string) bool {
	t.Helper()
	return run(t, ctx, "read focus", chromedp.Evaluate[bool](`!!document.activeElement && document.activeElement.matches(`+js(css)+`)`))
}

// tabTo presses Tab until the focused element matches css.
func tabTo(t *testing.T, ctx context.Context, css string, most int) {
	t.Helper()
	for i := 0; i < most; i++ {
		if activeIs(t, ctx, css) {
			return
		}
		step(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	}
	focused := run(t, ctx, "read focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : ""`))
	t.Fatalf("%d Tabs did not reach %s; focus is on %s", most, css, focused)
}

// TestBrowserKeyboard works a row action by keyboard only: Tab to a row's menu, Enter opens
// it, Edit roles opens the dialog on its first field, Escape gives focus back to that menu's
// button; saving a role change updates the row in place and keeps focus on its menu button.
func TestBrowserKeyboard(t *testing.T) {
	browser := newBrowser(t)
	org := seededOrg(t)
	base := org.app.Server.URL
	ctx := newPerson(t, browser, "keyboard")
	logIn(t, ctx, base, org.ownerEmail, "Welcome, Olive")
	step(t, ctx, "open Users", chromedp.Navigate(base+"/users?tab=active&q=eve"))
	waitPage(t, ctx, "Users")
	row := fmt.Sprintf("#member-%d", org.eve)
	summary := row + " details.row-menu > summary"

	tabTo(t, ctx, summary, 60)
	step(t, ctx, "press Enter on the menu", chromedp.KeyEvent(kb.Enter))
	if !run(t, ctx, "is the menu open", chromedp.Evaluate[bool](`!!document.querySelector(`+js(row+" details.row-menu[open]")+`)`)) {
		t.Fatal("Enter did not open the row menu")
	}
	// The only row is the last row: its open menu is not clipped by the table card.
	if clipped := run(t, ctx, "check the menu is visible", chromedp.Evaluate[string](`(function (row) {
		const panel = document.querySelector(row + " details.row-menu[open] .menu-panel");
		const r = panel.getBoundingClientRect();
		for (const [x, y] of [[r.left + 4, r.top + 4], [r.right - 4, r.bottom - 4]]) {
			const hit = document.elementFromPoint(x, y);
			if (!hit || !panel.contains(hit)) return "at " + x + "," + y + " the page shows " + (hit ? hit.outerHTML.slice(0, 80) : "nothing");
		}
		return "";
	})(`+js(row)+`)`)); clipped != "" {
		t.Errorf("the last row's open menu is hidden: %s", clipped)
	}
	tabTo(t, ctx, row+` a.menu-item[href$="/roles"]`, 5)
	step(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__gatehouseTest = true; `+trackFocus))
	step(t, ctx, "press Enter on Edit roles", chromedp.KeyEvent(kb.Enter))
	waitDialog(t, ctx, "Edit roles: Eve Editor")
	focusSettled(t, ctx, "Edit roles")
	if !activeIs(t, ctx, `#modal dialog input[type=checkbox]`) {
		t.Error("Edit roles did not open with focus on its first field")
	}
	step(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	waitDialogGone(t, ctx, "Edit roles")
	if !activeIs(t, ctx, summary) {
		t.Errorf("after Escape focus is on %s, want the row's menu button", run(t, ctx, "read focus", chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 120)`)))
	}

	// Cancel and × give focus back the same way.
	for _, closer := range []string{"Cancel", "×"} {
		step(t, ctx, "press Enter on the menu", chromedp.KeyEvent(kb.Enter))
		tabTo(t, ctx, row+` a.menu-item[href$="/roles"]`, 5)
		step(t, ctx, "press Enter on Edit roles", chromedp.KeyEvent(kb.Enter))
		waitDialog(t, ctx, "Edit roles: Eve Editor")
		focusSettled(t, ctx, "Edit roles")
		step(t, ctx, "click "+closer, chromedp.Click(dialogLink(closer)))
		waitDialogGone(t, ctx, "Edit roles")
		if !activeIs(t, ctx, summary) {
			t.Errorf("after %s focus is not on the row's menu button", closer)
		}
	}

	// Again, and save: Eve becomes an Admin as well.
	step(t, ctx, "press Enter on the menu", chromedp.KeyEvent(kb.Enter))
	tabTo(t, ctx, row+` a.menu-item[href$="/roles"]`, 5)
	step(t, ctx, "press Enter on Edit roles", chromedp.KeyEvent(kb.Enter))
	waitDialog(t, ctx, "Edit roles: Eve Editor")
	focusSettled(t, ctx, "Edit roles")
	tabTo(t, ctx, `#modal dialog input[type=checkbox][value="admin"]`, 10)
	step(t, ctx, "press Space on Admin", chromedp.KeyEvent(" "))
	tabTo(t, ctx, `#modal dialog button[type=submit]`, 10)
	markResults(t, ctx)
	step(t, ctx, "press Enter on Save roles", chromedp.KeyEvent(kb.Enter))
	waitDialogGone(t, ctx, "Edit roles")
	waitSwappedResults(t, ctx, "save roles", "Admin")
	if !activeIs(t, ctx, summary) {
		t.Errorf("after saving focus is on %s, want the row's menu button", run(t, ctx, "read focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ""`)))
	}
	if r, ok := rowOf(readUsersPage(t, ctx), "eve@example.com"); !ok || !strings.Contains(strings.Join(r.Badges["Roles"], ","), "Admin") {
		t.Errorf("Eve's row after saving: %+v", r)
	}
	assertFlash(t, ctx, "Roles of Eve Editor saved.")
	if !run(t, ctx, "is the flash in the live region", chromedp.Evaluate[bool](`!!document.querySelector('[role="status"] .flash')`)) {
		t.Error("the flash is not in a live region")
	}
	if u := location(t, ctx); u.Query().Get("q") != "eve" {
		t.Errorf("after saving the page is %s, want the same search", u)
	}

	// The live search says how many members it shows, in a live region that stays in place.
	markResults(t, ctx)
	step(t, ctx, "type into Search", chromedp.SendKeys(labelled(t, ctx, "Search"), "zzz"))
	waitSwappedResults(t, ctx, "search eve zzz", "No members match")
	if got := run(t, ctx, "read the results status", chromedp.Evaluate[string](`document.querySelector('#results-status[role="status"]').textContent`)); !strings.Contains(got, "No members match") {
		t.Errorf("the search's live region says %q, want the result", got)
	}

	// A server-side error on Settings takes focus to the invalid field, so it is read out.
	step(t, ctx, "open Settings", chromedp.Navigate(base+"/settings"))
	waitPage(t, ctx, "Settings")
	name := labelled(t, ctx, "Organization name")
	// Spaces pass the browser's own check of a required field; the server refuses them.
	step(t, ctx, "blank the name", chromedp.Evaluate[chromedp.Void](`document.getElementById(`+js(string(name))+`).value = "   "; undefined`))
	clickToPage(t, ctx, button("Save settings"), "Settings")
	if !activeIs(t, ctx, "#"+string(name)+"[aria-invalid=true]") {
		t.Errorf("after a refused save focus is on %s, want the invalid name field", run(t, ctx, "read focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ""`)))
	}
}

// TestBrowserScreenshots writes the README's screenshots of the Users page, at 1280 and 390 px
// wide in light and dark mode, into docs/. It runs only when GATEHOUSE_DOCS_SCREENSHOTS=1:
//
//	GATEHOUSE_DOCS_SCREENSHOTS=1 go test ./handlers -run TestBrowserScreenshots
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("GATEHOUSE_DOCS_SCREENSHOTS") != "1" {
		t.Skip("set GATEHOUSE_DOCS_SCREENSHOTS=1 to write docs/users-*.png")
	}
	browser := newBrowser(t)
	org := seededOrg(t)
	base := org.app.Server.URL
	for _, size := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"1280", 1280, 800, false}, {"390", 390, 844, true}} {
		for _, scheme := range []string{"light", "dark"} {
			ctx := newPerson(t, browser, size.name+"-"+scheme)
			opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if size.mobile {
				opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}
			}
			step(t, ctx, "set the viewport", chromedp.EmulateViewport(size.width, size.height, opts...))
			colorScheme(t, ctx, scheme)
			logIn(t, ctx, base, org.ownerEmail, "Welcome, Olive")
			step(t, ctx, "open Users", chromedp.Navigate(base+"/users?tab=active"))
			waitPage(t, ctx, "Users")
			noSideways(t, ctx, "Users at "+size.name)
			png := run(t, ctx, "screenshot", chromedp.CaptureScreenshot())
			path := filepath.Join("..", "docs", "users-"+size.name+"-"+scheme+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		}
	}
}
