package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SQLite checkpoints its write-ahead log by itself only when a write statement runs to its
// end, and gorm writes Create as INSERT … RETURNING, reading one row and resetting the
// statement before that: under a load of inserts alone (audit events of a login flood) the
// WAL grew by 24 KB a request, to a gigabyte in seconds, while the database stayed the same.
// So the store checkpoints itself, whatever the mix of writes: a PASSIVE checkpoint (which
// never waits for readers) after every checkpointEvery writes and once a second after any
// write, and journal_size_limit cuts the file back when SQLite starts the log over.
const (
	checkpointEvery  = 256
	checkpointPeriod = time.Second
	// walSizeLimit is what the WAL file is cut back to when it restarts.
	walSizeLimit = 8 << 20
)

// countWrites registers the callbacks that count writes on the writer and ask for a
// checkpoint every checkpointEvery of them.
func (s *Store) countWrites(w *gorm.DB) error {
	count := func(*gorm.DB) {
		if s.writes.Add(1)%checkpointEvery == 0 {
			select {
			case s.checkpointNow <- struct{}{}:
			default:
			}
		}
	}
	cb := w.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("gatehouse:count_writes", count),
		cb.Update().After("gorm:update").Register("gatehouse:count_writes", count),
		cb.Delete().After("gorm:delete").Register("gatehouse:count_writes", count),
		cb.Raw().After("gorm:raw").Register("gatehouse:count_writes", count),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// background checkpoints the WAL and writes the aggregated refusals whose window has ended,
// until ctx ends.
func (s *Store) background(ctx context.Context) {
	defer close(s.stopped)
	if s.shared {
		done := make(chan struct{})
		go func() { s.sharedWork(ctx); close(done) }()
		defer func() { <-done }()
	}
	tick := time.NewTicker(checkpointPeriod)
	defer tick.Stop()
	var checkpointed int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.checkpointNow:
		case <-tick.C:
			s.flushRefusals(ctx, false)
			if s.writes.Load() == checkpointed {
				continue
			}
		}
		checkpointed = s.writes.Load()
		if err := s.checkpoint(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("store: unable to checkpoint the WAL", "err", err)
		}
	}
}

// checkpoint copies what it can of the WAL into the database (PASSIVE: it waits for no reader),
// in its turn among the write transactions.
func (s *Store) checkpoint(ctx context.Context) error {
	if !s.d.oneWriter() {
		return nil // PostgreSQL checkpoints its own log
	}
	select {
	case s.writeTurn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writeTurn }()
	db, err := s.w.DB()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	return err
}
