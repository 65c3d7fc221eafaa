package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// A flood of blocked logins from one address writes one audit event, not one each, and
// keeps the WAL small.
func TestBlockedLoginFlood(t *testing.T) {
	app := newTestApp(t)
	app.createOwner("olive@example.com")
	c := app.newClient()
	c.get("/login")
	for i := range 5 {
		c.post("/login", url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"wrong password"}})
	}
	for i := range 3000 {
		p := c.post("/login", url.Values{"email": {fmt.Sprintf("flood%d@example.com", i)}, "password": {"wrong password"}})
		if p.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("blocked login #%d: %d", i+1, p.StatusCode)
		}
	}
	evs, err := app.Store.FindAuditEvents(context.Background(), models.AuditFilter{Action: models.ActionLoginBlocked})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Errorf("%d login.blocked events for 3,000 blocked logins in a minute, want 1", len(evs))
	}
	if testdb.Postgres() {
		return // the rest measures SQLite's WAL file
	}
	fi, err := os.Stat(app.Path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 32<<20 {
		t.Errorf("the WAL is %d MB", fi.Size()>>20)
	}
}
