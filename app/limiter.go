package app

import (
	"sync"
	"time"
)

// limiter counts failed logins per key (an account's email, a client IP) and imposes an
// exponential backoff after freeAttempts. Unknown emails are counted exactly like known ones,
// so being blocked reveals nothing about which accounts exist.
type limiter struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*failures
}

type failures struct {
	n     int
	until time.Time
	last  time.Time
}

const (
	freeAttempts = 5
	maxBackoff   = 15 * time.Minute
	forgetAfter  = 24 * time.Hour
	maxTracked   = 100_000
)

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, m: map[string]*failures{}}
}

// wait returns how long the caller must wait before trying again on any of keys (0 when free).
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var longest time.Duration
	for _, k := range keys {
		if f := l.m[k]; f != nil && f.until.After(now) {
			longest = max(longest, f.until.Sub(now))
		}
	}
	return longest
}

// fail records a failure on each key.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) >= maxTracked {
		l.forget(now)
	}
	for _, k := range keys {
		f := l.m[k]
		if f == nil || now.Sub(f.last) > forgetAfter {
			f = &failures{}
			l.m[k] = f
		}
		f.n++
		f.last = now
		if f.n >= freeAttempts {
			f.until = now.Add(min(time.Second<<min(f.n-freeAttempts, 20), maxBackoff))
		}
	}
}

// reset forgets the failures on key, after a successful login.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

func (l *limiter) forget(now time.Time) {
	for k, f := range l.m {
		if now.Sub(f.last) > maxBackoff && f.until.Before(now) {
			delete(l.m, k)
		}
	}
}

// allow counts one request on key and reports whether it is among the first limit in the
// current window, which starts at the key's first request and lasts window. Refused requests
// count too. It is for quotas on requests that succeed (such as reset emails), where fail's
// backoff would not apply.
func (l *limiter) allow(key string, limit int, window time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) >= maxTracked {
		l.forget(now)
	}
	f := l.m[key]
	if f == nil || !now.Before(f.until) {
		// until marks the window's end, so forget keeps the count while the window lasts.
		f = &failures{until: now.Add(window)}
		l.m[key] = f
	}
	f.n++
	f.last = now
	return f.n <= limit
}
