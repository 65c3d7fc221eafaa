package store

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/models"
)

var allStatuses = []models.Status{models.StatusInvited, models.StatusPending, models.StatusRejected,
	models.StatusActive, models.StatusTerminated, models.StatusRevoked}

// checkCounts compares MemberCounts with a real COUNT(*) of the memberships table, for every status.
func checkCounts(t *testing.T, s *Store, orgID int64, step string) map[models.Status]int64 {
	t.Helper()
	got, err := s.MemberCounts(context.Background(), orgID)
	if err != nil {
		t.Fatalf("%s: MemberCounts: %v", step, err)
	}
	for _, st := range allStatuses {
		var n int64
		if err := s.r.Model(&models.Membership{}).Where("org_id = ? AND status = ?", orgID, st).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if got[st] != n {
			t.Errorf("%s: org %d %s count = %d, table holds %d", step, orgID, st, got[st], n)
		}
	}
	return got
}

func TestMemberCounts(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	a, b := mustCreateOrg(t, s, "Acme"), mustCreateOrg(t, s, "Globex")

	t.Run("empty organization", func(t *testing.T) {
		got, err := s.MemberCounts(ctx, a.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("MemberCounts of an empty org = %v, %v", got, err)
		}
		if got, err := s.MemberCounts(ctx, 9999); err != nil || len(got) != 0 {
			t.Errorf("MemberCounts of an unknown org = %v, %v", got, err)
		}
	})

	t.Run("explicit steps", func(t *testing.T) {
		var ms []models.Membership
		for i := range 3 {
			ms = append(ms, mustInsertMember(t, s, models.Membership{OrgID: a.ID, Email: fmt.Sprintf("a%d@x.test", i), Status: models.StatusActive}))
		}
		inv := mustInsertMember(t, s, models.Membership{OrgID: a.ID, Email: "inv@x.test", Status: models.StatusInvited})
		mustInsertMember(t, s, models.Membership{OrgID: b.ID, Email: "a0@x.test", Status: models.StatusActive})

		got := checkCounts(t, s, a.ID, "after inserts")
		if got[models.StatusActive] != 3 || got[models.StatusInvited] != 1 {
			t.Errorf("org A after inserts = %v, want 3 active, 1 invited", got)
		}
		if got := checkCounts(t, s, b.ID, "after inserts"); got[models.StatusActive] != 1 {
			t.Errorf("org B after inserts = %v, want 1 active", got)
		}

		// Status change: active → terminated.
		if err := s.w.Model(&ms[0]).Update("status", models.StatusTerminated).Error; err != nil {
			t.Fatal(err)
		}
		got = checkCounts(t, s, a.ID, "after terminate")
		if got[models.StatusActive] != 2 || got[models.StatusTerminated] != 1 {
			t.Errorf("org A after terminate = %v, want 2 active, 1 terminated", got)
		}
		// An update that leaves the status alone changes no count.
		if err := s.w.Model(&ms[1]).Updates(map[string]any{"status": models.StatusActive, "position": "Sales"}).Error; err != nil {
			t.Fatal(err)
		}
		if got = checkCounts(t, s, a.ID, "after same-status update"); got[models.StatusActive] != 2 {
			t.Errorf("org A after same-status update = %v, want 2 active", got)
		}
		// Invited → active (accepting).
		if err := s.w.Model(&inv).Update("status", models.StatusActive).Error; err != nil {
			t.Fatal(err)
		}
		if got = checkCounts(t, s, a.ID, "after accept"); got[models.StatusActive] != 3 || got[models.StatusInvited] != 0 {
			t.Errorf("org A after accept = %v, want 3 active, 0 invited", got)
		}
		// Delete.
		if err := s.w.Delete(&ms[2]).Error; err != nil {
			t.Fatal(err)
		}
		if got = checkCounts(t, s, a.ID, "after delete"); got[models.StatusActive] != 2 {
			t.Errorf("org A after delete = %v, want 2 active", got)
		}
		// Moving a membership to another organization moves its count.
		if err := s.w.Model(&ms[1]).Update("org_id", b.ID).Error; err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, a.ID, "after move")
		if got := checkCounts(t, s, b.ID, "after move"); got[models.StatusActive] != 2 {
			t.Errorf("org B after move = %v, want 2 active", got)
		}
	})

	t.Run("random operations stay exact", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 11))
		orgs := []int64{a.ID, b.ID}
		var live []models.Membership
		for step := range 300 {
			switch op := rng.IntN(10); {
			case op < 5 || len(live) == 0:
				m := mustInsertMember(t, s, models.Membership{OrgID: orgs[rng.IntN(2)], Email: fmt.Sprintf("r%d@x.test", step),
					Status: allStatuses[rng.IntN(len(allStatuses))]})
				live = append(live, m)
			case op < 8:
				m := &live[rng.IntN(len(live))]
				if err := s.w.Model(m).Update("status", allStatuses[rng.IntN(len(allStatuses))]).Error; err != nil {
					t.Fatal(err)
				}
			default:
				i := rng.IntN(len(live))
				if err := s.w.Delete(&live[i]).Error; err != nil {
					t.Fatal(err)
				}
				live = slices.Delete(live, i, i+1)
			}
		}
		checkCounts(t, s, a.ID, "after random operations")
		checkCounts(t, s, b.ID, "after random operations")
	})

	t.Run("deleting an organization", func(t *testing.T) {
		if err := s.w.Delete(&models.Organization{}, b.ID).Error; err != nil {
			t.Fatalf("delete organization: %v", err)
		}
		if got, err := s.MemberCounts(ctx, b.ID); err != nil || len(got) != 0 {
			t.Errorf("counts of a deleted organization = %v, %v", got, err)
		}
		checkCounts(t, s, a.ID, "after deleting the other organization")
	})
}

