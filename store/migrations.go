package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Migrations are frozen once released:
// change the schema by appending a new one, never by editing an old one.
type migration struct {
	name string
	sql  string
}

// loadMigrations reads one dialect's migrations from dir in fsys: files named
// NNNN_name_in_words.sql, where NNNN is the schema version the file brings the database to
// (every dialect has the same versions) and the rest, underscores read as spaces, is the
// name recorded in schema_migrations. Versions must run from 1 without a gap.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, e := range entries { // sorted by name, so by version
		base, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok || e.IsDir() {
			continue
		}
		num, name, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version != len(list)+1 {
			return nil, fmt.Errorf("store: migration %s/%s: want a name starting %04d_", dir, e.Name(), len(list)+1)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		list = append(list, migration{name: strings.ReplaceAll(name, "_", " "), sql: string(b)})
	}
	return list, nil
}

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	list, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err)
	}
	return list
}

// SchemaVersion is the version a fully migrated database has (the same in every dialect).
func SchemaVersion() int { return len(sqliteMigrations) }

// migrate applies the migrations in list that the database has not seen, each in its own
// transaction. A database newer than list is refused.
func (s *Store) migrate(ctx context.Context, list []migration) error {
	return s.d.migrateLocked(s.w.WithContext(ctx), func(db *gorm.DB) error { return s.migrateOn(db, list) })
}

func (s *Store) migrateOn(db *gorm.DB, list []migration) error {
	// schema_migrations is created only when it is missing: a read-only database that is
	// already migrated opens without writing.
	var current int
	if err := db.Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current).Error; err != nil {
		if err := db.Exec(s.d.migrationsTable()).Error; err != nil {
			return fmt.Errorf("store: unable to create schema_migrations: %w", err)
		}
		if err := db.Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current).Error; err != nil {
			return fmt.Errorf("store: unable to read schema version: %w", err)
		}
	}
	if current > len(list) {
		return fmt.Errorf("store: database schema version %d is newer than this binary knows (%d); upgrade Gatehouse", current, len(list))
	}
	for i := current; i < len(list); i++ {
		m := list[i]
		err := db.Transaction(func(tx *gorm.DB) error {
			// Another store may have applied it since (SQLite: a second process; the write lock
			// taken at BEGIN makes this check and the change one step).
			var v int
			if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v).Error; err != nil || v > i {
				return err
			}
			if err := tx.Exec(m.sql).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", i+1, m.name, s.now()).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s) failed: %w", i+1, m.name, err)
		}
	}
	return nil
}
