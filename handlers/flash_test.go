package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// htmx requests whose flashes no full page takes must not grow the cookie past what a
// browser keeps, nor make a later request fail.
func TestFlashesBounded(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)
	c.get("/settings")
	form := url.Values{"name": {"Acme"}, "invite_lifetime_hours": {"72"}, "mfa_policy": {"off"}, "mfa_grace_days": {"7"}}
	for i := range 150 {
		p := c.htmx(http.MethodPost, "/settings", form)
		if p.StatusCode >= 400 {
			t.Fatalf("POST /settings #%d: %d", i+1, p.StatusCode)
		}
		for _, ck := range p.Cookies() {
			if len(ck.Value) > 4000 {
				t.Fatalf("after %d flashes the cookie is %d bytes", i+1, len(ck.Value))
			}
		}
	}
	if p := c.htmx(http.MethodGet, "/mfa/setup/app", nil); p.StatusCode != http.StatusOK {
		t.Fatalf("GET /mfa/setup/app after 150 flashes: %d", p.StatusCode)
	}
	p := c.get("/users")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users: %d", p.StatusCode)
	}
	if n := p.Doc.Find(".flash").Length(); n < 1 || n > 3 {
		t.Errorf("%d flashes shown, want 1 to 3", n)
	}
	if got := p.text(".flash"); !strings.Contains(got, "Settings saved.") {
		t.Errorf("flash %q", got)
	}
}
