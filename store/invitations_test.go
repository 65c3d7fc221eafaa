package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

var testMeta = models.Meta{IP: "192.0.2.10", UserAgent: "invite-test"}

// inviteFixture: Olive is the only Owner of Acme; Globex is another organization with its own Owner, Gus.
type inviteFixture struct {
	s      *Store
	clock  *testClock
	org    models.Organization
	owner  *models.Current
	other  models.Organization
	gus    *models.Current
	expiry time.Duration
}

func newInviteFixture(t *testing.T) *inviteFixture {
	t.Helper()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	acme := mustCreateOwner(t, s, "olive@acme.test", "Acme")
	globex := mustCreateOrg(t, s, "Globex")
	mustCreateOwner(t, s, "gus@globex.test", "Globex")
	return &inviteFixture{s: s, clock: clock, org: acme.Org, other: globex, expiry: 72 * time.Hour,
		owner: currentOf(t, s, acme.Org.ID, "olive@acme.test"), gus: currentOf(t, s, globex.ID, "gus@globex.test")}
}

// currentOf is the member with that email acting in org, with the permissions of their roles.
func currentOf(tb testing.TB, s *Store, orgID int64, email string) *models.Current {
	tb.Helper()
	m := membershipOf(tb, s, orgID, email)
	cur := &models.Current{Membership: m, Permissions: models.PermissionsOf(m.Roles)}
	if m.UserID == nil {
		tb.Fatalf("%s has no account in org %d", email, orgID)
	}
	if err := s.r.Take(&cur.User, *m.UserID).Error; err != nil {
		tb.Fatal(err)
	}
	if err := s.r.Take(&cur.Org, orgID).Error; err != nil {
		tb.Fatal(err)
	}
	return cur
}

// withPermissions is cur acting with the permissions of roles, as a session loaded just before
// a role change would (DESIGN.md: role changes apply on the next request).
func withPermissions(cur *models.Current, roles ...models.Role) *models.Current {
	c := *cur
	c.Permissions = models.PermissionsOf(roles)
	return &c
}

// invitee returns an invited person with a fresh link and its raw token.
func invitee(email string) (InvitePerson, string) {
	raw, hash := models.NewToken()
	return InvitePerson{Email: email, TokenHash: hash, Message: inviteEmail(email)}, raw
}

func inviteEmail(email string) models.OutboxMessage {
	return models.OutboxMessage{Subject: "Join Acme on Gatehouse", TextBody: "Follow the link, " + email, HTMLBody: "<p>link</p>"}
}

func (f *inviteFixture) input(roles []models.Role, quota int, people ...InvitePerson) InviteInput {
	return InviteInput{Roles: roles, Quota: quota, ExpiresAt: f.clock.Now().Add(f.expiry), People: people}
}

// invite has actor invite emails with roles; every one must be sent. It returns the raw tokens by email.
func (f *inviteFixture) invite(t *testing.T, actor *models.Current, roles []models.Role, emails ...string) map[string]string {
	t.Helper()
	tokens := map[string]string{}
	var people []InvitePerson
	for _, e := range emails {
		p, raw := invitee(e)
		people, tokens[e] = append(people, p), raw
	}
	out, err := f.s.InviteMembers(context.Background(), actor, f.input(roles, 1000, people...), testMeta)
	if err != nil {
		t.Fatalf("InviteMembers(%v): %v", emails, err)
	}
	for _, o := range out {
		if o.Result != InviteSent {
			t.Fatalf("InviteMembers: %s was %s, want sent", o.Email, o.Result)
		}
	}
	return tokens
}

func (f *inviteFixture) accept(t *testing.T, raw, first, last string) (*models.User, *models.Membership) {
	t.Helper()
	u, m, err := f.s.AcceptInvitation(context.Background(), raw, AcceptInput{FirstName: first, LastName: last, PasswordHash: testHash()}, testMeta)
	if err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	return u, m
}

// join makes email an active member of Acme with roles, invited by Olive, and returns them as an actor.
func (f *inviteFixture) join(t *testing.T, email string, roles ...models.Role) *models.Current {
	t.Helper()
	raw := f.invite(t, f.owner, roles, email)[email]
	f.accept(t, raw, "First", email)
	return currentOf(t, f.s, f.org.ID, email)
}

func (f *inviteFixture) reinvite(t *testing.T, actor *models.Current, id int64, email bool) string {
	t.Helper()
	raw, hash := models.NewToken()
	link := NewLink{TokenHash: hash, ExpiresAt: f.clock.Now().Add(f.expiry), Quota: 1000}
	if email {
		msg := inviteEmail("again")
		link.Message = &msg
	}
	if err := f.s.Reinvite(context.Background(), actor, id, link, testMeta); err != nil {
		t.Fatalf("Reinvite(%d): %v", id, err)
	}
	return raw
}

