package app

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/models"
)

// Decision is the forward-auth answer for one request to a guarded app.
type Decision int

// The forward-auth decisions.
const (
	// GateAllow: a valid session whose member may use the matched, enabled app.
	GateAllow Decision = iota
	// GateLogin: no usable session; the person should log in.
	GateLogin
	// GateDeny: logged in, but the member may not use the app, the app is disabled, or no app
	// has the URL. Never a redirect.
	GateDeny
	// GateEnroll: logged in, but the organization requires a second factor the member has not
	// set up yet: refused like GateDeny, with a pointer to Gatehouse.
	GateEnroll
)

// GateAnswer is a forward-auth decision and, when allowed, who is let in.
type GateAnswer struct {
	Decision Decision
	Email    string
	Name     string
	Groups   []string // the member's roles
	App      string   // the matched app's name, "" when none
}

// gateEntry is what the gate knows about one session: who it belongs to and which apps
// the member may use. lastSeen is the session's recorded activity, kept here between the
// touches that write it.
type gateEntry struct {
	cur      *models.Current
	access   map[int64]bool
	lastSeen atomic.Int64 // unix nanoseconds
	touching atomic.Bool
}

// gateCache holds what the forward-auth decision reads, filled on demand. Everything in it
// was read at one value of store.Changes(); when the value moves (any write transaction,
// sessions ended, a status changed) the cache is emptied before its next answer, so a
// terminated member, removed access or a disabled app is refused on the very next request.
type gateCache struct {
	mu       sync.RWMutex
	changes  uint64
	sessions map[string]*gateEntry      // by session token hash
	tables   map[int64]*models.AppTable // each organization's app URLs
	apps     map[int64]map[int64]bool   // each organization's enabled apps
}

// maxGateSessions bounds the cache; past it, it starts afresh.
const maxGateSessions = 100_000

// Authorize decides whether the session named by token may use the app at host and uri
// (the request's path and query, as the client sent it). It reads only memory while nothing
// has changed; the only write is the session's activity, at most once a TouchEvery.
func (s *Service) Authorize(ctx context.Context, token, host, uri string) (GateAnswer, error) {
	if token == "" {
		return GateAnswer{Decision: GateLogin}, nil
	}
	g := &s.gate
	hash := string(models.HashToken(token))
	changes := s.st.Changes()
	g.mu.RLock()
	var e *gateEntry
	var table *models.AppTable
	var enabled map[int64]bool
	if g.changes == changes {
		e = g.sessions[hash]
	}
	g.mu.RUnlock()
	now := s.now()
	if e != nil {
		sess := e.cur.Session
		sess.LastSeenAt = time.Unix(0, e.lastSeen.Load())
		if s.cfg.Sessions.Expired(sess, now) {
			// Perhaps active on Gatehouse's own pages since: ask the database.
			e = nil
		}
	}
	if e == nil {
		var err error
		if e, err = s.loadGateEntry(ctx, hash, token, changes); err != nil || e == nil {
			return GateAnswer{Decision: GateLogin}, err
		}
	} else if now.Sub(time.Unix(0, e.lastSeen.Load())) >= models.TouchEvery && e.touching.CompareAndSwap(false, true) {
		s.bg.Go(func() {
			defer e.touching.Store(false)
			if err := s.st.TouchSession(context.WithoutCancel(ctx), e.cur.Session.ID); err != nil {
				s.log.Warn("unable to record session activity", "err", err)
				return
			}
			e.lastSeen.Store(now.UnixNano())
		})
	}
	cur := e.cur
	if !cur.HasOrg() {
		return GateAnswer{Decision: GateDeny}, nil
	}
	if cur.Org.MustEnroll(cur.User, now) {
		return GateAnswer{Decision: GateEnroll}, nil
	}
	var err error
	if table, enabled, err = s.appTable(ctx, cur.Org.ID, changes); err != nil {
		return GateAnswer{}, err
	}
	a := table.Match(host, uri)
	if a == nil {
		return GateAnswer{Decision: GateDeny}, nil
	}
	if !enabled[a.ID] || !e.access[a.ID] {
		return GateAnswer{Decision: GateDeny, App: a.Name}, nil
	}
	groups := make([]string, len(cur.Membership.Roles))
	for i, r := range cur.Membership.Roles {
		groups[i] = string(r)
	}
	return GateAnswer{Decision: GateAllow, Email: cur.User.Email, Name: cur.User.DisplayName(), Groups: groups, App: a.Name}, nil
}

