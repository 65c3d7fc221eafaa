package store

import (
	"context"
	"testing"

	"gatehouse/models"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDB(t, nil)
	res, err := s.Seed(ctx, SeedOptions{Members: 1000, Seed: 3, PasswordHash: "seeded-hash"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Members != 1000 || res.Invitations != 200 || res.AuditEvents < 1000 {
		t.Fatalf("seed wrote %d members, %d invitations, %d audit events; want 1000, 200, at least 1000", res.Members, res.Invitations, res.AuditEvents)
	}
	counts, err := s.MemberCounts(ctx, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for st, share := range map[models.Status]int64{models.StatusActive: 800, models.StatusInvited: 100, models.StatusPending: 50, models.StatusTerminated: 50} {
		if n := counts[st]; n < share*7/10 || n > share*13/10 {
			t.Errorf("%s: %d members, want about %d", st, n, share)
		}
	}
	one := func(sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := s.r.Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	checks := []struct {
		what string
		got  int64
		want int64
	}{
		{"invitations", one("SELECT COUNT(*) FROM invitations"), 200},
		{"an outbox message per invitation", one("SELECT COUNT(*) FROM outbox_messages WHERE invitation_id IS NOT NULL AND status = ?", models.OutboxSent), 200},
		{"invitations of members not invited", one("SELECT COUNT(*) FROM invitations i JOIN memberships m ON m.id = i.membership_id WHERE m.status <> ?", models.StatusInvited), 0},
		{"invited members without exactly one unsuperseded link", one(`SELECT COUNT(*) FROM memberships m WHERE m.status = ? AND
			(SELECT COUNT(*) FROM invitations i WHERE i.membership_id = m.id AND i.superseded_at IS NULL) <> 1`, models.StatusInvited), 0},
		{"accounts of invited members", one("SELECT COUNT(*) FROM memberships WHERE status = ? AND user_id IS NOT NULL", models.StatusInvited), 0},
		{"other members without an account", one("SELECT COUNT(*) FROM memberships WHERE status <> ? AND user_id IS NULL", models.StatusInvited), 0},
		{"members without a role", one("SELECT COUNT(*) FROM memberships m WHERE NOT EXISTS (SELECT 1 FROM membership_roles r WHERE r.membership_id = m.id)"), 0},
		{"audit events", one("SELECT COUNT(*) FROM audit_events"), int64(res.AuditEvents)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	now := s.now()
	if superseded := one("SELECT COUNT(*) FROM invitations WHERE superseded_at IS NOT NULL"); superseded == 0 {
		t.Error("no superseded invitation")
	}
	if expired := one("SELECT COUNT(*) FROM invitations WHERE superseded_at IS NULL AND expires_at <= ?", now); expired == 0 || expired == counts[models.StatusInvited] {
		t.Errorf("%d of %d latest links expired, want some but not all", expired, counts[models.StatusInvited])
	}

	t.Run("same seed, same data", func(t *testing.T) {
		other := MustOpenDB(t, nil)
		if _, err := other.Seed(ctx, SeedOptions{Members: 1000, Seed: 3, PasswordHash: "seeded-hash"}); err != nil {
			t.Fatal(err)
		}
		var a, b []string
		s.r.Raw("SELECT email || status || name_key FROM memberships ORDER BY id").Scan(&a)
		other.r.Raw("SELECT email || status || name_key FROM memberships ORDER BY id").Scan(&b)
		if len(a) != 1000 || len(a) != len(b) {
			t.Fatalf("got %d and %d members", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("member %d differs: %q, %q", i, a[i], b[i])
			}
		}
	})
	t.Run("seeding again adds members", func(t *testing.T) {
		res, err := s.Seed(ctx, SeedOptions{Members: 10, Seed: 4, PasswordHash: "seeded-hash"})
		if err != nil || res.Members != 10 {
			t.Fatalf("second seed: %+v, %v", res, err)
		}
		if n := one("SELECT COUNT(*) FROM memberships"); n != 1010 {
			t.Errorf("%d members after seeding twice, want 1010", n)
		}
	})
}