// tableCounts counts the rows of every table an invitation or member action writes.
func tableCounts(tb testing.TB, s *Store) map[string]int64 {
	tb.Helper()
	out := map[string]int64{}
	for _, table := range []string{"users", "memberships", "membership_roles", "invitations", "outbox_messages", "audit_events", "sessions"} {
		var n int64
		if err := s.r.Table(table).Count(&n).Error; err != nil {
			tb.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// wantTableDelta checks that each table grew by delta[table] rows (0 when absent) since before.
func wantTableDelta(tb testing.TB, s *Store, before map[string]int64, delta map[string]int64) {
	tb.Helper()
	after := tableCounts(tb, s)
	for table, n := range after {
		if n-before[table] != delta[table] {
			tb.Errorf("%s: %d rows → %d, want a change of %d", table, before[table], n, delta[table])
		}
	}
}

func invitationsOf(tb testing.TB, s *Store, membershipID int64) []models.Invitation {
	tb.Helper()
	var invs []models.Invitation
	if err := s.r.Where("membership_id = ?", membershipID).Order("id").Find(&invs).Error; err != nil {
		tb.Fatal(err)
	}
	return invs
}

func messagesOf(tb testing.TB, s *Store, recipient string) []models.OutboxMessage {
	tb.Helper()
	var msgs []models.OutboxMessage
	if err := s.r.Where("recipient = ?", recipient).Order("id").Find(&msgs).Error; err != nil {
		tb.Fatal(err)
	}
	return msgs
}

// auditOf returns the organization's events with that action about one membership, oldest first.
func auditOf(tb testing.TB, s *Store, orgID int64, action models.Action, membershipID int64) []models.AuditEvent {
	tb.Helper()
	var evs []models.AuditEvent
	if err := s.r.Where("org_id = ? AND action = ? AND target_membership_id = ?", orgID, action, membershipID).Order("id").Find(&evs).Error; err != nil {
		tb.Fatal(err)
	}
	return evs
}

func liveLinks(invs []models.Invitation, now time.Time) int {
	n := 0
	for _, inv := range invs {
		if inv.State(now) == models.LinkLive {
			n++
		}
	}
	return n
}

func mustFindInvitation(tb testing.TB, s *Store, raw string) *InvitationInfo {
	tb.Helper()
	info, err := s.FindInvitation(context.Background(), raw)
	if err != nil {
		tb.Fatalf("FindInvitation: %v", err)
	}
	return info
}

func wantLinkError(tb testing.TB, what string, err error, st models.LinkState) {
	tb.Helper()
	var le *models.LinkError
	if !errors.As(err, &le) || le.State != st || !errors.Is(err, models.ErrGone) {
		tb.Errorf("%s = %v, want *models.LinkError{%s}", what, err, st)
	}
}

func TestInviteMembers(t *testing.T) {
	ctx := context.Background()

	t.Run("new emails", func(t *testing.T) {
		f := newInviteFixture(t)
		before := tableCounts(t, f.s)
		ada, _ := invitee("ada@example.com")
		bob, _ := invitee("bob@example.com")
		in := f.input([]models.Role{models.RoleViewer, models.RoleEditor}, 100, ada, bob)
		in.FirstName, in.LastName, in.Department, in.Position = "Ada", "Lovelace", "Ops", "Engineer"
		out, err := f.s.InviteMembers(ctx, f.owner, in, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		want := []InviteOutcome{{Email: "ada@example.com", Result: InviteSent}, {Email: "bob@example.com", Result: InviteSent}}
		if !slices.Equal(out, want) {
			t.Errorf("outcomes = %+v, want %+v", out, want)
		}
		wantTableDelta(t, f.s, before, map[string]int64{"memberships": 2, "membership_roles": 4, "invitations": 2, "outbox_messages": 2, "audit_events": 2})
		for _, p := range []InvitePerson{ada, bob} {
			m := membershipOf(t, f.s, f.org.ID, p.Email)
			if m.Status != models.StatusInvited || m.UserID != nil || m.InvitedByID == nil || *m.InvitedByID != f.owner.User.ID {
				t.Errorf("%s: status %s, user %v, invited by %v; want invited by Olive, no account", p.Email, m.Status, m.UserID, m.InvitedByID)
			}
			if !slices.Equal(m.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) {
				t.Errorf("%s: roles %v, want editor, viewer", p.Email, m.Roles)
			}
			if m.Department != "Ops" || m.Position != "Engineer" {
				t.Errorf("%s: department %q, position %q", p.Email, m.Department, m.Position)
			}
			// Names belong to one person: with two invited, nobody gets them.
			if m.FirstName != "" || m.LastName != "" || m.NameKey != p.Email {
				t.Errorf("%s: name %q %q (key %q), want none when several are invited", p.Email, m.FirstName, m.LastName, m.NameKey)
			}
			invs := invitationsOf(t, f.s, m.ID)
			if len(invs) != 1 {
				t.Fatalf("%s: %d invitations, want 1", p.Email, len(invs))
			}
			inv := invs[0]
			if inv.State(f.clock.Now()) != models.LinkLive || !bytes.Equal(inv.TokenHash, p.TokenHash) || inv.OrgID != f.org.ID ||
				inv.Email != p.Email || !inv.ExpiresAt.Equal(in.ExpiresAt) || inv.InvitedByID == nil || *inv.InvitedByID != f.owner.User.ID {
				t.Errorf("%s: invitation %+v", p.Email, inv)
			}
			msgs := messagesOf(t, f.s, p.Email)
			if len(msgs) != 1 {
				t.Fatalf("%s: %d messages, want 1", p.Email, len(msgs))
			}
			msg := msgs[0]
			if msg.InvitationID == nil || *msg.InvitationID != inv.ID || msg.OrgID == nil || *msg.OrgID != f.org.ID ||
				msg.Channel != models.ChannelEmail || msg.Status != models.OutboxPending || msg.Subject != "Join Acme on Gatehouse" {
				t.Errorf("%s: message %+v, want a pending email linked to invitation %d", p.Email, msg, inv.ID)
			}
			evs := auditOf(t, f.s, f.org.ID, models.ActionInvited, m.ID)
			if len(evs) != 1 || evs[0].ActorUserID == nil || *evs[0].ActorUserID != f.owner.User.ID || evs[0].TargetEmail != p.Email ||
				evs[0].Detail != "roles Editor, Viewer" || evs[0].IP != testMeta.IP {
				t.Errorf("%s: audit %+v", p.Email, evs)
			}
		}
		counts := checkCounts(t, f.s, f.org.ID, "after invite")
		if counts[models.StatusInvited] != 2 {
			t.Errorf("invited count = %d, want 2", counts[models.StatusInvited])
		}
	})

	t.Run("names used for one person", func(t *testing.T) {
		f := newInviteFixture(t)
		p, _ := invitee("ada@example.com")
		in := f.input([]models.Role{models.RoleViewer}, 100, p)
		in.FirstName, in.LastName = "Ada", "Lovelace"
		if _, err := f.s.InviteMembers(ctx, f.owner, in, testMeta); err != nil {
			t.Fatal(err)
		}
		m := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		if m.FirstName != "Ada" || m.LastName != "Lovelace" || m.NameKey != "ada lovelace" || m.LastNameKey != "lovelace" {
			t.Errorf("name %q %q keys %q %q, want Ada Lovelace", m.FirstName, m.LastName, m.NameKey, m.LastNameKey)
		}
	})

	t.Run("existing memberships are not touched", func(t *testing.T) {
		f := newInviteFixture(t)
		oldToken := f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@example.com")["invited@example.com"]
		for _, st := range []models.Status{models.StatusPending, models.StatusRejected, models.StatusTerminated} {
			mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: string(st) + "@example.com", Status: st}, models.RoleEditor)
		}
		f.clock.Advance(time.Minute)
		before := tableCounts(t, f.s)
		wantStatus := map[string]models.Status{
			"olive@acme.test":        models.StatusActive,
			"invited@example.com":    models.StatusInvited,
			"pending@example.com":    models.StatusPending,
			"rejected@example.com":   models.StatusRejected,
			"terminated@example.com": models.StatusTerminated,
		}
		var people []InvitePerson
		for _, e := range []string{"olive@acme.test", "invited@example.com", "pending@example.com", "rejected@example.com", "terminated@example.com", "new@example.com"} {
			p, _ := invitee(e)
			people = append(people, p)
		}
		in := f.input([]models.Role{models.RoleAdmin}, 100, people...)
		in.Department = "Changed"
		out, err := f.s.InviteMembers(ctx, f.owner, in, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(people) {
			t.Fatalf("%d outcomes for %d people", len(out), len(people))
		}
		for i, o := range out {
			if o.Email != people[i].Email {
				t.Errorf("outcome %d is for %s, want %s (input order)", i, o.Email, people[i].Email)
			}
			if o.Email == "new@example.com" {
				if o.Result != InviteSent || o.Existing != nil {
					t.Errorf("new@: %+v, want sent", o)
				}
				continue
			}
			if o.Result != InviteExists || o.Existing == nil || o.Existing.Status != wantStatus[o.Email] {
				t.Errorf("%s: %+v, want exists with status %s", o.Email, o, wantStatus[o.Email])
				continue
			}
			m := membershipOf(t, f.s, f.org.ID, o.Email)
			if o.Existing.ID != m.ID || m.Status != wantStatus[o.Email] || m.Department == "Changed" || slices.Contains(m.Roles, models.RoleAdmin) {
				t.Errorf("%s was changed: %+v", o.Email, m)
			}
		}
		// Only new@ was written: one membership, one role, one link, one email, one event.
		wantTableDelta(t, f.s, before, map[string]int64{"memberships": 1, "membership_roles": 1, "invitations": 1, "outbox_messages": 1, "audit_events": 1})
		if st := mustFindInvitation(t, f.s, oldToken).State; st != models.LinkLive {
			t.Errorf("the existing invitation's link is %s, want still live", st)
		}
	})

	t.Run("revoked membership is invited again", func(t *testing.T) {
		f := newInviteFixture(t)
		oldToken := f.invite(t, f.owner, []models.Role{models.RoleViewer}, "ada@example.com")["ada@example.com"]
		old := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		if err := f.s.RevokeInvitation(ctx, f.owner, old.ID, testMeta); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		p, raw := invitee("ada@example.com")
		out, err := f.s.InviteMembers(ctx, f.owner, f.input([]models.Role{models.RoleEditor}, 100, p), testMeta)
		if err != nil || len(out) != 1 || out[0].Result != InviteSent {
			t.Fatalf("InviteMembers = %+v, %v; want sent", out, err)
		}
		m := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		if m.ID != old.ID || m.Status != models.StatusInvited || !slices.Equal(m.Roles, []models.Role{models.RoleEditor}) {
			t.Errorf("membership %d %s %v, want the same membership %d invited as Editor", m.ID, m.Status, m.Roles, old.ID)
		}
		if st := mustFindInvitation(t, f.s, raw).State; st != models.LinkLive {
			t.Errorf("new link is %s, want live", st)
		}
		if st := mustFindInvitation(t, f.s, oldToken).State; st != models.LinkRevoked {
			t.Errorf("old link is %s, want revoked", st)
		}
		if n := len(messagesOf(t, f.s, "ada@example.com")); n != 2 {
			t.Errorf("%d messages to ada, want 2", n)
		}
		counts := checkCounts(t, f.s, f.org.ID, "after re-invite")
		if counts[models.StatusInvited] != 1 || counts[models.StatusRevoked] != 0 {
			t.Errorf("counts %v, want one invited, none revoked", counts)
		}
		f.accept(t, raw, "Ada", "Lovelace")
	})

	t.Run("refusals write nothing", func(t *testing.T) {
		f := newInviteFixture(t)
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		editor := f.join(t, "editor@acme.test", models.RoleEditor)
		viewer := f.join(t, "viewer@acme.test", models.RoleViewer)
		tests := []struct {
			name   string
			actor  *models.Current
			roles  []models.Role
			forbid bool   // plain ErrForbidden
			msg    string // a RuleError with this message
		}{
			{"editor", editor, []models.Role{models.RoleViewer}, true, ""},
			{"viewer", viewer, []models.Role{models.RoleViewer}, true, ""},
			{"nil actor", nil, []models.Role{models.RoleViewer}, true, ""},
			{"admin grants owner", admin, []models.Role{models.RoleOwner}, false, "Only an Owner can grant the Owner role."},
			{"admin grants viewer and owner", admin, []models.Role{models.RoleViewer, models.RoleOwner}, false, "Only an Owner can grant the Owner role."},
			{"no role", f.owner, nil, false, "Choose at least one role."},
			{"unknown role", f.owner, []models.Role{"root"}, false, "Unknown role."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tableCounts(t, f.s)
				p, _ := invitee("new@example.com")
				out, err := f.s.InviteMembers(ctx, tt.actor, f.input(tt.roles, 100, p), testMeta)
				if !errors.Is(err, models.ErrForbidden) || out != nil {
					t.Errorf("InviteMembers = %+v, %v; want ErrForbidden", out, err)
				}
				if got := models.RefusalMessage(err); got != tt.msg {
					t.Errorf("refusal message %q, want %q", got, tt.msg)
				}
				wantTableDelta(t, f.s, before, nil)
			})
		}
	})

	t.Run("admin invites", func(t *testing.T) {
		f := newInviteFixture(t)
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		f.invite(t, admin, []models.Role{models.RoleAdmin}, "second-admin@example.com")
		m := membershipOf(t, f.s, f.org.ID, "second-admin@example.com")
		if *m.InvitedByID != admin.User.ID {
			t.Errorf("invited by %d, want the admin %d", *m.InvitedByID, admin.User.ID)
		}
	})

	t.Run("scoped by organization", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, []models.Role{models.RoleViewer}, "ada@example.com")
		// The same email in Globex is a different membership.
		f.invite(t, f.gus, []models.Role{models.RoleViewer}, "ada@example.com")
		if a, g := membershipOf(t, f.s, f.org.ID, "ada@example.com"), membershipOf(t, f.s, f.other.ID, "ada@example.com"); a.ID == g.ID {
			t.Errorf("one membership for two organizations")
		}
	})
}

