package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

func setupInput(email string) SetupInput {
	return SetupInput{OrgName: "Acme", FirstName: "Olive", LastName: "Owner", Email: email, PasswordHash: testHash()}
}

func countRows(tb testing.TB, s *Store, model any) int64 {
	tb.Helper()
	var n int64
	if err := s.r.Model(model).Count(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

func mustSetupToken(tb testing.TB, s *Store) string {
	tb.Helper()
	raw, err := s.CreateSetupToken(context.Background())
	if err != nil || len(raw) != 43 {
		tb.Fatalf("CreateSetupToken = %q, %v; want a 43-character token", raw, err)
	}
	return raw
}

func TestSetup(t *testing.T) {
	ctx := context.Background()

	t.Run("works once", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		raw := mustSetupToken(t, s)
		if err := s.CheckSetupToken(ctx, raw); err != nil {
			t.Fatalf("CheckSetupToken(fresh) = %v", err)
		}
		res, err := s.CompleteSetup(ctx, raw, setupInput("olive@acme.test"))
		if err != nil {
			t.Fatalf("CompleteSetup: %v", err)
		}
		u := &res.User
		if u.ID == 0 || u.Email != "olive@acme.test" || u.PasswordHash != testHash() || u.LastOrgID == nil {
			t.Errorf("CompleteSetup returned %+v", u)
		}

		if err := s.CheckSetupToken(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("CheckSetupToken(used) = %v, want ErrGone", err)
		}
		if _, err := s.CompleteSetup(ctx, raw, setupInput("mallory@acme.test")); !errors.Is(err, models.ErrGone) {
			t.Errorf("second CompleteSetup = %v, want ErrGone", err)
		}
		if n := countRows(t, s, &models.User{}); n != 1 {
			t.Errorf("%d users after a second use, want 1", n)
		}
		if n := countRows(t, s, &models.Organization{}); n != 1 {
			t.Errorf("%d organizations after a second use, want 1", n)
		}

		// The first Owner: an active Owner membership in the new organization.
		var org models.Organization
		if err := s.r.Take(&org, *u.LastOrgID).Error; err != nil || org.Name != "Acme" || org.InviteLifetimeHours != 72 {
			t.Errorf("organization = %+v, %v; want Acme with a 72-hour invitation lifetime", org, err)
		}
		p, err := s.FindMembers(ctx, org.ID, models.MemberFilter{Status: models.StatusActive})
		if err != nil || len(p.Members) != 1 {
			t.Fatalf("active members = %+v, %v", p, err)
		}
		m := p.Members[0]
		if m.UserID == nil || *m.UserID != u.ID || m.Email != u.Email || m.NameKey != "olive owner" || len(m.Roles) != 1 || m.Roles[0] != models.RoleOwner {
			t.Errorf("owner membership = %+v", m)
		}
		if c, _ := s.MemberCounts(ctx, org.ID); c[models.StatusActive] != 1 {
			t.Errorf("active count = %d, want 1", c[models.StatusActive])
		}

		if res.Membership.ID != m.ID || res.Org.ID != org.ID {
			t.Errorf("CompleteSetup returned membership %d in org %d, want %d in %d", res.Membership.ID, res.Org.ID, m.ID, org.ID)
		}
		// The audit event is the use case's (app.CompleteSetup).
		if evs := mustAudit(t, s, models.AuditFilter{Action: models.ActionSetup}); len(evs) != 0 {
			t.Errorf("the store wrote %d setup.completed events", len(evs))
		}

		if raw, err := s.CreateSetupToken(ctx); err != nil || raw != "" {
			t.Errorf("CreateSetupToken once a user exists = %q, %v; want \"\"", raw, err)
		}
	})

	t.Run("unknown tokens", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		mustSetupToken(t, s)
		other, _ := models.NewToken()
		for _, raw := range []string{"", "nope", other} {
			if err := s.CheckSetupToken(ctx, raw); !errors.Is(err, models.ErrGone) {
				t.Errorf("CheckSetupToken(%q) = %v, want ErrGone", raw, err)
			}
			if _, err := s.CompleteSetup(ctx, raw, setupInput("a@acme.test")); !errors.Is(err, models.ErrGone) {
				t.Errorf("CompleteSetup(%q) = %v, want ErrGone", raw, err)
			}
		}
		if n := countRows(t, s, &models.User{}); n != 0 {
			t.Errorf("%d users after refused setups", n)
		}
	})

	t.Run("expires", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		raw := mustSetupToken(t, s)
		clock.Advance(models.SetupLinkLifetime - time.Microsecond)
		if err := s.CheckSetupToken(ctx, raw); err != nil {
			t.Errorf("CheckSetupToken just before expiry = %v", err)
		}
		clock.Advance(time.Microsecond)
		if err := s.CheckSetupToken(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("CheckSetupToken at expiry = %v, want ErrGone", err)
		}
		clock.Advance(time.Hour)
		if _, err := s.CompleteSetup(ctx, raw, setupInput("late@acme.test")); !errors.Is(err, models.ErrGone) {
			t.Errorf("CompleteSetup after expiry = %v, want ErrGone", err)
		}
		if n := countRows(t, s, &models.User{}) + countRows(t, s, &models.Organization{}); n != 0 {
			t.Errorf("expired setup wrote %d users and organizations", n)
		}
		// A restart prints a new link that works.
		fresh := mustSetupToken(t, s)
		if _, err := s.CompleteSetup(ctx, fresh, setupInput("late@acme.test")); err != nil {
			t.Errorf("CompleteSetup with a fresh token after expiry: %v", err)
		}
	})

	t.Run("new token invalidates the previous", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		first := mustSetupToken(t, s)
		second := mustSetupToken(t, s)
		if first == second {
			t.Fatal("two setup tokens are equal")
		}
		if err := s.CheckSetupToken(ctx, first); !errors.Is(err, models.ErrGone) {
			t.Errorf("CheckSetupToken(previous) = %v, want ErrGone", err)
		}
		if _, err := s.CompleteSetup(ctx, first, setupInput("a@acme.test")); !errors.Is(err, models.ErrGone) {
			t.Errorf("CompleteSetup(previous) = %v, want ErrGone", err)
		}
		if err := s.CheckSetupToken(ctx, second); err != nil {
			t.Errorf("CheckSetupToken(latest) = %v", err)
		}
	})

	// A setup link printed before an Owner was added from the command line must not
	// create a second organization and Owner.
	t.Run("refused once an owner exists", func(t *testing.T) {
		s := MustOpenDB(t, nil)
		raw := mustSetupToken(t, s)
		mustCreateOwner(t, s, "cli@acme.test", "")
		// (CheckSetupToken checks the token alone; the setup page checks CountUsers first.)
		if _, err := s.CompleteSetup(ctx, raw, setupInput("web@acme.test")); !errors.Is(err, models.ErrGone) {
			t.Errorf("CompleteSetup after create-owner = %v, want ErrGone", err)
		}
		if n := countRows(t, s, &models.Organization{}); n != 1 {
			t.Errorf("%d organizations, want 1", n)
		}
	})

	// Twenty parallel submits of one link create exactly one account, even from two
	// processes (two Stores on one file), and with different emails so the unique
	// email index cannot be what stops them.
	t.Run("parallel", func(t *testing.T) {
		path := testdb.Path(t, "gatehouse.db")
		a := mustOpenPath(t, path, nil)
		b := mustOpenPath(t, path, nil)
		raw := mustSetupToken(t, a)
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			ok, gone  int
			otherErrs []error
		)
		start := make(chan struct{})
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := a
				if i%2 == 1 {
					s = b
				}
				<-start
				_, err := s.CompleteSetup(ctx, raw, setupInput(fmt.Sprintf("owner%d@acme.test", i)))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, models.ErrGone):
					gone++
				default:
					otherErrs = append(otherErrs, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if ok != 1 || gone != 19 || len(otherErrs) != 0 {
			t.Errorf("parallel setup: %d succeeded, %d gone, other errors %v; want 1, 19, none", ok, gone, otherErrs)
		}
		if n := countRows(t, a, &models.User{}); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		if n := countRows(t, a, &models.Organization{}); n != 1 {
			t.Errorf("%d organizations, want 1", n)
		}
		if n := countRows(t, a, &models.Membership{}); n != 1 {
			t.Errorf("%d memberships, want 1", n)
		}
	})
}
