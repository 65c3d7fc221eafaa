package app

import (
	"container/list"
	"sync"
	"time"
)

// RateLimiter counts failures and requests per key (an account's email, a client IP) for the
// login backoff and the quotas on requests that succeed. The in-memory limiter is the default;
// an implementation kept in the database (shared by several instances) can take its place
// through Config.Limiter.
type RateLimiter interface {
	// Wait returns how long the caller must wait before trying again on any of keys (0 when free).
	Wait(keys ...string) time.Duration
	// Fail records a failure on each key; after freeAttempts, each further one doubles the wait.
	Fail(keys ...string)
	// Reset forgets the failures on key, after a success.
	Reset(key string)
	// Allow counts one request on key and reports whether it is among the first limit in the
	// current window, which starts at the key's first request and lasts window.
	Allow(key string, limit int, window time.Duration) bool
}

// limiter is the in-memory RateLimiter: a map for lookups and a list in order of last use, so
// every call costs the same however many keys are tracked, and at most max keys are kept (the
// least recently used goes first). Unknown emails are counted exactly like known ones, so
// being blocked reveals nothing about which accounts exist.
type limiter struct {
	mu  sync.Mutex
	now func() time.Time
	max int
	m   map[string]*list.Element // of *failures
	lru list.List                // most recently used at the front
}

type failures struct {
	key   string
	n     int
	until time.Time
	last  time.Time
}

const (
	freeAttempts = 5
	maxBackoff   = 15 * time.Minute
	forgetAfter  = 24 * time.Hour
	// maxTracked bounds the keys kept: about 100 bytes each, 10 MB in all.
	maxTracked = 100_000
)

var _ RateLimiter = (*limiter)(nil)

func newLimiter(now func() time.Time, max int) *limiter {
	return &limiter{now: now, max: max, m: make(map[string]*list.Element, min(max, 1024))}
}

// Wait returns how long the caller must wait before trying again on any of keys (0 when free).
func (l *limiter) Wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var longest time.Duration
	for _, k := range keys {
		if f := l.get(k); f != nil && f.until.After(now) {
			longest = max(longest, f.until.Sub(now))
		}
	}
	return longest
}

// Fail records a failure on each key. While any of keys is blocked, keys not yet tracked are
// not added: a client already held back cannot fill the limiter with new emails.
func (l *limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	blocked := false
	for _, k := range keys {
		if f := l.get(k); f != nil && f.until.After(now) {
			blocked = true
		}
	}
	for _, k := range keys {
		f := l.get(k)
		if f == nil && blocked {
			continue
		}
		if f == nil || now.Sub(f.last) > forgetAfter {
			f = l.put(k, now)
		}
		f.n++
		f.last = now
		if f.n >= freeAttempts {
			f.until = now.Add(backoffAfter(f.n))
		}
	}
}

// backoffAfter is the wait after the nth failure (n >= freeAttempts): 1 s, doubling, at most maxBackoff.
func backoffAfter(n int) time.Duration {
	return min(time.Second<<min(n-freeAttempts, 20), maxBackoff)
}

// Reset forgets the failures on key, after a successful login.
func (l *limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.m[key]; e != nil {
		l.lru.Remove(e)
		delete(l.m, key)
	}
}

// Allow counts one request on key and reports whether it is among the first limit in the
// current window, which starts at the key's first request and lasts window. Refused requests
// count too. It is for quotas on requests that succeed (such as reset emails), where Fail's
// backoff would not apply.
func (l *limiter) Allow(key string, limit int, window time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.get(key)
	if f == nil || !now.Before(f.until) {
		f = l.put(key, now)
		f.until = now.Add(window)
	}
	f.n++
	f.last = now
	return f.n <= limit
}

// len is how many keys are tracked.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// get returns the key's entry, marking it used, or nil.
func (l *limiter) get(k string) *failures {
	e := l.m[k]
	if e == nil {
		return nil
	}
	l.lru.MoveToFront(e)
	return e.Value.(*failures)
}

// put starts a fresh entry for k, evicting the least recently used entry when full.
func (l *limiter) put(k string, now time.Time) *failures {
	if e := l.m[k]; e != nil {
		f := e.Value.(*failures)
		*f = failures{key: k, last: now}
		l.lru.MoveToFront(e)
		return f
	}
	if len(l.m) >= l.max {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.m, old.Value.(*failures).key)
	}
	f := &failures{key: k, last: now}
	l.m[k] = l.lru.PushFront(f)
	return f
}
