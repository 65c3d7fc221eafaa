package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gatehouse/models"
)

// Bulk Terminate on the Active tab: ticked rows, confirmed first, one refusal (yourself) listed
// without stopping the others; Apply to all on this page works without ticking.
func TestBulkTerminate(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	ed := db.addMember(orgID, "ed@example.com", models.RoleEditor)
	vi := db.addMember(orgID, "vi@example.com", models.RoleViewer)
	olive := app.memberByEmail(db, orgID, "olive@example.com")
	p := c.get("/users?tab=active")
	if p.Doc.Find(`#bulk-form select[name="action"] option[value="terminate"]`).Length() != 1 ||
		p.Doc.Find(`input[name="ids"][form="bulk-form"]`).Length() != 3 {
		t.Fatalf("no bulk form with a checkbox per row")
	}
	ids := func(ms ...int64) []string {
		var out []string
		for _, id := range ms {
			out = append(out, strconv.FormatInt(id, 10))
		}
		return out
	}
	form := url.Values{"tab": {"active"}, "action": {"terminate"}, "scope": {"selected"}, "ids": ids(ed.ID, vi.ID, olive.ID)}
	before := app.counts(orgID)
	p = c.post("/users/bulk", form)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text("h1"), "Terminate 3 members?") {
		t.Fatalf("confirm page: %d %q", p.StatusCode, p.text("h1"))
	}
	if after := app.counts(orgID); after[models.StatusActive] != before[models.StatusActive] {
		t.Fatal("asking to confirm terminated someone")
	}
	form.Set("confirm", "1")
	p = c.post("/users/bulk", form)
	if !strings.Contains(p.text(".lede"), "2 members succeeded, 1 was refused") || !strings.Contains(p.text("tbody"), "olive@example.com") {
		t.Errorf("result: %q / %q", p.text(".lede"), p.text("tbody"))
	}
	if n := app.counts(orgID)[models.StatusTerminated]; n != 2 {
		t.Errorf("%d terminated, want 2", n)
	}
	// One event per member and one for the operation, linked by its name.
	ops := app.auditDetails(orgID, models.ActionBulk)
	per := app.auditDetails(orgID, models.ActionTerminated)
	if len(ops) != 1 || len(per) != 2 || !strings.HasPrefix(ops[0], "terminate: 2 of 3 succeeded; bulk ") {
		t.Fatalf("audit: %q, %q", ops, per)
	}
	via := ops[0][strings.Index(ops[0], "bulk "):]
	for _, d := range per {
		if !strings.HasSuffix(d, via) {
			t.Errorf("member event %q does not name %q", d, via)
		}
	}

	// Restore both from the Terminated tab with "all on this page", no ticks.
	p = c.get("/users?tab=terminated")
	page := url.Values{"tab": {"terminated"}, "action": {"restore"}, "scope": {"page"}, "page_ids": ids(ed.ID, vi.ID), "confirm": {"1"}}
	p = c.post("/users/bulk", page)
	if !strings.Contains(p.text(".lede"), "2 members succeeded") {
		t.Errorf("restore: %q", p.text(".lede"))
	}
	if n := app.counts(orgID)[models.StatusActive]; n != 3 {
		t.Errorf("%d active after restoring, want 3", n)
	}

	// An action the tab does not offer, or one the member may not take, is refused.
	if p := c.post("/users/bulk", url.Values{"tab": {"active"}, "action": {"restore"}, "ids": ids(ed.ID), "confirm": {"1"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("restore offered on Active: %d", p.StatusCode)
	}
	v := app.newClient()
	v.login("vi@example.com", testPassword)
	if p := v.get("/users?tab=active"); p.Doc.Find("#bulk-form").Length() != 0 {
		t.Error("a Viewer is offered bulk actions")
	}
	v.get("/users")
	if p := v.post("/users/bulk", url.Values{"tab": {"active"}, "action": {"terminate"}, "ids": ids(ed.ID), "confirm": {"1"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("a Viewer's bulk terminate: %d", p.StatusCode)
	}
}

// auditDetails lists the details of the organization's audit events with that action.
func (a *testApp) auditDetails(orgID int64, action models.Action) []string {
	a.t.Helper()
	evs, err := a.Store.FindAuditEvents(context.Background(), models.AuditFilter{OrgID: &orgID, Action: action, Limit: models.MaxAuditPage})
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Detail)
	}
	return out
}
