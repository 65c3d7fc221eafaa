package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// settingsForm is the organization settings form.
type settingsForm struct {
	Name                string
	InviteLifetimeHours string
	hours               int
}

// Validate cleans the fields and parses the lifetime.
func (f *settingsForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	var msg string
	if f.Name, msg = models.CleanText(f.Name, models.MaxOrgNameLen, "Organization name"); msg != "" {
		errs.Add("name", msg)
	} else if f.Name == "" {
		errs.Add("name", "Enter the organization's name.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.InviteLifetimeHours))
	if err != nil || n < models.MinInviteLifetimeHours || n > models.MaxInviteLifetimeHours {
		errs.Add("invite_lifetime_hours", "Enter a whole number of hours from 1 to 720 (30 days).")
	}
	f.hours = n
	return errs
}

func (f settingsForm) view(errs models.FieldErrors) views.SettingsForm {
	return views.SettingsForm{Name: f.Name, InviteLifetimeHours: f.InviteLifetimeHours, Errors: errs}
}

// Settings shows the organization settings.
func (h *Handler) Settings(c echo.Context) error {
	org := current(c).Org
	f := settingsForm{Name: org.Name, InviteLifetimeHours: strconv.Itoa(org.InviteLifetimeHours)}
	return h.render(c, http.StatusOK, views.SettingsPage(f.view(nil)))
}

// SaveSettings changes the organization settings.
func (h *Handler) SaveSettings(c echo.Context) error {
	f := settingsForm{Name: c.FormValue("name"), InviteLifetimeHours: c.FormValue("invite_lifetime_hours")}
	if errs := f.Validate(); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.SettingsPage(f.view(errs)))
	}
	upd := store.OrgUpdate{Name: &f.Name, InviteLifetimeHours: &f.hours}
	if _, err := h.store.UpdateOrganization(c.Request().Context(), current(c), upd, meta(c)); err != nil {
		return err
	}
	h.flash(c, "Settings saved.")
	return redirect(c, "/settings")
}
