package store

import (
	"testing"

	"gorm.io/gorm"
)

// TestConnectionsMapTheFile checks that readers and the writer memory-map the database.
func TestConnectionsMapTheFile(t *testing.T) {
	s := MustOpenDB(t, nil)
	for _, c := range []struct {
		name string
		db   *gorm.DB
	}{{"reader", s.r}, {"writer", s.w}} {
		var n int64
		if err := c.db.Raw("PRAGMA mmap_size").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1<<30 {
			t.Errorf("%s: mmap_size %d, want %d", c.name, n, 1<<30)
		}
	}
}
