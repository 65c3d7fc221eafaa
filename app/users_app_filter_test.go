package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
)

// ListMembers filters by app for Owners and Admins only: members given the app and those
// holding a role that carries it.
func TestListMembersByApp(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	wiki, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.SetMemberApps(ctx, f.ada, f.vic.Membership.ID, []int64{wiki.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SetAppRoles(ctx, f.owner, wiki.ID, []models.Role{models.RoleEditor}, testMeta); err != nil {
		t.Fatal(err)
	}
	filter := models.MemberFilter{Status: models.StatusActive, AppID: wiki.ID, Sort: models.SortEmail}
	page, err := f.app.ListMembers(ctx, f.ada, filter)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range page.Members {
		got = append(got, m.Email)
	}
	if !slices.Equal(got, []string{"ed@acme.test", "vic@acme.test"}) {
		t.Errorf("members with Wiki: %v, want Ed (Editor) and Vic (given it)", got)
	}
	for _, who := range []*models.Current{f.ed, f.vic} {
		if _, err := f.app.ListMembers(ctx, who, filter); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("filter by app as %s: %v, want ErrForbidden", who.User.Email, err)
		}
	}
}

// The member page lists, for Owners and Admins, the apps a member may use and how.
func TestMemberProfileApps(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	add := func(name, urls string) *models.App {
		a, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: name, URLs: urls}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	wiki, ci, _ := add("Wiki", "wiki.acme.test"), add("CI", "ci.acme.test"), add("Grafana", "grafana.acme.test")
	if err := f.app.SetMemberApps(ctx, f.ada, f.ed.Membership.ID, []int64{wiki.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*models.App{wiki, ci} {
		if err := f.app.SetAppRoles(ctx, f.owner, a.ID, []models.Role{models.RoleEditor}, testMeta); err != nil {
			t.Fatal(err)
		}
	}
	p, err := f.app.FindMemberProfile(ctx, f.ada, f.ed.Membership.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.MemberApp{{App: *ci, Direct: false, Roles: []models.Role{models.RoleEditor}}, {App: *wiki, Direct: true, Roles: []models.Role{models.RoleEditor}}}
	if len(p.Apps) != len(want) {
		t.Fatalf("apps %+v, want CI (role) and Wiki (direct and role)", p.Apps)
	}
	for i, w := range want {
		if g := p.Apps[i]; g.App.ID != w.App.ID || g.Direct != w.Direct || !slices.Equal(g.Roles, w.Roles) {
			t.Errorf("app %d: %s direct %v roles %v, want %s direct %v roles %v", i, g.App.Name, g.Direct, g.Roles, w.App.Name, w.Direct, w.Roles)
		}
	}
	if p, err := f.app.FindMemberProfile(ctx, f.ada, f.vic.Membership.ID); err != nil || p.Apps == nil || len(p.Apps) != 0 {
		t.Errorf("Vic (no apps): %+v, %v; want an empty list", p, err)
	}
	if p, err := f.app.FindMemberProfile(ctx, f.vic, f.ed.Membership.ID); err != nil || p.Apps != nil {
		t.Errorf("a Viewer sees apps %+v (%v)", p.Apps, err)
	}
}
