package models

import (
	"errors"
	"slices"
	"testing"
)

func TestAllowedAndOffered(t *testing.T) {
	me, other := int64(1), int64(2)
	owner := Actor{UserID: me, Permissions: PermissionsOf([]Role{RoleOwner})}
	editor := Actor{UserID: me, Permissions: PermissionsOf([]Role{RoleEditor})}
	self := &Membership{UserID: &me, Status: StatusActive, Email: "me@x.test", UserMFA: true}
	active := &Membership{UserID: &other, Status: StatusActive, Email: "o@x.test", UserMFA: true}
	noMFA := &Membership{UserID: &other, Status: StatusActive, Email: "o@x.test"}
	invited := &Membership{Status: StatusInvited, Email: "i@x.test"}

	tests := []struct {
		name  string
		actor Actor
		m     *Membership
		want  []MemberAction
	}{
		{"owner, another active member with MFA", owner, active, []MemberAction{ActEditRoles, ActEditDetails, ActTerminate, ActResetMFA}},
		{"owner, another active member without MFA", owner, noMFA, []MemberAction{ActEditRoles, ActEditDetails, ActTerminate}},
		{"owner, oneself", owner, self, []MemberAction{ActEditDetails}},
		{"owner, an invited member", owner, invited, []MemberAction{ActReinvite, ActRevoke, ActCopyLink, ActEditRoles}},
		{"editor", editor, active, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Offered(tt.actor, tt.m); !slices.Equal(got, tt.want) {
				t.Errorf("Offered = %v, want %v", got, tt.want)
			}
			// The menu offers exactly what Allowed lets through.
			for _, act := range tt.want {
				if err := Allowed(tt.actor, tt.m, act); err != nil {
					t.Errorf("Allowed(%s) = %v, yet it is offered", act, err)
				}
			}
		})
	}
	for _, tt := range []struct {
		name  string
		actor Actor
		m     *Membership
		act   MemberAction
		want  error
		msg   string
	}{
		{"own roles", owner, self, ActEditRoles, ErrForbidden, "You can't change your own roles. Ask another Owner or Admin."},
		{"terminate oneself", owner, self, ActTerminate, ErrForbidden, "You can't terminate yourself."},
		{"own MFA", owner, self, ActResetMFA, ErrForbidden, "Change your own two-factor methods on your Account page."},
		{"MFA without an account", owner, invited, ActResetMFA, ErrForbidden, "i@x.test has no account yet, so there is nothing to reset."},
		{"not offered by the status", owner, invited, ActTerminate, ErrTransition, ""},
		{"without the permission", editor, active, ActTerminate, ErrForbidden, ""},
	} {
		err := Allowed(tt.actor, tt.m, tt.act)
		if !errors.Is(err, tt.want) || RefusalMessage(err) != tt.msg {
			t.Errorf("%s: Allowed = %v, want %v %q", tt.name, err, tt.want, tt.msg)
		}
	}
}

func TestRoleLabels(t *testing.T) {
	for _, tt := range []struct {
		roles []Role
		want  string
	}{
		{nil, "no roles"},
		{[]Role{"unknown"}, "no roles"},
		{[]Role{RoleViewer, RoleOwner, RoleViewer}, "Owner, Viewer"},
	} {
		if got := RoleLabels(tt.roles); got != tt.want {
			t.Errorf("RoleLabels(%v) = %q, want %q", tt.roles, got, tt.want)
		}
	}
	if got := RolesOnActivation(nil); !slices.Equal(got, []Role{RoleViewer}) {
		t.Errorf("RolesOnActivation(nil) = %v", got)
	}
}
