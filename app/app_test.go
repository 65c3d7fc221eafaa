package app_test

import (
	"net/url"
	"testing"

	"gatehouse/app"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

// fixture is the use cases over a fresh database with a controlled clock.
type fixture struct {
	st    *store.Store
	app   *app.Service
	clock *storetest.Clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := storetest.NewClock()
	st := storetest.Open(t, clock)
	base, _ := url.Parse("http://gatehouse.test")
	return &fixture{st: st, clock: clock, app: app.New(st, app.Config{BaseURL: base}, clock, nil)}
}