// loadGateEntry reads a session and its member's app access, as every Gatehouse page
// authenticates (an expired session, or one whose membership is no longer active, is ended
// there), and keeps it when nothing changed meanwhile. nil means no usable session.
func (s *Service) loadGateEntry(ctx context.Context, hash, token string, changes uint64) (*gateEntry, error) {
	cur, err := s.Authenticate(ctx, Cookie{Token: token})
	var out *SignedOut
	if errors.As(err, &out) || (err == nil && cur == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids, err := s.st.AppAccess(ctx, cur.Org.ID, cur.Membership.ID, cur.Membership.Roles)
	if err != nil {
		return nil, err
	}
	e := &gateEntry{cur: cur, access: make(map[int64]bool, len(ids))}
	for _, id := range ids {
		e.access[id] = true
	}
	last := cur.Session.LastSeenAt
	if models.NeedsTouch(cur.Session, s.now()) {
		last = s.now() // Authenticate has just recorded it
	}
	e.lastSeen.Store(last.UnixNano())
	g := &s.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reset(changes)
	if g.changes == changes {
		if len(g.sessions) >= maxGateSessions {
			g.sessions = map[string]*gateEntry{}
		}
		g.sessions[hash] = e
	}
	return e, nil
}

// reset empties the cache if it was read before changes (callers hold mu).
func (g *gateCache) reset(changes uint64) {
	if g.sessions == nil || g.changes < changes {
		g.changes = changes
		g.sessions = map[string]*gateEntry{}
		g.tables = map[int64]*models.AppTable{}
		g.apps = map[int64]map[int64]bool{}
	}
}

// appTable returns the organization's app URL table and enabled apps, from the cache when
// nothing changed since it was read.
func (s *Service) appTable(ctx context.Context, orgID int64, changes uint64) (*models.AppTable, map[int64]bool, error) {
	g := &s.gate
	g.mu.RLock()
	if g.changes == changes {
		if t, ok := g.tables[orgID]; ok {
			en := g.apps[orgID]
			g.mu.RUnlock()
			return t, en, nil
		}
	}
	g.mu.RUnlock()
	apps, err := s.st.ListApps(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	t := models.NewAppTable(apps)
	en := map[int64]bool{}
	for _, a := range apps {
		if a.Enabled {
			en[a.ID] = true
		}
	}
	g.mu.Lock()
	g.reset(changes)
	if g.changes == changes {
		g.tables[orgID], g.apps[orgID] = t, en
	}
	g.mu.Unlock()
	return t, en, nil
}

// ReturnURL reports whether rd, where a person was going when the gate sent them to log in,
// is a URL of one of the organization's enabled apps, so that the login may send them back
// there, and names the app. Anything else (another host, a scheme other than http(s), a user
// in the URL, control characters, an address that is not absolute) is refused: never an
// open redirect.
func (s *Service) ReturnURL(ctx context.Context, orgID int64, rd string) (appName string, ok bool) {
	if !LooksLikeReturnURL(rd) {
		return "", false
	}
	u, _ := url.Parse(rd)
	t, en, err := s.appTable(ctx, orgID, s.st.Changes())
	if err != nil {
		s.log.Warn("unable to check a return URL", "err", err)
		return "", false
	}
	a := t.Match(u.Host, u.EscapedPath())
	if a == nil || !en[a.ID] {
		return "", false
	}
	return a.Name, true
}

// LooksLikeReturnURL reports whether rd is, on its face, an absolute http(s) URL without a
// user, of reasonable length and free of control characters and backslashes: the only
// kind of URL the login page carries to ReturnURL.
func LooksLikeReturnURL(rd string) bool {
	if rd == "" || len(rd) > 2048 || strings.ContainsAny(rd, "\\ ") ||
		strings.ContainsFunc(rd, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(rd)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return strings.HasPrefix(rd, u.Scheme+"://"+u.Host) && !strings.Contains(u.Host, "%")
}
