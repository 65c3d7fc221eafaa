package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"gatehouse/views"
)

// render writes component with status. It gives the component the page context (who is
// looking, the CSRF token, flash messages) and forbids caching of personal pages.
func (h *Handler) render(c echo.Context, status int, comp templ.Component) error {
	modal, _ := c.Get(modalKey).(bool)
	back, _ := c.Get(backKey).(string)
	p := &views.Page{CSRF: csrfToken(c), Current: current(c), Nav: navOf(c), Modal: modal, Back: back}
	// Flashes are taken only by full pages, so an htmx fragment does not swallow them.
	if !isHTMX(c) {
		p.Flashes = h.takeFlashes(c)
		if p.Current != nil {
			tb, err := h.app.TopBar(c.Request().Context(), p.Current)
			if err != nil {
				return err
			}
			p.Orgs, p.Notifications = tb.Orgs, tb.Notifications
		}
	}
	return writeComponent(c, status, views.WithPage(c.Request().Context(), p), comp)
}

// writeComponent renders comp with ctx and sends it with status, forbidding caching.
func writeComponent(c echo.Context, status int, ctx context.Context, comp templ.Component) error {
	// The page is rendered whole before anything is sent: one write instead of one per few
	// kilobytes, and a component that fails reaches the error handler instead of half a page.
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	hd.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	hd.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// renderBuffers hold pages while they are rendered.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderDialog renders an action dialog: as a <dialog> fragment when htmx asked for the
// modal, as a page of its own otherwise (JavaScript off).
func (h *Handler) renderDialog(c echo.Context, status int, comp templ.Component) error {
	c.Set(modalKey, wantsFragment(c, "modal"))
	c.Set(backKey, backURL(c))
	return h.render(c, status, comp)
}

// done ends a successful form post: a flash, then the page to show — by HX-Redirect for htmx
// (a full reload, so tab counts and rows are fresh), by 303 otherwise.
func (h *Handler) done(c echo.Context, flash, to string) error {
	if flash != "" {
		h.flash(c, flash)
	}
	// A member action returns to the tab, page and search (or member page) it was started from.
	if strings.HasPrefix(to, "/users") {
		if b := backURL(c); b != "" {
			to = b
		}
	}
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return redirect(c, to)
}

const (
	modalKey = "modal"
	backKey  = "back"
)

// isHTMX reports whether the request came from htmx (and is not a history restore, which needs the full page).
func isHTMX(c echo.Context) bool {
	r := c.Request()
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// wantsFragment reports whether htmx asked to replace only the element with id target.
func wantsFragment(c echo.Context, target string) bool {
	return isHTMX(c) && c.Request().Header.Get("HX-Target") == target
}

// redirect answers a form post with 303 See Other, which htmx and browsers both follow with a GET.
func redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}

const navKey = "nav"

func navOf(c echo.Context) string {
	s, _ := c.Get(navKey).(string)
	return s
}

// nav marks which side navigation item a route belongs to.
func nav(name string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(navKey, name)
			return next(c)
		}
	}
}
