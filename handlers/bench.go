package handlers

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// The reference endpoints below exist only with serve --bench-endpoints (off by default) and
// are what `go run ./bench` compares the real pages against: BenchHello is the cost of the
// HTTP stack and middleware alone, BenchRender that plus rendering a full Users page from rows
// held in memory — so what a real page costs beyond it is the database and the session.

// BenchHello answers a fixed text.
func (h *Handler) BenchHello(c echo.Context) error {
	return c.String(http.StatusOK, "hello")
}

// BenchRender renders the Users page (Active tab, 50 rows, an Owner looking) from rows built
// once at start, without touching the database.
func (h *Handler) BenchRender(c echo.Context) error {
	p := &views.Page{CSRF: "bench-csrf-token-0123456789abcdefghijklmnopqrstuv", Current: benchFixture.cur, Nav: "users"}
	v := benchFixture.view
	v.Now = h.clock.Now()
	return writeComponent(c, http.StatusOK, views.WithPage(c.Request().Context(), p), views.UsersPage(v))
}

// benchFixture is the in-memory Users page BenchRender draws: the same shape the real
// first page has (50 members with roles and row menus, four tab counts, a next link).
var benchFixture = func() (f struct {
	cur  *models.Current
	view views.UsersView
}) {
	now := time.Now()
	owner := models.User{ID: 1, Email: "owner@example.com", FirstName: "Olive", LastName: "Owner"}
	org := models.Organization{ID: 1, Name: "Acme", InviteLifetimeHours: models.DefaultInviteLifetimeHours}
	f.cur = &models.Current{User: owner, Org: org, Membership: models.Membership{ID: 1, OrgID: 1, UserID: &owner.ID, Status: models.StatusActive},
		Permissions: models.PermissionsOf([]models.Role{models.RoleOwner})}
	first := []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger"}
	last := []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton"}
	rows := make([]models.Membership, 50)
	for i := range rows {
		uid := int64(i + 2)
		m := models.Membership{ID: uid, OrgID: 1, UserID: &uid, Status: models.StatusActive,
			Email:      fmt.Sprintf("%s.%s.%d@example.com", first[i%len(first)], last[i%len(last)], i),
			Department: "Engineering", Position: "Engineer", LastLoginAt: now.Add(-time.Duration(i) * time.Hour),
			CreatedAt: now.AddDate(0, -i, 0), Roles: []models.Role{models.RoleViewer}, UserMFA: i%3 == 0}
		m.SetName(first[i%len(first)], last[i%len(last)])
		rows[i] = m
	}
	v := views.UsersView{Tab: models.TabActive, Sort: "name", Rows: rows,
		NextHref: views.UsersQuery{Tab: models.TabActive, Sort: "name", Cursor: "eyJzIjoibmFtZSIsImQiOmZhbHNlLCJ2IjoiYWRhIGxvdmVsYWNlIiwiaSI6NDJ9"}.Href()}
	v.Actions = rowActions(f.cur, rows)
	for _, t := range models.Tabs {
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.Label(), Href: views.UsersQuery{Tab: t, Sort: "name"}.Href(), Count: 80_000, Current: t == models.TabActive})
	}
	f.view = v
	return f
}()
