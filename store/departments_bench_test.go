package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

// The Users page's reads at 100,000 seeded members: a first page,
// one filtered by a department (a tenth of them), a department page sorted by email, and the
// capped count behind "Select all N matching".
//
//	go test ./store -run XXX -bench UsersPageDepartments -benchtime 200x
func benchStore(b *testing.B) (*store.Store, int64, int64) {
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	res, err := s.Seed(context.Background(), store.SeedOptions{Members: 100000, Seed: 1, PasswordHash: storetest.PasswordHash()})
	if err != nil {
		b.Fatal(err)
	}
	depts, err := s.ListDepartments(context.Background(), res.Org.ID)
	if err != nil || len(depts) == 0 {
		b.Fatal(depts, err)
	}
	return s, res.Org.ID, depts[0].ID
}

func BenchmarkUsersPageDepartments(b *testing.B) {
	s, org, dept := benchStore(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    models.MemberFilter
	}{
		{"first page", models.MemberFilter{Status: models.StatusActive, Limit: 50}},
		{"department", models.MemberFilter{Status: models.StatusActive, Limit: 50, DeptID: dept}},
		{"department by email", models.MemberFilter{Status: models.StatusActive, Limit: 50, DeptID: dept, Sort: models.SortEmail}},
		{"department search", models.MemberFilter{Status: models.StatusActive, Limit: 50, DeptID: dept, Query: "mar"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FindMembers(ctx, org, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, bc := range []struct {
		name string
		f    models.MemberFilter
	}{
		{"count matching, all", models.MemberFilter{Status: models.StatusActive}},
		{"count matching, department", models.MemberFilter{Status: models.StatusActive, DeptID: dept}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountMatching(ctx, org, bc.f, 5000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
