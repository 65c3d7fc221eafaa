package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// The public invitation's link token and join code are looked up by their SHA-256 hashes (as
// every token here, so timing reveals nothing); admins must see them again, so they are also
// kept sealed (AES-GCM, key from the installation secret: app/join_link.go) in join_sealed.

// JoinLinkUpdate is a change of the public invitation; nil fields stay as they are.
type JoinLinkUpdate struct {
	Enabled   *bool
	TokenHash []byte // with CodeHash and Sealed: a new link and code (Regenerate); uses start over
	CodeHash  []byte
	Sealed    []byte
	ExpiresAt **time.Time
	MaxUses   *int
	Domains   *string
}

// UpdateJoinLink changes the organization's public invitation and returns the organization.
func (s *Store) UpdateJoinLink(ctx context.Context, orgID int64, upd JoinLinkUpdate) (*models.Organization, error) {
	var org models.Organization
	err := s.tx(ctx, func(tx *gorm.DB) error {
		changes := map[string]any{"updated_at": s.now()}
		if upd.Enabled != nil {
			changes["join_enabled"] = *upd.Enabled
		}
		if upd.TokenHash != nil {
			changes["join_token_hash"], changes["join_code_hash"], changes["join_sealed"] = upd.TokenHash, upd.CodeHash, upd.Sealed
			changes["join_uses"] = 0
		}
		if upd.ExpiresAt != nil {
			changes["join_expires_at"] = *upd.ExpiresAt
		}
		if upd.MaxUses != nil {
			changes["join_max_uses"] = *upd.MaxUses
		}
		if upd.Domains != nil {
			changes["join_domains"] = *upd.Domains
		}
		if err := tx.Model(&models.Organization{ID: orgID}).Updates(changes).Error; err != nil {
			return err
		}
		return tx.Take(&org, orgID).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to update the public invitation: %w", err)
	}
	return &org, nil
}

// FindOrgByJoinToken returns the organization whose public link has that token hash (enabled
// or not), or models.ErrNotFound.
func (s *Store) FindOrgByJoinToken(ctx context.Context, hash []byte) (*models.Organization, error) {
	return s.findOrgBy(ctx, "join_token_hash", hash)
}

// FindOrgByJoinCode returns the organization whose join code has that hash, or models.ErrNotFound.
func (s *Store) FindOrgByJoinCode(ctx context.Context, hash []byte) (*models.Organization, error) {
	return s.findOrgBy(ctx, "join_code_hash", hash)
}

func (s *Store) findOrgBy(ctx context.Context, col string, hash []byte) (*models.Organization, error) {
	var org models.Organization
	if err := s.reader(ctx).Where(col+" = ?", hash).Take(&org).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find organization: %w", err)
	}
	return &org, nil
}

// ClaimJoinUse counts one use of the organization's public invitation, found by the hash of
// its link token or of its join code, if it is still open at now (enabled, unexpired, under
// its cap). It is one conditional update, so parallel joins cannot pass the cap; a closed
// one is models.ErrGone.
func (s *Store) ClaimJoinUse(ctx context.Context, orgID int64, via models.JoinVia, hash []byte, now time.Time) error {
	col := "join_token_hash"
	if via == models.ViaCode {
		col = "join_code_hash"
	}
	res := s.writer(ctx).Exec("UPDATE organizations SET join_uses = join_uses + 1 WHERE id = ? AND "+col+" = ? AND join_enabled = ?"+
		" AND (join_max_uses = 0 OR join_uses < join_max_uses) AND (join_expires_at IS NULL OR join_expires_at > ?)",
		orgID, hash, true, now)
	if res.Error != nil {
		return fmt.Errorf("store: unable to count a join: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return models.ErrGone
	}
	return nil
}

// CreateUser creates an account; an email that has one is models.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	err := s.writer(ctx).Create(u).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return models.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create user: %w", err)
	}
	return nil
}

// AddPendingMember adds the user to the organization as a request waiting in Pending, come in
// via. When the user (or their email) already has a membership there it is returned with
// models.ErrConflict, untouched.
func (s *Store) AddPendingMember(ctx context.Context, orgID int64, u *models.User, via models.JoinVia) (*models.Membership, error) {
	var m models.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("org_id = ? AND (user_id = ? OR email = ?)", orgID, u.ID, u.Email).Take(&m).Error
		if err == nil {
			return models.ErrConflict
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		m = models.Membership{OrgID: orgID, UserID: &u.ID, Status: models.StatusPending, Email: u.Email, JoinedVia: via}
		m.SetName(u.FirstName, u.LastName)
		return tx.Create(&m).Error
	})
	if errors.Is(err, models.ErrConflict) {
		return &m, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to add a join request: %w", err)
	}
	s.changed()
	return &m, nil
}

// SetRejectReason keeps why a request was rejected ("" clears it on re-approval).
func (s *Store) SetRejectReason(ctx context.Context, m *models.Membership, reason string) error {
	if err := s.writer(ctx).Model(m).Update("reject_reason", reason).Error; err != nil {
		return fmt.Errorf("store: unable to keep the reject reason: %w", err)
	}
	m.RejectReason = reason
	return nil
}

// MemberNames returns the display names of the organization's members among the accounts
// userIDs (an inviter named on the Pending tab); accounts outside the organization are left out.
func (s *Store) MemberNames(ctx context.Context, orgID int64, userIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []models.Membership
	err := s.reader(ctx).Select("user_id", "email", "first_name", "last_name").
		Where("org_id = ? AND user_id IN ?", orgID, userIDs).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to read member names: %w", err)
	}
	for _, m := range rows {
		out[*m.UserID] = m.DisplayName()
	}
	return out, nil
}
