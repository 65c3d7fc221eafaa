// Package handlers holds Gatehouse's HTTP layer: echo handlers and middleware that parse
// input, check permission, call the store and render views. Routes live in routes.go.
package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"

	"gatehouse/models"
	"gatehouse/store"
)

// Clock tells the time; tests pass one they control.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// Config is what the HTTP layer needs from the command line.
type Config struct {
	BaseURL  *url.URL // emailed and printed links are built from it, never from the Host header
	Sessions models.SessionPolicy
	Secret   []byte // signs and encrypts cookies
	Version  string
	// InviteQuota is how many invitation emails one member may send in 24 hours.
	InviteQuota int
	// Outbox is woken after a handler puts a message in the outbox; nil when nothing delivers.
	Outbox interface{ Poke() }
	// MailConfigured is whether --smtp-url is set; without it emails are held on the Outbox page.
	MailConfigured bool
	// SMSConfigured is whether a text message provider is set; without one SMS are held too.
	SMSConfigured bool
	// TrustedProxies are the networks of the reverse proxies in front of Gatehouse (--trusted-proxies).
	// Only a request from one of them may name the client through X-Forwarded-For; none trusts nobody.
	TrustedProxies []*net.IPNet
	// Limiter counts failed logins and request quotas; nil for the in-memory one, bounded to
	// maxTracked keys.
	Limiter RateLimiter
	// BenchEndpoints registers the reference endpoints under /_bench/ that `go run ./bench`
	// measures the real pages against (serve --bench-endpoints; off by default).
	BenchEndpoints bool
}

// DefaultInviteQuota is how many invitation emails a member may send in 24 hours unless configured.
const DefaultInviteQuota = 100

// Handler holds the dependencies every handler uses.
type Handler struct {
	store   *store.Store
	cfg     Config
	clock   Clock
	log     *slog.Logger
	cookies *sessions.CookieStore
	cookie  string // name of the browser session cookie
	limiter RateLimiter
}

// New returns a Handler. A nil clock means the system clock.
func New(st *store.Store, cfg Config, clock Clock, log *slog.Logger) *Handler {
	if clock == nil {
		clock = SystemClock
	}
	if cfg.InviteQuota <= 0 {
		cfg.InviteQuota = DefaultInviteQuota
	}
	secure := cfg.BaseURL.Scheme == "https"
	cs := sessions.NewCookieStore(derive(cfg.Secret, "cookie-auth"), derive(cfg.Secret, "cookie-encrypt"))
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.Sessions.Lifetime / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	name := "gatehouse"
	if secure {
		// __Host- binds the cookie to this exact origin: Secure, Path=/, no Domain.
		name = "__Host-gatehouse"
	}
	lim := cfg.Limiter
	if lim == nil {
		lim = newLimiter(clock.Now, maxTracked)
	}
	return &Handler{store: st, cfg: cfg, clock: clock, log: log, cookies: cs, cookie: name, limiter: lim}
}

// derive makes a 32-byte key for one purpose from the installation secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// link builds an absolute URL from the configured base URL.
func (h *Handler) link(path string, query url.Values) string {
	u := *h.cfg.BaseURL
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
func (h *Handler) SetupLink(token string) string {
	return h.link("/setup", url.Values{"token": {token}})
}

// pokeOutbox wakes the background sender so a new message goes out at once.
func (h *Handler) pokeOutbox() {
	if h.cfg.Outbox != nil {
		h.cfg.Outbox.Poke()
	}
}
