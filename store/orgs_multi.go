package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// CreateOrganization creates an organization named name with u as its active Owner.
func (s *Store) CreateOrganization(ctx context.Context, name string, u *models.User) (*models.Organization, *models.Membership, error) {
	org := models.Organization{Name: name, InviteLifetimeHours: 72}
	var m *models.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&org).Error; err != nil {
			return err
		}
		var err error
		m, err = addMembership(tx, org.ID, u, []models.Role{models.RoleOwner})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to create organization: %w", err)
	}
	return &org, m, nil
}

// UserOrgs returns the organizations where the user's membership is active, by name.
func (s *Store) UserOrgs(ctx context.Context, userID int64) ([]models.Organization, error) {
	return s.userOrgsIn(ctx, userID, models.StatusActive)
}

// WaitingOrgs returns the organizations where the user's request waits for approval, by name.
func (s *Store) WaitingOrgs(ctx context.Context, userID int64) ([]models.Organization, error) {
	return s.userOrgsIn(ctx, userID, models.StatusPending)
}

func (s *Store) userOrgsIn(ctx context.Context, userID int64, status models.Status) ([]models.Organization, error) {
	var orgs []models.Organization
	err := s.reader(ctx).Joins("JOIN memberships ON memberships.org_id = organizations.id").
		Where("memberships.user_id = ? AND memberships.status = ?", userID, status).
		Order("organizations.name, organizations.id").Find(&orgs).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list organizations: %w", err)
	}
	return orgs, nil
}

// FindUserMembership returns the user's membership in org (any status) with its roles, or
// models.ErrNotFound.
func (s *Store) FindUserMembership(ctx context.Context, userID, orgID int64) (*models.Membership, error) {
	db := s.reader(ctx)
	var m models.Membership
	if err := db.Where("org_id = ? AND user_id = ?", orgID, userID).Take(&m).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find membership: %w", err)
	}
	roles, err := rolesOf(db, []int64{m.ID})
	if err != nil {
		return nil, fmt.Errorf("store: unable to find membership: %w", err)
	}
	m.Roles = roles[m.ID]
	return &m, nil
}

// OtherActiveOrg returns an organization, other than except, where the user is active: the
// one they were last in when it qualifies, else the oldest membership's. None is
// models.ErrNotFound.
func (s *Store) OtherActiveOrg(ctx context.Context, userID, except int64) (int64, error) {
	var ids []int64
	err := s.reader(ctx).Model(&models.Membership{}).Where("user_id = ? AND status = ? AND org_id <> ?", userID, models.StatusActive, except).
		Order("id").Limit(50).Pluck("org_id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to find another organization: %w", err)
	}
	if len(ids) == 0 {
		return 0, models.ErrNotFound
	}
	var u models.User
	if err := s.reader(ctx).Select("last_org_id").Take(&u, userID).Error; err != nil {
		return 0, fmt.Errorf("store: unable to find another organization: %w", err)
	}
	if u.LastOrgID != nil && slices.Contains(ids, *u.LastOrgID) {
		return *u.LastOrgID, nil
	}
	return ids[0], nil
}

// MoveSession puts a session in another organization (nil: none) and records it as the
// user's last one, so their next login starts there.
func (s *Store) MoveSession(ctx context.Context, sess *models.Session, orgID *int64) error {
	defer s.noteChange(ctx)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.Session{}).Where("id = ?", sess.ID).Update("org_id", orgID).Error; err != nil {
			return err
		}
		if orgID == nil {
			return nil
		}
		return tx.Model(&models.User{}).Where("id = ?", sess.UserID).UpdateColumn("last_org_id", *orgID).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to move session: %w", err)
	}
	return nil
}

// ReplaceSession ends old and starts a session for the same user and browser in orgID, with
// a new token: switching organizations issues a new session id, so the old cookie stops working.
func (s *Store) ReplaceSession(ctx context.Context, old *models.Session, tokenHash []byte, orgID int64) (*models.Session, error) {
	defer s.noteChange(ctx)
	var sess *models.Session
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Delete(&models.Session{}, old.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrNotFound // ended meanwhile (logout in a parallel request)
		}
		now := s.now()
		sess = &models.Session{TokenHash: tokenHash, UserID: old.UserID, OrgID: orgID, IP: old.IP, UserAgent: old.UserAgent,
			CreatedAt: old.CreatedAt, LastSeenAt: now}
		if err := tx.Create(sess).Error; err != nil {
			return err
		}
		return tx.Model(&models.User{}).Where("id = ?", old.UserID).UpdateColumn("last_org_id", orgID).Error
	})
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to switch session: %w", err)
	}
	return sess, nil
}

// OpenInvitation is an invitation waiting for an existing account's answer: the invited
// membership, its organization, the live link and who sent it.
type OpenInvitation struct {
	Membership models.Membership
	Org        models.Organization
	Invitation models.Invitation
	Inviter    string // the inviter's name, or "" when unknown
}

// openInvitations selects the live links of invited memberships of email.
func (s *Store) openInvitations(db *gorm.DB, email string) *gorm.DB {
	return db.Table("invitations").Joins("JOIN memberships ON memberships.id = invitations.membership_id").
		Where("memberships.email = ? AND memberships.status = ?", email, models.StatusInvited).
		Where("invitations.used_at IS NULL AND invitations.revoked_at IS NULL AND invitations.superseded_at IS NULL").
		Where("invitations.declined_at IS NULL AND invitations.expires_at > ?", s.now())
}

