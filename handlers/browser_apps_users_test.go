package handlers_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserUsersAppFilter: choosing an app in the Users page's App select refreshes the
// table in place (htmx) to the members who may use it, and the address keeps the filter.
func TestBrowserUsersAppFilter(t *testing.T) {
	browser := newBrowser(t)
	g := newGateTeam(t) // Vic was given Grafana and Wiki
	olive := newPerson(t, browser, "olive")
	logIn(t, olive, g.app.Server.URL, "olive@example.com", "Welcome, Olive")
	step(t, olive, "open Users", chromedp.Navigate(g.app.Server.URL+"/users?tab=active"))
	waitPage(t, olive, "Users")
	markResults(t, olive)
	grafana := strconv.FormatInt(g.grafana, 10)
	do(t, olive, "choose Grafana in App", chromedp.Evaluate[chromedp.Void](`(function () {
		const s = document.getElementById("app-filter");
		s.focus();
		s.value = `+js(grafana)+`;
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	waitSwappedResults(t, olive, "filter by Grafana", "vic@example.com")
	var emails []string
	for _, r := range readUsersPage(t, olive).Rows {
		emails = append(emails, r.Cells["Email"])
	}
	if len(emails) != 1 || !strings.Contains(emails[0], "vic@example.com") {
		t.Errorf("filtered by Grafana, the table lists %q; want Vic alone", emails)
	}
	if q := location(t, olive).Query(); q.Get("app") != grafana {
		t.Errorf("the address %v does not keep the App filter", q)
	}
	assertCleanConsole(t, olive)
}
