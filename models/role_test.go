package models

import (
	"slices"
	"testing"
)

// matrix is DESIGN.md's Roles and permissions table, row by row.
var matrix = []struct {
	perm                         Permission
	label                        string
	owner, admin, editor, viewer bool
}{
	{PermViewData, "View dashboards and data", true, true, true, true},
	{PermManageContent, "Manage content and integrations", true, true, true, false},
	{PermInviteMembers, "Invite members, reinvite, revoke", true, true, false, false},
	{PermManageMembers, "Manage members (roles, details, approve, terminate, restore)", true, true, false, false},
	{PermManageOrg, "Manage organization settings and join link", true, true, false, false},
	{PermCreateAPIKeys, "Create API keys", true, true, false, false},
	{PermViewAudit, "View audit log", true, true, false, false},
	{PermManageOwners, "Grant or remove Owner, delete organization", true, false, false, false},
}

func TestPermissionMatrix(t *testing.T) {
	if len(AllPermissions) != len(matrix) {
		t.Fatalf("AllPermissions has %d permissions, DESIGN.md's matrix has %d", len(AllPermissions), len(matrix))
	}
	for i, row := range matrix {
		if AllPermissions[i] != row.perm {
			t.Errorf("AllPermissions[%d] = %q, want %q (matrix order)", i, AllPermissions[i], row.perm)
		}
		if got := row.perm.Label(); got != row.label {
			t.Errorf("%q.Label() = %q, want %q", row.perm, got, row.label)
		}
		want := map[Role]bool{RoleOwner: row.owner, RoleAdmin: row.admin, RoleEditor: row.editor, RoleViewer: row.viewer}
		for _, r := range BuiltinRoles {
			t.Run(string(r)+"/"+string(row.perm), func(t *testing.T) {
				if got := r.Grants(row.perm); got != want[r] {
					t.Errorf("%s.Grants(%s) = %v, want %v", r, row.perm, got, want[r])
				}
				if got := PermissionsOf([]Role{r}).Has(row.perm); got != want[r] {
					t.Errorf("PermissionsOf([%s]).Has(%s) = %v, want %v", r, row.perm, got, want[r])
				}
			})
		}
		if Role("superuser").Grants(row.perm) {
			t.Errorf("unknown role grants %s", row.perm)
		}
	}
}

func TestPermissionsOf(t *testing.T) {
	tests := []struct {
		name  string
		roles []Role
		want  []Permission
	}{
		{"nil", nil, nil},
		{"empty", []Role{}, nil},
		{"unknown only", []Role{"superuser", ""}, nil},
		{"viewer", []Role{RoleViewer}, []Permission{PermViewData}},
		{"editor and viewer", []Role{RoleEditor, RoleViewer}, []Permission{PermViewData, PermManageContent}},
		{"viewer and admin", []Role{RoleViewer, RoleAdmin},
			[]Permission{PermViewData, PermManageContent, PermInviteMembers, PermManageMembers, PermManageOrg, PermCreateAPIKeys, PermViewAudit}},
		{"admin and owner", []Role{RoleAdmin, RoleOwner}, AllPermissions},
		{"repeated with unknown", []Role{RoleEditor, "bogus", RoleEditor}, []Permission{PermViewData, PermManageContent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := PermissionsOf(tt.roles)
			if len(set) != len(tt.want) {
				t.Errorf("PermissionsOf(%v) has %d permissions, want %d: %v", tt.roles, len(set), len(tt.want), set)
			}
			for _, p := range AllPermissions {
				if got, want := set.Has(p), slices.Contains(tt.want, p); got != want {
					t.Errorf("PermissionsOf(%v).Has(%s) = %v, want %v", tt.roles, p, got, want)
				}
			}
		})
	}
}

func TestCurrentCan(t *testing.T) {
	var none *Current
	if none.Can(PermViewData) {
		t.Error("nil Current can view data")
	}
	c := &Current{Permissions: PermissionsOf([]Role{RoleEditor})}
	if !c.Can(PermManageContent) || c.Can(PermInviteMembers) {
		t.Errorf("editor Can: manage content %v (want true), invite %v (want false)", c.Can(PermManageContent), c.Can(PermInviteMembers))
	}
	if (&Current{}).Can(PermViewData) {
		t.Error("Current without permissions can view data")
	}
}

func TestSortRoles(t *testing.T) {
	tests := []struct {
		name string
		in   []Role
		want []Role
	}{
		{"nil", nil, []Role{}},
		{"already ordered", []Role{RoleOwner, RoleViewer}, []Role{RoleOwner, RoleViewer}},
		{"reversed", []Role{RoleViewer, RoleEditor, RoleAdmin, RoleOwner}, []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer}},
		{"duplicates dropped", []Role{RoleViewer, RoleAdmin, RoleViewer, RoleAdmin}, []Role{RoleAdmin, RoleViewer}},
		{"unknown dropped", []Role{"root", RoleEditor, "", "Owner"}, []Role{RoleEditor}},
		{"only unknown", []Role{"root"}, []Role{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SortRoles(tt.in)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("SortRoles(%v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRoleValidAndLabel(t *testing.T) {
	tests := []struct {
		role  Role
		valid bool
		label string
	}{
		{RoleOwner, true, "Owner"},
		{RoleAdmin, true, "Admin"},
		{RoleEditor, true, "Editor"},
		{RoleViewer, true, "Viewer"},
		{"", false, ""},
		{"Owner", false, "Owner"},
		{"superuser", false, "superuser"},
	}
	for _, tt := range tests {
		if got := tt.role.Valid(); got != tt.valid {
			t.Errorf("Role(%q).Valid() = %v, want %v", tt.role, got, tt.valid)
		}
		if got := tt.role.Label(); got != tt.label {
			t.Errorf("Role(%q).Label() = %q, want %q", tt.role, got, tt.label)
		}
	}
	if !slices.Equal(BuiltinRoles, []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer}) {
		t.Errorf("BuiltinRoles = %v, want owner, admin, editor, viewer", BuiltinRoles)
	}
}
