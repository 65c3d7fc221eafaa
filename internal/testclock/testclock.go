// Package testclock is the one controlled clock every layer's tests use: it stands still
// until the test moves it, so expiries, backoffs and idle timeouts are tested without sleeping.
package testclock

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand; it is safe for use by the goroutines under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock at 2026-11-24 09:00 UTC.
func New() *Clock { return At(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)) }

// At returns a clock at t.
func At(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
