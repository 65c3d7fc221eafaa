package handlers_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"

	"gatehouse/handlers"
	"gatehouse/models"
)

// failLogin posts a wrong password as if through a proxy that sent X-Forwarded-For xff.
func failLogin(c *client, email, xff string) int {
	c.t.Helper()
	form := url.Values{"email": {email}, "password": {"wrong password"}, "_csrf": {c.csrf}}
	h := http.Header{}
	if xff != "" {
		h.Set("X-Forwarded-For", xff)
	}
	return c.request(http.MethodPost, "/login", form, h).StatusCode
}

func lastFailedLoginIP(t *testing.T, app *testApp) string {
	t.Helper()
	evs, err := app.Store.FindAuditEvents(context.Background(), models.AuditFilter{Action: models.ActionLoginFailed, Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("no login.failed event: %v", err)
	}
	return evs[0].IP
}

// Behind a trusted proxy each client is counted by its own address: one attacker's failures
// do not lock out everyone else, and a client cannot pick its address by writing the header.
func TestTrustedProxyXFF(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	app := newTestAppWith(t, func(cfg *handlers.Config) { cfg.TrustedProxies = []*net.IPNet{loopback} })
	c := app.newClient()
	c.get("/login")
	for i := range 5 {
		if got := failLogin(c, fmt.Sprintf("guess%d@example.com", i), "203.0.113.5"); got != http.StatusUnauthorized {
			t.Fatalf("failed login #%d: %d", i+1, got)
		}
	}
	if got := lastFailedLoginIP(t, app); got != "203.0.113.5" {
		t.Errorf("audited IP %q, want the forwarded client 203.0.113.5", got)
	}
	if got := failLogin(c, "another@example.com", "203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("the attacker's 6th attempt: %d, want 429", got)
	}
	// Another client behind the same proxy is not blocked.
	if got := failLogin(c, "someone@example.com", "198.51.100.9"); got != http.StatusUnauthorized {
		t.Errorf("another client behind the proxy: %d, want 401", got)
	}
	// The attacker writes its own X-Forwarded-For; the proxy appends the real address, which wins.
	if got := failLogin(c, "third@example.com", "198.51.100.77, 203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("a forged X-Forwarded-For dodged the backoff: %d, want 429", got)
	}
}

// Without --trusted-proxies X-Forwarded-For is ignored: writing it does not dodge the backoff.
func TestUntrustedXFFIgnored(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	c.get("/login")
	for i := range 5 {
		failLogin(c, fmt.Sprintf("guess%d@example.com", i), fmt.Sprintf("203.0.113.%d", i))
	}
	if got := lastFailedLoginIP(t, app); got != "127.0.0.1" {
		t.Errorf("audited IP %q, want the peer 127.0.0.1", got)
	}
	if got := failLogin(c, "another@example.com", "198.51.100.200"); got != http.StatusTooManyRequests {
		t.Errorf("a new X-Forwarded-For from an untrusted peer dodged the backoff: %d, want 429", got)
	}
	// A proxy not in the list is not trusted either.
	_, other, _ := net.ParseCIDR("10.0.0.0/8")
	app2 := newTestAppWith(t, func(cfg *handlers.Config) { cfg.TrustedProxies = []*net.IPNet{other} })
	c2 := app2.newClient()
	c2.get("/login")
	failLogin(c2, "guess@example.com", "203.0.113.5")
	if got := lastFailedLoginIP(t, app2); got != "127.0.0.1" {
		t.Errorf("audited IP %q from a peer outside the trusted proxies, want 127.0.0.1", got)
	}
}
