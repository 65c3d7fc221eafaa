package app_test

import (
	"context"
	"errors"
	"testing"

	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestUpdateSettings(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	actor := storetest.Current(res)
	meta := models.Meta{IP: "192.0.2.3"}
	req := func(name, hours string) models.SettingsRequest {
		return models.SettingsRequest{Name: name, InviteLifetimeHours: hours, MFAPolicy: res.Org.MFAPolicy, MFAGraceDays: "0"}
	}

	tests := []struct {
		name       string
		req        models.SettingsRequest
		wantName   string
		wantHours  int
		wantDetail string // "" when nothing changed and nothing is audited
	}{
		{"same values", req("Acme", "72"), "Acme", 72, ""},
		{"name", req("  Acme Corp ", "72"), "Acme Corp", 72, `name "Acme" → "Acme Corp"`},
		{"lifetime", req("Acme Corp", "24"), "Acme Corp", 24, "invitation lifetime 72h → 24h"},
		{"both", req("Acme", "720"), "Acme", 720, `name "Acme Corp" → "Acme"; invitation lifetime 24h → 720h`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(storetest.Audit(t, f.st, models.AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated}))
			org, err := f.app.UpdateSettings(ctx, actor, tt.req, meta)
			if err != nil {
				t.Fatal(err)
			}
			if org.Name != tt.wantName || org.InviteLifetimeHours != tt.wantHours {
				t.Errorf("returned %+v, want %q and %d hours", org, tt.wantName, tt.wantHours)
			}
			stored, _ := f.st.FindOrganization(ctx, res.Org.ID)
			if stored.Name != tt.wantName || stored.InviteLifetimeHours != tt.wantHours {
				t.Errorf("stored %+v, want %q and %d hours", stored, tt.wantName, tt.wantHours)
			}
			evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated})
			switch {
			case tt.wantDetail == "" && len(evs) != before:
				t.Errorf("an unchanged organization was audited: %+v", evs[0])
			case tt.wantDetail != "" && (len(evs) != before+1 || evs[0].Detail != tt.wantDetail || evs[0].IP != meta.IP ||
				evs[0].ActorUserID == nil || *evs[0].ActorUserID != res.User.ID):
				t.Errorf("events = %+v; want one more with detail %q", evs, tt.wantDetail)
			}
		})
	}

	t.Run("refusals change nothing", func(t *testing.T) {
		viewer := *actor
		viewer.Permissions = models.PermissionsOf([]models.Role{models.RoleViewer})
		if _, err := f.app.UpdateSettings(ctx, &viewer, req("Hacked", "1"), meta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a Viewer changing settings: %v, want ErrForbidden", err)
		}
		_, err := f.app.UpdateSettings(ctx, actor, req("", "0"), meta)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["name"] == "" || fe["invite_lifetime_hours"] == "" {
			t.Errorf("empty name and 0 hours: %v, want both fields refused", err)
		}
		if g, _ := f.st.FindOrganization(ctx, res.Org.ID); g.Name != "Acme" {
			t.Errorf("a refused change was written: %+v", g)
		}
	})
}

func TestUpdateInviteQuota(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	actor := storetest.Current(res)
	if res.Org.InviteQuota != models.DefaultInviteQuota {
		t.Errorf("a new organization's quota is %d, want %d", res.Org.InviteQuota, models.DefaultInviteQuota)
	}
	req := models.SettingsRequest{Name: "Acme", InviteLifetimeHours: "72", MFAPolicy: res.Org.MFAPolicy, MFAGraceDays: "0"}
	for _, tc := range []struct {
		in   string
		want int
	}{{"0", 0}, {"250", 250}, {"", 250}} { // left out, it stays
		in, want := tc.in, tc.want
		req.InviteQuota = in
		org, err := f.app.UpdateSettings(ctx, actor, req, models.Meta{})
		if err != nil || org.InviteQuota != want {
			t.Errorf("quota %q: %d, %v; want %d", in, org.InviteQuota, err, want)
		}
	}
	for _, bad := range []string{"-1", "x", "100001"} {
		req.InviteQuota = bad
		_, err := f.app.UpdateSettings(ctx, actor, req, models.Meta{})
		var errs models.FieldErrors
		if !errors.As(err, &errs) || errs["invite_quota"] == "" {
			t.Errorf("quota %q: %v, want a field error", bad, err)
		}
	}
}
