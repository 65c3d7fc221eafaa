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

// accountFixture is the session fixture (Olive in Acme and Globex) plus Gus, Owner of Globex.
type accountFixture struct {
	*sessionFixture
	gus models.User
}

func newAccountFixture(t *testing.T) *accountFixture {
	t.Helper()
	f := &accountFixture{sessionFixture: newSessionFixture(t)}
	f.gus = mustCreateOwner(t, f.s, "gus@globex.test", "Globex").User
	return f
}

// current logs userID in and returns the session as a request would see it.
func (f *accountFixture) current(t *testing.T, userID int64) *models.Current {
	t.Helper()
	_, hash := f.login(t, userID)
	cur, err := f.s.FindCurrent(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

func (f *accountFixture) user(t *testing.T, id int64) models.User {
	t.Helper()
	var u models.User
	if err := f.s.r.Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func sessionIDs(t *testing.T, s *Store, userID int64) []int64 {
	t.Helper()
	ss, err := s.FindUserSessions(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(ss))
	for i, x := range ss {
		out[i] = x.ID
	}
	return out
}

// searchIDs returns the ids of org's active members that a Users page search for q finds.
func searchIDs(t *testing.T, s *Store, orgID int64, q string) []int64 {
	t.Helper()
	page, err := s.FindMembers(context.Background(), orgID, models.MemberFilter{Status: models.StatusActive, Query: q, Limit: MaxMemberPage})
	if err != nil {
		t.Fatalf("FindMembers(%q): %v", q, err)
	}
	return ids(page.Members)
}

func TestUpdateProfile(t *testing.T) {
	ctx := context.Background()

	t.Run("names propagate to every membership", func(t *testing.T) {
		f := newAccountFixture(t)
		detail, err := f.s.UpdateProfile(ctx, f.olive.ID, "Beatrix", "Zeller", "+447911123456")
		if err != nil {
			t.Fatal(err)
		}
		u := f.user(t, f.olive.ID)
		if u.FirstName != "Beatrix" || u.LastName != "Zeller" || u.Phone != "+447911123456" {
			t.Errorf("user = %q %q %q", u.FirstName, u.LastName, u.Phone)
		}
		for _, m := range []models.Membership{membershipOf(t, f.s, f.acme.ID, f.olive.Email), membershipOf(t, f.s, f.globex.ID, f.olive.Email)} {
			if m.FirstName != "Beatrix" || m.LastName != "Zeller" || m.NameKey != "beatrix zeller" || m.LastNameKey != "zeller" {
				t.Errorf("membership in org %d = %q %q keys %q %q", m.OrgID, m.FirstName, m.LastName, m.NameKey, m.LastNameKey)
			}
		}
		for _, q := range []string{"beatrix z", "Zeller"} {
			if got := searchIDs(t, f.s, f.acme.ID, q); !slices.Equal(got, []int64{f.oliveAcme.ID}) {
				t.Errorf("Acme search %q = %v, want Olive's membership %d", q, got, f.oliveAcme.ID)
			}
			if got := searchIDs(t, f.s, f.globex.ID, q); !slices.Equal(got, []int64{f.oliveGlbx.ID}) {
				t.Errorf("Globex search %q = %v, want Olive's membership %d", q, got, f.oliveGlbx.ID)
			}
		}
		if got := searchIDs(t, f.s, f.acme.ID, "owner olive"); len(got) != 0 {
			t.Errorf("search by the old name still finds %v", got)
		}
		// Gus is untouched.
		if m := membershipOf(t, f.s, f.globex.ID, f.gus.Email); m.FirstName != "Owner" || m.LastName != "gus" {
			t.Errorf("Gus's membership changed: %q %q", m.FirstName, m.LastName)
		}
		// What changed, for the audit event the use case writes (app.TestUpdateProfile).
		for _, want := range []string{`first name "Owner" → "Beatrix"`, `last name "olive" → "Zeller"`, "phone none → ", "3456"} {
			if !strings.Contains(detail, want) {
				t.Errorf("detail %q lacks %q", detail, want)
			}
		}
		if strings.Contains(detail, "7911") {
			t.Errorf("detail %q shows the whole phone number", detail)
		}
	})

	t.Run("an empty name sorts by email", func(t *testing.T) {
		f := newAccountFixture(t)
		if _, err := f.s.UpdateProfile(ctx, f.olive.ID, "", "", ""); err != nil {
			t.Fatal(err)
		}
		m := membershipOf(t, f.s, f.globex.ID, f.olive.Email)
		want := m
		want.SetName("", "")
		if m.NameKey != want.NameKey || m.NameKey != f.olive.Email || m.LastNameKey != "" || m.FirstName != "" {
			t.Errorf("keys %q %q, want %q %q", m.NameKey, m.LastNameKey, want.NameKey, want.LastNameKey)
		}
	})

	t.Run("nothing changed writes nothing", func(t *testing.T) {
		f := newAccountFixture(t)
		before := f.user(t, f.olive.ID)
		f.clock.Advance(time.Hour)
		if detail, err := f.s.UpdateProfile(ctx, f.olive.ID, before.FirstName, before.LastName, before.Phone); err != nil || detail != "" {
			t.Fatalf("UpdateProfile(no change) = %q, %v; want nothing changed", detail, err)
		}
		if after := f.user(t, f.olive.ID); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("updated_at moved from %v to %v", before.UpdatedAt, after.UpdatedAt)
		}
	})
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	cur := f.current(t, f.olive.ID)
	f.login(t, f.olive.ID)
	f.login(t, f.olive.ID)
	gus := f.current(t, f.gus.ID)
	challenge := models.MFAChallenge{TokenHash: []byte("pending login"), UserID: f.olive.ID, Purpose: models.ChallengeLogin,
		CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Minute)}
	if err := f.s.w.Create(&challenge).Error; err != nil {
		t.Fatal(err)
	}

	newHash := models.HashPassword("a brand new passphrase")
	ended, err := f.s.ChangePassword(ctx, f.olive.ID, cur.Session.ID, newHash)
	if err != nil || ended != 2 {
		t.Fatalf("ChangePassword = %d, %v; want 2 other sessions ended", ended, err)
	}
	if got := sessionIDs(t, f.s, f.olive.ID); !slices.Equal(got, []int64{cur.Session.ID}) {
		t.Errorf("Olive's sessions = %v, want only the current %d", got, cur.Session.ID)
	}
	if got := sessionIDs(t, f.s, f.gus.ID); !slices.Equal(got, []int64{gus.Session.ID}) {
		t.Errorf("Gus's sessions = %v, want %d untouched", got, gus.Session.ID)
	}
	if u := f.user(t, f.olive.ID); u.PasswordHash != newHash || !models.CheckPassword(u.PasswordHash, "a brand new passphrase") {
		t.Error("password hash not changed")
	}
	if u := f.user(t, f.gus.ID); u.PasswordHash != testHash() {
		t.Error("Gus's password changed")
	}
	var left int64
	f.s.r.Model(&models.MFAChallenge{}).Where("user_id = ?", f.olive.ID).Count(&left)
	if left != 0 {
		t.Errorf("%d login challenges left after the password changed", left)
	}
	if _, err := f.s.FindCurrent(ctx, cur.Session.TokenHash); err != nil {
		t.Errorf("the current session no longer loads: %v", err)
	}
}

func TestFindUserSessions(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	a, _ := f.login(t, f.olive.ID)
	f.clock.Advance(time.Minute)
	b, _ := f.login(t, f.olive.ID)
	f.clock.Advance(time.Minute)
	c, _ := f.login(t, f.olive.ID)
	f.login(t, f.gus.ID)
	f.clock.Advance(time.Minute)
	if err := f.s.TouchSession(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := sessionIDs(t, f.s, f.olive.ID), []int64{a.ID, c.ID, b.ID}; !slices.Equal(got, want) {
		t.Errorf("sessions = %v, want newest seen first %v", got, want)
	}
	if got := sessionIDs(t, f.s, 999); len(got) != 0 {
		t.Errorf("unknown user has sessions %v", got)
	}
}

func TestEndUserSession(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	cur := f.current(t, f.olive.ID)
	other, _ := f.login(t, f.olive.ID)
	gus := f.current(t, f.gus.ID)

	for name, id := range map[string]int64{"another user's session": gus.Session.ID, "the current session": cur.Session.ID, "an unknown id": 99999} {
		if _, err := f.s.EndUserSession(ctx, f.olive.ID, cur.Session.ID, id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: err %v, want ErrNotFound", name, err)
		}
	}
	if _, err := f.s.FindCurrent(ctx, gus.Session.TokenHash); err != nil {
		t.Errorf("Gus's session ended: %v", err)
	}
	ended, err := f.s.EndUserSession(ctx, f.olive.ID, cur.Session.ID, other.ID)
	if err != nil || ended.ID != other.ID || ended.IP != "198.51.100.4" {
		t.Fatalf("EndUserSession = %+v, %v", ended, err)
	}
	if got := sessionIDs(t, f.s, f.olive.ID); !slices.Equal(got, []int64{cur.Session.ID}) {
		t.Errorf("Olive's sessions = %v, want only %d", got, cur.Session.ID)
	}
	if _, err := f.s.EndUserSession(ctx, f.olive.ID, cur.Session.ID, other.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("ending it again: %v, want ErrNotFound", err)
	}
}

func TestEndOtherSessions(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	cur := f.current(t, f.olive.ID)
	f.login(t, f.olive.ID)
	f.login(t, f.olive.ID)
	gus := f.current(t, f.gus.ID)

	n, err := f.s.EndOtherSessions(ctx, f.olive.ID, cur.Session.ID)
	if err != nil || n != 2 {
		t.Fatalf("EndOtherSessions = %d, %v; want 2", n, err)
	}
	if got := sessionIDs(t, f.s, f.olive.ID); !slices.Equal(got, []int64{cur.Session.ID}) {
		t.Errorf("Olive's sessions = %v, want only %d", got, cur.Session.ID)
	}
	if got := sessionIDs(t, f.s, f.gus.ID); !slices.Equal(got, []int64{gus.Session.ID}) {
		t.Errorf("Gus's sessions = %v", got)
	}
	if n, err := f.s.EndOtherSessions(ctx, f.olive.ID, cur.Session.ID); err != nil || n != 0 {
		t.Errorf("again = %d, %v; want 0", n, err)
	}
}
