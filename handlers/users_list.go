package handlers

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

const (
	usersPerPage   = 50
	maxSearchRunes = 100
)

// UsersList shows the Users page: one tab of members, searched, sorted and paged by keyset.
// When htmx asks only for the results (typing in Search), only the table is rendered.
func (h *Handler) UsersList(c echo.Context) error {
	ctx := c.Request().Context()
	cur := current(c)
	tab := models.ParseTab(c.QueryParam("tab"))
	query := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(query) > maxSearchRunes {
		query = string([]rune(query)[:maxSearchRunes])
	}
	sort := store.ParseMemberSort(c.QueryParam("sort"))
	desc := c.QueryParam("dir") == "desc"

	page, err := h.store.FindMembers(ctx, cur.Org.ID, store.MemberFilter{
		Status: tab.Status(), Query: query, Sort: sort, Desc: desc, Cursor: c.QueryParam("cursor"), Limit: usersPerPage,
	})
	if err != nil {
		return err
	}
	v := views.UsersView{Tab: tab, Query: query, Sort: string(sort), Desc: desc, Rows: page.Members, Now: h.clock.Now()}
	if page.Next != "" {
		v.NextHref = views.UsersHref(tab, query, string(sort), desc, page.Next)
	}
	if page.Prev != "" {
		v.PrevHref = views.UsersHref(tab, query, string(sort), desc, page.Prev)
	}
	if wantsFragment(c, "users-results") {
		return h.render(c, http.StatusOK, views.UsersResults(v))
	}
	counts, err := h.store.MemberCounts(ctx, cur.Org.ID)
	if err != nil {
		return err
	}
	for _, t := range models.Tabs {
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.Label(), Href: views.UsersHref(t, "", string(sort), desc, ""),
			Count: counts[t.Status()], Current: t == tab})
	}
	return h.render(c, http.StatusOK, views.UsersPage(v))
}
