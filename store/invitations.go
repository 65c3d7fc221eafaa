package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// InvitesSentSince counts the invitation emails the user has had put in the outbox since
// since (links copied without an email do not count). Called inside the inviting use case's
// transaction, the count and the invitations it allows are one atomic step.
func (s *Store) InvitesSentSince(ctx context.Context, userID int64, since time.Time) (int, error) {
	if err := s.serialize(ctx, "invites by", userID); err != nil {
		return 0, err
	}
	var sent int64
	err := s.reader(ctx).Table("outbox_messages").Joins("JOIN invitations ON invitations.id = outbox_messages.invitation_id").
		Where("invitations.invited_by_id = ? AND invitations.created_at > ?", userID, since).Count(&sent).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to count invitations sent: %w", err)
	}
	return int(sent), nil
}

// SaveInvitedMember writes m (in status invited) with roles: a new membership when m.ID is
// 0, else the invitation's fields of the existing one (a revoked membership invited again).
func (s *Store) SaveInvitedMember(ctx context.Context, m *models.Membership, roles []models.Role) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if m.ID != 0 {
			err = tx.Model(m).Select("status", "invited_by_id", "joined_via", "department_id", "position", "job_id", "location", "first_name", "last_name",
				"name_key", "last_name_key", "updated_at").Updates(m).Error
		} else {
			err = tx.Create(m).Error
		}
		if err != nil {
			return err
		}
		m.Roles = models.SortRoles(roles)
		return setRoles(tx, m.ID, roles)
	})
	if err != nil {
		return fmt.Errorf("store: unable to save invited member: %w", err)
	}
	return nil
}

// MintInvitation supersedes every live link of the membership and stores a new one under
// tokenHash, asked for from ip; with msg, it also puts the invitation email in the outbox,
// linked to it.
func (s *Store) MintInvitation(ctx context.Context, m *models.Membership, inviterID int64, ip string, tokenHash []byte, expires time.Time, msg *models.OutboxMessage) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := tx.Model(&models.Invitation{}).
			Where("membership_id = ? AND used_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL", m.ID).
			Update("superseded_at", now).Error; err != nil {
			return err
		}
		inv := models.Invitation{OrgID: m.OrgID, MembershipID: m.ID, Email: m.Email, Phone: m.Phone, TokenHash: tokenHash,
			InvitedByID: &inviterID, IP: ip, ExpiresAt: expires, CreatedAt: now}
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		if msg == nil {
			return nil
		}
		msg.OrgID, msg.InvitationID, msg.Channel, msg.Recipient = &m.OrgID, &inv.ID, models.ChannelEmail, m.Email
		// A phone invitation (no email yet) is texted.
		if m.Email == "" {
			msg.Channel, msg.Recipient, msg.Subject, msg.HTMLBody = models.ChannelSMS, m.Phone, "", ""
		}
		return enqueue(tx, msg, now)
	})
	if err != nil {
		return fmt.Errorf("store: unable to mint invitation: %w", err)
	}
	return nil
}

// RevokeInvitations ends every unused link of the membership and moves it to status to.
func (s *Store) RevokeInvitations(ctx context.Context, m *models.Membership, to models.Status) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.Invitation{}).Where("membership_id = ? AND used_at IS NULL AND revoked_at IS NULL", m.ID).
			Update("revoked_at", s.now()).Error; err != nil {
			return err
		}
		return tx.Model(m).Update("status", to).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to revoke invitation: %w", err)
	}
	m.Status = to
	return nil
}

// FindInvitation looks up a link by its raw token. An unknown token is models.ErrNotFound.
func (s *Store) FindInvitation(ctx context.Context, raw string) (*models.InvitationInfo, error) {
	db := s.reader(ctx)
	var info models.InvitationInfo
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
	// Extras are the fields the organization requires at signup; the phone becomes the account's.
	Extras models.SignupExtras
	// DepartmentID is the department Extras names, resolved against the organization's list.
	DepartmentID *int64
	// Email is the address given at signup for a phone invitation (whose link has none).
	Email string
}

// AcceptInvitation spends a live link and creates the account and makes the membership
// active. The link is claimed with a conditional update, so of many parallel submissions
// exactly one creates the account; the others get a *models.LinkError (used). An email that
// already has an account is models.ErrConflict.
func (s *Store) AcceptInvitation(ctx context.Context, raw string, in AcceptInput) (*models.User, *models.Membership, error) {
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
		var org models.Organization
		if err := tx.Take(&org, m.OrgID).Error; err != nil {
			return err
		}
		to, err := models.JoinStatus(org, m)
		if err != nil {
			return &models.LinkError{State: models.LinkRevoked}
		}
		user = models.User{Email: inv.Email, FirstName: in.FirstName, LastName: in.LastName, PasswordHash: in.PasswordHash,
			Phone: cmp.Or(in.Extras.Phone, inv.Phone), LastOrgID: &m.OrgID}
		cols := []string{"user_id", "status", "first_name", "last_name", "name_key", "last_name_key", "updated_at"}
		if inv.Email == "" {
			// A phone invitation: the texted number is the account's phone (the link proved it);
			// the email is the one given now, which no other membership here may hold.
			user.Email, user.Phone, m.Email = in.Email, inv.Phone, in.Email
			var n int64
			if err := tx.Model(&models.Membership{}).Where("org_id = ? AND email = ? AND email <> '' AND id <> ?", m.OrgID, in.Email, m.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return models.FieldErrors{"email": "This email already has a membership here. Use another one, or ask whoever invited you."}
			}
			cols = append(cols, "email")
		}
		if err := tx.Create(&user).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.ErrConflict
			}
			return err
		}
		m.UserID, m.Status = &user.ID, to
		m.SetName(in.FirstName, in.LastName)
		if in.Extras.Any() {
			d := in.Extras.Details()
			if in.DepartmentID != nil {
				m.DepartmentID, m.Department = in.DepartmentID, d.Department
			}
			m.Position, m.JobID = cmp.Or(d.Position, m.Position), cmp.Or(d.JobID, m.JobID)
			cols = append(cols, "department_id", "position", "job_id")
		}
		return tx.Model(&m).Select(cols).Updates(&m).Error
	})
	if err != nil {
		var le *models.LinkError
		if errors.As(err, &le) || errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrInvalid) {
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

// rolesText names roles in audit details (models.RoleLabels).
func rolesText(roles []models.Role) string { return models.RoleLabels(roles) }

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

// InvitesSentFromIP counts the invitation emails asked for from ip since since, by anyone
// (the per-IP quota). Called inside the inviting use case's transaction, like InvitesSentSince.
func (s *Store) InvitesSentFromIP(ctx context.Context, ip string, since time.Time) (int, error) {
	if err := s.serialize(ctx, "invites from", ip); err != nil {
		return 0, err
	}
	var sent int64
	err := s.reader(ctx).Table("outbox_messages").Joins("JOIN invitations ON invitations.id = outbox_messages.invitation_id").
		Where("invitations.ip = ? AND invitations.created_at > ?", ip, since).Count(&sent).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to count invitations sent from an address: %w", err)
	}
	return int(sent), nil
}

// FindMemberByPhone returns the organization's membership invited by that phone (E.164), or
// models.ErrNotFound.
func (s *Store) FindMemberByPhone(ctx context.Context, orgID int64, phone string) (*models.Membership, error) {
	var m models.Membership
	err := s.reader(ctx).Where(memberByPhone, orgID, phone).Take(&m).Error
	if err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find member by phone: %w", err)
	}
	return &m, nil
}
