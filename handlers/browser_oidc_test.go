package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOIDC signs in to a relying party (go-oidc, PKCE) with Chromium through
// Gatehouse's own login, second factor included: the app sees Vic's email and roles. Eve,
// without the app, sees Gatehouse's error page and the app gets no code.
func TestBrowserOIDC(t *testing.T) {
	browser := newBrowser(t)
	g := newGateTeam(t)
	r := newRP(t, g.app.Server.URL)
	id, secret := g.addClient(g.grafana, r.srv.URL+"/cb")
	r.configure(id, secret)
	totp, _ := g.app.withAuthenticator("vic@example.com")

	vic := newPerson(t, browser, "vic")
	step(t, vic, "start signing in at the app", chromedp.Navigate(r.srv.URL+"/start"))
	waitPage(t, vic, "Log in")
	if u := location(t, vic); u.Path != "/login" || u.Query().Get("next") == "" {
		t.Errorf("the app sent Vic to %s, want Gatehouse's login with next", u)
	}
	fill(t, vic, [2]string{"Email", "vic@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, vic, button("Log in"), "Verify it's you")
	fill(t, vic, [2]string{"Verification code", g.app.totpCode(totp)})
	step(t, vic, "verify", chromedp.Click(button("Verify")))
	waitPage(t, vic, "Signed in")
	seen := run(t, vic, "read what the app was told", chromedp.Evaluate[[]string](
		`["email","groups"].map(id => document.getElementById(id).textContent)`))
	if seen[0] != "vic@example.com" || seen[1] != "[viewer]" {
		t.Errorf("the app saw %q, want Vic's email and [viewer]", seen)
	}
	if r.token == nil || r.token.RefreshToken == "" {
		t.Error("the app got no refresh token")
	}
	assertCleanConsole(t, vic)

	eve := newPerson(t, browser, "eve")
	step(t, eve, "start signing in at the app", chromedp.Navigate(r.srv.URL+"/start"))
	waitPage(t, eve, "Log in")
	fill(t, eve, [2]string{"Email", "eve@example.com"}, [2]string{"Password", testPassword})
	clickToPage(t, eve, button("Log in"), "No access to this app")
	if u := location(t, eve); u.Host == location(t, vic).Host {
		t.Errorf("Eve reached the app: %s", u)
	}
}
