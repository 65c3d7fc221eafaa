package store

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"gatehouse/models"
)

// Refused requests come in floods (a script hammering the login form, a member's page
// retrying a forbidden action), and one audit row each would let anyone outside grow the
// database. So refusals (models.Action.Aggregated) are counted per action, organization,
// address, actor and what was refused for refusalWindow: the first of a window is written at once, the rest are counted and
// written as one event, "N more in the last minute", when the window ends or the store closes.
const (
	refusalWindow = time.Minute
	// maxRefusalKeys bounds the keys counted at once; past it, refusals from further addresses
	// are counted together per action and organization.
	maxRefusalKeys = 10_000
)

type refusalKey struct {
	action models.Action
	org    int64
	ip     string
	actor  int64
	detail string // what was refused ("POST /settings needs manage_org"): a route pattern, so few
}

type refusalCount struct {
	first   models.AuditEvent
	meta    models.Meta
	start   time.Time
	more    int  // refusals after the first, not yet written
	targets bool // whether those were about other emails than the first
}

type refusals struct {
	mu  sync.Mutex
	m   map[refusalKey]*refusalCount
	max int // maxRefusalKeys; smaller in tests
}

// auditRefusal writes the first refusal of a window for its key and counts the others. It
// reports whether ev was written or counted (false: not an aggregated action).
func (s *Store) auditRefusal(ctx context.Context, ev models.AuditEvent, meta models.Meta) (bool, error) {
	if !ev.Action.Aggregated() {
		return false, nil
	}
	k := refusalKey{action: ev.Action, ip: meta.IP, detail: ev.Detail}
	if ev.ActorUserID != nil {
		k.actor = *ev.ActorUserID
	}
	if ev.OrgID != nil {
		k.org = *ev.OrgID
	}
	now := s.now()
	s.refused.mu.Lock()
	c := s.refused.m[k]
	if c != nil && now.Sub(c.start) >= refusalWindow {
		// The window ended and the flusher has not come by yet: this one starts the next.
		c = nil
	}
	if c != nil {
		c.more++
		c.targets = c.targets || ev.TargetEmail != c.first.TargetEmail
		s.refused.mu.Unlock()
		return true, nil
	}
	if _, ok := s.refused.m[k]; !ok && len(s.refused.m) >= s.refused.max {
		// Counted per action and organization: the count must not reach another organization's log.
		k = refusalKey{action: ev.Action, org: k.org}
		if o := s.refused.m[k]; o != nil && now.Sub(o.start) < refusalWindow {
			o.more++
			o.targets = true
			s.refused.mu.Unlock()
			return true, nil
		}
		ev.Detail = joinDetail(ev.Detail, "from one of many addresses")
	}
	old := s.refused.m[k]
	s.refused.m[k] = &refusalCount{first: ev, meta: meta, start: now}
	s.refused.mu.Unlock()
	if old != nil && old.more > 0 {
		// What the ended window counted is written before the window that replaces it.
		if err := s.writeRefusalCount(ctx, old); err != nil {
			return true, err
		}
	}
	return true, writeAudit(s.writer(ctx), ev, meta, now)
}

// flushRefusals writes one event for each key that counted refusals beyond its first: those
// whose window has ended, or all of them when all is set (the store is closing).
func (s *Store) flushRefusals(ctx context.Context, all bool) {
	now := s.now()
	var due []*refusalCount
	s.refused.mu.Lock()
	for k, c := range s.refused.m {
		if all || now.Sub(c.start) >= refusalWindow {
			delete(s.refused.m, k)
			if c.more > 0 {
				due = append(due, c)
			}
		}
	}
	s.refused.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].start.Before(due[j].start) })
	for _, c := range due {
		if err := s.writeRefusalCount(ctx, c); err != nil {
			s.log.Error("store: unable to write aggregated refusals", "action", c.first.Action, "count", c.more, "err", err)
		}
	}
}

// writeRefusalCount writes the event that stands for the refusals counted after c's first.
func (s *Store) writeRefusalCount(ctx context.Context, c *refusalCount) error {
	ev := c.first
	ev.ID = 0
	if c.targets {
		ev.TargetEmail = ""
	}
	ev.Detail = joinDetail(ev.Detail, fmt.Sprintf("%d more in the last minute", c.more))
	return writeAudit(s.w.WithContext(context.WithoutCancel(ctx)), ev, c.meta, s.now())
}

func joinDetail(detail, more string) string {
	if detail == "" {
		return more
	}
	return detail + " (" + more + ")"
}
