package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

// session logs email in (a real session row) and returns who it is, as Authenticate would.
func (f *team) session(t *testing.T, email string) *models.Current {
	t.Helper()
	ctx := context.Background()
	u, err := f.st.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	_, hash := models.NewToken()
	if _, err := f.st.CreateSession(ctx, store.LoginInput{UserID: u.ID, TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	cur, err := f.st.FindCurrent(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

func TestCreateAndSwitchOrganization(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	vic := f.session(t, "vic@acme.test")

	for _, name := range []string{"", "  ", strings.Repeat("x", models.MaxOrgNameLen+1), "bad\x00name"} {
		var fe models.FieldErrors
		if _, err := f.app.CreateOrganization(ctx, vic, models.OrgRequest{Name: name}, testMeta); !errors.As(err, &fe) || fe["name"] == "" {
			t.Errorf("CreateOrganization(%q) = %v, want a field error", name, err)
		}
	}
	sw, err := f.app.CreateOrganization(ctx, vic, models.OrgRequest{Name: " Vic's Band "}, testMeta)
	if err != nil || sw.Org.Name != "Vic's Band" || sw.Token == "" {
		t.Fatalf("CreateOrganization = %+v, %v", sw, err)
	}
	// The old session is gone; the new one is in the new organization, as its Owner.
	if _, err := f.st.FindCurrent(ctx, vic.Session.TokenHash); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the session before creating = %v, want ended", err)
	}
	band, err := f.st.FindCurrent(ctx, models.HashToken(sw.Token))
	if err != nil || band.Org.ID != sw.Org.ID || !band.Can(models.PermManageOwners) {
		t.Fatalf("session after creating = %+v, %v", band, err)
	}
	// Back to Acme, where Vic is a Viewer: a new session id again, audited there.
	back, err := f.app.SwitchOrganization(ctx, band, f.org.ID, testMeta)
	if err != nil || back.Org.ID != f.org.ID {
		t.Fatalf("SwitchOrganization = %+v, %v", back, err)
	}
	acme, err := f.st.FindCurrent(ctx, models.HashToken(back.Token))
	if err != nil || acme.Can(models.PermInviteMembers) || !acme.Can(models.PermViewData) {
		t.Errorf("in Acme: %+v, %v, want a Viewer's permissions", acme.Permissions, err)
	}
	if _, err := f.st.FindCurrent(ctx, band.Session.TokenHash); !errors.Is(err, models.ErrNotFound) {
		t.Error("the session before switching still works")
	}
	if evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionOrgSwitched}); len(evs) != 1 || evs[0].Detail != "from Vic's Band" {
		t.Errorf("switch events %+v", evs)
	}

	// Refused: an organization Vic is not in, one where he is terminated, one that does not exist.
	other := storetest.CreateOwner(t, f.st, "gus@globex.test", "Globex")
	if _, err := f.app.SwitchOrganization(ctx, acme, other.Org.ID, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("switch to Globex = %v, want ErrNotFound", err)
	}
	if _, err := f.app.SwitchOrganization(ctx, acme, 99999, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("switch to nothing = %v, want ErrNotFound", err)
	}
	if _, err := f.app.Terminate(ctx, f.ada, f.member(t, "vic@acme.test").ID, testMeta); err != nil {
		t.Fatal(err)
	}
	again := f.session(t, "vic@acme.test") // lands in his band, where he is still active
	if again.Org.ID != sw.Org.ID {
		t.Errorf("login after termination in Acme is in %q", again.Org.Name)
	}
	if _, err := f.app.SwitchOrganization(ctx, again, f.org.ID, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("switch to Acme where terminated = %v, want ErrNotFound", err)
	}
}

func TestJoinAndDeclineInvitation(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	globex := storetest.CreateOwner(t, f.st, "gus@globex.test", "Globex")
	storetest.CreateOwner(t, f.st, "gina@globex.test", "Globex")
	f.invite(t, f.owner, []models.Role{models.RoleEditor}, "gus@globex.test", "gina@globex.test")
	gus, gina := f.session(t, "gus@globex.test"), f.session(t, "gina@globex.test")

	list, err := f.app.Notifications(ctx, gus)
	if err != nil || len(list) != 1 || list[0].Org.Name != "Acme" || list[0].Inviter == "" {
		t.Fatalf("Notifications = %+v, %v", list, err)
	}
	id := list[0].Membership.ID
	if tb, err := f.app.TopBar(ctx, gus); err != nil || tb.Notifications != 1 || len(tb.Orgs) != 1 || tb.Orgs[0].ID != globex.Org.ID {
		t.Errorf("TopBar = %+v, %v", tb, err)
	}
	// Gina may neither see nor answer Gus's.
	for name, fn := range map[string]func() error{
		"OpenInvitation": func() error { _, err := f.app.OpenInvitation(ctx, gina, id); return err },
		"Join":           func() error { _, err := f.app.JoinInvitation(ctx, gina, id, testMeta); return err },
		"Decline":        func() error { _, err := f.app.DeclineInvitation(ctx, gina, id, testMeta); return err },
	} {
		if err := fn(); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("Gina: %s(Gus's) = %v, want ErrNotFound", name, err)
		}
	}
	org, err := f.app.JoinInvitation(ctx, gus, id, testMeta)
	if err != nil || org.ID != f.org.ID {
		t.Fatalf("JoinInvitation = %+v, %v", org, err)
	}
	m := f.member(t, "gus@globex.test")
	if m.Status != models.StatusActive || len(m.Roles) != 1 || m.Roles[0] != models.RoleEditor || m.UserID == nil || *m.UserID != gus.User.ID {
		t.Errorf("after join: %s %v", m.Status, m.Roles)
	}
	if _, err := f.app.JoinInvitation(ctx, gus, id, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("joining twice = %v, want ErrNotFound", err)
	}
	if _, err := f.app.DeclineInvitation(ctx, gus, id, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("declining after joining = %v, want ErrNotFound", err)
	}

	// Gina declines: the membership stays invited, its link is spent and says declined.
	gl, _ := f.app.Notifications(ctx, gina)
	if len(gl) != 1 {
		t.Fatalf("Gina's notifications %+v", gl)
	}
	if _, err := f.app.DeclineInvitation(ctx, gina, gl[0].Membership.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if gm := f.member(t, "gina@globex.test"); gm.Status != models.StatusInvited {
		t.Errorf("declined membership is %s", gm.Status)
	}
	if _, err := f.app.JoinInvitation(ctx, gina, gl[0].Membership.ID, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("joining after declining = %v, want ErrNotFound", err)
	}
	if left, _ := f.app.Notifications(ctx, gina); len(left) != 0 {
		t.Errorf("notifications after declining %+v", left)
	}
	for action, who := range map[models.Action]string{models.ActionInvitationJoined: "gus@globex.test", models.ActionInvitationDeclined: "gina@globex.test"} {
		if evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: action}); len(evs) != 1 || evs[0].ActorEmail != who {
			t.Errorf("%s events %+v", action, evs)
		}
	}
}

