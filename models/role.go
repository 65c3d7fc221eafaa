package models

import "slices"

// Permission is one thing a member may do. The matrix in DESIGN.md is encoded in builtinRoles.
type Permission string

// Permissions from DESIGN.md's Roles and permissions matrix.
const (
	PermViewData      Permission = "view_data"
	PermManageContent Permission = "manage_content"
	PermInviteMembers Permission = "invite_members"
	PermManageMembers Permission = "manage_members"
	PermManageOrg     Permission = "manage_org"
	PermCreateAPIKeys Permission = "create_api_keys"
	PermViewAudit     Permission = "view_audit"
	PermManageOwners  Permission = "manage_owners"
)

// AllPermissions lists the permissions in the order the matrix shows them.
var AllPermissions = []Permission{
	PermViewData, PermManageContent, PermInviteMembers, PermManageMembers,
	PermManageOrg, PermCreateAPIKeys, PermViewAudit, PermManageOwners,
}

// Label is the permission as the matrix shows it.
func (p Permission) Label() string {
	switch p {
	case PermViewData:
		return "View dashboards and data"
	case PermManageContent:
		return "Manage content and integrations"
	case PermInviteMembers:
		return "Invite members, reinvite, revoke"
	case PermManageMembers:
		return "Manage members (roles, details, approve, terminate, restore)"
	case PermManageOrg:
		return "Manage organization settings and join link"
	case PermCreateAPIKeys:
		return "Create API keys"
	case PermViewAudit:
		return "View audit log"
	case PermManageOwners:
		return "Grant or remove Owner, delete organization"
	}
	return string(p)
}

// Role is the key of a role a member holds, such as "admin".
type Role string

// Built-in roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// BuiltinRoles lists the built-in roles from most to least privileged.
var BuiltinRoles = []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer}

var builtinRoles = map[Role][]Permission{
	RoleOwner:  AllPermissions,
	RoleAdmin:  {PermViewData, PermManageContent, PermInviteMembers, PermManageMembers, PermManageOrg, PermCreateAPIKeys, PermViewAudit},
	RoleEditor: {PermViewData, PermManageContent},
	RoleViewer: {PermViewData},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := builtinRoles[r]; return ok }

// Label is the role's display name.
func (r Role) Label() string {
	switch r {
	case RoleOwner:
		return "Owner"
	case RoleAdmin:
		return "Admin"
	case RoleEditor:
		return "Editor"
	case RoleViewer:
		return "Viewer"
	}
	return string(r)
}

// Grants reports whether the role includes p.
func (r Role) Grants(p Permission) bool { return slices.Contains(builtinRoles[r], p) }

// PermissionSet is the union of the permissions of several roles.
type PermissionSet map[Permission]bool

// PermissionsOf returns the union of the permissions held through roles.
func PermissionsOf(roles []Role) PermissionSet {
	set := PermissionSet{}
	for _, r := range roles {
		for _, p := range builtinRoles[r] {
			set[p] = true
		}
	}
	return set
}

// Has reports whether p is in the set.
func (s PermissionSet) Has(p Permission) bool { return s[p] }

// SortRoles orders roles from most to least privileged and drops unknown and repeated ones.
func SortRoles(roles []Role) []Role {
	out := make([]Role, 0, len(roles))
	for _, r := range BuiltinRoles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}
