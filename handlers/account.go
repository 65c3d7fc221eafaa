package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// accountView builds the Account page around the two forms.
func (h *Handler) accountView(c echo.Context, profile views.ProfileForm, pw views.PasswordForm) (views.AccountView, error) {
	cur := current(c)
	acc, err := h.app.FindAccount(c.Request().Context(), cur)
	if err != nil {
		return views.AccountView{}, err
	}
	return views.AccountView{Email: cur.User.Email, Profile: profile, Password: pw, Sessions: acc.Sessions, MFA: mfaView(cur, acc.MFA),
		CurrentSessionID: cur.Session.ID, Now: h.clock.Now()}, nil
}

func (h *Handler) renderAccount(c echo.Context, status int, profile views.ProfileForm, pw views.PasswordForm) error {
	v, err := h.accountView(c, profile, pw)
	if err != nil {
		return err
	}
	return h.render(c, status, views.AccountPage(v))
}

func profileOf(u models.User) views.ProfileForm {
	return views.ProfileForm{FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone}
}

// Account shows the member's own account page.
func (h *Handler) Account(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, profileOf(current(c).User), views.PasswordForm{})
}

// SaveProfile changes the member's own name and phone.
func (h *Handler) SaveProfile(c echo.Context) error {
	req := models.ProfileRequest{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), Phone: c.FormValue("phone")}
	err := h.app.UpdateProfile(c.Request().Context(), current(c), &req, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderAccount(c, http.StatusUnprocessableEntity,
			views.ProfileForm{FirstName: req.FirstName, LastName: req.LastName, Phone: req.Phone, Errors: errs}, views.PasswordForm{})
	}
	if err != nil {
		return err
	}
	return h.done(c, "Profile saved.", "/account")
}

// ChangePassword sets a new password after checking the current one, then ends every other
// session of the member.
func (h *Handler) ChangePassword(c echo.Context) error {
	cur := current(c)
	req := models.PasswordChangeRequest{Current: c.FormValue("current_password"), New: c.FormValue("new_password"), Confirm: c.FormValue("confirm_password")}
	err := h.app.ChangePassword(c.Request().Context(), cur, req, meta(c))
	var wait *app.WaitError
	if errors.As(err, &wait) {
		errs := models.FieldErrors{"current_password": wait.Error()}
		return h.renderAccount(c, http.StatusTooManyRequests, profileOf(cur.User), views.PasswordForm{Errors: errs})
	}
	if errs, ok := fieldErrors(err); ok {
		return h.renderAccount(c, http.StatusUnprocessableEntity, profileOf(cur.User), views.PasswordForm{Errors: errs})
	}
	if err != nil {
		return err
	}
	// A token that may have been read along with the old password is not kept either.
	h.browser(c).Values[cookieCSRF] = randomToken()
	return h.done(c, "Password changed. Your other sessions have been signed out.", "/account")
}

// EndSession signs out one of the member's other sessions. A session of anyone else is not found.
func (h *Handler) EndSession(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := h.app.EndSession(c.Request().Context(), current(c), id, meta(c)); err != nil {
		return err
	}
	return h.done(c, "Session signed out.", "/account")
}

// EndOtherSessions signs out every session of the member but this one.
func (h *Handler) EndOtherSessions(c echo.Context) error {
	n, err := h.app.EndOtherSessions(c.Request().Context(), current(c), meta(c))
	if err != nil {
		return err
	}
	msg := "You were not logged in anywhere else."
	switch {
	case n == 1:
		msg = "Signed out 1 other session."
	case n > 1:
		msg = "Signed out " + strconv.FormatInt(n, 10) + " other sessions."
	}
	return h.done(c, msg, "/account")
}
