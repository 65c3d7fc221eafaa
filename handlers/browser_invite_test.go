package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserInvitationFlow follows an invitation through its whole life as people click it:
// an Owner invites two people at once, one signs up from the emailed link, the other's
// invitation is reinvited (the old link stops working) and revoked; the new member is
// terminated (her open session ends at her next click) and restored.
func TestBrowserInvitationFlow(t *testing.T) {
	owner := newBrowser(t) // first, so a missing browser skips before anything starts
	app := newTestApp(t)
	mb := app.startMail() // before inviting: the handlers poke the worker on every enqueue
	openDB(app).departments(app.createOwner("olive@example.com").Org.ID, "Research")
	began := time.Now()
	defer func() { t.Logf("browser flow took %s", time.Since(began).Round(time.Millisecond)) }()

	const (
		ada      = "ada@example.com"
		grace    = "grace@example.com"
		adaName  = "Ada Lovelace"
		password = "violet tractor hums at dawn"
	)

	// 1. The Owner logs in through the form and opens Users.
	step(t, owner, "open Gatehouse", chromedp.Navigate(app.Server.URL+"/"))
	waitPage(t, owner, "Log in")
	fill(t, owner, [2]string{"Email", "olive@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, owner, button("Log in"), "Welcome, Olive")
	clickToPage(t, owner, navLink("Users"), "Users")

	// 2. Invite two people pasted as a spreadsheet column, as Editors in Research.
	openDialog(t, owner, chromedp.Search(`//a[normalize-space()="Invite users"]`), "Invite users")
	shoot(t, owner, "invite-dialog")
	emails := labelled(t, owner, "Emails")
	if focused := run(t, owner, "read the focused element", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`)); focused != string(emails) {
		t.Errorf("the invite dialog opened with focus on %q, want the Emails field %q", focused, emails)
	}
	step(t, owner, "paste the emails", chromedp.Focus(emails), paste("ada@example.com\ngrace@example.com"))
	step(t, owner, "uncheck Viewer", chromedp.Click(roleCheckbox("Viewer")))
	step(t, owner, "check Editor", chromedp.Click(roleCheckbox("Editor")))
	if got := checkedRoles(t, owner); !slices.Equal(got, []string{"Editor"}) {
		t.Fatalf("checked roles %q after unchecking Viewer and checking Editor, want [Editor]", got)
	}
	step(t, owner, "choose Research", chromedp.SetValue(chromedp.CSS(`#modal select[name="department"]`), "Research")) // the Users page's filter is labelled Department too
	replaceDialog(t, owner, dialogButton("Send invitations"), "Invitations")
	shoot(t, owner, "invite-result")
	outcomes := run(t, owner, "read the invitation outcomes", chromedp.Evaluate[map[string]string](`Object.fromEntries(
		Array.from(document.querySelectorAll("#modal dialog .outcome")).map(li => [
			li.querySelector(".outcome-email").textContent.trim(), li.querySelector(".badge").textContent.trim()]))`))
	if len(outcomes) != 2 || outcomes[ada] != "Invitation sent" || outcomes[grace] != "Invitation sent" {
		t.Fatalf("invite result %q, want %s and %s each with \"Invitation sent\"", outcomes, ada, grace)
	}
	clickToPage(t, owner, dialogLink("Done"), "Users")

	// 3. Inactivated lists both, and shows "Sent" once the mail worker has delivered.
	if u := location(t, owner); u.Query().Get("tab") != "inactivated" {
		t.Errorf("Done led to %s, want the Inactivated tab", u)
	}
	users := waitUsers(t, owner, "both invitations delivered", func(p usersPage) bool {
		return delivered(p, ada) && delivered(p, grace)
	})
	shoot(t, owner, "inactivated")
	if got := tabCount(users, "Inactivated"); got != "2" {
		t.Errorf("the Inactivated tab counts %q, want 2", got)
	}
	for _, e := range []string{ada, grace} {
		r, ok := rowOf(users, e)
		if !ok {
			t.Fatalf("%s is not listed on the Inactivated tab: %+v", e, users.Rows)
		}
		if got := r.Badges["Roles"]; !slices.Equal(got, []string{"Editor"}) {
			t.Errorf("%s: Roles badges %q, want [Editor]", e, got)
		}
		if r.Cells["Department"] != "Research" {
			t.Errorf("%s: Department %q, want Research", e, r.Cells["Department"])
		}
		if got := r.Badges["Status"]; !slices.Equal(got, []string{"Invited"}) {
			t.Errorf("%s: Status badges %q, want [Invited]", e, got)
		}
	}

	// 4. Ada follows the emailed link in her own browser and creates her account.
	adaMail := mb.waitFor(ada, 1)
	adaTab := newPerson(t, owner, "ada")
	step(t, adaTab, "open Ada's invitation link", chromedp.Navigate(adaMail.inviteLink(t)))
	waitPage(t, adaTab, "Create your account")
	shoot(t, adaTab, "signup")
	lede := run(t, adaTab, "read the signup lede", chromedp.Text(chromedp.CSS(".lede")))
	if !strings.Contains(lede, "Acme") || !strings.Contains(lede, "Olive Owner") {
		t.Errorf("the signup page says %q; want the organization (Acme) and the inviter (Olive Owner)", lede)
	}
	if v := run(t, adaTab, "read the email field", chromedp.Value(labelled(t, adaTab, "Email"))); v != ada {
		t.Errorf("the signup page's Email is %q, want %q", v, ada)
	}
	fill(t, adaTab,
		[2]string{"First name", "Ada"},
		[2]string{"Last name", "Lovelace"},
		[2]string{"Password", password},
		[2]string{"Confirm password", password},
	)
	clickToPage(t, adaTab, button("Create account"), "Welcome, Ada")
	assertFlash(t, adaTab, "Welcome to Acme")

	// 5. The Owner sees Ada active as an Editor, and one open invitation left.
	clickToPage(t, owner, navLink("Users"), "Users")
	users = readUsersPage(t, owner)
	if r, ok := rowOf(users, ada); !ok {
		t.Errorf("Ada is not on the Active tab: %+v", users.Rows)
	} else {
		if !strings.Contains(r.Cells["Name"], adaName) {
			t.Errorf("Ada's Name cell %q, want %q", r.Cells["Name"], adaName)
		}
		if got := r.Badges["Roles"]; !slices.Equal(got, []string{"Editor"}) {
			t.Errorf("Ada's Roles badges %q, want [Editor]", got)
		}
	}
	if got := tabCount(users, "Inactivated"); got != "1" {
		t.Errorf("after Ada signed up the Inactivated tab counts %q, want 1", got)
	}

	// 6. Reinvite Grace: a second email, the first link says it was replaced, the second works.
	clickToPage(t, owner, usersTabLink("Inactivated"), "Users")
	rowAction(t, owner, grace, "Reinvite", "Reinvite: "+grace)
	shoot(t, owner, "reinvite-confirm")
	submitInPlace(t, owner, dialogButton("Reinvite"))
	assertFlash(t, owner, "A new invitation is on its way to "+grace)
	first, second := mb.waitFor(grace, 1).inviteLink(t), mb.waitFor(grace, 2).inviteLink(t)
	if first == second {
		t.Fatal("the reinvitation email carries the same link as the first")
	}
	graceTab := newPerson(t, owner, "grace")
	step(t, graceTab, "open Grace's first link", chromedp.Navigate(first))
	waitPage(t, graceTab, "This link was replaced by a newer one")
	shoot(t, graceTab, "link-replaced")
	assertErrorCode(t, graceTab, "410")
	step(t, graceTab, "open Grace's second link", chromedp.Navigate(second))
	waitPage(t, graceTab, "Create your account")

	// 7. Revoke Grace's invitation: she leaves Inactivated and her link says it was withdrawn.
	// A first thought better of: Cancel closes the dialog and changes nothing.
	rowAction(t, owner, grace, "Revoke invitation", "Revoke invitation: "+grace)
	step(t, owner, "cancel revoking", chromedp.Click(dialogLink("Cancel")))
	waitDialogGone(t, owner, "Revoke invitation: "+grace)
	if _, ok := rowOf(readUsersPage(t, owner), grace); !ok {
		t.Fatal("cancelling the revocation took Grace off the Inactivated tab")
	}
	rowAction(t, owner, grace, "Revoke invitation", "Revoke invitation: "+grace)
	submitInPlace(t, owner, dialogButton("Revoke invitation"))
	assertFlash(t, owner, "The invitation for "+grace+" was revoked.")
	users = readUsersPage(t, owner)
	if _, ok := rowOf(users, grace); ok || len(users.Rows) != 0 {
		t.Errorf("after revoking, the Inactivated tab lists %+v, want nobody", users.Rows)
	}
	if got := tabCount(users, "Inactivated"); got != "0" {
		t.Errorf("after revoking, the Inactivated tab counts %q, want 0", got)
	}
	step(t, graceTab, "open Grace's second link again", chromedp.Navigate(second))
	waitPage(t, graceTab, "This invitation was withdrawn")
	assertErrorCode(t, graceTab, "410")

	// 8. Terminate Ada: her open session ends at her very next click. Escape closes the
	// dialog the first time, as it closes any modal.
	clickToPage(t, owner, usersTabLink("Active"), "Users")
	rowAction(t, owner, adaName, "Terminate", "Terminate: "+adaName)
	step(t, owner, "press Escape", chromedp.KeyEvent(kb.Escape))
	waitDialogGone(t, owner, "Terminate: "+adaName)
	rowAction(t, owner, adaName, "Terminate", "Terminate: "+adaName)
	shoot(t, owner, "terminate-confirm")
	submitInPlace(t, owner, dialogButton("Terminate"))
	assertFlash(t, owner, adaName+" was terminated")
	users = readUsersPage(t, owner) // the Active tab, where the Owner was
	if _, ok := rowOf(users, ada); ok {
		t.Errorf("after terminating, Ada is still on the Active tab: %+v", users.Rows)
	}
	if got := tabCount(users, "Terminated"); got != "1" {
		t.Errorf("after terminating Ada the Terminated tab counts %q, want 1", got)
	}
	// Her login goes on in no organization (issue 11): she has no other.
	clickToPage(t, adaTab, navLink("Users"), "You are not a member of any organization")
	shoot(t, adaTab, "access-ended")
	if !slices.ContainsFunc(flashes(t, adaTab), func(f string) bool {
		return strings.Contains(f, "Your access") && strings.Contains(f, "has ended")
	}) {
		t.Errorf("after termination Ada's next click shows flashes %q, want one saying her access has ended", flashes(t, adaTab))
	}

	// 9. Restore Ada: her next page is Acme's again, an Editor as before.
	clickToPage(t, owner, usersTabLink("Terminated"), "Users")
	rowAction(t, owner, adaName, "Restore", "Restore: "+adaName)
	shoot(t, owner, "restore-confirm")
	submitInPlace(t, owner, dialogButton("Restore"))
	assertFlash(t, owner, adaName+" was restored.")
	users = readUsersPage(t, owner)
	if got := tabCount(users, "Terminated"); got != "0" || len(users.Rows) != 0 {
		t.Errorf("after restoring Ada the Terminated tab counts %q and lists %+v, want nobody", got, users.Rows)
	}
	if got := tabCount(users, "Active"); got != "2" {
		t.Errorf("after restoring Ada the Active tab counts %q, want 2", got)
	}
	step(t, adaTab, "Ada's next page", chromedp.Navigate(app.Server.URL+"/users"))
	waitPage(t, adaTab, "Users")
	assertFlash(t, adaTab, "You are now in Acme.")
	clickToPage(t, adaTab, navLink("Home"), "Welcome, Ada")
	if lede := run(t, adaTab, "read Home's lede", chromedp.Text(chromedp.CSS(".lede"))); !strings.Contains(lede, "as Editor") {
		t.Errorf("after restoring, Ada's Home says %q; want her Editor role back", lede)
	}

	assertCleanConsole(t, owner)
	assertCleanConsole(t, adaTab)
	assertCleanConsole(t, graceTab)
}

// step runs actions in the tab like do, but gives up after pageTimeout, so a missing
// element fails its step instead of using up the whole test's time.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// navLink selects a link of the side navigation by its text.
func navLink(text string) chromedp.Search {
	return chromedp.Search(`//aside//nav//a[normalize-space()=` + xpathText(text) + `]`)
}

// usersTabLink selects a tab of the Users page by its label (the count beside it aside).
func usersTabLink(label string) chromedp.Search {
	return chromedp.Search(`//nav[@aria-label="Member status"]/a[normalize-space(text())=` + xpathText(label) + `]`)
}

// The open dialog: htmx swaps it into #modal and app.js shows it as a modal.
const openDialogPath = `//div[@id="modal"]/dialog[@open]`

// dialogButton and dialogLink select a button or link of the open dialog by its text.
func dialogButton(text string) chromedp.Search {
	return chromedp.Search(openDialogPath + `//button[normalize-space()=` + xpathText(text) + `]`)
}

func dialogLink(text string) chromedp.Search {
	return chromedp.Search(openDialogPath + `//a[normalize-space()=` + xpathText(text) + `]`)
}

// roleCheckbox selects the role checkbox of the open dialog whose label names the role.
func roleCheckbox(role string) chromedp.Search {
	return chromedp.Search(openDialogPath + `//label[normalize-space(.//strong)=` + xpathText(role) + `]//input[@type="checkbox"]`)
}

// checkedRoles returns the names of the open dialog's checked role checkboxes, read from their labels.
func checkedRoles(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return run(t, ctx, "read the checked roles", chromedp.Evaluate[[]string](`Array.from(
		document.querySelectorAll('#modal dialog[open] input[type="checkbox"]:checked')).map(
		i => i.labels.length ? i.labels[0].querySelector("strong").textContent.trim() : "(unlabelled " + i.value + ")")`))
}

// paste inserts text at the caret the way a paste does: in one go, not key by key.
func paste(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// modalState is what the browser says about the dialog in #modal.
type modalState struct {
	Dialogs int    `json:"dialogs"`
	Open    bool   `json:"open"`  // the <dialog> has its open attribute
	Modal   bool   `json:"modal"` // it matches :modal: shown with showModal, the page behind inert
	Title   string `json:"title"`
}

func readModal(t *testing.T, ctx context.Context) modalState {
	t.Helper()
	return run(t, ctx, "read the modal", chromedp.Evaluate[modalState](`(function () {
		const all = document.querySelectorAll("#modal dialog"), d = all[0];
		const h = d && d.querySelector("h2");
		return {dialogs: all.length, open: !!d && d.hasAttribute("open"),
			modal: !!document.querySelector("#modal dialog:modal"), title: h ? h.textContent.trim() : ""};
	})()`))
}

// waitDialog waits for the dialog titled title to be shown and checks that it is a real modal.
func waitDialog(t *testing.T, ctx context.Context, title string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function (title) {
		const h = document.querySelector("#modal dialog[open] h2");
		return !!h && h.textContent.trim() === title && h.getBoundingClientRect().height > 0;
	}`, chromedp.WithPollingArgs(title), chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("waiting for the dialog %q: %v; the modal holds %+v", title, err, readModal(t, ctx))
	}
	if m := readModal(t, ctx); m.Dialogs != 1 || !m.Open || !m.Modal {
		t.Errorf("dialog %q: %d dialog(s) in #modal, open attribute %v, matches :modal %v; want one open modal dialog",
			title, m.Dialogs, m.Open, m.Modal)
	}
}

// waitDialogGone waits until the dialog titled title has left #modal, without a page load.
func waitDialogGone(t *testing.T, ctx context.Context, title string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function () {
		return !document.querySelector("#modal dialog") && !document.querySelector("dialog:modal");
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("the dialog %q did not close: %v; the modal holds %+v", title, err, readModal(t, ctx))
	}
	if !run(t, ctx, "check the page stayed", chromedp.Evaluate[bool](`window.__gatehouseTest === true`)) {
		t.Errorf("closing %q loaded a new page", title)
	}
}

// submitInPlace submits a row action's dialog and waits until the dialog has closed and the
// Users table has been refreshed in place (htmx, app.js), without a page load.
func submitInPlace[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) {
	t.Helper()
	markResults(t, ctx)
	step(t, ctx, "submit the dialog", chromedp.Click(sel))
	waitDialogGone(t, ctx, "the submitted dialog")
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function () {
		const r = document.getElementById("users-results");
		return !!r && !r.dataset.testOld;
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("the Users table was not refreshed in place after the action: %v", err)
	}
}

// trackFocus starts recording, in order, each element that receives focus inside the modal.
const trackFocus = `(function () {
	window.__focusTrail = [];
	if (window.__focusTracked) return;
	window.__focusTracked = true;
	document.addEventListener("focusin", function (e) {
		const d = e.target.closest("#modal dialog");
		if (!d || d.dataset.testOld) return; // the dialog being replaced
		window.__focusTrail.push(e.target.id || e.target.getAttribute("aria-label") || e.target.textContent.trim() || e.target.tagName);
	});
})()`

// focusSettled waits until htmx has settled the dialog (it moves focus then too) and returns
// where focus went inside the dialog since trackFocus, in order.
func focusSettled(t *testing.T, ctx context.Context, title string) []string {
	t.Helper()
	trail, err := chromedp.Run(ctx, chromedp.PollFunction[[]string](`function () {
		return document.querySelector(".htmx-settling, .htmx-request") ? null : window.__focusTrail;
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("dialog %q: htmx did not settle: %v", title, err)
	}
	return trail
}

// openDialog clicks what opens a dialog with htmx and waits for it; the page must not reload,
// and focus must move into the dialog once and stay, not hop from field to field.
func openDialog[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, title string) {
	t.Helper()
	step(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__gatehouseTest = true; `+trackFocus))
	step(t, ctx, "click to open "+title, chromedp.Click(sel))
	waitDialog(t, ctx, title)
	if !run(t, ctx, "check the page stayed", chromedp.Evaluate[bool](`window.__gatehouseTest === true`)) {
		t.Errorf("opening %q loaded a new page instead of a dialog over the current one", title)
	}
	if trail := focusSettled(t, ctx, title); len(trail) != 1 {
		t.Errorf("opening %q moved focus inside it %d times, %q; want once, to where typing starts", title, len(trail), trail)
	}
}

// replaceDialog submits the open dialog's form, whose answer is the next dialog in its place.
func replaceDialog[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, title string) {
	t.Helper()
	step(t, ctx, "mark the dialog", chromedp.Evaluate[chromedp.Void](`document.querySelector("#modal dialog").dataset.testOld = "1"; `+trackFocus))
	step(t, ctx, "submit the dialog", chromedp.Click(sel))
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function () {
		const d = document.querySelector("#modal dialog");
		return !!d && !d.dataset.testOld;
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("the dialog was not replaced after submitting it: %v; the modal holds %+v", err, readModal(t, ctx))
	}
	waitDialog(t, ctx, title)
	if trail := focusSettled(t, ctx, title); len(trail) != 1 {
		t.Errorf("showing %q moved focus inside it %d times, %q; want once", title, len(trail), trail)
	}
}

// rowAction opens the row menu labelled "Actions for who", chooses item and waits for its dialog.
func rowAction(t *testing.T, ctx context.Context, who, item, title string) {
	t.Helper()
	menu := `//details[summary[@aria-label=` + xpathText("Actions for "+who) + `]]`
	step(t, ctx, "open the row menu of "+who, chromedp.Click(chromedp.Search(menu+`/summary`)))
	entry := chromedp.Search(menu + `//a[contains(@class,"menu-item")][normalize-space()=` + xpathText(item) + `]`)
	step(t, ctx, "see "+item+" in the row menu of "+who, chromedp.WaitVisible(entry))
	openDialog(t, ctx, entry, title)
	if open := run(t, ctx, "check the row menu closed", chromedp.Evaluate[bool](`!!document.querySelector("details.row-menu[open]")`)); open {
		t.Errorf("the row menu of %s stays open behind the %q dialog", who, title)
	}
}

// rowOf finds the row whose Email cell is email, or whose Name cell holds it.
func rowOf(p usersPage, who string) (usersRow, bool) {
	for _, r := range p.Rows {
		if r.Cells["Email"] == who || strings.Contains(r.Cells["Name"], who) {
			return r, true
		}
	}
	return usersRow{}, false
}

// tabCount is the count shown beside the Users page tab label.
func tabCount(p usersPage, label string) string {
	for _, tb := range p.Tabs {
		if tb.Label == label {
			return tb.Count
		}
	}
	return "(no tab " + label + ")"
}

// delivered reports whether email's row on the Inactivated tab says its invitation was sent.
func delivered(p usersPage, email string) bool {
	r, ok := rowOf(p, email)
	return ok && slices.Contains(strings.Fields(r.Cells["Invitation"]), "Sent")
}

// waitUsers reloads the Users page, as a person waiting would, until ok holds for what it shows.
func waitUsers(t *testing.T, ctx context.Context, what string, ok func(usersPage) bool) usersPage {
	t.Helper()
	deadline := time.Now().Add(pollTimeout)
	for {
		p := readUsersPage(t, ctx)
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Users page never showed %s; it shows %+v", what, p)
		}
		time.Sleep(50 * time.Millisecond)
		step(t, ctx, "reload the Users page", chromedp.Reload())
		waitPage(t, ctx, "Users")
	}
}

// assertErrorCode checks the status shown on an error page.
func assertErrorCode(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if got := run(t, ctx, "read the error code", chromedp.Text(chromedp.CSS(".error-code"))); got != want {
		t.Errorf("the error page shows code %q, want %q", got, want)
	}
}

// shoot saves a screenshot of the tab into $GATEHOUSE_SCREENSHOTS when it is set, so people
// can look at the dialogs.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("GATEHOUSE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := run(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.png", t.Name(), name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved to %s", path)
}
