package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store"
)

func TestSetMemberRoles(t *testing.T) {
	ctx := context.Background()
	o, a, e, v := models.RoleOwner, models.RoleAdmin, models.RoleEditor, models.RoleViewer

	t.Run("audit and no-op", func(t *testing.T) {
		f := newTeam(t)
		vic := f.member(t, "vic@acme.test")
		f.clock.Advance(time.Hour)
		if _, err := f.app.SetMemberRoles(ctx, f.owner, vic.ID, []models.Role{a}, testMeta); err != nil {
			t.Fatal(err)
		}
		got := f.member(t, "vic@acme.test")
		if !slices.Equal(got.Roles, []models.Role{a}) || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("roles %v updated %v, want admin at %v", got.Roles, got.UpdatedAt, f.clock.Now())
		}
		evs := f.auditOf(t, models.ActionRolesChanged, vic.ID)
		if len(evs) != 1 || evs[0].Detail != "Viewer → Admin" || evs[0].ActorEmail != "olive@acme.test" || evs[0].TargetEmail != "vic@acme.test" {
			t.Errorf("roles-changed events %+v, want one \"Viewer → Admin\" by Olive", evs)
		}
		if _, err := f.app.SetMemberRoles(ctx, f.owner, vic.ID, []models.Role{e, v, v}, testMeta); err != nil {
			t.Fatal(err)
		}
		if evs := f.auditOf(t, models.ActionRolesChanged, vic.ID); len(evs) != 2 || evs[1].Detail != "Admin → Editor, Viewer" {
			t.Errorf("second change: %+v", evs)
		}
		// The same roles again, in another order and repeated: nothing to record.
		before := f.state(t)
		f.clock.Advance(time.Hour)
		for _, roles := range [][]models.Role{{v, e}, {e, v, e}} {
			if _, err := f.app.SetMemberRoles(ctx, f.owner, vic.ID, roles, testMeta); err != nil {
				t.Fatal(err)
			}
		}
		f.unchanged(t, before, "setting the same roles")
		if got := f.member(t, "vic@acme.test"); got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("a no-op change touched updated_at")
		}
	})

	t.Run("rules", func(t *testing.T) {
		f := newTeam(t)
		f.invite(t, f.owner, []models.Role{o}, "invited-owner@acme.test")
		f.join(t, "gone@acme.test", v)
		gone := f.member(t, "gone@acme.test")
		if _, err := f.app.Terminate(ctx, f.owner, gone.ID, testMeta); err != nil {
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
			{"unknown id", f.owner, 999999, []models.Role{e}, models.ErrNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.state(t)
				_, err := f.app.SetMemberRoles(ctx, tt.actor, tt.id, tt.roles, testMeta)
				if !errors.Is(err, tt.want) {
					t.Errorf("SetMemberRoles = %v, want %v", err, tt.want)
				}
				if got := models.RefusalMessage(err); got != tt.msg {
					t.Errorf("refusal %q, want %q", got, tt.msg)
				}
				f.unchanged(t, before, tt.name)
			})
		}

		t.Run("last active owner", func(t *testing.T) {
			// With two active Owners, one may demote the other.
			if _, err := f.app.SetMemberRoles(ctx, f.owner, id("owen@acme.test"), []models.Role{a}, testMeta); err != nil {
				t.Fatalf("demoting one of two Owners: %v", err)
			}
			if c, _ := f.st.CountActiveOwners(ctx, f.org.ID); c != 1 {
				t.Fatalf("%d active Owners, want 1", c)
			}
			before := f.state(t)
			_, err := f.app.SetMemberRoles(ctx, staleOwner, id("olive@acme.test"), []models.Role{a}, testMeta)
			if got := models.RefusalMessage(err); got != "This is the last active Owner. Make someone else an Owner first." {
				t.Errorf("demoting the last active Owner = %v", err)
			}
			f.unchanged(t, before, "demoting the last active Owner")
			// An invited Owner is not active: demoting them leaves the last active Owner alone.
			if _, err := f.app.SetMemberRoles(ctx, f.owner, id("invited-owner@acme.test"), []models.Role{v}, testMeta); err != nil {
				t.Errorf("demoting an invited Owner with one active Owner: %v", err)
			}
			// Granting Owner again makes demotion possible.
			if _, err := f.app.SetMemberRoles(ctx, f.owner, id("vic@acme.test"), []models.Role{o}, testMeta); err != nil {
				t.Fatal(err)
			}
			if _, err := f.app.SetMemberRoles(ctx, staleOwner, id("olive@acme.test"), []models.Role{a}, testMeta); err != nil {
				t.Errorf("demoting Olive with Vic an Owner: %v", err)
			}
		})
	})

	t.Run("invited member", func(t *testing.T) {
		f := newTeam(t)
		f.invite(t, f.ada, []models.Role{v}, "new@acme.test")
		m := f.member(t, "new@acme.test")
		if _, err := f.app.SetMemberRoles(ctx, f.ada, m.ID, []models.Role{a, e}, testMeta); err != nil {
			t.Fatal(err)
		}
		if got := f.member(t, "new@acme.test"); got.Status != models.StatusInvited || !slices.Equal(got.Roles, []models.Role{a, e}) {
			t.Errorf("invited member: %s %v, want invited admin, editor", got.Status, got.Roles)
		}
		if evs := f.auditOf(t, models.ActionRolesChanged, m.ID); len(evs) != 1 || evs[0].Detail != "Viewer → Admin, Editor" {
			t.Errorf("events %+v", evs)
		}
	})

	t.Run("admin manages admins", func(t *testing.T) {
		f := newTeam(t)
		if _, err := f.app.SetMemberRoles(ctx, f.ada, f.member(t, "ed@acme.test").ID, []models.Role{a}, testMeta); err != nil {
			t.Errorf("admin grants admin: %v", err)
		}
		if _, err := f.app.SetMemberRoles(ctx, f.ada, f.member(t, "ed@acme.test").ID, []models.Role{v}, testMeta); err != nil {
			t.Errorf("admin removes admin: %v", err)
		}
	})
}

