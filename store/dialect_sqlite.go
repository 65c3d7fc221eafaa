package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"

	sqlite3 "github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"gatehouse/models"
)

// sqliteDialect is SQLite through mattn/go-sqlite3: one writer connection whose transactions
// begin IMMEDIATE (so writers queue on busy_timeout instead of failing mid-transaction), and
// a small pool of read-only connections that WAL lets run beside it.
type sqliteDialect struct{}

//go:embed migrations/sqlite/*.sql
var sqliteMigrationFiles embed.FS

// sqliteMigrations are SQLite's schema changes, from store/migrations/sqlite.
var sqliteMigrations = mustLoadMigrations(sqliteMigrationFiles, "migrations/sqlite")

func (sqliteDialect) migrations() []migration { return sqliteMigrations }

func (sqliteDialect) migrationsTable() string {
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at DATETIME NOT NULL)`
}

func (sqliteDialect) open(opts Options, cfg func() *gorm.Config) (w, r *gorm.DB, err error) {
	params := url.Values{}
	params.Set("_busy_timeout", "5000")
	params.Set("_foreign_keys", "on")
	params.Set("_synchronous", "NORMAL")
	params.Set("_journal_mode", "WAL")
	params.Set("_txlock", "immediate")
	if opts.ReadOnly {
		params.Set("mode", "ro")
	}
	w, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriverName, DSN: "file:" + opts.Path + "?" + params.Encode()}), cfg())
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to open %s: %w", opts.Path, err)
	}
	wdb, _ := w.DB()
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	if err := wdb.Ping(); err != nil {
		wdb.Close()
		return nil, nil, fmt.Errorf("store: unable to open %s: %w", opts.Path, err)
	}
	params.Del("_txlock")
	params.Del("_journal_mode")
	params.Set("_query_only", "true")
	rcfg := cfg()
	// Readers keep their statements prepared: the same few queries serve every page, and
	// compiling one costs about as much as running it.
	rcfg.PrepareStmt, rcfg.PrepareStmtMaxSize = true, 256
	r, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriverName, DSN: "file:" + opts.Path + "?" + params.Encode()}), rcfg)
	if err != nil {
		wdb.Close()
		return nil, nil, fmt.Errorf("store: unable to open readers for %s: %w", opts.Path, err)
	}
	// The SQLite driver watches a cancellable context with a goroutine for every row it reads,
	// which costs more than reading a page of members. Reads are short and bounded (pages of at
	// most 100 rows, on indexes), so they run to the end even when the request goes away.
	uncancel := func(db *gorm.DB) { db.Statement.Context = context.WithoutCancel(db.Statement.Context) }
	if err := errors.Join(r.Callback().Query().Before("gorm:query").Register("gatehouse:uncancel", uncancel),
		r.Callback().Row().Before("gorm:row").Register("gatehouse:uncancel", uncancel)); err != nil {
		wdb.Close()
		return nil, nil, fmt.Errorf("store: unable to set up readers: %w", err)
	}
	rdb, _ := r.DB()
	readers := opts.Readers
	if readers <= 0 {
		readers = 4
	}
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	return w, r, nil
}

// sqliteDriverName is the SQLite driver with the settings the DSN cannot carry: every
// connection memory-maps the database file (up to 1 GiB), so reading a page is a memory
// access instead of a read system call into a page cache of its own. At 100,000 members a
// Users page cost a quarter more CPU without it.
const sqliteDriverName = "sqlite3_gatehouse"

func init() {
	sql.Register(sqliteDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA mmap_size = 1073741824", nil)
		if err == nil {
			// See wal.go: when SQLite starts the WAL over, the file is cut back to this size.
			_, err = c.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit), nil)
		}
		return err
	}})
}

// backup is VACUUM INTO, which writes a consistent, compacted copy with the WAL folded in.
func (sqliteDialect) backup(ctx context.Context, w *gorm.DB, dest string) error {
	return w.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error
}

// bulkLoad gives the one writer connection a bigger page cache (64 MiB) for the load only.
func (sqliteDialect) bulkLoad(db *gorm.DB) func() {
	db.Exec("PRAGMA cache_size = -65536")
	return func() { db.Exec("PRAGMA cache_size = -2000") }
}

// maxBindVars stays under SQLite's limit of 32,766 bound values.
func (sqliteDialect) maxBindVars() int { return 30_000 }

func (sqliteDialect) lastIDs(tx *gorm.DB, tables ...string) ([]int64, error) {
	ids := make([]int64, len(tables))
	for i, t := range tables {
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM " + t).Scan(&ids[i]).Error; err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// oneWriter: SQLite takes one write transaction at a time.
func (sqliteDialect) oneWriter() bool { return true }

// retryable: with one writer a transaction never loses to another.
func (sqliteDialect) retryable(error) bool { return false }

func (sqliteDialect) storageError(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrReadonly, sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrCorrupt, sqlite3.ErrCantOpen, sqlite3.ErrNotADB, sqlite3.ErrPerm:
		return true
	}
	return false
}

// migrateLocked: the one writer connection already keeps migrations to one at a time.
func (sqliteDialect) migrateLocked(db *gorm.DB, fn func(db *gorm.DB) error) error { return fn(db) }

// lockRows: every write transaction holds the write lock from its BEGIN IMMEDIATE.
func (sqliteDialect) lockRows(q *gorm.DB) *gorm.DB { return q }

// unindexed is the unary +, which SQLite's planner reads as "no index on this column".
func (sqliteDialect) unindexed(col string) string { return "+" + col }

func (sqliteDialect) caseless(col string) string { return col + " COLLATE NOCASE" }

func (sqliteDialect) lockKey(*gorm.DB, string) error { return nil }

// afterIDs has nothing to do: an INTEGER PRIMARY KEY takes the largest id plus one.
func (sqliteDialect) afterIDs(*gorm.DB, ...string) error { return nil }

// claimLock adds nothing: claims are write transactions, which SQLite runs one at a time.
func (sqliteDialect) claimLock(q *gorm.DB) *gorm.DB { return q }

// searchPrefixLen is the longest prefix member_prefixes holds (migration "member search prefixes").
const searchPrefixLen = 3

// searchMembers, sorted by name (the default), reads member_prefixes, which holds the first
// one to three characters of each key beside the name key: a term of up to three characters
// is one range of its primary key, already in name order, so a page costs the same however
// many members match; a longer term walks the range of its first three characters, checking
// each member until the page is full. CROSS JOIN makes SQLite drive the join from
// member_prefixes, in that order.
//
// Sorted otherwise, each key is searched as a range on its own (org_id, status, key) index and
// only the matches are sorted, so the cost follows the number of matches, never the size of
// the table. The unary + keeps SQLite from walking the sort index and probing every row
// instead (which costs a full scan when a term matches little).
func (sqliteDialect) searchMembers(db *gorm.DB, orgID int64, status models.Status, term string, sort models.SortKey) (q *gorm.DB, keyCol, idCol string) {
	hi := term + "\U0010FFFF"
	if sort == models.SortName {
		prefix := term
		if r := []rune(term); len(r) > searchPrefixLen {
			prefix = string(r[:searchPrefixLen])
		}
		q = db.Table("member_prefixes AS p CROSS JOIN memberships").
			Where("memberships.id = p.membership_id AND p.org_id = ? AND p.status = ? AND p.prefix = ?", orgID, status, prefix)
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
	q = db.Model(&models.Membership{}).Where("+org_id = ? AND +status = ? AND id IN (?)", orgID, status, ids)
	return q, sortColumn(sort), "id"
}
