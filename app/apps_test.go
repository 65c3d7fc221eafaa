package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestAppsUseCases(t *testing.T) {
	f := newTeam(t)
	ctx := context.Background()
	wiki, err := f.app.AddApp(ctx, f.ada, models.AppRequest{Name: "Wiki", URLs: "tools.acme.test/wiki\nwiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "CI", URLs: "ci.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}

	// Only those who manage the organization add apps; only those who manage members give access.
	for _, who := range []*models.Current{f.ed, f.vic} {
		if _, err := f.app.AddApp(ctx, who, models.AppRequest{Name: "X", URLs: "x.acme.test"}, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("AddApp by %s: %v, want ErrForbidden", who.User.Email, err)
		}
		if err := f.app.SetMemberApps(ctx, who, who.Membership.ID, []int64{wiki.ID}, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("SetMemberApps by %s: %v, want ErrForbidden", who.User.Email, err)
		}
		if err := f.app.DisableApp(ctx, who, wiki.ID, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("DisableApp by %s: %v, want ErrForbidden", who.User.Email, err)
		}
	}
	// A URL another app has is refused with a message naming it; ids that are not the
	// organization's are not found.
	_, err = f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki 2", URLs: "WIKI.acme.test/"}, testMeta)
	if fe, ok := err.(models.FieldErrors); !ok || fe["urls"] != "Another app already has wiki.acme.test." {
		t.Errorf("duplicate URL: %v", err)
	}
	if _, err := f.app.UpdateApp(ctx, f.owner, ci.ID, models.AppRequest{Name: "CI", URLs: "ci.acme.test\ntools.acme.test/wiki"}, testMeta); err == nil {
		t.Error("UpdateApp took another app's URL")
	}
	if err := f.app.DeleteApp(ctx, f.owner, 424242, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("DeleteApp of an unknown id: %v", err)
	}
	if err := f.app.SetMemberApps(ctx, f.owner, f.vic.Membership.ID, []int64{424242}, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("SetMemberApps with an unknown app: %v", err)
	}

	// Edit access offers enabled apps only; a disabled app's grant is kept as it is.
	if err := f.app.SetMemberApps(ctx, f.ada, f.vic.Membership.ID, []int64{wiki.ID, ci.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := f.app.DisableApp(ctx, f.owner, ci.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SetMemberApps(ctx, f.ada, f.vic.Membership.ID, []int64{ci.ID}, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("granting a disabled app: %v, want ErrNotFound", err)
	}
	if err := f.app.SetMemberApps(ctx, f.ada, f.vic.Membership.ID, nil, testMeta); err != nil {
		t.Fatal(err)
	}
	acc, err := f.app.MemberAccess(ctx, f.ada, f.vic.Membership.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Apps) != 1 || acc.Apps[0].ID != wiki.ID || len(acc.Direct) != 0 || acc.Disabled != 1 {
		t.Errorf("MemberAccess: apps %v direct %v disabled %d; want only Wiki offered, none given, CI kept", acc.Apps, acc.Direct, acc.Disabled)
	}
	if err := f.app.SetAppRoles(ctx, f.owner, wiki.ID, []models.Role{models.RoleViewer}, testMeta); err != nil {
		t.Fatal(err)
	}
	if acc, _ = f.app.MemberAccess(ctx, f.ada, f.vic.Membership.ID); !slices.Equal(acc.ByRole, []int64{wiki.ID}) {
		t.Errorf("Wiki through the Viewer role: ByRole %v", acc.ByRole)
	}
	if err := f.app.SetAppRoles(ctx, f.owner, wiki.ID, []models.Role{"root"}, testMeta); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("an unknown role: %v", err)
	}
	if err := f.app.DeleteApp(ctx, f.owner, ci.ID, testMeta); err != nil {
		t.Fatal(err)
	}

	// Everything was audited.
	var got []models.Action
	for _, ev := range storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID}) {
		if ev.Action == models.ActionAppAdded || ev.Action == models.ActionAppDisabled || ev.Action == models.ActionAppDeleted ||
			ev.Action == models.ActionAppRolesChanged || ev.Action == models.ActionAppAccessChanged {
			got = append(got, ev.Action)
		}
	}
	slices.Sort(got)
	want := []models.Action{models.ActionAppAdded, models.ActionAppAdded, models.ActionAppDeleted, models.ActionAppDisabled,
		models.ActionAppRolesChanged, models.ActionAppAccessChanged, models.ActionAppAccessChanged}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("audited %v, want %v", got, want)
	}
}
