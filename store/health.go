package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// writeProbeEvery is how long Healthy trusts its last write probe: a load balancer asking
// every second costs one probe in ten seconds.
const writeProbeEvery = 10 * time.Second

// health is what Healthy knows about writing.
type health struct {
	mu       sync.Mutex
	probedAt time.Time
	probeErr error
	// failed holds the storage error of the last write when it failed (disk full, read-only
	// file, I/O error); a later write that succeeds clears it.
	failed atomic.Pointer[error]
}

var errProbe = errors.New("store: write probe rolled back")

// Healthy checks that the database answers a query and can be written: the last write did not
// fail for want of storage, and a write transaction can rewrite a row (rolled back at once, so
// nothing changes), probed at most every writeProbeEvery.
func (s *Store) Healthy(ctx context.Context) error {
	var one int
	if err := s.r.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("store: database unreachable: %w", err)
	}
	if p := s.health.failed.Load(); p != nil {
		return fmt.Errorf("store: the last write failed: %w", *p)
	}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	now := s.now()
	if s.health.probedAt.IsZero() || now.Sub(s.health.probedAt) >= writeProbeEvery || now.Before(s.health.probedAt) {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			// BEGIN IMMEDIATE alone passes on a read-only file (SQLite makes it a read
			// transaction there): rewrite one row as it is, then roll back.
			if err := tx.Exec("UPDATE schema_migrations SET name = name WHERE version = (SELECT MAX(version) FROM schema_migrations)").Error; err != nil {
				return err
			}
			return errProbe
		})
		if errors.Is(err, errProbe) {
			err = nil
		}
		s.health.probedAt, s.health.probeErr = now, err
	}
	if s.health.probeErr != nil {
		return fmt.Errorf("store: database cannot be written: %w", s.health.probeErr)
	}
	return nil
}

// noteWrite records how a write ended, for Healthy: a storage error is kept until a write succeeds.
func (s *Store) noteWrite(err error) {
	switch {
	case err == nil:
		if s.health.failed.Load() != nil {
			s.health.failed.Store(nil)
		}
	case s.d.storageError(err):
		s.health.failed.Store(&err)
	}
}
