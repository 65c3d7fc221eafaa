package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

func settingsView(r models.SettingsRequest, errs models.FieldErrors) views.SettingsForm {
	return views.SettingsForm{Name: r.Name, InviteLifetimeHours: r.InviteLifetimeHours, MFAPolicy: r.MFAPolicy,
		MFAGraceDays: r.MFAGraceDays, InviteQuota: r.InviteQuota, Errors: errs}
}

// Settings shows the organization settings.
func (h *Handler) Settings(c echo.Context) error {
	org := current(c).Org
	r := models.SettingsRequest{Name: org.Name, InviteLifetimeHours: strconv.Itoa(org.InviteLifetimeHours), MFAPolicy: org.MFAPolicy,
		MFAGraceDays: strconv.Itoa(org.MFAGraceDays), InviteQuota: strconv.Itoa(org.InviteQuota)}
	return h.settingsPage(c, http.StatusOK, settingsView(r, nil), nil, nil)
}

// SaveSettings changes the organization settings.
func (h *Handler) SaveSettings(c echo.Context) error {
	org := current(c).Org
	r := models.SettingsRequest{Name: c.FormValue("name"), InviteLifetimeHours: c.FormValue("invite_lifetime_hours"),
		MFAPolicy: models.MFAPolicy(c.FormValue("mfa_policy")), MFAGraceDays: c.FormValue("mfa_grace_days"),
		InviteQuota: c.FormValue("invite_quota")}
	// A form without the MFA fields (an older page, a script) leaves them as they are.
	if r.MFAPolicy == "" {
		r.MFAPolicy = org.MFAPolicy
	}
	if r.InviteQuota == "" {
		r.InviteQuota = strconv.Itoa(org.InviteQuota)
	}
	if r.MFAGraceDays == "" {
		r.MFAGraceDays = strconv.Itoa(org.MFAGraceDays)
	}
	_, err := h.app.UpdateSettings(c.Request().Context(), current(c), r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.settingsPage(c, http.StatusUnprocessableEntity, settingsView(r, errs), nil, nil)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Settings saved.")
	return redirect(c, "/settings")
}
