package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testclock"
	"gatehouse/internal/testdb"

	"gatehouse/models"
)

// MustOpenDB opens a fresh, fully migrated SQLite database in a temporary directory,
// closed when the test ends. now is the store's clock (time.Now when nil).
func MustOpenDB(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	return mustOpenPath(tb, testdb.Path(tb, "gatehouse.db"), now)
}

// mustOpenPath opens (and migrates) the database at path, closed when the test ends.
func mustOpenPath(tb testing.TB, path string, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), Options{Path: path, Now: now})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// testClock is the tests' controlled clock (internal/testclock).
type testClock = testclock.Clock

func newClock() *testClock { return testclock.At(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) }

// testHash is one password hash shared by every test account (hashing costs ~50 ms).
var testHash = sync.OnceValue(func() string { return models.HashPassword(testPassword) })

const testPassword = "correct horse battery staple"

// mustCreateOwner adds an Owner through the store, as `gatehouse create-owner` does.
func mustCreateOwner(tb testing.TB, s *Store, email, orgName string) *CreateOwnerResult {
	tb.Helper()
	res, err := s.CreateOwner(context.Background(), CreateOwnerInput{Email: email, FirstName: "Owner", LastName: strings.Split(email, "@")[0],
		PasswordHash: testHash(), OrgName: orgName})
	if err != nil {
		tb.Fatalf("CreateOwner(%s): %v", email, err)
	}
	return res
}

// mustCreateOrg inserts an organization; the store creates organizations only at setup.
func mustCreateOrg(tb testing.TB, s *Store, name string) models.Organization {
	tb.Helper()
	org := models.Organization{Name: name, InviteLifetimeHours: models.DefaultInviteLifetimeHours}
	// Omit the columns later migrations added, so this also works on an old schema.
	if err := s.w.Select("name", "invite_lifetime_hours", "created_at", "updated_at").Create(&org).Error; err != nil {
		tb.Fatalf("create organization %s: %v", name, err)
	}
	return org
}

// mustInsertMember inserts a membership directly, for test data the store has no method for yet.
func mustInsertMember(tb testing.TB, s *Store, m models.Membership, roles ...models.Role) models.Membership {
	tb.Helper()
	if m.NameKey == "" {
		m.SetName(m.FirstName, m.LastName)
	}
	omit := []string{"joined_via", "reject_reason", "phone"} // older schemas have none
	if m.DepartmentID == nil {
		omit = append(omit, "department_id")
	}
	if err := s.w.Omit(omit...).Create(&m).Error; err != nil {
		tb.Fatalf("insert membership %s: %v", m.Email, err)
	}
	if err := setRoles(s.w, m.ID, roles); err != nil {
		tb.Fatalf("set roles of %s: %v", m.Email, err)
	}
	return m
}

func mustAudit(tb testing.TB, s *Store, f models.AuditFilter) []models.AuditEvent {
	tb.Helper()
	evs, err := s.FindAuditEvents(context.Background(), f)
	if err != nil {
		tb.Fatalf("FindAuditEvents: %v", err)
	}
	return evs
}

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("pragmas", func(t *testing.T) {
		testdb.SkipOnPostgres(t, "checks SQLite's pragmas")
		s := MustOpenDB(t, nil)
		var mode string
		if err := s.w.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q (err %v), want wal", mode, err)
		}
		var fk, busy int
		if err := s.w.Raw("PRAGMA foreign_keys").Scan(&fk).Error; err != nil || fk != 1 {
			t.Errorf("writer foreign_keys = %d (err %v), want 1", fk, err)
		}
		if err := s.r.Raw("PRAGMA foreign_keys").Scan(&fk).Error; err != nil || fk != 1 {
			t.Errorf("reader foreign_keys = %d (err %v), want 1", fk, err)
		}
		if err := s.w.Raw("PRAGMA busy_timeout").Scan(&busy).Error; err != nil || busy != 5000 {
			t.Errorf("busy_timeout = %d (err %v), want 5000", busy, err)
		}
	})

	t.Run("readers cannot write", func(t *testing.T) {
		testdb.SkipOnPostgres(t, "PostgreSQL's one pool serves reads and writes")
		s := MustOpenDB(t, nil)
		if err := s.r.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')").Error; err == nil {
			t.Error("insert through the read pool succeeded")
		}
	})

	t.Run("healthy, then closed", func(t *testing.T) {
		s, err := Open(ctx, Options{Path: testdb.Path(t, "h.db")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Healthy(ctx); err != nil {
			t.Errorf("Healthy: %v", err)
		}
		s.Close()
		if err := s.Healthy(ctx); err == nil {
			t.Error("Healthy after Close: nil error")
		}
	})

	t.Run("postgres URL picks PostgreSQL", func(t *testing.T) {
		for _, url := range []string{"postgres://u@localhost/gatehouse", "postgresql://u@localhost/gatehouse"} {
			d, err := dialectFor(url)
			if _, ok := d.(postgresDialect); !ok || err != nil {
				t.Errorf("dialectFor(%s) = %T, %v; want postgresDialect", url, d, err)
			}
		}
		if d, _ := dialectFor("gatehouse.db"); d != (sqliteDialect{}) {
			t.Errorf("dialectFor(gatehouse.db) = %T, want sqliteDialect", d)
		}
		// A server that refuses the login is an error naming the URL without its password.
		s, err := Open(ctx, Options{Path: "postgres://nobody:hunter2@127.0.0.1:1/gatehouse?connect_timeout=2"})
		if err == nil {
			s.Close()
			t.Fatal("Open of an unreachable PostgreSQL succeeded")
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.HasPrefix(err.Error(), "store: unable to open postgres://nobody:") {
			t.Errorf("error %q: want store: unable to open <URL without password>", err)
		}
	})

	t.Run("unwritable path", func(t *testing.T) {
		s, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "missing-dir", "g.db")})
		if err == nil {
			s.Close()
			t.Fatal("Open in a missing directory succeeded")
		}
		if !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("error %q is not wrapped as store: …", err)
		}
	})
}

