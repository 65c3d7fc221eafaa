package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"unicode/utf8"

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

// saveBrowser writes the cookie session to the response. Flashes are bounded first (the last
// maxFlashes, each cut to maxFlashLen), so htmx requests that leave flashes no full page takes
// cannot grow the cookie past the 4 KB a browser keeps. Should the cookie still not fit, it is
// saved without its flashes, and failing that the request carries on without it: losing a
// message, or the cookie's update, is better than failing what the request did.
func (h *Handler) saveBrowser(c echo.Context) error {
	s := h.browser(c)
	boundFlashes(s)
	err := s.Save(c.Request(), c.Response())
	if err == nil {
		return nil
	}
	if _, ok := s.Values[flashesKey]; ok {
		delete(s.Values, flashesKey)
		if err2 := s.Save(c.Request(), c.Response()); err2 == nil {
			h.log.Warn("cookie too large: flashes dropped", "err", err)
			return nil
		}
	}
	h.log.Error("unable to save the cookie session", "err", err)
	return nil
}

// flashesKey is where gorilla/sessions keeps flashes in the session's values.
const flashesKey = "_flash"

const (
	maxFlashes  = 3
	maxFlashLen = 300
)

// boundFlashes keeps the newest maxFlashes flashes, each at most maxFlashLen bytes.
func boundFlashes(s *sessions.Session) {
	fs, ok := s.Values[flashesKey].([]any)
	if !ok {
		return
	}
	if len(fs) > maxFlashes {
		fs = fs[len(fs)-maxFlashes:]
	}
	for i, f := range fs {
		if m, ok := f.(string); ok && len(m) > maxFlashLen {
			cut := maxFlashLen
			for cut > 0 && !utf8.RuneStart(m[cut]) {
				cut--
			}
			fs[i] = m[:cut] + "…"
		}
	}
	s.Values[flashesKey] = fs
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
