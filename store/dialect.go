package store

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"gatehouse/models"
)

// dialect is everything about the database that is particular to one engine: how to connect
// and size the pools, the schema migrations, the member search query and its planner hints,
// backups, and what the bulk seed needs. Store holds one; every other query is portable SQL
// through gorm. SQLite (sqliteDialect, dialect_sqlite.go) is the only implementation today;
// PostgreSQL adds a second.
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
}

// dialectFor picks the dialect a database path names.
func dialectFor(path string) (dialect, error) {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return nil, errors.New("store: PostgreSQL is not supported yet; use a SQLite file path")
	}
	return sqliteDialect{}, nil
}
