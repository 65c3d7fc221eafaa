package models

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var everyStatus = []Status{StatusInvited, StatusPending, StatusRejected, StatusActive, StatusTerminated, StatusRevoked}

var everyAction = []MemberAction{ActInvite, ActReinvite, ActRevoke, ActCopyLink, ActAccept, ActEditRoles,
	ActEditDetails, ActApprove, ActReject, ActReapprove, ActTerminate, ActRestore}

func TestTransition(t *testing.T) {
	// allowed is DESIGN.md's lifecycle table: the actions each status offers (plus accepting an
	// invitation, which the invited person does) and where each leads. Every other pair is refused.
	allowed := map[Status]map[MemberAction]Status{
		StatusInvited: {ActReinvite: StatusInvited, ActRevoke: StatusRevoked, ActCopyLink: StatusInvited,
			ActEditRoles: StatusInvited, ActAccept: StatusActive},
		StatusPending:    {ActApprove: StatusActive, ActReject: StatusRejected},
		StatusRejected:   {ActReapprove: StatusActive},
		StatusActive:     {ActEditRoles: StatusActive, ActEditDetails: StatusActive, ActTerminate: StatusTerminated},
		StatusTerminated: {ActRestore: StatusActive},
		StatusRevoked:    {ActInvite: StatusInvited},
	}
	for _, from := range append(everyStatus, Status("bogus")) {
		for _, act := range append(everyAction, MemberAction("bogus")) {
			t.Run(fmt.Sprintf("%s/%s", from, act), func(t *testing.T) {
				got, err := Transition(from, act)
				if want, ok := allowed[from][act]; ok {
					if err != nil || got != want {
						t.Errorf("Transition(%s, %s) = %q, %v; want %q", from, act, got, err, want)
					}
					return
				}
				if !errors.Is(err, ErrTransition) || !errors.Is(err, ErrConflict) {
					t.Errorf("Transition(%s, %s) = %q, %v; want ErrTransition (a conflict)", from, act, got, err)
				}
				if got != from {
					t.Errorf("refused Transition(%s, %s) moved to %q; want it to stay", from, act, got)
				}
			})
		}
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		status Status
		want   []string // menu labels, in menu order
	}{
		{StatusInvited, []string{"Reinvite", "Revoke invitation", "Copy invite link", "Edit roles"}},
		{StatusPending, []string{"Approve", "Reject"}},
		{StatusRejected, []string{"Re-approve"}},
		{StatusActive, []string{"Edit roles", "Edit details", "Terminate"}},
		{StatusTerminated, []string{"Restore"}},
		{StatusRevoked, []string{"Invite"}}, // only a fresh invitation
		{Status("bogus"), nil},
	}
	for _, tt := range tests {
		acts := Actions(tt.status)
		var got []string
		for _, a := range acts {
			got = append(got, a.Label())
			if _, err := Transition(tt.status, a); err != nil {
				t.Errorf("Actions(%s) offers %s, which Transition refuses: %v", tt.status, a, err)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Actions(%s) = %q, want %q", tt.status, got, tt.want)
		}
		if slices.Contains(acts, ActAccept) {
			t.Errorf("Actions(%s) offers Accept, which belongs to the invited person", tt.status)
		}
	}
}

func TestMemberActionProperties(t *testing.T) {
	tests := []struct {
		act         MemberAction
		label       string
		perm        Permission
		destructive bool
	}{
		{ActInvite, "Invite", PermInviteMembers, false},
		{ActReinvite, "Reinvite", PermInviteMembers, false},
		{ActRevoke, "Revoke invitation", PermInviteMembers, true},
		{ActCopyLink, "Copy invite link", PermInviteMembers, false},
		{ActAccept, "Accept", PermViewData, false},
		{ActEditRoles, "Edit roles", PermManageMembers, false},
		{ActEditDetails, "Edit details", PermManageMembers, false},
		{ActApprove, "Approve", PermManageMembers, false},
		{ActReject, "Reject", PermManageMembers, true},
		{ActReapprove, "Re-approve", PermManageMembers, false},
		{ActTerminate, "Terminate", PermManageMembers, true},
		{ActRestore, "Restore", PermManageMembers, false},
		{MemberAction("bogus"), "bogus", PermManageMembers, false}, // unknown actions need the most
	}
	if len(tests)-1 != len(everyAction) {
		t.Fatalf("table covers %d actions, everyAction has %d", len(tests)-1, len(everyAction))
	}
	for _, tt := range tests {
		if got := tt.act.Label(); got != tt.label {
			t.Errorf("%s.Label() = %q, want %q", tt.act, got, tt.label)
		}
		if got := tt.act.Permission(); got != tt.perm {
			t.Errorf("%s.Permission() = %q, want %q", tt.act, got, tt.perm)
		}
		if got := tt.act.Destructive(); got != tt.destructive {
			t.Errorf("%s.Destructive() = %v, want %v", tt.act, got, tt.destructive)
		}
	}
}

// Actors as the role rules see them; every actor is user 1, targets are other users.
var (
	asOwner       = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleOwner})}
	asAdmin       = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleAdmin})}
	asEditor      = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleEditor})}
	asViewer      = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleViewer})}
	asAdminEditor = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleAdmin, RoleEditor})}
	asEditorView  = Actor{UserID: 1, Permissions: PermissionsOf([]Role{RoleEditor, RoleViewer})}
	asNobody      = Actor{UserID: 1, Permissions: PermissionSet{}}
)

