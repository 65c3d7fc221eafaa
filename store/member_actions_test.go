package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gatehouse/models"
)

// teamFixture is Acme with Olive (Owner), Owen (a second Owner), Ada (Admin), Ed (Editor) and
// Vic (Viewer), all active and joined through invitations, plus Globex with its Owner Gus.
type teamFixture struct {
	*inviteFixture
	owen, ada, ed, vic *models.Current
}

func newTeamFixture(t *testing.T) *teamFixture {
	t.Helper()
	f := &teamFixture{inviteFixture: newInviteFixture(t)}
	f.owen = f.join(t, "owen@acme.test", models.RoleOwner)
	f.ada = f.join(t, "ada@acme.test", models.RoleAdmin)
	f.ed = f.join(t, "ed@acme.test", models.RoleEditor)
	f.vic = f.join(t, "vic@acme.test", models.RoleViewer)
	return f
}

func (f *teamFixture) member(t *testing.T, email string) models.Membership {
	t.Helper()
	return membershipOf(t, f.s, f.org.ID, email)
}

// The rules and audit of member actions are tested with the use cases (app/members_test.go);
// these tests check the store's reads and writes.

func TestMemberWrites(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	vic := f.member(t, "vic@acme.test")
	f.clock.Advance(time.Hour)
	before := tableCounts(t, f.s)
	if err := f.s.SetMemberRoles(ctx, &vic, []models.Role{models.RoleViewer, models.RoleEditor, models.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	ops := &models.Department{OrgID: f.org.ID, Name: "Ops"}
	if err := f.s.CreateDepartment(ctx, ops); err != nil {
		t.Fatal(err)
	}
	if err := f.s.UpdateMemberDetails(ctx, &vic, models.MemberDetailsRequest{Department: "Ops", DepartmentID: &ops.ID, Location: "Zürich"}); err != nil {
		t.Fatal(err)
	}
	wantTableDelta(t, f.s, before, map[string]int64{"membership_roles": 1})
	got := f.member(t, "vic@acme.test")
	if !slices.Equal(got.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) || got.Department != "Ops" || got.Location != "Zürich" ||
		got.Position != "" || !got.UpdatedAt.Equal(f.clock.Now()) {
		t.Errorf("stored %+v", got)
	}
	if n, err := f.s.CountActiveOwners(ctx, f.org.ID); err != nil || n != 2 {
		t.Errorf("CountActiveOwners = %d, %v; want 2", n, err)
	}
	owen := f.member(t, "owen@acme.test")
	if err := f.s.SetMemberStatus(ctx, &owen, models.StatusTerminated); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.s.CountActiveOwners(ctx, f.org.ID); n != 1 {
		t.Errorf("CountActiveOwners after terminating Owen = %d, want 1", n)
	}
	checkCounts(t, f.s, f.org.ID, "after terminating Owen")
}

func TestFindInviters(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	f.invite(t, f.owner, []models.Role{models.RoleAdmin}, "invited-admin@acme.test")
	f.join(t, "fired-admin@acme.test", models.RoleAdmin)
	fired := f.member(t, "fired-admin@acme.test")
	if err := f.s.SetMemberStatus(ctx, &fired, models.StatusTerminated); err != nil {
		t.Fatal(err)
	}
	f.join(t, "multi@acme.test", models.RoleEditor, models.RoleAdmin)
	mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: "pending-admin@acme.test", Status: models.StatusPending}, models.RoleAdmin)
	mustInsertMember(t, f.s, models.Membership{OrgID: f.other.ID, Email: "globex-admin@acme.test", Status: models.StatusActive}, models.RoleAdmin)

	got, err := f.s.FindInviters(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, m := range got {
		emails = append(emails, m.Email)
	}
	slices.Sort(emails)
	want := []string{"ada@acme.test", "multi@acme.test", "olive@acme.test", "owen@acme.test"}
	if !slices.Equal(emails, want) {
		t.Errorf("FindInviters = %v, want %v", emails, want)
	}

	// At most ten, in name order.
	for i := range 12 {
		mustInsertMember(t, f.s, models.Membership{OrgID: f.org.ID, Email: fmt.Sprintf("a%02d@acme.test", i), Status: models.StatusActive,
			FirstName: "Aaron", LastName: fmt.Sprintf("%02d", i)}, models.RoleAdmin)
	}
	got, err = f.s.FindInviters(ctx, f.org.ID)
	if err != nil || len(got) != 10 || got[0].Email != "a00@acme.test" || got[9].Email != "a09@acme.test" {
		t.Errorf("FindInviters with many admins = %d rows (first %v), %v", len(got), got[:min(1, len(got))], err)
	}
}

func TestFindMember(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	f.invite(t, f.gus, []models.Role{models.RoleViewer}, "globex@acme.test")
	ed := f.member(t, "ed@acme.test")
	got, err := f.s.FindMember(ctx, f.org.ID, ed.ID)
	if err != nil || got.Email != "ed@acme.test" || !slices.Equal(got.Roles, []models.Role{models.RoleEditor}) {
		t.Errorf("FindMember = %+v, %v", got, err)
	}
	for _, id := range []int64{membershipOf(t, f.s, f.other.ID, "globex@acme.test").ID, 999999} {
		if _, err := f.s.FindMember(ctx, f.org.ID, id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindMember(%d) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := f.s.FindMember(ctx, f.other.ID, ed.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Acme's member found through Globex: %v", err)
	}
}
