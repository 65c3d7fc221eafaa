//go:build bench

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Built only with -tags bench (as `go run ./bench` builds the binary): /_bench/hello answers
// a fixed text through the whole middleware but the session (as a page would before its own
// work), the reference the benchmark measures the real pages against. The rendering
// reference is views.BenchmarkUsersPage (go test -bench UsersPage ./views).
func init() {
	benchRoutes = func(e *echo.Echo) {
		e.GET("/_bench/hello", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
	}
	sessionless = append(sessionless, "/_bench/")
}
