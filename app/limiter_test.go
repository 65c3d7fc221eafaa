package app

import (
	"fmt"
	"testing"
	"time"
)

type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

func TestLimiterBounded(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.now, 1000)
	// A key that keeps being used stays while others come and go.
	for range freeAttempts {
		l.Fail("ip:192.0.2.1")
	}
	for i := range 5000 {
		l.Fail(fmt.Sprintf("ip:198.51.100.%d", i), fmt.Sprintf("email:user%d@example.com", i))
		l.Allow(fmt.Sprintf("reset-email:user%d@example.com", i), 3, time.Hour)
		if n := l.len(); n > 1000 {
			t.Fatalf("%d keys tracked after %d new ones, cap 1000", n, i+1)
		}
		if i%100 == 0 && l.Wait("ip:192.0.2.1") == 0 {
			t.Fatalf("the blocked address was forgotten after %d new keys", i+1)
		}
	}
}

func TestLimiterBlockedAddsNothing(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.now, maxTracked)
	for i := range freeAttempts {
		l.Fail("ip:192.0.2.1", fmt.Sprintf("email:user%d@example.com", i))
	}
	if l.Wait("ip:192.0.2.1") == 0 {
		t.Fatal("the address is not blocked after the free attempts")
	}
	before := l.len()
	for i := range 1000 {
		l.Fail("ip:192.0.2.1", fmt.Sprintf("email:new%d@example.com", i))
	}
	if n := l.len(); n != before {
		t.Errorf("%d keys after failures from a blocked address, want %d", n, before)
	}
	if l.Wait("ip:192.0.2.1") <= time.Second {
		t.Error("failures from a blocked address no longer lengthen its wait")
	}
}

// BenchmarkLimiter checks one login and one reset request against a limiter filled with 1,000,
// 20,000 and 200,000 distinct emails (the last capped at maxTracked). The time per operation
// stays the same from 20,000 to 200,000 (1,000 fit in the CPU cache): no call walks the keys.
// Before, past 100,000 keys every failure scanned them all (about 300 ms a request).
func BenchmarkLimiter(b *testing.B) {
	for _, n := range []int{1_000, 20_000, 200_000} {
		b.Run(fmt.Sprintf("emails=%d", n), func(b *testing.B) {
			clock := &stepClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
			l := newLimiter(clock.now, maxTracked)
			emails := make([]string, n)
			for i := range emails {
				emails[i] = fmt.Sprintf("email:user%d@example.com", i)
				l.Fail(fmt.Sprintf("ip:10.%d.%d.%d", i>>16&255, i>>8&255, i&255), emails[i])
			}
			i := 0
			for b.Loop() {
				e := emails[i%n]
				ip := fmt.Sprintf("ip:172.16.%d.%d", i>>8&255, i&255)
				if l.Wait(ip, e) == 0 {
					l.Fail(ip, e)
				}
				l.Allow("reset-"+e, 3, time.Hour)
				i++
			}
		})
	}
}
