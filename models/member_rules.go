package models

import "strings"

// Actor is who is acting as the role rules see them: the current member.
func (c *Current) Actor() Actor { return Actor{UserID: c.User.ID, Permissions: c.Permissions} }

// TargetOf is membership m as the role rules see it.
func TargetOf(m *Membership) Target {
	return Target{UserID: m.UserID, Status: m.Status, Roles: m.Roles}
}

// Allowed is the one rule for whether actor may take act on m as far as the Users page can
// tell from the row: the permission the action needs (ErrForbidden), whether m's status
// offers it (ErrTransition) and the rules about oneself (a *RuleError). The use cases add
// what needs more than the row (granting roles, the last Owner).
func Allowed(actor Actor, m *Membership, act MemberAction) error {
	if !actor.Permissions.Has(act.Permission()) {
		return ErrForbidden
	}
	self := m.UserID != nil && *m.UserID == actor.UserID
	if act == ActResetMFA {
		switch {
		case m.UserID == nil:
			return refuse(m.Email + " has no account yet, so there is nothing to reset.")
		case self:
			return refuse("Change your own two-factor methods on your Account page.")
		}
		return nil
	}
	if _, err := Transition(m.Status, act); err != nil {
		return err
	}
	switch {
	case self && act == ActEditRoles:
		return refuse("You can't change your own roles. Ask another Owner or Admin.")
	case self && act == ActTerminate:
		return refuse("You can't terminate yourself.")
	}
	return nil
}

// Offered lists the actions a Users page row offers actor for m, in menu order: what m's
// status offers (and Reset MFA for an active member with a second factor), less what
// Allowed refuses.
func Offered(actor Actor, m *Membership) []MemberAction {
	acts := Actions(m.Status)
	if m.Status == StatusActive && m.UserMFA {
		acts = append(acts, ActResetMFA)
	}
	out := acts[:0]
	for _, act := range acts {
		if Allowed(actor, m, act) == nil {
			out = append(out, act)
		}
	}
	return out
}

// NoRoles is how a membership without roles is named wherever roles are listed.
const NoRoles = "no roles"

// RoleLabels names roles for people, most privileged first ("Owner, Admin"), or NoRoles.
func RoleLabels(roles []Role) string {
	sorted := SortRoles(roles)
	if len(sorted) == 0 {
		return NoRoles
	}
	names := make([]string, len(sorted))
	for i, r := range sorted {
		names[i] = r.Label()
	}
	return strings.Join(names, ", ")
}

// RolesOnActivation are the roles a membership holds once approved, re-approved or restored:
// its own, or Viewer when it has none.
func RolesOnActivation(roles []Role) []Role {
	if len(roles) == 0 {
		return []Role{RoleViewer}
	}
	return roles
}
