package models

import "time"

// Action names an audited event.
type Action string

// Audited actions.
const (
	ActionSetup        Action = "setup.completed"
	ActionOwnerCreated Action = "owner.created"
	ActionLogin        Action = "login.succeeded"
	ActionLoginFailed  Action = "login.failed"
	ActionLoginBlocked Action = "login.blocked"
	ActionLogout       Action = "logout"
	ActionDenied       Action = "access.denied"
	ActionOrgUpdated   Action = "org.updated"

	ActionInvited        Action = "member.invited"
	ActionReinvited      Action = "member.reinvited"
	ActionLinkCopied     Action = "member.invite_link_copied"
	ActionRevoked        Action = "member.invitation_revoked"
	ActionSignedUp       Action = "member.signed_up"
	ActionRolesChanged   Action = "member.roles_changed"
	ActionDetailsChanged Action = "member.details_changed"
	ActionTerminated     Action = "member.terminated"
	ActionRestored       Action = "member.restored"
	ActionApproved       Action = "member.approved"
	ActionRejected       Action = "member.rejected"
	ActionReapproved     Action = "member.reapproved"
)

// AuditEvent records who did what to whom, when and from where.
type AuditEvent struct {
	ID                 int64
	OrgID              *int64
	ActorUserID        *int64
	ActorEmail         string
	Action             Action
	TargetMembershipID *int64
	TargetEmail        string
	IP                 string
	UserAgent          string
	Detail             string
	CreatedAt          time.Time
}

// AuditActions lists the actions the audit log can be filtered by, in display order.
var AuditActions = []Action{
	ActionInvited, ActionReinvited, ActionLinkCopied, ActionRevoked, ActionSignedUp,
	ActionRolesChanged, ActionDetailsChanged, ActionTerminated, ActionRestored,
	ActionApproved, ActionRejected, ActionReapproved,
	ActionLogin, ActionLoginFailed, ActionLoginBlocked, ActionLogout, ActionDenied,
	ActionSetup, ActionOwnerCreated, ActionOrgUpdated,
}

// Label is the action as the audit log shows it.
func (a Action) Label() string {
	switch a {
	case ActionSetup:
		return "Setup completed"
	case ActionOwnerCreated:
		return "Owner added from the command line"
	case ActionLogin:
		return "Logged in"
	case ActionLoginFailed:
		return "Login failed"
	case ActionLoginBlocked:
		return "Login blocked"
	case ActionLogout:
		return "Logged out"
	case ActionDenied:
		return "Access denied"
	case ActionOrgUpdated:
		return "Settings changed"
	case ActionInvited:
		return "Invited"
	case ActionReinvited:
		return "Reinvited"
	case ActionLinkCopied:
		return "Invite link copied"
	case ActionRevoked:
		return "Invitation revoked"
	case ActionSignedUp:
		return "Signed up"
	case ActionRolesChanged:
		return "Roles changed"
	case ActionDetailsChanged:
		return "Details changed"
	case ActionTerminated:
		return "Terminated"
	case ActionRestored:
		return "Restored"
	case ActionApproved:
		return "Approved"
	case ActionRejected:
		return "Rejected"
	case ActionReapproved:
		return "Re-approved"
	}
	return string(a)
}
