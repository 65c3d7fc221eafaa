package views

import (
	"net/url"
	"time"

	"gatehouse/models"
)

// UsersView is the Users page's view model.
type UsersView struct {
	Tab      models.Tab
	Tabs     []TabLink
	Query    string
	Sort     string
	Desc     bool
	Rows     []models.Membership
	NextHref string
	PrevHref string
	Now      time.Time
}

// UsersHref builds a Users page link; empty values are left out.
func UsersHref(tab models.Tab, query, sort string, desc bool, cursor string) string {
	v := url.Values{}
	v.Set("tab", string(tab))
	if query != "" {
		v.Set("q", query)
	}
	if sort != "" && sort != "name" {
		v.Set("sort", sort)
	}
	if desc {
		v.Set("dir", "desc")
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return "/users?" + v.Encode()
}

// sortHref links to the first page sorted by key; clicking the current sort flips its direction.
func (v UsersView) sortHref(key string) string {
	return UsersHref(v.Tab, v.Query, key, v.Sort == key && !v.Desc, "")
}

// ariaSort is the aria-sort value of the column sorted by key.
func (v UsersView) ariaSort(key string) string {
	switch {
	case v.Sort != key:
		return "none"
	case v.Desc:
		return "descending"
	}
	return "ascending"
}

func (v UsersView) sortArrow(key string) string {
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
	switch v.Tab {
	case models.TabPending:
		return "No one is waiting for approval."
	case models.TabInactivated:
		return "No open invitations."
	case models.TabTerminated:
		return "No terminated members."
	}
	return "No active members."
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
