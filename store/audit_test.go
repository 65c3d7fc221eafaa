package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"gatehouse/models"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	a, b := mustCreateOrg(t, s, "Acme"), mustCreateOrg(t, s, "Globex")
	for i := range 3 {
		if err := s.Audit(ctx, models.AuditEvent{OrgID: &a.ID, Action: models.ActionLoginFailed, TargetEmail: fmt.Sprintf("a%d@acme.test", i)},
			Meta{IP: "192.0.2.1", UserAgent: "curl"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Audit(ctx, models.AuditEvent{OrgID: &a.ID, Action: models.ActionDenied}, Meta{})
	s.Audit(ctx, models.AuditEvent{OrgID: &b.ID, Action: models.ActionLoginFailed}, Meta{})
	s.Audit(ctx, models.AuditEvent{Action: models.ActionLoginFailed, TargetEmail: strings.Repeat("é", 200)}, Meta{UserAgent: strings.Repeat("ü", 400)})

	tests := []struct {
		name string
		f    AuditFilter
		want int
	}{
		{"all", AuditFilter{}, 6},
		{"org A", AuditFilter{OrgID: &a.ID}, 4},
		{"org B", AuditFilter{OrgID: &b.ID}, 1},
		{"org A failed logins", AuditFilter{OrgID: &a.ID, Action: models.ActionLoginFailed}, 3},
		{"action across orgs", AuditFilter{Action: models.ActionLoginFailed}, 5},
		{"limit", AuditFilter{Limit: 2}, 2},
		{"limit over 500 falls back to 100", AuditFilter{Limit: 501}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := mustAudit(t, s, tt.f)
			if len(evs) != tt.want {
				t.Errorf("%d events, want %d", len(evs), tt.want)
			}
			for i := 1; i < len(evs); i++ {
				if evs[i].ID >= evs[i-1].ID {
					t.Errorf("events not newest first: %d before %d", evs[i-1].ID, evs[i].ID)
				}
			}
			for _, ev := range evs {
				if tt.f.OrgID != nil && (ev.OrgID == nil || *ev.OrgID != *tt.f.OrgID) {
					t.Errorf("event %d of org %v in a filter for org %d", ev.ID, ev.OrgID, *tt.f.OrgID)
				}
				if tt.f.Action != "" && ev.Action != tt.f.Action {
					t.Errorf("event %d is %s in a filter for %s", ev.ID, ev.Action, tt.f.Action)
				}
			}
		})
	}

	t.Run("fields recorded", func(t *testing.T) {
		evs := mustAudit(t, s, AuditFilter{OrgID: &a.ID, Action: models.ActionLoginFailed, Limit: 1})
		ev := evs[0]
		if ev.TargetEmail != "a2@acme.test" || ev.IP != "192.0.2.1" || ev.UserAgent != "curl" || !ev.CreatedAt.Equal(clock.Now()) {
			t.Errorf("event = %+v", ev)
		}
	})

	// Long user agents and emails are cut to fit, on a character boundary: the audit
	// log never holds invalid UTF-8.
	t.Run("truncated to valid UTF-8", func(t *testing.T) {
		ev := mustAudit(t, s, AuditFilter{Limit: 1})[0]
		if len(ev.UserAgent) > 300 || len(ev.TargetEmail) > models.MaxEmailLen {
			t.Errorf("user agent %d bytes, target email %d bytes; want at most 300 and %d", len(ev.UserAgent), len(ev.TargetEmail), models.MaxEmailLen)
		}
		if !utf8.ValidString(ev.UserAgent) || !utf8.ValidString(ev.TargetEmail) {
			t.Errorf("truncated fields are not valid UTF-8: %q, %q", ev.UserAgent, ev.TargetEmail)
		}
		if ev.UserAgent != strings.Repeat("ü", 150) || ev.TargetEmail != strings.Repeat("é", 127) {
			t.Errorf("truncated to %d and %d runes, want 150 and 127", utf8.RuneCountInString(ev.UserAgent), utf8.RuneCountInString(ev.TargetEmail))
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"aé", 2, "a"},   // é is 2 bytes: not split
		{"aéb", 3, "aé"}, // fits exactly
		{"€uro", 2, ""},  // € is 3 bytes
		{"€uro", 3, "€"},
		{"🔑🔑", 5, "🔑"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
