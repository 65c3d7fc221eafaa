// Package store owns the database: opening it, migrating it, and every query and
// transaction as a named method on Store. No gorm call lives outside this package.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gatehouse/models"
)

// Store is Gatehouse's data layer over SQLite: one writer connection whose transactions
// begin IMMEDIATE (so writers queue on busy_timeout instead of failing mid-transaction),
// and a small pool of readers that WAL lets run beside it.
type Store struct {
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
}

// Options configure Open.
type Options struct {
	Path    string           // SQLite file path
	Now     func() time.Time // clock; time.Now when nil
	Logger  *slog.Logger     // receives slow-query and error logs; discarded when nil
	Readers int              // size of the read pool; 4 when zero
	// ReadOnly opens the file read-only (SQLite mode=ro), as SQLite opens a file the process may
	// not write: every write fails. For tests of that (a test running as root can write any
	// file) and tools that only read; the database must already be migrated.
	ReadOnly bool
}

// Open opens (creating if needed) and migrates the database at opts.Path.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := open(opts)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, migrations); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(opts Options) (*Store, error) {
	if strings.HasPrefix(opts.Path, "postgres://") || strings.HasPrefix(opts.Path, "postgresql://") {
		return nil, errors.New("store: PostgreSQL is not supported yet; use a SQLite file path")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }, writeTurn: make(chan struct{}, 1),
		log: log, checkpointNow: make(chan struct{}, 1), refused: refusals{m: map[refusalKey]*refusalCount{}, max: maxRefusalKeys}}
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
	params := url.Values{}
	params.Set("_busy_timeout", "5000")
	params.Set("_foreign_keys", "on")
	params.Set("_synchronous", "NORMAL")
	params.Set("_journal_mode", "WAL")
	params.Set("_txlock", "immediate")
	if opts.ReadOnly {
		params.Set("mode", "ro")
	}
	w, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: driverName, DSN: "file:" + opts.Path + "?" + params.Encode()}), cfg())
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", opts.Path, err)
	}
	if err := s.countWrites(w); err != nil {
		return nil, fmt.Errorf("store: unable to set up the writer: %w", err)
	}
	wdb, _ := w.DB()
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	if err := wdb.Ping(); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", opts.Path, err)
	}
	params.Del("_txlock")
	params.Del("_journal_mode")
	params.Set("_query_only", "true")
	rcfg := cfg()
	// Readers keep their statements prepared: the same few queries serve every page, and
	// compiling one costs about as much as running it.
	rcfg.PrepareStmt, rcfg.PrepareStmtMaxSize = true, 256
	r, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: driverName, DSN: "file:" + opts.Path + "?" + params.Encode()}), rcfg)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: unable to open readers for %s: %w", opts.Path, err)
	}
	// The SQLite driver watches a cancellable context with a goroutine for every row it reads,
	// which costs more than reading a page of members. Reads are short and bounded (pages of at
	// most 100 rows, on indexes), so they run to the end even when the request goes away.
	uncancel := func(db *gorm.DB) { db.Statement.Context = context.WithoutCancel(db.Statement.Context) }
	if err := errors.Join(r.Callback().Query().Before("gorm:query").Register("gatehouse:uncancel", uncancel),
		r.Callback().Row().Before("gorm:row").Register("gatehouse:uncancel", uncancel)); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: unable to set up readers: %w", err)
	}
	rdb, _ := r.DB()
	readers := opts.Readers
	if readers <= 0 {
		readers = 4
	}
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	s.w, s.r = w, r
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.stopped = stop, make(chan struct{})
	go s.background(ctx)
	return s, nil
}

// driverName is the SQLite driver with the settings the DSN cannot carry: every connection
// memory-maps the database file (up to 1 GiB), so reading a page is a memory access instead of
// a read system call into a page cache of its own. At 100,000 members a Users page cost a
// quarter more CPU without it.
const driverName = "sqlite3_gatehouse"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA mmap_size = 1073741824", nil)
		if err == nil {
			// See wal.go: when SQLite starts the WAL over, the file is cut back to this size.
			_, err = c.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit), nil)
		}
		return err
	}})
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
	for _, g := range []*gorm.DB{s.r, s.w} {
		if g == nil {
			continue
		}
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Backup writes a consistent copy of the live database to dest, which must not exist.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if err := s.w.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fmt.Errorf("store: unable to back up to %s: %w", dest, err)
	}
	return nil
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE), after the transactions that asked
// before it (blocked senders on a channel are served first in, first out).
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	select {
	case s.writeTurn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writeTurn }()
	err := s.w.WithContext(ctx).Transaction(fn)
	s.noteWrite(err)
	return err
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