func TestUpdateMemberDetails(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	vic := f.member(t, "vic@acme.test")
	f.department(t, "Ops")
	f.clock.Advance(time.Hour)
	before := f.state(t)
	if _, err := f.app.UpdateMemberDetails(ctx, f.ada, vic.ID, models.MemberDetailsRequest{Department: " ops ", Location: "Zürich"}, testMeta); err != nil {
		t.Fatal(err)
	}
	if after := f.state(t); after.audit != before.audit+1 {
		t.Errorf("%d events written, want 1", after.audit-before.audit)
	}
	got := f.member(t, "vic@acme.test")
	if got.Department != "Ops" || got.Location != "Zürich" || got.Position != "" || got.JobID != "" || !got.UpdatedAt.Equal(f.clock.Now()) {
		t.Errorf("details %+v", got)
	}
	evs := f.auditOf(t, models.ActionDetailsChanged, vic.ID)
	if len(evs) != 1 || evs[0].Detail != `department "" → "Ops"; location "" → "Zürich"` || evs[0].ActorEmail != "ada@acme.test" {
		t.Errorf("events %+v", evs)
	}
	full := models.MemberDetailsRequest{Department: "Ops", Position: "Lead", JobID: "J-7", Location: "Zürich"}
	if _, err := f.app.UpdateMemberDetails(ctx, f.ada, vic.ID, full, testMeta); err != nil {
		t.Fatal(err)
	}
	evs = f.auditOf(t, models.ActionDetailsChanged, vic.ID)
	if len(evs) != 2 || evs[1].Detail != `position "" → "Lead"; job ID "" → "J-7"` {
		t.Errorf("second change %+v, want only position and job ID", evs)
	}

	t.Run("no-op writes nothing", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		before := f.state(t)
		if _, err := f.app.UpdateMemberDetails(ctx, f.ada, vic.ID, full, testMeta); err != nil {
			t.Fatal(err)
		}
		f.unchanged(t, before, "unchanged details")
		if got := f.member(t, "vic@acme.test"); got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("a no-op touched updated_at")
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@acme.test")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			req   models.MemberDetailsRequest
			want  error
		}{
			{"invited member", f.owner, f.member(t, "invited@acme.test").ID, models.MemberDetailsRequest{Department: "Nope"}, models.ErrTransition},
			{"editor", f.ed, vic.ID, models.MemberDetailsRequest{Department: "Nope"}, models.ErrForbidden},
			{"viewer", f.vic, vic.ID, models.MemberDetailsRequest{Department: "Nope"}, models.ErrForbidden},
			{"unknown id", f.owner, 999999, models.MemberDetailsRequest{Department: "Nope"}, models.ErrNotFound},
			{"too long", f.owner, vic.ID, models.MemberDetailsRequest{Position: strings.Repeat("x", models.MaxFieldLen+1)}, models.ErrInvalid},
			{"unknown department", f.owner, vic.ID, models.MemberDetailsRequest{Department: "Nope"}, models.ErrInvalid},
		}
		for _, tt := range tests {
			before := f.state(t)
			if _, err := f.app.UpdateMemberDetails(ctx, tt.actor, tt.id, tt.req, testMeta); !errors.Is(err, tt.want) {
				t.Errorf("%s: UpdateMemberDetails = %v, want %v", tt.name, err, tt.want)
			}
			f.unchanged(t, before, tt.name)
		}
	})
}

