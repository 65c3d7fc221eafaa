package app_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

var testMeta = models.Meta{IP: "192.0.2.10", UserAgent: "members-test"}

// team is Acme with Olive (Owner), Owen (a second Owner), Ada (Admin), Ed (Editor) and Vic
// (Viewer), all active and joined through invitations and the use cases.
type team struct {
	*fixture
	org                       models.Organization
	owner, owen, ada, ed, vic *models.Current
}

func newTeam(t *testing.T) *team {
	t.Helper()
	return newTeamOn(t, newFixture(t))
}

// newTeamOn makes the team in fx's database.
func newTeamOn(t *testing.T, fx *fixture) *team {
	t.Helper()
	f := &team{fixture: fx}
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	f.org, f.owner = res.Org, storetest.Current(res)
	f.owen = f.join(t, "owen@acme.test", models.RoleOwner)
	f.ada = f.join(t, "ada@acme.test", models.RoleAdmin)
	f.ed = f.join(t, "ed@acme.test", models.RoleEditor)
	f.vic = f.join(t, "vic@acme.test", models.RoleViewer)
	return f
}

var linkRE = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`)

// invite has actor invite emails with roles through Invite; every one must be sent. It
// returns the raw tokens by email, read from the links in the emails.
func (f *team) invite(t *testing.T, actor *models.Current, roles []models.Role, emails ...string) map[string]string {
	t.Helper()
	tokens := map[string]string{}
	for _, e := range emails {
		out, err := f.app.Invite(context.Background(), actor, models.InviteRequest{Emails: e, Roles: roles}, testMeta)
		if err != nil || len(out) != 1 || out[0].Result != models.InviteSent {
			t.Fatalf("Invite(%s) = %+v, %v; want sent", e, out, err)
		}
		tokens[e] = f.lastLink(t, e)
	}
	return tokens
}

// lastLink is the raw token in the newest email to email.
func (f *team) lastLink(t *testing.T, email string) string {
	t.Helper()
	msgs := f.messagesOf(t, email)
	if len(msgs) == 0 {
		t.Fatalf("no email to %s", email)
	}
	m := linkRE.FindStringSubmatch(msgs[len(msgs)-1].TextBody)
	if m == nil {
		t.Fatalf("no link in the email to %s", email)
	}
	return m[1]
}

// join makes email an active member of Acme with roles, invited by Olive, and returns them as an actor.
func (f *team) join(t *testing.T, email string, roles ...models.Role) *models.Current {
	t.Helper()
	raw := f.invite(t, f.owner, roles, email)[email]
	if _, _, err := f.app.AcceptInvitation(context.Background(), raw, signup("First", email), testMeta); err != nil {
		t.Fatalf("AcceptInvitation(%s): %v", email, err)
	}
	return f.current(t, email)
}

func signup(first, last string) models.SignupRequest {
	return models.SignupRequest{FirstName: first, LastName: last, Password: storetest.Password, Confirm: storetest.Password}
}

// current is the member with that email acting in Acme, with the permissions of their roles.
func (f *team) current(t *testing.T, email string) *models.Current {
	t.Helper()
	ctx := context.Background()
	m := f.member(t, email)
	u, err := f.st.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.st.FindOrganization(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &models.Current{User: *u, Org: *org, Membership: m, Permissions: models.PermissionsOf(m.Roles)}
}

// withPermissions is cur acting with the permissions of roles, as a session loaded just before
// a role change would (DESIGN.md: role changes apply on the next request).
func withPermissions(cur *models.Current, roles ...models.Role) *models.Current {
	c := *cur
	c.Permissions = models.PermissionsOf(roles)
	return &c
}

func (f *team) member(t *testing.T, email string) models.Membership {
	t.Helper()
	m, err := f.st.FindMemberByEmail(context.Background(), f.org.ID, email)
	if err != nil {
		t.Fatalf("member %s: %v", email, err)
	}
	return *m
}

// insert adds a membership in any status (a pending request, a rejected one) through the store.
func (f *team) insert(t *testing.T, email string, st models.Status, roles ...models.Role) models.Membership {
	t.Helper()
	m := &models.Membership{OrgID: f.org.ID, Email: email, Status: st}
	m.SetName("", "")
	if err := f.st.SaveInvitedMember(context.Background(), m, roles); err != nil {
		t.Fatal(err)
	}
	return *m
}

func (f *team) messagesOf(t *testing.T, recipient string) []models.OutboxMessage {
	t.Helper()
	msgs, err := f.st.FindOutbox(context.Background(), f.org.ID, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		t.Fatal(err)
	}
	var out []models.OutboxMessage
	for _, m := range msgs {
		if m.Recipient == recipient {
			out = append(out, m)
		}
	}
	slices.Reverse(out) // oldest first
	return out
}

// auditOf returns Acme's events with that action about one membership, oldest first.
func (f *team) auditOf(t *testing.T, action models.Action, membershipID int64) []models.AuditEvent {
	t.Helper()
	var out []models.AuditEvent
	for _, ev := range storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: action, Limit: models.MaxAuditPage}) {
		if ev.TargetMembershipID != nil && *ev.TargetMembershipID == membershipID {
			out = append(out, ev)
		}
	}
	slices.Reverse(out)
	return out
}

// state is what a use case can change, read through the store: accounts, members by status,
// roles, latest links, emails and audit events.
type state struct {
	users, outbox, audit int
	members              map[models.Status]int64
	roles                map[int64]string
	links                map[int64]int64
}

func (f *team) state(t *testing.T) state {
	t.Helper()
	ctx := context.Background()
	users, err := f.st.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := f.st.MemberCounts(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	st := state{users: int(users), members: counts, roles: map[int64]string{}, links: map[int64]int64{},
		outbox: len(f.messagesOfAll(t)), audit: len(storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Limit: models.MaxAuditPage}))}
	var ids []int64
	for _, s := range []models.Status{models.StatusActive, models.StatusInvited, models.StatusPending, models.StatusRejected, models.StatusTerminated} {
		page, err := f.st.FindMembers(ctx, f.org.ID, models.MemberFilter{Status: s, Limit: store.MaxMemberPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Members {
			st.roles[m.ID] = string(m.Status) + " " + models.RoleLabels(m.Roles)
			ids = append(ids, m.ID)
		}
	}
	invs, err := f.st.LatestInvitations(ctx, f.org.ID, ids)
	if err != nil {
		t.Fatal(err)
	}
	for mid, inv := range invs {
		st.links[mid] = inv.ID
	}
	return st
}

func (f *team) messagesOfAll(t *testing.T) []models.OutboxMessage {
	msgs, err := f.st.FindOutbox(context.Background(), f.org.ID, models.OutboxFilter{Limit: models.MaxOutboxPage})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// unchanged fails the test when anything a use case writes differs from before.
func (f *team) unchanged(t *testing.T, before state, what string) {
	t.Helper()
	after := f.state(t)
	if after.users != before.users || after.outbox != before.outbox || after.audit != before.audit ||
		!mapsEqual(after.members, before.members) || !mapsEqual(after.roles, before.roles) || !mapsEqual(after.links, before.links) {
		t.Errorf("%s changed something:\n%+v\nwas\n%+v", what, after, before)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// department creates a department of the team's organization (as its Owner) and returns it.
func (f *team) department(t testing.TB, name string) *models.Department {
	t.Helper()
	d, err := f.app.CreateDepartment(context.Background(), f.owner, models.DepartmentRequest{Name: name}, testMeta)
	if err != nil {
		t.Fatalf("CreateDepartment(%q): %v", name, err)
	}
	return d
}
