// Package storetest gives tests of every layer the same ground to stand on: a fresh
// database per test, one controlled clock, and fixtures made through the store's own
// methods (as benbjohnson/wtf's MustOpenDB), so no test reaches past the store into gorm.
package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gatehouse/internal/testclock"
	"gatehouse/internal/testdb"

	"gatehouse/models"
	"gatehouse/store"
)

// Clock is the tests' controlled clock (internal/testclock).
type Clock = testclock.Clock

// NewClock returns a clock at 2026-11-24 09:00 UTC.
func NewClock() *Clock { return testclock.New() }

// Open opens a fresh, migrated database in the test's temporary folder, on clock (the
// system clock when nil), closed when the test ends.
func Open(tb testing.TB, clock models.Clock) *store.Store {
	tb.Helper()
	return OpenPath(tb, testdb.Path(tb, "gatehouse.db"), clock)
}

// OpenPath opens (and migrates) the database at path, closed when the test ends.
func OpenPath(tb testing.TB, path string, clock models.Clock) *store.Store {
	tb.Helper()
	opts := store.Options{Path: path}
	if clock != nil {
		opts.Now = clock.Now
	}
	s, err := store.Open(context.Background(), opts)
	if err != nil {
		tb.Fatalf("store.Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// Password is every fixture account's password.
const Password = "correct horse battery staple"

// PasswordHash is one hash of Password shared by every fixture account (hashing costs ~50 ms).
var PasswordHash = sync.OnceValue(func() string { return models.HashPassword(Password) })

// CreateOwner adds an active Owner with Password through the store, as `gatehouse
// create-owner` does, creating the organization when it does not exist yet.
func CreateOwner(tb testing.TB, s *store.Store, email, orgName string) *store.CreateOwnerResult {
	tb.Helper()
	res, err := s.CreateOwner(context.Background(), store.CreateOwnerInput{Email: email, FirstName: "Owner",
		LastName: strings.Split(email, "@")[0], PasswordHash: PasswordHash(), OrgName: orgName})
	if err != nil {
		tb.Fatalf("CreateOwner(%s): %v", email, err)
	}
	return res
}

// Current is who an Owner fixture is when acting in their organization.
func Current(res *store.CreateOwnerResult) *models.Current {
	return &models.Current{User: res.User, Org: res.Org,
		Permissions: models.PermissionsOf([]models.Role{models.RoleOwner})}
}

// Audit returns the audit events f selects.
func Audit(tb testing.TB, s *store.Store, f models.AuditFilter) []models.AuditEvent {
	tb.Helper()
	evs, err := s.FindAuditEvents(context.Background(), f)
	if err != nil {
		tb.Fatalf("FindAuditEvents: %v", err)
	}
	return evs
}
