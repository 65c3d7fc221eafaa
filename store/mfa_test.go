package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/models"
)

// mfaCounts counts the rows of the MFA tables and what MFA writes beside them.
func mfaCounts(tb testing.TB, s *Store) map[string]int64 {
	tb.Helper()
	out := map[string]int64{}
	for _, table := range []string{"mfa_factors", "mfa_challenges", "recovery_codes", "outbox_messages", "audit_events", "sessions", "users"} {
		var n int64
		if err := s.r.Table(table).Count(&n).Error; err != nil {
			tb.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func wantMFADelta(tb testing.TB, s *Store, before map[string]int64, delta map[string]int64) {
	tb.Helper()
	for table, n := range mfaCounts(tb, s) {
		if n-before[table] != delta[table] {
			tb.Errorf("%s: %d rows → %d, want a change of %d", table, before[table], n, delta[table])
		}
	}
}

// challengeRow reads ch back, by its token hash: SQLite gives a deleted row's id to the next.
func challengeRow(tb testing.TB, s *Store, ch *models.MFAChallenge) *models.MFAChallenge {
	tb.Helper()
	var row models.MFAChallenge
	if err := s.r.Where("token_hash = ?", ch.TokenHash).Take(&row).Error; err != nil {
		return nil
	}
	return &row
}

func userRow(tb testing.TB, s *Store, id int64) models.User {
	tb.Helper()
	var u models.User
	if err := s.r.Take(&u, id).Error; err != nil {
		tb.Fatal(err)
	}
	return u
}

func startChallenge(tb testing.TB, s *Store, userID int64, purpose models.ChallengePurpose, phone string) *models.MFAChallenge {
	tb.Helper()
	_, hash := models.NewToken()
	ch, err := s.StartChallenge(context.Background(), userID, purpose, hash, phone, "192.0.2.10")
	if err != nil {
		tb.Fatalf("StartChallenge: %v", err)
	}
	return ch
}

// sendCode texts code for ch, as the handlers do: hashed and bound to the challenge.
func sendCode(s *Store, ch *models.MFAChallenge, phone, code string, orgID *int64) error {
	msg := models.OutboxMessage{Subject: "Verification code", TextBody: code + " is your Gatehouse verification code."}
	return s.SendChallengeCode(context.Background(), ch.ID, phone, models.HashCode(ch.TokenHash, code), msg, orgID)
}

func checkCode(s *Store, ch *models.MFAChallenge, code string) error {
	return s.CheckChallengeCode(context.Background(), ch.ID, models.HashCode(ch.TokenHash, code))
}

func wantRefusal(tb testing.TB, err error, has, what string) {
	tb.Helper()
	if msg := models.RefusalMessage(err); msg == "" || !strings.Contains(msg, has) {
		tb.Errorf("%s: %v, want a refusal saying %q", what, err, has)
	}
}

// enrollTOTP gives cur an authenticator factor (with recovery codes when it is the first)
// and returns the factor and the codes.
func enrollTOTP(tb testing.TB, s *Store, cur *models.Current, step int64) (*models.MFAFactor, []string) {
	tb.Helper()
	nf := NewFactor{Kind: models.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP", Step: step}
	var codes []string
	if !userRow(tb, s, cur.User.ID).MFAEnabled {
		codes, nf.RecoveryHashes = models.NewRecoveryCodes()
	}
	f, err := s.ConfirmFactor(context.Background(), cur.User.ID, nf)
	if err != nil {
		tb.Fatalf("ConfirmFactor: %v", err)
	}
	cur.User.MFAEnabled = true
	return f, codes
}

// enrollSMS confirms phone as an SMS factor of cur, through an enrollment challenge.
func enrollSMS(tb testing.TB, s *Store, cur *models.Current, phone string) *models.MFAFactor {
	tb.Helper()
	ch := startChallenge(tb, s, cur.User.ID, models.ChallengeEnroll, phone)
	nf := NewFactor{Kind: models.FactorSMS, FactorID: *ch.FactorID}
	if !userRow(tb, s, cur.User.ID).MFAEnabled {
		_, nf.RecoveryHashes = models.NewRecoveryCodes()
	}
	f, err := s.ConfirmFactor(context.Background(), cur.User.ID, nf)
	if err != nil {
		tb.Fatalf("ConfirmFactor(SMS): %v", err)
	}
	if err := s.EndChallenge(context.Background(), ch.ID); err != nil {
		tb.Fatal(err)
	}
	cur.User.MFAEnabled = true
	return f
}

func TestChallengeLifecycle(t *testing.T) {
	ctx := context.Background()

	t.Run("found until it expires after 15 minutes", func(t *testing.T) {
		f := newInviteFixture(t)
		_, hash := models.NewToken()
		ch, err := f.s.StartChallenge(ctx, f.owner.User.ID, models.ChallengeLogin, hash, "", "192.0.2.10")
		if err != nil {
			t.Fatal(err)
		}
		if !ch.ExpiresAt.Equal(f.clock.Now().Add(15*time.Minute)) || ch.IP != "192.0.2.10" || ch.FactorID != nil || ch.CodeHash != nil {
			t.Errorf("challenge %+v", ch)
		}
		got, err := f.s.FindChallenge(ctx, hash, models.ChallengeLogin)
		if err != nil || got.ID != ch.ID || got.UserID != f.owner.User.ID {
			t.Fatalf("FindChallenge: %+v, %v", got, err)
		}
		if _, err := f.s.FindChallenge(ctx, hash, models.ChallengeEnroll); !errors.Is(err, models.ErrGone) {
			t.Errorf("a login challenge found as an enrollment: %v", err)
		}
		_, other := models.NewToken()
		if _, err := f.s.FindChallenge(ctx, other, models.ChallengeLogin); !errors.Is(err, models.ErrGone) {
			t.Errorf("an unknown token: %v, want ErrGone", err)
		}
		if _, err := f.s.FindChallenge(ctx, nil, models.ChallengeLogin); !errors.Is(err, models.ErrGone) {
			t.Errorf("no token: %v, want ErrGone", err)
		}
		f.clock.Advance(15*time.Minute - time.Second)
		if _, err := f.s.FindChallenge(ctx, hash, models.ChallengeLogin); err != nil {
			t.Errorf("a second before expiry: %v", err)
		}
		f.clock.Advance(time.Second)
		if _, err := f.s.FindChallenge(ctx, hash, models.ChallengeLogin); !errors.Is(err, models.ErrGone) {
			t.Errorf("at 15 minutes: %v, want ErrGone", err)
		}
		// The next challenge, anyone's, sweeps the expired one away once the SMS caps no
		// longer count it (an hour).
		f.clock.Advance(models.SMSCapWindowIP)
		startChallenge(t, f.s, f.gus.User.ID, models.ChallengeLogin, "")
		if challengeRow(t, f.s, ch) != nil {
			t.Error("an expired challenge was kept")
		}
	})

	t.Run("ended", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := f.s.EndChallenge(ctx, ch.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FindChallenge(ctx, ch.TokenHash, models.ChallengeLogin); !errors.Is(err, models.ErrGone) {
			t.Errorf("an ended challenge: %v", err)
		}
		if err := checkCode(f.s, ch, "123456"); !errors.Is(err, models.ErrGone) {
			t.Errorf("a code for an ended challenge: %v", err)
		}
		if err := sendCode(f.s, ch, "+447911123456", "123456", nil); !errors.Is(err, models.ErrGone) {
			t.Errorf("a send for an ended challenge: %v", err)
		}
	})

	t.Run("one enrollment at a time; earlier numbers are kept a day for the SMS cap", func(t *testing.T) {
		f := newInviteFixture(t)
		uid := f.owner.User.ID
		confirmed := enrollSMS(t, f.s, f.owner, "+447700900001")
		a := startChallenge(t, f.s, uid, models.ChallengeEnroll, "+447911123456")
		if a.FactorID == nil {
			t.Fatal("no factor for the phone being enrolled")
		}
		b := startChallenge(t, f.s, uid, models.ChallengeEnroll, "+447911654321")
		var pending []models.MFAFactor
		if err := f.s.r.Where("user_id = ? AND confirmed_at IS NULL", uid).Find(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if len(pending) != 2 || pending[1].ID != *b.FactorID || pending[1].Phone != "+447911654321" || pending[1].Kind != models.FactorSMS {
			t.Errorf("unconfirmed factors %+v, want the first phone and the second", pending)
		}
		f.clock.Advance(models.SMSCapWindowMember)
		c := startChallenge(t, f.s, uid, models.ChallengeEnroll, "+447911654321")
		if err := f.s.r.Where("user_id = ? AND confirmed_at IS NULL", uid).Find(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].ID != *c.FactorID {
			t.Errorf("unconfirmed factors a day later %+v, want only the newest", pending)
		}
		if challengeRow(t, f.s, a) != nil {
			t.Error("the first enrollment outlived its phone")
		}
		fs, err := f.s.FindFactors(ctx, uid)
		if err != nil || len(fs) != 1 || fs[0].ID != confirmed.ID {
			t.Errorf("FindFactors = %+v, %v; want only the confirmed phone", fs, err)
		}
		// An unconfirmed phone cannot be confirmed through another user's challenge.
		if _, err := f.s.ConfirmFactor(ctx, f.gus.User.ID, NewFactor{Kind: models.FactorSMS, FactorID: *b.FactorID}); !errors.Is(err, models.ErrGone) {
			t.Errorf("Gus confirming Olive's phone: %v, want ErrGone", err)
		}
	})
}

func TestSendChallengeCode(t *testing.T) {
	const phone = "+447911123456"

	t.Run("stores the code hashed and puts the text in the outbox", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		before := mfaCounts(t, f.s)
		if err := sendCode(f.s, ch, phone, "012345", &f.org.ID); err != nil {
			t.Fatal(err)
		}
		wantMFADelta(t, f.s, before, map[string]int64{"outbox_messages": 1})
		msgs := messagesOf(t, f.s, phone)
		if len(msgs) != 1 || msgs[0].Channel != models.ChannelSMS || msgs[0].OrgID == nil || *msgs[0].OrgID != f.org.ID ||
			!strings.HasPrefix(msgs[0].TextBody, "012345 ") || msgs[0].Status != models.OutboxPending {
			t.Errorf("outbox %+v", msgs)
		}
		row := challengeRow(t, f.s, ch)
		now := f.clock.Now()
		if row.CodeExpiresAt == nil || !row.CodeExpiresAt.Equal(now.Add(10*time.Minute)) || row.LastSentAt == nil || !row.LastSentAt.Equal(now) {
			t.Errorf("code expires %v, sent %v; want %v and %v", row.CodeExpiresAt, row.LastSentAt, now.Add(10*time.Minute), now)
		}
		if !bytes.Equal(row.CodeHash, models.HashCode(ch.TokenHash, "012345")) || bytes.Contains(row.CodeHash, []byte("012345")) {
			t.Error("the code is not stored as its hash")
		}
	})

	t.Run("one a minute per challenge", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := sendCode(f.s, ch, phone, "111111", nil); err != nil {
			t.Fatal(err)
		}
		before := mfaCounts(t, f.s)
		err := sendCode(f.s, ch, phone, "222222", nil)
		wantRefusal(t, err, "in 60 seconds", "a second send at once")
		f.clock.Advance(59 * time.Second)
		err = sendCode(f.s, ch, phone, "222222", nil)
		wantRefusal(t, err, "in 1 second.", "a send after 59 s")
		wantMFADelta(t, f.s, before, nil)
		// The refused sends left the first code working.
		if !bytes.Equal(challengeRow(t, f.s, ch).CodeHash, models.HashCode(ch.TokenHash, "111111")) {
			t.Error("a refused send replaced the code")
		}
		f.clock.Advance(2 * time.Second)
		if err := sendCode(f.s, ch, phone, "222222", nil); err != nil {
			t.Fatalf("a send after 61 s: %v", err)
		}
		wantMFADelta(t, f.s, before, map[string]int64{"outbox_messages": 1})
		// A new code replaces the old one.
		wantRefusal(t, checkCode(f.s, ch, "111111"), "isn't right", "the replaced code")
		if err := checkCode(f.s, ch, "222222"); err != nil {
			t.Errorf("the new code: %v", err)
		}
	})

	t.Run("five an hour per phone, across challenges", func(t *testing.T) {
		f := newInviteFixture(t)
		for i := range 5 {
			ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
			if err := sendCode(f.s, ch, phone, "123456", nil); err != nil {
				t.Fatalf("send %d: %v", i+1, err)
			}
			f.clock.Advance(5 * time.Minute)
		}
		sixth := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		gus := startChallenge(t, f.s, f.gus.User.ID, models.ChallengeLogin, "")
		before := mfaCounts(t, f.s)
		wantRefusal(t, sendCode(f.s, sixth, phone, "123456", nil), "Too many codes", "the sixth SMS within an hour")
		// Another user's challenge to the same number counts the same.
		wantRefusal(t, sendCode(f.s, gus, phone, "123456", nil), "Too many codes", "a sixth SMS to the number for someone else")
		wantMFADelta(t, f.s, before, nil)
		if challengeRow(t, f.s, sixth).CodeHash != nil {
			t.Error("a refused send stored a code")
		}
		// Another number is not limited by this one.
		if err := sendCode(f.s, sixth, "+447911654321", "123456", nil); err != nil {
			t.Errorf("another number: %v", err)
		}
		// An hour after the first send, one more may go.
		f.clock.Advance(35*time.Minute + time.Second)
		later := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := sendCode(f.s, later, phone, "123456", nil); err != nil {
			t.Errorf("an hour after the first send: %v", err)
		}
	})

	t.Run("expired or ended challenge", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		f.clock.Advance(15 * time.Minute)
		before := mfaCounts(t, f.s)
		if err := sendCode(f.s, ch, phone, "123456", nil); !errors.Is(err, models.ErrGone) {
			t.Errorf("send on an expired challenge: %v, want ErrGone", err)
		}
		wantMFADelta(t, f.s, before, nil)
	})
}

func TestCheckChallengeCode(t *testing.T) {
	const phone = "+447911123456"

	t.Run("right code once", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		wantRefusal(t, checkCode(f.s, ch, "123456"), "expired or was already used", "a code before any was sent")
		if err := sendCode(f.s, ch, phone, "012345", nil); err != nil {
			t.Fatal(err)
		}
		if err := checkCode(f.s, ch, "012345"); err != nil {
			t.Fatalf("the right code: %v", err)
		}
		row := challengeRow(t, f.s, ch)
		if row.CodeHash != nil || row.CodeExpiresAt != nil {
			t.Error("a used code was kept")
		}
		wantRefusal(t, checkCode(f.s, ch, "012345"), "already used", "the same code again")
		if row := challengeRow(t, f.s, ch); row.Attempts != 2 {
			t.Errorf("attempts %d, want 2 (before a code was sent, and the reuse)", row.Attempts)
		}
	})

	t.Run("expires after 10 minutes", func(t *testing.T) {
		f := newInviteFixture(t)
		a := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		b := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		for _, ch := range []*models.MFAChallenge{a, b} {
			if err := sendCode(f.s, ch, phone, "654321", nil); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(10*time.Minute - time.Second)
		if err := checkCode(f.s, a, "654321"); err != nil {
			t.Errorf("a code a second short of 10 minutes: %v", err)
		}
		f.clock.Advance(time.Second)
		wantRefusal(t, checkCode(f.s, b, "654321"), "expired", "a code 10 minutes old")
		// A new code works where the old one did not.
		if err := sendCode(f.s, b, phone, "777777", nil); err != nil {
			t.Fatal(err)
		}
		if err := checkCode(f.s, b, "777777"); err != nil {
			t.Errorf("a fresh code: %v", err)
		}
	})

	t.Run("bound to its challenge", func(t *testing.T) {
		f := newInviteFixture(t)
		a := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		b := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := sendCode(f.s, a, phone, "111111", nil); err != nil {
			t.Fatal(err)
		}
		if err := sendCode(f.s, b, phone, "222222", nil); err != nil {
			t.Fatal(err)
		}
		// b's code typed into a: the handler hashes it with a's token.
		wantRefusal(t, checkCode(f.s, a, "222222"), "isn't right", "another attempt's code")
		// b's stored hash presented to a.
		err := f.s.CheckChallengeCode(context.Background(), a.ID, models.HashCode(b.TokenHash, "222222"))
		wantRefusal(t, err, "isn't right", "another attempt's hash")
		if err := checkCode(f.s, b, "222222"); err != nil {
			t.Errorf("b's own code: %v", err)
		}
		if err := checkCode(f.s, a, "111111"); err != nil {
			t.Errorf("a's own code after two wrong ones: %v", err)
		}
	})

	t.Run("the fifth wrong code ends the attempt", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := sendCode(f.s, ch, phone, "246810", nil); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 4; i++ {
			wantRefusal(t, checkCode(f.s, ch, "000000"), "isn't right", "a wrong code")
			// Committed although the check failed.
			if row := challengeRow(t, f.s, ch); row == nil || row.Attempts != i {
				t.Fatalf("after %d wrong codes the challenge is %+v", i, row)
			}
		}
		if err := checkCode(f.s, ch, "000000"); !errors.Is(err, models.ErrGone) {
			t.Errorf("fifth wrong code: %v, want ErrGone", err)
		}
		if _, err := f.s.FindChallenge(context.Background(), ch.TokenHash, models.ChallengeLogin); !errors.Is(err, models.ErrGone) {
			t.Errorf("FindChallenge after five wrong codes: %v, want ErrGone", err)
		}
		if err := checkCode(f.s, ch, "246810"); !errors.Is(err, models.ErrGone) {
			t.Errorf("the right code after the attempt ended: %v, want ErrGone", err)
		}
		if err := sendCode(f.s, ch, phone, "135790", nil); !errors.Is(err, models.ErrGone) {
			t.Errorf("a new code after the attempt ended: %v, want ErrGone", err)
		}
	})

	t.Run("wrong codes in parallel are all counted", func(t *testing.T) {
		f := newInviteFixture(t)
		ch := startChallenge(t, f.s, f.owner.User.ID, models.ChallengeLogin, "")
		if err := sendCode(f.s, ch, phone, "246810", nil); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { checkCode(f.s, ch, "000000") })
		}
		wg.Wait()
		if row := challengeRow(t, f.s, ch); row == nil || row.Attempts != 4 {
			t.Errorf("after 4 parallel wrong codes: %+v, want 4 attempts", row)
		}
	})
}

