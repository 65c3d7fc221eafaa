package views

import (
	"time"

	"gatehouse/models"
)

// MemberView is the member page's view model.
type MemberView struct {
	Member      models.Membership
	Now         time.Time
	InvitedBy   string
	Invite      *InviteStatus // the latest invitation of an invited member
	ShowMFA     bool          // the viewer may see two-factor status (Owners and Admins)
	ShowHistory bool          // the viewer may read the audit log
	History     []models.AuditEvent
	ShowApps    bool        // the viewer may see apps (Owners and Admins)
	Apps        []MemberApp // the apps the member may use
	Actions     []MenuItem
	Back        string // the Users page tab (page, search) the member was opened from
}

func (v MemberView) lastLogin() string {
	if v.Member.LastLoginAt.IsZero() {
		return "Never"
	}
	return timeAgo(v.Member.LastLoginAt, v.Now) + " (" + v.Member.LastLoginAt.UTC().Format(fullTime) + ")"
}

func (v MemberView) invitation() string {
	if v.Invite == nil {
		return ""
	}
	return UsersView{Now: v.Now}.expiry(*v.Invite)
}

func (v MemberView) statusBadge() (string, string) {
	if v.Invite != nil && v.Invite.Declined {
		return "Declined", "red"
	}
	if v.Invite != nil && v.Invite.Expired {
		return "Expired", "red"
	}
	return v.Member.Status.Label(), statusKind(v.Member.Status)
}

func actionButtonClass(danger bool) string {
	if danger {
		return "btn danger"
	}
	return "btn"
}
