package models

import (
	"strconv"
	"strings"
	"testing"
)

func TestInviteRequestValidate(t *testing.T) {
	many := make([]string, MaxInvitesPerSubmission+1)
	for i := range many {
		many[i] = "p" + strconv.Itoa(i) + "@example.com"
	}
	for _, tt := range []struct {
		name  string
		req   InviteRequest
		field string
		says  string
	}{
		{"fine", InviteRequest{Emails: " Ada@Example.com; bob@example.com ", Roles: []Role{RoleViewer}}, "", ""},
		{"no email", InviteRequest{Roles: []Role{RoleViewer}}, "emails", "at least one"},
		{"invalid ones named, the rest counted", InviteRequest{Emails: "a, b, c, d, e, f, g", Roles: []Role{RoleViewer}}, "emails", "a, b, c, d, e and 2 more"},
		{"too many", InviteRequest{Emails: strings.Join(many, ","), Roles: []Role{RoleViewer}}, "emails", "at most " + strconv.Itoa(MaxInvitesPerSubmission)},
		{"no role", InviteRequest{Emails: "a@example.com"}, "roles", "at least one role"},
		{"unknown role", InviteRequest{Emails: "a@example.com", Roles: []Role{"root"}}, "roles", "from the list"},
	} {
		errs := tt.req.Validate()
		switch {
		case tt.field == "" && errs.Any():
			t.Errorf("%s: %v", tt.name, errs)
		case tt.field != "" && !strings.Contains(errs[tt.field], tt.says):
			t.Errorf("%s: %s = %q, want it to say %q", tt.name, tt.field, errs[tt.field], tt.says)
		}
	}
	r := InviteRequest{Emails: " Ada@Example.com; bob@example.com ", Roles: []Role{RoleViewer}}
	r.Validate()
	if strings.Join(r.EmailList, " ") != "ada@example.com bob@example.com" {
		t.Errorf("EmailList = %v", r.EmailList)
	}
}
