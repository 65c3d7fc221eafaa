package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gatehouse/models"
)

// membershipOf returns the user's membership in org with its roles.
func membershipOf(tb testing.TB, s *Store, orgID int64, email string) models.Membership {
	tb.Helper()
	var m models.Membership
	if err := s.r.Where("org_id = ? AND email = ?", orgID, email).Take(&m).Error; err != nil {
		tb.Fatalf("membership of %s in org %d: %v", email, orgID, err)
	}
	if err := fillDepartment(s.r, &m); err != nil {
		tb.Fatal(err)
	}
	roles, err := rolesOf(s.r, []int64{m.ID})
	if err != nil {
		tb.Fatal(err)
	}
	m.Roles = roles[m.ID]
	return m
}

func isActiveOwner(m models.Membership) bool {
	return m.Status == models.StatusActive && slices.Contains(m.Roles, models.RoleOwner)
}

func TestCreateOwner(t *testing.T) {
	ctx := context.Background()

	t.Run("empty database", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		res, err := s.CreateOwner(ctx, CreateOwnerInput{Email: "olive@acme.test", FirstName: "Olive", LastName: "Owner", PasswordHash: testHash()})
		if err != nil {
			t.Fatal(err)
		}
		if !res.CreatedOrg || !res.CreatedUser || res.Org.Name != "Gatehouse" || res.Org.InviteLifetimeHours != 72 {
			t.Errorf("result = %+v; want a new user and a new organization named Gatehouse", res)
		}
		if res.User.LastOrgID == nil || *res.User.LastOrgID != res.Org.ID || res.User.PasswordHash != testHash() {
			t.Errorf("user = %+v", res.User)
		}
		m := membershipOf(t, s, res.Org.ID, "olive@acme.test")
		if !isActiveOwner(m) || m.UserID == nil || *m.UserID != res.User.ID || m.NameKey != "olive owner" {
			t.Errorf("membership = %+v, want the user as active Owner", m)
		}
		if res.Membership.ID != m.ID {
			t.Errorf("result membership %d, want %d", res.Membership.ID, m.ID)
		}
		if c, _ := s.MemberCounts(ctx, res.Org.ID); c[models.StatusActive] != 1 {
			t.Errorf("active count = %d, want 1", c[models.StatusActive])
		}
	})

	t.Run("empty database with an organization name", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		res := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		if !res.CreatedOrg || res.Org.Name != "Acme" {
			t.Errorf("organization = %+v, created %v; want a new Acme", res.Org, res.CreatedOrg)
		}
	})

	t.Run("second owner joins the first organization", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		mustCreateOrg(t, s, "Globex")
		second := mustCreateOwner(t, s, "oscar@acme.test", "")
		if second.CreatedOrg || second.Org.ID != first.Org.ID || !second.CreatedUser {
			t.Errorf("second owner: %+v; want a new user in the first organization", second)
		}
		for _, email := range []string{"olive@acme.test", "oscar@acme.test"} {
			if m := membershipOf(t, s, first.Org.ID, email); !isActiveOwner(m) {
				t.Errorf("%s: %+v, want active Owner", email, m)
			}
		}
		if n := countRows(t, s, &models.Organization{}); n != 2 {
			t.Errorf("%d organizations, want 2", n)
		}
	})

	t.Run("named organization", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		mustCreateOwner(t, s, "olive@acme.test", "Acme")
		globex := mustCreateOrg(t, s, "Globex")
		res := mustCreateOwner(t, s, "gina@globex.test", "Globex")
		if res.Org.ID != globex.ID || res.CreatedOrg {
			t.Errorf("organization = %+v, created %v; want the existing Globex", res.Org, res.CreatedOrg)
		}
		if m := membershipOf(t, s, globex.ID, "gina@globex.test"); !isActiveOwner(m) {
			t.Errorf("membership = %+v, want active Owner", m)
		}
	})

	t.Run("unknown organization is created", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		res, err := s.CreateOwner(ctx, CreateOwnerInput{Email: "new@acme.test", PasswordHash: testHash(), OrgName: "Initech"})
		if err != nil || !res.CreatedOrg || res.Org.Name != "Initech" || res.Org.ID == first.Org.ID || !res.CreatedUser {
			t.Fatalf("CreateOwner(--org Initech) = %+v, %v, want a new Initech", res, err)
		}
		if n := countRows(t, s, &models.Organization{}); n != 2 {
			t.Errorf("%d organizations, want 2", n)
		}
		// The same name again: the existing one.
		again, err := s.CreateOwner(ctx, CreateOwnerInput{Email: "olive@acme.test", OrgName: "Initech"})
		if err != nil || again.CreatedOrg || again.Org.ID != res.Org.ID {
			t.Errorf("CreateOwner(--org Initech) again = %+v, %v", again, err)
		}
	})

	t.Run("terminated member becomes an active owner again", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		old := models.User{Email: "tom@acme.test", FirstName: "Tom", LastName: "Gone", PasswordHash: "$argon2id$the-original-hash"}
		if err := s.w.Create(&old).Error; err != nil {
			t.Fatal(err)
		}
		m := mustInsertMember(t, s, models.Membership{OrgID: first.Org.ID, UserID: &old.ID, Email: old.Email, Status: models.StatusTerminated,
			FirstName: "Tom", LastName: "Gone"}, models.RoleViewer)

		res, err := s.CreateOwner(ctx, CreateOwnerInput{Email: old.Email, PasswordHash: "$argon2id$a-new-hash", OrgName: ""})
		if err != nil {
			t.Fatal(err)
		}
		if res.CreatedUser || res.CreatedOrg || res.User.ID != old.ID {
			t.Errorf("result = %+v; want the existing account", res)
		}
		u, err := s.FindUserByEmail(ctx, old.Email)
		if err != nil || u.PasswordHash != "$argon2id$the-original-hash" {
			t.Errorf("password hash after CreateOwner = %q (err %v), want it unchanged", u.PasswordHash, err)
		}
		got := membershipOf(t, s, first.Org.ID, old.Email)
		if got.ID != m.ID || !isActiveOwner(got) || !slices.Contains(got.Roles, models.RoleViewer) {
			t.Errorf("membership = %+v; want the same membership, active, Owner, keeping Viewer", got)
		}
		c, _ := s.MemberCounts(ctx, first.Org.ID)
		if c[models.StatusActive] != 2 || c[models.StatusTerminated] != 0 {
			t.Errorf("counts = %v, want 2 active and 0 terminated", c)
		}
	})

	t.Run("invited email gets an account and keeps its membership", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		inv := mustInsertMember(t, s, models.Membership{OrgID: first.Org.ID, Email: "ivy@acme.test", Status: models.StatusInvited})
		res := mustCreateOwner(t, s, "ivy@acme.test", "")
		got := membershipOf(t, s, first.Org.ID, "ivy@acme.test")
		if got.ID != inv.ID || !isActiveOwner(got) || got.UserID == nil || *got.UserID != res.User.ID {
			t.Errorf("membership = %+v; want the invited membership linked to the new user as active Owner", got)
		}
	})

	t.Run("already an owner", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		again := mustCreateOwner(t, s, "olive@acme.test", "")
		if again.CreatedUser || again.User.ID != first.User.ID {
			t.Errorf("second CreateOwner for the same email = %+v", again)
		}
		if m := membershipOf(t, s, first.Org.ID, "olive@acme.test"); !slices.Equal(m.Roles, []models.Role{models.RoleOwner}) {
			t.Errorf("roles = %v, want [owner]", m.Roles)
		}
		if n := countRows(t, s, &models.Membership{}); n != 1 {
			t.Errorf("%d memberships, want 1", n)
		}
	})
}

func TestFindUserByEmail(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Errorf("CountUsers on an empty database = %d, %v", n, err)
	}
	res := mustCreateOwner(t, s, "olive@acme.test", "")
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v; want 1", n, err)
	}
	u, err := s.FindUserByEmail(ctx, "olive@acme.test")
	if err != nil || u.ID != res.User.ID {
		t.Errorf("FindUserByEmail = %+v, %v", u, err)
	}
	for _, email := range []string{"nobody@acme.test", "", "olive@acme"} {
		if _, err := s.FindUserByEmail(ctx, email); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindUserByEmail(%q) = %v, want ErrNotFound", email, err)
		}
	}
}
