package handlers_test

import (
	"fmt"
	"net/url"
	"testing"

	"gatehouse/handlers"
)

// Forgot-password from an address over its quota sends nothing, and must not add a limiter
// key for every new email it tries.
func TestForgotPasswordFloodAddsNoKeys(t *testing.T) {
	app := newTestApp(t)
	c := app.newClient()
	c.get("/forgot-password")
	for i := range 20 {
		c.post("/forgot-password", url.Values{"email": {fmt.Sprintf("user%d@example.com", i)}})
	}
	before := handlers.LimiterLen(app.Handler)
	for i := range 300 {
		c.post("/forgot-password", url.Values{"email": {fmt.Sprintf("flood%d@example.com", i)}})
	}
	if n := handlers.LimiterLen(app.Handler); n != before {
		t.Errorf("the limiter tracks %d keys after 300 more requests from an address over quota, want %d", n, before)
	}
}
