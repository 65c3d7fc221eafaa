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

func inviteEmail(email string) models.OutboxMessage {
	return models.OutboxMessage{Subject: "Join Acme on Gatehouse", TextBody: "Follow the link, " + email, HTMLBody: "<p>link</p>"}
}

// invite has actor invite emails with roles, as app.Invite does through the store: an
// invited membership, a link and its email for each. It returns the raw tokens by email.
func (f *inviteFixture) invite(t *testing.T, actor *models.Current, roles []models.Role, emails ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	tokens := map[string]string{}
	for _, e := range emails {
		m := &models.Membership{OrgID: actor.Org.ID, Email: e, Status: models.StatusInvited, InvitedByID: &actor.User.ID}
		m.SetName("", "")
		if err := f.s.SaveInvitedMember(ctx, m, roles); err != nil {
			t.Fatalf("SaveInvitedMember(%s): %v", e, err)
		}
		raw, hash := models.NewToken()
		msg := inviteEmail(e)
		if err := f.s.MintInvitation(ctx, m, actor.User.ID, "", hash, f.clock.Now().Add(f.expiry), &msg); err != nil {
			t.Fatalf("MintInvitation(%s): %v", e, err)
		}
		tokens[e] = raw
	}
	return tokens
}

func (f *inviteFixture) accept(t *testing.T, raw, first, last string) (*models.User, *models.Membership) {
	t.Helper()
	u, m, err := f.s.AcceptInvitation(context.Background(), raw, AcceptInput{FirstName: first, LastName: last, PasswordHash: testHash()})
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

// reinvite mints a new link for membership id, with an email or (copy link) without.
func (f *inviteFixture) reinvite(t *testing.T, actor *models.Current, id int64, email bool) string {
	t.Helper()
	ctx := context.Background()
	m, err := f.s.FindMember(ctx, actor.Org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	raw, hash := models.NewToken()
	var msg *models.OutboxMessage
	if email {
		e := inviteEmail("again")
		msg = &e
	}
	if err := f.s.MintInvitation(ctx, m, actor.User.ID, "", hash, f.clock.Now().Add(f.expiry), msg); err != nil {
		t.Fatalf("MintInvitation(%d): %v", id, err)
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

func liveLinks(invs []models.Invitation, now time.Time) int {
	n := 0
	for _, inv := range invs {
		if inv.State(now) == models.LinkLive {
			n++
		}
	}
	return n
}

func mustFindInvitation(tb testing.TB, s *Store, raw string) *models.InvitationInfo {
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

// The rules, audit and quota of inviting, reinviting and revoking are tested with the use
// cases (app/invitations_test.go); these tests check what the store writes.

func TestSaveInvitedMember(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	ops, sales := &models.Department{OrgID: f.org.ID, Name: "Ops"}, &models.Department{OrgID: f.org.ID, Name: "Sales"}
	for _, d := range []*models.Department{ops, sales} {
		if err := f.s.CreateDepartment(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	before := tableCounts(t, f.s)
	m := &models.Membership{OrgID: f.org.ID, Email: "ada@example.com", Status: models.StatusInvited, InvitedByID: &f.owner.User.ID,
		DepartmentID: &ops.ID, Position: "Engineer"}
	m.SetName("Ada", "Lovelace")
	if err := f.s.SaveInvitedMember(ctx, m, []models.Role{models.RoleViewer, models.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	wantTableDelta(t, f.s, before, map[string]int64{"memberships": 1, "membership_roles": 2})
	got := membershipOf(t, f.s, f.org.ID, "ada@example.com")
	if got.ID != m.ID || got.Status != models.StatusInvited || *got.InvitedByID != f.owner.User.ID || got.Department != "Ops" ||
		got.NameKey != "ada lovelace" || !slices.Equal(got.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) {
		t.Errorf("stored %+v", got)
	}
	if err := f.s.RevokeInvitations(ctx, m, models.StatusRevoked); err != nil {
		t.Fatal(err)
	}
	// A revoked membership invited again is the same row.
	m.Status, m.DepartmentID = models.StatusInvited, &sales.ID
	m.SetName("", "")
	if err := f.s.SaveInvitedMember(ctx, m, []models.Role{models.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	got = membershipOf(t, f.s, f.org.ID, "ada@example.com")
	if got.ID != m.ID || got.Status != models.StatusInvited || got.Department != "Sales" || got.NameKey != "ada@example.com" ||
		!slices.Equal(got.Roles, []models.Role{models.RoleAdmin}) {
		t.Errorf("invited again: %+v", got)
	}
	checkCounts(t, f.s, f.org.ID, "after invite, revoke, invite")
}

func TestMintInvitation(t *testing.T) {
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
		wantTableDelta(t, f.s, before, map[string]int64{"invitations": 1, "outbox_messages": 1})
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
		if !newest.ExpiresAt.Equal(f.clock.Now().Add(f.expiry)) || !bytes.Equal(newest.TokenHash, models.HashToken(latest)) ||
			newest.InvitedByID == nil || *newest.InvitedByID != f.owner.User.ID || newest.OrgID != f.org.ID {
			t.Errorf("new link %+v", newest)
		}
		msgs := messagesOf(t, f.s, "ada@example.com")
		if len(msgs) != 2 || msgs[1].InvitationID == nil || *msgs[1].InvitationID != newest.ID || msgs[1].Status != models.OutboxPending ||
			msgs[1].Channel != models.ChannelEmail || msgs[1].OrgID == nil || *msgs[1].OrgID != f.org.ID {
			t.Errorf("messages %+v, want a second one linked to invitation %d", msgs, newest.ID)
		}
		wantLinkError(t, "accept with a superseded link", acceptErr(f, first), models.LinkSuperseded)
		f.accept(t, latest, "Ada", "Lovelace")
	})

	t.Run("copy link sends nothing", func(t *testing.T) {
		f := newInviteFixture(t)
		f.invite(t, f.owner, viewer, "ada@example.com")
		ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
		before := tableCounts(t, f.s)
		f.reinvite(t, f.owner, ada.ID, false)
		wantTableDelta(t, f.s, before, map[string]int64{"invitations": 1})
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
}

func TestInvitesSentSince(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	viewer := []models.Role{models.RoleViewer}
	f.invite(t, f.owner, viewer, "a@example.com", "b@example.com")
	ada := membershipOf(t, f.s, f.org.ID, "a@example.com")
	f.reinvite(t, f.owner, ada.ID, false) // copied: no email, not counted
	f.reinvite(t, f.owner, ada.ID, true)
	f.invite(t, f.gus, viewer, "c@example.com")
	if n, err := f.s.InvitesSentSince(ctx, f.owner.User.ID, f.clock.Now().Add(-time.Hour)); err != nil || n != 3 {
		t.Errorf("Olive's emails = %d, %v; want 3", n, err)
	}
	if n, _ := f.s.InvitesSentSince(ctx, f.gus.User.ID, f.clock.Now().Add(-time.Hour)); n != 1 {
		t.Errorf("Gus's emails = %d, want 1", n)
	}
	if n, _ := f.s.InvitesSentSince(ctx, f.owner.User.ID, f.clock.Now()); n != 0 {
		t.Errorf("emails after now = %d, want 0", n)
	}
}

func TestRevokeInvitations(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	viewer := []models.Role{models.RoleViewer}
	first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
	f.invite(t, f.owner, viewer, "bob@example.com")
	ada := membershipOf(t, f.s, f.org.ID, "ada@example.com")
	second := f.reinvite(t, f.owner, ada.ID, true)
	f.clock.Advance(time.Minute)
	before := tableCounts(t, f.s)
	if err := f.s.RevokeInvitations(ctx, &ada, models.StatusRevoked); err != nil {
		t.Fatal(err)
	}
	wantTableDelta(t, f.s, before, nil)
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
	for _, raw := range []string{first, second} {
		wantLinkError(t, "accept a revoked link", acceptErr(f, raw), models.LinkRevoked)
	}
}

// acceptErr tries to accept raw and returns the error.
func acceptErr(f *inviteFixture, raw string) error {
	_, _, err := f.s.AcceptInvitation(context.Background(), raw, AcceptInput{FirstName: "X", LastName: "Y", PasswordHash: testHash()})
	return err
}

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("creates the account", func(t *testing.T) {
		f := newInviteFixture(t)
		raw := f.invite(t, f.owner, []models.Role{models.RoleEditor}, "ada@example.com")["ada@example.com"]
		f.clock.Advance(time.Hour)
		before := tableCounts(t, f.s)
		u, m, err := f.s.AcceptInvitation(ctx, raw, AcceptInput{FirstName: "Ada", LastName: "Lovelace", PasswordHash: testHash()})
		if err != nil {
			t.Fatal(err)
		}
		wantTableDelta(t, f.s, before, map[string]int64{"users": 1})
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
				_, _, err := f.s.AcceptInvitation(ctx, raw, AcceptInput{FirstName: fmt.Sprint("Ada", i), LastName: "L", PasswordHash: testHash()})
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
	raw := f.invite(t, f.owner, []models.Role{models.RoleViewer}, "ada@example.com")["ada@example.com"]
	m := membershipOf(t, f.s, f.org.ID, "ada@example.com")
	m.SetName("Ada", "")
	if err := f.s.SaveInvitedMember(ctx, &m, m.Roles); err != nil {
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
