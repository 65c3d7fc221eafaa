package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/models"
)

// teamFixture is Acme with Olive (Owner), Owen (a second Owner), Ada (Admin), Ed (Editor) and
// Vic (Viewer), all active and joined through invitations, plus Globex with its Owner Gus.
type teamFixture struct {
	*inviteFixture
	owen, ada, ed, vic *models.Current
}

func newTeamFixture(t *testing.T) *teamFixture {
	t.Helper()
	f := &teamFixture{inviteFixture: newInviteFixture(t)}
	f.owen = f.join(t, "owen@acme.test", models.RoleOwner)
	f.ada = f.join(t, "ada@acme.test", models.RoleAdmin)
	f.ed = f.join(t, "ed@acme.test", models.RoleEditor)
	f.vic = f.join(t, "vic@acme.test", models.RoleViewer)
	return f
}

func (f *teamFixture) member(t *testing.T, email string) models.Membership {
	t.Helper()
	return membershipOf(t, f.s, f.org.ID, email)
}

func TestSetMemberRoles(t *testing.T) {
	ctx := context.Background()
	o, a, e, v := models.RoleOwner, models.RoleAdmin, models.RoleEditor, models.RoleViewer

	t.Run("audit and no-op", func(t *testing.T) {
		f := newTeamFixture(t)
		vic := f.member(t, "vic@acme.test")
		f.clock.Advance(time.Hour)
		if err := f.s.SetMemberRoles(ctx, f.owner, vic.ID, []models.Role{a}, testMeta); err != nil {
			t.Fatal(err)
		}
		got := f.member(t, "vic@acme.test")
		if !slices.Equal(got.Roles, []models.Role{a}) || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("roles %v updated %v, want admin at %v", got.Roles, got.UpdatedAt, f.clock.Now())
		}
		evs := auditOf(t, f.s, f.org.ID, models.ActionRolesChanged, vic.ID)
		if len(evs) != 1 || evs[0].Detail != "Viewer → Admin" || evs[0].ActorEmail != "olive@acme.test" || evs[0].TargetEmail != "vic@acme.test" {
			t.Errorf("roles-changed events %+v, want one \"Viewer → Admin\" by Olive", evs)
		}
		if err := f.s.SetMemberRoles(ctx, f.owner, vic.ID, []models.Role{e, v, v}, testMeta); err != nil {
			t.Fatal(err)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionRolesChanged, vic.ID); len(evs) != 2 || evs[1].Detail != "Admin → Editor, Viewer" {
			t.Errorf("second change: %+v", evs)
		}
		// The same roles again, in another order and repeated: nothing to record.
		before := tableCounts(t, f.s)
		f.clock.Advance(time.Hour)
		for _, roles := range [][]models.Role{{v, e}, {e, v, e}} {
			if err := f.s.SetMemberRoles(ctx, f.owner, vic.ID, roles, testMeta); err != nil {
				t.Fatal(err)
			}
		}
		wantTableDelta(t, f.s, before, nil)
		if got := f.member(t, "vic@acme.test"); got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("a no-op change touched updated_at")
		}
	})

	t.Run("rules", func(t *testing.T) {
		f := newTeamFixture(t)
		f.invite(t, f.owner, []models.Role{o}, "invited-owner@acme.test")
		f.invite(t, f.gus, []models.Role{v}, "globex@acme.test")
		f.join(t, "gone@acme.test", v)
		gone := f.member(t, "gone@acme.test")
		if _, err := f.s.ChangeMemberStatus(ctx, f.owner, gone.ID, models.ActTerminate, testMeta); err != nil {
			t.Fatal(err)
		}
		id := func(email string) int64 { return f.member(t, email).ID }
		// staleOwner is Ada acting on a session loaded while she was an Owner.
		staleOwner := withPermissions(f.ada, o)
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			roles []models.Role
			want  error
			msg   string
		}{
			{"owner, own roles", f.owner, id("olive@acme.test"), []models.Role{o, a}, models.ErrForbidden, "You can't change your own roles. Ask another Owner or Admin."},
			{"admin, own roles", f.ada, id("ada@acme.test"), []models.Role{a, e}, models.ErrForbidden, "You can't change your own roles. Ask another Owner or Admin."},
			{"admin grants owner", f.ada, id("vic@acme.test"), []models.Role{o}, models.ErrForbidden, "Only an Owner can grant the Owner role."},
			{"admin removes owner", f.ada, id("owen@acme.test"), []models.Role{a}, models.ErrForbidden, "Only an Owner can remove the Owner role."},
			{"admin demotes an invited owner", f.ada, id("invited-owner@acme.test"), []models.Role{v}, models.ErrForbidden, "Only an Owner can remove the Owner role."},
			{"editor", f.ed, id("vic@acme.test"), []models.Role{e}, models.ErrForbidden, ""},
			{"viewer", f.vic, id("ed@acme.test"), []models.Role{v}, models.ErrForbidden, ""},
			{"no roles", f.owner, id("vic@acme.test"), nil, models.ErrForbidden, "Choose at least one role."},
			{"unknown role", f.owner, id("vic@acme.test"), []models.Role{"root"}, models.ErrForbidden, "Unknown role."},
			{"unknown role beside a known one", f.owner, id("vic@acme.test"), []models.Role{e, "root"}, models.ErrForbidden, "Unknown role."},
			{"terminated member", f.owner, gone.ID, []models.Role{e}, models.ErrTransition, ""},
			{"another organization's member", f.owner, membershipOf(t, f.s, f.other.ID, "globex@acme.test").ID, []models.Role{e}, models.ErrNotFound, ""},
			{"unknown id", f.owner, 999999, []models.Role{e}, models.ErrNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var old []models.Role
				if tt.id != 999999 {
					var m models.Membership
					f.s.r.Take(&m, tt.id)
					old = membershipOf(t, f.s, m.OrgID, m.Email).Roles
				}
				before := tableCounts(t, f.s)
				err := f.s.SetMemberRoles(ctx, tt.actor, tt.id, tt.roles, testMeta)
				if !errors.Is(err, tt.want) {
					t.Errorf("SetMemberRoles = %v, want %v", err, tt.want)
				}
				if got := models.RefusalMessage(err); got != tt.msg {
					t.Errorf("refusal %q, want %q", got, tt.msg)
				}
				wantTableDelta(t, f.s, before, nil)
				if old != nil {
					var m models.Membership
					f.s.r.Take(&m, tt.id)
					if now := membershipOf(t, f.s, m.OrgID, m.Email).Roles; !slices.Equal(now, old) {
						t.Errorf("roles changed from %v to %v", old, now)
					}
				}
			})
		}

		t.Run("last active owner", func(t *testing.T) {
			// With two active Owners, one may demote the other.
			if err := f.s.SetMemberRoles(ctx, f.owner, id("owen@acme.test"), []models.Role{a}, testMeta); err != nil {
				t.Fatalf("demoting one of two Owners: %v", err)
			}
			if c, _ := activeOwners(f.s.r, f.org.ID); c != 1 {
				t.Fatalf("%d active Owners, want 1", c)
			}
			before := tableCounts(t, f.s)
			err := f.s.SetMemberRoles(ctx, staleOwner, id("olive@acme.test"), []models.Role{a}, testMeta)
			if got := models.RefusalMessage(err); got != "This is the last active Owner. Make someone else an Owner first." {
				t.Errorf("demoting the last active Owner = %v", err)
			}
			wantTableDelta(t, f.s, before, nil)
			// An invited Owner is not active: demoting them leaves the last active Owner alone.
			if err := f.s.SetMemberRoles(ctx, f.owner, id("invited-owner@acme.test"), []models.Role{v}, testMeta); err != nil {
				t.Errorf("demoting an invited Owner with one active Owner: %v", err)
			}
			// Granting Owner again makes demotion possible.
			if err := f.s.SetMemberRoles(ctx, f.owner, id("vic@acme.test"), []models.Role{o}, testMeta); err != nil {
				t.Fatal(err)
			}
			if err := f.s.SetMemberRoles(ctx, staleOwner, id("olive@acme.test"), []models.Role{a}, testMeta); err != nil {
				t.Errorf("demoting Olive with Vic an Owner: %v", err)
			}
		})
	})

	t.Run("invited member", func(t *testing.T) {
		f := newTeamFixture(t)
		f.invite(t, f.ada, []models.Role{v}, "new@acme.test")
		m := f.member(t, "new@acme.test")
		if err := f.s.SetMemberRoles(ctx, f.ada, m.ID, []models.Role{a, e}, testMeta); err != nil {
			t.Fatal(err)
		}
		if got := f.member(t, "new@acme.test"); got.Status != models.StatusInvited || !slices.Equal(got.Roles, []models.Role{a, e}) {
			t.Errorf("invited member: %s %v, want invited admin, editor", got.Status, got.Roles)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionRolesChanged, m.ID); len(evs) != 1 || evs[0].Detail != "Viewer → Admin, Editor" {
			t.Errorf("events %+v", evs)
		}
	})

	t.Run("admin manages admins", func(t *testing.T) {
		f := newTeamFixture(t)
		if err := f.s.SetMemberRoles(ctx, f.ada, f.member(t, "ed@acme.test").ID, []models.Role{a}, testMeta); err != nil {
			t.Errorf("admin grants admin: %v", err)
		}
		if err := f.s.SetMemberRoles(ctx, f.ada, f.member(t, "ed@acme.test").ID, []models.Role{v}, testMeta); err != nil {
			t.Errorf("admin removes admin: %v", err)
		}
	})
}

