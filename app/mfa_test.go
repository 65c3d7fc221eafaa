package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

// newSMSFixture is newFixture with a text message provider configured, or not.
func newSMSFixture(t testing.TB, sms bool) *fixture {
	t.Helper()
	clock := storetest.NewClock()
	st := storetest.Open(t, clock)
	base, _ := url.Parse("http://gatehouse.test")
	return &fixture{st: st, clock: clock, app: app.New(st, app.Config{BaseURL: base, SMSConfigured: sms}, clock, nil)}
}

func enrollPhone(f *fixture, cur *models.Current, phone, ip string) error {
	_, err := f.app.StartSMSEnrollment(context.Background(), cur, models.SMSEnrollRequest{Phone: phone}, models.Meta{IP: ip})
	return err
}

func cappedEvents(t *testing.T, f *fixture) []models.AuditEvent {
	t.Helper()
	return storetest.Audit(t, f.st, models.AuditFilter{Action: models.ActionSMSCapped})
}

// Issue 8, finding 3: a member could make Gatehouse text any number of phone numbers.
func TestSMSCaps(t *testing.T) {
	t.Run("distinct numbers per member and day", func(t *testing.T) {
		f := newSMSFixture(t, true)
		cur := storetest.Current(storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme"))
		for i := range models.SMSCapMemberNumbers {
			if err := enrollPhone(f, cur, fmt.Sprintf("+44791112345%d", i), "192.0.2.1"); err != nil {
				t.Fatalf("number %d: %v", i+1, err)
			}
		}
		for range 2 {
			err := enrollPhone(f, cur, "+447911123459", "192.0.2.1")
			var capped *app.SMSCapError
			if !errors.As(err, &capped) || models.RefusalMessage(err) == "" {
				t.Fatalf("a number past the cap: %v, want an SMSCapError", err)
			}
		}
		if evs := cappedEvents(t, f); len(evs) != 1 || evs[0].ActorEmail != "olive@acme.test" || evs[0].OrgID == nil || *evs[0].OrgID != cur.Org.ID {
			t.Errorf("cap events = %+v, want one, by Olive in Acme", evs)
		}
		// A number already tried is not a new one; after the resend interval it is texted again.
		f.clock.Advance(models.SMSResendInterval)
		if err := enrollPhone(f, cur, "+447911123450", "192.0.2.1"); err != nil {
			t.Errorf("a number tried today: %v", err)
		}
		f.clock.Advance(models.SMSCapWindowMember)
		if err := enrollPhone(f, cur, "+447911123459", "192.0.2.1"); err != nil {
			t.Errorf("a new number the next day: %v", err)
		}
	})

	t.Run("texts per organization and hour", func(t *testing.T) {
		f := newSMSFixture(t, true)
		cur := storetest.Current(storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme"))
		for i := range models.SMSCapOrg {
			msg := models.OutboxMessage{Channel: models.ChannelSMS, Recipient: fmt.Sprintf("+4479111%05d", i), OrgID: &cur.Org.ID, TextBody: "code"}
			if err := f.st.Enqueue(context.Background(), &msg); err != nil {
				t.Fatal(err)
			}
		}
		err := enrollPhone(f, cur, "+447911123450", "192.0.2.1")
		var capped *app.SMSCapError
		if !errors.As(err, &capped) {
			t.Fatalf("a text past the organization's cap: %v, want an SMSCapError", err)
		}
		if evs := cappedEvents(t, f); len(evs) != 1 {
			t.Errorf("%d cap events, want 1", len(evs))
		}
		f.clock.Advance(models.SMSCapWindowOrg)
		if err := enrollPhone(f, cur, "+447911123450", "192.0.2.1"); err != nil {
			t.Errorf("an hour later: %v", err)
		}
	})

	t.Run("second steps per IP and hour", func(t *testing.T) {
		f := newSMSFixture(t, true)
		for i := range models.SMSCapIP {
			cur := storetest.Current(storetest.CreateOwner(t, f.st, fmt.Sprintf("owner%d@acme.test", i), "Acme"))
			if err := enrollPhone(f, cur, fmt.Sprintf("+4479111%05d", i), "192.0.2.1"); err != nil {
				t.Fatalf("member %d: %v", i+1, err)
			}
		}
		cur := storetest.Current(storetest.CreateOwner(t, f.st, "last@acme.test", "Acme"))
		err := enrollPhone(f, cur, "+447911123456", "192.0.2.1")
		var capped *app.SMSCapError
		if !errors.As(err, &capped) {
			t.Fatalf("a text past the IP's cap: %v, want an SMSCapError", err)
		}
		if err := enrollPhone(f, cur, "+447911123456", "198.51.100.7"); err != nil {
			t.Errorf("from another IP: %v", err)
		}
	})
}

// Issue 8, finding 12: without an SMS provider an Owner could read members' codes on the
// Outbox page. SMS is then not offered, and enrollment by SMS is refused.
func TestNoSMSProvider(t *testing.T) {
	f := newSMSFixture(t, false)
	cur := storetest.Current(storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme"))
	if f.app.SMSOffered() {
		t.Error("SMS offered without a provider")
	}
	if err := enrollPhone(f, cur, "+447911123456", "192.0.2.1"); !errors.Is(err, app.ErrNoSMS) || !errors.Is(err, models.ErrNotFound) {
		t.Errorf("StartSMSEnrollment = %v, want ErrNoSMS (not found)", err)
	}
	if _, err := f.app.FindSMSEnrollment(context.Background(), cur, "token"); !errors.Is(err, app.ErrNoSMS) {
		t.Errorf("FindSMSEnrollment = %v, want ErrNoSMS", err)
	}
	if err := f.app.ResendSMS(context.Background(), cur, "token", "+447911123456", models.Meta{}); !errors.Is(err, app.ErrNoSMS) {
		t.Errorf("ResendSMS = %v, want ErrNoSMS", err)
	}
	if _, err := f.app.VerifySMS(context.Background(), cur, "token", "123456", models.Meta{}); !errors.Is(err, app.ErrNoSMS) {
		t.Errorf("VerifySMS = %v, want ErrNoSMS", err)
	}
	if en, err := f.app.StartTOTPEnrollment(context.Background(), cur); err != nil || en.Secret == "" {
		t.Errorf("StartTOTPEnrollment = %+v, %v; the authenticator app is still offered", en, err)
	}
}

func totpCode(t *testing.T, f *fixture, secret string) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, f.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrollApp confirms an authenticator key for cur and returns the recovery codes.
func enrollApp(t *testing.T, f *fixture, cur *models.Current) (*app.Enrolled, string) {
	t.Helper()
	en, err := f.app.StartTOTPEnrollment(context.Background(), cur)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.app.ConfirmTOTP(context.Background(), cur, models.TOTPConfirmRequest{Secret: en.Secret, Code: totpCode(t, f, en.Secret), Password: storetest.Password}, accountMeta)
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	return got, en.Secret
}

// Audit assertions moved from store.TestConfirmFactor, and the enrollment rules the handlers had.
func TestConfirmFactorAudit(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	f.app = app.New(f.st, app.Config{BaseURL: f.app.Config().BaseURL, Sessions: policy, SMSConfigured: true}, f.clock, nil)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)

	en, _ := f.app.StartTOTPEnrollment(ctx, cur)
	var fe models.FieldErrors
	if _, err := f.app.ConfirmTOTP(ctx, cur, models.TOTPConfirmRequest{Secret: en.Secret, Code: "000000"}, accountMeta); !errors.As(err, &fe) || fe["code"] == "" {
		t.Errorf("a wrong code: %v, want a field error on code", err)
	}
	first, _ := enrollApp(t, f, cur)
	if len(first.RecoveryCodes) != 10 || first.Factor.Kind != models.FactorTOTP {
		t.Errorf("first factor = %+v, want an authenticator with 10 recovery codes", first)
	}
	evs := events(t, f, models.ActionMFAEnrolled)
	if len(evs) != 1 || evs[0].Detail != "Authenticator app" || evs[0].ActorEmail != "olive@acme.test" || evs[0].TargetMembershipID == nil ||
		*evs[0].TargetMembershipID != cur.Membership.ID || strings.Contains(evs[0].Detail, en.Secret[:5]) {
		t.Errorf("audit %+v", evs)
	}

	// A second factor needs the password again, and brings no new recovery codes.
	cur.User.MFAEnabled = true
	var pw *app.PasswordError
	if err := enrollPhone(f, cur, "+447911123456", "192.0.2.1"); !errors.As(err, &pw) {
		t.Errorf("SMS enrollment without the password: %v, want PasswordError", err)
	}
	sms, err := f.app.StartSMSEnrollment(ctx, cur, models.SMSEnrollRequest{Phone: "+447911123456", Password: storetest.Password}, accountMeta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.VerifySMS(ctx, cur, sms.Token, "000000", accountMeta); models.RefusalMessage(err) == "" {
		t.Errorf("a wrong SMS code: %v, want a refusal", err)
	}
	code := smsCodeSent(t, f, "+447911123456")
	second, err := f.app.VerifySMS(ctx, cur, sms.Token, code, accountMeta)
	if err != nil || second.RecoveryCodes != nil || second.Factor.Phone != "+447911123456" {
		t.Fatalf("VerifySMS = %+v, %v", second, err)
	}
	evs = events(t, f, models.ActionMFAEnrolled)
	if len(evs) != 2 || evs[0].Detail != "Text message (SMS) •••••••••3456" {
		t.Errorf("audit %+v, want the masked phone", evs)
	}
}

// smsCodeSent reads the code of the newest text to phone from the outbox.
func smsCodeSent(t *testing.T, f *fixture, phone string) string {
	t.Helper()
	msgs, err := f.st.DueMessages(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Recipient == phone {
			return msgs[i].TextBody[:6]
		}
	}
	t.Fatalf("no text to %s", phone)
	return ""
}

// Rule and audit assertions moved from store.TestRemoveFactor.
func TestRemoveFactor(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)
	en, _ := enrollApp(t, f, cur)
	cur.User.MFAEnabled = true
	cur.Org.MFAPolicy = models.MFARequired
	err := f.app.RemoveFactor(ctx, cur, en.Factor.ID, storetest.Password, accountMeta)
	if msg := models.RefusalMessage(err); !strings.Contains(msg, "Acme requires two-factor") {
		t.Errorf("removing the last factor where required: %v", err)
	}
	var pw *app.PasswordError
	if err := f.app.RemoveFactor(ctx, cur, en.Factor.ID, "wrong", accountMeta); !errors.As(err, &pw) {
		t.Errorf("a wrong password: %v, want PasswordError", err)
	}
	if err := f.app.RemoveFactor(ctx, cur, 99999, storetest.Password, accountMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown factor: %v, want ErrNotFound", err)
	}
	if n := len(events(t, f, models.ActionMFARemoved)); n != 0 {
		t.Errorf("%d removal events for refusals", n)
	}
	cur.Org.MFAPolicy = models.MFAOptional
	if err := f.app.RemoveFactor(ctx, cur, en.Factor.ID, storetest.Password, accountMeta); err != nil {
		t.Fatal(err)
	}
	if evs := events(t, f, models.ActionMFARemoved); len(evs) != 1 || evs[0].Detail != "Authenticator app" || *evs[0].OrgID != res.Org.ID {
		t.Errorf("audit %+v", evs)
	}
	if u, _ := f.st.FindUser(ctx, res.User.ID); u.MFAEnabled {
		t.Error("MFA still on without factors")
	}
}

// Audit assertions moved from store.TestUseRecoveryCode, through the login's second step.
func TestRecoveryCodeLogin(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	res := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)
	en, _ := enrollApp(t, f, cur)

	first, err := login(t, f, "olive@acme.test", storetest.Password, "192.0.2.1")
	if err != nil || first.ChallengeToken == "" || first.SessionToken != "" {
		t.Fatalf("Login with MFA = %+v, %v; want a challenge", first, err)
	}
	step, err := f.app.VerifySecondStep(ctx, first.ChallengeToken, models.SecondStepRequest{Method: "recovery", Code: strings.ToUpper(en.RecoveryCodes[3])}, "", accountMeta)
	if err != nil || step.SessionToken == "" || step.RecoveryLeft != 9 || step.Method != "recovery" {
		t.Fatalf("VerifySecondStep = %+v, %v", step, err)
	}
	evs := events(t, f, models.ActionRecoveryCodeUsed)
	if len(evs) != 1 || evs[0].Detail != "9 left" || evs[0].ActorUserID == nil || *evs[0].ActorUserID != res.User.ID || evs[0].IP != accountMeta.IP ||
		evs[0].OrgID == nil || *evs[0].OrgID != res.Org.ID || strings.Contains(evs[0].Detail, en.RecoveryCodes[3]) {
		t.Errorf("audit %+v", evs)
	}

	// The same code again is refused, audited as a failed second step, and writes no use.
	again, err := login(t, f, "olive@acme.test", storetest.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.VerifySecondStep(ctx, again.ChallengeToken, models.SecondStepRequest{Method: "recovery", Code: en.RecoveryCodes[3]}, "", accountMeta); models.RefusalMessage(err) == "" {
		t.Errorf("a spent code: %v, want a refusal", err)
	}
	if n := len(events(t, f, models.ActionRecoveryCodeUsed)); n != 1 {
		t.Errorf("%d recovery code events, want 1", n)
	}
	if n := len(events(t, f, models.ActionMFAFailed)); n != 1 {
		t.Errorf("%d failed second step events, want 1", n)
	}
}

// Without an SMS provider a login's second step offers no text message, even to a member who
// enrolled a phone while there was one.
func TestLoginWithoutSMSProvider(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	f.app = app.New(f.st, app.Config{BaseURL: f.app.Config().BaseURL, Sessions: policy, SMSConfigured: true}, f.clock, nil)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)
	sms, err := f.app.StartSMSEnrollment(ctx, cur, models.SMSEnrollRequest{Phone: "+447911123456"}, accountMeta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.VerifySMS(ctx, cur, sms.Token, smsCodeSent(t, f, "+447911123456"), accountMeta); err != nil {
		t.Fatal(err)
	}

	f.app = app.New(f.st, app.Config{BaseURL: f.app.Config().BaseURL, Sessions: policy}, f.clock, nil)
	res, err := login(t, f, "olive@acme.test", storetest.Password, "192.0.2.1")
	if err != nil || res.ChallengeToken == "" {
		t.Fatalf("Login = %+v, %v", res, err)
	}
	lc, err := f.app.SendLoginCode(ctx, res.ChallengeToken, accountMeta)
	if err != nil || lc.SMS != nil || lc.Method("sms") != "recovery" {
		t.Errorf("SendLoginCode = %+v, %v; want no SMS and the recovery code offered", lc, err)
	}
	if msgs, _ := f.st.DueMessages(ctx, 100); len(msgs) != 1 {
		t.Errorf("%d texts in the outbox, want only the enrollment's", len(msgs))
	}
}

// One authenticator code submitted at the same moment through several logins' second steps
// opens one session: the step is spent with a conditional update that only one can win.
func TestTOTPCodeUsedOnceInParallel(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)
	_, secret := enrollApp(t, f, cur)
	f.clock.Advance(30 * time.Second) // past the step spent confirming the app
	const n = 8
	challenges := make([]string, n)
	for i := range challenges {
		res, err := login(t, f, "olive@acme.test", storetest.Password, "192.0.2.1")
		if err != nil || res.ChallengeToken == "" {
			t.Fatalf("Login = %+v, %v; want a challenge", res, err)
		}
		challenges[i] = res.ChallengeToken
	}
	before := len(events(t, f, models.ActionLogin))
	code := totpCode(t, f, secret)
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			step, err := f.app.VerifySecondStep(ctx, challenges[i], models.SecondStepRequest{Method: "totp", Code: code}, "", accountMeta)
			var wait *app.WaitError
			switch {
			case err == nil && step.SessionToken != "":
				ok.Add(1)
			case models.RefusalMessage(err) != "" || errors.As(err, &wait):
				refused.Add(1)
			default:
				t.Errorf("second step %d: %+v, %v", i, step, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != n-1 {
		t.Errorf("%d sessions, %d refused; want 1 and %d", ok.Load(), refused.Load(), n-1)
	}
	if got := len(events(t, f, models.ActionLogin)) - before; got != 1 {
		t.Errorf("%d logins audited, want 1", got)
	}
}