func TestConsumeTOTPStep(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	fac, _ := enrollTOTP(t, f.s, f.owner, 100)
	for _, step := range []int64{99, 100} {
		wantRefusal(t, f.s.ConsumeTOTPStep(ctx, fac.ID, step), "already used", "a step at or before the enrolling one")
	}
	if err := f.s.ConsumeTOTPStep(ctx, fac.ID, 101); err != nil {
		t.Fatalf("the next step: %v", err)
	}
	wantRefusal(t, f.s.ConsumeTOTPStep(ctx, fac.ID, 101), "already used", "the same step again")
	wantRefusal(t, f.s.ConsumeTOTPStep(ctx, fac.ID+1000, 500), "already used", "an unknown factor")

	t.Run("race", func(t *testing.T) {
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = f.s.ConsumeTOTPStep(ctx, fac.ID, 200) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case models.RefusalMessage(err) == "":
				t.Errorf("a loser got %v, want a refusal", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d parallel uses of one step succeeded, want 1", won, n)
		}
		var got models.MFAFactor
		if err := f.s.r.Take(&got, fac.ID).Error; err != nil || got.LastStep != 200 {
			t.Errorf("last step %d (%v), want 200", got.LastStep, err)
		}
	})
}

func TestUseRecoveryCode(t *testing.T) {
	ctx := context.Background()
	f := newInviteFixture(t)
	_, codes := enrollTOTP(t, f.s, f.owner, 1)
	uid := f.owner.User.ID
	if n, err := f.s.CountRecoveryCodes(ctx, uid); err != nil || n != 10 {
		t.Fatalf("CountRecoveryCodes = %d, %v; want 10", n, err)
	}
	before := mfaCounts(t, f.s)
	left, err := f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(strings.ToUpper(codes[3])))
	if err != nil || left != 9 {
		t.Fatalf("UseRecoveryCode = %d, %v; want 9 left", left, err)
	}
	// The audit event is the use case's (app.TestRecoveryCodeLogin).
	wantMFADelta(t, f.s, before, nil)

	before = mfaCounts(t, f.s)
	_, err = f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(codes[3]))
	wantRefusal(t, err, "isn't right or was already used", "the same code again")
	_, err = f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode("aaaa-bbbb-cc"))
	wantRefusal(t, err, "isn't right", "a made-up code")
	// Olive's code is not Gus's.
	_, err = f.s.UseRecoveryCode(ctx, f.gus.User.ID, models.HashRecoveryCode(codes[4]))
	wantRefusal(t, err, "isn't right", "another user's code")
	wantMFADelta(t, f.s, before, nil)
	if n, _ := f.s.CountRecoveryCodes(ctx, uid); n != 9 {
		t.Errorf("%d codes left after refusals, want 9", n)
	}

	t.Run("race", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 10 {
			wg.Go(func() {
				if _, err := f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(codes[5])); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("one recovery code worked %d times in parallel", won)
		}
	})

	for i, c := range codes {
		if i == 3 || i == 5 {
			continue
		}
		if _, err := f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(c)); err != nil {
			t.Errorf("code %d: %v", i, err)
		}
	}
	if n, _ := f.s.CountRecoveryCodes(ctx, uid); n != 0 {
		t.Errorf("%d codes left after using all, want 0", n)
	}
}

