package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// setupForm is the first-run form: the organization and its first Owner.
type setupForm struct {
	Token, OrgName, FirstName, LastName, Email, Password, Confirm string
}

func parseSetupForm(c echo.Context) setupForm {
	return setupForm{
		Token:     c.FormValue("token"),
		OrgName:   c.FormValue("org_name"),
		FirstName: c.FormValue("first_name"),
		LastName:  c.FormValue("last_name"),
		Email:     models.NormalizeEmail(c.FormValue("email")),
		Password:  c.FormValue("password"),
		Confirm:   c.FormValue("confirm_password"),
	}
}

// Validate cleans the text fields in place and returns what is wrong with them.
func (f *setupForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	f.OrgName = models.RequiredText(errs, "org_name", f.OrgName, models.MaxOrgNameLen, "Organization name", "Enter your organization's name.")
	f.FirstName, f.LastName = models.ValidateNames(errs, f.FirstName, f.LastName)
	if msg := models.ValidateEmail(f.Email); msg != "" {
		errs.Add("email", msg)
	}
	if msg := models.ValidatePassword(f.Password, f.Email); msg != "" {
		errs.Add("password", msg)
	} else if f.Confirm != f.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}

func (f setupForm) view(errs models.FieldErrors) views.SetupForm {
	return views.SetupForm{Token: f.Token, OrgName: f.OrgName, FirstName: f.FirstName, LastName: f.LastName, Email: f.Email, Errors: errs}
}

// checkSetupLink returns an error page unless token is a live setup link on a database without users.
func (h *Handler) checkSetupLink(c echo.Context, token string) error {
	ctx := c.Request().Context()
	n, err := h.store.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		e := pageError(http.StatusGone, "Gatehouse is already set up", "This setup link has been used and the first Owner exists. Log in instead.")
		e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
		return e
	}
	if err := h.store.CheckSetupToken(ctx, token); errors.Is(err, models.ErrGone) {
		return pageError(http.StatusGone, "This setup link no longer works",
			"Setup links work once and expire after 24 hours. Restart Gatehouse and use the new link it prints in its log.")
	} else if err != nil {
		return err
	}
	return nil
}

// SetupForm shows the first-run page reached through the link printed at startup.
func (h *Handler) SetupForm(c echo.Context) error {
	token := c.QueryParam("token")
	if err := h.checkSetupLink(c, token); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.SetupPage(setupForm{Token: token}.view(nil)))
}

// Setup creates the organization and its first Owner, then sends them to log in.
func (h *Handler) Setup(c echo.Context) error {
	f := parseSetupForm(c)
	if err := h.checkSetupLink(c, f.Token); err != nil {
		return err
	}
	if errs := f.Validate(); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.SetupPage(f.view(errs)))
	}
	in := store.SetupInput{OrgName: f.OrgName, FirstName: f.FirstName, LastName: f.LastName, Email: f.Email,
		PasswordHash: models.HashPassword(f.Password)}
	user, err := h.store.CompleteSetup(c.Request().Context(), f.Token, in, meta(c))
	if errors.Is(err, models.ErrGone) {
		return h.checkSetupLink(c, f.Token)
	}
	if err != nil {
		return err
	}
	h.log.Info("setup completed", "user", user.ID)
	h.flash(c, "Your Owner account is ready. Log in to continue.")
	return redirect(c, "/login")
}
