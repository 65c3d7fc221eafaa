// Package testdb gives every test that opens a store its own fresh database: a SQLite file in
// the test's temporary folder, or, with GATEHOUSE_TEST_DB=postgres, a new PostgreSQL database
// (CREATE DATABASE gh_test_<random>) on the server GATEHOUSE_TEST_PG_URL names (by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), dropped when the test ends.
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
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
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

// server is the maintenance connection that creates and drops the test databases.
var server = sync.OnceValues(func() (*sql.DB, error) {
	db, err := sql.Open("pgx", ServerURL())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
})

// ServerURL is the PostgreSQL server the tests create their databases on.
func ServerURL() string {
	if u := os.Getenv("GATEHOUSE_TEST_PG_URL"); u != "" {
		return u
	}
	return DefaultServer
}

// NewPostgres creates an empty PostgreSQL database for one test, dropped when it ends, and
// returns its URL.
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
	name := "gh_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("CREATE DATABASE %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("DROP DATABASE %s: %v", name, err)
		}
	})
	u, err := url.Parse(ServerURL())
	if err != nil {
		tb.Fatalf("GATEHOUSE_TEST_PG_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the server"
	}
	return u.Redacted()
}
