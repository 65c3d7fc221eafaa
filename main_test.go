package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
)

// syncBuffer is a log sink the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return out.String(), err
}

func TestCreateOwnerAndBackup(t *testing.T) {
	dir := t.TempDir()
	db := testdb.Path(t, "g.db")

	t.Run("refuses a weak password and a bad email", func(t *testing.T) {
		if _, err := runCmd(t, "short\n", "create-owner", "--db", db, "--email", "a@example.com", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "at least 12") {
			t.Fatalf("weak password: err = %v", err)
		}
		if _, err := runCmd(t, testPW+"\n", "create-owner", "--db", db, "--email", "not-an-email", "--password-stdin"); err == nil {
			t.Fatal("bad email accepted")
		}
		if _, err := runCmd(t, "", "create-owner", "--db", db, "--email", "a@example.com", "--password-stdin"); err == nil {
			t.Fatal("empty stdin accepted")
		}
	})

	t.Run("creates the first organization and Owner", func(t *testing.T) {
		out, err := runCmd(t, testPW+"\n", "create-owner", "--db", db, "--email", "Owner@Example.com", "--first-name", "Olga", "--password-stdin")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Created Owner owner@example.com") {
			t.Fatalf("output %q", out)
		}
		st := openStore(t, db)
		u, err := st.FindUserByEmail(context.Background(), "owner@example.com")
		if err != nil || !models.CheckPassword(u.PasswordHash, testPW) || u.FirstName != "Olga" {
			t.Fatalf("user %+v err %v", u, err)
		}
		st.Close()
	})

	t.Run("an existing account is made Owner without changing its password", func(t *testing.T) {
		out, err := runCmd(t, "", "create-owner", "--db", db, "--email", "owner@example.com")
		if err != nil || !strings.Contains(out, "password unchanged") {
			t.Fatalf("out %q err %v", out, err)
		}
	})

	t.Run("an unknown --org is created", func(t *testing.T) {
		db := filepath.Join(dir, "orgs.db")
		if _, err := runCmd(t, testPW+"\n", "create-owner", "--db", db, "--email", "a@example.com", "--org", "Acme", "--password-stdin"); err != nil {
			t.Fatal(err)
		}
		out, err := runCmd(t, testPW+"\n", "create-owner", "--db", db, "--email", "b@example.com", "--org", "Nope", "--password-stdin")
		if err != nil || !strings.Contains(out, `Created organization "Nope"`) || !strings.Contains(out, `Created Owner b@example.com in "Nope"`) {
			t.Fatalf("out %q err %v", out, err)
		}
		if out, err := runCmd(t, "", "create-owner", "--db", db, "--email", "b@example.com", "--org", "Nope"); err != nil || strings.Contains(out, "Created organization") {
			t.Fatalf("again: out %q err %v", out, err)
		}
	})

	t.Run("backup writes a database that opens with the data", func(t *testing.T) {
		dest := filepath.Join(dir, "copy.db")
		if testdb.Postgres() {
			if _, err := runCmd(t, "", "backup", "--db", db, dest); err == nil || !strings.Contains(err.Error(), "pg_dump") {
				t.Fatalf("backup on PostgreSQL = %v, want it to say to use pg_dump", err)
			}
			return
		}
		if _, err := runCmd(t, "", "backup", "--db", db, dest); err != nil {
			t.Fatal(err)
		}
		st := openStore(t, dest)
		defer st.Close()
		if _, err := st.FindUserByEmail(context.Background(), "owner@example.com"); err != nil {
			t.Fatalf("backup lacks the owner: %v", err)
		}
		if _, err := runCmd(t, "", "backup", "--db", db, dest); err == nil {
			t.Fatal("backup overwrote an existing file")
		}
	})

	t.Run("rotate-oidc-key retires the signing key and audits it", func(t *testing.T) {
		ctx := context.Background()
		for i, want := range []int{1, 2} {
			out, err := runCmd(t, "", "rotate-oidc-key", "--db", db)
			if err != nil || !strings.HasPrefix(out, "New signing key ") || strings.Contains(out, "Retired") != (i > 0) {
				t.Fatalf("rotation %d: %q %v", i+1, out, err)
			}
			st := openStore(t, db)
			keys, err := st.OIDCKeys(ctx)
			evs, err2 := st.FindAuditEvents(ctx, models.AuditFilter{Action: models.ActionOIDCKeyRotated})
			st.Close()
			if err != nil || err2 != nil || len(keys) != want || keys[0].RetiredAt != nil || !strings.Contains(out, keys[0].ID) {
				t.Fatalf("rotation %d: keys %+v (%v, %v), output %q", i+1, keys, err, err2, out)
			}
			for _, k := range keys[1:] {
				if k.RetiredAt == nil {
					t.Errorf("rotation %d: key %s not retired", i+1, k.ID)
				}
			}
			if len(evs) != i+1 || evs[0].ActorEmail != "command line" || evs[0].OrgID == nil || !strings.Contains(evs[0].Detail, keys[0].ID) {
				t.Fatalf("rotation %d: audit %+v", i+1, evs)
			}
		}
		if _, err := runCmd(t, "", "rotate-oidc-key", "--db", db, "extra"); err == nil {
			t.Error("an argument accepted")
		}
	})

	t.Run("version and unknown commands", func(t *testing.T) {
		if out, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "gatehouse ") {
			t.Fatalf("version: %q %v", out, err)
		}
		if _, err := runCmd(t, "", "frobnicate"); err == nil {
			t.Fatal("unknown command accepted")
		}
	})
}