// CountOpenInvitations counts the invitations waiting for the account with that email (the bell).
func (s *Store) CountOpenInvitations(ctx context.Context, email string) (int, error) {
	var n int64
	if err := s.openInvitations(s.reader(ctx), email).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count invitations: %w", err)
	}
	return int(n), nil
}

// OpenInvitations lists the invitations waiting for the account with that email, newest
// first; with membershipID other than 0, only that membership's (models.ErrNotFound when it
// has none: another person's, answered, expired or withdrawn).
func (s *Store) OpenInvitations(ctx context.Context, email string, membershipID int64) ([]OpenInvitation, error) {
	db := s.reader(ctx)
	q := s.openInvitations(db, email).Select("invitations.*").Order("invitations.id DESC").Limit(100)
	if membershipID != 0 {
		q = q.Where("memberships.id = ?", membershipID)
	}
	var invs []models.Invitation
	if err := q.Find(&invs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list invitations: %w", err)
	}
	if membershipID != 0 && len(invs) == 0 {
		return nil, models.ErrNotFound
	}
	out := make([]OpenInvitation, 0, len(invs))
	for _, inv := range invs {
		o := OpenInvitation{Invitation: inv}
		if err := db.Take(&o.Org, inv.OrgID).Error; err != nil {
			return nil, fmt.Errorf("store: unable to list invitations: %w", err)
		}
		m, err := loadMember(db, inv.OrgID, inv.MembershipID)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list invitations: %w", err)
		}
		o.Membership = *m
		if inv.InvitedByID != nil {
			var u models.User
			if err := db.Take(&u, *inv.InvitedByID).Error; err == nil {
				o.Inviter = u.DisplayName()
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// AnswerInvitation spends the live link inv on behalf of u: joining (to is the status the
// membership takes, decided by the caller) or, with to "", declining (the link is marked
// declined and the membership stays invited, so the inviter sees "Declined" and may
// reinvite). Of parallel answers one wins; the others get a *models.LinkError.
func (s *Store) AnswerInvitation(ctx context.Context, inv models.Invitation, u *models.User, to models.Status) (*models.Membership, error) {
	defer s.noteChange(ctx)
	var m *models.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		col := "used_at"
		if to == "" {
			col = "declined_at"
		}
		res := tx.Model(&models.Invitation{}).Where("id = ? AND used_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL", inv.ID).
			Update(col, s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &models.LinkError{State: models.LinkUsed}
		}
		var err error
		if m, err = loadMember(tx, inv.OrgID, inv.MembershipID); err != nil {
			return err
		}
		if to == "" {
			return nil
		}
		m.UserID, m.Status = &u.ID, to
		m.SetName(u.FirstName, u.LastName)
		return tx.Model(m).Select("user_id", "status", "first_name", "last_name", "name_key", "last_name_key", "updated_at").Updates(m).Error
	})
	if err != nil {
		var le *models.LinkError
		if errors.As(err, &le) || errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to answer invitation: %w", err)
	}
	return m, nil
}

// DeleteMembership removes a membership (leaving an organization): its roles, grants and
// links go with it; audit events keep the email.
func (s *Store) DeleteMembership(ctx context.Context, m *models.Membership) error {
	defer s.noteChange(ctx)
	if err := s.writer(ctx).Delete(&models.Membership{}, m.ID).Error; err != nil {
		return fmt.Errorf("store: unable to delete membership: %w", err)
	}
	return nil
}

// DeleteOrganization deletes an organization and everything it holds (memberships, links,
// apps, its audit log); accounts stay, and sessions in it are left without an organization
// (moved on their next request).
func (s *Store) DeleteOrganization(ctx context.Context, orgID int64) error {
	defer s.noteChange(ctx)
	res := s.writer(ctx).Delete(&models.Organization{}, orgID)
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete organization: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return models.ErrNotFound
	}
	return nil
}

// SearchAcquaintances finds active members of the organizations where userID is active,
// other than exceptOrg, whose name or email starts with term (any, when empty) and, when ids
// is not nil, whose account id is among ids; at most limit, by email. It is how an inviter
// picks "People from your other organizations": never anyone they share no active
// organization with.
func (s *Store) SearchAcquaintances(ctx context.Context, userID, exceptOrg int64, term string, ids []int64, limit int) ([]models.User, error) {
	db := s.reader(ctx)
	mine := db.Model(&models.Membership{}).Select("org_id").Where("user_id = ? AND status = ? AND org_id <> ?", userID, models.StatusActive, exceptOrg)
	theirs := db.Model(&models.Membership{}).Select("user_id").Where("org_id IN (?) AND status = ? AND user_id IS NOT NULL", mine, models.StatusActive)
	q := db.Model(&models.User{}).Where("id IN (?) AND id <> ?", theirs, userID)
	if term != "" {
		like := escapeLike(term) + "%"
		q = q.Where("(email LIKE ? ESCAPE '\\' OR LOWER(first_name) LIKE ? ESCAPE '\\' OR LOWER(last_name) LIKE ? ESCAPE '\\')", like, like, like)
	}
	if ids != nil {
		q = q.Where("id IN ?", ids)
	}
	var users []models.User
	if err := q.Order("email").Limit(limit).Find(&users).Error; err != nil {
		return nil, fmt.Errorf("store: unable to search people: %w", err)
	}
	return users, nil
}

// escapeLike makes term match itself literally in a LIKE pattern with ESCAPE '\'.
func escapeLike(term string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(term))
}
