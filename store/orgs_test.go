package store

import (
	"context"
	"testing"

	"gatehouse/models"
)

func TestUpdateOrganization(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	res := mustCreateOwner(t, s, "olive@acme.test", "Acme")
	other := mustCreateOrg(t, s, "Globex")
	actor := &models.Current{User: res.User, Org: res.Org}
	meta := Meta{IP: "192.0.2.3"}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }

	tests := []struct {
		name       string
		upd        OrgUpdate
		wantName   string
		wantHours  int
		wantDetail string // "" when nothing changed and nothing is audited
	}{
		{"nothing", OrgUpdate{}, "Acme", 72, ""},
		{"same values", OrgUpdate{Name: str("Acme"), InviteLifetimeHours: num(72)}, "Acme", 72, ""},
		{"name", OrgUpdate{Name: str("Acme Corp")}, "Acme Corp", 72, `name "Acme" → "Acme Corp"`},
		{"lifetime", OrgUpdate{InviteLifetimeHours: num(24)}, "Acme Corp", 24, "invitation lifetime 72h → 24h"},
		{"both", OrgUpdate{Name: str("Acme"), InviteLifetimeHours: num(720)}, "Acme", 720, `name "Acme Corp" → "Acme"; invitation lifetime 24h → 720h`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(mustAudit(t, s, AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated}))
			org, err := s.UpdateOrganization(ctx, actor, tt.upd, meta)
			if err != nil {
				t.Fatal(err)
			}
			if org.Name != tt.wantName || org.InviteLifetimeHours != tt.wantHours {
				t.Errorf("returned %+v, want %q and %d hours", org, tt.wantName, tt.wantHours)
			}
			var stored models.Organization
			s.r.Take(&stored, res.Org.ID)
			if stored.Name != tt.wantName || stored.InviteLifetimeHours != tt.wantHours {
				t.Errorf("stored %+v, want %q and %d hours", stored, tt.wantName, tt.wantHours)
			}
			evs := mustAudit(t, s, AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOrgUpdated})
			switch {
			case tt.wantDetail == "" && len(evs) != before:
				t.Errorf("an unchanged organization was audited: %+v", evs[0])
			case tt.wantDetail != "" && (len(evs) != before+1 || evs[0].Detail != tt.wantDetail || evs[0].IP != meta.IP ||
				evs[0].ActorUserID == nil || *evs[0].ActorUserID != res.User.ID):
				t.Errorf("events = %+v; want one more with detail %q", evs, tt.wantDetail)
			}
		})
	}
	var g models.Organization
	s.r.Take(&g, other.ID)
	if g.Name != "Globex" || g.InviteLifetimeHours != 72 {
		t.Errorf("another organization changed: %+v", g)
	}
}
