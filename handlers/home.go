package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/views"
)

// Home greets the member with a summary of their organization.
func (h *Handler) Home(c echo.Context) error {
	counts, err := h.app.HomeCounts(c.Request().Context(), current(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.HomePage(views.HomeView{Counts: counts}))
}

// Healthz answers 200 when the database answers, 503 otherwise.
func (h *Handler) Healthz(c echo.Context) error {
	if err := h.app.Healthy(c.Request().Context()); err != nil {
		h.log.Error("health check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": h.cfg.Version})
}
