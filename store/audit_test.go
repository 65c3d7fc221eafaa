package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	a, b := mustCreateOrg(t, s, "Acme"), mustCreateOrg(t, s, "Globex")
	for i := range 3 {
		if err := s.Audit(ctx, models.AuditEvent{OrgID: &a.ID, Action: models.ActionLoginFailed, TargetEmail: fmt.Sprintf("a%d@acme.test", i)},
			models.Meta{IP: "192.0.2.1", UserAgent: "curl"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Audit(ctx, models.AuditEvent{OrgID: &a.ID, Action: models.ActionDenied}, models.Meta{})
	s.Audit(ctx, models.AuditEvent{OrgID: &b.ID, Action: models.ActionLoginFailed}, models.Meta{})
	s.Audit(ctx, models.AuditEvent{Action: models.ActionLoginFailed, TargetEmail: strings.Repeat("é", 200)}, models.Meta{UserAgent: strings.Repeat("ü", 400)})

	tests := []struct {
		name string
		f    models.AuditFilter
		want int
	}{
		{"all", models.AuditFilter{}, 6},
		{"org A", models.AuditFilter{OrgID: &a.ID}, 4},
		{"org B", models.AuditFilter{OrgID: &b.ID}, 1},
		{"org A failed logins", models.AuditFilter{OrgID: &a.ID, Action: models.ActionLoginFailed}, 3},
		{"action across orgs", models.AuditFilter{Action: models.ActionLoginFailed}, 5},
		{"limit", models.AuditFilter{Limit: 2}, 2},
		{"limit over 500 falls back to 100", models.AuditFilter{Limit: 501}, 6},
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
		evs := mustAudit(t, s, models.AuditFilter{OrgID: &a.ID, Action: models.ActionLoginFailed, Limit: 1})
		ev := evs[0]
		if ev.TargetEmail != "a2@acme.test" || ev.IP != "192.0.2.1" || ev.UserAgent != "curl" || !ev.CreatedAt.Equal(clock.Now()) {
			t.Errorf("event = %+v", ev)
		}
	})

	// Long user agents and emails are cut to fit, on a character boundary: the audit
	// log never holds invalid UTF-8.
	t.Run("truncated to valid UTF-8", func(t *testing.T) {
		ev := mustAudit(t, s, models.AuditFilter{Limit: 1})[0]
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

// auditFixture is two organizations whose logs interleave: Acme's Owner, Ann (active),
// Ivy (invited, no account) and Carol, who belongs to both Acme and Globex.
type auditFixture struct {
	s                       *Store
	acme, globex            models.Organization
	ann, ivy, carol, gCarol models.Membership
	annUser, carolUser      models.User
}

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	s := MustOpenDB(t, nil)
	f := &auditFixture{s: s, acme: mustCreateOrg(t, s, "Acme"), globex: mustCreateOrg(t, s, "Globex")}
	f.annUser = mustInsertUser(t, s, "ann@example.com")
	f.carolUser = mustInsertUser(t, s, "carol@example.com")
	f.ann = mustInsertMember(t, s, models.Membership{OrgID: f.acme.ID, UserID: &f.annUser.ID, Email: "ann@example.com", Status: models.StatusActive}, models.RoleAdmin)
	f.ivy = mustInsertMember(t, s, models.Membership{OrgID: f.acme.ID, Email: "ivy@example.com", Status: models.StatusInvited}, models.RoleViewer)
	f.carol = mustInsertMember(t, s, models.Membership{OrgID: f.acme.ID, UserID: &f.carolUser.ID, Email: "carol@example.com", Status: models.StatusActive}, models.RoleEditor)
	f.gCarol = mustInsertMember(t, s, models.Membership{OrgID: f.globex.ID, UserID: &f.carolUser.ID, Email: "carol@example.com", Status: models.StatusActive}, models.RoleOwner)
	return f
}

func mustInsertUser(tb testing.TB, s *Store, email string) models.User {
	tb.Helper()
	u := models.User{Email: email, PasswordHash: testHash()}
	if err := s.w.Create(&u).Error; err != nil {
		tb.Fatalf("insert user %s: %v", email, err)
	}
	return u
}

// event writes an audit event in org by actor (nil for none) about target (nil for none).
func (f *auditFixture) event(t *testing.T, org models.Organization, action models.Action, actor *models.User, target *models.Membership) models.AuditEvent {
	t.Helper()
	ev := models.AuditEvent{OrgID: &org.ID, Action: action}
	if actor != nil {
		ev.ActorUserID, ev.ActorEmail = &actor.ID, actor.Email
	}
	if target != nil {
		ev.TargetMembershipID, ev.TargetEmail = &target.ID, target.Email
	}
	// Written one row each, as Audit would not for floods of refusals (access.denied).
	if err := writeAudit(f.s.w, ev, models.Meta{IP: "192.0.2.7"}, f.s.now()); err != nil {
		t.Fatal(err)
	}
	evs := mustAudit(t, f.s, models.AuditFilter{Limit: 1})
	return evs[0]
}

func eventIDs(evs []models.AuditEvent) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// newestFirst returns the ids of want, newest first, as FindAuditEvents orders them.
func newestFirst(want []models.AuditEvent) []int64 {
	out := eventIDs(want)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func TestFindAuditEventsFilters(t *testing.T) {
	f := newAuditFixture(t)
	acme, globex := f.acme.ID, f.globex.ID

	annLogin := f.event(t, f.acme, models.ActionLogin, &f.annUser, &f.ann)
	annInvitesIvy := f.event(t, f.acme, models.ActionInvited, &f.annUser, &f.ivy)
	carolGlobexLogin := f.event(t, f.globex, models.ActionLogin, &f.carolUser, &f.gCarol)
	annChangesCarol := f.event(t, f.acme, models.ActionRolesChanged, &f.annUser, &f.carol)
	carolDenied := f.event(t, f.acme, models.ActionDenied, &f.carolUser, nil)
	carolGlobexInvites := f.event(t, f.globex, models.ActionInvited, &f.carolUser, nil)
	carolLogin := f.event(t, f.acme, models.ActionLogin, &f.carolUser, &f.carol)
	annReinvitesIvy := f.event(t, f.acme, models.ActionReinvited, &f.annUser, &f.ivy)
	unknownFailed := f.event(t, f.acme, models.ActionLoginFailed, nil, nil)

	tests := []struct {
		name string
		f    models.AuditFilter
		want []models.AuditEvent
	}{
		{"Acme", models.AuditFilter{OrgID: &acme}, []models.AuditEvent{annLogin, annInvitesIvy, annChangesCarol, carolDenied, carolLogin, annReinvitesIvy, unknownFailed}},
		{"Globex", models.AuditFilter{OrgID: &globex}, []models.AuditEvent{carolGlobexLogin, carolGlobexInvites}},
		{"Acme logins", models.AuditFilter{OrgID: &acme, Action: models.ActionLogin}, []models.AuditEvent{annLogin, carolLogin}},
		{"Globex invitations", models.AuditFilter{OrgID: &globex, Action: models.ActionInvited}, []models.AuditEvent{carolGlobexInvites}},
		{"action nobody did", models.AuditFilter{OrgID: &acme, Action: models.ActionTerminated}, nil},
		// Carol in Acme: what was done to her and what she did there — not what she did in Globex.
		{"Carol in Acme", models.AuditFilter{OrgID: &acme, MemberID: f.carol.ID}, []models.AuditEvent{annChangesCarol, carolDenied, carolLogin}},
		{"Carol in Globex", models.AuditFilter{OrgID: &globex, MemberID: f.gCarol.ID}, []models.AuditEvent{carolGlobexLogin, carolGlobexInvites}},
		{"Carol's Acme logins", models.AuditFilter{OrgID: &acme, MemberID: f.carol.ID, Action: models.ActionLogin}, []models.AuditEvent{carolLogin}},
		// Ann as actor and as target; an event both by and about her appears once.
		{"Ann", models.AuditFilter{OrgID: &acme, MemberID: f.ann.ID}, []models.AuditEvent{annLogin, annInvitesIvy, annChangesCarol, annReinvitesIvy}},
		// Ivy has no account: only what was done to her.
		{"Ivy", models.AuditFilter{OrgID: &acme, MemberID: f.ivy.ID}, []models.AuditEvent{annInvitesIvy, annReinvitesIvy}},
		{"Ivy, before the reinvite", models.AuditFilter{OrgID: &acme, MemberID: f.ivy.ID, Before: annReinvitesIvy.ID}, []models.AuditEvent{annInvitesIvy}},
		// Another organization's membership id matches nothing, however it is asked for.
		{"Globex's Carol asked of Acme", models.AuditFilter{OrgID: &acme, MemberID: f.gCarol.ID}, nil},
		{"Acme's Ann asked of Globex", models.AuditFilter{OrgID: &globex, MemberID: f.ann.ID}, nil},
		{"unknown member", models.AuditFilter{OrgID: &acme, MemberID: 999999}, nil},
		{"negative member", models.AuditFilter{OrgID: &acme, MemberID: -1}, nil},
		{"before the first", models.AuditFilter{OrgID: &acme, Before: annLogin.ID}, nil},
		{"before everything in range", models.AuditFilter{OrgID: &acme, Before: 1 << 62}, []models.AuditEvent{annLogin, annInvitesIvy, annChangesCarol, carolDenied, carolLogin, annReinvitesIvy, unknownFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eventIDs(mustAudit(t, f.s, tt.f))
			if want := newestFirst(tt.want); !slices.Equal(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}
		})
	}

	t.Run("events keep their fields", func(t *testing.T) {
		evs := mustAudit(t, f.s, models.AuditFilter{OrgID: &acme, MemberID: f.carol.ID, Action: models.ActionRolesChanged})
		if len(evs) != 1 {
			t.Fatalf("%d events, want 1", len(evs))
		}
		ev := evs[0]
		if *ev.OrgID != acme || *ev.ActorUserID != f.annUser.ID || ev.ActorEmail != "ann@example.com" ||
			*ev.TargetMembershipID != f.carol.ID || ev.TargetEmail != "carol@example.com" || ev.IP != "192.0.2.7" || ev.CreatedAt.IsZero() {
			t.Errorf("event = %+v", ev)
		}
	})
}

// TestFindAuditEventsPages walks every filter's pages newest first by keyset, as the audit
// log does: each event of the organization that matches appears exactly once, in order.
func TestFindAuditEventsPages(t *testing.T) {
	f := newAuditFixture(t)
	acme := f.acme.ID
	actions := []models.Action{models.ActionLogin, models.ActionInvited, models.ActionDenied}
	var all []models.AuditEvent
	for i := range 137 {
		org, actor, target := f.acme, &f.annUser, &f.carol
		switch i % 5 {
		case 1:
			actor, target = &f.carolUser, &f.ivy // Carol acting in Acme
		case 2:
			org, actor, target = f.globex, &f.carolUser, &f.gCarol // Globex: never on Acme's pages
		case 3:
			actor, target = nil, nil
		}
		all = append(all, f.event(t, org, actions[i%len(actions)], actor, target))
	}
	matching := func(keep func(models.AuditEvent) bool) []models.AuditEvent {
		var out []models.AuditEvent
		for _, ev := range all {
			if *ev.OrgID == acme && keep(ev) {
				out = append(out, ev)
			}
		}
		return out
	}
	involvesCarol := func(ev models.AuditEvent) bool {
		return (ev.TargetMembershipID != nil && *ev.TargetMembershipID == f.carol.ID) || (ev.ActorUserID != nil && *ev.ActorUserID == f.carolUser.ID)
	}
	tests := []struct {
		name string
		f    models.AuditFilter
		want []models.AuditEvent
	}{
		{"everything", models.AuditFilter{}, matching(func(models.AuditEvent) bool { return true })},
		{"logins", models.AuditFilter{Action: models.ActionLogin}, matching(func(ev models.AuditEvent) bool { return ev.Action == models.ActionLogin })},
		{"Carol", models.AuditFilter{MemberID: f.carol.ID}, matching(involvesCarol)},
		{"Carol's invitations", models.AuditFilter{MemberID: f.carol.ID, Action: models.ActionInvited},
			matching(func(ev models.AuditEvent) bool { return involvesCarol(ev) && ev.Action == models.ActionInvited })},
	}
	// Pages of 10 give every filter several pages, and Carol's pages merge events by her and about her.
	const size = 10
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.f
			filter.OrgID, filter.Limit = &acme, size+1
			var got []int64
			for pages := 0; ; pages++ {
				if pages > len(all) {
					t.Fatal("pages never end")
				}
				evs := mustAudit(t, f.s, filter)
				more := len(evs) > size
				if more {
					evs = evs[:size]
				}
				got = append(got, eventIDs(evs)...)
				if !more {
					break
				}
				filter.Before = evs[len(evs)-1].ID
			}
			if want := newestFirst(tt.want); !slices.Equal(got, want) {
				t.Errorf("pages gave %d events %v,\nwant %d %v", len(got), got, len(want), want)
			}
			if len(tt.want) <= 2*size {
				t.Errorf("only %d events: the test does not reach a third page", len(tt.want))
			}
		})
	}
}

// TestFindAuditEventsUsesIndexes keeps the Member filter from walking an organization's whole log.
func TestFindAuditEventsUsesIndexes(t *testing.T) {
	testdb.SkipOnPostgres(t, "reads SQLite's EXPLAIN QUERY PLAN")
	f := newAuditFixture(t)
	acme := f.acme.ID
	for _, action := range []models.Action{"", models.ActionLogin} {
		filter := models.AuditFilter{OrgID: &acme, Action: action, Before: 1000, Limit: 51}
		byTarget := auditScope(f.s.r, filter).Where("target_membership_id = ?", f.carol.ID).Order("id DESC").Limit(51)
		byActor := auditScope(f.s.r, filter).Where("actor_user_id = ?", f.carolUser.ID).Order("id DESC").Limit(51)
		var plan []struct{ Detail string }
		err := f.s.r.Raw("EXPLAIN QUERY PLAN SELECT * FROM (?) AS by_target UNION SELECT * FROM (?) AS by_actor ORDER BY id DESC LIMIT ?",
			byTarget, byActor, 51).Scan(&plan).Error
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, p := range plan {
			text = append(text, p.Detail)
		}
		joined := strings.Join(text, "\n")
		for _, want := range []string{"USING INDEX audit_events_target", "USING INDEX audit_events_org_actor"} {
			if !strings.Contains(joined, want) {
				t.Errorf("action %q: plan does not use %s:\n%s", action, want, joined)
			}
		}
		if strings.Contains(joined, "SCAN audit_events") {
			t.Errorf("action %q: plan scans the table:\n%s", action, joined)
		}
	}
}

// TestMemberLookupsUseIndexes keeps an invitation's lookup of the address or phone on the
// partial unique indexes: without their condition it walked the organization's members (an
// invitation cost 124 ms at 100,000 members).
func TestMemberLookupsUseIndexes(t *testing.T) {
	testdb.SkipOnPostgres(t, "reads SQLite's EXPLAIN QUERY PLAN")
	s := MustOpenDB(t, newClock().Now)
	for where, index := range map[string]string{memberByEmail: "memberships_org_email", memberByPhone: "memberships_org_phone"} {
		var plan []struct{ Detail string }
		if err := s.r.Raw("EXPLAIN QUERY PLAN SELECT * FROM memberships WHERE "+where, 1, "x").Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		if len(plan) != 1 || !strings.Contains(plan[0].Detail, "INDEX "+index+" (org_id=? AND ") {
			t.Errorf("%s: plan %+v, want a search of %s", where, plan, index)
		}
	}
}

func TestFindMemberByEmail(t *testing.T) {
	f := newAuditFixture(t)
	ctx := context.Background()
	for _, email := range []string{"carol@example.com", "  Carol@Example.COM "} {
		m, err := f.s.FindMemberByEmail(ctx, f.acme.ID, email)
		if err != nil || m.ID != f.carol.ID || !slices.Equal(m.Roles, []models.Role{models.RoleEditor}) {
			t.Errorf("FindMemberByEmail(Acme, %q) = %+v, %v; want Carol's Acme membership with Editor", email, m, err)
		}
	}
	if m, err := f.s.FindMemberByEmail(ctx, f.globex.ID, "carol@example.com"); err != nil || m.ID != f.gCarol.ID {
		t.Errorf("FindMemberByEmail(Globex, carol) = %+v, %v; want her Globex membership", m, err)
	}
	if m, err := f.s.FindMemberByEmail(ctx, f.acme.ID, "ivy@example.com"); err != nil || m.ID != f.ivy.ID {
		t.Errorf("FindMemberByEmail(Acme, ivy) = %+v, %v; want the invitation", m, err)
	}
	for _, email := range []string{"", "carol", "carol@example", "carol@example.com.evil", "%", "ann@example.com%"} {
		if m, err := f.s.FindMemberByEmail(ctx, f.acme.ID, email); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindMemberByEmail(Acme, %q) = %+v, %v; want ErrNotFound", email, m, err)
		}
	}
	if m, err := f.s.FindMemberByEmail(ctx, f.globex.ID, "ann@example.com"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindMemberByEmail(Globex, ann) = %+v, %v; want ErrNotFound: Ann is only in Acme", m, err)
	}
}