func uid(id int64) *int64 { return &id }

// wantRefusal checks that err is a RuleError containing msg (nil msg: no refusal).
func wantRefusal(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Errorf("%s = %v, want allowed", what, err)
		}
		return
	}
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("%s = %v, want a refusal (ErrForbidden) saying %q", what, err, msg)
		return
	}
	if got := RefusalMessage(err); !strings.Contains(got, msg) {
		t.Errorf("%s refused with %q, want %q", what, got, msg)
	}
}

func TestCheckGrant(t *testing.T) {
	o, a, e, v := RoleOwner, RoleAdmin, RoleEditor, RoleViewer
	tests := []struct {
		name  string
		actor Actor
		roles []Role
		msg   string // "" when allowed
	}{
		{"owner grants owner", asOwner, []Role{o}, ""},
		{"owner grants every role", asOwner, []Role{o, a, e, v}, ""},
		{"owner grants admin", asOwner, []Role{a}, ""},
		{"admin grants admin", asAdmin, []Role{a}, ""},
		{"admin grants editor and viewer", asAdmin, []Role{e, v}, ""},
		{"admin cannot grant owner", asAdmin, []Role{o}, "Only an Owner can grant the Owner role."},
		{"admin cannot grant owner among others", asAdmin, []Role{v, o}, "Only an Owner can grant the Owner role."},
		{"admin+editor cannot grant owner", asAdminEditor, []Role{o}, "Only an Owner can grant the Owner role."},
		{"editor grants editor", asEditor, []Role{e}, ""},
		{"editor grants viewer", asEditor, []Role{v}, ""},
		{"editor cannot grant admin", asEditor, []Role{a}, "You can't grant Admin"},
		{"editor+viewer cannot grant admin", asEditorView, []Role{v, a}, "You can't grant Admin"},
		{"editor cannot grant owner", asEditor, []Role{o}, "Only an Owner can grant the Owner role."},
		{"viewer grants viewer", asViewer, []Role{v}, ""},
		{"viewer cannot grant editor", asViewer, []Role{e}, "You can't grant Editor"},
		{"no permissions cannot grant viewer", asNobody, []Role{v}, "You can't grant Viewer"},
		{"empty role set", asOwner, nil, "Choose at least one role."},
		{"empty role slice", asOwner, []Role{}, "Choose at least one role."},
		{"unknown role", asOwner, []Role{"superuser"}, "Unknown role."},
		{"unknown role among known", asOwner, []Role{v, "superuser"}, "Unknown role."},
		{"role keys are case-sensitive", asOwner, []Role{"Admin"}, "Unknown role."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusal(t, fmt.Sprintf("CheckGrant(%v)", tt.roles), CheckGrant(tt.actor, tt.roles), tt.msg)
		})
	}
}

