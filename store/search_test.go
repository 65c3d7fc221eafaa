package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// wantPrefixes is what member_prefixes must hold for ms: each member's distinct first one to
// three characters of email, name key and last name key, with its org, status and name key.
func wantPrefixes(ms []models.Membership) []string {
	var out []string
	for _, m := range ms {
		seen := map[string]bool{}
		for _, key := range []string{m.Email, m.NameKey, m.LastNameKey} {
			r := []rune(key)
			for n := 1; n <= min(searchPrefixLen, len(r)); n++ {
				p := string(r[:n])
				if !seen[p] {
					seen[p] = true
					out = append(out, fmt.Sprintf("%d|%s|%s|%s|%d", m.OrgID, m.Status, p, m.NameKey, m.ID))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func gotPrefixes(t *testing.T, s *Store) []string {
	t.Helper()
	var rows []struct {
		OrgID        int64
		Status       string
		Prefix       string
		NameKey      string
		MembershipID int64
	}
	if err := s.r.Table("member_prefixes").Find(&rows).Error; err != nil {
		t.Fatalf("read member_prefixes: %v", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%d|%s|%s|%s|%d", r.OrgID, r.Status, r.Prefix, r.NameKey, r.MembershipID)
	}
	slices.Sort(out)
	return out
}

func reloadMembers(t *testing.T, s *Store) []models.Membership {
	t.Helper()
	var ms []models.Membership
	if err := s.r.Order("id").Find(&ms).Error; err != nil {
		t.Fatalf("read memberships: %v", err)
	}
	return ms
}

// TestMemberPrefixesInSync checks that the triggers keep the search table equal to what the
// memberships say, through every kind of write the app makes.
func TestMemberPrefixesInSync(t *testing.T) {
	s := MustOpenDB(t, nil)
	org := mustCreateOrg(t, s, "Acme")
	other := mustCreateOrg(t, s, "Globex")
	check := func(t *testing.T) {
		t.Helper()
		want, got := wantPrefixes(reloadMembers(t, s)), gotPrefixes(t, s)
		if !slices.Equal(got, want) {
			t.Fatalf("member_prefixes out of step:\n got %v\nwant %v", got, want)
		}
	}
	ada := mustInsertMember(t, s, models.Membership{OrgID: org.ID, Status: models.StatusInvited, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	mustInsertMember(t, s, models.Membership{OrgID: org.ID, Status: models.StatusActive, Email: "émile.zola@example.fr", FirstName: "Émile", LastName: "Zola"})
	nameless := mustInsertMember(t, s, models.Membership{OrgID: org.ID, Status: models.StatusInvited, Email: "x@example.com"})
	mustInsertMember(t, s, models.Membership{OrgID: other.ID, Status: models.StatusActive, Email: "ada@example.com", FirstName: "Ada", LastName: "King"})

	t.Run("insert", check)
	t.Run("status change", func(t *testing.T) {
		if err := s.w.Model(&ada).Update("status", models.StatusActive).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("rename", func(t *testing.T) {
		ada.SetName("Augusta Ada", "King")
		if err := s.w.Model(&ada).Select("first_name", "last_name", "name_key", "last_name_key").Updates(&ada).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("name given to a nameless member", func(t *testing.T) {
		nameless.SetName("Xavier", "")
		if err := s.w.Model(&nameless).Select("first_name", "last_name", "name_key", "last_name_key").Updates(&nameless).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("email change", func(t *testing.T) {
		if err := s.w.Model(&ada).Update("email", "countess@example.org").Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("other columns leave it alone", func(t *testing.T) {
		if err := s.w.Model(&ada).Updates(map[string]any{"position": "Maths", "last_login_at": s.now()}).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("delete", func(t *testing.T) {
		if err := s.w.Delete(&nameless).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("organization deleted", func(t *testing.T) {
		if err := s.w.Delete(&other).Error; err != nil {
			t.Fatal(err)
		}
		check(t)
		if n := len(gotPrefixes(t, s)); n == 0 {
			t.Fatal("every row went, want Acme's kept")
		}
	})
	t.Run("seed", func(t *testing.T) {
		if _, err := s.Seed(context.Background(), SeedOptions{Members: 300, Seed: 7, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
}

// TestMemberPrefixesMigration checks that upgrading a database fills the search table from the
// members it already has.
func TestMemberPrefixesMigration(t *testing.T) {
	path := testdb.Path(t, "old.db")
	before := slices.IndexFunc(sqliteMigrations, func(m migration) bool { return m.name == "member search prefixes" })
	if before < 0 {
		t.Fatal("no member search prefixes migration")
	}
	s, err := open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(context.Background(), s.d.migrations()[:before]); err != nil {
		t.Fatal(err)
	}
	org := mustCreateOrg(t, s, "Acme")
	for i, name := range []string{"Ada Lovelace", "Grace Hopper", "Émile Zola", ""} {
		first, last, _ := strings.Cut(name, " ")
		mustInsertMember(t, s, models.Membership{OrgID: org.ID, Status: models.StatusActive, Email: fmt.Sprintf("m%d@example.com", i), FirstName: first, LastName: last})
	}
	if err := s.migrate(context.Background(), s.d.migrations()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want, got := wantPrefixes(reloadMembers(t, s)), gotPrefixes(t, s); !slices.Equal(got, want) {
		t.Fatalf("after the migration:\n got %v\nwant %v", got, want)
	}
}

// TestFindMembersSearchEverySort checks search against the documented rule in every sort order
// and direction, paged, for terms shorter than, as long as and longer than the stored prefixes.
func TestFindMembersSearchEverySort(t *testing.T) {
	fx := newMemberFixture(t)
	terms := []string{"a", "Z", "ad", "él", "use", "van", "ada.", "user.0", "grace ho", "lee", "sam lee", "x", "zz", "q"}
	for _, term := range terms {
		var match []models.Membership
		for _, m := range fx.active {
			low := strings.ToLower(term)
			if strings.HasPrefix(m.Email, low) || strings.HasPrefix(m.NameKey, low) || strings.HasPrefix(m.LastNameKey, low) {
				match = append(match, m)
			}
		}
		for _, sort := range []models.SortKey{models.SortName, models.SortEmail, models.SortLastLogin, models.SortJoined} {
			for _, desc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/desc=%v", term, sort, desc), func(t *testing.T) {
					var got []int64
					for _, p := range walk(t, fx.s, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Query: term, Sort: sort, Desc: desc, Limit: 9}) {
						got = append(got, ids(p.Members)...)
					}
					if want := ids(sorted(match, sort, desc)); !slices.Equal(got, want) {
						t.Errorf("got %v, want %v", got, want)
					}
				})
			}
		}
	}
}

func TestMemberCursorAt(t *testing.T) {
	fx := newMemberFixture(t)
	want := sorted(fx.active, models.SortName, false)
	for _, skip := range []int{0, 1, 100, len(want) - 1} {
		c, err := fx.s.MemberCursorAt(context.Background(), fx.org.ID, models.StatusActive, models.SortName, skip)
		if err != nil {
			t.Fatal(err)
		}
		p, err := fx.s.FindMembers(context.Background(), fx.org.ID, models.MemberFilter{Status: models.StatusActive, Sort: models.SortName, Cursor: c, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Members) == 0 || p.Members[0].ID != want[skip].ID {
			t.Errorf("skip %d: page starts with %v, want member %d", skip, ids(p.Members), want[skip].ID)
		}
	}
}