func TestInviteQuota(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}
	people := func(prefix string, n int) []InvitePerson {
		var ps []InvitePerson
		for i := range n {
			p, _ := invitee(fmt.Sprintf("%s%d@example.com", prefix, i))
			ps = append(ps, p)
		}
		return ps
	}
	results := func(out []InviteOutcome) map[InviteResult]int {
		m := map[InviteResult]int{}
		for _, o := range out {
			m[o.Result]++
		}
		return m
	}

	t.Run("over quota in one submission", func(t *testing.T) {
		f := newInviteFixture(t)
		before := tableCounts(t, f.s)
		out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("a", 5)...), testMeta)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range out {
			want := InviteSent
			if i >= 3 {
				want = InviteOverQuota
			}
			if o.Result != want {
				t.Errorf("%s: %s, want %s", o.Email, o.Result, want)
			}
		}
		wantTableDelta(t, f.s, before, map[string]int64{"memberships": 3, "membership_roles": 3, "invitations": 3, "outbox_messages": 3, "audit_events": 3})
		var n int64
		f.s.r.Model(&models.Membership{}).Where("email IN ?", []string{"a3@example.com", "a4@example.com"}).Count(&n)
		if n != 0 {
			t.Errorf("over-quota emails got %d memberships, want none", n)
		}
	})

	t.Run("existing memberships do not use quota", func(t *testing.T) {
		f := newInviteFixture(t)
		ps := people("a", 2)
		owner, _ := invitee("olive@acme.test")
		out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 2, append([]InvitePerson{owner}, ps...)...), testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if got := results(out); got[InviteSent] != 2 || got[InviteExists] != 1 {
			t.Errorf("results %v, want 2 sent and 1 exists", got)
		}
	})

	t.Run("the last 24 hours only", func(t *testing.T) {
		f := newInviteFixture(t)
		if out, _ := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("a", 3)...), testMeta); results(out)[InviteSent] != 3 {
			t.Fatalf("first day: %+v", out)
		}
		f.clock.Advance(24*time.Hour - time.Second)
		out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("b", 1)...), testMeta)
		if err != nil || results(out)[InviteOverQuota] != 1 {
			t.Errorf("a second before a day has passed: %+v, %v; want over quota", out, err)
		}
		f.clock.Advance(time.Second)
		out, err = f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("c", 4)...), testMeta)
		if err != nil || results(out)[InviteSent] != 3 || results(out)[InviteOverQuota] != 1 {
			t.Errorf("a day later: %+v, %v; want 3 sent, 1 over quota", out, err)
		}
	})

	t.Run("per inviter", func(t *testing.T) {
		f := newInviteFixture(t)
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		// Olive has sent one email, admin@'s invitation: two more fill a quota of 3.
		if out, _ := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("a", 3)...), testMeta); results(out)[InviteSent] != 2 {
			t.Fatalf("owner: %+v", out)
		}
		out, err := f.s.InviteMembers(ctx, admin, f.input(viewer, 2, people("b", 2)...), testMeta)
		if err != nil || results(out)[InviteSent] != 2 {
			t.Errorf("admin: %+v, %v; want its own quota", out, err)
		}
	})

	t.Run("copied links do not count", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, viewer, "ada@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		for range 5 {
			f.reinvite(t, f.owner, ada.ID, false)
		}
		// One email sent so far: two more fit a quota of 3.
		out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("b", 3)...), testMeta)
		if err != nil || results(out)[InviteSent] != 2 || results(out)[InviteOverQuota] != 1 {
			t.Errorf("after copied links: %+v, %v; want 2 sent, 1 over quota", out, err)
		}
		// Over quota, links can still be copied.
		f.reinvite(t, f.owner, ada.ID, false)
	})

	t.Run("reinvite emails count", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, viewer, "ada@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		f.reinvite(t, f.owner, ada.ID, true)
		out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 3, people("b", 2)...), testMeta)
		if err != nil || results(out)[InviteSent] != 1 || results(out)[InviteOverQuota] != 1 {
			t.Errorf("after a reinvite: %+v, %v; want 1 sent, 1 over quota", out, err)
		}
	})

	t.Run("race-safe", func(t *testing.T) {
		f := newInviteFixture(t)
		var sent, over atomic.Int32
		var wg sync.WaitGroup
		for g := range 10 {
			wg.Go(func() {
				out, err := f.s.InviteMembers(ctx, f.owner, f.input(viewer, 5, people(fmt.Sprintf("g%d-", g), 2)...), testMeta)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				r := results(out)
				sent.Add(int32(r[InviteSent]))
				over.Add(int32(r[InviteOverQuota]))
			})
		}
		wg.Wait()
		if sent.Load() != 5 || over.Load() != 15 {
			t.Errorf("sent %d, over quota %d; want 5 and 15", sent.Load(), over.Load())
		}
		if n := countRows(t, f.s, &models.OutboxMessage{}); n != 5 {
			t.Errorf("%d messages in the outbox, want 5", n)
		}
		if counts := checkCounts(t, f.s, f.org.ID, "after race"); counts[models.StatusInvited] != 5 {
			t.Errorf("%d invited, want 5", counts[models.StatusInvited])
		}
	})
}