// memberFixture is an organization with ~250 active members and others around them.
type memberFixture struct {
	s      *Store
	org    models.Organization
	other  models.Organization
	all    []models.Membership // every membership inserted, both organizations
	roles  map[int64][]models.Role
	active []models.Membership // org's active members
}

// tiedFirst, tiedLast and tiedLogin are shared by several active members, to test the id tie-break.
const tiedFirst, tiedLast = "Sam", "Lee"

var tiedLogin = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

func newMemberFixture(t *testing.T) *memberFixture {
	t.Helper()
	s := MustOpenDB(t, nil)
	f := &memberFixture{s: s, org: mustCreateOrg(t, s, "Acme"), other: mustCreateOrg(t, s, "Globex"), roles: map[int64][]models.Role{}}
	firsts := []string{"Ada", "Alan", "Grace", "Linus", "Émile", "adam", "Zoë", "Bob", "Ann", ""}
	lasts := []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Zola", "Smith", "Lee", "van Rossum", "Lamport", ""}
	base := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))

	type spec struct {
		org    int64
		status models.Status
		n      int
	}
	specs := []spec{
		{f.org.ID, models.StatusActive, 250},
		{f.org.ID, models.StatusInvited, 30},
		{f.org.ID, models.StatusTerminated, 20},
		{f.org.ID, models.StatusRejected, 5},
		{f.other.ID, models.StatusActive, 60},
	}
	var pending []models.Membership
	for _, sp := range specs {
		for i := range sp.n {
			m := models.Membership{OrgID: sp.org, Status: sp.status,
				// Emails are unique per organization, and the other organization reuses them.
				Email: fmt.Sprintf("%s.%03d@example.com", []string{"user", "member", "ada", "x"}[i%4], (i*37)%sp.n+1000*slices.Index(allStatuses, sp.status))}
			first, last := firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))]
			switch {
			case i%25 == 3: // several members share one name and one last login
				first, last = tiedFirst, tiedLast
				m.LastLoginAt = tiedLogin
			case i%7 == 0: // never logged in: the zero time
			default:
				// Steps of 250 ms give stored times with and without fractions of a second.
				m.LastLoginAt = base.Add(time.Duration(rng.IntN(4000)) * 250 * time.Millisecond)
			}
			m.SetName(first, last)
			// Joined times collide too (whole hours), and some have microseconds.
			m.CreatedAt = base.Add(-time.Duration(rng.IntN(40)) * time.Hour).Add(time.Duration(rng.IntN(3)) * 1500 * time.Microsecond)
			m.UpdatedAt = m.CreatedAt
			pending = append(pending, m)
		}
	}
	// Insert in random order so that ids do not follow any sort key.
	rng.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
	roleSets := [][]models.Role{{models.RoleViewer}, {models.RoleEditor, models.RoleViewer}, {models.RoleAdmin}, {models.RoleViewer, models.RoleOwner}, nil}
	for i, m := range pending {
		roles := roleSets[i%len(roleSets)]
		m = mustInsertMember(t, s, m, roles...)
		f.roles[m.ID] = models.SortRoles(roles)
		f.all = append(f.all, m)
		if m.OrgID == f.org.ID && m.Status == models.StatusActive {
			f.active = append(f.active, m)
		}
	}
	if len(f.active) != 250 {
		t.Fatalf("fixture has %d active members, want 250", len(f.active))
	}
	return f
}

