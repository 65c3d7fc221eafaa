package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Secret returns the installation's signing secret, generating and keeping one on first use.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	var value string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw("SELECT value FROM settings WHERE key = 'secret'").Row().Scan(&value)
		if err == nil {
			return nil
		}
		if !errors.Is(err, errNoRows) {
			return err
		}
		b := make([]byte, 32)
		rand.Read(b)
		value = hex.EncodeToString(b)
		// Another process may have kept one first: the secret is whichever is stored.
		if err := tx.Exec("INSERT INTO settings (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING", value).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT value FROM settings WHERE key = 'secret'").Row().Scan(&value)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to load secret: %w", err)
	}
	return hex.DecodeString(value)
}
