package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Several instances on one database (issue 13): what one Gatehouse process must learn from
// the others through the database rather than its own memory.
//
// A Store is shared when Options.Shared is set (--several-instances) or the database is
// PostgreSQL, where a second instance may join at any time. A shared store records each
// write that may change who may use what in store_changes and polls it, so the forward-auth
// cache of every instance is emptied within ChangePoll of a change made on another; and the
// rate limits (rate_limits, below) are what app's database limiter keeps.

const (
	// ChangePoll is how often a shared store looks for changes made by other instances.
	ChangePoll = time.Second
	// keepChanges is how long store_changes rows are kept: every instance polls far more
	// often, and the newest row always stays (MAX(id) must not go back).
	keepChanges = 10 * time.Minute
	// sweepEvery is how often a shared store deletes expired rate limits and old changes.
	sweepEvery = time.Minute
)

// isPostgresURL reports whether a --db value names a PostgreSQL database.
func isPostgresURL(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// Shared reports whether the store expects other instances on its database.
func (s *Store) Shared() bool { return s.shared }

// noteChange records a change made by a single statement: at once for this instance, and, on
// a shared store when no transaction carries it (a transaction records its own when it
// commits), for the others.
func (s *Store) noteChange(ctx context.Context) {
	s.changed()
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); s.shared && !inTx {
		if err := s.w.WithContext(context.WithoutCancel(ctx)).Exec("INSERT INTO store_changes (created_at) VALUES (?)", s.now()).Error; err != nil {
			s.log.Warn("store: unable to record a change for the other instances", "err", err)
		}
	}
}

// PollChanges reads the newest change any instance recorded and, when it moved since the
// last poll, counts a change (Changes), so what was read before is read again. A shared
// store polls every ChangePoll by itself; tests call it to poll at once.
func (s *Store) PollChanges(ctx context.Context) error {
	var last int64
	if err := s.r.WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM store_changes").Scan(&last).Error; err != nil {
		return fmt.Errorf("store: unable to read the latest change: %w", err)
	}
	if s.seenChange.Swap(last) != last {
		s.changed()
	}
	return nil
}

// sharedWork polls for other instances' changes every ChangePoll and sweeps expired rate
// limits and old change rows every sweepEvery, until ctx ends.
func (s *Store) sharedWork(ctx context.Context) {
	poll := time.NewTicker(ChangePoll)
	defer poll.Stop()
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			if err := s.PollChanges(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("store: unable to poll for changes made by other instances", "err", err)
			}
		case <-sweep.C:
			if err := s.SweepShared(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("store: unable to sweep expired rate limits", "err", err)
			}
		}
	}
}

// SweepShared deletes the rate limits that have expired and the change rows every instance
// has seen (keeping the newest), so neither table grows with time or with outside traffic.
func (s *Store) SweepShared(ctx context.Context) error {
	now := s.now()
	return s.quietTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM rate_limits WHERE expires_at < ?", now).Error; err != nil {
			return err
		}
		return tx.Exec("DELETE FROM store_changes WHERE created_at < ? AND id < (SELECT MAX(id) FROM store_changes)", now.Add(-keepChanges)).Error
	})
}

// limitKey is the stored form of a rate-limit key: its SHA-256 in hex, so the table holds no
// email address or other raw key.
func limitKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// rateLimit is one row of rate_limits.
type rateLimit struct {
	KeyHash      string
	WindowStart  time.Time
	Count        int
	BlockedUntil *time.Time
	ExpiresAt    time.Time
}

// LimitBlockedUntil returns the latest time until which any of keys is blocked by failures
// (LimitFail), or the zero time when none is. One read by primary key, no write.
func (s *Store) LimitBlockedUntil(ctx context.Context, keys ...string) (time.Time, error) {
	if len(keys) == 0 {
		return time.Time{}, nil
	}
	hashes := make([]string, len(keys))
	for i, k := range keys {
		hashes[i] = limitKey(k)
	}
	var until []time.Time
	err := s.reader(ctx).Table("rate_limits").Where("key_hash IN ? AND blocked_until > ? AND expires_at > ?", hashes, s.now(), s.now()).
		Pluck("blocked_until", &until).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("store: unable to read rate limits: %w", err)
	}
	var latest time.Time
	for _, t := range until {
		if t.After(latest) {
			latest = t
		}
	}
	return latest, nil
}

