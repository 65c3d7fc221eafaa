package store

import (
	"context"
	"errors"
	"fmt"

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