func TestConfirmFactor(t *testing.T) {
	ctx := context.Background()

	t.Run("first factor: authenticator with recovery codes", func(t *testing.T) {
		f := newInviteFixture(t)
		uid := f.owner.User.ID
		before := mfaCounts(t, f.s)
		codes, hashes := models.NewRecoveryCodes()
		fac, err := f.s.ConfirmFactor(ctx, uid, NewFactor{Kind: models.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP", Step: 1234, RecoveryHashes: hashes})
		if err != nil {
			t.Fatal(err)
		}
		wantMFADelta(t, f.s, before, map[string]int64{"mfa_factors": 1, "recovery_codes": 10})
		if fac.Kind != models.FactorTOTP || fac.LastStep != 1234 || fac.ConfirmedAt == nil || fac.UserID != uid {
			t.Errorf("factor %+v", fac)
		}
		if !userRow(t, f.s, uid).MFAEnabled {
			t.Error("users.mfa_enabled not set")
		}
		if userRow(t, f.s, f.gus.User.ID).MFAEnabled {
			t.Error("another user got MFA")
		}
		if _, err := f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(codes[0])); err != nil {
			t.Errorf("a stored recovery code: %v", err)
		}
		// The audit event is the use case's (app.TestConfirmFactorAudit).
	})

	t.Run("second factor keeps the recovery codes", func(t *testing.T) {
		f := newInviteFixture(t)
		uid := f.owner.User.ID
		_, codes := enrollTOTP(t, f.s, f.owner, 1)
		ch := startChallenge(t, f.s, uid, models.ChallengeEnroll, "+447911123456")
		before := mfaCounts(t, f.s)
		fac, err := f.s.ConfirmFactor(ctx, uid, NewFactor{Kind: models.FactorSMS, FactorID: *ch.FactorID})
		if err != nil {
			t.Fatal(err)
		}
		wantMFADelta(t, f.s, before, nil)
		if fac.Phone != "+447911123456" || fac.ConfirmedAt == nil {
			t.Errorf("factor %+v", fac)
		}
		if fs, _ := f.s.FindFactors(ctx, uid); len(fs) != 2 {
			t.Errorf("%d factors, want 2", len(fs))
		}
		if left, err := f.s.UseRecoveryCode(ctx, uid, models.HashRecoveryCode(codes[9])); err != nil || left != 9 {
			t.Errorf("the first factor's codes after the second: %d, %v", left, err)
		}
		// The same phone cannot be confirmed twice.
		before = mfaCounts(t, f.s)
		if _, err := f.s.ConfirmFactor(ctx, uid, NewFactor{Kind: models.FactorSMS, FactorID: *ch.FactorID}); !errors.Is(err, models.ErrGone) {
			t.Errorf("confirming a confirmed phone: %v, want ErrGone", err)
		}
		if _, err := f.s.ConfirmFactor(ctx, uid, NewFactor{Kind: "email"}); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("an unknown kind: %v, want ErrInvalid", err)
		}
		wantMFADelta(t, f.s, before, nil)
	})
}

