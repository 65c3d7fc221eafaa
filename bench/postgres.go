package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"gatehouse/store"
)

// pgBench is the PostgreSQL server the bench measures beside SQLite (-pg URL): it makes a fresh
// database per size, seeds it with the binary's own seed and create-owner commands, and counts
// the CPU of the server's backends that serve that database with the Gatehouse process's.
type pgBench struct {
	admin  *sql.DB
	server *url.URL
}

func openPGBench(ctx context.Context, server string) (*pgBench, error) {
	u, err := url.Parse(server)
	if err != nil {
		return nil, fmt.Errorf("-pg: %w", err)
	}
	db, err := sql.Open("pgx", server)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("-pg %s: %w", u.Redacted(), err)
	}
	return &pgBench{admin: db, server: u}, nil
}

// dbName is the database of one size: remade on every run (seeding PostgreSQL is not cached).
func (p *pgBench) dbName(n int) string { return fmt.Sprintf("gatehouse_bench_n%d", n) }

// url is the URL of the database named name on the same server.
func (p *pgBench) url(name string) string {
	u := *p.server
	u.Path = "/" + name
	return u.String()
}

// seed makes a fresh database for n members and returns its URL and how long the seed took.
func (p *pgBench) seed(ctx context.Context, bin string, n int, seed uint64) (string, time.Duration, error) {
	name := p.dbName(n)
	if _, err := p.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", 0, err
	}
	if _, err := p.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", 0, err
	}
	db := p.url(name)
	start := time.Now()
	if out, err := exec.CommandContext(ctx, bin, "seed", "--db", db, "--members", strconv.Itoa(n), "--seed", strconv.FormatUint(seed, 10)).CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("seed: %v\n%s", err, out)
	}
	took := time.Since(start)
	cmd := exec.CommandContext(ctx, bin, "create-owner", "--db", db, "--email", ownerEmail, "--password-stdin", "--first-name", "Bench", "--last-name", "Owner")
	cmd.Stdin = strings.NewReader(ownerPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("create-owner: %v\n%s", err, out)
	}
	st, err := store.Open(ctx, store.Options{Path: db})
	if err != nil {
		return "", 0, err
	}
	defer st.Close()
	if err := mfaOptional(ctx, st); err != nil {
		return "", 0, err
	}
	// Fresh statistics, as autovacuum would gather them after a bulk load.
	conn, err := sql.Open("pgx", db)
	if err != nil {
		return "", 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return "", 0, fmt.Errorf("VACUUM ANALYZE: %w", err)
	}
	return db, took, nil
}

// backendsCPU is the CPU time (user and system) so far of the server's backends connected to
// database name. Counted beside the Gatehouse process's, a request's CPU includes its queries'.
func (p *pgBench) backendsCPU(name string) time.Duration {
	rows, err := p.admin.Query("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
	if err != nil {
		return 0
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			total += processCPU(pid)
		}
	}
	return total
}