func TestCheckRoleChange(t *testing.T) {
	o, a, e, v := RoleOwner, RoleAdmin, RoleEditor, RoleViewer
	active := func(roles ...Role) Target { return Target{UserID: uid(2), Status: StatusActive, Roles: roles} }
	tests := []struct {
		name   string
		actor  Actor
		target Target
		roles  []Role
		owners int
		msg    string
	}{
		{"own roles, owner", asOwner, Target{UserID: uid(1), Status: StatusActive, Roles: []Role{o}}, []Role{o, a}, 2,
			"You can't change your own roles."},
		{"own roles, admin raising itself", asAdmin, Target{UserID: uid(1), Status: StatusActive, Roles: []Role{a}}, []Role{a, e}, 1,
			"You can't change your own roles."},
		{"owner makes viewer admin", asOwner, active(v), []Role{a}, 1, ""},
		{"admin makes viewer admin", asAdmin, active(v), []Role{a}, 1, ""},
		{"admin makes admin viewer", asAdmin, active(a), []Role{v}, 1, ""},
		{"owner grants owner", asOwner, active(a), []Role{o}, 1, ""},
		{"admin cannot grant owner", asAdmin, active(a), []Role{o}, 1, "Only an Owner can grant the Owner role."},
		{"admin cannot remove owner", asAdmin, active(o), []Role{a}, 2, "Only an Owner can remove the Owner role."},
		{"admin cannot remove owner from an invited member", asAdmin, Target{Status: StatusInvited, Roles: []Role{o}}, []Role{v}, 1,
			"Only an Owner can remove the Owner role."},
		{"admin cannot touch owner's other roles", asAdmin, active(o, e), []Role{o}, 2, "Only an Owner can grant the Owner role."},
		{"editor cannot grant admin", asEditor, active(v), []Role{a}, 1, "You can't grant Admin"},
		{"editor cannot remove admin", asEditor, active(a, e), []Role{e}, 1, "You can't remove Admin"},
		{"viewer cannot remove editor", asViewer, active(e, v), []Role{v}, 1, "You can't remove Editor"},
		{"last active owner cannot be demoted", asOwner, active(o), []Role{a}, 1,
			"This is the last active Owner. Make someone else an Owner first."},
		{"no active owner counted", asOwner, active(o), []Role{a}, 0, "This is the last active Owner."},
		{"one of two owners can be demoted", asOwner, active(o), []Role{a}, 2, ""},
		{"owner keeps owner and gains admin as last owner", asOwner, active(o), []Role{o, a}, 1, ""},
		{"invited owner demoted with one active owner", asOwner, Target{Status: StatusInvited, Roles: []Role{o}}, []Role{v}, 1, ""},
		{"terminated owner demoted with one active owner", asOwner, Target{UserID: uid(3), Status: StatusTerminated, Roles: []Role{o}}, []Role{v}, 1, ""},
		{"multi-role admin+editor demotes admin", asAdminEditor, active(a, e), []Role{e}, 1, ""},
		{"empty role set", asOwner, active(v), nil, 2, "Choose at least one role."},
		{"unknown role", asOwner, active(v), []Role{"superuser"}, 2, "Unknown role."},
		{"unknown role beside a known one", asOwner, active(v), []Role{e, "superuser"}, 2, "Unknown role."},
		{"invited target has no user id", asOwner, Target{Status: StatusInvited, Roles: []Role{v}}, []Role{e}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRoleChange(tt.actor, tt.target, tt.roles, tt.owners)
			wantRefusal(t, fmt.Sprintf("CheckRoleChange(%v → %v, owners %d)", tt.target.Roles, tt.roles, tt.owners), err, tt.msg)
		})
	}
}