func TestLeaveAndDeleteOrganization(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	olive, owen, ed := f.session(t, "olive@acme.test"), f.session(t, "owen@acme.test"), f.session(t, "ed@acme.test")

	// Two Owners: one may leave, then the other is the last and may not.
	next, err := f.app.LeaveOrganization(ctx, owen, testMeta)
	if err != nil || next != nil {
		t.Fatalf("LeaveOrganization(Owen) = %+v, %v", next, err)
	}
	if cur, err := f.st.FindCurrent(ctx, owen.Session.TokenHash); err != nil || cur.HasOrg() {
		t.Errorf("Owen's session after leaving: %+v, %v, want in no organization", cur, err)
	}
	if _, err := f.app.LeaveOrganization(ctx, olive, testMeta); models.RefusalMessage(err) == "" || !strings.Contains(err.Error(), "last Owner") {
		t.Errorf("the last Owner leaving = %v, want refused", err)
	}
	// Delete: an Admin may not; the name must be typed exactly.
	if _, err := f.app.DeleteOrganization(ctx, f.session(t, "ada@acme.test"), "Acme", testMeta); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an Admin deleting = %v, want ErrForbidden", err)
	}
	var fe models.FieldErrors
	if _, err := f.app.DeleteOrganization(ctx, olive, "acme", testMeta); !errors.As(err, &fe) || fe["confirm"] == "" {
		t.Errorf("wrong name = %v, want a field error", err)
	}
	if _, err := f.app.DeleteOrganization(ctx, olive, "Acme", testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.FindOrganization(ctx, f.org.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Acme after deleting: %v", err)
	}
	// Ed's session stays, in no organization; his account too.
	if cur, err := f.st.FindCurrent(ctx, ed.Session.TokenHash); err != nil || cur.HasOrg() {
		t.Errorf("Ed's session after deleting: %+v, %v", cur, err)
	}
	if _, err := f.st.FindUserByEmail(ctx, "ed@acme.test"); err != nil {
		t.Errorf("Ed's account after deleting: %v", err)
	}
	if evs := storetest.Audit(t, f.st, models.AuditFilter{Action: models.ActionOrgDeleted}); len(evs) != 1 || evs[0].OrgID != nil || evs[0].ActorEmail != "olive@acme.test" {
		t.Errorf("deleted events %+v", evs)
	}
}
