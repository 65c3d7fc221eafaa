package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

var accountMeta = models.Meta{IP: "203.0.113.5", UserAgent: "Firefox"}

// loggedIn logs the fixture account with email in n times and returns the first session as a
// request sees it, and the raw tokens of all.
func loggedIn(t *testing.T, f *fixture, email string, n int) (*models.Current, []string) {
	t.Helper()
	var tokens []string
	for range n {
		res, err := login(t, f, email, storetest.Password, "198.51.100.4")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, res.SessionToken)
	}
	cur, err := f.app.Authenticate(context.Background(), app.Cookie{Token: tokens[0]})
	if err != nil {
		t.Fatal(err)
	}
	return cur, tokens
}

func events(t *testing.T, f *fixture, action models.Action) []models.AuditEvent {
	t.Helper()
	return storetest.Audit(t, f.st, models.AuditFilter{Action: action, Limit: models.MaxAuditPage})
}

// Audit assertions moved from store.TestUpdateProfile.
func TestUpdateProfile(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, _ := loggedIn(t, f, "olive@acme.test", 1)

	bad := models.ProfileRequest{FirstName: "Beatrix", Phone: "call me"}
	if err := f.app.UpdateProfile(ctx, cur, &bad, accountMeta); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("a bad phone: %v, want FieldErrors", err)
	}
	req := models.ProfileRequest{FirstName: " Beatrix ", LastName: "Zeller", Phone: "+44 7911 123456"}
	if err := f.app.UpdateProfile(ctx, cur, &req, accountMeta); err != nil {
		t.Fatal(err)
	}
	if req.FirstName != "Beatrix" || req.Phone != "+447911123456" {
		t.Errorf("request cleaned to %+v", req)
	}
	evs := events(t, f, models.ActionProfileUpdated)
	if len(evs) != 1 {
		t.Fatalf("%d profile events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ActorUserID == nil || *ev.ActorUserID != cur.User.ID || ev.OrgID == nil || *ev.OrgID != cur.Org.ID || ev.IP != accountMeta.IP ||
		ev.TargetMembershipID == nil || *ev.TargetMembershipID != cur.Membership.ID {
		t.Errorf("event %+v", ev)
	}
	for _, want := range []string{`first name "Owner" → "Beatrix"`, `last name "olive" → "Zeller"`, "phone none → ", "3456"} {
		if !strings.Contains(ev.Detail, want) {
			t.Errorf("detail %q lacks %q", ev.Detail, want)
		}
	}
	if strings.Contains(ev.Detail, "7911") {
		t.Errorf("detail %q shows the whole phone number", ev.Detail)
	}

	// Nothing changed: no event.
	cur, _ = loggedIn(t, f, "olive@acme.test", 1)
	same := models.ProfileRequest{FirstName: "Beatrix", LastName: "Zeller", Phone: "+447911123456"}
	if err := f.app.UpdateProfile(ctx, cur, &same, accountMeta); err != nil {
		t.Fatal(err)
	}
	if n := len(events(t, f, models.ActionProfileUpdated)); n != 1 {
		t.Errorf("%d profile events after no change, want 1", n)
	}
}

// Audit assertions moved from store.TestChangePassword, and the backoff the handler had.
func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, tokens := loggedIn(t, f, "olive@acme.test", 3)

	wrong := models.PasswordChangeRequest{Current: "not it", New: "a brand new passphrase", Confirm: "a brand new passphrase"}
	var fe models.FieldErrors
	if err := f.app.ChangePassword(ctx, cur, wrong, accountMeta); !errors.As(err, &fe) || fe["current_password"] == "" {
		t.Errorf("a wrong current password: %v, want a field error", err)
	}
	req := models.PasswordChangeRequest{Current: storetest.Password, New: "a brand new passphrase", Confirm: "a brand new passphrase"}
	if err := f.app.ChangePassword(ctx, cur, req, accountMeta); err != nil {
		t.Fatal(err)
	}
	for i, tok := range tokens {
		_, err := f.app.Authenticate(ctx, app.Cookie{Token: tok})
		if (i == 0) != (err == nil) {
			t.Errorf("session %d after the change: %v", i, err)
		}
	}
	evs := events(t, f, models.ActionPasswordChanged)
	if len(evs) != 1 || evs[0].Detail != "2 other sessions signed out" || *evs[0].ActorUserID != cur.User.ID {
		t.Errorf("audit %+v", evs)
	}

	// Wrong current passwords count toward the account's backoff.
	for range 5 {
		f.app.ChangePassword(ctx, cur, wrong, accountMeta)
	}
	var wait *app.WaitError
	if err := f.app.ChangePassword(ctx, cur, req, accountMeta); !errors.As(err, &wait) {
		t.Errorf("during the backoff: %v, want WaitError", err)
	}
}

// Audit assertions moved from store.TestEndUserSession and store.TestEndOtherSessions.
func TestEndSessions(t *testing.T) {
	ctx := context.Background()
	f := newLoginFixture(t)
	storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	cur, tokens := loggedIn(t, f, "olive@acme.test", 4)
	other, err := f.app.Authenticate(ctx, app.Cookie{Token: tokens[1]})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.EndSession(ctx, cur, cur.Session.ID, accountMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("ending the current session: %v, want ErrNotFound", err)
	}
	if n := len(events(t, f, models.ActionSessionRevoked)); n != 0 {
		t.Errorf("%d audit events for refused attempts", n)
	}
	if err := f.app.EndSession(ctx, cur, other.Session.ID, accountMeta); err != nil {
		t.Fatal(err)
	}
	evs := events(t, f, models.ActionSessionRevoked)
	if len(evs) != 1 || !strings.Contains(evs[0].Detail, "198.51.100.4") || evs[0].IP != accountMeta.IP {
		t.Errorf("audit %+v", evs)
	}

	n, err := f.app.EndOtherSessions(ctx, cur, accountMeta)
	if err != nil || n != 2 {
		t.Fatalf("EndOtherSessions = %d, %v; want 2", n, err)
	}
	if n, err := f.app.EndOtherSessions(ctx, cur, accountMeta); err != nil || n != 0 {
		t.Errorf("again = %d, %v; want 0", n, err)
	}
	if evs := events(t, f, models.ActionSessionRevoked); len(evs) != 2 || evs[0].Detail != "2 other sessions signed out" {
		t.Errorf("audit %+v, want one more event for the two sessions", evs)
	}
}