func TestCheckTerminate(t *testing.T) {
	o, a, e, v := RoleOwner, RoleAdmin, RoleEditor, RoleViewer
	active := func(roles ...Role) Target { return Target{UserID: uid(2), Status: StatusActive, Roles: roles} }
	tests := []struct {
		name   string
		actor  Actor
		target Target
		owners int
		msg    string
	}{
		{"self, owner", asOwner, Target{UserID: uid(1), Status: StatusActive, Roles: []Role{o}}, 3, "You can't terminate yourself."},
		{"self, viewer", asViewer, Target{UserID: uid(1), Status: StatusActive, Roles: []Role{v}}, 1, "You can't terminate yourself."},
		{"owner terminates viewer", asOwner, active(v), 1, ""},
		{"admin terminates admin", asAdmin, active(a), 1, ""},
		{"admin terminates editor", asAdmin, active(e, v), 1, ""},
		{"admin cannot terminate owner", asAdmin, active(o), 3, "Only an Owner can terminate an Owner."},
		{"admin+editor cannot terminate owner", asAdminEditor, active(v, o), 3, "Only an Owner can terminate an Owner."},
		{"editor cannot terminate owner", asEditor, active(o), 3, "Only an Owner can terminate an Owner."},
		{"owner terminates one of two owners", asOwner, active(o), 2, ""},
		{"last active owner", asOwner, active(o), 1, "This is the last active Owner and can't be terminated."},
		{"last active owner, multi-role", asOwner, active(o, a), 1, "This is the last active Owner"},
		{"owner not active does not count as last", asOwner, Target{UserID: uid(2), Status: StatusPending, Roles: []Role{o}}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusal(t, "CheckTerminate", CheckTerminate(tt.actor, tt.target, tt.owners), tt.msg)
		})
	}
}

func TestCheckManageOwner(t *testing.T) {
	invitedOwner := Target{Status: StatusInvited, Roles: []Role{RoleViewer, RoleOwner}}
	invitedAdmin := Target{Status: StatusInvited, Roles: []Role{RoleAdmin}}
	tests := []struct {
		name   string
		actor  Actor
		target Target
		msg    string
	}{
		{"owner on owner", asOwner, invitedOwner, ""},
		{"admin on owner", asAdmin, invitedOwner, "Only an Owner can change an Owner's membership."},
		{"admin+editor on owner", asAdminEditor, invitedOwner, "Only an Owner can change an Owner's membership."},
		{"viewer on owner", asViewer, invitedOwner, "Only an Owner can change an Owner's membership."},
		{"admin on admin", asAdmin, invitedAdmin, ""},
		{"owner on admin", asOwner, invitedAdmin, ""},
		{"admin on role-less", asAdmin, Target{Status: StatusInvited}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusal(t, "CheckManageOwner", CheckManageOwner(tt.actor, tt.target), tt.msg)
		})
	}
}

func TestRuleError(t *testing.T) {
	err := CheckGrant(asAdmin, []Role{RoleOwner})
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("refusal %v is not ErrForbidden", err)
	}
	var re *RuleError
	if !errors.As(err, &re) || re.Msg != err.Error() {
		t.Errorf("refusal %v: want a *RuleError whose Error() is its message", err)
	}
	wrapped := fmt.Errorf("store: unable to change roles: %w", err)
	if got := RefusalMessage(wrapped); got != "Only an Owner can grant the Owner role." {
		t.Errorf("RefusalMessage(wrapped) = %q", got)
	}
	if !errors.Is(wrapped, ErrForbidden) {
		t.Errorf("wrapped refusal is not ErrForbidden")
	}
	for _, e := range []error{nil, ErrForbidden, ErrTransition, errors.New("Only an Owner")} {
		if got := RefusalMessage(e); got != "" {
			t.Errorf("RefusalMessage(%v) = %q, want \"\" (not a RuleError)", e, got)
		}
	}
	if errors.Is(ErrTransition, ErrForbidden) {
		t.Errorf("ErrTransition must be a conflict, not a refusal")
	}
}

