package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"gatehouse/app"
	"gatehouse/models"
)

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// noReferrer keeps tokens in a page's URL from leaking to any other site through the Referer header.
func noReferrer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Referrer-Policy", "no-referrer")
		return next(c)
	}
}

// requestLog logs one line per request. It logs the route pattern, never the query string,
// so tokens in links do not reach the log. An error a handler returns is turned into its page
// by the error handler before the line is written (HandleError), so the line has the status
// that was sent, not the 200 the response held before.
func (h *Handler) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogRemoteIP: true, LogError: true, HandleError: true,
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/static/") },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route := c.Path()
			if route == "" || strings.HasSuffix(route, "/*") {
				route = c.Request().URL.Path
			}
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			h.log.LogAttrs(c.Request().Context(), level, "request", slog.String("method", v.Method), slog.String("route", route),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}

// skipsSession reports whether the path needs neither a session nor a CSRF token.
func skipsSession(c echo.Context) bool {
	p := c.Request().URL.Path
	if p == "/healthz" || oidcClientPaths[p] {
		return true
	}
	for _, prefix := range sessionless {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// sessionless are the path prefixes that need neither a session nor a CSRF token.
var sessionless = []string{"/static/", "/api/authz/"}

// csrf keeps a per-browser token in the encrypted cookie and refuses any state-changing
// request that does not return it (form field _csrf or header X-CSRF-Token), or that a
// browser says comes from another site.
func (h *Handler) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipsSession(c) {
			return next(c)
		}
		s := h.browser(c)
		token, _ := s.Values[cookieCSRF].(string)
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if token == "" {
				token = randomToken()
				s.Values[cookieCSRF] = token
				if err := h.saveBrowser(c); err != nil {
					return err
				}
			}
		default:
			sent := r.Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = c.FormValue("_csrf")
			}
			if !h.sameSite(r) || !sameToken(token, sent) {
				h.log.Warn("refused cross-site or tokenless request", "method", r.Method, "path", r.URL.Path, "ip", c.RealIP())
				return pageError(http.StatusForbidden, "Request refused",
					"This form was sent from another site or has expired. Go back, reload the page and try again.")
			}
		}
		c.Set(csrfKey, token)
		return next(c)
	}
}

// sameSite reports whether a browser says the request comes from this site. Sec-Fetch-Site,
// when sent, decides (pages with Referrer-Policy: no-referrer post with Origin "null", so
// Origin can't); older browsers send only Origin, which must then name this site. Clients
// that send neither are not browsers, and still need the token.
func (h *Handler) sameSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || origin == "null" {
		return false
	}
	return u.Host == h.cfg.BaseURL.Host || u.Host == r.Host
}

const currentKey = "current"

// current returns who is logged in, or nil.
func current(c echo.Context) *models.Current {
	cur, _ := c.Get(currentKey).(*models.Current)
	return cur
}

// loadSession asks who the session named by the cookie belongs to. A session that can no
// longer be used (logged out, expired, access ended) is forgotten with the reason why, so
// termination and logout take effect at once.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipsSession(c) {
			return next(c)
		}
		s := h.browser(c)
		ck := app.Cookie{}
		ck.Token, _ = s.Values[cookieSID].(string)
		ck.OrgID, _ = s.Values[cookieOrg].(int64)
		ck.Email, _ = s.Values[cookieEmail].(string)
		cur, err := h.app.Authenticate(c.Request().Context(), ck)
		var out *app.SignedOut
		if errors.As(err, &out) {
			h.forget(c, out.Why)
			return next(c)
		}
		if err != nil {
			return err
		}
		if cur != nil {
			c.Set(currentKey, cur)
			if cur.Notice != "" {
				// Moved off an organization whose access ended: say so on this page.
				s.AddFlash(warnPrefix + cur.Notice)
				s.Values[cookieOrg] = cur.Org.ID
				if err := h.saveBrowser(c); err != nil {
					h.log.Warn("unable to save session cookie", "err", err)
				}
			}
		}
		return next(c)
	}
}

// forget drops the login token from the cookie, optionally leaving a message.
func (h *Handler) forget(c echo.Context, why string) {
	s := h.browser(c)
	delete(s.Values, cookieSID)
	delete(s.Values, cookieOrg)
	delete(s.Values, cookieEmail)
	if why != "" {
		s.AddFlash(warnPrefix + why)
	}
	if err := h.saveBrowser(c); err != nil {
		h.log.Warn("unable to clear session cookie", "err", err)
	}
}

// requireLogin sends visitors without a session to the login page, remembering where they
// were going, and a person without a current organization to the page that says so.
func (h *Handler) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cur := current(c)
		if cur == nil {
			return h.toLogin(c)
		}
		if !cur.HasOrg() {
			return toNoOrg(c)
		}
		// Where the organization requires a second factor, a member without one can do
		// nothing but set one up (or log out).
		if cur.Org.MustEnroll(cur.User, h.clock.Now()) && !strings.HasPrefix(c.Request().URL.Path, "/mfa/") {
			if isHTMX(c) {
				c.Response().Header().Set("HX-Redirect", "/mfa/setup")
				return c.NoContent(http.StatusNoContent)
			}
			return redirect(c, "/mfa/setup")
		}
		return next(c)
	}
}

// require refuses, with 403 and an audit event, members whose roles lack p.
func (h *Handler) require(p models.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cur := current(c)
			if cur.Can(p) {
				return next(c)
			}
			h.log.Warn("refused action", "user", cur.User.ID, "org", cur.Org.ID, "permission", p, "route", c.Path())
			if err := h.app.AuditRefusal(c.Request().Context(), cur, c.Request().Method+" "+c.Path()+" needs "+string(p), meta(c)); err != nil {
				h.log.Error("unable to audit refusal", "err", err)
			}
			return echo.NewHTTPError(http.StatusForbidden)
		}
	}
}

// meta is where the request came from, for audit events.
func meta(c echo.Context) models.Meta {
	return models.Meta{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}
