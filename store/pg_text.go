package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// PostgreSQL's text cannot hold a NUL character or bytes that are not UTF-8, and refuses a
// query binding one (SQLite stores and compares them as they are). Such a value comes only from
// hostile input (a login email "a@b.c\x00", a search for "\xff"), so before a query reaches
// PostgreSQL each bound string is made valid text: NUL and each invalid byte sequence become
// U+FFFD. A lookup with it then finds nothing, as on SQLite, instead of failing the request.
type pgTextPool struct{ db *sql.DB }

// pgTextTx is a transaction of pgTextPool.
type pgTextTx struct{ tx *sql.Tx }

var (
	_ gorm.ConnPool         = pgTextPool{}
	_ gorm.ConnPoolBeginner = pgTextPool{}
	_ gorm.GetDBConnector   = pgTextPool{}
	_ gorm.TxCommitter      = (*pgTextTx)(nil)
)

func (p pgTextPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p pgTextPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p pgTextPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, validText(args)...)
}

func (p pgTextPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.db.QueryContext(ctx, query, validText(args)...)
}

func (p pgTextPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.db.QueryRowContext(ctx, query, validText(args)...)
}

func (p pgTextPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &pgTextTx{tx}, nil
}

func (t *pgTextTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, query)
}

func (t *pgTextTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, validText(args)...)
}

func (t *pgTextTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, validText(args)...)
}

func (t *pgTextTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, validText(args)...)
}

func (t *pgTextTx) Commit() error   { return t.tx.Commit() }
func (t *pgTextTx) Rollback() error { return t.tx.Rollback() }

// validText returns args with every string (or value of a string type) that PostgreSQL's text
// would refuse made valid; args itself when there is none, which is nearly always.
func validText(args []any) []any {
	var out []any
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			if v := reflect.ValueOf(a); v.IsValid() && v.Kind() == reflect.String {
				s, ok = v.String(), true
			}
		}
		if !ok || (utf8.ValidString(s) && !strings.Contains(s, "\x00")) {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	}
	if out == nil {
		return args
	}
	return out
}
