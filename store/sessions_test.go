package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/models"
)

// sessionFixture: Olive is Owner of Acme and an Editor+Viewer of Globex.
type sessionFixture struct {
	s         *Store
	clock     *testClock
	acme      models.Organization
	globex    models.Organization
	olive     models.User
	oliveAcme models.Membership
	oliveGlbx models.Membership
}

func newSessionFixture(t *testing.T) *sessionFixture {
	t.Helper()
	clock := newClock()
	s := MustOpenDB(t, clock.Now)
	res := mustCreateOwner(t, s, "olive@acme.test", "Acme")
	f := &sessionFixture{s: s, clock: clock, acme: res.Org, olive: res.User}
	f.globex = mustCreateOrg(t, s, "Globex")
	f.oliveAcme = membershipOf(t, s, f.acme.ID, f.olive.Email)
	f.oliveGlbx = mustInsertMember(t, s, models.Membership{OrgID: f.globex.ID, UserID: &f.olive.ID, Email: f.olive.Email,
		Status: models.StatusActive, FirstName: f.olive.FirstName, LastName: f.olive.LastName}, models.RoleViewer, models.RoleEditor)
	return f
}

func (f *sessionFixture) login(t *testing.T, userID int64) (*models.Session, []byte) {
	t.Helper()
	_, hash := models.NewToken()
	sess, err := f.s.CreateSession(context.Background(), LoginInput{UserID: userID, TokenHash: hash, Meta: models.Meta{IP: "198.51.100.4", UserAgent: "Firefox"}})
	if err != nil {
		t.Fatalf("CreateSession(user %d): %v", userID, err)
	}
	return sess, hash
}

func (f *sessionFixture) setLastOrg(t *testing.T, orgID *int64) {
	t.Helper()
	if err := f.s.w.Model(&models.User{}).Where("id = ?", f.olive.ID).Update("last_org_id", orgID).Error; err != nil {
		t.Fatal(err)
	}
}