func TestReinvite(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("supersedes every earlier link", func(t *testing.T) {
		f := newInviteFixture(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		f.clock.Advance(time.Hour)
		copied := f.reinvite(t, f.owner, ada.ID, false)
		f.clock.Advance(time.Hour)

		before := tableCounts(t, f.s)
		latest := f.reinvite(t, f.owner, ada.ID, true)
		wantTableDelta(t, f.s, before, map[string]int64{"invitations": 1, "outbox_messages": 1, "audit_events": 1})
		for raw, want := range map[string]models.LinkState{first: models.LinkSuperseded, copied: models.LinkSuperseded, latest: models.LinkLive} {
			if st := mustFindInvitation(t, f.s, raw).State; st != want {
				t.Errorf("link %.6s… is %s, want %s", raw, st, want)
			}
		}
		invs := invitationsOf(t, f.s, ada.ID)
		if n := liveLinks(invs, f.clock.Now()); n != 1 {
			t.Errorf("%d live links, want 1", n)
		}
		newest := invs[len(invs)-1]
		if !newest.ExpiresAt.Equal(f.clock.Now().Add(f.expiry)) {
			t.Errorf("new link expires %v, want %v", newest.ExpiresAt, f.clock.Now().Add(f.expiry))
		}
		msgs := messagesOf(t, f.s, "ada@example.com")
		if len(msgs) != 2 || msgs[1].InvitationID == nil || *msgs[1].InvitationID != newest.ID || msgs[1].Status != models.OutboxPending {
			t.Errorf("messages %+v, want a second one linked to invitation %d", msgs, newest.ID)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionReinvited, ada.ID); len(evs) != 1 || evs[0].ActorEmail != "olive@acme.test" {
			t.Errorf("reinvited events %+v, want one by Olive", evs)
		}
		if m := membershipOf(t, f.s, f.org.ID, "ada@example.com"); m.Status != models.StatusInvited {
			t.Errorf("status %s after reinvite, want invited", m.Status)
		}
		wantLinkError(t, "accept with a superseded link", acceptErr(f, first), models.LinkSuperseded)
		f.accept(t, latest, "Ada", "Lovelace")
	})

	t.Run("copy link sends nothing", func(t *testing.T) {
		f := newInviteFixture(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		before := tableCounts(t, f.s)
		copied := f.reinvite(t, f.owner, ada.ID, false)
		wantTableDelta(t, f.s, before, map[string]int64{"invitations": 1, "audit_events": 1})
		if st := mustFindInvitation(t, f.s, first).State; st != models.LinkSuperseded {
			t.Errorf("first link %s, want superseded", st)
		}
		if st := mustFindInvitation(t, f.s, copied).State; st != models.LinkLive {
			t.Errorf("copied link %s, want live", st)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionLinkCopied, ada.ID); len(evs) != 1 {
			t.Errorf("%d link-copied events, want 1", len(evs))
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionReinvited, ada.ID); len(evs) != 0 {
			t.Errorf("copying a link wrote %d reinvited events", len(evs))
		}
	})

	t.Run("expired invitation", func(t *testing.T) {
		f := newInviteFixture(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		f.clock.Advance(f.expiry + time.Hour)
		latest := f.reinvite(t, f.owner, ada.ID, true)
		if st := mustFindInvitation(t, f.s, latest).State; st != models.LinkLive {
			t.Errorf("new link %s, want live", st)
		}
		// The expired link is superseded too, and superseded is what its page says.
		if st := mustFindInvitation(t, f.s, first).State; st != models.LinkSuperseded {
			t.Errorf("old expired link %s, want superseded", st)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, viewer, "ada@example.com")
		f.invite(t, f.owner, []models.Role{models.RoleOwner}, "owner2@example.com")
		f.invite(t, f.gus, viewer, "globex@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		invitedOwner := membershipOf(t, f.s, f.org.ID, "owner2@example.com")
		globex := membershipOf(t, f.s, f.other.ID, "globex@example.com")
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		editor := f.join(t, "editor@acme.test", models.RoleEditor)
		active := membershipOf(t, f.s, f.org.ID, "editor@acme.test")

		_, hash := models.NewToken()
		msg := inviteEmail("x")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			quota int
			want  error
			msg   string
		}{
			{"active member", f.owner, active.ID, 100, models.ErrTransition, ""},
			{"another organization's member", f.owner, globex.ID, 100, models.ErrNotFound, ""},
			{"unknown id", f.owner, 999999, 100, models.ErrNotFound, ""},
			{"editor", editor, ada.ID, 100, models.ErrForbidden, ""},
			{"admin on an invited owner", admin, invitedOwner.ID, 100, models.ErrForbidden, "Only an Owner can change an Owner's membership."},
			{"over quota", f.owner, ada.ID, 4, models.ErrForbidden,
				"You have reached today's limit of invitation emails. Try again tomorrow, or use Copy invite link."},
		}
		for _, tt := range tests {
			for _, email := range []bool{true, false} {
				if tt.quota < 100 && !email {
					continue // copied links have no quota
				}
				t.Run(fmt.Sprintf("%s/email=%v", tt.name, email), func(t *testing.T) {
					link := NewLink{TokenHash: hash, ExpiresAt: f.clock.Now().Add(f.expiry), Quota: tt.quota}
					if email {
						link.Message = &msg
					}
					before := tableCounts(t, f.s)
					err := f.s.Reinvite(ctx, tt.actor, tt.id, link, testMeta)
					if !errors.Is(err, tt.want) {
						t.Errorf("Reinvite = %v, want %v", err, tt.want)
					}
					if got := models.RefusalMessage(err); got != tt.msg {
						t.Errorf("refusal %q, want %q", got, tt.msg)
					}
					wantTableDelta(t, f.s, before, nil)
				})
			}
		}
		// An Owner may reinvite an invited Owner.
		f.reinvite(t, f.owner, invitedOwner.ID, true)
	})
}

// acceptErr tries to accept raw and returns the error.
func acceptErr(f *inviteFixture, raw string) error {
	_, _, err := f.s.AcceptInvitation(context.Background(), raw, AcceptInput{FirstName: "X", LastName: "Y", PasswordHash: testHash()}, testMeta)
	return err
}

func TestRevokeInvitation(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("revokes every link", func(t *testing.T) {
		f := newInviteFixture(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		f.invite(t, f.owner, viewer, "bob@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		second := f.reinvite(t, f.owner, ada.ID, true)
		if c := checkCounts(t, f.s, f.org.ID, "before revoke"); c[models.StatusInvited] != 2 {
			t.Fatalf("invited count %d, want 2", c[models.StatusInvited])
		}
		f.clock.Advance(time.Minute)
		before := tableCounts(t, f.s)
		if err := f.s.RevokeInvitation(ctx, f.owner, ada.ID, testMeta); err != nil {
			t.Fatal(err)
		}
		wantTableDelta(t, f.s, before, map[string]int64{"audit_events": 1})
		for _, inv := range invitationsOf(t, f.s, ada.ID) {
			if inv.RevokedAt == nil || !inv.RevokedAt.Equal(f.clock.Now()) {
				t.Errorf("invitation %d revoked_at %v, want %v", inv.ID, inv.RevokedAt, f.clock.Now())
			}
		}
		if m := membershipOf(t, f.s, f.org.ID, "ada@example.com"); m.Status != models.StatusRevoked {
			t.Errorf("status %s, want revoked", m.Status)
		}
		c := checkCounts(t, f.s, f.org.ID, "after revoke")
		if c[models.StatusInvited] != 1 || c[models.StatusRevoked] != 1 {
			t.Errorf("counts %v, want 1 invited, 1 revoked", c)
		}
		if evs := auditOf(t, f.s, f.org.ID, models.ActionRevoked, ada.ID); len(evs) != 1 || evs[0].TargetEmail != "ada@example.com" {
			t.Errorf("revoked events %+v", evs)
		}
		for _, raw := range []string{first, second} {
			before := tableCounts(t, f.s)
			wantLinkError(t, "accept a revoked link", acceptErr(f, raw), models.LinkRevoked)
			wantTableDelta(t, f.s, before, nil)
			if st := mustFindInvitation(t, f.s, raw).State; st != models.LinkRevoked {
				t.Errorf("FindInvitation state %s, want revoked", st)
			}
		}
		if err := f.s.RevokeInvitation(ctx, f.owner, ada.ID, testMeta); !errors.Is(err, models.ErrTransition) {
			t.Errorf("revoking twice = %v, want ErrTransition", err)
		}
		if err := f.s.Reinvite(ctx, f.owner, ada.ID, NewLink{TokenHash: []byte("x"), Quota: 10}, testMeta); !errors.Is(err, models.ErrTransition) {
			t.Errorf("copying a revoked member's link = %v, want ErrTransition", err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, []models.Role{models.RoleOwner}, "owner2@example.com")
		f.invite(t, f.owner, viewer, "ada@example.com")
		f.invite(t, f.gus, viewer, "globex@example.com")
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		editor := f.join(t, "editor@acme.test", models.RoleEditor)
		invitedOwner := membershipOf(t, f.s, f.org.ID, "owner2@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			want  error
		}{
			{"admin on an invited owner", admin, invitedOwner.ID, models.ErrForbidden},
			{"editor", editor, ada.ID, models.ErrForbidden},
			{"active member", f.owner, membershipOf(t, f.s, f.org.ID, "editor@acme.test").ID, models.ErrTransition},
			{"another organization's member", f.owner, membershipOf(t, f.s, f.other.ID, "globex@example.com").ID, models.ErrNotFound},
		}
		for _, tt := range tests {
			before := tableCounts(t, f.s)
			if err := f.s.RevokeInvitation(ctx, tt.actor, tt.id, testMeta); !errors.Is(err, tt.want) {
				t.Errorf("%s: RevokeInvitation = %v, want %v", tt.name, err, tt.want)
			}
			wantTableDelta(t, f.s, before, nil)
		}
		if err := f.s.RevokeInvitation(ctx, f.owner, invitedOwner.ID, testMeta); err != nil {
			t.Errorf("an Owner revoking an invited Owner: %v", err)
		}
		if err := f.s.RevokeInvitation(ctx, admin, ada.ID, testMeta); err != nil {
			t.Errorf("an Admin revoking an invited Viewer: %v", err)
		}
	})
}

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("creates the account", func(t *testing.T) {
		f := newInviteFixture(t)
		raw := f.invite(t, f.owner, []models.Role{models.RoleEditor}, "ada@example.com")["ada@example.com"]
		f.clock.Advance(time.Hour)
		before := tableCounts(t, f.s)
		u, m, err := f.s.AcceptInvitation(ctx, raw, AcceptInput{FirstName: "Ada", LastName: "Lovelace", PasswordHash: testHash()}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		wantTableDelta(t, f.s, before, map[string]int64{"users": 1, "audit_events": 1})
		stored, err := f.s.FindUserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if stored.ID != u.ID || stored.PasswordHash != testHash() || stored.FirstName != "Ada" || stored.LastName != "Lovelace" ||
			stored.LastOrgID == nil || *stored.LastOrgID != f.org.ID {
			t.Errorf("stored user %+v", stored)
		}
		if !models.CheckPassword(stored.PasswordHash, testPassword) {
			t.Errorf("stored password hash does not check")
		}
		got := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		if got.ID != m.ID || got.Status != models.StatusActive || got.UserID == nil || *got.UserID != u.ID ||
			got.FirstName != "Ada" || got.NameKey != "ada lovelace" || !slices.Equal(got.Roles, []models.Role{models.RoleEditor}) {
			t.Errorf("membership %+v", got)
		}
		c := checkCounts(t, f.s, f.org.ID, "after accept")
		if c[models.StatusInvited] != 0 || c[models.StatusActive] != 2 {
			t.Errorf("counts %v, want 2 active, 0 invited", c)
		}
		evs := auditOf(t, f.s, f.org.ID, models.ActionSignedUp, m.ID)
		if len(evs) != 1 || evs[0].ActorUserID == nil || *evs[0].ActorUserID != u.ID || evs[0].TargetEmail != "ada@example.com" {
			t.Errorf("signed-up events %+v", evs)
		}
		info := mustFindInvitation(t, f.s, raw)
		if info.State != models.LinkUsed || info.Invitation.UsedAt == nil || !info.Invitation.UsedAt.Equal(f.clock.Now()) {
			t.Errorf("link after accept: %s, used at %v", info.State, info.Invitation.UsedAt)
		}
		before = tableCounts(t, f.s)
		wantLinkError(t, "second accept", acceptErr(f, raw), models.LinkUsed)
		// Used wins even once the link would have expired.
		f.clock.Advance(f.expiry * 2)
		wantLinkError(t, "accept after expiry", acceptErr(f, raw), models.LinkUsed)
		wantTableDelta(t, f.s, before, nil)
	})

	t.Run("expired", func(t *testing.T) {
		f := newInviteFixture(t)
		raw := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		f.clock.Advance(f.expiry - time.Microsecond)
		if st := mustFindInvitation(t, f.s, raw).State; st != models.LinkLive {
			t.Errorf("just before expiry the link is %s", st)
		}
		f.clock.Advance(time.Microsecond)
		before := tableCounts(t, f.s)
		wantLinkError(t, "accept at expiry", acceptErr(f, raw), models.LinkExpired)
		wantTableDelta(t, f.s, before, nil)
		info := mustFindInvitation(t, f.s, raw)
		if info.State != models.LinkExpired || info.Invitation.UsedAt != nil || info.Membership.Status != models.StatusInvited {
			t.Errorf("after a refused accept: state %s, used %v, status %s", info.State, info.Invitation.UsedAt, info.Membership.Status)
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		f := newInviteFixture(t)
		raw, _ := models.NewToken()
		for _, tok := range []string{raw, "", "not a token"} {
			if err := acceptErr(f, tok); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("accept %q = %v, want ErrNotFound", tok, err)
			}
		}
	})

	t.Run("parallel submits create one account", func(t *testing.T) {
		f := newInviteFixture(t)
		raw := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		users := countRows(t, f.s, &models.User{})
		var ok, used atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				_, _, err := f.s.AcceptInvitation(ctx, raw, AcceptInput{FirstName: fmt.Sprint("Ada", i), LastName: "L", PasswordHash: testHash()}, testMeta)
				var le *models.LinkError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &le) && le.State == models.LinkUsed:
					used.Add(1)
				default:
					t.Errorf("submit %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || used.Load() != 19 {
			t.Errorf("%d accepted, %d told used; want 1 and 19", ok.Load(), used.Load())
		}
		if n := countRows(t, f.s, &models.User{}); n != users+1 {
			t.Errorf("%d users, want %d", n, users+1)
		}
		var active int64
		f.s.r.Model(&models.Membership{}).Where("email = ? AND status = ?", "ada@example.com", models.StatusActive).Count(&active)
		if active != 1 {
			t.Errorf("%d active memberships for ada, want 1", active)
		}
		m := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		if evs := auditOf(t, f.s, f.org.ID, models.ActionSignedUp, m.ID); len(evs) != 1 {
			t.Errorf("%d signed-up events, want 1", len(evs))
		}
	})

	t.Run("email already has an account", func(t *testing.T) {
		f := newInviteFixture(t)
		raw := f.invite(t, f.gus, viewer, "olive@acme.test")["olive@acme.test"]
		before := tableCounts(t, f.s)
		if err := acceptErr(f, raw); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("accept = %v, want ErrConflict", err)
		}
		wantTableDelta(t, f.s, before, nil)
		info := mustFindInvitation(t, f.s, raw)
		if info.Invitation.UsedAt != nil || info.State != models.LinkLive {
			t.Errorf("after the rollback the link is %s (used at %v), want live and unused", info.State, info.Invitation.UsedAt)
		}
		if info.Membership.Status != models.StatusInvited || info.Membership.UserID != nil {
			t.Errorf("membership %+v, want still invited", info.Membership)
		}
		olive, _ := f.s.FindUserByEmail(ctx, "olive@acme.test")
		if olive.FirstName != "Owner" {
			t.Errorf("the existing account was changed: %+v", olive)
		}
	})
}

func TestFindInvitation(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	p, raw := invitee("ada@example.com")
	in := f.input([]models.Role{models.RoleViewer}, 10, p)
	in.FirstName = "Ada"
	if _, err := f.s.InviteMembers(ctx, f.owner, in, testMeta); err != nil {
		t.Fatal(err)
	}
	info := mustFindInvitation(t, f.s, raw)
	if info.State != models.LinkLive || info.AccountExists || info.Org.ID != f.org.ID || info.Org.Name != "Acme" ||
		info.Membership.Email != "ada@example.com" || info.Membership.FirstName != "Ada" || info.Invitation.Email != "ada@example.com" {
		t.Errorf("info %+v", info)
	}
	if info.Inviter == nil || info.Inviter.ID != f.owner.User.ID || info.Inviter.Email != "olive@acme.test" {
		t.Errorf("inviter %+v, want Olive", info.Inviter)
	}

	existing := f.invite(t, f.gus, []models.Role{models.RoleViewer}, "olive@acme.test")["olive@acme.test"]
	info = mustFindInvitation(t, f.s, existing)
	if !info.AccountExists || info.Org.ID != f.other.ID || info.Inviter == nil || info.Inviter.Email != "gus@globex.test" {
		t.Errorf("an invitation to an existing account: exists %v, org %d, inviter %+v", info.AccountExists, info.Org.ID, info.Inviter)
	}

	f.clock.Advance(f.expiry)
	if st := mustFindInvitation(t, f.s, raw).State; st != models.LinkExpired {
		t.Errorf("state at expiry %s, want expired", st)
	}

	// An inviter whose account is gone leaves Inviter nil; the link still opens.
	if err := f.s.w.Model(&models.Invitation{}).Where("email = ?", "ada@example.com").Update("invited_by_id", nil).Error; err != nil {
		t.Fatal(err)
	}
	if info := mustFindInvitation(t, f.s, raw); info.Inviter != nil {
		t.Errorf("inviter %+v, want nil", info.Inviter)
	}

	unknown, _ := models.NewToken()
	if _, err := f.s.FindInvitation(ctx, unknown); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown token = %v, want ErrNotFound", err)
	}
}

func TestLatestInvitations(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	viewer := []models.Role{models.RoleViewer}
	f.invite(t, f.owner, viewer, "ada@example.com", "bob@example.com")
	f.invite(t, f.gus, viewer, "globex@example.com")
	f.join(t, "cy@example.com", models.RoleViewer)
	ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
	bob := membershipOf(t, f.s, f.org.ID, "bob@example.com")
	cy := membershipOf(t, f.s, f.org.ID, "cy@example.com")
	globex := membershipOf(t, f.s, f.other.ID, "globex@example.com")
	f.reinvite(t, f.owner, ada.ID, true)
	latest := f.reinvite(t, f.owner, ada.ID, false)

	var queries atomic.Int32
	if err := f.s.r.Callback().Query().Before("gorm:query").Register("test:count_queries", func(db *gorm.DB) {
		if !db.DryRun { // gorm builds subqueries with a dry run
			queries.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.LatestInvitations(ctx, f.org.ID, []int64{ada.ID, bob.ID, cy.ID, globex.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if n := queries.Load(); n != 1 {
		t.Errorf("LatestInvitations ran %d queries, want 1", n)
	}
	if len(got) != 3 {
		t.Errorf("got invitations for %d memberships, want 3 (ada, bob, cy): %v", len(got), got)
	}
	if inv := got[ada.ID]; !bytes.Equal(inv.TokenHash, models.HashToken(latest)) {
		t.Errorf("ada's latest invitation is %d, want the last copied link", inv.ID)
	}
	if inv := got[bob.ID]; inv.MembershipID != bob.ID || inv.Email != "bob@example.com" {
		t.Errorf("bob's invitation %+v", inv)
	}
	if inv := got[cy.ID]; inv.UsedAt == nil {
		t.Errorf("cy's invitation %+v, want the used one", inv)
	}
	if _, ok := got[globex.ID]; ok {
		t.Errorf("another organization's invitation was returned")
	}
	if got, err := f.s.LatestInvitations(ctx, f.other.ID, []int64{ada.ID, globex.ID}); err != nil || len(got) != 1 || got[globex.ID].Email != "globex@example.com" {
		t.Errorf("Globex's latest invitations = %v, %v; want globex@ only", got, err)
	}
	queries.Store(0)
	if got, err := f.s.LatestInvitations(ctx, f.org.ID, nil); err != nil || len(got) != 0 || queries.Load() != 0 {
		t.Errorf("no ids: %v, %v, %d queries; want an empty map and no query", got, err, queries.Load())
	}
}