func TestUpdateMemberDetails(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	vic := f.member(t, "vic@acme.test")
	f.clock.Advance(time.Hour)
	before := tableCounts(t, f.s)
	if err := f.s.UpdateMemberDetails(ctx, f.ada, vic.ID, MemberDetails{Department: "Ops", Location: "Zürich"}, testMeta); err != nil {
		t.Fatal(err)
	}
	wantTableDelta(t, f.s, before, map[string]int64{"audit_events": 1})
	got := f.member(t, "vic@acme.test")
	if got.Department != "Ops" || got.Location != "Zürich" || got.Position != "" || got.JobID != "" || !got.UpdatedAt.Equal(f.clock.Now()) {
		t.Errorf("details %+v", got)
	}
	evs := auditOf(t, f.s, f.org.ID, models.ActionDetailsChanged, vic.ID)
	if len(evs) != 1 || evs[0].Detail != `department "" → "Ops"; location "" → "Zürich"` || evs[0].ActorEmail != "ada@acme.test" {
		t.Errorf("events %+v", evs)
	}

	if err := f.s.UpdateMemberDetails(ctx, f.ada, vic.ID, MemberDetails{Department: "Ops", Position: "Lead", JobID: "J-7", Location: "Zürich"}, testMeta); err != nil {
		t.Fatal(err)
	}
	evs = auditOf(t, f.s, f.org.ID, models.ActionDetailsChanged, vic.ID)
	if len(evs) != 2 || evs[1].Detail != `position "" → "Lead"; job ID "" → "J-7"` {
		t.Errorf("second change %+v, want only position and job ID", evs)
	}

	t.Run("no-op writes nothing", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		before := tableCounts(t, f.s)
		if err := f.s.UpdateMemberDetails(ctx, f.ada, vic.ID, MemberDetails{Department: "Ops", Position: "Lead", JobID: "J-7", Location: "Zürich"}, testMeta); err != nil {
			t.Fatal(err)
		}
		wantTableDelta(t, f.s, before, nil)
		if got := f.member(t, "vic@acme.test"); got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("a no-op touched updated_at")
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@acme.test")
		f.invite(t, f.gus, []models.Role{models.RoleViewer}, "globex@acme.test")
		f.join(t, "globex-active@acme.test", models.RoleViewer)
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			want  error
		}{
			{"invited member", f.owner, f.member(t, "invited@acme.test").ID, models.ErrTransition},
			{"editor", f.ed, vic.ID, models.ErrForbidden},
			{"viewer", f.vic, vic.ID, models.ErrForbidden},
			{"another organization's member", f.owner, membershipOf(t, f.s, f.other.ID, "globex@acme.test").ID, models.ErrNotFound},
			{"another organization's actor", f.gus, vic.ID, models.ErrNotFound},
		}
		for _, tt := range tests {
			before := tableCounts(t, f.s)
			err := f.s.UpdateMemberDetails(ctx, tt.actor, tt.id, MemberDetails{Department: "Nope"}, testMeta)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: UpdateMemberDetails = %v, want %v", tt.name, err, tt.want)
			}
			wantTableDelta(t, f.s, before, nil)
		}
	})
}

