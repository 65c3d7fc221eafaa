package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

func parseSetupForm(c echo.Context) models.SetupRequest {
	return models.SetupRequest{
		Token:     c.FormValue("token"),
		OrgName:   c.FormValue("org_name"),
		FirstName: c.FormValue("first_name"),
		LastName:  c.FormValue("last_name"),
		Email:     models.NormalizeEmail(c.FormValue("email")),
		Password:  c.FormValue("password"),
		Confirm:   c.FormValue("confirm_password"),
	}
}

func setupView(f models.SetupRequest, errs models.FieldErrors) views.SetupForm {
	return views.SetupForm{Token: f.Token, OrgName: f.OrgName, FirstName: f.FirstName, LastName: f.LastName, Email: f.Email, Errors: errs}
}

// setupLinkError is the page for a setup link that no longer works, or nil.
func setupLinkError(err error) error {
	switch {
	case errors.Is(err, app.ErrSetupDone):
		e := pageError(http.StatusGone, "Gatehouse is already set up", "This setup link has been used and the first Owner exists. Log in instead.")
		e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
		return e
	case errors.Is(err, models.ErrGone):
		return pageError(http.StatusGone, "This setup link no longer works",
			"Setup links work once and expire after "+strconv.Itoa(int(models.SetupLinkLifetime/time.Hour))+" hours. Restart Gatehouse and use the new link it prints in its log.")
	}
	return err
}

// SetupForm shows the first-run page reached through the link printed at startup.
func (h *Handler) SetupForm(c echo.Context) error {
	token := c.QueryParam("token")
	if err := h.app.CheckSetupToken(c.Request().Context(), token); err != nil {
		return setupLinkError(err)
	}
	return h.render(c, http.StatusOK, views.SetupPage(setupView(models.SetupRequest{Token: token}, nil)))
}

// Setup creates the organization and its first Owner, then sends them to log in.
func (h *Handler) Setup(c echo.Context) error {
	f := parseSetupForm(c)
	_, err := h.app.CompleteSetup(c.Request().Context(), f, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.render(c, http.StatusUnprocessableEntity, views.SetupPage(setupView(f, errs)))
	}
	if err != nil {
		return setupLinkError(err)
	}
	h.flash(c, "Your Owner account is ready. Log in to continue.")
	return redirect(c, "/login")
}
