package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"gatehouse/app"
	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

// migrate-db copies a SQLite installation seeded with 10,000 members into an empty database:
// every table's count equal, ids and sequences kept, and a migrated member logs in with their
// password and authenticator code. A target with data is refused.
func TestMigrateDB(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// The source is always a SQLite file; the target is PostgreSQL under GATEHOUSE_TEST_DB=postgres.
	from, to := filepath.Join(dir, "gatehouse.db"), testdb.Path(t, "target.db")
	if _, err := runCmd(t, "", "seed", "--db", from, "--members", "10000"); err != nil {
		t.Fatal(err)
	}

	// A member with an authenticator app, an outbox message, audit events, an app, a session.
	clock := storetest.NewClock()
	src, err := store.Open(ctx, store.Options{Path: from, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://gatehouse.test")
	policy := models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour}
	svc := app.New(src, app.Config{BaseURL: base, Sessions: policy}, clock, nil)
	res := storetest.CreateOwner(t, src, "mfa.owner@acme.test", "Acme")
	meta := models.Meta{IP: "192.0.2.5", UserAgent: "test"}
	login, err := svc.Login(ctx, models.LoginRequest{Email: "mfa.owner@acme.test", Password: storetest.Password}, "", meta)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := svc.Authenticate(ctx, app.Cookie{Token: login.SessionToken})
	if err != nil {
		t.Fatal(err)
	}
	en, err := svc.StartTOTPEnrollment(ctx, cur)
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCodeCustom(en.Secret, clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := svc.ConfirmTOTP(ctx, cur, models.TOTPConfirmRequest{Secret: en.Secret, Code: code(), Password: storetest.Password}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddApp(ctx, storetest.Current(res), models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(ctx, cur, models.InviteRequest{Emails: "new.person@acme.test", Roles: []models.Role{models.RoleViewer}}, meta); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	src.Close()

	// Every table of the schema is copied, except those kept by triggers.
	srcRO, err := store.Open(ctx, store.Options{Path: from, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := srcRO.CopyTables(ctx)
	srcRO.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"organizations", "users", "memberships", "membership_roles", "sessions", "tokens", "invitations",
		"outbox_messages", "audit_events", "mfa_factors", "recovery_codes", "apps", "app_urls", "oidc_keys", "settings", "member_imports", "rate_limits"} {
		if !strings.Contains(" "+strings.Join(tables, " ")+" ", " "+want+" ") {
			t.Errorf("CopyTables misses %s: %v", want, tables)
		}
	}
	if idx := func(s string) int { return strings.Index(" "+strings.Join(tables, " ")+" ", " "+s+" ") }; idx("users") > idx("memberships") || idx("organizations") > idx("users") {
		t.Errorf("tables out of foreign-key order: %v", tables)
	}

	out, err := runCmd(t, "", "migrate-db", "--from", from, "--to", to)
	if err != nil {
		t.Fatalf("migrate-db: %v\n%s", err, out)
	}
	t.Log(out)
	for _, want := range []string{"memberships", "Verified:", "every count equal", "--db " + to, "--secret"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}

	// The counts agree, the Users page's counts (kept by triggers) too.
	a, err := store.Open(ctx, store.Options{Path: from, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, store.Options{Path: to, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	orgID := res.Org.ID
	ca, err := a.MemberCounts(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.MemberCounts(ctx, orgID)
	if err != nil || fmt.Sprint(ca) != fmt.Sprint(cb) || ca[models.StatusActive] < 100 {
		t.Errorf("member counts: %v in the source, %v (%v) in the target", ca, cb, err)
	}

	// The migrated Owner logs in with password and authenticator code, on the target.
	clock.Advance(30 * time.Second) // the next authenticator code: the one used to enroll is spent
	target := app.New(b, app.Config{BaseURL: base, Sessions: policy}, clock, nil)
	first, err := target.Login(ctx, models.LoginRequest{Email: "mfa.owner@acme.test", Password: storetest.Password}, "", meta)
	if err != nil || first.ChallengeToken == "" {
		t.Fatalf("login on the target: %+v, %v; want a second step", first, err)
	}
	step, err := target.VerifySecondStep(ctx, first.ChallengeToken, models.SecondStepRequest{Method: "totp", Code: code()}, "", meta)
	if err != nil || step.SessionToken == "" {
		t.Fatalf("second step on the target: %+v, %v", step, err)
	}
	// The session from before the move still works; a new row gets a fresh id past the copied ones.
	if cur, err := target.Authenticate(ctx, app.Cookie{Token: login.SessionToken}); err != nil || cur == nil || cur.User.Email != "mfa.owner@acme.test" {
		t.Errorf("the session made before the move: %v, %v", cur, err)
	}
	if _, err := target.Invite(ctx, cur, models.InviteRequest{Emails: "after.move@acme.test", Roles: []models.Role{models.RoleViewer}}, meta); err != nil {
		t.Errorf("inviting on the target: %v", err)
	}
	target.Wait()

	// Again into the same target: refused, nothing written.
	if out, err := runCmd(t, "", "migrate-db", "--from", from, "--to", to); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("migrate-db into a database with data: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "", "migrate-db", "--from", from, "--to", from); err == nil {
		t.Error("migrate-db onto itself was not refused")
	}
}
