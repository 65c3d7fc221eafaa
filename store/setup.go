package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// models.SetupLinkLifetime bounds how long a printed setup link works.

// CreateSetupToken mints a setup link token when the database has no users yet, and
// invalidates any earlier one. It returns "" when setup has already been done.
func (s *Store) CreateSetupToken(ctx context.Context) (string, error) {
	var raw string
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.serialize(ctx, "setup", 0); err != nil {
			return err
		}
		tx := s.writer(ctx)
		var users int64
		if err := tx.Model(&models.User{}).Count(&users).Error; err != nil {
			return err
		}
		if users > 0 {
			return nil
		}
		if err := tx.Where("purpose = ?", models.PurposeSetup).Delete(&models.Token{}).Error; err != nil {
			return err
		}
		var hash []byte
		raw, hash = models.NewToken()
		now := s.now()
		return tx.Create(&models.Token{Purpose: models.PurposeSetup, Hash: hash, ExpiresAt: now.Add(models.SetupLinkLifetime), CreatedAt: now}).Error
	})
	if err != nil {
		return "", fmt.Errorf("store: unable to create setup token: %w", err)
	}
	return raw, nil
}

// CheckSetupToken returns nil when raw is a live setup token, models.ErrGone otherwise.
func (s *Store) CheckSetupToken(ctx context.Context, raw string) error {
	_, err := findLiveToken(s.reader(ctx), models.PurposeSetup, raw, s.now())
	return err
}

func findLiveToken(db *gorm.DB, purpose models.TokenPurpose, raw string, now time.Time) (*models.Token, error) {
	var t models.Token
	err := db.Where("hash = ? AND purpose = ?", models.HashToken(raw), purpose).Take(&t).Error
	if err != nil {
		if notFound(err) == models.ErrNotFound {
			return nil, models.ErrGone
		}
		return nil, fmt.Errorf("store: unable to find token: %w", err)
	}
	if t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, models.ErrGone
	}
	return &t, nil
}

// SetupInput is the first Owner and organization created through the setup link.
type SetupInput struct {
	OrgName      string
	FirstName    string
	LastName     string
	Email        string
	PasswordHash string
}

// SetupResult is what CompleteSetup created.
type SetupResult struct {
	Org        models.Organization
	User       models.User
	Membership models.Membership
}

// CompleteSetup spends the setup token and creates the organization and its first Owner.
// A spent, expired or unknown token, or one used after an Owner exists, gives models.ErrGone.
func (s *Store) CompleteSetup(ctx context.Context, raw string, in SetupInput) (*SetupResult, error) {
	var res SetupResult
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.serialize(ctx, "setup", 0); err != nil {
			return err
		}
		tx := s.writer(ctx)
		now := s.now()
		t, err := findLiveToken(tx, models.PurposeSetup, raw, now)
		if err != nil {
			return err
		}
		// The link is for the first Owner only: one added meanwhile (create-owner) ends it.
		var users int64
		if err := tx.Model(&models.User{}).Count(&users).Error; err != nil {
			return err
		}
		if users > 0 {
			return models.ErrGone
		}
		upd := tx.Model(&models.Token{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now)
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected != 1 {
			return models.ErrGone
		}
		res.Org = models.Organization{Name: in.OrgName, InviteLifetimeHours: 72}
		if err := tx.Create(&res.Org).Error; err != nil {
			return err
		}
		res.User = models.User{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, PasswordHash: in.PasswordHash, LastOrgID: &res.Org.ID}
		if err := tx.Create(&res.User).Error; err != nil {
			return err
		}
		m, err := addMembership(tx, res.Org.ID, &res.User, []models.Role{models.RoleOwner})
		if err != nil {
			return err
		}
		res.Membership = *m
		return nil
	})
	if err != nil {
		if err == models.ErrGone {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to complete setup: %w", err)
	}
	return &res, nil
}