const testPW = "a long and unusual passphrase"

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestServePrintsSetupLinkAndShutsDownGracefully runs the real server: it prints a setup
// link that works, answers /healthz, and returns cleanly when its context ends.
func TestServePrintsSetupLinkAndShutsDownGracefully(t *testing.T) {
	db := testdb.Path(t, "serve.db")
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--base-url", "https://gatehouse.example.com"},
			strings.NewReader(""), io.Discard, slog.New(slog.NewTextHandler(logs, nil)))
	}()

	addrRe := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	linkRe := regexp.MustCompile(`url="?(https://gatehouse\.example\.com/setup\?token=[A-Za-z0-9_-]{43})`)
	deadline := time.Now().Add(10 * time.Second)
	for !linkRe.MatchString(logs.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no setup link logged; logs:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	addr := addrRe.FindStringSubmatch(logs.String())[1]
	link := linkRe.FindStringSubmatch(logs.String())[1]

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// The link names the configured base URL; the same path works on the listening address.
	resp, err = http.Get("http://" + addr + strings.TrimPrefix(link, "https://gatehouse.example.com"))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("setup link: %v %v", resp, err)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Fatalf("setup page Referrer-Policy %q", got)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Fatalf("no shutdown log:\n%s", logs.String())
	}
	if testdb.Postgres() {
		return
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("database not created: %v", err)
	}
}

// --db-max-conns (GATEHOUSE_DB_MAX_CONNS) sizes the PostgreSQL pool; below 1 is refused.
func TestDBMaxConns(t *testing.T) {
	c, err := parseServe(nil)
	if err != nil || c.dbMaxConns != store.DefaultMaxConns {
		t.Fatalf("default: %+v, %v; want %d", c, err, store.DefaultMaxConns)
	}
	t.Setenv("GATEHOUSE_DB_MAX_CONNS", "3")
	if c, err := parseServe(nil); err != nil || c.dbMaxConns != 3 {
		t.Errorf("GATEHOUSE_DB_MAX_CONNS=3: %+v, %v", c, err)
	}
	if c, err := parseServe([]string{"--db-max-conns", "25"}); err != nil || c.dbMaxConns != 25 {
		t.Errorf("--db-max-conns 25: %+v, %v", c, err)
	}
	if _, err := parseServe([]string{"--db-max-conns", "0"}); err == nil || !strings.Contains(err.Error(), "--db-max-conns") {
		t.Errorf("--db-max-conns 0: %v, want refused", err)
	}
}
