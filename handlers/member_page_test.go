package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gatehouse/models"
)

// TestMemberPage: /users/{id} shows one member with the actions their status allows, to
// everyone who may view data; details that need more (MFA, history) only to those allowed;
// another organization's id answers 404; names in the Users table link to it.
func TestMemberPage(t *testing.T) {
	tm := newTeam(t)
	c := tm.owner
	path := fmt.Sprintf("/users/%d", tm.tom.ID)
	p := c.get(path)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, p.StatusCode)
	}
	if got := p.text("h1"); got != "Tom Gone" {
		t.Errorf("heading %q, want Tom Gone", got)
	}
	for _, want := range []string{"tom@example.com", "Terminated", "Editor", "Viewer", "Last login", "MFA", "History"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the member page does not show %q", want)
		}
	}
	if href, _ := p.Doc.Find(`.member-actions a:contains("Restore")`).Attr("href"); href != memberPath(tm.tom.ID, "restore") {
		t.Errorf("Restore on the member page links to %q", href)
	}
	if n := p.Doc.Find(`.member-actions a:contains("Terminate")`).Length(); n != 0 {
		t.Error("a terminated member's page offers Terminate")
	}

	// Names in the table lead there.
	users := c.get("/users?tab=terminated")
	if n := users.Doc.Find(`#users-results a[href="` + path + `"]`).Length(); n != 1 {
		t.Errorf("the Terminated tab has %d links to Tom's page, want 1", n)
	}

	// An invited member's page shows the invitation.
	inv := c.get(fmt.Sprintf("/users/%d", tm.ivy.ID))
	if !strings.Contains(inv.Body, "Invitation") || inv.Doc.Find(`.member-actions a:contains("Reinvite")`).Length() != 1 {
		t.Error("an invited member's page shows no invitation or no Reinvite")
	}

	// An Editor sees the page, without MFA, history or actions.
	eve := tm.as("eve@example.com")
	ep := eve.get(path)
	if ep.StatusCode != http.StatusOK {
		t.Fatalf("Editor GET %s: %d", path, ep.StatusCode)
	}
	if ep.Doc.Find(".member-actions").Length() != 0 || ep.Doc.Find("#history-heading").Length() != 0 || ep.Doc.Find(`dt:contains("MFA")`).Length() != 0 {
		t.Error("an Editor sees actions, history or MFA on a member page")
	}

	// Nor can an Editor filter by MFA: the filter is ignored.
	if all, filtered := eve.get("/users?tab=active").emails(), eve.get("/users?tab=active&mfa=none").emails(); !slices.Equal(all, filtered) {
		t.Errorf("an Editor's MFA filter shows %v, want every member %v", filtered, all)
	}

	// Another organization's member, a malformed or unknown id: 404, nothing shown.
	other := tm.db.orgNamed("Other")
	theirs := tm.db.addMembers(other.ID, member{Email: "gina@globex.example", First: "Gina", Last: "Globex", Roles: []models.Role{models.RoleViewer}})
	for _, p := range []string{fmt.Sprintf("/users/%d", theirs[0].ID), "/users/0", "/users/99999999", "/users/x1"} {
		got := c.get(p)
		if got.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, got.StatusCode)
		}
		if strings.Contains(got.Body, "gina@globex.example") {
			t.Errorf("GET %s shows the other organization's member", p)
		}
	}
}

// TestActionReturnsToSameTab: without JavaScript a row action's dialog page and its submit
// lead back to the tab, page and search it was opened from, given as back or by the
// Referer; anything but a local Users or member page is ignored.
func TestActionReturnsToSameTab(t *testing.T) {
	tm := newTeam(t)
	c := tm.owner
	back := "/users?q=ada&tab=active"
	form := c.get(memberPath(tm.ada.ID, "details") + "?back=" + url.QueryEscape(back))
	if v, _ := form.Doc.Find(`form input[name="back"]`).Attr("value"); v != back {
		t.Errorf("the dialog page carries back %q, want %q", v, back)
	}
	if href, _ := form.Doc.Find(`.dialog-actions a:contains("Cancel")`).Attr("href"); href != back {
		t.Errorf("Cancel leads to %q, want %q", href, back)
	}
	p := c.post(memberPath(tm.ada.ID, "details"), url.Values{"department": {"Research"}, "back": {back}})
	if p.StatusCode != http.StatusSeeOther || p.location() != back {
		t.Errorf("saving details: %d to %q, want 303 to %q", p.StatusCode, p.location(), back)
	}
	// The member page works as a way back too.
	mp := fmt.Sprintf("/users/%d", tm.ada.ID)
	if p := c.post(memberPath(tm.ada.ID, "details"), url.Values{"department": {"Ops"}, "back": {mp}}); p.location() != mp {
		t.Errorf("saving details from the member page led to %q, want %q", p.location(), mp)
	}
	for _, hostile := range []string{"//evil.example/users", "https://evil.example/users?tab=active", "/users/../settings", "/usersx",
		"javascript:alert(1)", "/settings", `/users\evil`, "/users/1/terminate"} {
		p := c.post(memberPath(tm.ada.ID, "details"), url.Values{"department": {"Research"}, "back": {hostile}})
		if p.location() != "/users?tab=active" {
			t.Errorf("back %q led to %q, want the default /users?tab=active", hostile, p.location())
		}
	}
}
