package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// InviteInput is one submission of the invite form.
type InviteInput struct {
	FirstName  string // used when one person is invited
	LastName   string
	Roles      []models.Role
	Department string
	Position   string
	ExpiresAt  time.Time
	Quota      int // invitation emails the actor may send in any 24 hours
	People     []InvitePerson
}

// InvitePerson is one invited email with its link's token hash and the composed email.
type InvitePerson struct {
	Email     string
	TokenHash []byte
	Message   models.OutboxMessage // recipient, subject and bodies; the store links and enqueues it
}

// InviteResult is what happened to one invited email.
type InviteResult string

// Invite results.
const (
	InviteSent      InviteResult = "sent"
	InviteExists    InviteResult = "exists" // a membership already exists; Existing says in what status
	InviteOverQuota InviteResult = "quota"
)

// InviteOutcome is the result for one email of an invite submission.
type InviteOutcome struct {
	Email    string
	Result   InviteResult
	Existing *models.Membership
}

// InviteMembers invites each person in one transaction: a membership in status invited (or a
// revoked one brought back), its roles, one invitation link, the email in the outbox and an
// audit event. An email that already has a membership is not touched; its outcome says why.
// Emails past the actor's daily quota are not sent; counting happens inside the (IMMEDIATE)
// transaction, so parallel submissions cannot overshoot it.
func (s *Store) InviteMembers(ctx context.Context, actor *models.Current, in InviteInput, meta models.Meta) ([]InviteOutcome, error) {
	if !actor.Can(models.PermInviteMembers) {
		return nil, models.ErrForbidden
	}
	if err := models.CheckGrant(actorOf(actor), in.Roles); err != nil {
		return nil, err
	}
	out := make([]InviteOutcome, 0, len(in.People))
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		left, err := quotaLeft(tx, actor.User.ID, in.Quota, now)
		if err != nil {
			return err
		}
		for _, p := range in.People {
			var m models.Membership
			err := tx.Where("org_id = ? AND email = ?", actor.Org.ID, p.Email).Take(&m).Error
			found := err == nil
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			if found && m.Status != models.StatusRevoked {
				existing := m
				out = append(out, InviteOutcome{Email: p.Email, Result: InviteExists, Existing: &existing})
				continue
			}
			if left <= 0 {
				out = append(out, InviteOutcome{Email: p.Email, Result: InviteOverQuota})
				continue
			}
			left--
			m.OrgID, m.Email, m.Status, m.InvitedByID = actor.Org.ID, p.Email, models.StatusInvited, &actor.User.ID
			m.Department, m.Position = in.Department, in.Position
			if len(in.People) == 1 {
				m.SetName(in.FirstName, in.LastName)
			} else {
				m.SetName("", "")
			}
			if found {
				err = tx.Model(&m).Select("status", "invited_by_id", "department", "position", "first_name", "last_name",
					"name_key", "last_name_key", "updated_at").Updates(&m).Error
			} else {
				err = tx.Create(&m).Error
			}
			if err != nil {
				return err
			}
			if err := setRoles(tx, m.ID, in.Roles); err != nil {
				return err
			}
			msg := p.Message
			if err := mintLink(tx, &m, actor.User.ID, p.TokenHash, in.ExpiresAt, &msg, now); err != nil {
				return err
			}
			detail := "roles " + rolesText(in.Roles)
			if err := writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
				Action: models.ActionInvited, TargetMembershipID: &m.ID, TargetEmail: m.Email, Detail: detail}, meta, now); err != nil {
				return err
			}
			out = append(out, InviteOutcome{Email: p.Email, Result: InviteSent})
		}
		return nil
	})
	if err != nil {
		return nil, wrapRule(err, "invite members")
	}
	return out, nil
}

// quotaLeft is how many invitation emails the user may still send in the 24 hours before now.
func quotaLeft(tx *gorm.DB, userID int64, quota int, now time.Time) (int, error) {
	var sent int64
	err := tx.Table("outbox_messages").Joins("JOIN invitations ON invitations.id = outbox_messages.invitation_id").
		Where("invitations.invited_by_id = ? AND invitations.created_at > ?", userID, now.Add(-24*time.Hour)).Count(&sent).Error
	return quota - int(sent), err
}

