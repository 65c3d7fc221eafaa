package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

// The request log names the status the browser got, also when a handler returned an error
// that the error handler turned into a page after the logger had run.
func TestRequestLogStatus(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.login("olive@example.com", testPassword)

	for _, tc := range []struct {
		name, route string
		want        int
		do          func() *page
	}{
		{"cross-site POST", "/logout", http.StatusForbidden, func() *page {
			return c.post("/logout", url.Values{"_csrf": {"wrong"}})
		}},
		{"no such page", "/no/such/page", http.StatusNotFound, func() *page { return c.get("/no/such/page") }},
		{"spent reset link", "/reset-password/:token", http.StatusGone, func() *page { return c.get("/reset-password/not-a-token") }},
		{"database gone", "/users", http.StatusInternalServerError, func() *page {
			app.Store.Close()
			return c.get("/users")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.do()
			if p.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", p.StatusCode, tc.want)
			}
			line := regexp.MustCompile(`msg=request method=\S+ route=` + regexp.QuoteMeta(tc.route) + ` status=(\d+)`)
			m := line.FindAllStringSubmatch(app.Logs.String(), -1)
			if len(m) == 0 {
				t.Fatalf("no request log line for %s in:\n%s", tc.route, app.Logs.String())
			}
			if got := m[len(m)-1][1]; got != strconv.Itoa(tc.want) {
				t.Errorf("logged status=%s, want %d", got, tc.want)
			}
		})
	}
}