func TestChangeMemberStatus(t *testing.T) {
	ctx := context.Background()

	t.Run("terminate and restore", func(t *testing.T) {
		f := newTeamFixture(t)
		vic := f.member(t, "vic@acme.test")
		// Vic is also in Globex; a session there survives termination in Acme.
		mustInsertMember(t, f.s, models.Membership{OrgID: f.other.ID, UserID: &f.vic.User.ID, Email: "vic@acme.test", Status: models.StatusActive}, models.RoleViewer)
		_, acmeHash := models.NewToken()
		if _, err := f.s.CreateSession(ctx, LoginInput{UserID: f.vic.User.ID, TokenHash: acmeHash}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.w.Model(&models.User{}).Where("id = ?", f.vic.User.ID).Update("last_org_id", f.other.ID).Error; err != nil {
			t.Fatal(err)
		}
		_, globexHash := models.NewToken()
		if sess, err := f.s.CreateSession(ctx, LoginInput{UserID: f.vic.User.ID, TokenHash: globexHash}); err != nil || sess.OrgID != f.other.ID {
			t.Fatalf("Globex session %+v, %v", sess, err)
		}
		if cur, err := f.s.FindCurrent(ctx, acmeHash); err != nil || cur.Org.ID != f.org.ID {
			t.Fatalf("FindCurrent before terminate = %+v, %v", cur, err)
		}
		before := checkCounts(t, f.s, f.org.ID, "before terminate")

		f.clock.Advance(time.Hour)
		m, err := f.s.ChangeMemberStatus(ctx, f.ada, vic.ID, models.ActTerminate, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != models.StatusTerminated {
			t.Errorf("returned status %s", m.Status)
		}
		got := f.member(t, "vic@acme.test")
		if got.Status != models.StatusTerminated || !slices.Equal(got.Roles, []models.Role{models.RoleViewer}) || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("after terminate: %s %v, want terminated keeping viewer", got.Status, got.Roles)
		}
		if _, err := f.s.FindCurrent(ctx, acmeHash); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindCurrent of the Acme session after terminate = %v, want ErrNotFound", err)
		}
		if cur, err := f.s.FindCurrent(ctx, globexHash); err != nil || cur.Org.ID != f.other.ID {
			t.Errorf("the Globex session = %v, %v; want it kept", cur, err)
		}
		after := checkCounts(t, f.s, f.org.ID, "after terminate")
		if after[models.StatusActive] != before[models.StatusActive]-1 || after[models.StatusTerminated] != before[models.StatusTerminated]+1 {
			t.Errorf("counts %v → %v", before, after)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionTerminated, vic.ID); len(evs) != 1 || evs[0].Detail != "roles Viewer" || evs[0].ActorEmail != "ada@acme.test" {
			t.Errorf("terminated events %+v", evs)
		}
		if _, err := f.s.ChangeMemberStatus(ctx, f.ada, vic.ID, models.ActTerminate, testMeta); !errors.Is(err, models.ErrTransition) {
			t.Errorf("terminating twice = %v, want ErrTransition", err)
		}

		m, err = f.s.ChangeMemberStatus(ctx, f.ada, vic.ID, models.ActRestore, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		got = f.member(t, "vic@acme.test")
		if m.Status != models.StatusActive || got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleViewer}) {
			t.Errorf("after restore: %s %v, want active viewer", got.Status, got.Roles)
		}
		if c := checkCounts(t, f.s, f.org.ID, "after restore"); c[models.StatusActive] != before[models.StatusActive] || c[models.StatusTerminated] != before[models.StatusTerminated] {
			t.Errorf("counts after restore %v, want %v", c, before)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionRestored, vic.ID); len(evs) != 1 || evs[0].Detail != "roles Viewer" {
			t.Errorf("restored events %+v", evs)
		}
		// Restored members log in again.
		_, hash := models.NewToken()
		if err := f.s.w.Model(&models.User{}).Where("id = ?", f.vic.User.ID).Update("last_org_id", f.org.ID).Error; err != nil {
			t.Fatal(err)
		}
		if sess, err := f.s.CreateSession(ctx, LoginInput{UserID: f.vic.User.ID, TokenHash: hash}); err != nil || sess.OrgID != f.org.ID {
			t.Errorf("login after restore = %+v, %v", sess, err)
		}
	})

	t.Run("owners", func(t *testing.T) {
		f := newTeamFixture(t)
		olive, owen := f.member(t, "olive@acme.test"), f.member(t, "owen@acme.test")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			act   models.MemberAction
			msg   string
		}{
			{"admin terminates an owner", f.ada, owen.ID, models.ActTerminate, "Only an Owner can terminate an Owner."},
			{"owner terminates itself", f.owner, olive.ID, models.ActTerminate, "You can't terminate yourself."},
			{"admin terminates itself", f.ada, f.member(t, "ada@acme.test").ID, models.ActTerminate, "You can't terminate yourself."},
		}
		for _, tt := range tests {
			before := tableCounts(t, f.s)
			_, err := f.s.ChangeMemberStatus(ctx, tt.actor, tt.id, tt.act, testMeta)
			if !errors.Is(err, models.ErrForbidden) || models.RefusalMessage(err) != tt.msg {
				t.Errorf("%s = %v, want refused: %q", tt.name, err, tt.msg)
			}
			wantTableDelta(t, f.s, before, nil)
		}

		// One Owner may terminate another while a second is active.
		if _, err := f.s.ChangeMemberStatus(ctx, f.owner, owen.ID, models.ActTerminate, testMeta); err != nil {
			t.Fatalf("terminating one of two Owners: %v", err)
		}
		before := tableCounts(t, f.s)
		if _, err := f.s.ChangeMemberStatus(ctx, f.ada, owen.ID, models.ActRestore, testMeta); models.RefusalMessage(err) != "Only an Owner can grant the Owner role." {
			t.Errorf("admin restores an Owner = %v, want refused", err)
		}
		// Ada on a session from when she was an Owner: Olive is now the last active Owner.
		_, err := f.s.ChangeMemberStatus(ctx, withPermissions(f.ada, models.RoleOwner), olive.ID, models.ActTerminate, testMeta)
		if models.RefusalMessage(err) != "This is the last active Owner and can't be terminated." {
			t.Errorf("terminating the last active Owner = %v, want refused", err)
		}
		wantTableDelta(t, f.s, before, nil)
		if got := f.member(t, "olive@acme.test"); got.Status != models.StatusActive {
			t.Errorf("the last Owner is %s", got.Status)
		}
		if _, err := f.s.ChangeMemberStatus(ctx, f.owner, owen.ID, models.ActRestore, testMeta); err != nil {
			t.Errorf("an Owner restores an Owner: %v", err)
		}
		if got := f.member(t, "owen@acme.test"); got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleOwner}) {
			t.Errorf("restored Owner %s %v", got.Status, got.Roles)
		}
	})

	t.Run("approve, reject, re-approve", func(t *testing.T) {
		f := newTeamFixture(t)
		bare := mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "bare@example.com", Status: models.StatusPending})
		editor := mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "editor@example.com", Status: models.StatusPending}, models.RoleEditor)
		owner := mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "owner@example.com", Status: models.StatusPending}, models.RoleOwner)
		counts := checkCounts(t, f.s, f.org.ID, "start")
		want := func(step string, delta map[models.Status]int64) {
			t.Helper()
			got := checkCounts(t, f.s, f.org.ID, step)
			for _, st := range allStatuses {
				counts[st] += delta[st]
				if got[st] != counts[st] {
					t.Errorf("%s: %s count %d, want %d", step, st, got[st], counts[st])
				}
			}
		}
		steps := []struct {
			id     int64
			act    models.MemberAction
			status models.Status
			roles  []models.Role
			audit  models.Action
			delta  map[models.Status]int64
		}{
			{bare.ID, models.ActApprove, models.StatusActive, []models.Role{models.RoleViewer}, models.ActionApproved,
				map[models.Status]int64{models.StatusPending: -1, models.StatusActive: 1}},
			{editor.ID, models.ActReject, models.StatusRejected, []models.Role{models.RoleEditor}, models.ActionRejected,
				map[models.Status]int64{models.StatusPending: -1, models.StatusRejected: 1}},
			{editor.ID, models.ActReapprove, models.StatusActive, []models.Role{models.RoleEditor}, models.ActionReapproved,
				map[models.Status]int64{models.StatusRejected: -1, models.StatusActive: 1}},
		}
		for _, st := range steps {
			m, err := f.s.ChangeMemberStatus(ctx, f.ada, st.id, st.act, testMeta)
			if err != nil {
				t.Fatalf("%s: %v", st.act, err)
			}
			if m.Status != st.status || !slices.Equal(m.Roles, st.roles) {
				t.Errorf("%s returned %s %v, want %s %v", st.act, m.Status, m.Roles, st.status, st.roles)
			}
			got := f.member(t, m.Email)
			if got.Status != st.status || !slices.Equal(got.Roles, st.roles) {
				t.Errorf("%s stored %s %v, want %s %v", st.act, got.Status, got.Roles, st.status, st.roles)
			}
			if evs := auditOf(t, f.s, f.org.ID, st.audit, st.id); len(evs) != 1 || evs[0].Detail != "roles "+rolesText(st.roles) {
				t.Errorf("%s events %+v", st.act, evs)
			}
			want(string(st.act), st.delta)
		}

		before := tableCounts(t, f.s)
		if _, err := f.s.ChangeMemberStatus(ctx, f.ada, owner.ID, models.ActApprove, testMeta); models.RefusalMessage(err) != "Only an Owner can grant the Owner role." {
			t.Errorf("admin approves a pending Owner = %v, want refused", err)
		}
		wrong := []struct {
			name  string
			actor *models.Current
			id    int64
			act   models.MemberAction
			want  error
		}{
			{"approve an active member", f.ada, bare.ID, models.ActApprove, models.ErrTransition},
			{"reject an active member", f.ada, bare.ID, models.ActReject, models.ErrTransition},
			{"re-approve a pending member", f.ada, owner.ID, models.ActReapprove, models.ErrTransition},
			{"restore a pending member", f.ada, owner.ID, models.ActRestore, models.ErrTransition},
			{"terminate a pending member", f.ada, owner.ID, models.ActTerminate, models.ErrTransition},
			{"editor approves", f.ed, owner.ID, models.ActApprove, models.ErrForbidden},
			{"viewer terminates", f.vic, bare.ID, models.ActTerminate, models.ErrForbidden},
			{"another organization's actor", f.gus, owner.ID, models.ActApprove, models.ErrNotFound},
		}
		for _, tt := range wrong {
			if _, err := f.s.ChangeMemberStatus(ctx, tt.actor, tt.id, tt.act, testMeta); !errors.Is(err, tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, err, tt.want)
			}
		}
		for _, act := range []models.MemberAction{models.ActEditRoles, models.ActReinvite, models.ActAccept, "bogus"} {
			_, err := f.s.ChangeMemberStatus(ctx, f.owner, owner.ID, act, testMeta)
			if err == nil || !strings.Contains(err.Error(), "not a status change") {
				t.Errorf("ChangeMemberStatus(%s) = %v, want refused as not a status change", act, err)
			}
		}
		wantTableDelta(t, f.s, before, nil)
		want("after refusals", nil)

		if m, err := f.s.ChangeMemberStatus(ctx, f.owner, owner.ID, models.ActApprove, testMeta); err != nil || m.Status != models.StatusActive {
			t.Errorf("an Owner approves a pending Owner = %v, %v", m, err)
		}
		want("owner approved", map[models.Status]int64{models.StatusPending: -1, models.StatusActive: 1})
		// A rejected member without roles is re-approved as a Viewer.
		if _, err := f.s.ChangeMemberStatus(ctx, f.ada, mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "r@example.com", Status: models.StatusRejected}).ID, models.ActReapprove, testMeta); err != nil {
			t.Fatal(err)
		}
		if got := f.member(t, "r@example.com"); got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleViewer}) {
			t.Errorf("re-approved role-less member: %s %v", got.Status, got.Roles)
		}
		want("re-approved", map[models.Status]int64{models.StatusActive: 1})
	})
}

