package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

// instance is one Gatehouse process of several on one database: its own store handle and
// use cases, sharing the file (and, in the test, the clock) with the others.
type instance struct {
	st  *store.Store
	app *app.Service
}

// instances opens n instances on one fresh SQLite file with --several-instances: the
// database-backed limiter, changes recorded and polled.
func instances(t *testing.T, n int) ([]instance, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock()
	path := testdb.Path(t, "shared.db")
	base, _ := url.Parse("http://gatehouse.test")
	out := make([]instance, n)
	for i := range out {
		st, err := store.Open(context.Background(), store.Options{Path: path, Now: clock.Now, Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if !st.Shared() {
			t.Fatal("Options.Shared did not make a shared store")
		}
		out[i] = instance{st: st, app: app.New(st, app.Config{BaseURL: base, Sessions: models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour},
			Limiter: app.NewDBLimiter(st, clock.Now, nil)}, clock, nil)}
	}
	return out, clock
}

func loginAt(in instance, email, password, ip string) (*app.LoginResult, error) {
	return in.app.Login(context.Background(), models.LoginRequest{Email: email, Password: password}, "", models.Meta{IP: ip, UserAgent: "Firefox"})
}

// Failed logins on one instance hold the account back on the other: the backoff lives in
// the database. A success resets it for both.
func TestLoginBackoffAcrossInstances(t *testing.T) {
	in, clock := instances(t, 2)
	storetest.CreateOwner(t, in[0].st, "olive@acme.test", "Acme")
	for i := range 5 {
		// Each from another address, so only the account's key is held back.
		if _, err := loginAt(in[i%2], "olive@acme.test", "wrong", fmt.Sprintf("192.0.2.%d", i)); !errors.Is(err, app.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	var wait *app.WaitError
	if _, err := loginAt(in[1], "olive@acme.test", storetest.Password, "198.51.100.9"); !errors.As(err, &wait) {
		t.Fatalf("the right password on the other instance during the backoff: %v, want a WaitError", err)
	}
	if _, err := loginAt(in[0], "olive@acme.test", storetest.Password, "198.51.100.9"); !errors.As(err, &wait) {
		t.Fatalf("the right password on the first instance during the backoff: %v, want a WaitError", err)
	}
	clock.Advance(wait.Wait)
	if _, err := loginAt(in[1], "olive@acme.test", storetest.Password, "198.51.100.9"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// Reset: four more failures do not block again (the count started over).
	for i := range 4 {
		if _, err := loginAt(in[0], "olive@acme.test", "wrong", fmt.Sprintf("203.0.113.%d", i)); !errors.Is(err, app.ErrBadCredentials) {
			t.Fatalf("failure %d after the reset: %v", i+1, err)
		}
	}
	if _, err := loginAt(in[1], "olive@acme.test", storetest.Password, "198.51.100.9"); err != nil {
		t.Errorf("after four failures since the reset: %v, want a login", err)
	}
}

// Reset-email quotas counted by several instances at once never let more through than the
// limit: the count is one upsert.
func TestAllowAcrossInstancesCountsEveryRequest(t *testing.T) {
	in, _ := instances(t, 2)
	lims := []app.RateLimiter{app.NewDBLimiter(in[0].st, nil, nil), app.NewDBLimiter(in[1].st, nil, nil)}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if lims[i%2].Allow("reset-ip:192.0.2.7", 5, time.Hour) {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Errorf("%d of 40 parallel requests allowed across two instances, want 5", n)
	}
}

// A flood of failed logins from many emails adds no rows once its address is blocked, and
// expired rows are swept: the table stays bounded whatever outsiders send.
func TestDBLimiterBounded(t *testing.T) {
	in, clock := instances(t, 1)
	lim := app.NewDBLimiter(in[0].st, clock.Now, nil)
	for i := range 5 {
		lim.Fail("ip:192.0.2.1", fmt.Sprintf("email:user%d@example.com", i))
	}
	if lim.Wait("ip:192.0.2.1") == 0 {
		t.Fatal("the address is not blocked after the free attempts")
	}
	ctx := context.Background()
	before, err := in[0].st.CountRateLimits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		lim.Fail("ip:192.0.2.1", fmt.Sprintf("email:flood%d@example.com", i))
	}
	if n, _ := in[0].st.CountRateLimits(ctx); n != before {
		t.Errorf("%d rows after a blocked address tried 200 new emails, want %d", n, before)
	}
	if lim.Wait("ip:192.0.2.1") <= time.Second {
		t.Error("failures from a blocked address no longer lengthen its wait")
	}
	lim.Allow("reset-email:a@example.com", 3, time.Hour)
	clock.Advance(25 * time.Hour)
	if err := in[0].st.SweepShared(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := in[0].st.CountRateLimits(ctx); n != 0 {
		t.Errorf("%d rows after a day, want the expired ones swept", n)
	}
	if lim.Wait("ip:192.0.2.1") != 0 {
		t.Error("the address is still blocked after a day")
	}
}

// A change made on one instance (access removed, member terminated) reaches the forward-auth
// cache of another at its next poll of the database's changes.
func TestGateLearnsOfChangesOnAnotherInstance(t *testing.T) {
	in, clock := instances(t, 2)
	a, b := in[0], in[1]
	f := newTeamOn(t, &fixture{st: a.st, clock: clock, app: a.app})
	ctx := context.Background()
	wiki, err := a.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.app.SetMemberApps(ctx, f.owner, f.vic.Membership.ID, []int64{wiki.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	res, err := loginAt(a, "vic@acme.test", storetest.Password, "192.0.2.20")
	if err != nil {
		t.Fatal(err)
	}
	optional := models.SettingsRequest{Name: "Acme", InviteLifetimeHours: "72", MFAPolicy: models.MFAOptional, MFAGraceDays: "0"}
	if _, err := b.app.UpdateSettings(ctx, f.owner, optional, testMeta); err != nil {
		t.Fatal(err)
	}
	decide := func(want app.Decision, when string) {
		t.Helper()
		if err := a.st.PollChanges(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := a.app.Authorize(ctx, res.SessionToken, "wiki.acme.test", "/")
		if err != nil || got.Decision != want {
			t.Fatalf("%s: instance A decides %v (%v), want %v", when, got.Decision, err, want)
		}
	}
	decide(app.GateAllow, "with access (a second factor made optional on B)")
	decide(app.GateAllow, "again, from the cache")

	// Instance B removes Vic's access: A refuses after its next poll.
	if err := b.app.SetMemberApps(ctx, f.owner, f.vic.Membership.ID, nil, testMeta); err != nil {
		t.Fatal(err)
	}
	decide(app.GateDeny, "access removed on B")
	if err := b.app.SetMemberApps(ctx, f.owner, f.vic.Membership.ID, []int64{wiki.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	decide(app.GateAllow, "access given back on B")
	if err := b.app.DisableApp(ctx, f.owner, wiki.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	decide(app.GateDeny, "app disabled on B")
	if err := b.app.EnableApp(ctx, f.owner, wiki.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	decide(app.GateAllow, "app enabled on B")

	// Instance B terminates Vic: A refuses them (their login goes on, in no organization).
	if _, err := b.app.Terminate(ctx, f.owner, f.vic.Membership.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	decide(app.GateDeny, "terminated on B")
}
