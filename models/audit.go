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