// sorted returns ms in the order the Users page promises: by the sort key, then id,
// both reversed for descending. Times compare as times, not as stored text.
func sorted(ms []models.Membership, by models.SortKey, desc bool) []models.Membership {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b models.Membership) int {
		var c int
		switch by {
		case models.SortName:
			c = strings.Compare(a.NameKey, b.NameKey)
		case models.SortEmail:
			c = strings.Compare(a.Email, b.Email)
		case models.SortLastLogin:
			c = a.LastLoginAt.Compare(b.LastLoginAt)
		case models.SortJoined:
			c = a.CreatedAt.Compare(b.CreatedAt)
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	return out
}

func ids(ms []models.Membership) []int64 {
	out := make([]int64, len(ms))
	for i := range ms {
		out[i] = ms[i].ID
	}
	return out
}

// walk follows Next cursors from the first page and returns the pages.
func walk(t *testing.T, s *Store, orgID int64, f models.MemberFilter) []*models.MemberPage {
	t.Helper()
	var pages []*models.MemberPage
	for {
		p, err := s.FindMembers(context.Background(), orgID, f)
		if err != nil {
			t.Fatalf("FindMembers(%+v): %v", f, err)
		}
		pages = append(pages, p)
		if p.Next == "" {
			return pages
		}
		if len(pages) > 1000 {
			t.Fatal("Next cursors do not end")
		}
		f.Cursor = p.Next
	}
}

func TestFindMembersPaging(t *testing.T) {
	ctx := context.Background()
	fx := newMemberFixture(t)

	// The fixture must really hold ties for the tie-break to be tested.
	tiedName, tiedLogins := 0, 0
	for _, m := range fx.active {
		if m.NameKey == "sam lee" {
			tiedName++
		}
		if m.LastLoginAt.Equal(tiedLogin) {
			tiedLogins++
		}
	}
	if tiedName < 5 || tiedLogins < 5 {
		t.Fatalf("fixture has %d members named Sam Lee and %d with the tied login, want several", tiedName, tiedLogins)
	}

	for _, by := range []models.SortKey{models.SortName, models.SortEmail, models.SortLastLogin, models.SortJoined} {
		for _, desc := range []bool{false, true} {
			for _, limit := range []int{37, 50} {
				name := fmt.Sprintf("%s/desc=%v/limit=%d", by, desc, limit)
				t.Run(name, func(t *testing.T) {
					want := ids(sorted(fx.active, by, desc))
					f := models.MemberFilter{Status: models.StatusActive, Sort: by, Desc: desc, Limit: limit}
					pages := walk(t, fx.s, fx.org.ID, f)

					wantPages := (len(want) + limit - 1) / limit
					if len(pages) != wantPages {
						t.Fatalf("walked %d pages, want %d", len(pages), wantPages)
					}
					var got []int64
					for i, p := range pages {
						if i < len(pages)-1 && len(p.Members) != limit {
							t.Errorf("page %d has %d members, want %d", i, len(p.Members), limit)
						}
						if (i == 0) != (p.Prev == "") {
							t.Errorf("page %d: Prev = %q", i, p.Prev)
						}
						if (i == len(pages)-1) != (p.Next == "") {
							t.Errorf("page %d: Next = %q", i, p.Next)
						}
						got = append(got, ids(p.Members)...)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("forward walk visited %d members in the wrong order or with repeats:\ngot  %v\nwant %v", len(got), got, want)
					}

					// Back from the last page with Prev: the same pages, in reverse.
					p := pages[len(pages)-1]
					for i := len(pages) - 2; i >= 0; i-- {
						if p.Prev == "" {
							t.Fatalf("page %d has no Prev while walking back", i+1)
						}
						f.Cursor = p.Prev
						var err error
						if p, err = fx.s.FindMembers(ctx, fx.org.ID, f); err != nil {
							t.Fatal(err)
						}
						if !slices.Equal(ids(p.Members), ids(pages[i].Members)) {
							t.Fatalf("walking back, page %d:\ngot  %v\nwant %v", i, ids(p.Members), ids(pages[i].Members))
						}
						if p.Next == "" {
							t.Errorf("walking back, page %d has no Next", i)
						}
					}
					if p.Prev != "" {
						t.Errorf("walking back, the first page has a Prev cursor")
					}
					// Next from a page reached backward goes forward again.
					f.Cursor = p.Next
					again, err := fx.s.FindMembers(ctx, fx.org.ID, f)
					if err != nil || !slices.Equal(ids(again.Members), ids(pages[1].Members)) {
						t.Errorf("Next from the first page reached backward = %v (err %v), want page 1 %v", ids(again.Members), err, ids(pages[1].Members))
					}
				})
			}
		}
	}

	t.Run("other statuses and organizations", func(t *testing.T) {
		want := map[models.Status][]models.Membership{}
		var otherActive []models.Membership
		for _, m := range fx.all {
			if m.OrgID == fx.org.ID {
				want[m.Status] = append(want[m.Status], m)
			} else if m.Status == models.StatusActive {
				otherActive = append(otherActive, m)
			}
		}
		for _, st := range allStatuses {
			pages := walk(t, fx.s, fx.org.ID, models.MemberFilter{Status: st, Sort: models.SortEmail, Limit: 20})
			var got []int64
			for _, p := range pages {
				for _, m := range p.Members {
					if m.OrgID != fx.org.ID || m.Status != st {
						t.Errorf("%s: got member %d of org %d in status %s", st, m.ID, m.OrgID, m.Status)
					}
				}
				got = append(got, ids(p.Members)...)
			}
			if w := ids(sorted(want[st], models.SortEmail, false)); !slices.Equal(got, w) {
				t.Errorf("%s: got %v, want %v", st, got, w)
			}
		}
		pages := walk(t, fx.s, fx.other.ID, models.MemberFilter{Status: models.StatusActive, Sort: models.SortName, Limit: 100})
		if len(pages) != 1 || !slices.Equal(ids(pages[0].Members), ids(sorted(otherActive, models.SortName, false))) {
			t.Errorf("other organization's active members = %v, want %v", ids(pages[0].Members), ids(sorted(otherActive, models.SortName, false)))
		}
	})

	t.Run("empty status", func(t *testing.T) {
		p, err := fx.s.FindMembers(ctx, fx.org.ID, models.MemberFilter{Status: models.StatusPending})
		if err != nil || len(p.Members) != 0 || p.Next != "" || p.Prev != "" {
			t.Errorf("pending page = %+v, %v; want empty without cursors", p, err)
		}
	})

	t.Run("roles attached", func(t *testing.T) {
		p, err := fx.s.FindMembers(ctx, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Limit: MaxMemberPage})
		if err != nil {
			t.Fatal(err)
		}
		withRoles, multi := 0, 0
		for _, m := range p.Members {
			if !slices.Equal(m.Roles, fx.roles[m.ID]) {
				t.Errorf("member %d roles = %v, want %v", m.ID, m.Roles, fx.roles[m.ID])
			}
			if len(m.Roles) > 0 {
				withRoles++
			}
			if len(m.Roles) > 1 {
				multi++
			}
		}
		if withRoles == 0 || multi == 0 {
			t.Errorf("page holds %d members with roles and %d with several; the check proves nothing", withRoles, multi)
		}
	})

	t.Run("limit", func(t *testing.T) {
		tests := []struct{ limit, want int }{
			{0, 50}, {-5, 50}, {1, 1}, {37, 37}, {MaxMemberPage, MaxMemberPage},
			{MaxMemberPage + 1, MaxMemberPage}, {1000, MaxMemberPage},
		}
		for _, tt := range tests {
			p, err := fx.s.FindMembers(ctx, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Limit: tt.limit})
			if err != nil || len(p.Members) != tt.want {
				t.Errorf("Limit %d: %d members (err %v), want %d", tt.limit, len(p.Members), err, tt.want)
			}
		}
	})

	t.Run("bad cursor gives the first page", func(t *testing.T) {
		f := models.MemberFilter{Status: models.StatusActive, Sort: models.SortName, Limit: 20}
		first, err := fx.s.FindMembers(ctx, fx.org.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		emailCursor := walk(t, fx.s, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Sort: models.SortEmail, Limit: 100})[0].Next
		descCursor := walk(t, fx.s, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Sort: models.SortName, Desc: true, Limit: 100})[0].Next
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		tests := []struct{ name, cursor string }{
			{"not base64", "!!not a cursor!!"},
			{"standard base64 padding", "eyJzIjoibmFtZSJ9=="},
			{"base64 of garbage", enc("garbage")},
			{"empty JSON object", enc("{}")},
			{"JSON of the wrong type", enc(`{"s":"name","d":false,"v":1,"i":"x"}`)},
			{"made for another sort", emailCursor},
			{"made for the other direction", descCursor},
			{"unknown sort", enc(`{"s":"password_hash","v":"a","i":1}`)},
			{"oversized", strings.Repeat("A", 3000)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f
				f.Cursor = tt.cursor
				p, err := fx.s.FindMembers(ctx, fx.org.ID, f)
				if err != nil {
					t.Fatalf("FindMembers: %v", err)
				}
				if !slices.Equal(ids(p.Members), ids(first.Members)) || p.Prev != "" {
					t.Errorf("got %v (Prev %q), want the first page %v", ids(p.Members), p.Prev, ids(first.Members))
				}
			})
		}
	})
}

