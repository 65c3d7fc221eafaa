package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gatehouse/models"
)

// TestInviteWithApps: the invite offers the organization's enabled apps; the invited
// membership holds the apps from the invitation on, keeps them on acceptance, and the
// invitation's event names them. A disabled app, another organization's or an unknown id is
// refused on "apps" and nothing is written.
func TestInviteWithApps(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	wiki, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "CI", URLs: "ci.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	old, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Old", URLs: "old.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.DisableApp(ctx, f.owner, old.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	// The store creates organizations only at setup: an Admin of another organization is Ada
	// acting in an organization that has no apps, with Acme's app ids.
	elsewhere := *f.ada
	elsewhere.Org.ID = f.org.ID + 1000

	// Offered: enabled apps only, by name; only to those who may invite.
	offered, err := f.app.InviteApps(ctx, f.ada)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range offered {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"CI", "Wiki"}) {
		t.Errorf("offered %v, want [CI Wiki]", names)
	}
	if _, err := f.app.InviteApps(ctx, f.vic); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("InviteApps by a Viewer: %v, want ErrForbidden", err)
	}

	viewer := []models.Role{models.RoleViewer}
	for _, tc := range []struct {
		name  string
		actor *models.Current
		apps  []int64
		want  string
	}{
		{"disabled app", f.ada, []int64{wiki.ID, old.ID}, "Old is disabled: enable it on the Apps page first, or leave it unchecked."},
		{"another organization's app", &elsewhere, []int64{wiki.ID}, "One of the apps you chose no longer exists. Choose apps from the list."},
		{"unknown id", f.ada, []int64{wiki.ID, 0}, "One of the apps you chose no longer exists. Choose apps from the list."},
	} {
		before := f.state(t)
		_, err := f.app.Invite(ctx, tc.actor, models.InviteRequest{Emails: "nope@example.com", Roles: viewer, Apps: tc.apps}, testMeta)
		if fe, ok := err.(models.FieldErrors); !ok || fe["apps"] != tc.want {
			t.Errorf("%s: %v, want apps error %q", tc.name, err, tc.want)
		}
		if after := f.state(t); after.members[models.StatusInvited] != before.members[models.StatusInvited] || after.outbox != before.outbox || after.audit != before.audit {
			t.Errorf("%s: a refused invite wrote %+v (before %+v)", tc.name, after, before)
		}
	}

	// Granted at invite time, on the invited membership, and audited.
	if _, err := f.app.Invite(ctx, f.ada, models.InviteRequest{Emails: "ann@example.com", Roles: viewer, Apps: []int64{wiki.ID, ci.ID, wiki.ID}}, testMeta); err != nil {
		t.Fatal(err)
	}
	m := f.member(t, "ann@example.com")
	if got, _ := f.st.MemberApps(ctx, f.org.ID, m.ID); !slices.Equal(got, []int64{wiki.ID, ci.ID}) {
		t.Errorf("invited membership's apps %v, want Wiki and CI", got)
	}
	if evs := f.auditOf(t, models.ActionInvited, m.ID); len(evs) != 1 || evs[0].Detail != "roles Viewer; apps CI, Wiki" {
		t.Errorf("invited events %+v, want one naming roles and apps", evs)
	}
	// Accepting keeps them: the active member may use both apps.
	if _, _, err := f.app.AcceptInvitation(ctx, f.lastLink(t, "ann@example.com"), signup("Ann", "Example"), testMeta); err != nil {
		t.Fatal(err)
	}
	m = f.member(t, "ann@example.com")
	if m.Status != models.StatusActive {
		t.Fatalf("ann is %s, want active", m.Status)
	}
	if got, _ := f.st.AppAccess(ctx, f.org.ID, m.ID, m.Roles); !slices.Equal(sorted(got), sorted([]int64{wiki.ID, ci.ID})) {
		t.Errorf("after acceptance, access %v, want Wiki and CI", got)
	}

	// A revoked invitation invited again gets the new choice, not the old one.
	if _, err := f.app.Invite(ctx, f.ada, models.InviteRequest{Emails: "bea@example.com", Roles: viewer, Apps: []int64{wiki.ID}}, testMeta); err != nil {
		t.Fatal(err)
	}
	bea := f.member(t, "bea@example.com")
	if _, err := f.app.RevokeInvitation(ctx, f.ada, bea.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Invite(ctx, f.ada, models.InviteRequest{Emails: "bea@example.com", Roles: viewer}, testMeta); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.MemberApps(ctx, f.org.ID, bea.ID); len(got) != 0 {
		t.Errorf("re-invited without apps, still has %v", got)
	}
	if evs := f.auditOf(t, models.ActionInvited, bea.ID); len(evs) != 2 || evs[0].Detail != "roles Viewer" && evs[1].Detail != "roles Viewer" {
		t.Errorf("re-invite events %+v", evs)
	}
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
