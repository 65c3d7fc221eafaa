package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/models"
)

// switcherItems reads the switcher's organizations as a person sees them, the current one with ✓.
func switcherItems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return run(t, ctx, "read the switcher", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".org-list li")).map(li =>
		(li.querySelector(".org-current") ? "✓ " : "") + li.querySelector(".org-item-name").textContent.trim())`))
}

// switchOrg opens the switcher (the button named "Switch organization") and picks name.
func switchOrg(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	do(t, ctx, "open the switcher", chromedp.Click(chromedp.Search(`//summary[contains(normalize-space(), "Switch organization")]`)))
	clickToPage(t, ctx, chromedp.Search(`//details[@open]//button[normalize-space()=`+xpathText(name)+`]`), "Welcome, Olive")
}

// plusItems reads the "+" menu's items.
func plusItems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return run(t, ctx, "read the + menu", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".plus-menu .menu-item")).map(a => a.textContent.trim())`))
}

// TestBrowserOrganizations: Olive, Owner of Acme and Viewer in Globex, switches and sees the
// Viewer's view (no Invite member), switches back; her bell counts two invitations, she
// joins one and declines the other; Mia, terminated in Acme, lands in Globex with a notice;
// the top bar fits a 390-px phone; the new pages are axe-clean.
func TestBrowserOrganizations(t *testing.T) {
	browser := newBrowser(t)
	axe := axeSource(t)
	app, owner, db, acmeID := ownerWithDB(t)
	base := app.Server.URL
	globex, initech, umbrella := db.orgNamed("Globex"), db.orgNamed("Initech"), db.orgNamed("Umbrella")
	db.noMFA()
	olive := app.memberByEmail(db, acmeID, "olive@example.com")
	db.setRoles(db.alsoIn(globex.ID, *olive).ID, models.RoleViewer)
	mia := db.addMember(acmeID, "mia@example.com", models.RoleEditor)
	db.setRoles(db.alsoIn(globex.ID, mia).ID, models.RoleViewer)
	for _, o := range []struct {
		id    int64
		email string
	}{{initech.ID, "ian@example.com"}, {umbrella.ID, "uma@example.com"}} {
		db.addMember(o.id, o.email, models.RoleOwner)
		c := app.newClient()
		c.login(o.email, testPassword)
		c.get("/users/invite")
		if p := c.invite("olive@example.com", models.RoleEditor); p.outcomes()["olive@example.com"].Message != "Invitation sent" {
			t.Fatalf("invite from %s: %+v", o.email, p.outcomes())
		}
	}

	ctx := newPerson(t, browser, "olive")
	logIn(t, ctx, base, "olive@example.com", "Welcome, Olive")
	if got := strings.Join(switcherItems(t, ctx), "|"); got != "✓ Acme|Globex" {
		t.Errorf("switcher %q", got)
	}
	if got := run(t, ctx, "read the bell", chromedp.Evaluate[string](`document.querySelector(".bell").textContent.replace(/\s+/g, " ").trim()`)); got != "Notifications 2" {
		t.Errorf("bell %q, want Notifications 2", got)
	}
	if got := plusItems(t, ctx); strings.Join(got, "|") != "Invite member|Create organization" {
		t.Errorf("+ menu %q", got)
	}
	noSideways(t, ctx, "home at 1280 px")
	shoot(t, ctx, "topbar-1280")
	axeScan(t, ctx, axe, "home with the switcher")

	// To Globex, where she is a Viewer: no Invite member, no Settings.
	switchOrg(t, ctx, "Globex")
	assertFlash(t, ctx, "Switched to Globex.")
	if got := strings.Join(switcherItems(t, ctx), "|"); got != "Acme|✓ Globex" {
		t.Errorf("switcher in Globex %q", got)
	}
	if got := plusItems(t, ctx); strings.Join(got, "|") != "Create organization" {
		t.Errorf("+ menu of a Viewer %q", got)
	}
	if run(t, ctx, "look for Settings", chromedp.Evaluate[bool](`!!document.querySelector("a[href='/settings']")`)) {
		t.Error("a Viewer is offered Settings")
	}
	switchOrg(t, ctx, "Acme")
	if got := plusItems(t, ctx); !strings.Contains(strings.Join(got, "|"), "Invite member") {
		t.Errorf("+ menu back in Acme %q", got)
	}

	// Invite member from the + menu: the dialog offers the people of her other organizations.
	openDialogByText(t, ctx, "Invite member")
	people := run(t, ctx, "read the people offered", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#people-results .person-email")).map(e => e.textContent.trim())`))
	if strings.Join(people, "|") != "mia@example.com" {
		t.Errorf("people from other organizations %q", people)
	}
	axeScan(t, ctx, axe, "the invite dialog with people from other organizations")
	shoot(t, ctx, "invite-people-1280")
	step(t, ctx, "close the dialog", chromedp.Navigate(base+"/"))

	// The bell: join Initech, decline Umbrella.
	clickToPage(t, ctx, chromedp.Search(`//a[contains(@class, "bell")]`), "Notifications")
	axeScan(t, ctx, axe, "notifications")
	clickToPage(t, ctx, chromedp.Search(`//button[@aria-label="Join Initech"]`), "Welcome, Olive")
	assertFlash(t, ctx, "You joined Initech.")
	if got := strings.Join(switcherItems(t, ctx), "|"); got != "✓ Acme|Globex|Initech" {
		t.Errorf("switcher after joining %q", got)
	}
	clickToPage(t, ctx, chromedp.Search(`//a[contains(@class, "bell")]`), "Notifications")
	clickToPage(t, ctx, chromedp.Search(`//button[@aria-label="Decline Umbrella"]`), "Notifications")
	assertFlash(t, ctx, "You declined the invitation to Umbrella.")
	if n := run(t, ctx, "count notifications", chromedp.Evaluate[int](`document.querySelectorAll(".notification").length`)); n != 0 {
		t.Errorf("%d notifications left", n)
	}
	if m := app.memberByEmail(db, initech.ID, "olive@example.com"); m.Status != models.StatusActive || m.Roles[0] != models.RoleEditor {
		t.Errorf("Olive in Initech: %s %v", m.Status, m.Roles)
	}

	// Mia is terminated in Acme while she works there: her next page is Globex's, with a notice.
	mctx := newPerson(t, browser, "mia")
	logIn(t, mctx, base, "mia@example.com", "Welcome, Mia")
	owner.get("/users")
	if p := owner.post(memberPath(mia.ID, "terminate"), nil); p.StatusCode != 303 {
		t.Fatalf("terminate Mia: %d", p.StatusCode)
	}
	step(t, mctx, "Mia's next page", chromedp.Navigate(base+"/users"))
	waitPage(t, mctx, "Users")
	assertFlash(t, mctx, "Your access to Acme has ended. You are now in Globex.")
	if got := strings.Join(switcherItems(t, mctx), "|"); got != "✓ Globex" {
		t.Errorf("Mia's switcher %q", got)
	}

	// The page of someone without any organization.
	nctx := newPerson(t, browser, "nobody")
	db.addMember(umbrella.ID, "nat@example.com", models.RoleViewer)
	nat := app.memberByEmail(db, umbrella.ID, "nat@example.com")
	db.setStatus(nat.ID, models.StatusTerminated)
	step(t, nctx, "open the login page", chromedp.Navigate(base+"/login"))
	waitPage(t, nctx, "Log in")
	fill(t, nctx, [2]string{"Email", "nat@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, nctx, button("Log in"), "You are not a member of any organization")
	axeScan(t, nctx, axe, "no organization")
	shoot(t, nctx, "no-organization")

	// A 390-px phone: the switcher, bell, + and account menu fit the top bar.
	pctx := newPerson(t, browser, "phone")
	step(t, pctx, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile))
	logIn(t, pctx, base, "olive@example.com", "Welcome, Olive")
	noSideways(t, pctx, "home at 390 px")
	inViewport(t, pctx, "the top bar at 390 px", ".org-summary, .nav-toggle, .bell, .plus-menu > summary, .account-menu > summary")
	overlap := run(t, pctx, "check the top bar for overlaps", chromedp.Evaluate[[]string](`(function () {
		const els = [".org-summary", ".nav-toggle", ".bell", ".plus-menu > summary", ".account-menu > summary"].map(s => [s, document.querySelector(s).getBoundingClientRect()]);
		const out = [];
		for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
			const a = els[i][1], b = els[j][1];
			if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(els[i][0] + " overlaps " + els[j][0]);
		}
		return out;
	})()`))
	for _, o := range overlap {
		t.Errorf("390 px: %s", o)
	}
	shoot(t, pctx, "topbar-390")
	do(t, pctx, "open the switcher", chromedp.Click(chromedp.Search(`//summary[contains(normalize-space(), "Switch organization")]`)))
	inViewport(t, pctx, "the switcher's menu at 390 px", ".org-panel .menu-item")
	shoot(t, pctx, "switcher-390")
}