func TestCreateSession(t *testing.T) {
	ctx := context.Background()

	t.Run("last organization", func(t *testing.T) {
		f := newSessionFixture(t)
		sess, _ := f.login(t, f.olive.ID)
		if sess.OrgID != f.acme.ID || sess.UserID != f.olive.ID || sess.ID == 0 {
			t.Errorf("session = %+v; want Acme (the last organization)", sess)
		}
		f.setLastOrg(t, &f.globex.ID)
		if sess, _ := f.login(t, f.olive.ID); sess.OrgID != f.globex.ID {
			t.Errorf("session org = %d, want Globex %d (the last organization)", sess.OrgID, f.globex.ID)
		}
	})

	t.Run("no last organization: the first active membership", func(t *testing.T) {
		f := newSessionFixture(t)
		f.setLastOrg(t, nil)
		sess, _ := f.login(t, f.olive.ID)
		if sess.OrgID != f.acme.ID {
			t.Errorf("session org = %d, want Acme %d", sess.OrgID, f.acme.ID)
		}
		var u models.User
		f.s.r.Take(&u, f.olive.ID)
		if u.LastOrgID == nil || *u.LastOrgID != f.acme.ID {
			t.Errorf("last_org_id after login = %v, want Acme", u.LastOrgID)
		}
	})

	t.Run("last organization no longer active", func(t *testing.T) {
		f := newSessionFixture(t)
		f.setLastOrg(t, &f.globex.ID)
		if err := f.s.w.Model(&f.oliveGlbx).Update("status", models.StatusTerminated).Error; err != nil {
			t.Fatal(err)
		}
		if sess, _ := f.login(t, f.olive.ID); sess.OrgID != f.acme.ID {
			t.Errorf("session org = %d, want Acme %d (Globex membership is terminated)", sess.OrgID, f.acme.ID)
		}
	})

	t.Run("records the login", func(t *testing.T) {
		f := newSessionFixture(t)
		f.clock.Advance(90 * time.Minute)
		now := f.clock.Now()
		long := strings.Repeat("A", 500)
		_, hash := models.NewToken()
		sess, err := f.s.CreateSession(ctx, LoginInput{UserID: f.olive.ID, TokenHash: hash, Meta: models.Meta{IP: "198.51.100.4", UserAgent: long}})
		if err != nil {
			t.Fatal(err)
		}
		if !sess.CreatedAt.Equal(now) || !sess.LastSeenAt.Equal(now) || len(sess.UserAgent) != 300 || sess.IP != "198.51.100.4" {
			t.Errorf("session = %+v", sess)
		}
		u, _ := f.s.FindUserByEmail(ctx, f.olive.Email)
		if !u.LastLoginAt.Equal(now) {
			t.Errorf("user last_login_at = %v, want %v", u.LastLoginAt, now)
		}
		if m := membershipOf(t, f.s, f.acme.ID, f.olive.Email); !m.LastLoginAt.Equal(now) {
			t.Errorf("membership last_login_at = %v, want %v", m.LastLoginAt, now)
		}
		if m := membershipOf(t, f.s, f.globex.ID, f.olive.Email); !m.LastLoginAt.IsZero() {
			t.Errorf("other membership's last_login_at = %v, want unchanged", m.LastLoginAt)
		}
		// The login's audit event is the use case's (app.TestLoginAudit).
	})

	t.Run("no active membership", func(t *testing.T) {
		// Issue 11: the person logs in to no organization and may create or join one.
		f := newSessionFixture(t)
		for _, m := range []models.Membership{f.oliveAcme, f.oliveGlbx} {
			if err := f.s.w.Model(&m).Update("status", models.StatusTerminated).Error; err != nil {
				t.Fatal(err)
			}
		}
		_, hash := models.NewToken()
		sess, err := f.s.CreateSession(ctx, LoginInput{UserID: f.olive.ID, TokenHash: hash})
		if err != nil || sess.OrgID != 0 {
			t.Fatalf("CreateSession for a terminated user = %+v, %v, want a session without an organization", sess, err)
		}
		cur, err := f.s.FindCurrent(ctx, hash)
		if err != nil || cur.User.ID != f.olive.ID || cur.Org.ID != 0 || cur.Membership.ID != 0 || cur.HasOrg() {
			t.Fatalf("FindCurrent = %+v, %v, want the user without organization", cur, err)
		}
		// A user with no membership at all, e.g. only invited elsewhere.
		loner := models.User{Email: "loner@acme.test", PasswordHash: testHash()}
		if err := f.s.w.Create(&loner).Error; err != nil {
			t.Fatal(err)
		}
		_, hash2 := models.NewToken()
		if sess, err := f.s.CreateSession(ctx, LoginInput{UserID: loner.ID, TokenHash: hash2}); err != nil || sess.OrgID != 0 {
			t.Errorf("CreateSession for a user without memberships = %+v, %v, want a session without an organization", sess, err)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		f := newSessionFixture(t)
		_, hash := models.NewToken()
		if _, err := f.s.CreateSession(ctx, LoginInput{UserID: 9999, TokenHash: hash}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("CreateSession for an unknown user = %v, want ErrNotFound", err)
		}
	})

	t.Run("token hash reused", func(t *testing.T) {
		f := newSessionFixture(t)
		_, hash := f.login(t, f.olive.ID)
		if _, err := f.s.CreateSession(ctx, LoginInput{UserID: f.olive.ID, TokenHash: hash}); err == nil {
			t.Error("a second session with the same token hash was created")
		}
		if n := countRows(t, f.s, &models.Session{}); n != 1 {
			t.Errorf("%d sessions, want 1", n)
		}
	})
}

func TestFindCurrent(t *testing.T) {
	ctx := context.Background()
	f := newSessionFixture(t)

	t.Run("loads everything", func(t *testing.T) {
		f.setLastOrg(t, &f.globex.ID)
		sess, hash := f.login(t, f.olive.ID)
		cur, err := f.s.FindCurrent(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Session.ID != sess.ID || cur.User.ID != f.olive.ID || cur.User.Email != f.olive.Email || cur.Org.ID != f.globex.ID ||
			cur.Org.Name != "Globex" || cur.Membership.ID != f.oliveGlbx.ID || cur.Membership.Status != models.StatusActive {
			t.Errorf("current = %+v", cur)
		}
		if !slices.Equal(cur.Membership.Roles, []models.Role{models.RoleEditor, models.RoleViewer}) {
			t.Errorf("roles = %v, want [editor viewer]", cur.Membership.Roles)
		}
		if !cur.Can(models.PermManageContent) || cur.Can(models.PermInviteMembers) || len(cur.Permissions) != 2 {
			t.Errorf("permissions = %v, want view_data and manage_content", cur.Permissions)
		}
	})

	t.Run("owner permissions", func(t *testing.T) {
		f.setLastOrg(t, &f.acme.ID)
		_, hash := f.login(t, f.olive.ID)
		cur, err := f.s.FindCurrent(ctx, hash)
		if err != nil || cur.Org.ID != f.acme.ID || !cur.Can(models.PermManageOwners) {
			t.Errorf("current = %+v, %v; want Owner of Acme", cur, err)
		}
	})

	t.Run("membership in any status", func(t *testing.T) {
		f.setLastOrg(t, &f.acme.ID)
		_, hash := f.login(t, f.olive.ID)
		if err := f.s.w.Model(&models.Membership{}).Where("id = ?", f.oliveAcme.ID).Update("status", models.StatusTerminated).Error; err != nil {
			t.Fatal(err)
		}
		defer f.s.w.Model(&models.Membership{}).Where("id = ?", f.oliveAcme.ID).Update("status", models.StatusActive)
		cur, err := f.s.FindCurrent(ctx, hash)
		if err != nil || cur.Membership.Status != models.StatusTerminated {
			t.Errorf("current after termination = %+v, %v; want the terminated membership", cur, err)
		}
	})

	t.Run("unknown hash", func(t *testing.T) {
		_, other := models.NewToken()
		for _, h := range [][]byte{other, nil, []byte("short")} {
			if cur, err := f.s.FindCurrent(ctx, h); !errors.Is(err, models.ErrNotFound) || cur != nil {
				t.Errorf("FindCurrent(%x) = %v, %v; want ErrNotFound", h, cur, err)
			}
		}
	})

	t.Run("deleted user", func(t *testing.T) {
		u := models.User{Email: "temp@acme.test", PasswordHash: testHash()}
		if err := f.s.w.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		mustInsertMember(t, f.s, models.Membership{OrgID: f.acme.ID, UserID: &u.ID, Email: u.Email, Status: models.StatusActive}, models.RoleViewer)
		_, hash := f.login(t, u.ID)
		if err := f.s.w.Delete(&u).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FindCurrent(ctx, hash); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindCurrent after the user was deleted = %v, want ErrNotFound", err)
		}
	})
}

func TestTouchAndDeleteSession(t *testing.T) {
	ctx := context.Background()
	f := newSessionFixture(t)
	sess, hash := f.login(t, f.olive.ID)
	f.clock.Advance(10 * time.Minute)
	if err := f.s.TouchSession(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	cur, err := f.s.FindCurrent(ctx, hash)
	if err != nil || !cur.Session.LastSeenAt.Equal(f.clock.Now()) || !cur.Session.CreatedAt.Equal(sess.CreatedAt) {
		t.Errorf("after TouchSession: %+v, %v; want last seen now and created unchanged", cur.Session, err)
	}
	if err := f.s.DeleteSession(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.FindCurrent(ctx, hash); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindCurrent after DeleteSession = %v, want ErrNotFound", err)
	}
}

func TestPruneSessions(t *testing.T) {
	ctx := context.Background()
	f := newSessionFixture(t)
	p := models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour}
	t0 := f.clock.Now()

	type tracked struct {
		name     string
		sess     *models.Session
		wantGone bool
	}
	var all []*tracked
	start := func(name string, wantGone bool) *tracked {
		s, _ := f.login(t, f.olive.ID)
		tr := &tracked{name: name, sess: s, wantGone: wantGone}
		all = append(all, tr)
		return tr
	}
	touch := func(tr *tracked) {
		if err := f.s.TouchSession(ctx, tr.sess.ID); err != nil {
			t.Fatal(err)
		}
		tr.sess.LastSeenAt = f.clock.Now()
	}

	oldActive := start("12 hours old, active", true) // t0
	f.clock.Advance(11 * time.Hour)                  // t0+11h
	start("idle exactly 1 hour", true)
	idleShort := start("idle 1 hour less 1µs", false)
	f.clock.Advance(time.Microsecond)
	touch(idleShort)
	f.clock.Advance(30*time.Minute - time.Microsecond) // t0+11h30m
	start("30 minutes old", false)
	f.clock.Advance(29 * time.Minute) // t0+11h59m
	touch(oldActive)
	f.clock.Advance(time.Minute) // t0+12h
	if now := f.clock.Now(); !now.Equal(t0.Add(12 * time.Hour)) {
		t.Fatalf("test clock at %v, want t0+12h", now)
	}

	n, err := f.s.PruneSessions(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var wantGone int64
	now := f.clock.Now()
	for _, tr := range all {
		// The store and the model agree on what has expired.
		if p.Expired(*tr.sess, now) != tr.wantGone {
			t.Errorf("%s: SessionPolicy.Expired = %v, test expects gone = %v", tr.name, !tr.wantGone, tr.wantGone)
		}
		var count int64
		f.s.r.Model(&models.Session{}).Where("id = ?", tr.sess.ID).Count(&count)
		if gone := count == 0; gone != tr.wantGone {
			t.Errorf("%s: gone = %v, want %v", tr.name, gone, tr.wantGone)
		}
		if tr.wantGone {
			wantGone++
		}
	}
	if n != wantGone {
		t.Errorf("PruneSessions returned %d, want %d", n, wantGone)
	}
	if n, err := f.s.PruneSessions(ctx, p); err != nil || n != 0 {
		t.Errorf("second PruneSessions = %d, %v; want 0", n, err)
	}
}
