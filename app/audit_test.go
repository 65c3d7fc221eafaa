package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestListAuditEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	acme := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	owner := storetest.Current(acme)
	// An event by the Owner (store fixtures write none of their own).
	if _, err := f.app.UpdateSettings(ctx, owner, models.SettingsRequest{Name: "Acme", InviteLifetimeHours: "24",
		MFAPolicy: acme.Org.MFAPolicy, MFAGraceDays: "0"}, models.Meta{}); err != nil {
		t.Fatal(err)
	}
	all := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &acme.Org.ID})
	if len(all) == 0 {
		t.Fatal("no audit events to list")
	}
	olive, err := f.st.FindMemberByEmail(ctx, acme.Org.ID, "olive@acme.test")
	if err != nil {
		t.Fatal(err)
	}

	viewer := *owner
	viewer.Permissions = models.PermissionsOf([]models.Role{models.RoleViewer})
	if _, err := f.app.ListAuditEvents(ctx, &viewer, models.AuditQuery{}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a Viewer reading the audit log: %v, want ErrForbidden", err)
	}

	tests := []struct {
		name       string
		q          models.AuditQuery
		wantEvents int
		wantMember int64
		wantEmail  string
		noMember   string
	}{
		{"everything", models.AuditQuery{}, len(all), 0, "", ""},
		{"by email", models.AuditQuery{Email: "  OLIVE@acme.test "}, len(all), olive.ID, "olive@acme.test", ""},
		{"by id", models.AuditQuery{MemberID: olive.ID}, len(all), olive.ID, "olive@acme.test", ""},
		{"email wins", models.AuditQuery{Email: "nobody@acme.test", MemberID: olive.ID}, 0, 0, "nobody@acme.test", "No member of Acme has the email “nobody@acme.test”."},
		{"nobody's id", models.AuditQuery{MemberID: 999999}, 0, 0, "", "That member is not in Acme."},
		{"an unreadable id", models.AuditQuery{MemberID: -1}, 0, 0, "", "That member is not in Acme."},
		{"an email too long", models.AuditQuery{Email: strings.Repeat("é", 300)}, 0, 0, strings.Repeat("é", models.MaxEmailLen/2), "No member of Acme has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := f.app.ListAuditEvents(ctx, owner, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var member int64
			if page.Member != nil {
				member = page.Member.ID
			}
			if len(page.Events) != tt.wantEvents || member != tt.wantMember || page.MemberEmail != tt.wantEmail ||
				!strings.HasPrefix(page.NoMember, tt.noMember) || (tt.noMember == "") != (page.NoMember == "") {
				t.Errorf("got %d events, member %d, email %q, no member %q; want %d, %d, %q, %q",
					len(page.Events), member, page.MemberEmail, page.NoMember, tt.wantEvents, tt.wantMember, tt.wantEmail, tt.noMember)
			}
		})
	}
}
