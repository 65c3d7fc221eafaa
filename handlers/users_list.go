package handlers

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
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
	sort := models.ParseSortKey(c.QueryParam("sort"))
	desc := c.QueryParam("dir") == "desc"
	noMFA := c.QueryParam("mfa") == "none" && cur.Can(models.PermManageMembers) // MFA status is for Owners and Admins
	status := tab.Status()
	rejected := tab == models.TabPending && c.QueryParam("filter") == "rejected"
	if rejected {
		status = models.StatusRejected
	}

	apps, appID, err := h.appFilter(c, cur)
	if err != nil {
		return err
	}
	page, err := h.app.ListMembers(ctx, cur, models.MemberFilter{
		Status: status, Query: query, Sort: sort, Desc: desc, Cursor: c.QueryParam("cursor"), Limit: usersPerPage, NoMFA: noMFA, AppID: appID,
	})
	if err != nil {
		return err
	}
	v := views.UsersView{Tab: tab, Query: query, Sort: sort, Desc: desc, NoMFA: noMFA, Rejected: rejected,
		Rows: page.Members, Now: h.clock.Now(), Apps: apps, AppID: appID}
	here := views.UsersQuery{Tab: tab, Query: query, Sort: sort, Desc: desc, NoMFA: noMFA, Rejected: rejected, AppID: appID}
	if page.Next != "" {
		here.Cursor = page.Next
		v.NextHref = here.Href()
	}
	if page.Prev != "" {
		here.Cursor = page.Prev
		v.PrevHref = here.Href()
	}
	v.Actions = rowActions(cur, page.Members)
	if !rejected {
		v.Bulk = bulkOptions(cur, tab)
	}
	if tab == models.TabInactivated {
		if v.Invites, err = h.inviteStatuses(ctx, cur, page.Members); err != nil {
			return err
		}
	}
	if tab == models.TabPending {
		if v.Inviters, err = h.app.Inviters(ctx, cur, page.Members); err != nil {
			return err
		}
	}
	if wantsFragment(c, "users-results") {
		return h.render(c, http.StatusOK, views.UsersResults(v))
	}
	counts, err := h.app.CountMembers(ctx, cur)
	if err != nil {
		return err
	}
	for _, t := range models.Tabs {
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.Label(), Href: views.UsersQuery{Tab: t, Sort: sort, Desc: desc, NoMFA: noMFA, AppID: appID}.Href(),
			Count: counts[t.Status()], Current: t == tab})
	}
	return h.render(c, http.StatusOK, views.UsersPage(v))
}

// rowActions builds each row's menu from models.Offered, the rule the actions themselves apply.
func rowActions(cur *models.Current, members []models.Membership) map[int64][]views.MenuItem {
	out := make(map[int64][]views.MenuItem, len(members))
	for i := range members {
		m := &members[i]
		for _, act := range models.Offered(cur.Actor(), m) {
			out[m.ID] = append(out[m.ID], views.MenuItem{Label: act.Label(), Href: memberActionHref(m.ID, act),
				Danger: act.Destructive(), Dialog: true})
		}
		if m.Status == models.StatusActive && cur.Can(models.PermManageMembers) {
			out[m.ID] = append(out[m.ID], views.MenuItem{Label: "Edit access", Href: accessHref(m.ID), Dialog: true})
		}
	}
	return out
}

// deliveryLabels says how an invitation email fared, by outbox status.
var deliveryLabels = map[models.OutboxStatus]string{
	models.OutboxPending:  "Sending",
	models.OutboxSent:     "Sent",
	models.OutboxRetrying: "Failed — retrying",
	models.OutboxFailed:   "Failed — reinvite to retry",
	models.OutboxHeld:     "In outbox",
}

// inviteStatuses says, for each invited member, whether their latest link expired and how its email fared.
func (h *Handler) inviteStatuses(ctx context.Context, cur *models.Current, members []models.Membership) (map[int64]views.InviteStatus, error) {
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	latest, err := h.app.LatestInvitations(ctx, cur, ids)
	if err != nil {
		return nil, err
	}
	now := h.clock.Now()
	out := make(map[int64]views.InviteStatus, len(latest))
	for mid, l := range latest {
		st := views.InviteStatus{Expired: l.Invitation.State(now) == models.LinkExpired, ExpiresAt: l.Invitation.ExpiresAt}
		if msg := l.Delivery; msg != nil {
			st.Delivery = deliveryLabels[msg.Status]
			st.Failed = msg.Status == models.OutboxFailed || msg.Status == models.OutboxRetrying
		}
		out[mid] = st
	}
	return out, nil
}
