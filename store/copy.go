package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// derivedTables are kept by triggers from the tables they summarize (membership counts and
// search prefixes, from memberships): CopyTo does not copy them, the target's triggers fill
// them as the memberships arrive (in whatever form the target's dialect keeps them).
// schema_migrations is the target's own, written when it was migrated.
var derivedTables = map[string]bool{"schema_migrations": true, "membership_counts": true, "member_prefixes": true}

// copyBatch is how many rows of a table one transaction on the target writes.
const copyBatch = 1000

// TableCopy is one table CopyTo copied and how many rows it holds in each database.
type TableCopy struct {
	Table  string
	Source int64
	Target int64
}

// ErrTargetNotEmpty refuses a copy into a database that already holds data.
var ErrTargetNotEmpty = errors.New("store: the target database is not empty")

// CopyTables lists the tables CopyTo copies from s, in the order it copies them (a table after
// the tables its foreign keys name): every table in the schema except the derived ones.
func (s *Store) CopyTables(ctx context.Context) ([]string, error) {
	if _, ok := s.d.(sqliteDialect); !ok {
		return nil, errors.New("store: copying reads a SQLite database")
	}
	db := s.r.WithContext(ctx)
	all, err := db.Migrator().GetTables()
	if err != nil {
		return nil, fmt.Errorf("store: unable to list tables: %w", err)
	}
	slices.Sort(all)
	deps := map[string][]string{}
	var tables []string
	for _, t := range all {
		if derivedTables[t] || strings.HasPrefix(t, "sqlite_") {
			continue
		}
		tables = append(tables, t)
		var refs []struct{ Table string }
		if err := db.Raw("SELECT \"table\" FROM pragma_foreign_key_list(?)", t).Scan(&refs).Error; err != nil {
			return nil, fmt.Errorf("store: unable to read the foreign keys of %s: %w", t, err)
		}
		for _, r := range refs {
			if r.Table != t {
				deps[t] = append(deps[t], r.Table)
			}
		}
	}
	// Depth-first: each table after what it references. The schema has no cycles; one would
	// be refused rather than copied in an order the target's foreign keys reject.
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("store: the foreign keys of %s form a cycle", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, d := range deps[t] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// CopyTo copies every row of every table (CopyTables) from s, a SQLite database, into
// target, a freshly migrated and empty database of any dialect (ErrTargetNotEmpty when any
// of those tables has a row): one consistent snapshot of s, each table in primary-key order,
// copyBatch rows to a transaction, ids kept. Afterwards the target's id sequences are moved
// past the copied ids, and each table's rows are counted on both sides; a difference is an
// error. progress, when set, hears of each table as it is done.
func (s *Store) CopyTo(ctx context.Context, target *Store, progress func(TableCopy)) ([]TableCopy, error) {
	tables, err := s.CopyTables(ctx)
	if err != nil {
		return nil, err
	}
	dst := target.w.WithContext(ctx)
	for _, t := range tables {
		if !dst.Migrator().HasTable(t) {
			return nil, fmt.Errorf("store: the target has no table %s: is it migrated to the same version?", t)
		}
		var one []int
		if err := dst.Raw("SELECT 1 FROM " + quoteIdent(t) + " LIMIT 1").Scan(&one).Error; err != nil {
			return nil, fmt.Errorf("store: unable to read %s in the target: %w", t, err)
		}
		if len(one) > 0 {
			return nil, fmt.Errorf("%w: %s has rows; migrate into an empty database", ErrTargetNotEmpty, t)
		}
	}
	var out []TableCopy
	// One read transaction on the source: every table is read as of one moment, while the
	// installation may go on writing.
	err = s.r.WithContext(ctx).Transaction(func(src *gorm.DB) error {
		for _, t := range tables {
			c, err := copyTable(ctx, src, target, t)
			if err != nil {
				return fmt.Errorf("store: unable to copy %s: %w", t, err)
			}
			out = append(out, c)
			if progress != nil {
				progress(c)
			}
		}
		return nil
	}, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return out, err
	}
	var withIDs []string
	for _, t := range tables {
		ok, err := integerID(s.r.WithContext(ctx), t)
		if err != nil {
			return out, err
		}
		if ok {
			withIDs = append(withIDs, t)
		}
	}
	if err := target.quietTx(ctx, func(tx *gorm.DB) error { return target.d.afterIDs(tx, withIDs...) }); err != nil {
		return out, fmt.Errorf("store: unable to move the target's id sequences: %w", err)
	}
	var bad []string
	for i, c := range out {
		if err := dst.Raw("SELECT COUNT(*) FROM " + quoteIdent(c.Table)).Scan(&out[i].Target).Error; err != nil {
			return out, fmt.Errorf("store: unable to count %s in the target: %w", c.Table, err)
		}
		if out[i].Target != c.Source {
			bad = append(bad, fmt.Sprintf("%s: %d in the source, %d in the target", c.Table, c.Source, out[i].Target))
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("store: the copy is incomplete: %s", strings.Join(bad, "; "))
	}
	return out, nil
}

// copyTable copies one table from the source transaction src into target, in primary-key
// order (keyset on id where the table has one), batch by batch.
func copyTable(ctx context.Context, src *gorm.DB, target *Store, table string) (TableCopy, error) {
	c := TableCopy{Table: table}
	if err := src.Raw("SELECT COUNT(*) FROM " + quoteIdent(table)).Scan(&c.Source).Error; err != nil {
		return c, err
	}
	types, err := src.Migrator().ColumnTypes(table)
	if err != nil {
		return c, err
	}
	var cols []string
	for _, ct := range types {
		cols = append(cols, ct.Name())
	}
	// The primary key's columns in key order (the source is SQLite); every table has one.
	var pk []string
	if err := src.Raw("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", table).Scan(&pk).Error; err != nil {
		return c, err
	}
	hasID, err := integerID(src, table)
	if err != nil {
		return c, err
	}
	if len(pk) == 0 {
		pk = cols // no key: the whole row orders it
	}
	for i, p := range pk {
		pk[i] = quoteIdent(p)
	}
	boolCol, err := boolColumns(target.w.WithContext(ctx), table)
	if err != nil {
		return c, err
	}
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = quoteIdent(col)
	}
	batch := max(1, min(copyBatch, target.d.maxBindVars()/len(cols)))
	selectCols := strings.Join(quoted, ", ")
	var lastID int64
	for offset := 0; ; offset += batch {
		var rows *sql.Rows
		if hasID {
			rows, err = src.Raw("SELECT "+selectCols+" FROM "+quoteIdent(table)+" WHERE id > ? ORDER BY id LIMIT ?", lastID, batch).Rows()
		} else {
			rows, err = src.Raw("SELECT "+selectCols+" FROM "+quoteIdent(table)+" ORDER BY "+strings.Join(pk, ", ")+" LIMIT ? OFFSET ?", batch, offset).Rows()
		}
		if err != nil {
			return c, err
		}
		var args []any
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return c, err
			}
			for i, v := range vals {
				if boolCol[cols[i]] {
					if iv, ok := v.(int64); ok {
						vals[i] = iv != 0
					}
				}
				if cols[i] == "id" {
					if iv, ok := v.(int64); ok {
						lastID = iv
					}
				}
			}
			args = append(args, vals...)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, err
		}
		if n == 0 {
			return c, nil
		}
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		stmt := "INSERT INTO " + quoteIdent(table) + " (" + selectCols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if err := target.quietTx(ctx, func(tx *gorm.DB) error { return tx.Exec(stmt, args...).Error }); err != nil {
			return c, err
		}
		if n < batch {
			return c, nil
		}
	}
}

// integerID reports whether the SQLite table's primary key is an integer id alone (an
// INTEGER PRIMARY KEY, a sequence on the target), which the copy pages by keyset; a text id
// (OIDC keys and codes) is paged by offset like any other key.
func integerID(db *gorm.DB, table string) (bool, error) {
	var cols []struct {
		Name string
		Type string
		Pk   int
	}
	if err := db.Raw("SELECT name, type, pk FROM pragma_table_info(?) WHERE pk > 0", table).Scan(&cols).Error; err != nil {
		return false, err
	}
	return len(cols) == 1 && cols[0].Name == "id" && strings.EqualFold(cols[0].Type, "INTEGER"), nil
}

// boolColumns names the table's boolean columns in db: SQLite keeps booleans as integers,
// which a PostgreSQL boolean column does not take.
func boolColumns(db *gorm.DB, table string) (map[string]bool, error) {
	types, err := db.Migrator().ColumnTypes(table)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, ct := range types {
		if t := strings.ToLower(ct.DatabaseTypeName()); t == "bool" || t == "boolean" {
			out[ct.Name()] = true
		}
	}
	return out, nil
}

// quoteIdent quotes a table or column name as standard SQL does (both SQLite and PostgreSQL).
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
