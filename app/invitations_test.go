package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

// withQuota is the use cases with a daily quota of n invitation emails.
func (f *team) withQuota(n int) *app.Service {
	base, _ := url.Parse("http://gatehouse.test")
	return app.New(f.st, app.Config{BaseURL: base, InviteQuota: n}, f.clock, nil)
}

func newAcme(t *testing.T) *team {
	t.Helper()
	f := &team{fixture: newFixture(t)}
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	f.org, f.owner = res.Org, storetest.Current(res)
	return f
}

func TestInvite(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("new emails", func(t *testing.T) {
		f := newAcme(t)
		f.department(t, "Ops")
		before := f.state(t)
		req := models.InviteRequest{FirstName: "Ada", LastName: "Lovelace", Emails: "ada@example.com, BOB@example.com",
			Department: " ops ", Position: "Engineer", Roles: []models.Role{models.RoleViewer, models.RoleEditor}}
		out, err := f.app.Invite(ctx, f.owner, req, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.InviteOutcome{{Email: "ada@example.com", Result: models.InviteSent}, {Email: "bob@example.com", Result: models.InviteSent}}
		if !slices.Equal(out, want) {
			t.Errorf("outcomes = %+v, want %+v", out, want)
		}
		after := f.state(t)
		if after.members[models.StatusInvited] != 2 || after.outbox-before.outbox != 2 || after.audit-before.audit != 2 || len(after.links) != 2 {
			t.Errorf("after inviting two: %+v", after)
		}
		for _, email := range []string{"ada@example.com", "bob@example.com"} {
			m := f.member(t, email)
			if m.Status != models.StatusInvited || m.UserID != nil || m.InvitedByID == nil || *m.InvitedByID != f.owner.User.ID {
				t.Errorf("%s: status %s, user %v, invited by %v; want invited by Olive, no account", email, m.Status, m.UserID, m.InvitedByID)
			}
			if !slices.Equal(m.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) || m.Department != "Ops" || m.Position != "Engineer" {
				t.Errorf("%s: roles %v, department %q, position %q", email, m.Roles, m.Department, m.Position)
			}
			// Names belong to one person: with two invited, nobody gets them.
			if m.FirstName != "" || m.LastName != "" || m.NameKey != email {
				t.Errorf("%s: name %q %q (key %q), want none when several are invited", email, m.FirstName, m.LastName, m.NameKey)
			}
			raw := f.lastLink(t, email)
			info, err := f.st.FindInvitation(ctx, raw)
			if err != nil || info.State != models.LinkLive || info.Invitation.OrgID != f.org.ID ||
				!info.Invitation.ExpiresAt.Equal(f.clock.Now().Add(72*time.Hour)) || *info.Invitation.InvitedByID != f.owner.User.ID {
				t.Errorf("%s: link %+v, %v; want live for 72 hours", email, info, err)
			}
			msgs := f.messagesOf(t, email)
			if len(msgs) != 1 || msgs[0].InvitationID == nil || *msgs[0].InvitationID != info.Invitation.ID ||
				msgs[0].Channel != models.ChannelEmail || msgs[0].Status != models.OutboxPending || !strings.Contains(msgs[0].Subject, "Acme") ||
				!strings.Contains(msgs[0].TextBody, "http://gatehouse.test/invite/"+raw) || !strings.HasPrefix(msgs[0].TextBody, "Hello,") {
				t.Errorf("%s: messages %+v", email, msgs)
			}
			evs := f.auditOf(t, models.ActionInvited, m.ID)
			if len(evs) != 1 || *evs[0].ActorUserID != f.owner.User.ID || evs[0].TargetEmail != email ||
				evs[0].Detail != "roles Editor, Viewer" || evs[0].IP != testMeta.IP {
				t.Errorf("%s: audit %+v", email, evs)
			}
		}
	})

	t.Run("names used for one person", func(t *testing.T) {
		f := newAcme(t)
		req := models.InviteRequest{FirstName: "Ada", LastName: "Lovelace", Emails: "ada@example.com", Roles: viewer}
		if _, err := f.app.Invite(ctx, f.owner, req, testMeta); err != nil {
			t.Fatal(err)
		}
		m := f.member(t, "ada@example.com")
		if m.FirstName != "Ada" || m.LastName != "Lovelace" || m.NameKey != "ada lovelace" || m.LastNameKey != "lovelace" {
			t.Errorf("name %q %q keys %q %q, want Ada Lovelace", m.FirstName, m.LastName, m.NameKey, m.LastNameKey)
		}
		if body := f.messagesOf(t, "ada@example.com")[0].TextBody; !strings.HasPrefix(body, "Hello Ada,") {
			t.Errorf("the email greets %q", strings.SplitN(body, "\n", 2)[0])
		}
	})

	t.Run("existing memberships are not touched", func(t *testing.T) {
		f := newAcme(t)
		f.department(t, "Changed")
		oldToken := f.invite(t, f.owner, viewer, "invited@example.com")["invited@example.com"]
		for _, st := range []models.Status{models.StatusPending, models.StatusRejected, models.StatusTerminated} {
			f.insert(t, string(st)+"@example.com", st, models.RoleEditor)
		}
		f.clock.Advance(time.Minute)
		before := f.state(t)
		wantStatus := map[string]models.Status{
			"olive@acme.test":        models.StatusActive,
			"invited@example.com":    models.StatusInvited,
			"pending@example.com":    models.StatusPending,
			"rejected@example.com":   models.StatusRejected,
			"terminated@example.com": models.StatusTerminated,
		}
		emails := []string{"olive@acme.test", "invited@example.com", "pending@example.com", "rejected@example.com", "terminated@example.com", "new@example.com"}
		out, err := f.app.Invite(ctx, f.owner, models.InviteRequest{Emails: strings.Join(emails, "\n"), Department: "Changed",
			Roles: []models.Role{models.RoleAdmin}}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(emails) {
			t.Fatalf("%d outcomes for %d people", len(out), len(emails))
		}
		for i, o := range out {
			if o.Email != emails[i] {
				t.Errorf("outcome %d is for %s, want %s (input order)", i, o.Email, emails[i])
			}
			if o.Email == "new@example.com" {
				if o.Result != models.InviteSent || o.Existing != nil {
					t.Errorf("new@: %+v, want sent", o)
				}
				continue
			}
			if o.Result != models.InviteExists || o.Existing == nil || o.Existing.Status != wantStatus[o.Email] {
				t.Errorf("%s: %+v, want exists with status %s", o.Email, o, wantStatus[o.Email])
				continue
			}
			m := f.member(t, o.Email)
			if o.Existing.ID != m.ID || m.Status != wantStatus[o.Email] || m.Department == "Changed" || slices.Contains(m.Roles, models.RoleAdmin) {
				t.Errorf("%s was changed: %+v", o.Email, m)
			}
		}
		// Only new@ was written: one membership, one link, one email, one event.
		after := f.state(t)
		if after.members[models.StatusInvited] != before.members[models.StatusInvited]+1 || after.outbox != before.outbox+1 || after.audit != before.audit+1 {
			t.Errorf("after: %+v, before %+v", after, before)
		}
		if info, _ := f.st.FindInvitation(ctx, oldToken); info.State != models.LinkLive {
			t.Errorf("the existing invitation's link is %s, want still live", info.State)
		}
	})

	t.Run("revoked membership is invited again", func(t *testing.T) {
		f := newAcme(t)
		oldToken := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		old := f.member(t, "ada@example.com")
		if _, err := f.app.RevokeInvitation(ctx, f.owner, old.ID, testMeta); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		raw := f.invite(t, f.owner, []models.Role{models.RoleEditor}, "ada@example.com")["ada@example.com"]
		m := f.member(t, "ada@example.com")
		if m.ID != old.ID || m.Status != models.StatusInvited || !slices.Equal(m.Roles, []models.Role{models.RoleEditor}) {
			t.Errorf("membership %d %s %v, want the same membership %d invited as Editor", m.ID, m.Status, m.Roles, old.ID)
		}
		if info, _ := f.st.FindInvitation(ctx, oldToken); info.State != models.LinkRevoked {
			t.Errorf("old link is %s, want revoked", info.State)
		}
		if n := len(f.messagesOf(t, "ada@example.com")); n != 2 {
			t.Errorf("%d messages to ada, want 2", n)
		}
		if _, _, err := f.app.AcceptInvitation(ctx, raw, signup("Ada", "Lovelace"), testMeta); err != nil {
			t.Error(err)
		}
	})

	t.Run("refusals write nothing", func(t *testing.T) {
		f := newTeam(t)
		tests := []struct {
			name   string
			actor  *models.Current
			roles  []models.Role
			forbid bool   // plain ErrForbidden
			msg    string // a RuleError with this message
			field  string // or this field refused
		}{
			{"editor", f.ed, viewer, true, "", ""},
			{"viewer", f.vic, viewer, true, "", ""},
			{"nil actor", nil, viewer, true, "", ""},
			{"admin grants owner", f.ada, []models.Role{models.RoleOwner}, false, "Only an Owner can grant the Owner role.", ""},
			{"admin grants viewer and owner", f.ada, []models.Role{models.RoleViewer, models.RoleOwner}, false, "Only an Owner can grant the Owner role.", ""},
			{"no role", f.owner, nil, false, "", "roles"},
			{"unknown role", f.owner, []models.Role{"root"}, false, "", "roles"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.state(t)
				out, err := f.app.Invite(ctx, tt.actor, models.InviteRequest{Emails: "new@example.com", Roles: tt.roles}, testMeta)
				var fe models.FieldErrors
				switch {
				case out != nil:
					t.Errorf("Invite = %+v, want nothing", out)
				case tt.field != "" && (!errors.As(err, &fe) || fe[tt.field] == ""):
					t.Errorf("Invite = %v, want %s refused", err, tt.field)
				case tt.field == "" && (!errors.Is(err, models.ErrForbidden) || models.RefusalMessage(err) != tt.msg):
					t.Errorf("Invite = %v, want ErrForbidden %q", err, tt.msg)
				}
				f.unchanged(t, before, tt.name)
			})
		}
	})

	t.Run("admin invites", func(t *testing.T) {
		f := newTeam(t)
		f.invite(t, f.ada, []models.Role{models.RoleAdmin}, "second-admin@example.com")
		if m := f.member(t, "second-admin@example.com"); *m.InvitedByID != f.ada.User.ID {
			t.Errorf("invited by %d, want the admin %d", *m.InvitedByID, f.ada.User.ID)
		}
	})
}

func TestInviteQuota(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}
	people := func(prefix string, n int) string {
		var ps []string
		for i := range n {
			ps = append(ps, fmt.Sprintf("%s%d@example.com", prefix, i))
		}
		return strings.Join(ps, ", ")
	}
	results := func(out []models.InviteOutcome) map[models.InviteResult]int {
		m := map[models.InviteResult]int{}
		for _, o := range out {
			m[o.Result]++
		}
		return m
	}
	invite := func(svc *app.Service, actor *models.Current, emails string) []models.InviteOutcome {
		t.Helper()
		out, err := svc.Invite(ctx, actor, models.InviteRequest{Emails: emails, Roles: viewer}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	t.Run("over quota in one submission", func(t *testing.T) {
		f := newAcme(t)
		before := f.state(t)
		for i, o := range invite(f.withQuota(3), f.owner, people("a", 5)) {
			want := models.InviteSent
			if i >= 3 {
				want = models.InviteOverQuota
			}
			if o.Result != want {
				t.Errorf("%s: %s, want %s", o.Email, o.Result, want)
			}
		}
		after := f.state(t)
		if after.members[models.StatusInvited] != 3 || after.outbox != before.outbox+3 || after.audit != before.audit+3 {
			t.Errorf("after: %+v", after)
		}
		for _, e := range []string{"a3@example.com", "a4@example.com"} {
			if _, err := f.st.FindMemberByEmail(ctx, f.org.ID, e); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("over-quota %s got a membership (%v)", e, err)
			}
		}
	})

	t.Run("existing memberships do not use quota", func(t *testing.T) {
		f := newAcme(t)
		if got := results(invite(f.withQuota(2), f.owner, "olive@acme.test, "+people("a", 2))); got[models.InviteSent] != 2 || got[models.InviteExists] != 1 {
			t.Errorf("results %v, want 2 sent and 1 exists", got)
		}
	})

	t.Run("the last 24 hours only", func(t *testing.T) {
		f := newAcme(t)
		svc := f.withQuota(3)
		if out := invite(svc, f.owner, people("a", 3)); results(out)[models.InviteSent] != 3 {
			t.Fatalf("first day: %+v", out)
		}
		f.clock.Advance(24*time.Hour - time.Second)
		if out := invite(svc, f.owner, people("b", 1)); results(out)[models.InviteOverQuota] != 1 {
			t.Errorf("a second before a day has passed: %+v; want over quota", out)
		}
		f.clock.Advance(time.Second)
		if out := invite(svc, f.owner, people("c", 4)); results(out)[models.InviteSent] != 3 || results(out)[models.InviteOverQuota] != 1 {
			t.Errorf("a day later: %+v; want 3 sent, 1 over quota", out)
		}
	})

	t.Run("per inviter", func(t *testing.T) {
		f := newAcme(t)
		admin := f.join(t, "admin@acme.test", models.RoleAdmin)
		svc := f.withQuota(1000) // the per-IP quota, far away
		f.owner.Org.InviteQuota, admin.Org.InviteQuota = 3, 3
		// Olive has sent one email, admin@'s invitation: two more fill a quota of 3.
		if out := invite(svc, f.owner, people("a", 3)); results(out)[models.InviteSent] != 2 {
			t.Fatalf("owner: %+v", out)
		}
		if out := invite(svc, admin, people("b", 4)); results(out)[models.InviteSent] != 3 {
			t.Errorf("admin: %+v; want its own quota", out)
		}
		// 0 is no limit.
		f.owner.Org.InviteQuota = 0
		if out := invite(svc, f.owner, people("c", 5)); results(out)[models.InviteSent] != 5 {
			t.Errorf("unlimited: %+v", out)
		}
	})

	t.Run("per IP, across inviters", func(t *testing.T) {
		f := newAcme(t)
		admin := f.join(t, "admin@acme.test", models.RoleAdmin) // one email from testMeta's address
		svc := f.withQuota(4)
		if out := invite(svc, f.owner, people("a", 2)); results(out)[models.InviteSent] != 2 {
			t.Fatalf("owner: %+v", out)
		}
		if out := invite(svc, admin, people("b", 3)); results(out)[models.InviteSent] != 1 || results(out)[models.InviteOverQuota] != 2 {
			t.Errorf("admin from the same address: %+v; want 1 sent, 2 over quota", out)
		}
		other := models.Meta{IP: "192.0.2.99"}
		out, err := svc.Invite(ctx, admin, models.InviteRequest{Emails: people("c", 2), Roles: viewer}, other)
		if err != nil || results(out)[models.InviteSent] != 2 {
			t.Errorf("admin from another address: %+v, %v", out, err)
		}
	})

	t.Run("copied links do not count", func(t *testing.T) {
		f := newAcme(t)
		svc := f.withQuota(3)
		f.invite(t, f.owner, viewer, "ada@example.com")
		ada := f.member(t, "ada@example.com")
		for range 5 {
			if _, err := svc.CopyInviteLink(ctx, f.owner, ada.ID, testMeta); err != nil {
				t.Fatal(err)
			}
		}
		// One email sent so far: two more fit a quota of 3.
		if out := invite(svc, f.owner, people("b", 3)); results(out)[models.InviteSent] != 2 || results(out)[models.InviteOverQuota] != 1 {
			t.Errorf("after copied links: %+v; want 2 sent, 1 over quota", out)
		}
		// Over quota, links can still be copied, and reinviting is refused.
		if _, err := svc.CopyInviteLink(ctx, f.owner, ada.ID, testMeta); err != nil {
			t.Errorf("copying a link over the quota: %v", err)
		}
		before := f.state(t)
		if _, err := svc.Reinvite(ctx, f.owner, ada.ID, testMeta); models.RefusalMessage(err) !=
			"You have reached today's limit of invitation emails. Try again tomorrow, or use Copy invite link." {
			t.Errorf("reinviting over the quota = %v", err)
		}
		f.unchanged(t, before, "a reinvite over the quota")
	})

	t.Run("reinvite emails count", func(t *testing.T) {
		f := newAcme(t)
		svc := f.withQuota(3)
		f.invite(t, f.owner, viewer, "ada@example.com")
		if _, err := svc.Reinvite(ctx, f.owner, f.member(t, "ada@example.com").ID, testMeta); err != nil {
			t.Fatal(err)
		}
		if out := invite(svc, f.owner, people("b", 2)); results(out)[models.InviteSent] != 1 || results(out)[models.InviteOverQuota] != 1 {
			t.Errorf("after a reinvite: %+v; want 1 sent, 1 over quota", out)
		}
	})

	// The quota is counted inside the use case's one transaction, so parallel submissions
	// cannot overshoot it.
	t.Run("race-safe", func(t *testing.T) {
		f := newAcme(t)
		svc := f.withQuota(5)
		var sent, over atomic.Int32
		var wg sync.WaitGroup
		for g := range 20 {
			wg.Go(func() {
				out, err := svc.Invite(ctx, f.owner, models.InviteRequest{Emails: people(fmt.Sprintf("g%d-", g), 1), Roles: viewer}, testMeta)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				r := results(out)
				sent.Add(int32(r[models.InviteSent]))
				over.Add(int32(r[models.InviteOverQuota]))
			})
		}
		wg.Wait()
		if sent.Load() != 5 || over.Load() != 15 {
			t.Errorf("sent %d, over quota %d; want 5 and 15", sent.Load(), over.Load())
		}
		if st := f.state(t); st.outbox != 5 || st.members[models.StatusInvited] != 5 {
			t.Errorf("%d messages and %d invited, want 5 and 5", st.outbox, st.members[models.StatusInvited])
		}
	})

	// One address invited many times at the same moment, by two people, becomes one membership
	// and one email; the other invitations find it there.
	t.Run("one address at once", func(t *testing.T) {
		f := newAcme(t)
		// Two inviters, from two addresses: no quota lock serializes them.
		owen := storetest.Current(storetest.CreateOwner(t, f.st, "owen@acme.test", "Acme"))
		var sent, exists atomic.Int32
		var wg sync.WaitGroup
		for g := range 10 {
			wg.Go(func() {
				actor, meta := f.owner, testMeta
				if g%2 == 1 {
					actor, meta = owen, models.Meta{IP: "198.51.100.77", UserAgent: "Firefox"}
				}
				out, err := f.app.Invite(ctx, actor, models.InviteRequest{Emails: "Ada@example.com", Roles: viewer}, meta)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				r := results(out)
				sent.Add(int32(r[models.InviteSent]))
				exists.Add(int32(r[models.InviteExists]))
			})
		}
		wg.Wait()
		if sent.Load() != 1 || exists.Load() != 9 {
			t.Errorf("sent %d, already there %d; want 1 and 9", sent.Load(), exists.Load())
		}
		if st := f.state(t); st.outbox != 1 || st.members[models.StatusInvited] != 1 {
			t.Errorf("%d messages and %d invited, want 1 and 1", st.outbox, st.members[models.StatusInvited])
		}
	})
}

func TestReinviteAndCopyLink(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("reinvite", func(t *testing.T) {
		f := newAcme(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		ada := f.member(t, "ada@example.com")
		f.clock.Advance(time.Hour)
		before := f.state(t)
		if _, err := f.app.Reinvite(ctx, f.owner, ada.ID, testMeta); err != nil {
			t.Fatal(err)
		}
		after := f.state(t)
		if after.outbox != before.outbox+1 || after.audit != before.audit+1 || after.links[ada.ID] == before.links[ada.ID] {
			t.Errorf("after reinvite %+v, before %+v", after, before)
		}
		latest := f.lastLink(t, "ada@example.com")
		if info, _ := f.st.FindInvitation(ctx, latest); info.State != models.LinkLive || !info.Invitation.ExpiresAt.Equal(f.clock.Now().Add(72*time.Hour)) {
			t.Errorf("new link %+v", info)
		}
		if info, _ := f.st.FindInvitation(ctx, first); info.State != models.LinkSuperseded {
			t.Errorf("first link %s, want superseded", info.State)
		}
		if evs := f.auditOf(t, models.ActionReinvited, ada.ID); len(evs) != 1 || evs[0].ActorEmail != "olive@acme.test" {
			t.Errorf("reinvited events %+v, want one by Olive", evs)
		}
	})

	t.Run("copy link sends nothing and returns the link", func(t *testing.T) {
		f := newAcme(t)
		first := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		ada := f.member(t, "ada@example.com")
		before := f.state(t)
		link, err := f.app.CopyInviteLink(ctx, f.owner, ada.ID, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		after := f.state(t)
		if after.outbox != before.outbox || after.audit != before.audit+1 {
			t.Errorf("copying a link: %+v, before %+v", after, before)
		}
		raw, ok := strings.CutPrefix(link, "http://gatehouse.test/invite/")
		if info, err := f.st.FindInvitation(ctx, raw); !ok || err != nil || info.State != models.LinkLive || info.Membership.ID != ada.ID {
			t.Errorf("copied link %q: %+v, %v", link, info, err)
		}
		if info, _ := f.st.FindInvitation(ctx, first); info.State != models.LinkSuperseded {
			t.Errorf("first link %s, want superseded", info.State)
		}
		if evs := f.auditOf(t, models.ActionLinkCopied, ada.ID); len(evs) != 1 {
			t.Errorf("%d link-copied events, want 1", len(evs))
		}
		if evs := f.auditOf(t, models.ActionReinvited, ada.ID); len(evs) != 0 {
			t.Errorf("copying a link wrote %d reinvited events", len(evs))
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f := newTeam(t)
		f.invite(t, f.owner, viewer, "new@example.com")
		f.invite(t, f.owner, []models.Role{models.RoleOwner}, "owner2@example.com")
		invited, invitedOwner, active := f.member(t, "new@example.com"), f.member(t, "owner2@example.com"), f.member(t, "ed@acme.test")
		tests := []struct {
			name  string
			actor *models.Current
			id    int64
			want  error
			msg   string
		}{
			{"active member", f.owner, active.ID, models.ErrTransition, ""},
			{"unknown id", f.owner, 999999, models.ErrNotFound, ""},
			{"editor", f.ed, invited.ID, models.ErrForbidden, ""},
			{"admin on an invited owner", f.ada, invitedOwner.ID, models.ErrForbidden, "Only an Owner can change an Owner's membership."},
		}
		for _, tt := range tests {
			for _, copyLink := range []bool{false, true} {
				before := f.state(t)
				var err error
				if copyLink {
					_, err = f.app.CopyInviteLink(ctx, tt.actor, tt.id, testMeta)
				} else {
					_, err = f.app.Reinvite(ctx, tt.actor, tt.id, testMeta)
				}
				if !errors.Is(err, tt.want) || models.RefusalMessage(err) != tt.msg {
					t.Errorf("%s (copy %v) = %v, want %v %q", tt.name, copyLink, err, tt.want, tt.msg)
				}
				f.unchanged(t, before, tt.name)
			}
		}
		// An Owner may reinvite an invited Owner.
		if _, err := f.app.Reinvite(ctx, f.owner, invitedOwner.ID, testMeta); err != nil {
			t.Error(err)
		}
	})
}

func TestRevokeInvitation(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}
	f := newTeam(t)
	first := f.invite(t, f.owner, viewer, "new@example.com")["new@example.com"]
	f.invite(t, f.owner, []models.Role{models.RoleOwner}, "owner2@example.com")
	m, invitedOwner := f.member(t, "new@example.com"), f.member(t, "owner2@example.com")

	for _, tt := range []struct {
		name  string
		actor *models.Current
		id    int64
		want  error
	}{
		{"admin on an invited owner", f.ada, invitedOwner.ID, models.ErrForbidden},
		{"editor", f.ed, m.ID, models.ErrForbidden},
		{"active member", f.owner, f.member(t, "ed@acme.test").ID, models.ErrTransition},
		{"unknown id", f.owner, 999999, models.ErrNotFound},
	} {
		before := f.state(t)
		if _, err := f.app.RevokeInvitation(ctx, tt.actor, tt.id, testMeta); !errors.Is(err, tt.want) {
			t.Errorf("%s: RevokeInvitation = %v, want %v", tt.name, err, tt.want)
		}
		f.unchanged(t, before, tt.name)
	}

	before := f.state(t)
	if _, err := f.app.RevokeInvitation(ctx, f.ada, m.ID, testMeta); err != nil {
		t.Fatalf("an Admin revoking an invited Viewer: %v", err)
	}
	if after := f.state(t); after.audit != before.audit+1 || after.members[models.StatusInvited] != before.members[models.StatusInvited]-1 {
		t.Errorf("after revoke %+v, before %+v", after, before)
	}
	if evs := f.auditOf(t, models.ActionRevoked, m.ID); len(evs) != 1 || evs[0].TargetEmail != "new@example.com" || evs[0].ActorEmail != "ada@acme.test" {
		t.Errorf("revoked events %+v", evs)
	}
	if _, _, err := f.app.AcceptInvitation(ctx, first, signup("New", "Person"), testMeta); !errors.Is(err, models.ErrGone) {
		t.Errorf("accepting a revoked link = %v, want gone", err)
	}
	if _, err := f.app.RevokeInvitation(ctx, f.owner, m.ID, testMeta); !errors.Is(err, models.ErrTransition) {
		t.Errorf("revoking twice = %v, want ErrTransition", err)
	}
	if _, err := f.app.CopyInviteLink(ctx, f.owner, m.ID, testMeta); !errors.Is(err, models.ErrTransition) {
		t.Errorf("copying a revoked member's link = %v, want ErrTransition", err)
	}
	if _, err := f.app.RevokeInvitation(ctx, f.owner, invitedOwner.ID, testMeta); err != nil {
		t.Errorf("an Owner revoking an invited Owner: %v", err)
	}
}