func TestFindMembersSearch(t *testing.T) {
	ctx := context.Background()
	fx := newMemberFixture(t)
	s := fx.s
	// Hand-made members with known names, in org A (active and invited) and in the other org.
	mk := func(org int64, status models.Status, email, first, last string) models.Membership {
		m := models.Membership{OrgID: org, Status: status, Email: email}
		m.SetName(first, last)
		return mustInsertMember(t, s, m)
	}
	ada := mk(fx.org.ID, models.StatusActive, "countess@example.org", "Augusta Ada", "King-Noel")
	ada2 := mk(fx.org.ID, models.StatusActive, "a.king@example.net", "Ada", "Kingsley")
	invited := mk(fx.org.ID, models.StatusInvited, "kingfisher@example.org", "Kim", "Kingfisher")
	foreign := mk(fx.other.ID, models.StatusActive, "king@globex.test", "Kingston", "King")
	noName := mk(fx.org.ID, models.StatusActive, "zed.unique@example.org", "", "")

	search := func(t *testing.T, org int64, status models.Status, q string) []int64 {
		t.Helper()
		var got []int64
		for _, p := range walk(t, s, org, models.MemberFilter{Status: status, Query: q, Sort: models.SortName, Limit: 30}) {
			got = append(got, ids(p.Members)...)
		}
		return got
	}
	// expect applies the documented rule (prefix of email, "first last" or last name,
	// case-insensitive) to every membership, for queries over the random fixture.
	var everyone []models.Membership
	everyone = append(everyone, fx.all...)
	everyone = append(everyone, ada, ada2, invited, foreign, noName)
	expect := func(org int64, status models.Status, q string) []int64 {
		term := strings.ToLower(strings.TrimSpace(q))
		var ms []models.Membership
		for _, m := range everyone {
			if m.OrgID == org && m.Status == status &&
				(strings.HasPrefix(m.Email, term) || strings.HasPrefix(m.NameKey, term) || strings.HasPrefix(m.LastNameKey, term)) {
				ms = append(ms, m)
			}
		}
		return ids(sorted(ms, models.SortName, false))
	}

	none := []models.Membership{}
	tests := []struct {
		name   string
		status models.Status
		q      string
		want   []models.Membership // nil: computed by expect, and must not be empty
	}{
		{"email prefix", models.StatusActive, "countess@", []models.Membership{ada}},
		{"email prefix, upper case", models.StatusActive, "COUNTESS@EXAMPLE", []models.Membership{ada}},
		{"whole email", models.StatusActive, "a.king@example.net", []models.Membership{ada2}},
		{"first last prefix", models.StatusActive, "augusta ada k", []models.Membership{ada}},
		{"first last prefix, mixed case, spaces around", models.StatusActive, "  Ada KINGS ", []models.Membership{ada2}},
		{"last name prefix", models.StatusActive, "king", []models.Membership{ada, ada2}},
		{"last name with hyphen", models.StatusActive, "King-N", []models.Membership{ada}},
		{"invited tab only", models.StatusInvited, "kingf", []models.Membership{invited}},
		{"email of a nameless member", models.StatusActive, "zed.", []models.Membership{noName}},
		{"not a prefix", models.StatusActive, "ngsley", none},
		{"middle name is not a first name", models.StatusActive, "ada king-", none},
		{"other organization's name", models.StatusActive, "kingston", none},
		{"other organization's email", models.StatusActive, "king@globex", none},
		{"fixture: first name", models.StatusActive, "ada", nil},
		{"fixture: last name", models.StatusActive, "lovelace", nil},
		{"fixture: first and last", models.StatusActive, "grace hopper", nil},
		{"fixture: accented", models.StatusActive, "ÉMILE", nil},
		{"fixture: email prefix", models.StatusActive, "user.31", nil},
		{"fixture: tied name", models.StatusActive, "sam lee", nil},
		{"fixture: last name with a space", models.StatusActive, "van r", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []int64
			if tt.want == nil {
				want = expect(fx.org.ID, tt.status, tt.q)
				if len(want) == 0 {
					t.Fatalf("query %q matches nothing in the fixture; the check proves nothing", tt.q)
				}
			} else {
				want = ids(sorted(tt.want, models.SortName, false))
			}
			if got := search(t, fx.org.ID, tt.status, tt.q); !slices.Equal(got, want) {
				t.Errorf("search %q in %s: got %v, want %v", tt.q, tt.status, got, want)
			}
		})
	}

	t.Run("other organization finds its own", func(t *testing.T) {
		if got := search(t, fx.other.ID, models.StatusActive, "kingston"); !slices.Equal(got, []int64{foreign.ID}) {
			t.Errorf("other org search kingston = %v, want [%d]", got, foreign.ID)
		}
	})

	t.Run("query kept in cursors", func(t *testing.T) {
		want := expect(fx.org.ID, models.StatusActive, "a")
		if len(want) <= 10 {
			t.Fatalf("only %d matches for %q", len(want), "a")
		}
		var got []int64
		for _, p := range walk(t, s, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Query: "a", Sort: models.SortName, Limit: 7}) {
			got = append(got, ids(p.Members)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged search got %v, want %v", got, want)
		}
	})

	t.Run("LIKE wildcards are literal", func(t *testing.T) {
		p, err := s.FindMembers(ctx, fx.org.ID, models.MemberFilter{Status: models.StatusActive, Query: "%"})
		if err != nil || len(p.Members) != 0 {
			t.Errorf("search %% = %d members (err %v), want none", len(p.Members), err)
		}
	})
}
