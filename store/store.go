// Package store owns the database: opening it, migrating it, and every query and
// transaction as a named method on Store. No gorm call lives outside this package.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gatehouse/models"
)

// Store is Gatehouse's data layer: one writer connection, through which write transactions
// pass one at a time, and a small pool of readers beside it. What is particular to the
// database engine (SQLite today) is behind d (dialect.go).
type Store struct {
	d   dialect
	w   *gorm.DB
	r   *gorm.DB
	now func() time.Time
	// writeTurn lets write transactions in one at a time, in the order they asked: the pool of
	// the one writer connection hands it to a random waiter, so with sixteen waiting some
	// waited for ten turns (a p99 five times the median).
	writeTurn chan struct{}

	log           *slog.Logger
	writes        atomic.Int64  // writes so far, for the checkpointer (wal.go)
	checkpointNow chan struct{} // asks the checkpointer for a checkpoint now
	refused       refusals      // refusals counted for aggregated audit events (refusals.go)
	stop          context.CancelFunc
	stopped       chan struct{} // closed when the background work has ended
	closing       sync.Once
	health        health // what Healthy knows about writing (health.go)
	// changes counts write transactions and the single statements that end sessions or change
	// a membership's status: the gate's cache (app/gate.go) drops what it read before a change.
	changes atomic.Uint64
	// shared is whether other instances may use the database (instances.go); seenChange is
	// the newest store_changes id the last poll read.
	shared     bool
	seenChange atomic.Int64
}

// Changes is a counter that grows after every committed write that may change who may use
// what (every write transaction, and each statement outside one that ends sessions or
// changes a membership's status). A value read before loading data that is still the same
// afterwards means nothing has changed since.
func (s *Store) Changes() uint64 { return s.changes.Load() }

// changed records a change after it is written.
func (s *Store) changed() { s.changes.Add(1) }

// Options configure Open.
type Options struct {
	Path string // SQLite file path, or a postgres:// URL
	// MaxConns is the PostgreSQL pool's size (DefaultMaxConns when zero); SQLite ignores it.
	MaxConns int
	Now      func() time.Time // clock; time.Now when nil
	Logger   *slog.Logger     // receives slow-query and error logs; discarded when nil
	Readers  int              // size of SQLite's read pool; 4 when zero (PostgreSQL has MaxConns)
	// ReadOnly opens the database read-only (SQLite mode=ro; PostgreSQL
	// default_transaction_read_only), as SQLite opens a file the process may
	// not write: every write fails. For tests of that (a test running as root can write any
	// file) and tools that only read; the database must already be migrated.
	ReadOnly bool
	// Shared says other Gatehouse processes use the same database (--several-instances):
	// changes are recorded for them and theirs polled (instances.go). Always on for PostgreSQL.
	Shared bool
}

// Open opens (creating if needed) and migrates the database at opts.Path, in the dialect the
// path names (a file path is SQLite, a postgres:// URL PostgreSQL).
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := open(opts)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, s.d.migrations()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(opts Options) (*Store, error) {
	d, err := dialectFor(opts.Path)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{d: d, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }, writeTurn: make(chan struct{}, 1),
		log: log, checkpointNow: make(chan struct{}, 1), refused: refusals{m: map[refusalKey]*refusalCount{}, max: maxRefusalKeys},
		shared: opts.Shared || isPostgresURL(opts.Path)}
	cfg := func() *gorm.Config {
		return &gorm.Config{
			SkipDefaultTransaction: true,
			NowFunc:                s.now,
			Logger:                 logger.Discard,
			TranslateError:         true,
		}
	}
	if opts.Logger != nil {
		slow := logger.NewSlogLogger(opts.Logger, logger.Config{SlowThreshold: 200 * time.Millisecond, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true})
		cfg = func() *gorm.Config {
			return &gorm.Config{SkipDefaultTransaction: true, NowFunc: s.now, Logger: slow, TranslateError: true}
		}
	}
	if s.w, s.r, err = d.open(opts, cfg); err != nil {
		return nil, err
	}
	if err := s.countWrites(s.w); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: unable to set up the writer: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.stopped = stop, make(chan struct{})
	go s.background(ctx)
	return s, nil
}

