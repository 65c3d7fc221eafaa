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
	MFAPolicy           models.MFAPolicy
	MFAGraceDays        string
	hours, graceDays    int
}

// Validate cleans the fields and parses the lifetime.
func (f *settingsForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	f.Name = models.RequiredText(errs, "name", f.Name, models.MaxOrgNameLen, "Organization name", "Enter the organization's name.")
	n, err := strconv.Atoi(strings.TrimSpace(f.InviteLifetimeHours))
	if err != nil || n < models.MinInviteLifetimeHours || n > models.MaxInviteLifetimeHours {
		errs.Add("invite_lifetime_hours", "Enter a whole number of hours from 1 to 720 (30 days).")
	}
	f.hours = n
	if !f.MFAPolicy.Valid() {
		errs.Add("mfa_policy", "Choose a two-factor policy from the list.")
	}
	g, err := strconv.Atoi(strings.TrimSpace(f.MFAGraceDays))
	if err != nil || g < 0 || g > models.MaxMFAGraceDays {
		errs.Add("mfa_grace_days", "Enter a whole number of days from 0 to 30.")
	}
	f.graceDays = g
	return errs
}

func (f settingsForm) view(errs models.FieldErrors) views.SettingsForm {
	return views.SettingsForm{Name: f.Name, InviteLifetimeHours: f.InviteLifetimeHours, MFAPolicy: f.MFAPolicy,
		MFAGraceDays: f.MFAGraceDays, Errors: errs}
}

// Settings shows the organization settings.
func (h *Handler) Settings(c echo.Context) error {
	org := current(c).Org
	f := settingsForm{Name: org.Name, InviteLifetimeHours: strconv.Itoa(org.InviteLifetimeHours), MFAPolicy: org.MFAPolicy,
		MFAGraceDays: strconv.Itoa(org.MFAGraceDays)}
	return h.render(c, http.StatusOK, views.SettingsPage(f.view(nil)))
}

// SaveSettings changes the organization settings.
func (h *Handler) SaveSettings(c echo.Context) error {
	org := current(c).Org
	f := settingsForm{Name: c.FormValue("name"), InviteLifetimeHours: c.FormValue("invite_lifetime_hours"),
		MFAPolicy: models.MFAPolicy(c.FormValue("mfa_policy")), MFAGraceDays: c.FormValue("mfa_grace_days")}
	// A form without the MFA fields (an older page, a script) leaves them as they are.
	if f.MFAPolicy == "" {
		f.MFAPolicy = org.MFAPolicy
	}
	if f.MFAGraceDays == "" {
		f.MFAGraceDays = strconv.Itoa(org.MFAGraceDays)
	}
	if errs := f.Validate(); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.SettingsPage(f.view(errs)))
	}
	upd := store.OrgUpdate{Name: &f.Name, InviteLifetimeHours: &f.hours, MFAPolicy: &f.MFAPolicy, MFAGraceDays: &f.graceDays}
	if _, err := h.store.UpdateOrganization(c.Request().Context(), current(c), upd, meta(c)); err != nil {
		return err
	}
	h.flash(c, "Settings saved.")
	return redirect(c, "/settings")
}
