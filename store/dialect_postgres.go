package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gatehouse/models"
)

// postgresDialect is PostgreSQL through pgx (gorm.io/driver/postgres): one pool serves reads
// and writes, and write transactions run side by side (READ COMMITTED). The rules SQLite's
// single writer kept by itself are kept by row locks (lockRow) and constraints; a transaction
// that loses a deadlock or a serialization check is run again (retryable).
type postgresDialect struct{}

//go:embed migrations/postgres/*.sql
var postgresMigrationFiles embed.FS

// postgresMigrations are PostgreSQL's schema changes, from store/migrations/postgres: the
// same versions as SQLite's.
var postgresMigrations = mustLoadMigrations(postgresMigrationFiles, "migrations/postgres")

func (postgresDialect) migrations() []migration { return postgresMigrations }

func (postgresDialect) migrationsTable() string {
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL)`
}

// DefaultMaxConns is the PostgreSQL pool's size when Options.MaxConns is zero: enough for a
// busy instance on two to four cores, and several instances within the server's default
// max_connections of 100.
const DefaultMaxConns = 10

func (postgresDialect) open(opts Options, cfg func() *gorm.Config) (w, r *gorm.DB, err error) {
	dsn := opts.Path
	if opts.ReadOnly {
		dsn = withParam(dsn, "default_transaction_read_only", "on")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to open %s: %w", redactURL(opts.Path), err)
	}
	// Every query goes through pgTextPool, which makes bound strings valid text (pg_text.go).
	w, err = gorm.Open(postgres.New(postgres.Config{Conn: pgTextPool{db}}), cfg())
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: unable to open %s: %w", redactURL(opts.Path), err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = DefaultMaxConns
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: unable to open %s: %w", redactURL(opts.Path), err)
	}
	// Readers and the writer share the pool; Close closes it once.
	return w, w.Session(&gorm.Session{}), nil
}

// oneWriter: PostgreSQL runs write transactions side by side.
func (postgresDialect) oneWriter() bool { return false }

// retryable is a transaction that lost a deadlock or a serialization check: running it again
// from the start is safe, since nothing of it was committed.
func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// storageError is a write that failed for want of storage or of write access: class 53
// (insufficient resources: disk full, out of memory), 58 (system error: I/O) and a read-only
// transaction or server (25006).
func (postgresDialect) storageError(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "25006" || pe.Code[:2] == "53" || pe.Code[:2] == "58"
}

// migrationLock is the first half of the pg_advisory_lock key the migrations run under; the
// second is the schema's name hashed, so that several instances starting together on an empty
// database migrate it once, while databases in other schemas migrate beside them.
const migrationLock = 0x67617465 // "gate"

// migrateLocked runs fn on one connection holding the migration lock: an instance that
// starts while another migrates waits, then finds the schema current.
func (postgresDialect) migrateLocked(db *gorm.DB, fn func(db *gorm.DB) error) error {
	return db.Connection(func(conn *gorm.DB) error {
		conn = conn.Session(&gorm.Session{})
		if err := conn.Exec("SELECT pg_advisory_lock(?, hashtext(current_schema()))", migrationLock).Error; err != nil {
			return fmt.Errorf("store: unable to take the migration lock: %w", err)
		}
		defer conn.Session(&gorm.Session{Context: context.Background()}).Exec("SELECT pg_advisory_unlock(?, hashtext(current_schema()))", migrationLock)
		return fn(conn)
	})
}

// lockRows makes q lock the rows it reads until the transaction ends (SELECT … FOR UPDATE),
// so that a rule read then kept by the write after it holds against transactions beside it.
func (postgresDialect) lockRows(q *gorm.DB) *gorm.DB {
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// claimLock locks the outbox messages a worker reads to claim, passing over those another
// worker's claim has locked, so concurrent claimers take different messages instead of waiting.
func (postgresDialect) claimLock(q *gorm.DB) *gorm.DB {
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
}

// lockKey is a transaction-scoped advisory lock on the key's 64-bit hash.
func (postgresDialect) lockKey(tx *gorm.DB, key string) error {
	return tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key).Error
}

func (postgresDialect) unindexed(col string) string { return col }

// caseless: lower() under COLLATE "C" folds ASCII letters only, as SQLite's NOCASE does.
func (postgresDialect) caseless(col string) string { return "lower(" + col + ")" }

// backup: a PostgreSQL database is backed up with its own tools.
func (postgresDialect) backup(context.Context, *gorm.DB, string) error {
	return errors.New("gatehouse backup copies SQLite databases only; back up PostgreSQL with pg_dump (pg_dump -Fc -f gatehouse.dump DATABASE_URL) or your provider's snapshots")
}

func (postgresDialect) bulkLoad(*gorm.DB) func() { return func() {} }

// maxBindVars stays under PostgreSQL's limit of 65,535 bound values.
func (postgresDialect) maxBindVars() int { return 60_000 }

func (postgresDialect) lastIDs(tx *gorm.DB, tables ...string) ([]int64, error) {
	return sqliteDialect{}.lastIDs(tx, tables...)
}

// afterIDs moves each table's identity sequence past the ids a bulk load wrote itself.
func (postgresDialect) afterIDs(tx *gorm.DB, tables ...string) error {
	for _, t := range tables {
		if err := tx.Exec("SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "+t+"), false)", t).Error; err != nil {
			return fmt.Errorf("store: unable to move the id sequence of %s: %w", t, err)
		}
	}
	return nil
}

// searchMembers reads member_prefixes as SQLite's does (sqliteDialect.searchMembers): sorted by
// name, a term of up to three characters is one range of its primary key in name order; sorted
// otherwise, each key is one range of its (org_id, status, key) index (COLLATE "C", so a
// prefix is a byte range) and only the matches are sorted.
func (postgresDialect) searchMembers(db *gorm.DB, orgID int64, status models.Status, term string, sort models.SortKey) (q *gorm.DB, keyCol, idCol string) {
	hi := term + "\U0010FFFF"
	if sort == models.SortName {
		prefix := term
		if r := []rune(term); len(r) > searchPrefixLen {
			prefix = string(r[:searchPrefixLen])
		}
		q = db.Table("member_prefixes AS p JOIN memberships ON memberships.id = p.membership_id").
			Where("p.org_id = ? AND p.status = ? AND p.prefix = ?", orgID, status, prefix)
		if prefix != term {
			q = q.Where(`(memberships.email >= ? AND memberships.email < ?) OR (memberships.name_key >= ? AND memberships.name_key < ?)
				OR (memberships.last_name_key >= ? AND memberships.last_name_key < ?)`, term, hi, term, hi, term, hi)
		}
		return q, "p.name_key", "p.membership_id"
	}
	ids := db.Raw(`SELECT id FROM memberships WHERE org_id = ? AND status = ? AND email >= ? AND email < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND name_key >= ? AND name_key < ?
		UNION SELECT id FROM memberships WHERE org_id = ? AND status = ? AND last_name_key >= ? AND last_name_key < ?`,
		orgID, status, term, hi, orgID, status, term, hi, orgID, status, term, hi)
	q = db.Model(&models.Membership{}).Where("org_id = ? AND status = ? AND id IN (?)", orgID, status, ids)
	return q, sortColumn(sort), "id"
}