// Close stops the background checkpoints, writes the refusals still counted and closes both
// connection pools.
func (s *Store) Close() error {
	s.closing.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.stopped
			s.flushRefusals(context.Background(), true)
		}
	})
	var errs []error
	closed := map[any]bool{}
	for _, g := range []*gorm.DB{s.r, s.w} {
		if g == nil {
			continue
		}
		if db, err := g.DB(); err == nil && !closed[db] {
			closed[db] = true
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Backup writes a consistent copy of the live database to dest, which must not exist.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if err := s.d.backup(ctx, s.w, dest); err != nil {
		return fmt.Errorf("store: unable to back up to %s: %w", dest, err)
	}
	return nil
}

// maxTxAttempts is how many times a transaction that lost a deadlock or a serialization check
// is run (PostgreSQL).
const maxTxAttempts = 5

// txKey is the context key under which a write transaction travels.
type txKey struct{}

// InTx runs fn in one write transaction whose handle travels in the ctx fn receives: every
// store method called with that ctx joins it, and so does a nested InTx (the outermost one
// commits, or rolls everything back when fn, or anything it called, returns an error). The
// use cases in app/ wrap the store calls of one action in it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error { return fn(context.WithValue(ctx, txKey{}, tx)) })
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE), after the transactions that asked
// before it (blocked senders on a channel are served first in, first out). Inside a
// transaction already carried by ctx it joins that one: the single writer is re-entrant.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok || !s.shared {
		return s.runTx(ctx, fn, true)
	}
	// On a shared store the transaction records itself for the other instances as it commits.
	return s.runTx(ctx, func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Exec("INSERT INTO store_changes (created_at) VALUES (?)", s.now()).Error
	}, true)
}

// quietTx is tx for the store's own bookkeeping that changes nobody's access (outbox claims
// and deliveries, rate limits, sweeps): it does not count as a change, so the forward-auth
// caches of this and the other instances are kept.
func (s *Store) quietTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.runTx(ctx, fn, false)
}

func (s *Store) runTx(ctx context.Context, fn func(tx *gorm.DB) error, change bool) error {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(tx)
	}
	if s.d.oneWriter() {
		select {
		case s.writeTurn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.writeTurn }()
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.w.WithContext(ctx).Transaction(fn)
		if attempt == maxTxAttempts || !s.d.retryable(err) || ctx.Err() != nil {
			break
		}
	}
	if change {
		s.changed()
	}
	s.noteWrite(err)
	return err
}

// reader is the connection for a read: the transaction ctx carries (so a use case reads its
// own writes), or the read-only pool.
func (s *Store) reader(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.r.WithContext(ctx)
}

// writer is the connection for a single write statement outside s.tx: the transaction ctx
// carries, or the writer connection (which waits for its turn like any transaction would not:
// one statement is its own transaction).
func (s *Store) writer(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.w.WithContext(ctx)
}

// serialize takes, until the transaction ctx carries ends, the lock named by what and id: the
// transactions that check one rule on the same thing (the Owners of an organization, the
// invitations one person sent) then run one after the other. Outside a transaction, and on
// SQLite (whose write transactions already run one at a time), it does nothing.
func (s *Store) serialize(ctx context.Context, what string, id any) error {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil
	}
	if err := s.d.lockKey(tx, fmt.Sprint(what, ":", id)); err != nil {
		return fmt.Errorf("store: unable to lock %s: %w", what, err)
	}
	return nil
}

// notFound turns gorm's record-not-found into models.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.ErrNotFound
	}
	return err
}

// findByID loads the row of T with that id: models.ErrNotFound when there is none.
func findByID[T any](db *gorm.DB, id int64, what string) (*T, error) {
	var v T
	if err := db.Take(&v, id).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find %s: %w", what, err)
	}
	return &v, nil
}
