package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"gatehouse/internal/testdb"

	"gorm.io/gorm"
)

// TestConnectionsMapTheFile checks that readers and the writer memory-map the database.
func TestConnectionsMapTheFile(t *testing.T) {
	testdb.SkipOnPostgres(t, "SQLite's mmap pragma")
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

// TestWriteTransactionsTakeTurns checks that write transactions waiting for the writer run in
// the order they asked, and that one whose request ends stops waiting. It runs in a synctest
// bubble: synctest.Wait returns once every goroutine is blocked, so each transaction is known
// to be queued before the next one asks, with no sleep.
func TestWriteTransactionsTakeTurns(t *testing.T) {
	testdb.SkipOnPostgres(t, "SQLite's one writer queue; PostgreSQL runs write transactions side by side")
	// The store is opened outside the bubble (its read pool keeps a goroutine that never ends);
	// the turn channel, where transactions queue, is made inside it, so a transaction waiting
	// for its turn counts as blocked for synctest.Wait.
	s := MustOpenDB(t, nil)
	synctest.Test(t, func(t *testing.T) {
		s.writeTurn = make(chan struct{}, 1)
		ctx := context.Background()
		release := make(chan struct{})
		first := make(chan struct{})
		go s.tx(ctx, func(*gorm.DB) error { close(first); <-release; return nil })
		<-first

		canceled, cancel := context.WithCancel(ctx)
		gaveUp := make(chan error, 1)
		go func() { gaveUp <- s.tx(canceled, func(*gorm.DB) error { return nil }) }()
		synctest.Wait()

		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.tx(ctx, func(*gorm.DB) error { mu.Lock(); order = append(order, i); mu.Unlock(); return nil }); err != nil {
					t.Error(err)
				}
			}()
			synctest.Wait() // it is queued before the next one asks
		}
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Errorf("a waiting transaction whose context ended returned %v, want context.Canceled", err)
		}
		close(release)
		wg.Wait()
		if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
			t.Errorf("transactions ran in the order %v, want the order they asked in", order)
		}
	})
}
