package store

import (
	"context"
	"net/url"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// dialect is everything about the database that is particular to one engine: how to connect
// and size the pools, the schema migrations, the member search query and its planner hints,
// backups, and what the bulk seed needs. Store holds one; every other query is portable SQL
// through gorm. SQLite (sqliteDialect, dialect_sqlite.go) and PostgreSQL (postgresDialect,
// dialect_postgres.go) implement it.
type dialect interface {
	// open connects to the database at opts.Path: the writer (one connection, whose
	// transactions take the write lock at BEGIN) and the pool of readers.
	open(opts Options, cfg func() *gorm.Config) (w, r *gorm.DB, err error)
	// migrations are the dialect's schema changes, in version order (the same versions in
	// every dialect).
	migrations() []migration
	// migrationsTable creates schema_migrations (version, name, applied_at) if it does not exist.
	migrationsTable() string
	// searchMembers selects orgID's members in status whose email, "first last" or last name
	// starts with term, and names the columns to order and page them by for sort.
	searchMembers(db *gorm.DB, orgID int64, status models.Status, term string, sort models.SortKey) (q *gorm.DB, keyCol, idCol string)
	// backup writes a consistent copy of the live database to dest, which must not exist.
	backup(ctx context.Context, w *gorm.DB, dest string) error
	// bulkLoad tunes the writer connection for a bulk load (Seed) and returns what undoes it.
	bulkLoad(db *gorm.DB) (done func())
	// maxBindVars is the most bound values one statement may carry.
	maxBindVars() int
	// lastIDs returns the largest id in each table (0 when empty), for a bulk load that
	// writes its own ids; afterIDs is called once those rows are in.
	lastIDs(tx *gorm.DB, tables ...string) ([]int64, error)
	afterIDs(tx *gorm.DB, tables ...string) error
	// claimLock adds to q, the read of the outbox messages a worker is about to claim, what
	// lets concurrent claimers pass each other (PostgreSQL: FOR UPDATE SKIP LOCKED). SQLite's
	// one writer needs nothing.
	claimLock(q *gorm.DB) *gorm.DB
	// oneWriter reports whether the database takes one write transaction at a time (SQLite):
	// the store then queues them itself, in the order they asked.
	oneWriter() bool
	// retryable reports whether a transaction that failed with err may simply run again
	// (it lost a deadlock or a serialization check).
	retryable(err error) bool
	// storageError reports whether a write failed for want of storage or write access.
	storageError(err error) bool
	// migrateLocked runs fn, which migrates, so that instances starting together migrate once.
	migrateLocked(db *gorm.DB, fn func(db *gorm.DB) error) error
	// lockRows makes q lock the rows it reads until the transaction ends (FOR UPDATE); a
	// database with one writer needs nothing.
	lockRows(q *gorm.DB) *gorm.DB
	// lockKey takes the lock named key until tx ends, for a rule that reads rows no row lock
	// covers (counts of what was sent, "no account yet"); a database with one writer needs nothing.
	lockKey(tx *gorm.DB, key string) error
	// unindexed is col written so that the planner does not choose an index on it (a hint
	// SQLite needs where its planner guesses wrong; PostgreSQL's statistics do not).
	unindexed(col string) string
	// caseless is col as an ORDER BY term that ignores the case of ASCII letters.
	caseless(col string) string
}

// dialectFor picks the dialect a database path names: a postgres:// or postgresql:// URL is
// PostgreSQL, anything else a SQLite file.
func dialectFor(path string) (dialect, error) {
	if IsPostgres(path) {
		return postgresDialect{}, nil
	}
	return sqliteDialect{}, nil
}

// IsPostgres reports whether a --db value names a PostgreSQL database (a postgres:// URL).
func IsPostgres(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// DisplayPath is a --db value fit for a log line: a PostgreSQL URL without its password.
func DisplayPath(path string) string {
	if IsPostgres(path) {
		return redactURL(path)
	}
	return path
}

// withParam sets one query parameter of a database URL.
func withParam(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// redactURL is a database URL fit for a log or an error: without its password.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}
