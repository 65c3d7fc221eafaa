package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store"
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
	return storetest.Audit(t, f.st, store.AuditFilter{Action: models.ActionSMSCapped})
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