func TestFindInviters(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	f.invite(t, f.owner, []models.Role{models.RoleAdmin}, "invited-admin@acme.test")
	f.join(t, "fired-admin@acme.test", models.RoleAdmin)
	if _, err := f.s.ChangeMemberStatus(ctx, f.owner, f.member(t, "fired-admin@acme.test").ID, models.ActTerminate, testMeta); err != nil {
		t.Fatal(err)
	}
	f.join(t, "multi@acme.test", models.RoleEditor, models.RoleAdmin)
	mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "pending-admin@acme.test", Status: models.StatusPending}, models.RoleAdmin)
	mustInsertMember(t, f.s, models.Membership{OrgID: f.other.ID, Email: "globex-admin@acme.test", Status: models.StatusActive}, models.RoleAdmin)

	got, err := f.s.FindInviters(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, m := range got {
		emails = append(emails, m.Email)
	}
	slices.Sort(emails)
	want := []string{"ada@acme.test", "multi@acme.test", "olive@acme.test", "owen@acme.test"}
	if !slices.Equal(emails, want) {
		t.Errorf("FindInviters = %v, want %v", emails, want)
	}

	// At most ten, in name order.
	for i := range 12 {
		mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: fmt.Sprintf("a%02d@acme.test", i), Status: models.StatusActive,
			FirstName: "Aaron", LastName: fmt.Sprintf("%02d", i)}, models.RoleAdmin)
	}
	got, err = f.s.FindInviters(ctx, f.org.ID)
	if err != nil || len(got) != 10 || got[0].Email != "a00@acme.test" || got[9].Email != "a09@acme.test" {
		t.Errorf("FindInviters with many admins = %d rows (first %v), %v", len(got), got[:min(1, len(got))], err)
	}
}

