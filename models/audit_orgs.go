package models

// Audit actions of several organizations per person (issue 11).
const (
	ActionOrgCreated         Action = "org.created"
	ActionOrgSwitched        Action = "org.switched"
	ActionOrgLeft            Action = "org.left"
	ActionOrgDeleted         Action = "org.deleted"
	ActionInvitationJoined   Action = "member.joined"
	ActionInvitationDeclined Action = "member.invitation_declined"
)

// orgActionLabels are those actions as the audit log shows them.
var orgActionLabels = map[Action]string{
	ActionOrgCreated:         "Organization created",
	ActionOrgSwitched:        "Switched organization",
	ActionOrgLeft:            "Left the organization",
	ActionOrgDeleted:         "Organization deleted",
	ActionInvitationJoined:   "Joined",
	ActionInvitationDeclined: "Invitation declined",
}