func TestRemoveFactor(t *testing.T) {
	ctx := context.Background()

	// Whether the last one may go (not where the organization requires MFA) is the use
	// case's rule (app.TestRemoveFactor), and so is the audit event.
	t.Run("one of two", func(t *testing.T) {
		f := newInviteFixture(t)
		uid := f.owner.User.ID
		app, _ := enrollTOTP(t, f.s, f.owner, 1)
		enrollSMS(t, f.s, f.owner, "+447911123456")
		if removed, err := f.s.RemoveFactor(ctx, uid, app.ID); err != nil || removed.ID != app.ID {
			t.Fatalf("removing one of two: %+v, %v", removed, err)
		}
		if u := userRow(t, f.s, uid); !u.MFAEnabled {
			t.Error("MFA off with a factor left")
		}
		if n, _ := f.s.CountRecoveryCodes(ctx, uid); n != 10 {
			t.Errorf("%d recovery codes, want 10 kept", n)
		}
	})

	t.Run("the last one when allowed", func(t *testing.T) {
		f := newInviteFixture(t)
		uid := f.owner.User.ID
		phone := enrollSMS(t, f.s, f.owner, "+447911123456")
		pending := startChallenge(t, f.s, uid, models.ChallengeLogin, "")
		if _, err := f.s.RemoveFactor(ctx, uid, phone.ID); err != nil {
			t.Fatal(err)
		}
		if userRow(t, f.s, uid).MFAEnabled {
			t.Error("MFA still on without factors")
		}
		if n, _ := f.s.CountRecoveryCodes(ctx, uid); n != 0 {
			t.Errorf("%d recovery codes left", n)
		}
		if challengeRow(t, f.s, pending) != nil {
			t.Error("a pending second step outlived the last factor")
		}
	})

	t.Run("only one's own", func(t *testing.T) {
		f := newInviteFixture(t)
		gusFactor, _ := enrollTOTP(t, f.s, f.gus, 1)
		enrollTOTP(t, f.s, f.owner, 1)
		before := mfaCounts(t, f.s)
		for _, id := range []int64{gusFactor.ID, 0, 99999} {
			if _, err := f.s.RemoveFactor(ctx, f.owner.User.ID, id); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("removing factor %d: %v, want ErrNotFound", id, err)
			}
		}
		wantMFADelta(t, f.s, before, nil)
	})
}

