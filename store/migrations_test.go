package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

type appliedMigration struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

func appliedMigrations(tb testing.TB, s *Store) []appliedMigration {
	tb.Helper()
	var rows []appliedMigration
	if err := s.r.Raw("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").Scan(&rows).Error; err != nil {
		tb.Fatalf("read schema_migrations: %v", err)
	}
	return rows
}

func tableExists(tb testing.TB, s *Store, name string) bool {
	tb.Helper()
	var n int
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if _, ok := s.d.(postgresDialect); ok {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	if err := s.w.Raw(q, name).Scan(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n == 1
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	path := testdb.Path(t, "old.db")

	// A database made by a binary that knew only the first migration.
	old, err := open(Options{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.migrate(ctx, old.d.migrations()[:1]); err != nil {
		old.Close()
		t.Fatalf("migrate(sqliteMigrations[:1]): %v", err)
	}
	if tableExists(t, old, "membership_counts") {
		t.Fatal("membership_counts exists after the first migration only")
	}
	orgA, orgB := mustCreateOrg(t, old, "Acme"), mustCreateOrg(t, old, "Globex")
	owner := models.User{Email: "owner@acme.test", FirstName: "Olive", LastName: "Owner", PasswordHash: testHash(), LastOrgID: &orgA.ID}
	if err := old.w.Omit("mfa_enabled").Create(&owner).Error; err != nil {
		t.Fatal(err)
	}
	ownerM := mustInsertMember(t, old, models.Membership{OrgID: orgA.ID, UserID: &owner.ID, Email: owner.Email, Status: models.StatusActive,
		FirstName: "Olive", LastName: "Owner"}, models.RoleOwner)
	want := map[int64]map[models.Status]int64{
		orgA.ID: {models.StatusActive: 3, models.StatusInvited: 2, models.StatusPending: 1, models.StatusRejected: 1, models.StatusTerminated: 1, models.StatusRevoked: 1},
		orgB.ID: {models.StatusActive: 2, models.StatusTerminated: 1},
	}
	for orgID, byStatus := range want {
		for status, n := range byStatus {
			for i := range n {
				if orgID == orgA.ID && status == models.StatusActive && i == 0 {
					continue // the owner
				}
				mustInsertMember(t, old, models.Membership{OrgID: orgID, Email: fmt.Sprintf("%s%d@org%d.test", status, i, orgID), Status: status})
			}
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(time.Hour)
	s, err := Open(ctx, Options{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatalf("Open on a version-1 database: %v", err)
	}

	t.Run("counts backfilled", func(t *testing.T) {
		for orgID, byStatus := range want {
			got, err := s.MemberCounts(ctx, orgID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(byStatus) {
				t.Errorf("org %d: MemberCounts = %v, want %v", orgID, got, byStatus)
			}
			for status, n := range byStatus {
				if got[status] != n {
					t.Errorf("org %d: %s count = %d, want %d", orgID, status, got[status], n)
				}
			}
		}
	})

	t.Run("data kept", func(t *testing.T) {
		u, err := s.FindUserByEmail(ctx, owner.Email)
		if err != nil || u.ID != owner.ID || u.PasswordHash != testHash() {
			t.Fatalf("FindUserByEmail after migration = %+v, %v", u, err)
		}
		page, err := s.FindMembers(ctx, orgA.ID, models.MemberFilter{Status: models.StatusActive, Query: "olive"})
		if err != nil || len(page.Members) != 1 || page.Members[0].ID != ownerM.ID {
			t.Fatalf("FindMembers(olive) after migration = %+v, %v", page, err)
		}
		if roles := page.Members[0].Roles; len(roles) != 1 || roles[0] != models.RoleOwner {
			t.Errorf("owner's roles after migration = %v, want [owner]", roles)
		}
	})

	t.Run("every version recorded", func(t *testing.T) {
		rows := appliedMigrations(t, s)
		if len(rows) != len(sqliteMigrations) || SchemaVersion() != len(sqliteMigrations) {
			t.Fatalf("schema_migrations has %d rows, SchemaVersion() = %d, want %d", len(rows), SchemaVersion(), len(sqliteMigrations))
		}
		for i, r := range rows {
			if r.Version != i+1 || r.Name != sqliteMigrations[i].name {
				t.Errorf("schema_migrations row %d = %d %q, want %d %q", i, r.Version, r.Name, i+1, sqliteMigrations[i].name)
			}
		}
		if !rows[1].AppliedAt.After(rows[0].AppliedAt) {
			t.Errorf("version 2 applied at %v, not after version 1 at %v", rows[1].AppliedAt, rows[0].AppliedAt)
		}
	})

	t.Run("triggers live after migration", func(t *testing.T) {
		mustInsertMember(t, s, models.Membership{OrgID: orgB.ID, Email: "new@globex.test", Status: models.StatusActive})
		got, err := s.MemberCounts(ctx, orgB.ID)
		if err != nil || got[models.StatusActive] != 3 {
			t.Errorf("org B active after one more insert = %d (err %v), want 3", got[models.StatusActive], err)
		}
	})

	before := appliedMigrations(t, s)
	countsBefore, _ := s.MemberCounts(ctx, orgA.ID)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("re-open is a no-op", func(t *testing.T) {
		clock.Advance(time.Hour)
		s := mustOpenPath(t, path, clock.Now)
		after := appliedMigrations(t, s)
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("schema_migrations changed on re-open:\nbefore %v\nafter  %v", before, after)
		}
		// Running the migrations again directly changes nothing either.
		if err := s.migrate(ctx, s.d.migrations()); err != nil {
			t.Fatalf("migrate on an up-to-date database: %v", err)
		}
		countsAfter, err := s.MemberCounts(ctx, orgA.ID)
		if err != nil || fmt.Sprint(countsAfter) != fmt.Sprint(countsBefore) {
			t.Errorf("counts after re-open = %v (err %v), want %v", countsAfter, err, countsBefore)
		}
	})

	t.Run("newer schema refused", func(t *testing.T) {
		s := mustOpenPath(t, path, clock.Now)
		future := len(sqliteMigrations) + 1
		if err := s.w.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', ?)", future, clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
		s.Close()

		s2, err := Open(ctx, Options{Path: path, Now: clock.Now})
		if err == nil {
			s2.Close()
			t.Fatal("Open on a database newer than the binary succeeded")
		}
		msg := err.Error()
		for _, want := range []string{"newer", fmt.Sprint(future), fmt.Sprint(len(sqliteMigrations)), "upgrade Gatehouse"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not mention %q", msg, want)
			}
		}
	})
}

// Each migration runs in its own transaction: a failing one leaves no half-applied schema
// and no version row, and the earlier ones stay applied.
func TestMigrationFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	s, err := open(Options{Path: testdb.Path(t, "bad.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list := append(s.d.migrations()[:1:1], migration{name: "broken", sql: "CREATE TABLE half_done (id INTEGER); SELECT * FROM no_such_table;"})
	err = s.migrate(ctx, list)
	if err == nil || !strings.Contains(err.Error(), "migration 2 (broken) failed") {
		t.Fatalf("migrate with a broken migration: err = %v, want migration 2 (broken) failed", err)
	}
	if tableExists(t, s, "half_done") {
		t.Error("the broken migration's first statement was kept")
	}
	rows := appliedMigrations(t, s)
	if len(rows) != 1 || rows[0].Version != 1 {
		t.Errorf("schema_migrations = %v, want only version 1", rows)
	}
}

// migrate measures the database against the list it is given, not the binary's full list.
func TestMigrateRefusesADatabaseNewerThanItsList(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: testdb.Path(t, "new.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.migrate(ctx, s.d.migrations()[:2])
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("version %d is newer than this binary knows (2)", len(s.d.migrations()))) {
		t.Fatalf("migrate(first two) on a fully migrated database: %v, want refused as newer", err)
	}
}

// Instances started together on an empty database migrate it once: the others wait for the
// migration lock, then find the schema current.
func TestParallelOpensMigrateOnce(t *testing.T) {
	ctx := context.Background()
	path := testdb.Path(t, "together.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, Options{Path: path}) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { s.Close() })
	}
	if t.Failed() {
		t.FailNow()
	}
	rows := appliedMigrations(t, stores[0])
	if len(rows) != SchemaVersion() {
		t.Fatalf("schema_migrations has %d rows, want %d (one per version)", len(rows), SchemaVersion())
	}
	for i, r := range rows {
		if r.Version != i+1 {
			t.Errorf("schema_migrations row %d has version %d", i, r.Version)
		}
	}
	mustCreateOwner(t, stores[n-1], "owner@acme.test", "Acme")
}

// Every dialect has the same migrations, version for version and name for name.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	lite, pg := sqliteMigrations, postgresMigrations
	if len(lite) != len(pg) {
		t.Fatalf("SQLite has %d migrations, PostgreSQL %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: SQLite %q, PostgreSQL %q", i+1, lite[i].name, pg[i].name)
		}
		if strings.Contains(pg[i].sql, "WITHOUT ROWID") || strings.Contains(pg[i].sql, "DATETIME") || strings.Contains(pg[i].sql, "INSERT OR") {
			t.Errorf("PostgreSQL migration %d (%s) has SQLite syntax", i+1, pg[i].name)
		}
	}
	if SchemaVersion() != len(pg) {
		t.Errorf("SchemaVersion() = %d, want %d", SchemaVersion(), len(pg))
	}
}

// Migrations are files named for their version; a gap or a stray name is refused.
func TestLoadMigrations(t *testing.T) {
	for i, m := range sqliteMigrations {
		if m.name == "" || !strings.Contains(m.sql, "CREATE") && !strings.Contains(m.sql, "ALTER TABLE") {
			t.Errorf("migration %d = %q, %.40q", i+1, m.name, m.sql)
		}
	}
	if sqliteMigrations[0].name != "core schema" || sqliteMigrations[len(sqliteMigrations)-1].name != "ways to join" {
		t.Errorf("names = %q … %q", sqliteMigrations[0].name, sqliteMigrations[len(sqliteMigrations)-1].name)
	}
	gap := fstest.MapFS{"m/0001_a.sql": {Data: []byte("SELECT 1;")}, "m/0003_c.sql": {Data: []byte("SELECT 1;")}}
	if _, err := loadMigrations(gap, "m"); err == nil || !strings.Contains(err.Error(), "0002_") {
		t.Errorf("a gap in versions: %v, want refused", err)
	}
}
