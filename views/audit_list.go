package views

import (
	"net/url"
	"strconv"
	"time"

	"gatehouse/models"
)

// AuditView is the Audit log page's view model.
type AuditView struct {
	Events      []models.AuditEvent
	Action      models.Action // the Action filter; "" for every action
	MemberEmail string        // what the Member email box shows
	MemberID    int64         // the member filter, kept by the pager; 0 for none
	// NoMember, when the member filter names nobody in the organization, says so; nothing is listed.
	NoMember   string
	Older      bool   // this is not the newest page
	OlderHref  string // next page, "" on the last
	NewestHref string // first page, "" on it
	Now        time.Time
}

// AuditHref links to a page of the audit log; empty values are left out.
func AuditHref(action models.Action, memberID, before int64) string {
	v := url.Values{}
	if action != "" {
		v.Set("action", string(action))
	}
	if memberID > 0 {
		v.Set("member", strconv.FormatInt(memberID, 10))
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}

func (v AuditView) filtered() bool {
	return v.Action != "" || v.MemberEmail != "" || v.MemberID != 0 || v.NoMember != ""
}

func (v AuditView) emptyMessage() string {
	switch {
	case v.NoMember != "":
		return v.NoMember
	case v.Older:
		return "No older events."
	case v.filtered():
		return "No events match these filters."
	}
	return "Nothing has been recorded yet."
}

// auditTime is an event's exact time as the table shows it: UTC, to the second.
func auditTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// actionKind colours an action's badge: refusals and removals red, people joining green,
// changes blue, sessions and the rest gray.
func actionKind(a models.Action) string {
	switch a {
	case models.ActionLoginFailed, models.ActionLoginBlocked, models.ActionDenied,
		models.ActionTerminated, models.ActionRevoked, models.ActionRejected:
		return "red"
	case models.ActionSetup, models.ActionOwnerCreated, models.ActionInvited, models.ActionReinvited,
		models.ActionSignedUp, models.ActionApproved, models.ActionRestored, models.ActionReapproved:
		return "green"
	case models.ActionRolesChanged, models.ActionDetailsChanged, models.ActionOrgUpdated, models.ActionLinkCopied:
		return "blue"
	}
	return "gray"
}