func TestChangeMemberStatus(t *testing.T) {
	ctx := context.Background()

	t.Run("terminate and restore", func(t *testing.T) {
		f := newTeam(t)
		vic := f.member(t, "vic@acme.test")
		before := f.state(t)
		f.clock.Advance(time.Hour)
		raw, hash := models.NewToken()
		if _, err := f.st.CreateSession(ctx, store.LoginInput{UserID: f.vic.User.ID, TokenHash: hash}); err != nil {
			t.Fatal(err)
		}
		m, err := f.app.Terminate(ctx, f.ada, vic.ID, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		got := f.member(t, "vic@acme.test")
		if m.Status != models.StatusTerminated || got.Status != models.StatusTerminated ||
			!slices.Equal(got.Roles, []models.Role{models.RoleViewer}) || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("after terminate: %s %v, want terminated keeping viewer", got.Status, got.Roles)
		}
		// The session stays, but in no organization (vic has no other), with a notice.
		withSessions := app.New(f.st, app.Config{BaseURL: f.app.Config().BaseURL, Sessions: models.SessionPolicy{Idle: time.Hour, Lifetime: 24 * time.Hour}}, f.clock, nil)
		if cur, err := withSessions.Authenticate(ctx, app.Cookie{Token: raw}); err != nil || cur.HasOrg() || cur.Can(models.PermViewData) ||
			cur.Notice != "Your access to Acme has ended." {
			t.Errorf("Authenticate after terminate = %+v, %v, want no organization with a notice", cur, err)
		}
		after := f.state(t)
		if after.members[models.StatusActive] != before.members[models.StatusActive]-1 || after.members[models.StatusTerminated] != before.members[models.StatusTerminated]+1 {
			t.Errorf("counts %v → %v", before.members, after.members)
		}
		if evs := f.auditOf(t, models.ActionTerminated, vic.ID); len(evs) != 1 || evs[0].Detail != "roles Viewer" || evs[0].ActorEmail != "ada@acme.test" {
			t.Errorf("terminated events %+v", evs)
		}
		if _, err := f.app.Terminate(ctx, f.ada, vic.ID, testMeta); !errors.Is(err, models.ErrTransition) {
			t.Errorf("terminating twice = %v, want ErrTransition", err)
		}
		m, err = f.app.Restore(ctx, f.ada, vic.ID, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		got = f.member(t, "vic@acme.test")
		if m.Status != models.StatusActive || got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleViewer}) {
			t.Errorf("after restore: %s %v, want active viewer", got.Status, got.Roles)
		}
		if evs := f.auditOf(t, models.ActionRestored, vic.ID); len(evs) != 1 || evs[0].Detail != "roles Viewer" {
			t.Errorf("restored events %+v", evs)
		}
		// Restored members log in again.
		_, hash = models.NewToken()
		if sess, err := f.st.CreateSession(ctx, store.LoginInput{UserID: f.vic.User.ID, TokenHash: hash}); err != nil || sess.OrgID != f.org.ID {
			t.Errorf("login after restore = %+v, %v", sess, err)
		}
	})

	t.Run("owners", func(t *testing.T) {
		f := newTeam(t)
		olive, owen := f.member(t, "olive@acme.test"), f.member(t, "owen@acme.test")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			msg   string
		}{
			{"admin terminates an owner", f.ada, owen.ID, "Only an Owner can terminate an Owner."},
			{"owner terminates itself", f.owner, olive.ID, "You can't terminate yourself."},
			{"admin terminates itself", f.ada, f.member(t, "ada@acme.test").ID, "You can't terminate yourself."},
		}
		for _, tt := range tests {
			before := f.state(t)
			if _, err := f.app.Terminate(ctx, tt.actor, tt.id, testMeta); !errors.Is(err, models.ErrForbidden) || models.RefusalMessage(err) != tt.msg {
				t.Errorf("%s = %v, want refused: %q", tt.name, err, tt.msg)
			}
			f.unchanged(t, before, tt.name)
		}
		// One Owner may terminate another while a second is active.
		if _, err := f.app.Terminate(ctx, f.owner, owen.ID, testMeta); err != nil {
			t.Fatalf("terminating one of two Owners: %v", err)
		}
		before := f.state(t)
		if _, err := f.app.Restore(ctx, f.ada, owen.ID, testMeta); models.RefusalMessage(err) != "Only an Owner can grant the Owner role." {
			t.Errorf("admin restores an Owner = %v, want refused", err)
		}
		// Ada on a session from when she was an Owner: Olive is now the last active Owner.
		_, err := f.app.Terminate(ctx, withPermissions(f.ada, models.RoleOwner), olive.ID, testMeta)
		if models.RefusalMessage(err) != "This is the last active Owner and can't be terminated." {
			t.Errorf("terminating the last active Owner = %v, want refused", err)
		}
		f.unchanged(t, before, "refused owner changes")
		if _, err := f.app.Restore(ctx, f.owner, owen.ID, testMeta); err != nil {
			t.Errorf("an Owner restores an Owner: %v", err)
		}
		if got := f.member(t, "owen@acme.test"); got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleOwner}) {
			t.Errorf("restored Owner %s %v", got.Status, got.Roles)
		}
	})

	t.Run("approve, reject, re-approve", func(t *testing.T) {
		f := newTeam(t)
		bare := f.insert(t, "bare@example.com", models.StatusPending)
		editor := f.insert(t, "editor@example.com", models.StatusPending, models.RoleEditor)
		owner := f.insert(t, "owner@example.com", models.StatusPending, models.RoleOwner)
		steps := []struct {
			id     int64
			act    models.MemberAction
			status models.Status
			roles  []models.Role
			audit  models.Action
		}{
			{bare.ID, models.ActApprove, models.StatusActive, []models.Role{models.RoleViewer}, models.ActionApproved},
			{editor.ID, models.ActReject, models.StatusRejected, []models.Role{models.RoleEditor}, models.ActionRejected},
			{editor.ID, models.ActReapprove, models.StatusActive, []models.Role{models.RoleEditor}, models.ActionReapproved},
		}
		for _, st := range steps {
			m, err := f.app.ChangeMemberStatus(ctx, f.ada, st.id, st.act, testMeta)
			if err != nil {
				t.Fatalf("%s: %v", st.act, err)
			}
			if m.Status != st.status || !slices.Equal(m.Roles, st.roles) {
				t.Errorf("%s returned %s %v, want %s %v", st.act, m.Status, m.Roles, st.status, st.roles)
			}
			if got := f.member(t, m.Email); got.Status != st.status || !slices.Equal(got.Roles, st.roles) {
				t.Errorf("%s stored %s %v, want %s %v", st.act, got.Status, got.Roles, st.status, st.roles)
			}
			if evs := f.auditOf(t, st.audit, st.id); len(evs) != 1 || evs[0].Detail != "roles "+models.RoleLabels(st.roles) {
				t.Errorf("%s events %+v", st.act, evs)
			}
		}
		before := f.state(t)
		if _, err := f.app.Approve(ctx, f.ada, owner.ID, testMeta); models.RefusalMessage(err) != "Only an Owner can grant the Owner role." {
			t.Errorf("admin approves a pending Owner = %v, want refused", err)
		}
		for _, tt := range []struct {
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
		} {
			if _, err := f.app.ChangeMemberStatus(ctx, tt.actor, tt.id, tt.act, testMeta); !errors.Is(err, tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, err, tt.want)
			}
		}
		for _, act := range []models.MemberAction{models.ActEditRoles, models.ActReinvite, models.ActAccept, "bogus"} {
			if _, err := f.app.ChangeMemberStatus(ctx, f.owner, owner.ID, act, testMeta); err == nil || !strings.Contains(err.Error(), "not a status change") {
				t.Errorf("ChangeMemberStatus(%s) = %v, want refused as not a status change", act, err)
			}
		}
		f.unchanged(t, before, "refused status changes")
		if m, err := f.app.Approve(ctx, f.owner, owner.ID, testMeta); err != nil || m.Status != models.StatusActive {
			t.Errorf("an Owner approves a pending Owner = %v, %v", m, err)
		}
		// A rejected member without roles is re-approved as a Viewer.
		r := f.insert(t, "r@example.com", models.StatusRejected)
		if _, err := f.app.Reapprove(ctx, f.ada, r.ID, testMeta); err != nil {
			t.Fatal(err)
		}
		if got := f.member(t, "r@example.com"); got.Status != models.StatusActive || !slices.Equal(got.Roles, []models.Role{models.RoleViewer}) {
			t.Errorf("re-approved role-less member: %s %v", got.Status, got.Roles)
		}
	})
}

