package testdb

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	t.Run("SQLite by default", func(t *testing.T) {
		t.Setenv("GATEHOUSE_TEST_DB", "")
		p := Path(t, "x.db")
		if filepath.Base(p) != "x.db" || !strings.HasPrefix(p, os.TempDir()) {
			t.Errorf("Path = %q, want x.db in the test's temporary folder", p)
		}
	})
	t.Run("PostgreSQL: a fresh schema, dropped afterwards", func(t *testing.T) {
		t.Setenv("GATEHOUSE_TEST_DB", "postgres")
		var schema string
		t.Run("inner", func(t *testing.T) {
			u, err := url.Parse(Path(t, "x.db"))
			if err != nil {
				t.Fatal(err)
			}
			schema = u.Query().Get("search_path")
			if u.Path != "/"+testDatabase || !strings.HasPrefix(schema, "gh_test_") {
				t.Fatalf("Path = %s, want the tests' database with a gh_test_ schema", u.Redacted())
			}
			db := SQL(t, u.String())
			var got string
			if err := db.QueryRow("SELECT current_schema()").Scan(&got); err != nil || got != schema {
				t.Errorf("current_schema() = %q, %v; want %q", got, err, schema)
			}
		})
		if schema == "" {
			return // skipped: no server
		}
		db, _ := server()
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1", schema).Scan(&n); err != nil || n != 0 {
			t.Errorf("schema %s still there after its test (%d, %v)", schema, n, err)
		}
	})
}