// Two Owners removing each other at the same moment must leave one: the count of active
// Owners is read inside each (IMMEDIATE) transaction, so the second sees the first's change.
func TestLastOwnerRace(t *testing.T) {
	ctx := context.Background()
	for _, act := range []string{"demote", "terminate"} {
		t.Run(act, func(t *testing.T) {
			f := newTeamFixture(t)
			olive, owen := f.member(t, "olive@acme.test"), f.member(t, "owen@acme.test")
			pairs := []struct {
				actor  *models.Current
				target int64
			}{{f.owner, owen.ID}, {f.owen, olive.ID}}
			errs := make([]error, len(pairs))
			var wg sync.WaitGroup
			for i, p := range pairs {
				wg.Go(func() {
					if act == "demote" {
						errs[i] = f.s.SetMemberRoles(ctx, p.actor, p.target, []models.Role{models.RoleAdmin}, testMeta)
					} else {
						_, errs[i] = f.s.ChangeMemberStatus(ctx, p.actor, p.target, models.ActTerminate, testMeta)
					}
				})
			}
			wg.Wait()
			refused := 0
			for _, err := range errs {
				if err != nil {
					if !strings.Contains(models.RefusalMessage(err), "last active Owner") {
						t.Errorf("unexpected error %v", err)
					}
					refused++
				}
			}
			if refused != 1 {
				t.Errorf("%d of 2 refused, want exactly 1 (errors %v)", refused, errs)
			}
			if n, err := activeOwners(f.s.r, f.org.ID); err != nil || n != 1 {
				t.Errorf("%d active Owners left (%v), want 1", n, err)
			}
		})
	}
}