// Members from before roles existed may hold none; their audit lines say so.
func TestRolelessMember(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	m := f.insert(t, "old@acme.test", models.StatusActive)
	if _, err := f.app.SetMemberRoles(ctx, f.owner, m.ID, []models.Role{models.RoleViewer}, testMeta); err != nil {
		t.Fatal(err)
	}
	if evs := f.auditOf(t, models.ActionRolesChanged, m.ID); len(evs) != 1 || evs[0].Detail != "no roles → Viewer" {
		t.Errorf("events %+v, want \"no roles → Viewer\"", evs)
	}
	p := f.insert(t, "asks@acme.test", models.StatusPending)
	if _, err := f.app.Reject(ctx, f.ada, p.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if got := f.member(t, "asks@acme.test"); got.Status != models.StatusRejected || len(got.Roles) != 0 {
		t.Errorf("rejected: %s %v, want no roles handed out", got.Status, got.Roles)
	}
	if evs := f.auditOf(t, models.ActionRejected, p.ID); len(evs) != 1 || evs[0].Detail != "no roles" {
		t.Errorf("events %+v", evs)
	}
}

// Two Owners removing each other at the same moment must leave one: the count of active
// Owners is read inside each use case's (IMMEDIATE) transaction, so the second sees the first's change.
func TestLastOwnerRace(t *testing.T) {
	ctx := context.Background()
	for _, act := range []string{"demote", "terminate"} {
		t.Run(act, func(t *testing.T) {
			f := newTeam(t)
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
						_, errs[i] = f.app.SetMemberRoles(ctx, p.actor, p.target, []models.Role{models.RoleAdmin}, testMeta)
					} else {
						_, errs[i] = f.app.Terminate(ctx, p.actor, p.target, testMeta)
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
			if n, err := f.st.CountActiveOwners(ctx, f.org.ID); err != nil || n != 1 {
				t.Errorf("%d active Owners left (%v), want 1", n, err)
			}
		})
	}
}

func TestResetMFA(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@acme.test")
	for _, tt := range []struct {
		name  string
		actor *models.Current
		id    int64
		want  error
		msg   string
	}{
		{"editor", f.ed, f.member(t, "vic@acme.test").ID, models.ErrForbidden, ""},
		{"no account yet", f.owner, f.member(t, "invited@acme.test").ID, models.ErrForbidden, "invited@acme.test has no account yet, so there is nothing to reset."},
		{"oneself", f.ada, f.member(t, "ada@acme.test").ID, models.ErrForbidden, "Change your own two-factor methods on your Account page."},
		{"admin on an owner", f.ada, f.member(t, "owen@acme.test").ID, models.ErrForbidden, "Only an Owner can change an Owner's membership."},
		{"unknown id", f.owner, 999999, models.ErrNotFound, ""},
	} {
		before := f.state(t)
		if _, err := f.app.ResetMFA(ctx, tt.actor, tt.id, testMeta); !errors.Is(err, tt.want) || models.RefusalMessage(err) != tt.msg {
			t.Errorf("%s: ResetMFA = %v, want %v %q", tt.name, err, tt.want, tt.msg)
		}
		f.unchanged(t, before, tt.name)
	}
	vic := f.member(t, "vic@acme.test")
	_, hash := models.NewToken()
	if _, err := f.st.CreateSession(ctx, store.LoginInput{UserID: f.vic.User.ID, TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.ResetMFA(ctx, f.ada, vic.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.FindCurrent(ctx, hash); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the member's session after a reset = %v, want ended", err)
	}
	if evs := f.auditOf(t, models.ActionMFAReset, vic.ID); len(evs) != 1 || evs[0].ActorEmail != "ada@acme.test" {
		t.Errorf("mfa.reset events %+v", evs)
	}
}

func TestMemberReads(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	page, err := f.app.ListMembers(ctx, f.vic, models.MemberFilter{Status: models.StatusActive})
	if err != nil || len(page.Members) != 5 {
		t.Errorf("ListMembers = %+v, %v; want the 5 active members", page, err)
	}
	if counts, err := f.app.CountMembers(ctx, f.vic); err != nil || counts[models.StatusActive] != 5 {
		t.Errorf("CountMembers = %v, %v", counts, err)
	}
	if m, err := f.app.FindMember(ctx, f.vic, f.member(t, "ed@acme.test").ID); err != nil || m.Email != "ed@acme.test" {
		t.Errorf("FindMember = %+v, %v", m, err)
	}
	if got, err := f.app.FindInviters(ctx, f.vic); err != nil || len(got) != 3 {
		t.Errorf("FindInviters = %d, %v; want Olive, Owen and Ada", len(got), err)
	}
	nobody := withPermissions(f.vic)
	if _, err := f.app.ListMembers(ctx, nobody, models.MemberFilter{}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("ListMembers without permissions = %v", err)
	}
	if _, err := f.app.FindMember(ctx, nobody, 1); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("FindMember without permissions = %v", err)
	}
}
