package models

import (
	"errors"
	"fmt"
	"slices"
)

// MemberAction is something an admin (or the invited person) does to a membership.
type MemberAction string

// Membership actions, as DESIGN.md's lifecycle table offers them.
const (
	ActInvite      MemberAction = "invite"
	ActReinvite    MemberAction = "reinvite"
	ActRevoke      MemberAction = "revoke"
	ActCopyLink    MemberAction = "copy_link"
	ActAccept      MemberAction = "accept"
	ActEditRoles   MemberAction = "edit_roles"
	ActEditDetails MemberAction = "edit_details"
	ActApprove     MemberAction = "approve"
	ActReject      MemberAction = "reject"
	ActReapprove   MemberAction = "reapprove"
	ActTerminate   MemberAction = "terminate"
	ActRestore     MemberAction = "restore"
	// ActResetMFA removes a member's second factors; it changes no status, so it is not in
	// the state machine and is offered to active members with MFA.
	ActResetMFA MemberAction = "reset_mfa"
)

// Label is the action as a menu shows it.
func (a MemberAction) Label() string {
	switch a {
	case ActInvite:
		return "Invite"
	case ActReinvite:
		return "Reinvite"
	case ActRevoke:
		return "Revoke invitation"
	case ActCopyLink:
		return "Copy invite link"
	case ActAccept:
		return "Accept"
	case ActEditRoles:
		return "Edit roles"
	case ActEditDetails:
		return "Edit details"
	case ActApprove:
		return "Approve"
	case ActReject:
		return "Reject"
	case ActReapprove:
		return "Re-approve"
	case ActTerminate:
		return "Terminate"
	case ActRestore:
		return "Restore"
	case ActResetMFA:
		return "Reset MFA"
	}
	return string(a)
}

// Permission is what the actor needs to take the action.
func (a MemberAction) Permission() Permission {
	switch a {
	case ActInvite, ActReinvite, ActRevoke, ActCopyLink:
		return PermInviteMembers
	case ActAccept:
		return PermViewData
	}
	return PermManageMembers
}

// Destructive reports whether the action takes something away and must be confirmed first.
func (a MemberAction) Destructive() bool {
	return a == ActRevoke || a == ActReject || a == ActTerminate || a == ActResetMFA
}

// transitions is the membership state machine: from each status, the actions offered and
// the status each leads to. Revoked memberships offer nothing but a fresh invitation.
var transitions = map[Status][]struct {
	act MemberAction
	to  Status
}{
	StatusInvited: {{ActReinvite, StatusInvited}, {ActRevoke, StatusRevoked}, {ActCopyLink, StatusInvited},
		{ActEditRoles, StatusInvited}, {ActAccept, StatusActive}},
	StatusPending:    {{ActApprove, StatusActive}, {ActReject, StatusRejected}},
	StatusRejected:   {{ActReapprove, StatusActive}},
	StatusActive:     {{ActEditRoles, StatusActive}, {ActEditDetails, StatusActive}, {ActTerminate, StatusTerminated}},
	StatusTerminated: {{ActRestore, StatusActive}},
	StatusRevoked:    {{ActInvite, StatusInvited}},
}

// ErrTransition is returned for an action the membership's status does not offer.
var ErrTransition = fmt.Errorf("%w: action not available in this status", ErrConflict)

// Transition returns the status a membership in status from moves to by act, or ErrTransition.
func Transition(from Status, act MemberAction) (Status, error) {
	for _, t := range transitions[from] {
		if t.act == act {
			return t.to, nil
		}
	}
	return from, ErrTransition
}

// Actions lists what the Users page's row menu offers for a membership in status s, in menu
// order; the accept action belongs to the invited person, not the menu.
func Actions(s Status) []MemberAction {
	var out []MemberAction
	for _, t := range transitions[s] {
		if t.act != ActAccept {
			out = append(out, t.act)
		}
	}
	return out
}

// RuleError is a refusal with a message fit to show the person who tried.
type RuleError struct{ Msg string }

func (e *RuleError) Error() string { return e.Msg }

// Unwrap makes rule refusals errors.Is(err, ErrForbidden).
func (e *RuleError) Unwrap() error { return ErrForbidden }

func refuse(msg string) error { return &RuleError{Msg: msg} }

// RefusalMessage returns the message of a RuleError in err's chain, or "".
func RefusalMessage(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Msg
	}
	return ""
}

// Actor is who is acting, as the role rules see them.
type Actor struct {
	UserID      int64
	Permissions PermissionSet
}

// Target is the membership acted on, as the role rules see it.
type Target struct {
	UserID *int64
	Status Status
	Roles  []Role
}

// CheckGrant refuses a set of roles the actor may not hand out: a role needs every one of
// its permissions held by the actor, and Owner needs the Owner permission.
func CheckGrant(actor Actor, roles []Role) error {
	if len(roles) == 0 {
		return refuse("Choose at least one role.")
	}
	for _, r := range roles {
		if !r.Valid() {
			return refuse("Unknown role.")
		}
		if r == RoleOwner && !actor.Permissions.Has(PermManageOwners) {
			return refuse("Only an Owner can grant the Owner role.")
		}
		for _, p := range builtinRoles[r] {
			if !actor.Permissions.Has(p) {
				return refuse("You can't grant " + r.Label() + ": it holds permissions you don't have.")
			}
		}
	}
	return nil
}

// CheckRoleChange applies DESIGN.md's rules to changing target's roles to roles.
// activeOwners is the number of active Owners in the organization.
func CheckRoleChange(actor Actor, target Target, roles []Role, activeOwners int) error {
	if target.UserID != nil && *target.UserID == actor.UserID {
		return refuse("You can't change your own roles. Ask another Owner or Admin.")
	}
	// Check before SortRoles, which silently drops unknown roles.
	if err := CheckGrant(actor, roles); err != nil {
		return err
	}
	roles = SortRoles(roles)
	wasOwner, isOwner := slices.Contains(target.Roles, RoleOwner), slices.Contains(roles, RoleOwner)
	if wasOwner && !isOwner {
		if !actor.Permissions.Has(PermManageOwners) {
			return refuse("Only an Owner can remove the Owner role.")
		}
		if target.Status == StatusActive && activeOwners <= 1 {
			return refuse("This is the last active Owner. Make someone else an Owner first.")
		}
	}
	// Removing a role the actor could not grant is as much an escalation check as granting it.
	for _, r := range target.Roles {
		if !slices.Contains(roles, r) && r != RoleOwner {
			for _, p := range builtinRoles[r] {
				if !actor.Permissions.Has(p) {
					return refuse("You can't remove " + r.Label() + ": it holds permissions you don't have.")
				}
			}
		}
	}
	return nil
}

// CheckTerminate applies the rules for ending target's access.
func CheckTerminate(actor Actor, target Target, activeOwners int) error {
	if target.UserID != nil && *target.UserID == actor.UserID {
		return refuse("You can't terminate yourself.")
	}
	if slices.Contains(target.Roles, RoleOwner) {
		if !actor.Permissions.Has(PermManageOwners) {
			return refuse("Only an Owner can terminate an Owner.")
		}
		if target.Status == StatusActive && activeOwners <= 1 {
			return refuse("This is the last active Owner and can't be terminated.")
		}
	}
	return nil
}

// CheckManageOwner refuses actions on a membership holding Owner by someone who is not an Owner
// (revoking an Owner's invitation, for one).
func CheckManageOwner(actor Actor, target Target) error {
	if slices.Contains(target.Roles, RoleOwner) && !actor.Permissions.Has(PermManageOwners) {
		return refuse("Only an Owner can change an Owner's membership.")
	}
	return nil
}