// mintLink supersedes every live link of the membership and creates a new one; with msg,
// it also puts the invitation email in the outbox, linked to the new invitation.
func mintLink(tx *gorm.DB, m *models.Membership, inviterID int64, tokenHash []byte, expires time.Time, msg *models.OutboxMessage, now time.Time) error {
	if err := tx.Model(&models.Invitation{}).
		Where("membership_id = ? AND used_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL", m.ID).
		Update("superseded_at", now).Error; err != nil {
		return err
	}
	inv := models.Invitation{OrgID: m.OrgID, MembershipID: m.ID, Email: m.Email, TokenHash: tokenHash,
		InvitedByID: &inviterID, ExpiresAt: expires, CreatedAt: now}
	if err := tx.Create(&inv).Error; err != nil {
		return err
	}
	if msg == nil {
		return nil
	}
	msg.OrgID, msg.InvitationID, msg.Channel, msg.Recipient = &m.OrgID, &inv.ID, models.ChannelEmail, m.Email
	return enqueue(tx, msg, now)
}

// NewLink is a freshly minted invitation link for an existing invited membership.
type NewLink struct {
	TokenHash []byte
	ExpiresAt time.Time
	Message   *models.OutboxMessage // the email to send; nil for a link the admin copies
	Quota     int
}

// Reinvite sends a new link to an invited member and invalidates every earlier one.
// With link.Message nil it is "Copy invite link": the same, but nothing is emailed.
func (s *Store) Reinvite(ctx context.Context, actor *models.Current, membershipID int64, link NewLink, meta models.Meta) error {
	act, action := models.ActReinvite, models.ActionReinvited
	if link.Message == nil {
		act, action = models.ActCopyLink, models.ActionLinkCopied
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		m, _, err := loadForAction(tx, actor, membershipID, act)
		if err != nil {
			return err
		}
		if err := models.CheckManageOwner(actorOf(actor), targetOf(m)); err != nil {
			return err
		}
		if link.Message != nil {
			left, err := quotaLeft(tx, actor.User.ID, link.Quota, now)
			if err != nil {
				return err
			}
			if left <= 0 {
				return &models.RuleError{Msg: "You have reached today's limit of invitation emails. Try again tomorrow, or use Copy invite link."}
			}
		}
		if err := mintLink(tx, m, actor.User.ID, link.TokenHash, link.ExpiresAt, link.Message, now); err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
			Action: action, TargetMembershipID: &m.ID, TargetEmail: m.Email}, meta, now)
	})
	return wrapRule(err, "reinvite member")
}

// RevokeInvitation invalidates every link of an invited member; the membership leaves the
// Users page tabs and stays only in the audit log.
func (s *Store) RevokeInvitation(ctx context.Context, actor *models.Current, membershipID int64, meta models.Meta) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		m, to, err := loadForAction(tx, actor, membershipID, models.ActRevoke)
		if err != nil {
			return err
		}
		if err := models.CheckManageOwner(actorOf(actor), targetOf(m)); err != nil {
			return err
		}
		if err := tx.Model(&models.Invitation{}).Where("membership_id = ? AND used_at IS NULL AND revoked_at IS NULL", m.ID).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(m).Update("status", to).Error; err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &actor.Org.ID, ActorUserID: &actor.User.ID, ActorEmail: actor.User.Email,
			Action: models.ActionRevoked, TargetMembershipID: &m.ID, TargetEmail: m.Email}, meta, now)
	})
	return wrapRule(err, "revoke invitation")
}

// InvitationInfo is an invitation link with what its signup page shows.
type InvitationInfo struct {
	Invitation    models.Invitation
	State         models.LinkState
	Org           models.Organization
	Membership    models.Membership
	Inviter       *models.User // nil when the inviter's account is gone
	AccountExists bool         // the invited email already has a Gatehouse account
}

