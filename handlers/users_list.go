package handlers

import (
	"context"
	"net/http"
	"strconv"
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
	here, f, apps, depts, err := h.usersFilter(c, cur, c.QueryParam)
	if err != nil {
		return err
	}
	tab, sort, desc, noMFA, appID := here.Tab, here.Sort, here.Desc, here.NoMFA, here.AppID
	rejected := here.Rejected
	f.Cursor, f.Limit = c.QueryParam("cursor"), usersPerPage
	page, err := h.app.ListMembers(ctx, cur, f)
	if err != nil {
		return err
	}
	v := views.UsersView{Tab: tab, Query: here.Query, Sort: sort, Desc: desc, NoMFA: noMFA, Rejected: rejected,
		Rows: page.Members, Now: h.clock.Now(), Apps: apps, AppID: appID, Depts: depts, DeptID: here.DeptID}
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
	if len(v.Bulk) > 0 && (page.Next != "" || page.Prev != "") {
		// "Apply to all N matching", when there is more than this page: a whole tab's N is kept
		// by the database and a department's is read from its index, but a search or an app or
		// MFA filter would walk up to the cap on every page view, so it says "all matching" and
		// its confirmation counts.
		if f.Query != "" || f.NoMFA || f.AppID != 0 {
			v.Matching = views.MatchingUncounted
		} else if v.Matching, err = h.app.CountMatching(ctx, cur, models.MemberFilter{Status: f.Status, DeptID: f.DeptID}); err != nil {
			return err
		}
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
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.Label(), Href: views.UsersQuery{Tab: t, Sort: sort, Desc: desc, NoMFA: noMFA, AppID: appID, DeptID: here.DeptID}.Href(),
			Count: counts[t.Status()], Current: t == tab})
	}
	return h.render(c, http.StatusOK, views.UsersPage(v))
}

// usersFilter reads a Users page's tab, search, sort and filters (from get: the query of a
// page, or a bulk form's fields) into the page's link and the filter to list by; the apps and
// departments to choose from come with it. Unknown app and department ids are no filter.
func (h *Handler) usersFilter(c echo.Context, cur *models.Current, get func(string) string) (views.UsersQuery, models.MemberFilter, []models.App, []models.Department, error) {
	q := views.UsersQuery{Tab: models.ParseTab(get("tab")), Query: strings.TrimSpace(get("q")), Sort: models.ParseSortKey(get("sort")), Desc: get("dir") == "desc"}
	if utf8.RuneCountInString(q.Query) > maxSearchRunes {
		q.Query = string([]rune(q.Query)[:maxSearchRunes])
	}
	q.NoMFA = get("mfa") == "none" && cur.Can(models.PermManageMembers) // MFA status is for Owners and Admins
	q.Rejected = q.Tab == models.TabPending && get("filter") == "rejected"
	f := models.MemberFilter{Status: q.Tab.Status(), Query: q.Query, Sort: q.Sort, Desc: q.Desc, NoMFA: q.NoMFA}
	if q.Rejected {
		f.Status = models.StatusRejected
	}
	apps, appID, err := h.appFilter(c, cur, get("app"))
	if err != nil {
		return q, f, nil, nil, err
	}
	depts, err := h.app.ListDepartments(c.Request().Context(), cur)
	if err != nil {
		return q, f, nil, nil, err
	}
	id, _ := strconv.ParseInt(get("dept"), 10, 64)
	for _, d := range depts {
		if d.ID == id {
			q.DeptID = id
		}
	}
	q.AppID, f.AppID, f.DeptID = appID, appID, q.DeptID
	return q, f, apps, depts, nil
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
		st := views.InviteStatus{Expired: l.Invitation.State(now) == models.LinkExpired, Declined: l.Invitation.DeclinedAt != nil, ExpiresAt: l.Invitation.ExpiresAt}
		if msg := l.Delivery; msg != nil {
			st.Delivery = deliveryLabels[msg.Status]
			st.Failed = msg.Status == models.OutboxFailed || msg.Status == models.OutboxRetrying
		}
		out[mid] = st
	}
	return out, nil
}
