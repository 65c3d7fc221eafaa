package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/models"
)

// TestBrowserJoin: the Admin turns on the public invitation, a new person joins through the
// link and waits for approval, the Admin approves them as an Editor, and they log in. The
// Settings page and the join pages are checked by axe and fit 1280 and 390 px.
func TestBrowserJoin(t *testing.T) {
	browser := newBrowser(t)
	axe := axeSource(t)
	app, c, db, orgID := ownerWithDB(t)
	base := app.Server.URL
	path, code := enableJoin(t, c)

	// The Owner's Settings page, with the public invitation on, at both widths.
	owner := newPerson(t, browser, "owner")
	logIn(t, owner, base, "olive@example.com", "Welcome, Olive")
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"1280", 1280, 900}, {"390", 390, 844}} {
		step(t, owner, "viewport "+w.name, chromedp.EmulateViewport(w.width, w.height))
		step(t, owner, "open Settings", chromedp.Navigate(base+"/settings"))
		waitPage(t, owner, "Settings")
		axeScan(t, owner, axe, "Settings at "+w.name)
		noSideways(t, owner, "Settings at "+w.name)
		for _, card := range []string{"rules", "join"} {
			step(t, owner, "scroll to "+card, chromedp.ScrollIntoView(chromedp.CSS("#"+card+"-heading")))
			shoot(t, owner, "settings-"+card+"-"+w.name)
		}
	}

	// A new person, without JavaScript's help needed: /join with the code, then the link.
	guest := newPerson(t, browser, "guest")
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"390", 390, 844}, {"1280", 1280, 900}} {
		step(t, guest, "viewport "+w.name, chromedp.EmulateViewport(w.width, w.height))
		step(t, guest, "open /join", chromedp.Navigate(base+"/join"))
		waitPage(t, guest, "Join an organization")
		axeScan(t, guest, axe, "/join at "+w.name)
		noSideways(t, guest, "/join at "+w.name)
		shoot(t, guest, "join-"+w.name)
		fill(t, guest, [2]string{"Join code", strings.ToLower(code)})
		clickToPage(t, guest, button("Join"), "Join Acme")
		axeScan(t, guest, axe, "join page at "+w.name)
		noSideways(t, guest, "join page at "+w.name)
		shoot(t, guest, "join-page-"+w.name)
	}
	step(t, guest, "open the link", chromedp.Navigate(base+path))
	waitPage(t, guest, "Join Acme")
	fill(t, guest, [2]string{"Email", "nell@example.com"}, [2]string{"First name", "Nell"}, [2]string{"Last name", "Newcomer"},
		[2]string{"Password", signupPassword}, [2]string{"Confirm password", signupPassword})
	clickToPage(t, guest, button("Create account"), "Waiting for approval")
	axeScan(t, guest, axe, "Waiting for approval")
	shoot(t, guest, "waiting-1280")

	// The Owner approves Nell from Pending, as an Editor.
	m := app.memberByEmail(db, orgID, "nell@example.com")
	if m.Status != models.StatusPending {
		t.Fatalf("Nell is %s, want pending", m.Status)
	}
	step(t, owner, "open Pending", chromedp.Navigate(base+"/users?tab=pending"))
	waitPage(t, owner, "Users")
	openDialogByText(t, owner, "Approve")
	axeScan(t, owner, axe, "the Approve dialog")
	step(t, owner, "open the Approve page", chromedp.Navigate(fmt.Sprintf("%s/users/%d/approve", base, m.ID)))
	step(t, owner, "choose Editor", chromedp.Click(chromedp.CSS(`input[name=roles][value=editor]`)),
		chromedp.Click(chromedp.CSS(`input[name=roles][value=viewer]`)))
	clickToPage(t, owner, button("Approve"), "Users")
	if m := app.memberByEmail(db, orgID, "nell@example.com"); m.Status != models.StatusActive || len(m.Roles) != 1 || m.Roles[0] != models.RoleEditor {
		t.Fatalf("after approval Nell is %+v", m)
	}

	// Nell logs in and sees the console.
	nell := newPerson(t, browser, "nell")
	step(t, nell, "open the login page", chromedp.Navigate(base+"/login"))
	waitPage(t, nell, "Log in")
	fill(t, nell, [2]string{"Email", "nell@example.com"}, [2]string{"Password", signupPassword})
	clickToPage(t, nell, button("Log in"), "Welcome, Nell")
}
