package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

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
