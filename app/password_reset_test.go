package app_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

var resetLink = regexp.MustCompile(`/reset-password/([A-Za-z0-9_-]{43})`)

// Audit assertions moved from store.TestResetPassword, through the emailed link.
func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	owner := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	_, tokens := loggedIn(t, f, "olive@acme.test", 2)

	if err := f.app.RequestPasswordReset(ctx, &models.ForgotPasswordRequest{Email: " Olive@Acme.test"}, accountMeta); err != nil {
		t.Fatal(err)
	}
	f.app.Wait()
	msgs, err := f.st.DueMessages(ctx, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox = %+v, %v; want the reset email", msgs, err)
	}
	m := resetLink.FindStringSubmatch(msgs[0].TextBody)
	if m == nil {
		t.Fatalf("no reset link in %q", msgs[0].TextBody)
	}
	token := m[1]
	if email, err := f.app.FindPasswordReset(ctx, token); err != nil || email != "olive@acme.test" {
		t.Fatalf("FindPasswordReset = %q, %v", email, err)
	}

	var fe models.FieldErrors
	if _, err := f.app.ResetPassword(ctx, models.ResetPasswordRequest{Token: token, Password: "short"}, accountMeta); !errors.As(err, &fe) {
		t.Errorf("a bad password: %v, want FieldErrors", err)
	}
	req := models.ResetPasswordRequest{Token: token, Password: "a brand new password here", Confirm: "a brand new password here"}
	u, err := f.app.ResetPassword(ctx, req, models.Meta{IP: "192.0.2.10"})
	if err != nil || u.ID != owner.User.ID {
		t.Fatalf("ResetPassword = %+v, %v", u, err)
	}
	evs := events(t, f, models.ActionPasswordReset)
	if len(evs) != 1 || evs[0].ActorUserID == nil || *evs[0].ActorUserID != owner.User.ID || evs[0].Detail != "2 sessions signed out" ||
		evs[0].TargetMembershipID == nil || evs[0].IP != "192.0.2.10" {
		t.Errorf("audit events = %+v", evs)
	}
	for _, tok := range tokens {
		var out *app.SignedOut
		if _, err := f.app.Authenticate(ctx, app.Cookie{Token: tok}); !errors.As(err, &out) {
			t.Errorf("a session after the reset: %v, want SignedOut", err)
		}
	}
	if _, err := f.app.ResetPassword(ctx, req, accountMeta); !errors.Is(err, models.ErrGone) {
		t.Errorf("the link again: %v, want ErrGone", err)
	}
	if n := len(events(t, f, models.ActionPasswordReset)); n != 1 {
		t.Errorf("%d reset events, want 1", n)
	}
}
