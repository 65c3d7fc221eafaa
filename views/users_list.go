package views

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gatehouse/models"
)

// UsersView is the Users page's view model.
type UsersView struct {
	Tab      models.Tab
	Tabs     []TabLink
	Query    string
	Sort     models.SortKey
	Desc     bool
	Rows     []models.Membership
	NextHref string
	PrevHref string
	Now      time.Time
	NoMFA    bool                   // the "MFA: not enrolled" filter is on
	Rejected bool                   // the Pending tab lists rejected requests
	Actions  map[int64][]MenuItem   // row menu of each membership
	Invites  map[int64]InviteStatus // Inactivated tab: the latest link of each membership
	Inviters map[int64]string       // Pending tab: inviter account id → name
	Bulk     []BulkOption           // actions for a selection on this tab; none: no checkboxes
	Apps     []models.App           // the organization's apps, for the App filter (Owners and Admins); nil hides it
	AppID    int64                  // the App filter: only members who may use this app; 0 for all
	Depts    []models.Department    // the organization's departments, for the Department filter; nil hides it
	DeptID   int64                  // the Department filter; 0 for all
	Matching int                    // members the tab and filters list (up to the bulk cap + 1), when more than this page; or MatchingUncounted
}

// InviteStatus is an invited member's latest link: whether it has expired and how its email fared.
type InviteStatus struct {
	Expired   bool
	Declined  bool // the invited account said no from the Join prompt
	ExpiresAt time.Time
	Delivery  string // "Sending", "Sent", "Failed — retrying", "Failed", "In outbox", or "" for a copied link
	Failed    bool
}

// UsersQuery is what a Users page link selects.
type UsersQuery struct {
	Tab      models.Tab
	Query    string
	Sort     models.SortKey // "" or models.SortName is the default order
	Desc     bool
	Cursor   string
	NoMFA    bool
	Rejected bool  // the Pending tab's "Rejected" filter
	AppID    int64 // the App filter
	DeptID   int64 // the Department filter
}

// Href builds the Users page link; empty values are left out.
func (q UsersQuery) Href() string {
	v := url.Values{}
	v.Set("tab", string(q.Tab))
	if q.Query != "" {
		v.Set("q", q.Query)
	}
	if q.Sort != "" && q.Sort != models.SortName {
		v.Set("sort", string(q.Sort))
	}
	if q.Desc {
		v.Set("dir", "desc")
	}
	if q.NoMFA {
		v.Set("mfa", "none")
	}
	if q.AppID != 0 {
		v.Set("app", strconv.FormatInt(q.AppID, 10))
	}
	if q.DeptID != 0 {
		v.Set("dept", strconv.FormatInt(q.DeptID, 10))
	}
	if q.Rejected && q.Tab == models.TabPending {
		v.Set("filter", "rejected")
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return "/users?" + v.Encode()
}

// TabHref is the first page of a tab.
func TabHref(t models.Tab) string { return UsersQuery{Tab: t}.Href() }

// sortHref links to the first page sorted by key; clicking the current sort flips its direction.
func (v UsersView) sortHref(key models.SortKey) string {
	return UsersQuery{Tab: v.Tab, Query: v.Query, Sort: key, Desc: v.Sort == key && !v.Desc, NoMFA: v.NoMFA, Rejected: v.Rejected, AppID: v.AppID, DeptID: v.DeptID}.Href()
}

// query is what the page lists: its tab, search and filters, without a cursor.
func (v UsersView) query() UsersQuery {
	return UsersQuery{Tab: v.Tab, Query: v.Query, Sort: v.Sort, Desc: v.Desc, NoMFA: v.NoMFA, Rejected: v.Rejected, AppID: v.AppID, DeptID: v.DeptID}
}

// ariaSort is the aria-sort value of the column sorted by key.
func (v UsersView) ariaSort(key models.SortKey) string {
	switch {
	case v.Sort != key:
		return "none"
	case v.Desc:
		return "descending"
	}
	return "ascending"
}

func (v UsersView) sortArrow(key models.SortKey) string {
	switch {
	case v.Sort != key:
		return ""
	case v.Desc:
		return "↓"
	}
	return "↑"
}

func (v UsersView) emptyMessage() string {
	if v.Query != "" {
		return "No members match “" + v.Query + "”."
	}
	switch {
	case v.Rejected:
		return "No rejected requests."
	case v.Tab == models.TabPending:
		return "No one is waiting for approval."
	case v.Tab == models.TabInactivated:
		return "No open invitations."
	case v.Tab == models.TabTerminated:
		return "No terminated members."
	}
	return "No active members."
}

// statusBadge is the label and colour of a row's status: an invited member whose link has
// expired shows "Expired".
func (v UsersView) statusBadge(m models.Membership) (string, string) {
	if inv, ok := v.Invites[m.ID]; ok && inv.Declined {
		return "Declined", "red"
	}
	if inv, ok := v.Invites[m.ID]; ok && inv.Expired {
		return "Expired", "red"
	}
	return m.Status.Label(), statusKind(m.Status)
}

func (v UsersView) inactivated() bool { return v.Tab == models.TabInactivated }

// expiry says when an invitation link stops working, relative to now.
func (v UsersView) expiry(inv InviteStatus) string {
	if inv.ExpiresAt.IsZero() || inv.Declined {
		return ""
	}
	if inv.Expired {
		return "Expired " + timeAgo(inv.ExpiresAt, v.Now)
	}
	d := inv.ExpiresAt.Sub(v.Now)
	switch {
	case d < time.Hour:
		return "Expires in " + plural(max(1, int(d/time.Minute)), "minute")
	case d < 48*time.Hour:
		return "Expires in " + plural(int(d/time.Hour), "hour")
	}
	return "Expires in " + plural(int(d/(24*time.Hour)), "day")
}

func statusKind(s models.Status) string {
	switch s {
	case models.StatusActive:
		return "green"
	case models.StatusInvited, models.StatusPending:
		return "amber"
	case models.StatusTerminated, models.StatusRejected, models.StatusRevoked:
		return "red"
	}
	return "gray"
}

func roleKind(r models.Role) string {
	if r == models.RoleOwner || r == models.RoleAdmin {
		return "blue"
	}
	return "gray"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// RowID is the id of a member's row in the Users table; app.js finds the row again by it
// after the table is refreshed in place.
func RowID(id int64) string { return "member-" + strconv.FormatInt(id, 10) }

// MemberHref is a member's page.
func MemberHref(id int64) string { return "/users/" + strconv.FormatInt(id, 10) }

// showMFA reports whether the viewer may see who has two-factor authentication (Owners and Admins).
func showMFA(ctx context.Context) bool {
	cur := PageFrom(ctx).Current
	return cur != nil && cur.Can(models.PermManageMembers)
}

// resultStatus is what the live region says after a search: how many members are shown.
func (v UsersView) resultStatus() string {
	n := len(v.Rows)
	switch {
	case n == 0:
		return v.emptyMessage()
	case v.NextHref != "":
		return plural(n, "member") + " shown, more on the next page."
	}
	return plural(n, "member") + " shown."
}

// ExportHref downloads the members q lists, every page of them, as format (csv or xlsx).
func (q UsersQuery) ExportHref(format string) string {
	q.Cursor = ""
	return "/users/export." + format + strings.TrimPrefix(q.Href(), "/users")
}
