package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gatehouse/models"
)

// mustRequestReset asks for a reset of email with a fresh token valid for PasswordResetLifetime.
func mustRequestReset(tb testing.TB, s *Store, clock *testClock, email string) string {
	tb.Helper()
	raw, hash := models.NewToken()
	if err := s.SavePasswordReset(context.Background(), email, hash, clock.Now().Add(PasswordResetLifetime)); err != nil {
		tb.Fatalf("SavePasswordReset(%s): %v", email, err)
	}
	return raw
}

func TestRequestPasswordReset(t *testing.T) {
	ctx := context.Background()

	// Whether an account has the email is the use case's business (app.RequestPasswordReset,
	// tested in app/password_reset_test.go): the store binds the token to the address either way.
	t.Run("token bound to the email", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		raw := mustRequestReset(t, s, clock, "olive@acme.test")
		email, err := s.FindPasswordReset(ctx, raw)
		if err != nil || email != "olive@acme.test" {
			t.Fatalf("FindPasswordReset = %q, %v; want olive@acme.test", email, err)
		}
		var tok models.Token
		if err := s.r.Where("purpose = ?", models.PurposeReset).Take(&tok).Error; err != nil {
			t.Fatal(err)
		}
		if string(tok.Hash) != string(models.HashToken(raw)) || tok.Email != "olive@acme.test" || !tok.ExpiresAt.Equal(clock.Now().Add(time.Hour)) {
			t.Errorf("stored token = %+v; want the hash, bound to the email, expiring in 1 hour", tok)
		}
		if err := s.DeletePasswordReset(ctx, models.HashToken(raw)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindPasswordReset(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset after DeletePasswordReset = %v, want ErrGone", err)
		}
	})

	t.Run("a new request invalidates the earlier link", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		mustCreateOwner(t, s, "olive@acme.test", "Acme")
		mustCreateOwner(t, s, "oscar@acme.test", "Acme")
		first := mustRequestReset(t, s, clock, "olive@acme.test")
		other := mustRequestReset(t, s, clock, "oscar@acme.test")
		clock.Advance(time.Minute)
		second := mustRequestReset(t, s, clock, "olive@acme.test")
		if _, err := s.FindPasswordReset(ctx, first); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset(earlier link) = %v, want ErrGone", err)
		}
		if _, _, err := s.ResetPassword(ctx, first, "x"); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword(earlier link) = %v, want ErrGone", err)
		}
		if _, err := s.FindPasswordReset(ctx, second); err != nil {
			t.Errorf("FindPasswordReset(newest link) = %v", err)
		}
		if email, err := s.FindPasswordReset(ctx, other); err != nil || email != "oscar@acme.test" {
			t.Errorf("another account's link = %q, %v; want it untouched", email, err)
		}
	})
}

