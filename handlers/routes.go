package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"gatehouse/models"
	"gatehouse/static"
)

// Echo builds the HTTP server: middleware, error handler and every route.
func (h *Handler) Echo() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.ErrorHandler
	// Gatehouse is reached directly; X-Forwarded-For would let a client pick its own IP
	// and dodge the login backoff.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(middleware.Recover(), h.requestLog(), securityHeaders, middleware.BodyLimit("1M"), h.csrf, h.loadSession)
	h.routes(e)
	return e
}

// routes registers every route, grouped by what a visitor needs to reach it: this is the
// access matrix in one place.
func (h *Handler) routes(e *echo.Echo) {
	// Anyone.
	e.GET("/healthz", h.Healthz)
	e.GET("/static/*", echo.WrapHandler(staticHandler()))
	e.GET("/setup", h.SetupForm, noReferrer)
	e.POST("/setup", h.Setup, noReferrer)
	e.GET("/login", h.LoginForm)
	e.POST("/login", h.Login)
	e.GET("/forgot-password", h.ForgotPassword)
	e.POST("/logout", h.Logout)

	// Members: every role can view data, which includes the Users page.
	member := e.Group("", h.requireLogin, h.require(models.PermViewData))
	member.GET("/", h.Home, nav("home"))
	member.GET("/users", h.UsersList, nav("users"))

	// Owners and Admins: organization settings.
	orgAdmin := e.Group("", h.requireLogin, h.require(models.PermManageOrg))
	orgAdmin.GET("/settings", h.Settings, nav("settings"))
	orgAdmin.POST("/settings", h.SaveSettings, nav("settings"))
}

// staticHandler serves the embedded files; URLs carry a content hash, so they may be cached for good.
func staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(static.FS))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