func TestFindMember(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	f.invite(t, f.gus, []models.Role{models.RoleViewer}, "globex@acme.test")
	ed := f.member(t, "ed@acme.test")
	got, err := f.s.FindMember(ctx, f.org.ID, ed.ID)
	if err != nil || got.Email != "ed@acme.test" || !slices.Equal(got.Roles, []models.Role{models.RoleEditor}) {
		t.Errorf("FindMember = %+v, %v", got, err)
	}
	for _, id := range []int64{membershipOf(t, f.s, f.other.ID, "globex@acme.test").ID, 999999} {
		if _, err := f.s.FindMember(ctx, f.org.ID, id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindMember(%d) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := f.s.FindMember(ctx, f.other.ID, ed.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Acme's member found through Globex: %v", err)
	}
}

// Members from before roles existed may hold none; their audit lines say so.
func TestRolelessMember(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	m := mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "old@acme.test", Status: models.StatusActive})
	if err := f.s.SetMemberRoles(ctx, f.owner, m.ID, []models.Role{models.RoleViewer}, testMeta); err != nil {
		t.Fatal(err)
	}
	if evs := auditOf(t, f.s, f.org.ID, models.ActionRolesChanged, m.ID); len(evs) != 1 || evs[0].Detail != "no roles → Viewer" {
		t.Errorf("events %+v, want \"no roles → Viewer\"", evs)
	}
	p := mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "asks@acme.test", Status: models.StatusPending})
	if _, err := f.s.ChangeMemberStatus(ctx, f.ada, p.ID, models.ActReject, testMeta); err != nil {
		t.Fatal(err)
	}
	if got := f.member(t, "asks@acme.test"); got.Status != models.StatusRejected || len(got.Roles) != 0 {
		t.Errorf("rejected: %s %v, want no roles handed out", got.Status, got.Roles)
	}
	if evs := auditOf(t, f.s, f.org.ID, models.ActionRejected, p.ID); len(evs) != 1 || evs[0].Detail != "no roles" {
		t.Errorf("events %+v", evs)
	}
}
