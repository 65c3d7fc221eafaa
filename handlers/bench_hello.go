//go:build bench

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Built only with -tags bench (as `go run ./bench` builds the binary): /_bench/hello answers
// a fixed text before routing and every middleware, the cost of the HTTP stack alone that
// the benchmark measures the real pages against. The rendering reference is
// views.BenchmarkUsersPage (go test -bench UsersPage ./views).
func init() {
	benchRoutes = func(e *echo.Echo) {
		e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				if c.Request().URL.Path == "/_bench/hello" && c.Request().Method == http.MethodGet {
					return c.String(http.StatusOK, "hello")
				}
				return next(c)
			}
		})
	}
}
