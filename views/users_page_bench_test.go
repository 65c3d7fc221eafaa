package views_test

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"gatehouse/models"
	"gatehouse/views"
)

// BenchmarkUsersPage renders the Users page (Active tab, 50 rows with roles and row menus, four
// tab counts, a next link, an Owner looking) from rows held in memory: rendering alone, with
// no database, session or HTTP. It is the reference the real page is measured against (it was
// /_bench/render): go test -run - -bench UsersPage ./views
func BenchmarkUsersPage(b *testing.B) {
	cur, v := usersPageFixture(time.Now())
	ctx := views.WithPage(context.Background(), &views.Page{CSRF: "bench-csrf-token-0123456789abcdefghijklmnopqrstuv", Current: cur, Nav: "users"})
	page := views.UsersPage(v)
	b.ReportAllocs()
	for b.Loop() {
		if err := page.Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// usersPageFixture is the in-memory Users page the benchmark draws: the same shape the real
// first page has.
func usersPageFixture(now time.Time) (*models.Current, views.UsersView) {
	owner := models.User{ID: 1, Email: "owner@example.com", FirstName: "Olive", LastName: "Owner"}
	org := models.Organization{ID: 1, Name: "Acme", InviteLifetimeHours: models.DefaultInviteLifetimeHours}
	cur := &models.Current{User: owner, Org: org, Membership: models.Membership{ID: 1, OrgID: 1, UserID: &owner.ID, Status: models.StatusActive},
		Permissions: models.PermissionsOf([]models.Role{models.RoleOwner})}
	first := []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger"}
	last := []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton"}
	rows := make([]models.Membership, 50)
	actions := make(map[int64][]views.MenuItem, len(rows))
	for i := range rows {
		uid := int64(i + 2)
		m := models.Membership{ID: uid, OrgID: 1, UserID: &uid, Status: models.StatusActive,
			Email:      fmt.Sprintf("%s.%s.%d@example.com", first[i%len(first)], last[i%len(last)], i),
			Department: "Engineering", Position: "Engineer", LastLoginAt: now.Add(-time.Duration(i) * time.Hour),
			CreatedAt: now.AddDate(0, -i, 0), Roles: []models.Role{models.RoleViewer}, UserMFA: i%3 == 0}
		m.SetName(first[i%len(first)], last[i%len(last)])
		rows[i] = m
		// An Owner's menu on an active member, as the Users page builds it.
		for _, act := range models.Actions(m.Status) {
			actions[m.ID] = append(actions[m.ID], views.MenuItem{Label: act.Label(), Href: "/users/" + strconv.FormatInt(m.ID, 10) + "/" + string(act),
				Danger: act.Destructive(), Dialog: true})
		}
		if m.UserMFA {
			actions[m.ID] = append(actions[m.ID], views.MenuItem{Label: models.ActResetMFA.Label(), Href: "/users/" + strconv.FormatInt(m.ID, 10) + "/reset-mfa",
				Danger: true, Dialog: true})
		}
	}
	v := views.UsersView{Tab: models.TabActive, Sort: "name", Rows: rows, Actions: actions, Now: now,
		NextHref: views.UsersQuery{Tab: models.TabActive, Sort: "name", Cursor: "eyJzIjoibmFtZSIsImQiOmZhbHNlLCJ2IjoiYWRhIGxvdmVsYWNlIiwiaSI6NDJ9"}.Href()}
	for _, t := range models.Tabs {
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.Label(), Href: views.UsersQuery{Tab: t, Sort: "name"}.Href(), Count: 80_000, Current: t == models.TabActive})
	}
	return cur, v
}
