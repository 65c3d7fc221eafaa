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
	ActionImported     Action = "members.imported"
	ActionExported     Action = "members.exported"
	ActionBulk         Action = "members.bulk_action"
	// Ways to join (issue 11 B).
	ActionJoinLinkChanged Action = "org.join_link_changed"
	ActionJoinRequested   Action = "member.join_requested"
	ActionJoinCodeWrong   Action = "join.code_wrong"
	ActionJoinBlocked     Action = "join.blocked"

	ActionDepartmentCreated Action = "department.created"
	ActionDepartmentRenamed Action = "department.renamed"
	ActionDepartmentDeleted Action = "department.deleted"

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

	ActionProfileUpdated       Action = "account.profile_updated"
	ActionPasswordChanged      Action = "account.password_changed"
	ActionPasswordResetAsked   Action = "account.password_reset_requested"
	ActionPasswordReset        Action = "account.password_reset"
	ActionSessionRevoked       Action = "account.session_revoked"
	ActionMFAEnrolled          Action = "mfa.enrolled"
	ActionMFARemoved           Action = "mfa.removed"
	ActionMFAReset             Action = "mfa.reset"
	ActionMFAFailed            Action = "mfa.failed"
	ActionRecoveryCodeUsed     Action = "mfa.recovery_code_used"
	ActionRecoveryCodesRenewed Action = "mfa.recovery_codes_regenerated"

	ActionAppAdded          Action = "app.added"
	ActionAppUpdated        Action = "app.updated"
	ActionAppEnabled        Action = "app.enabled"
	ActionAppDisabled       Action = "app.disabled"
	ActionAppDeleted        Action = "app.deleted"
	ActionAppRolesChanged   Action = "app.roles_changed"
	ActionAppAccessChanged  Action = "member.app_access_changed"
	ActionOIDCClientAdded   Action = "app.oidc_client_added"
	ActionOIDCClientRemoved Action = "app.oidc_client_removed"
	ActionOIDCKeyRotated    Action = "oidc.key_rotated"
)

// Aggregated reports whether the action is a refusal that can come in floods (a blocked
// login, an action refused for want of permission): the store writes the first of a minute
// from one address at once and the rest as one event with their count.
func (a Action) Aggregated() bool {
	return a == ActionLoginBlocked || a == ActionDenied || a == ActionJoinCodeWrong || a == ActionJoinBlocked
}

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
	ActionMFAEnrolled, ActionMFARemoved, ActionMFAReset, ActionMFAFailed, ActionRecoveryCodeUsed, ActionRecoveryCodesRenewed, ActionSMSCapped,
	ActionProfileUpdated, ActionPasswordChanged, ActionPasswordResetAsked, ActionPasswordReset, ActionSessionRevoked,
	ActionSetup, ActionOwnerCreated, ActionOrgUpdated, ActionImported, ActionExported, ActionBulk,
	ActionDepartmentCreated, ActionDepartmentRenamed, ActionDepartmentDeleted,
	ActionAppAdded, ActionAppUpdated, ActionAppEnabled, ActionAppDisabled, ActionAppDeleted, ActionAppRolesChanged, ActionAppAccessChanged,
	ActionOIDCClientAdded, ActionOIDCClientRemoved, ActionOIDCKeyRotated,
	ActionOrgCreated, ActionOrgSwitched, ActionOrgLeft, ActionOrgDeleted, ActionInvitationJoined, ActionInvitationDeclined,
	ActionJoinLinkChanged, ActionJoinRequested, ActionJoinCodeWrong, ActionJoinBlocked,
}

// Label is the action as the audit log shows it.
func (a Action) Label() string {
	if l, ok := orgActionLabels[a]; ok {
		return l
	}
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
	case ActionAppAdded:
		return "App added"
	case ActionAppUpdated:
		return "App changed"
	case ActionAppEnabled:
		return "App enabled"
	case ActionAppDisabled:
		return "App disabled"
	case ActionAppDeleted:
		return "App deleted"
	case ActionAppRolesChanged:
		return "App's roles changed"
	case ActionAppAccessChanged:
		return "App access changed"
	case ActionImported:
		return "Import confirmed"
	case ActionExported:
		return "Members exported"
	case ActionBulk:
		return "Bulk action"
	case ActionDepartmentCreated:
		return "Department created"
	case ActionDepartmentRenamed:
		return "Department renamed"
	case ActionDepartmentDeleted:
		return "Department deleted"
	case ActionOIDCClientAdded:
		return "OIDC client added"
	case ActionOIDCClientRemoved:
		return "OIDC client removed"
	case ActionOIDCKeyRotated:
		return "Signing key rotated"
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
	case ActionProfileUpdated:
		return "Profile updated"
	case ActionPasswordChanged:
		return "Password changed"
	case ActionPasswordResetAsked:
		return "Password reset requested"
	case ActionPasswordReset:
		return "Password reset"
	case ActionSessionRevoked:
		return "Session signed out"
	case ActionMFAEnrolled:
		return "Second factor added"
	case ActionMFARemoved:
		return "Second factor removed"
	case ActionMFAReset:
		return "MFA reset by an admin"
	case ActionMFAFailed:
		return "Second step failed"
	case ActionRecoveryCodeUsed:
		return "Recovery code used"
	case ActionRecoveryCodesRenewed:
		return "Recovery codes regenerated"
	case ActionSMSCapped:
		return "Text message refused (limit reached)"
	case ActionJoinLinkChanged:
		return "Public invitation changed"
	case ActionJoinRequested:
		return "Asked to join"
	case ActionJoinCodeWrong:
		return "Wrong join code"
	case ActionJoinBlocked:
		return "Join code attempts blocked"
	}
	return string(a)
}

// Meta is where a request came from, recorded on audit events and sessions.
type Meta struct {
	IP        string
	UserAgent string
	// Via names the bulk operation an action is part of ("bulk 3f9a2c"); the audit event's
	// detail ends with it, linking each member's event to the operation's.
	Via string
}

// Event is an audit event of action done by the current member in their organization.
func (c *Current) Event(action Action, detail string) AuditEvent {
	return AuditEvent{OrgID: &c.Org.ID, ActorUserID: &c.User.ID, ActorEmail: c.User.Email, Action: action, Detail: detail}
}

// EventOn is an audit event of action done by the current member to membership m.
func (c *Current) EventOn(action Action, m *Membership, detail string) AuditEvent {
	ev := c.Event(action, detail)
	ev.TargetMembershipID, ev.TargetEmail = &m.ID, m.Email
	return ev
}