// FindInvitation looks up a link by its raw token. An unknown token is models.ErrNotFound.
func (s *Store) FindInvitation(ctx context.Context, raw string) (*InvitationInfo, error) {
	db := s.reader(ctx)
	var info InvitationInfo
	if err := db.Where("token_hash = ?", models.HashToken(raw)).Take(&info.Invitation).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find invitation: %w", err)
	}
	info.State = info.Invitation.State(s.now())
	if err := db.Take(&info.Org, info.Invitation.OrgID).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load invitation organization: %w", err)
	}
	if err := db.Take(&info.Membership, info.Invitation.MembershipID).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load invited membership: %w", err)
	}
	if id := info.Invitation.InvitedByID; id != nil {
		var u models.User
		if err := db.Take(&u, *id).Error; err == nil {
			info.Inviter = &u
		}
	}
	var n int64
	if err := db.Model(&models.User{}).Where("email = ?", info.Invitation.Email).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("store: unable to check account: %w", err)
	}
	info.AccountExists = n > 0
	return &info, nil
}

// AcceptInput is the signup form of an invited person.
type AcceptInput struct {
	FirstName    string
	LastName     string
	PasswordHash string
}

// AcceptInvitation spends a live link and, in one transaction, creates the account and makes
// the membership active. The link is claimed with a conditional update, so of many parallel
// submissions exactly one creates the account; the others get a *models.LinkError (used).
func (s *Store) AcceptInvitation(ctx context.Context, raw string, in AcceptInput, meta models.Meta) (*models.User, *models.Membership, error) {
	var user models.User
	var m models.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var inv models.Invitation
		if err := tx.Where("token_hash = ?", models.HashToken(raw)).Take(&inv).Error; err != nil {
			return notFound(err)
		}
		if st := inv.State(now); st != models.LinkLive {
			return &models.LinkError{State: st}
		}
		res := tx.Model(&models.Invitation{}).Where("id = ? AND used_at IS NULL", inv.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &models.LinkError{State: models.LinkUsed}
		}
		if err := tx.Take(&m, inv.MembershipID).Error; err != nil {
			return err
		}
		to, err := models.Transition(m.Status, models.ActAccept)
		if err != nil {
			return &models.LinkError{State: models.LinkRevoked}
		}
		user = models.User{Email: inv.Email, FirstName: in.FirstName, LastName: in.LastName, PasswordHash: in.PasswordHash, LastOrgID: &m.OrgID}
		if err := tx.Create(&user).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.ErrConflict
			}
			return err
		}
		m.UserID, m.Status = &user.ID, to
		m.SetName(in.FirstName, in.LastName)
		if err := tx.Model(&m).Select("user_id", "status", "first_name", "last_name", "name_key", "last_name_key", "updated_at").Updates(&m).Error; err != nil {
			return err
		}
		return writeAudit(tx, models.AuditEvent{OrgID: &m.OrgID, ActorUserID: &user.ID, ActorEmail: user.Email,
			Action: models.ActionSignedUp, TargetMembershipID: &m.ID, TargetEmail: user.Email}, meta, now)
	})
	if err != nil {
		var le *models.LinkError
		if errors.As(err, &le) || errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrConflict) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store: unable to accept invitation: %w", err)
	}
	return &user, &m, nil
}

// LatestInvitations returns the newest invitation of each membership, in one query.
func (s *Store) LatestInvitations(ctx context.Context, orgID int64, membershipIDs []int64) (map[int64]models.Invitation, error) {
	out := make(map[int64]models.Invitation, len(membershipIDs))
	if len(membershipIDs) == 0 {
		return out, nil
	}
	var rows []models.Invitation
	err := s.reader(ctx).Where("id IN (?)", s.r.Model(&models.Invitation{}).Select("MAX(id)").
		Where("org_id = ? AND membership_id IN ?", orgID, membershipIDs).Group("membership_id")).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to load invitations: %w", err)
	}
	for _, inv := range rows {
		out[inv.MembershipID] = inv
	}
	return out, nil
}

func rolesText(roles []models.Role) string {
	sorted := models.SortRoles(roles)
	names := make([]string, len(sorted))
	for i, r := range sorted {
		names[i] = r.Label()
	}
	return strings.Join(names, ", ")
}

// wrapRule passes domain errors through untouched and wraps anything else.
func wrapRule(err error, what string) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{models.ErrForbidden, models.ErrNotFound, models.ErrConflict, models.ErrGone, models.ErrInvalid} {
		if errors.Is(err, e) {
			return err
		}
	}
	return fmt.Errorf("store: unable to %s: %w", what, err)
}
