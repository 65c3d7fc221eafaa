// Package handlers holds Gatehouse's HTTP layer: echo handlers and middleware that parse
// input, call one use case (app.Service) and render views. Routes live in routes.go.
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

	"gatehouse/app"
	"gatehouse/models"
)

// Clock tells the time; tests pass one they control.
type Clock = models.Clock

// SystemClock is the real clock.
var SystemClock = models.SystemClock

// Config is what the HTTP layer needs from the command line.
type Config struct {
	BaseURL  *url.URL // emailed and printed links are built from it, never from the Host header
	Sessions models.SessionPolicy
	Secret   []byte // signs and encrypts cookies
	Version  string
	// TrustedProxies are the networks of the reverse proxies in front of Gatehouse (--trusted-proxies).
	// Only a request from one of them may name the client through X-Forwarded-For; none trusts nobody.
	TrustedProxies []*net.IPNet
	// CookieDomain, when set (--cookie-domain), puts the session cookie on that parent domain,
	// so the forward-auth endpoints see it on requests to the apps on its subdomains.
	CookieDomain string
}

// Handler holds the dependencies every handler uses.
type Handler struct {
	app     *app.Service
	cfg     Config
	clock   Clock
	log     *slog.Logger
	cookies *sessions.CookieStore
	cookie  string // name of the browser session cookie
}

// New returns a Handler. A nil clock means the system clock.
func New(svc *app.Service, cfg Config, clock Clock, log *slog.Logger) *Handler {
	if clock == nil {
		clock = SystemClock
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
	if cfg.CookieDomain != "" {
		// A cookie with a Domain cannot be __Host-; it stays Secure under https.
		cs.Options.Domain = cfg.CookieDomain
	} else if secure {
		// __Host- binds the cookie to this exact origin: Secure, Path=/, no Domain.
		name = "__Host-gatehouse"
	}
	return &Handler{app: svc, cfg: cfg, clock: clock, log: log, cookies: cs, cookie: name}
}

// derive makes a 32-byte key for one purpose from the installation secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
