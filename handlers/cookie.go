package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"gatehouse/views"
)

// The browser session cookie (gorilla/sessions, signed and encrypted) carries the login
// token that names a server-side session record, the CSRF token and flashes, and whose
// login it was (organization and email): terminating a member deletes their session record,
// so only the cookie can tell that browser why it was signed out.
const (
	cookieSID   = "sid"
	cookieCSRF  = "csrf"
	cookieOrg   = "org"
	cookieEmail = "email"
	csrfKey     = "csrf"
)

// browser returns the request's cookie session, creating it when missing or unreadable.
func (h *Handler) browser(c echo.Context) *sessions.Session {
	if s, ok := c.Get("browser").(*sessions.Session); ok {
		return s
	}
	s, err := h.cookies.Get(c.Request(), h.cookie)
	if err != nil {
		// A cookie signed with another secret, or tampered with: start afresh.
		s, _ = h.cookies.New(c.Request(), h.cookie)
	}
	c.Set("browser", s)
	return s
}

func (h *Handler) saveBrowser(c echo.Context) error {
	return h.browser(c).Save(c.Request(), c.Response())
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func csrfToken(c echo.Context) string {
	s, _ := c.Get(csrfKey).(string)
	return s
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// flash leaves a message for the next page the browser shows.
func (h *Handler) flash(c echo.Context, msg string) {
	h.browser(c).AddFlash(msg)
	if err := h.saveBrowser(c); err != nil {
		h.log.Warn("unable to save flash", "err", err)
	}
}

// warnPrefix marks a flash that brings bad news (a session that ended, an attempt that
// expired), so it is shown as a warning rather than a success.
const warnPrefix = "\x00warn:"

func (h *Handler) takeFlashes(c echo.Context) []views.Flash {
	s := h.browser(c)
	raw := s.Flashes()
	if len(raw) == 0 {
		return nil
	}
	if err := h.saveBrowser(c); err != nil {
		h.log.Warn("unable to clear flashes", "err", err)
	}
	out := make([]views.Flash, 0, len(raw))
	for _, f := range raw {
		if m, ok := f.(string); ok {
			text, warn := strings.CutPrefix(m, warnPrefix)
			out = append(out, views.Flash{Text: text, Warn: warn})
		}
	}
	return out
}
