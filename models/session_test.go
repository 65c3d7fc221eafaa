package models

import (
	"testing"
	"time"
)

func TestSessionPolicyExpired(t *testing.T) {
	p := SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		name     string
		created  time.Time
		lastSeen time.Time
		now      time.Time
		want     bool
	}{
		{"just created", t0, t0, t0, false},
		{"idle one nanosecond short", t0, t0, at(time.Hour - time.Nanosecond), false},
		{"idle exactly the timeout", t0, t0, at(time.Hour), true},
		{"idle past the timeout", t0, t0, at(2 * time.Hour), true},
		{"recent activity resets idle", t0, at(3 * time.Hour), at(3*time.Hour + 59*time.Minute), false},
		{"lifetime one nanosecond short", t0, at(11*time.Hour + 30*time.Minute), at(12*time.Hour - time.Nanosecond), false},
		{"lifetime exactly reached", t0, at(11*time.Hour + 30*time.Minute), at(12 * time.Hour), true},
		{"lifetime reached while active", t0, at(12 * time.Hour), at(12 * time.Hour), true},
		{"lifetime long past", t0, at(30 * time.Hour), at(30 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Session{CreatedAt: tt.created, LastSeenAt: tt.lastSeen}
			if got := p.Expired(s, tt.now); got != tt.want {
				t.Errorf("Expired(created %v, last seen %v) at %v = %v, want %v", tt.created, tt.lastSeen, tt.now, got, tt.want)
			}
		})
	}

	// Another policy: the idle timeout and lifetime come from the policy, not constants.
	short := SessionPolicy{Idle: time.Minute, Lifetime: 5 * time.Minute}
	if !short.Expired(Session{CreatedAt: t0, LastSeenAt: t0}, at(time.Minute)) {
		t.Error("1-minute idle policy: session idle for a minute is not expired")
	}
	if !short.Expired(Session{CreatedAt: t0, LastSeenAt: at(4 * time.Minute)}, at(5*time.Minute)) {
		t.Error("5-minute lifetime policy: 5-minute-old session is not expired")
	}
	if short.Expired(Session{CreatedAt: t0, LastSeenAt: at(4 * time.Minute)}, at(4*time.Minute+30*time.Second)) {
		t.Error("short policy: active 4.5-minute-old session is expired")
	}
}

func TestNeedsTouch(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		since time.Duration
		want  bool
	}{{0, false}, {999 * time.Millisecond, false}, {time.Second, true}, {59 * time.Second, true}} {
		if got := NeedsTouch(Session{LastSeenAt: t0}, t0.Add(tc.since)); got != tc.want {
			t.Errorf("NeedsTouch after %v = %v, want %v", tc.since, got, tc.want)
		}
	}
}
