package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// ListOIDCClients returns an app's OIDC clients, oldest first.
func (s *Store) ListOIDCClients(ctx context.Context, orgID, appID int64) ([]models.OIDCClient, error) {
	var out []models.OIDCClient
	if err := s.reader(ctx).Where("org_id = ? AND app_id = ?", orgID, appID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list OIDC clients: %w", err)
	}
	return out, nil
}

// CreateOIDCClient stores a new client.
func (s *Store) CreateOIDCClient(ctx context.Context, c *models.OIDCClient) error {
	c.CreatedAt = s.now()
	return appWriteErr("add OIDC client", s.writer(ctx).Create(c).Error)
}

// DeleteOIDCClient deletes one of the app's clients, with its pending requests and refresh
// tokens; another organization's or app's client is models.ErrNotFound.
func (s *Store) DeleteOIDCClient(ctx context.Context, orgID, appID, id int64) error {
	res := s.writer(ctx).Where("org_id = ? AND app_id = ? AND id = ?", orgID, appID, id).Delete(&models.OIDCClient{})
	if res.Error != nil {
		return fmt.Errorf("store: unable to remove OIDC client: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.ErrNotFound
	}
	return nil
}

// FindOIDCClient returns the client with the given public client id, in any organization.
func (s *Store) FindOIDCClient(ctx context.Context, clientID string) (*models.OIDCClient, error) {
	var c models.OIDCClient
	if err := s.reader(ctx).Where("client_id = ?", clientID).Take(&c).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find OIDC client: %w", err)
	}
	return &c, nil
}

// FindActiveMember returns the user's membership of the organization, with its roles, and
// the user, when the membership is active; otherwise models.ErrNotFound.
func (s *Store) FindActiveMember(ctx context.Context, orgID, userID int64) (*models.Membership, *models.User, error) {
	db := s.reader(ctx)
	var m models.Membership
	if err := db.Where("org_id = ? AND user_id = ? AND status = ?", orgID, userID, models.StatusActive).Take(&m).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store: unable to find member: %w", err)
	}
	roles, err := rolesOf(db, []int64{m.ID})
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to find member: %w", err)
	}
	m.Roles = roles[m.ID]
	var u models.User
	if err := db.Where("id = ?", userID).Take(&u).Error; err != nil {
		return nil, nil, fmt.Errorf("store: unable to find member: %w", notFound(err))
	}
	return &m, &u, nil
}

// OIDCKeys returns the signing keys, newest first.
func (s *Store) OIDCKeys(ctx context.Context) ([]models.OIDCKey, error) {
	var out []models.OIDCKey
	if err := s.reader(ctx).Order("created_at DESC, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read signing keys: %w", err)
	}
	return out, nil
}

// CreateOIDCKey stores a new signing key.
func (s *Store) CreateOIDCKey(ctx context.Context, k *models.OIDCKey) error {
	k.CreatedAt = s.now()
	if err := s.writer(ctx).Create(k).Error; err != nil {
		return fmt.Errorf("store: unable to store signing key: %w", err)
	}
	return nil
}

// CreateOIDCAuthRequest stores an authorization request.
func (s *Store) CreateOIDCAuthRequest(ctx context.Context, r *models.OIDCAuthRequest) error {
	r.CreatedAt = s.now()
	if err := s.writer(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: unable to store authorization request: %w", err)
	}
	return nil
}

// FindOIDCAuthRequest returns an authorization request by id, or by its code's hash when
// codeHash is set.
func (s *Store) FindOIDCAuthRequest(ctx context.Context, id string, codeHash []byte) (*models.OIDCAuthRequest, error) {
	q := s.reader(ctx)
	if codeHash != nil {
		q = q.Where("code_hash = ?", codeHash)
	} else {
		q = q.Where("id = ?", id)
	}
	var r models.OIDCAuthRequest
	if err := q.Take(&r).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find authorization request: %w", err)
	}
	return &r, nil
}

// UpdateOIDCAuthRequest writes who logged in and the code's hash.
func (s *Store) UpdateOIDCAuthRequest(ctx context.Context, r *models.OIDCAuthRequest) error {
	res := s.writer(ctx).Model(r).Select("user_id", "membership_id", "auth_time", "code_hash").Updates(r)
	if res.Error != nil {
		return fmt.Errorf("store: unable to update authorization request: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.ErrNotFound
	}
	return nil
}

// DeleteOIDCAuthRequest deletes an authorization request, and those older than before.
func (s *Store) DeleteOIDCAuthRequest(ctx context.Context, id string, before time.Time) error {
	if err := s.writer(ctx).Where("id = ? OR created_at < ?", id, before).Delete(&models.OIDCAuthRequest{}).Error; err != nil {
		return fmt.Errorf("store: unable to delete authorization request: %w", err)
	}
	return nil
}

// CreateOIDCRefreshToken stores a refresh token.
func (s *Store) CreateOIDCRefreshToken(ctx context.Context, t *models.OIDCRefreshToken) error {
	t.CreatedAt = s.now()
	if err := s.writer(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("store: unable to store refresh token: %w", err)
	}
	return nil
}

// FindOIDCRefreshToken returns the refresh token with the given hash.
func (s *Store) FindOIDCRefreshToken(ctx context.Context, hash []byte) (*models.OIDCRefreshToken, error) {
	var t models.OIDCRefreshToken
	if err := s.reader(ctx).Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find refresh token: %w", err)
	}
	return &t, nil
}

// DeleteOIDCRefreshTokens deletes the refresh token id, or, when id is "", the user's tokens
// of the client.
func (s *Store) DeleteOIDCRefreshTokens(ctx context.Context, id string, userID int64, clientID string) error {
	q := s.writer(ctx)
	if id != "" {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("user_id = ? AND client_id = ?", userID, clientID)
	}
	if err := q.Delete(&models.OIDCRefreshToken{}).Error; err != nil {
		return fmt.Errorf("store: unable to delete refresh tokens: %w", err)
	}
	return nil
}

// RotateOIDCKey retires the keys still signing (retired_at = now), stores k as the new one,
// and deletes keys retired before prune (no longer published). It returns the ids retired.
func (s *Store) RotateOIDCKey(ctx context.Context, k *models.OIDCKey, prune time.Time) ([]string, error) {
	var retired []string
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := db.Model(&models.OIDCKey{}).Where("retired_at IS NULL").Pluck("id", &retired).Error; err != nil {
			return err
		}
		now := s.now()
		if err := db.Model(&models.OIDCKey{}).Where("retired_at IS NULL").Update("retired_at", now).Error; err != nil {
			return err
		}
		if err := db.Where("retired_at < ?", prune).Delete(&models.OIDCKey{}).Error; err != nil {
			return err
		}
		k.CreatedAt = now
		return db.Create(k).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to rotate the signing key: %w", err)
	}
	return retired, nil
}

// OrganizationIDs returns every organization's id, in order.
func (s *Store) OrganizationIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.reader(ctx).Model(&models.Organization{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list organizations: %w", err)
	}
	return ids, nil
}