func TestSecret(t *testing.T) {
	ctx := context.Background()
	path := testdb.Path(t, "gatehouse.db")

	s, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Secret(ctx)
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
		t.Fatalf("Secret = %x, want 32 random bytes", first)
	}
	again, err := s.Secret(ctx)
	if err != nil || !bytes.Equal(first, again) {
		t.Errorf("second Secret = %x (err %v), want %x", again, err, first)
	}
	s.Close()

	s = mustOpenPath(t, path, nil)
	reopened, err := s.Secret(ctx)
	if err != nil || !bytes.Equal(first, reopened) {
		t.Errorf("Secret after re-open = %x (err %v), want %x", reopened, err, first)
	}

	other, err := MustOpenDB(t, nil).Secret(ctx)
	if err != nil || bytes.Equal(first, other) {
		t.Errorf("another database's secret = %x (err %v), want a different one", other, err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	res := mustCreateOwner(t, s, "owner@example.com", "Acme")
	mustInsertMember(t, s, models.Membership{OrgID: res.Org.ID, Email: "inv@example.com", Status: models.StatusInvited})
	secret, err := s.Secret(ctx)
	if err != nil {
		t.Fatal(err)
	}

	dest := filepath.Join(t.TempDir(), "backup.db")
	if testdb.Postgres() {
		// gatehouse backup is VACUUM INTO; PostgreSQL has pg_dump.
		if err := s.Backup(ctx, dest); err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("Backup on PostgreSQL = %v, want an error that says to use pg_dump", err)
		}
		return
	}
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}

	b := mustOpenPath(t, dest, nil)
	u, err := b.FindUserByEmail(ctx, "owner@example.com")
	if err != nil {
		t.Fatalf("backup: FindUserByEmail: %v", err)
	}
	if u.PasswordHash != testHash() {
		t.Error("backup: password hash differs")
	}
	counts, err := b.MemberCounts(ctx, res.Org.ID)
	if err != nil || counts[models.StatusActive] != 1 || counts[models.StatusInvited] != 1 {
		t.Errorf("backup: MemberCounts = %v (err %v), want 1 active and 1 invited", counts, err)
	}
	if got, err := b.Secret(ctx); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("backup: secret differs (err %v)", err)
	}
	// The backup is a separate copy: a change to the live database does not reach it.
	mustCreateOwner(t, s, "second@example.com", "")
	if _, err := b.FindUserByEmail(ctx, "second@example.com"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("backup sees a user added after it was taken (err %v)", err)
	}

	t.Run("refuses to overwrite", func(t *testing.T) {
		err := s.Backup(ctx, dest)
		if err == nil {
			t.Fatal("Backup over an existing file succeeded")
		}
		if !strings.HasPrefix(err.Error(), "store: unable to back up") {
			t.Errorf("error %q is not wrapped as store: unable to back up …", err)
		}
	})
}

// A NUL or bytes that are not UTF-8 in a value looked up find nothing, on every database
// (PostgreSQL's text refuses them; the store makes them valid first, pg_text.go).
func TestHostileTextFindsNothing(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	res := mustCreateOwner(t, s, "owner@example.com", "Acme")
	for _, email := range []string{"owner@example.com\x00", "\xff\xfe", "owner@example.com\x00' OR 1=1 --"} {
		if _, err := s.FindUserByEmail(ctx, email); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindUserByEmail(%q) = %v, want ErrNotFound", email, err)
		}
		page, err := s.FindMembers(ctx, res.Org.ID, models.MemberFilter{Status: models.StatusActive, Query: email})
		if err != nil || len(page.Members) != 0 {
			t.Errorf("FindMembers(%q) = %d members, %v; want none", email, len(page.Members), err)
		}
	}
	if got := validText([]any{"ok", models.Status("a\x00b"), 3, []byte{0}}); got[1] != "a\uFFFDb" || got[0] != "ok" || got[2] != 3 {
		t.Errorf("validText = %q", got)
	}
}