func TestInvitationState(t *testing.T) {
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exp := created.Add(72 * time.Hour)
	at := func(d time.Duration) *time.Time { t := created.Add(d); return &t }
	tests := []struct {
		name string
		inv  Invitation
		now  time.Time
		want LinkState
	}{
		{"fresh", Invitation{ExpiresAt: exp}, created, LinkLive},
		{"a nanosecond before expiry", Invitation{ExpiresAt: exp}, exp.Add(-time.Nanosecond), LinkLive},
		{"exactly at expiry", Invitation{ExpiresAt: exp}, exp, LinkExpired},
		{"after expiry", Invitation{ExpiresAt: exp}, exp.Add(time.Second), LinkExpired},
		{"expiry in another zone", Invitation{ExpiresAt: exp}, exp.In(time.FixedZone("X", 5*3600)), LinkExpired},
		{"used", Invitation{ExpiresAt: exp, UsedAt: at(time.Hour)}, created.Add(2 * time.Hour), LinkUsed},
		{"used beats expired", Invitation{ExpiresAt: exp, UsedAt: at(time.Hour)}, exp.Add(time.Hour), LinkUsed},
		{"used beats revoked", Invitation{ExpiresAt: exp, UsedAt: at(time.Hour), RevokedAt: at(2 * time.Hour)}, created.Add(3 * time.Hour), LinkUsed},
		{"used beats superseded", Invitation{ExpiresAt: exp, UsedAt: at(time.Hour), SupersededAt: at(2 * time.Hour)}, created.Add(3 * time.Hour), LinkUsed},
		{"used beats everything", Invitation{ExpiresAt: exp, UsedAt: at(time.Hour), RevokedAt: at(time.Hour), SupersededAt: at(time.Hour)}, exp, LinkUsed},
		{"revoked", Invitation{ExpiresAt: exp, RevokedAt: at(time.Hour)}, created.Add(2 * time.Hour), LinkRevoked},
		{"revoked beats superseded", Invitation{ExpiresAt: exp, RevokedAt: at(time.Hour), SupersededAt: at(time.Minute)}, created.Add(2 * time.Hour), LinkRevoked},
		{"revoked beats expired", Invitation{ExpiresAt: exp, RevokedAt: at(time.Hour)}, exp.Add(time.Hour), LinkRevoked},
		{"superseded", Invitation{ExpiresAt: exp, SupersededAt: at(time.Hour)}, created.Add(2 * time.Hour), LinkSuperseded},
		{"superseded beats expired", Invitation{ExpiresAt: exp, SupersededAt: at(time.Hour)}, exp.Add(time.Hour), LinkSuperseded},
	}
	for _, tt := range tests {
		if got := tt.inv.State(tt.now); got != tt.want {
			t.Errorf("%s: State = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLinkError(t *testing.T) {
	for _, st := range []LinkState{LinkUsed, LinkExpired, LinkRevoked, LinkSuperseded} {
		var err error = fmt.Errorf("accept: %w", &LinkError{State: st})
		if !errors.Is(err, ErrGone) {
			t.Errorf("LinkError{%s} is not ErrGone", st)
		}
		var le *LinkError
		if !errors.As(err, &le) || le.State != st {
			t.Errorf("errors.As(LinkError{%s}) = %v", st, le)
		}
		if want := "invitation link is " + string(st); le.Error() != want {
			t.Errorf("Error() = %q, want %q", le.Error(), want)
		}
		for _, other := range []error{ErrNotFound, ErrConflict, ErrForbidden} {
			if errors.Is(err, other) {
				t.Errorf("LinkError{%s} is also %v", st, other)
			}
		}
	}
}