func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	newHash := models.HashPassword("a brand new password here")

	t.Run("single use; ends every session and pending second step; keeps factors", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		owner := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		var sessions [][]byte
		for range 2 {
			_, hash := models.NewToken()
			if _, err := s.CreateSession(ctx, LoginInput{UserID: owner.User.ID, TokenHash: hash}); err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, hash)
		}
		bystander := mustCreateOwner(t, s, "oscar@acme.test", "Acme")
		_, otherHash := models.NewToken()
		if _, err := s.CreateSession(ctx, LoginInput{UserID: bystander.User.ID, TokenHash: otherHash}); err != nil {
			t.Fatal(err)
		}
		now := clock.Now()
		for _, row := range []any{
			&models.MFAChallenge{TokenHash: []byte("login"), UserID: owner.User.ID, Purpose: models.ChallengeLogin, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			&models.MFAChallenge{TokenHash: []byte("enroll"), UserID: owner.User.ID, Purpose: models.ChallengeEnroll, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			&models.MFAChallenge{TokenHash: []byte("oscar"), UserID: bystander.User.ID, Purpose: models.ChallengeLogin, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			&models.MFAFactor{UserID: owner.User.ID, Kind: models.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP", ConfirmedAt: &now, CreatedAt: now},
		} {
			if err := s.w.Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}

		raw := mustRequestReset(t, s, clock, "olive@acme.test")
		u, ended, err := s.ResetPassword(ctx, raw, newHash)
		if err != nil || ended != 2 {
			t.Fatalf("ResetPassword = %d sessions ended, %v; want 2", ended, err)
		}
		if u.ID != owner.User.ID || u.PasswordHash != newHash {
			t.Errorf("ResetPassword returned %+v", u)
		}
		got, err := s.FindUserByEmail(ctx, "olive@acme.test")
		if err != nil || got.PasswordHash != newHash {
			t.Fatalf("stored hash not changed: %v", err)
		}
		for i, h := range sessions {
			if _, err := s.FindCurrent(ctx, h); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("session %d after the reset: FindCurrent = %v, want ErrNotFound", i, err)
			}
		}
		if _, err := s.FindCurrent(ctx, otherHash); err != nil {
			t.Errorf("another user's session ended too: %v", err)
		}
		var challenges []models.MFAChallenge
		if err := s.r.Find(&challenges).Error; err != nil {
			t.Fatal(err)
		}
		if len(challenges) != 1 || challenges[0].UserID != bystander.User.ID {
			t.Errorf("challenges left = %+v; want only the other user's", challenges)
		}
		if n := countRows(t, s, &models.MFAFactor{}); n != 1 {
			t.Errorf("%d MFA factors after the reset, want the 1 kept", n)
		}
		if n := countRows(t, s, &models.Session{}); n != 1 {
			t.Errorf("%d sessions after the reset; a reset must not log anyone in", n)
		}
		// The audit event is the use case's (app.TestResetPassword).

		// Spent: neither readable nor usable again, and the password stays.
		if _, err := s.FindPasswordReset(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset(spent) = %v, want ErrGone", err)
		}
		if _, _, err := s.ResetPassword(ctx, raw, testHash()); !errors.Is(err, models.ErrGone) {
			t.Errorf("second ResetPassword = %v, want ErrGone", err)
		}
		if got, _ := s.FindUserByEmail(ctx, "olive@acme.test"); got.PasswordHash != newHash {
			t.Error("a spent link changed the password")
		}
	})

	t.Run("expires after 1 hour", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		mustCreateOwner(t, s, "olive@acme.test", "Acme")
		raw := mustRequestReset(t, s, clock, "olive@acme.test")
		clock.Advance(time.Hour - time.Second)
		if _, err := s.FindPasswordReset(ctx, raw); err != nil {
			t.Fatalf("FindPasswordReset one second before expiry = %v", err)
		}
		clock.Advance(time.Second)
		if _, err := s.FindPasswordReset(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset at 1 hour = %v, want ErrGone", err)
		}
		if _, _, err := s.ResetPassword(ctx, raw, newHash); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword at 1 hour = %v, want ErrGone", err)
		}
		if got, _ := s.FindUserByEmail(ctx, "olive@acme.test"); got.PasswordHash != testHash() {
			t.Error("an expired link changed the password")
		}
	})

	t.Run("other purposes and unknown tokens are refused", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		setup := mustSetupToken(t, s)
		if _, err := s.FindPasswordReset(ctx, setup); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset(setup token) = %v, want ErrGone", err)
		}
		if _, _, err := s.ResetPassword(ctx, setup, newHash); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword(setup token) = %v, want ErrGone", err)
		}
		if err := s.CheckSetupToken(ctx, setup); err != nil {
			t.Errorf("the setup token was spent by a reset attempt: %v", err)
		}
		unknown, _ := models.NewToken()
		if _, _, err := s.ResetPassword(ctx, unknown, newHash); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword(unknown) = %v, want ErrGone", err)
		}
	})

	t.Run("an account whose email changed is not reset", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		owner := mustCreateOwner(t, s, "olive@acme.test", "Acme")
		raw := mustRequestReset(t, s, clock, "olive@acme.test")
		if err := s.w.Model(&models.User{}).Where("id = ?", owner.User.ID).Update("email", "olive@new.test").Error; err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ResetPassword(ctx, raw, newHash); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword after an email change = %v, want ErrGone", err)
		}
	})

	t.Run("parallel submits of one link: exactly one succeeds", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		mustCreateOwner(t, s, "olive@acme.test", "Acme")
		raw := mustRequestReset(t, s, clock, "olive@acme.test")
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, _, errs[i] = s.ResetPassword(ctx, raw, newHash) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, models.ErrGone):
				t.Errorf("ResetPassword: %v, want nil or ErrGone", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d parallel resets succeeded, want exactly 1", ok, n)
		}
	})
}

// A reset link asked for before the password changed must not set another over it.
func TestPasswordChangeEndsResetLinks(t *testing.T) {
	ctx := context.Background()

	t.Run("ChangePassword", func(t *testing.T) {
		f := newAccountFixture(t)
		raw := mustRequestReset(t, f.s, f.clock, f.olive.Email)
		gusRaw := mustRequestReset(t, f.s, f.clock, f.gus.Email)
		cur := f.current(t, f.olive.ID)
		if _, err := f.s.ChangePassword(ctx, cur.User.ID, cur.Session.ID, models.HashPassword("a brand new passphrase")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FindPasswordReset(ctx, raw); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset(link from before the change) = %v, want ErrGone", err)
		}
		if _, _, err := f.s.ResetPassword(ctx, raw, models.HashPassword("the attacker's password")); !errors.Is(err, models.ErrGone) {
			t.Errorf("ResetPassword(link from before the change) = %v, want ErrGone", err)
		}
		if _, err := f.s.FindPasswordReset(ctx, gusRaw); err != nil {
			t.Errorf("another account's reset link stopped working: %v", err)
		}
	})

	t.Run("ResetPassword", func(t *testing.T) {
		clock := newClock()
		s := MustOpenDB(t, clock.Now)
		mustCreateOwner(t, s, "olive@acme.test", "Acme")
		used := mustRequestReset(t, s, clock, "olive@acme.test")
		// A second live link for the same account, as a request racing the first could leave.
		other, hash := models.NewToken()
		if err := s.w.Create(&models.Token{Purpose: models.PurposeReset, Email: "olive@acme.test", Hash: hash,
			ExpiresAt: clock.Now().Add(time.Hour), CreatedAt: clock.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ResetPassword(ctx, used, models.HashPassword("a brand new password here")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindPasswordReset(ctx, other); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindPasswordReset(other link after a reset) = %v, want ErrGone", err)
		}
	})
}