// LimitFail counts a failure on each of keys; a key's count starts over when its last failure
// is older than forget. From the free-th failure on, the key is blocked for block(count).
// While any of keys is blocked, keys without a row are not added: a client already held
// back cannot fill the table with new keys (the in-memory limiter's rule).
func (s *Store) LimitFail(ctx context.Context, free int, forget time.Duration, block func(n int) time.Duration, keys ...string) error {
	err := s.quietTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		hashes := make([]string, len(keys))
		for i, k := range keys {
			hashes[i] = limitKey(k)
		}
		var rows []rateLimit
		if err := tx.Table("rate_limits").Where("key_hash IN ?", hashes).Find(&rows).Error; err != nil {
			return err
		}
		known, blocked := map[string]bool{}, false
		for _, r := range rows {
			known[r.KeyHash] = r.ExpiresAt.After(now)
			blocked = blocked || (r.BlockedUntil != nil && r.BlockedUntil.After(now) && r.ExpiresAt.After(now))
		}
		for _, h := range hashes {
			if blocked && !known[h] {
				continue
			}
			var n int
			err := tx.Raw(`INSERT INTO rate_limits (key_hash, window_start, count, expires_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (key_hash) DO UPDATE SET
					count = CASE WHEN rate_limits.expires_at <= ? THEN 1 ELSE rate_limits.count + 1 END,
					window_start = CASE WHEN rate_limits.expires_at <= ? THEN ? ELSE rate_limits.window_start END,
					blocked_until = CASE WHEN rate_limits.expires_at <= ? THEN NULL ELSE rate_limits.blocked_until END,
					expires_at = ?
				RETURNING count`, h, now, now.Add(forget), now, now, now, now, now.Add(forget)).Scan(&n).Error
			if err != nil {
				return err
			}
			if n >= free {
				if err := tx.Exec("UPDATE rate_limits SET blocked_until = ? WHERE key_hash = ?", now.Add(block(n)), h).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to count a failure: %w", err)
	}
	return nil
}

// LimitReset forgets key's failures. It reads first, so the common case (a login without
// earlier failures) writes nothing.
func (s *Store) LimitReset(ctx context.Context, key string) error {
	h := limitKey(key)
	var n int64
	if err := s.reader(ctx).Table("rate_limits").Where("key_hash = ?", h).Count(&n).Error; err != nil {
		return fmt.Errorf("store: unable to read a rate limit: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := s.quietTx(ctx, func(tx *gorm.DB) error { return tx.Exec("DELETE FROM rate_limits WHERE key_hash = ?", h).Error }); err != nil {
		return fmt.Errorf("store: unable to reset a rate limit: %w", err)
	}
	return nil
}

// LimitAllow counts one request on key and reports whether it is among the first limit of
// the current window, which starts at the key's first request and lasts window. One
// statement (an upsert returning the count), so instances counting at once never lose one.
func (s *Store) LimitAllow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	var n int
	err := s.quietTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		return tx.Raw(`INSERT INTO rate_limits (key_hash, window_start, count, expires_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (key_hash) DO UPDATE SET
				count = CASE WHEN rate_limits.expires_at <= ? THEN 1 ELSE rate_limits.count + 1 END,
				window_start = CASE WHEN rate_limits.expires_at <= ? THEN ? ELSE rate_limits.window_start END,
				expires_at = CASE WHEN rate_limits.expires_at <= ? THEN ? ELSE rate_limits.expires_at END
			RETURNING count`, limitKey(key), now, now.Add(window), now, now, now, now, now.Add(window)).Scan(&n).Error
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to count a request: %w", err)
	}
	return n <= limit, nil
}

// CountRateLimits is how many rate-limit rows are kept (tests: the table stays bounded).
func (s *Store) CountRateLimits(ctx context.Context) (int64, error) {
	var n int64
	err := s.reader(ctx).Table("rate_limits").Count(&n).Error
	return n, err
}
