package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
)

// The forward-auth endpoints answer a reverse proxy asking, for each request to a guarded
// app, whether to let it through (DESIGN.md "Apps and the gate"). They read the session
// cookie themselves: the session and CSRF middleware skip /api/authz/ (GET only, and no
// cookie is ever written), and the decision comes from the gate's cache in app/.

// ForwardAuth is GET /api/authz/forward-auth for Traefik's forwardAuth and Caddy's
// forward_auth: the original request is in X-Forwarded-Method, -Proto, -Host and -Uri.
func (h *Handler) ForwardAuth(c echo.Context) error {
	r := c.Request()
	proto := strings.ToLower(r.Header.Get("X-Forwarded-Proto"))
	if proto != "https" {
		proto = "http"
	}
	host, uri := r.Header.Get("X-Forwarded-Host"), r.Header.Get("X-Forwarded-Uri")
	if uri == "" {
		uri = "/"
	}
	original := ""
	if host != "" {
		original = proto + "://" + host + uri
	}
	return h.authorize(c, host, uri, original, r.Header.Get("X-Forwarded-Method"), true)
}

// AuthRequest is GET /api/authz/auth-request for nginx's auth_request: the original request
// is in X-Original-URL and X-Original-Method. It never redirects (nginx's auth_request
// passes only 2xx, 401 and 403 on); nginx turns the 401 into the login redirect itself.
func (h *Handler) AuthRequest(c echo.Context) error {
	r := c.Request()
	original := r.Header.Get("X-Original-URL")
	var host, uri string
	if u, err := url.Parse(original); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		host, uri = u.Host, u.EscapedPath()
		if u.RawQuery != "" {
			uri += "?" + u.RawQuery
		}
	} else {
		original = ""
	}
	return h.authorize(c, host, uri, original, r.Header.Get("X-Original-Method"), false)
}

func (h *Handler) authorize(c echo.Context, host, uri, original, method string, mayRedirect bool) error {
	w := c.Response().Header()
	w.Set("Cache-Control", "no-store")
	ans, err := h.app.Authorize(c.Request().Context(), h.sessionToken(c), host, uri)
	if err != nil {
		return err
	}
	switch ans.Decision {
	case app.GateAllow:
		w.Set("Remote-User", ans.Email)
		w.Set("Remote-Email", ans.Email)
		w.Set("Remote-Name", headerSafe(ans.Name))
		w.Set("Remote-Groups", strings.Join(ans.Groups, ","))
		return c.NoContent(http.StatusOK)
	case app.GateLogin:
		if mayRedirect && original != "" && wantsHTML(c.Request()) {
			to := h.link("/login", url.Values{"rd": {original}})
			status := http.StatusFound
			if method != "" && method != http.MethodGet && method != http.MethodHead {
				status = http.StatusSeeOther
			}
			return c.Redirect(status, to)
		}
		return c.String(http.StatusUnauthorized, "Log in to Gatehouse to use this app.\n")
	case app.GateEnroll:
		return c.String(http.StatusForbidden, "Set up two-factor authentication at "+h.link("/mfa/setup", nil)+" to use this app.\n")
	}
	return c.String(http.StatusForbidden, "You don't have access to this app. Ask an Owner or Admin of your organization.\n")
}

// sessionToken is the login token in the request's session cookie, "" without one. The
// cookie is only read: the gate never writes a cookie.
func (h *Handler) sessionToken(c echo.Context) string {
	s, err := h.cookies.New(c.Request(), h.cookie)
	if err != nil || s == nil {
		return ""
	}
	t, _ := s.Values[cookieSID].(string)
	return t
}

// wantsHTML reports whether the client is a browser asking for a page.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// link is an absolute URL on Gatehouse's --base-url.
func (h *Handler) link(path string, q url.Values) string {
	u := *h.cfg.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// headerSafe keeps a name fit for a header value (no control characters).
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
