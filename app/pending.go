package app

import (
	"context"
	"strings"

	"gatehouse/models"
)

// MaxRejectReason bounds the optional reason of a rejection.
const MaxRejectReason = 500

// ApproveRequest lets a pending (Approve) or rejected (Re-approve) person in with the roles
// chosen in the Approve dialog (none chosen: Viewer). The actor must be able to grant them;
// the person is emailed; audited.
func (s *Service) ApproveRequest(ctx context.Context, cur *models.Current, id int64, act models.MemberAction, roles []models.Role, meta models.Meta) (*models.Membership, error) {
	if act != models.ActApprove && act != models.ActReapprove {
		return nil, models.ErrInvalid
	}
	roles = models.RolesOnActivation(roles)
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		found, _, err := s.memberFor(ctx, cur, id, act)
		if err != nil {
			return err
		}
		if err := models.CheckGrant(cur.Actor(), roles); err != nil {
			return err
		}
		if err := s.st.SetMemberRoles(ctx, found, roles); err != nil {
			return err
		}
		if found.RejectReason != "" {
			if err := s.st.SetRejectReason(ctx, found, ""); err != nil {
				return err
			}
		}
		m, err = s.changeStatus(ctx, cur, id, act, meta)
		return err
	})
	return m, err
}

// RejectRequest refuses a pending request with an optional reason, which is kept, shown
// under the Rejected filter and emailed to the person; audited.
func (s *Service) RejectRequest(ctx context.Context, cur *models.Current, id int64, reason string, meta models.Meta) (*models.Membership, error) {
	reason, msg := models.CleanText(reason, MaxRejectReason, "The reason")
	if msg != "" {
		return nil, models.FieldErrors{"reason": msg}
	}
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.changeStatusWith(ctx, cur, id, models.ActReject, reason, meta); err != nil {
			return err
		}
		return s.st.SetRejectReason(ctx, m, reason)
	})
	return m, err
}

// decided puts the email telling a person their request was approved or rejected in the
// outbox, inside the deciding transaction (nothing for other status changes).
func (s *Service) decided(ctx context.Context, cur *models.Current, m *models.Membership, act models.MemberAction, reason string) error {
	var subject, body string
	name := m.FirstName
	if name == "" {
		name = "Hello"
	} else {
		name = "Hello " + name
	}
	switch act {
	case models.ActApprove, models.ActReapprove:
		subject = "You can now use " + cur.Org.Name + " in Gatehouse"
		body = name + ",\n\nYour request to join " + cur.Org.Name + " was approved by " + cur.User.DisplayName() +
			". Log in to start:\n\n" + s.link("/login", nil) + "\n"
	case models.ActReject:
		subject = "Your request to join " + cur.Org.Name
		body = name + ",\n\nYour request to join " + cur.Org.Name + " in Gatehouse was not approved."
		if reason != "" {
			body += "\n\nThe reason given: " + reason
		}
		body += "\n\nIf you think this is a mistake, ask " + cur.User.DisplayName() + " (" + cur.User.Email + ").\n"
	default:
		return nil
	}
	msg := models.OutboxMessage{OrgID: &cur.Org.ID, Channel: models.ChannelEmail, Recipient: m.Email,
		Subject: strings.ReplaceAll(subject, "\n", " "), TextBody: body}
	return s.st.Enqueue(ctx, &msg)
}

// Inviters names who invited each of the members listed (the Pending tab's "how"): inviter
// account id to name, for inviters who are members of the current organization.
func (s *Service) Inviters(ctx context.Context, cur *models.Current, members []models.Membership) (map[int64]string, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	var ids []int64
	for _, m := range members {
		if m.InvitedByID != nil {
			ids = append(ids, *m.InvitedByID)
		}
	}
	return s.st.MemberNames(ctx, cur.Org.ID, ids)
}
