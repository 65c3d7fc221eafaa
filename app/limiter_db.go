package app

import (
	"context"
	"log/slog"
	"time"

	"gatehouse/store"
)

// dbLimiter is the RateLimiter kept in the database (store's rate_limits), so the login
// backoff, the reset-email quotas and the SMS-cap audit windows hold across every instance
// on one database. It keeps the in-memory limiter's rules: the same free attempts, doubling
// waits and 24-hour memory, and a blocked client adds no new keys. Rows expire and are swept
// (store.SweepShared), and the keys are stored hashed.
//
// Its cost per call: Wait is one read by primary key; Fail one short write transaction;
// Reset a read, and a write only when there were failures; Allow one upsert. Only the
// requests that use the limiter pay it (logins, resets, second steps), never a page view.
type dbLimiter struct {
	st  *store.Store
	now func() time.Time
	log *slog.Logger
}

// limiterTimeout bounds one limiter query: a stuck database must not hold a login forever.
const limiterTimeout = 5 * time.Second

// NewDBLimiter returns the RateLimiter kept in st, for Config.Limiter; now is the store's
// clock (time.Now when nil). A database error is logged and lets the request through (the
// login that follows needs the database anyway).
func NewDBLimiter(st *store.Store, now func() time.Time, log *slog.Logger) RateLimiter {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &dbLimiter{st: st, now: now, log: log}
}

func (l *dbLimiter) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), limiterTimeout)
}

// Wait returns how long the caller must wait before trying again on any of keys (0 when free).
func (l *dbLimiter) Wait(keys ...string) time.Duration {
	ctx, cancel := l.ctx()
	defer cancel()
	until, err := l.st.LimitBlockedUntil(ctx, keys...)
	if err != nil {
		l.log.Error("rate limiter: unable to read", "err", err)
		return 0
	}
	if until.IsZero() {
		return 0
	}
	return max(until.Sub(l.now()), 0)
}

// Fail records a failure on each key.
func (l *dbLimiter) Fail(keys ...string) {
	ctx, cancel := l.ctx()
	defer cancel()
	if err := l.st.LimitFail(ctx, freeAttempts, forgetAfter, backoffAfter, keys...); err != nil {
		l.log.Error("rate limiter: unable to count a failure", "err", err)
	}
}

// Reset forgets the failures on key.
func (l *dbLimiter) Reset(key string) {
	ctx, cancel := l.ctx()
	defer cancel()
	if err := l.st.LimitReset(ctx, key); err != nil {
		l.log.Error("rate limiter: unable to reset", "err", err)
	}
}

// Allow counts one request on key and reports whether it is among the first limit of the window.
func (l *dbLimiter) Allow(key string, limit int, window time.Duration) bool {
	ctx, cancel := l.ctx()
	defer cancel()
	ok, err := l.st.LimitAllow(ctx, key, limit, window)
	if err != nil {
		l.log.Error("rate limiter: unable to count a request", "err", err)
		return true
	}
	return ok
}
