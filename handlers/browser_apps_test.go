package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserApps drives the Apps pages and the Edit access dialog as an Owner clicks them,
// at desktop width and at 390 px.
func TestBrowserApps(t *testing.T) {
	browser := newBrowser(t)
	tm := newTeam(t)
	olive := newPerson(t, browser, "olive")
	step(t, olive, "open the login page", chromedp.Navigate(tm.app.Server.URL+"/login"))
	fill(t, olive, [2]string{"Email", "olive@example.com"}, [2]string{"Password", testPassword})
	step(t, olive, "log in", chromedp.Click(button("Log in")))
	step(t, olive, "open User control → Apps", chromedp.WaitVisible(navLink("Apps")))
	clickToPage(t, olive, navLink("Apps"), "Apps")
	clickToPage(t, olive, linkText("Add app"), "Add app")
	fill(t, olive, [2]string{"Name", "Wiki"}, [2]string{"URLs", "https://Tools.Example.com/wiki/"})
	clickToPage(t, olive, button("Add app"), "Edit app: Wiki")
	assertFlash(t, olive, "Wiki added.")
	if v := run(t, olive, "read the URLs", chromedp.Evaluate[string](`document.getElementById("f-urls").value`)); v != "tools.example.com/wiki" {
		t.Errorf("the app's URLs read %q, want the normalised tools.example.com/wiki", v)
	}
	// A URL another app has is refused beside the field, the input kept.
	step(t, olive, "back to Apps", chromedp.Navigate(tm.app.Server.URL+"/apps/new"))
	waitPage(t, olive, "Add app")
	fill(t, olive, [2]string{"Name", "Wiki again"}, [2]string{"URLs", "tools.example.com/wiki"})
	clickToPage(t, olive, button("Add app"), "Add app")
	if msg := run(t, olive, "read the error", chromedp.Text(chromedp.CSS(".field-error"))); !strings.Contains(msg, "Another app already has tools.example.com/wiki") {
		t.Errorf("duplicate URL message %q", msg)
	}

	// Edit access from Vic's row menu, in the dialog.
	step(t, olive, "open Users", chromedp.Navigate(tm.app.Server.URL+"/users"))
	waitPage(t, olive, "Users")
	rowAction(t, olive, "Vic Viewer", "Edit access", "Edit access: Vic Viewer")
	step(t, olive, "tick Wiki", chromedp.Click(chromedp.Search(openDialogPath+`//label[normalize-space(.//strong)="Wiki"]//input`)))
	submitInPlace(t, olive, dialogButton("Save access"))
	assertFlash(t, olive, "Access of Vic Viewer saved.")

	// Disable from the Apps row menu, confirmed in a dialog; at 390 px nothing overflows.
	step(t, olive, "narrow the window", chromedp.EmulateViewport(390, 844))
	step(t, olive, "open Apps", chromedp.Navigate(tm.app.Server.URL+"/apps"))
	waitPage(t, olive, "Apps")
	if w := run(t, olive, "measure the page", chromedp.Evaluate[string](`document.documentElement.scrollWidth + " " + Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 392).slice(0, 6).map(e => e.tagName + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).join(", ")`)); !strings.HasPrefix(w, "390 ") {
		t.Errorf("the Apps page at 390 px (width, then what sticks out): %s", w)
	}
	rowAction(t, olive, "Wiki", "Disable", "Disable: Wiki")
	clickToPage(t, olive, dialogButton("Disable"), "Apps")
	assertFlash(t, olive, "Wiki disabled.")
	if txt := run(t, olive, "read the row", chromedp.Text(chromedp.CSS("tbody tr"))); !strings.Contains(txt, "Disabled") {
		t.Errorf("the Wiki row reads %q, want Disabled", txt)
	}
	assertCleanConsole(t, olive)
}