func TestResetMFA(t *testing.T) {
	ctx := context.Background()
	// enrolled gives the member a factor, recovery codes, a pending challenge and a session.
	enrolled := func(t *testing.T, f *teamFixture, cur *models.Current) {
		t.Helper()
		enrollTOTP(t, f.s, cur, 1)
		startChallenge(t, f.s, cur.User.ID, models.ChallengeLogin, "")
		_, hash := models.NewToken()
		if _, err := f.s.CreateSession(ctx, LoginInput{UserID: cur.User.ID, TokenHash: hash, Meta: testMeta}); err != nil {
			t.Fatal(err)
		}
	}
	mfaState := func(t *testing.T, f *teamFixture, uid int64) string {
		t.Helper()
		var factors, codes, challenges, sessions int64
		f.s.r.Model(&models.MFAFactor{}).Where("user_id = ?", uid).Count(&factors)
		f.s.r.Model(&models.RecoveryCode{}).Where("user_id = ?", uid).Count(&codes)
		f.s.r.Model(&models.MFAChallenge{}).Where("user_id = ?", uid).Count(&challenges)
		f.s.r.Model(&models.Session{}).Where("user_id = ?", uid).Count(&sessions)
		return fmt.Sprintf("%v/%d/%d/%d/%d", userRow(t, f.s, uid).MFAEnabled, factors, codes, challenges, sessions)
	}

	t.Run("ClearMFA clears everything and ends the sessions", func(t *testing.T) {
		f := newTeamFixture(t)
		enrolled(t, f, f.ed)
		enrolled(t, f, f.owner)
		if got := mfaState(t, f, f.ed.User.ID); got != "true/1/10/1/1" {
			t.Fatalf("Ed before: %s", got)
		}
		oliveBefore := mfaState(t, f, f.owner.User.ID)
		if err := f.s.ClearMFA(ctx, f.ed.User.ID); err != nil {
			t.Fatal(err)
		}
		if got := mfaState(t, f, f.ed.User.ID); got != "false/0/0/0/0" {
			t.Errorf("Ed after the reset (mfa/factors/codes/challenges/sessions): %s", got)
		}
		if got := mfaState(t, f, f.owner.User.ID); got != oliveBefore {
			t.Errorf("Olive's own state changed: %s → %s", oliveBefore, got)
		}
	})

	t.Run("memberships in organizations the actor doesn't administer", func(t *testing.T) {
		f := newTeamFixture(t)
		other := mustCreateOrg(t, f.s, "Globex")
		count := func() int {
			n, err := f.s.CountMembershipsNotAdministeredBy(ctx, f.ed.User.ID, f.org.ID, f.owner.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 0 {
			t.Fatalf("Ed only in Acme: %d, want 0", n)
		}
		mustInsertMember(t, f.s, models.Membership{OrgID: other.ID, UserID: &f.ed.User.ID, Email: "ed@acme.test", Status: models.StatusActive}, models.RoleOwner)
		if n := count(); n != 1 {
			t.Errorf("Ed also owns Globex: %d, want 1", n)
		}
		// Once the actor is an Admin there too, nothing stands in the way.
		mustInsertMember(t, f.s, models.Membership{OrgID: other.ID, UserID: &f.owner.User.ID, Email: "olive@acme.test", Status: models.StatusActive}, models.RoleAdmin)
		if n := count(); n != 0 {
			t.Errorf("Olive administers Globex too: %d, want 0", n)
		}
	})
}

func TestFindMembersNoMFA(t *testing.T) {
	ctx := context.Background()
	f := newTeamFixture(t)
	enrollTOTP(t, f.s, f.ed, 1)
	enrollSMS(t, f.s, f.ada, "+447911123456")
	// A factor being set up does not count.
	startChallenge(t, f.s, f.vic.User.ID, models.ChallengeEnroll, "+447911654321")

	all, err := f.s.FindMembers(ctx, f.org.ID, models.MemberFilter{Status: models.StatusActive, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	mfa := map[string]bool{}
	for _, m := range all.Members {
		mfa[m.Email] = m.UserMFA
	}
	want := map[string]bool{"olive@acme.test": false, "owen@acme.test": false, "ada@acme.test": true, "ed@acme.test": true, "vic@acme.test": false}
	if len(mfa) != len(want) {
		t.Errorf("members %v", mfa)
	}
	for email, on := range want {
		if got, ok := mfa[email]; !ok || got != on {
			t.Errorf("%s: UserMFA %v (listed %v), want %v", email, got, ok, on)
		}
	}

	none, err := f.s.FindMembers(ctx, f.org.ID, models.MemberFilter{Status: models.StatusActive, NoMFA: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range none.Members {
		got = append(got, m.Email)
		if m.UserMFA {
			t.Errorf("%s listed without MFA but flagged with it", m.Email)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"olive@acme.test", "owen@acme.test", "vic@acme.test"}) {
		t.Errorf("without MFA: %v, want Olive, Owen and Vic", got)
	}
	// Combined with a search.
	q, err := f.s.FindMembers(ctx, f.org.ID, models.MemberFilter{Status: models.StatusActive, NoMFA: true, Query: "ed", Limit: 100})
	if err != nil || len(q.Members) != 0 {
		t.Errorf("search 'ed' without MFA: %+v, %v; want nobody", q, err)
	}
	q, err = f.s.FindMembers(ctx, f.org.ID, models.MemberFilter{Status: models.StatusActive, NoMFA: true, Query: "vic", Limit: 100})
	if err != nil || len(q.Members) != 1 || q.Members[0].Email != "vic@acme.test" {
		t.Errorf("search 'vic' without MFA: %+v, %v", q, err)
	}
}
