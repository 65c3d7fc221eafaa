package models

import "time"

// Session is the server-side record behind a login cookie. Only a hash of the cookie's
// token is stored, so a copy of the database cannot be used to ride a session.
type Session struct {
	ID         int64
	TokenHash  []byte
	UserID     int64
	OrgID      int64
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// SessionPolicy holds the idle timeout and absolute lifetime of sessions.
type SessionPolicy struct {
	Idle     time.Duration
	Lifetime time.Duration
}

// Expired reports whether the session has been idle too long or lived too long at now.
func (p SessionPolicy) Expired(s Session, now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= p.Idle || now.Sub(s.CreatedAt) >= p.Lifetime
}

// TouchEvery is how old a session's recorded activity may grow before a request records it
// again. One second holds the idle timeout to the second, whatever its length (a coarser step,
// such as the minute this once was, ended sessions up to that step early and logged out active
// members under an idle timeout shorter than it), for at most one write a second per active session.
const TouchEvery = time.Second

// NeedsTouch reports whether a request at now should record activity on s.
func NeedsTouch(s Session, now time.Time) bool { return now.Sub(s.LastSeenAt) >= TouchEvery }

// Current is who is making a request: the user, the organization they act in,
// their membership there and what it allows.
type Current struct {
	Session     Session
	User        User
	Org         Organization
	Membership  Membership
	Permissions PermissionSet
	// Notice is news for this request only: the session was moved off an organization the
	// person lost access to (shown as a flash).
	Notice string
}

// HasOrg reports whether the session is in an organization; without one (access lost
// everywhere) the person may only create or join one.
func (c *Current) HasOrg() bool {
	return c != nil && c.Org.ID != 0 && c.Membership.Status == StatusActive
}

// Can reports whether the current member holds p.
func (c *Current) Can(p Permission) bool { return c != nil && c.Permissions.Has(p) }

// Clock tells the time; tests pass one they control.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}
