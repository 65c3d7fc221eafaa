// Package app holds Gatehouse's use cases: one exported method on Service for each thing a
// person or client does (invite, accept an invitation, log in, terminate a member, change the
// settings…). A use case owns what happens when someone acts: the permission and rule checks
// (through models), tokens and expiries, the emails and text messages it writes to the
// outbox, the audit event, and one transaction across the store calls it makes (store.InTx;
// nested calls join it). The HTML handlers call it now; a JSON API, imports and the command
// line call the same methods.
package app

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"gatehouse/models"
	"gatehouse/store"
)

// Config is what the use cases need from the command line.
type Config struct {
	BaseURL  *url.URL // emailed and printed links are built from it, never from a request's Host
	Sessions models.SessionPolicy
	// InviteQuota is how many invitation emails may be sent from one IP address in 24 hours,
	// by anyone (each member's own daily quota is an organization setting).
	InviteQuota int
	// ImportBatch is how many rows of an import one transaction works on (default 25: a login
	// waits at most one batch for the writer, about 60 ms on the 2-core machine).
	ImportBatch int
	// NoImportWorker leaves confirmed imports for RunImport (tests that stop half way).
	NoImportWorker bool
	// Outbox is woken after a use case puts a message in the outbox; nil when nothing delivers.
	Outbox interface{ Poke() }
	// MailConfigured is whether --smtp-url is set; without it emails are held on the Outbox page.
	MailConfigured bool
	// SMSConfigured is whether a text message provider is set; without one SMS are held too.
	SMSConfigured bool
	// Limiter counts failed logins and request quotas; nil for the in-memory one, bounded to
	// maxTracked keys.
	Limiter RateLimiter
}

// DefaultInviteQuota is how many invitation emails one IP address may send in 24 hours unless configured.
const DefaultInviteQuota = 100

// Service holds every use case and what they share.
type Service struct {
	st    *store.Store
	cfg   Config
	clock models.Clock
	log   *slog.Logger
	lim   RateLimiter // login backoff and reset quotas, per email and IP
	bg    sync.WaitGroup
	gate  gateCache     // what the forward-auth decision reads (gate.go)
	keys  oidcKeyCache  // the OpenID Connect signing keys (oidc_provider.go)
	quit  chan struct{} // closed by Stop: background imports end after their batch
	once  sync.Once
}

// New returns the use cases over st. A nil clock means the system clock.
func New(st *store.Store, cfg Config, clock models.Clock, log *slog.Logger) *Service {
	if clock == nil {
		clock = models.SystemClock
	}
	if cfg.InviteQuota <= 0 {
		cfg.InviteQuota = DefaultInviteQuota
	}
	if cfg.ImportBatch <= 0 {
		cfg.ImportBatch = 25
	}
	if cfg.Limiter == nil {
		cfg.Limiter = newLimiter(clock.Now, maxTracked)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, cfg: cfg, clock: clock, log: log, lim: cfg.Limiter, quit: make(chan struct{})}
}

// Config returns the configuration the service was made with.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.clock.Now() }

// link builds an absolute URL from the configured base URL.
func (s *Service) link(path string, query url.Values) string {
	u := *s.cfg.BaseURL
	u.Path = joinPath(u.Path, path)
	u.RawQuery = query.Encode()
	return u.String()
}

func joinPath(base, p string) string {
	if base == "" || base == "/" {
		return p
	}
	if base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + p
}

// SetupLink returns the absolute setup link for a raw setup token.
func (s *Service) SetupLink(token string) string {
	return s.link("/setup", url.Values{"token": {token}})
}

// pokeOutbox wakes the background sender so a new message goes out at once.
func (s *Service) pokeOutbox() {
	if s.cfg.Outbox != nil {
		s.cfg.Outbox.Poke()
	}
}

// Stop asks the background imports to end after the batch they are on (shutdown); the next
// start resumes them (ResumeImports).
func (s *Service) Stop() { s.once.Do(func() { close(s.quit) }) }

// Wait waits for the work use cases do off the request path (tests, shutdown).
func (s *Service) Wait() { s.bg.Wait() }

// Healthy checks that the database answers.
func (s *Service) Healthy(ctx context.Context) error { return s.st.Healthy(ctx) }
