// Package testdb gives every test that opens a store its own fresh database: a SQLite file in
// the test's temporary folder, or, with GATEHOUSE_TEST_DB=postgres, a new PostgreSQL schema
// (gh_test_<random>, in the database gatehouse_tests, made when missing) on the server
// GATEHOUSE_TEST_PG_URL names (by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), dropped when the test ends.
// The store sees an empty database: its URL sets search_path to the schema. A schema costs a
// few milliseconds where CREATE DATABASE costs most of a second (it checkpoints).
//
// Without a reachable server the tests skip, saying why, except in CI (CI=true), where they fail.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" database/sql driver
)

// DefaultServer is the PostgreSQL server the tests use when GATEHOUSE_TEST_PG_URL is not set.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Postgres reports whether the tests run on PostgreSQL (GATEHOUSE_TEST_DB=postgres).
func Postgres() bool { return os.Getenv("GATEHOUSE_TEST_DB") == "postgres" }

// SkipOnPostgres skips a test that is about SQLite itself (its files, pragmas, WAL, backups),
// saying why.
func SkipOnPostgres(tb testing.TB, why string) {
	tb.Helper()
	if Postgres() {
		tb.Skipf("SQLite only: %s", why)
	}
}

// Path returns a fresh database for one test: a SQLite file named name in the test's temporary
// folder, or the URL of a new, empty PostgreSQL database dropped when the test ends.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	if !Postgres() {
		return filepath.Join(tb.TempDir(), name)
	}
	return NewPostgres(tb)
}

// testDatabase is the database that holds the tests' schemas.
const testDatabase = "gatehouse_tests"

// SQL opens the database at path (from Path) directly, beside the store, for a test that
// changes or counts rows the store has no method for.
func SQL(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	driver, dsn := "sqlite3", "file:"+path
	if Postgres() {
		driver, dsn = "pgx", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Tables lists the tables of the database db opened (SQL), without the engine's own.
func Tables(tb testing.TB, db *sql.DB) []string {
	tb.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if Postgres() {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
	}
	rows, err := db.Query(q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return names
}

// server is the connection to testDatabase that creates and drops the tests' schemas.
var server = sync.OnceValues(func() (*sql.DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", ServerURL())
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		return nil, err
	}
	var exists bool
	if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", testDatabase).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		// Two test binaries may race to make it: the loser finds it made.
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+testDatabase); err != nil {
			if err2 := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", testDatabase).Scan(&exists); err2 != nil || !exists {
				return nil, err
			}
		}
	}
	db, err := sql.Open("pgx", databaseURL(nil))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	dropStale(ctx, db)
	return db, nil
})

// staleAfter is how old a test schema must be to be taken for one an interrupted run left.
const staleAfter = 2 * time.Hour

// dropStale drops the schemas that test runs killed before their cleanup left behind: each
// name carries the Unix time it was made.
func dropStale(ctx context.Context, db *sql.DB) {
	rows, err := db.QueryContext(ctx, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gh\\_test\\_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.Split(name, "_") // gh, test, unix time, random
		if len(parts) != 4 {
			continue
		}
		if made, err := strconv.ParseInt(parts[2], 10, 64); err == nil && time.Since(time.Unix(made, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	}
}

// databaseURL is ServerURL on testDatabase, with params.
func databaseURL(params url.Values) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		return ServerURL()
	}
	u.Path = "/" + testDatabase
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ServerURL is the PostgreSQL server the tests create their databases on.
func ServerURL() string {
	if u := os.Getenv("GATEHOUSE_TEST_PG_URL"); u != "" {
		return u
	}
	return DefaultServer
}

// NewPostgres creates an empty PostgreSQL schema for one test, dropped when it ends, and
// returns the URL of a database whose search_path is that schema.
func NewPostgres(tb testing.TB) string {
	tb.Helper()
	db, err := server()
	if err != nil {
		msg := fmt.Sprintf("GATEHOUSE_TEST_DB=postgres but no PostgreSQL server answers at %s: %v", redact(ServerURL()), err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg + " (start one, or unset GATEHOUSE_TEST_DB to test on SQLite)")
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := fmt.Sprintf("gh_test_%d_%s", time.Now().Unix(), hex.EncodeToString(b))
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		tb.Fatalf("CREATE SCHEMA %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA IF EXISTS " + name + " CASCADE"); err != nil {
			tb.Errorf("DROP SCHEMA %s: %v", name, err)
		}
	})
	// A test's commits need not reach the disk.
	return databaseURL(url.Values{"search_path": {name}, "synchronous_commit": {"off"}})
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the server"
	}
	return u.Redacted()
}
