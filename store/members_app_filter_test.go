package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"gatehouse/models"
)

func mustCreateApp(tb testing.TB, s *Store, orgID int64, name string, roles ...models.Role) *models.App {
	tb.Helper()
	ctx := context.Background()
	a := &models.App{OrgID: orgID, Name: name, Enabled: true, URLs: []models.AppURL{{Host: fmt.Sprintf("%s.org%d.test", name, orgID)}}}
	if err := s.CreateApp(ctx, a); err != nil {
		tb.Fatal(err)
	}
	if err := s.SetAppRoles(ctx, a.ID, roles); err != nil {
		tb.Fatal(err)
	}
	return a
}

// The Users page's app filter lists the members given the app and those holding a role that
// carries it, pages by keyset like any list, and never lists another organization's members.
func TestFindMembersByApp(t *testing.T) {
	s := MustOpenDB(t, nil)
	ctx := context.Background()
	acme, globex := mustCreateOrg(t, s, "Acme"), mustCreateOrg(t, s, "Globex")
	ann := mustInsertMember(t, s, models.Membership{OrgID: acme.ID, Email: "ann@acme.test", Status: models.StatusActive, FirstName: "Ann"}, models.RoleViewer)
	mustInsertMember(t, s, models.Membership{OrgID: acme.ID, Email: "bob@acme.test", Status: models.StatusActive, FirstName: "Bob"}, models.RoleEditor)
	mustInsertMember(t, s, models.Membership{OrgID: acme.ID, Email: "cy@acme.test", Status: models.StatusActive, FirstName: "Cy"}, models.RoleViewer)
	dee := mustInsertMember(t, s, models.Membership{OrgID: acme.ID, Email: "dee@acme.test", Status: models.StatusInvited, FirstName: "Dee"}, models.RoleViewer)
	zed := mustInsertMember(t, s, models.Membership{OrgID: globex.ID, Email: "zed@globex.test", Status: models.StatusActive, FirstName: "Zed"}, models.RoleEditor)
	wiki := mustCreateApp(t, s, acme.ID, "wiki", models.RoleEditor)
	theirs := mustCreateApp(t, s, globex.ID, "wiki", models.RoleEditor)
	for _, m := range []models.Membership{ann, dee} {
		if err := s.SetMemberApps(ctx, m.ID, []int64{wiki.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetMemberApps(ctx, zed.ID, []int64{theirs.ID}); err != nil {
		t.Fatal(err)
	}
	emails := func(f models.MemberFilter, orgID int64) []string {
		t.Helper()
		var out []string
		for {
			page, err := s.FindMembers(ctx, orgID, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.Members {
				out = append(out, m.Email)
			}
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
	}
	active := models.MemberFilter{Status: models.StatusActive, AppID: wiki.ID, Limit: 1}
	if got := emails(active, acme.ID); !slices.Equal(got, []string{"ann@acme.test", "bob@acme.test"}) {
		t.Errorf("active with Wiki, a page of one at a time: %v, want Ann (given it) and Bob (Editor)", got)
	}
	if got := emails(models.MemberFilter{Status: models.StatusInvited, AppID: wiki.ID}, acme.ID); !slices.Equal(got, []string{"dee@acme.test"}) {
		t.Errorf("invited with Wiki: %v", got)
	}
	searched := models.MemberFilter{Status: models.StatusActive, AppID: wiki.ID, Query: "b"}
	if got := emails(searched, acme.ID); !slices.Equal(got, []string{"bob@acme.test"}) {
		t.Errorf("searched b with Wiki: %v", got)
	}
	searched.Sort = models.SortEmail
	if got := emails(searched, acme.ID); !slices.Equal(got, []string{"bob@acme.test"}) {
		t.Errorf("searched b with Wiki, by email: %v", got)
	}
	// An app no role carries, given to few, is read from its grants: the same answers.
	ci := mustCreateApp(t, s, acme.ID, "ci")
	if err := s.SetMemberApps(ctx, ann.ID, []int64{wiki.ID, ci.ID}); err != nil {
		t.Fatal(err)
	}
	if narrow, err := s.fewAppMembers(ctx, ci.ID); err != nil || !narrow {
		t.Fatalf("fewAppMembers(ci) = %v, %v; want true", narrow, err)
	}
	if narrow, _ := s.fewAppMembers(ctx, wiki.ID); narrow {
		t.Error("fewAppMembers(wiki), which the Editor role carries, = true")
	}
	for _, sort := range []models.SortKey{models.SortName, models.SortEmail} {
		f := models.MemberFilter{Status: models.StatusActive, AppID: ci.ID, Sort: sort, Limit: 1}
		if got := emails(f, acme.ID); !slices.Equal(got, []string{"ann@acme.test"}) {
			t.Errorf("active with CI by %s: %v, want Ann", sort, got)
		}
		f.Query = "ANN"
		if got := emails(f, acme.ID); !slices.Equal(got, []string{"ann@acme.test"}) {
			t.Errorf("searched ANN with CI by %s: %v", sort, got)
		}
		f.Query = "bo"
		if got := emails(f, acme.ID); len(got) != 0 {
			t.Errorf("searched bo with CI by %s: %v, want none", sort, got)
		}
	}
	// Another organization's app selects nobody, even where its grants and roles would match.
	if got := emails(models.MemberFilter{Status: models.StatusActive, AppID: theirs.ID}, acme.ID); len(got) != 0 {
		t.Errorf("Acme filtered by Globex's app: %v", got)
	}
	if err := s.SetAppRoles(ctx, theirs.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMemberApps(ctx, zed.ID, []int64{theirs.ID, wiki.ID}); err != nil { // a grant that should never exist
		t.Fatal(err)
	}
	if got := emails(models.MemberFilter{Status: models.StatusActive, AppID: theirs.ID}, acme.ID); len(got) != 0 {
		t.Errorf("Acme filtered by Globex's app, read from its grants: %v", got)
	}
}

// BenchmarkFindMembersByApp measures a Users page (50 rows) of 100,000 seeded members filtered
// by an app: one every Editor holds (about a third of members), and one given directly to one
// member in a thousand (the page fills only after walking far down the index).
func BenchmarkFindMembersByApp(b *testing.B) {
	s := MustOpenDB(b, nil)
	ctx := context.Background()
	res, err := s.Seed(ctx, SeedOptions{Members: 100_000, Seed: 11, PasswordHash: "x"})
	if err != nil {
		b.Fatal(err)
	}
	byRole := mustCreateApp(b, s, res.Org.ID, "wiki", models.RoleEditor)
	rare := mustCreateApp(b, s, res.Org.ID, "ci")
	var ids []int64
	if err := s.r.Model(&models.Membership{}).Where("org_id = ?", res.Org.ID).Order("id").Pluck("id", &ids).Error; err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(ids); i += 1000 {
		if err := s.SetMemberApps(ctx, ids[i], []int64{rare.ID}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		f    models.MemberFilter
	}{
		{"none", models.MemberFilter{Status: models.StatusActive, Limit: 50}},
		{"by-role", models.MemberFilter{Status: models.StatusActive, Limit: 50, AppID: byRole.ID}},
		{"rare-direct", models.MemberFilter{Status: models.StatusActive, Limit: 50, AppID: rare.ID}},
		{"rare-direct-search", models.MemberFilter{Status: models.StatusActive, Limit: 50, AppID: rare.ID, Query: "a"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := s.FindMembers(ctx, res.Org.ID, bc.f)
				if err != nil || len(page.Members) == 0 {
					b.Fatalf("%v, %d rows", err, len(page.Members))
				}
			}
		})
	}
}
