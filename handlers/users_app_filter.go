package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
)

// appFilter reads the Users page's App filter: for Owners and Admins, the organization's apps
// to choose from and the chosen one (0 when none, or when the id is not one of them, as after
// the app was deleted). Others get no apps and no filter.
func (h *Handler) appFilter(c echo.Context, cur *models.Current, param string) ([]models.App, int64, error) {
	if !cur.Can(models.PermManageOrg) && !cur.Can(models.PermManageMembers) {
		return nil, 0, nil
	}
	apps, err := h.app.ListApps(c.Request().Context(), cur)
	if err != nil {
		return nil, 0, err
	}
	id, _ := strconv.ParseInt(param, 10, 64)
	for _, a := range apps {
		if a.ID == id {
			return apps, id, nil
		}
	}
	return apps, 0, nil
}
