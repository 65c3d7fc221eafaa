package handlers_test

import (
	"slices"
	"strings"
	"testing"

	"gatehouse/models"
)

// TestPendingRejectedFilter checks that rejected requests live under Pending behind the
// "Rejected" filter, and that the filter offers Re-approve.
func TestPendingRejectedFilter(t *testing.T) {
	_, c, db, orgID := ownerWithDB(t)
	db.addMembers(orgID,
		member{Email: "waiting@example.com", Status: models.StatusPending, Roles: []models.Role{models.RoleViewer}},
		member{Email: "refused@example.com", Status: models.StatusRejected, Roles: []models.Role{models.RoleViewer}},
	)
	p := c.get("/users?tab=pending")
	if got := p.emails(); !slices.Equal(got, []string{"waiting@example.com"}) {
		t.Fatalf("Pending lists %v, want only the waiting request", got)
	}
	if got := p.text(`.subfilter a[aria-current="page"]`); got != "Awaiting approval" {
		t.Errorf("current sub-filter %q", got)
	}
	p = c.get("/users?tab=pending&filter=rejected")
	if got := p.emails(); !slices.Equal(got, []string{"refused@example.com"}) {
		t.Fatalf("Pending → Rejected lists %v, want only the rejected request", got)
	}
	if got := p.text(`.subfilter a[aria-current="page"]`); got != "Rejected" {
		t.Errorf("current sub-filter %q", got)
	}
	if menu := p.Doc.Find("#users-results .row-menu").Text(); !strings.Contains(menu, "Re-approve") {
		t.Errorf("rejected row menu %q lacks Re-approve", menu)
	}
	// The filter only applies to the Pending tab.
	if got := c.get("/users?tab=active&filter=rejected").emails(); !slices.Contains(got, "olive@example.com") {
		t.Errorf("Active with filter=rejected lists %v", got)
	}
}
