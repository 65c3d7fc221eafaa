package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// ForgotPasswordForm asks for the email to send a reset link to.
func (h *Handler) ForgotPasswordForm(c echo.Context) error {
	return h.render(c, http.StatusOK, views.ForgotPasswordPage(views.ForgotPasswordForm{}))
}

// ForgotPassword emails a reset link to the account with the given email, if there is one.
// The answer is the same page, status and text either way.
func (h *Handler) ForgotPassword(c echo.Context) error {
	req := models.ForgotPasswordRequest{Email: c.FormValue("email")}
	err := h.app.RequestPasswordReset(c.Request().Context(), &req, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.render(c, http.StatusUnprocessableEntity, views.ForgotPasswordPage(views.ForgotPasswordForm{Email: req.Email, Errors: errs}))
	}
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.ResetLinkSentPage(req.Email))
}

// resetEmail returns the account email of the live link named by :token, or the 410 page.
func (h *Handler) resetEmail(c echo.Context) (string, error) {
	email, err := h.app.FindPasswordReset(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrGone) {
		return "", resetLinkGone()
	}
	return email, err
}

// resetLinkGone is the page for an unknown, used, replaced or expired reset link. Which of
// these it is stays unsaid: an unknown link must look like any other dead one.
func resetLinkGone() error {
	e := pageError(http.StatusGone, "This reset link no longer works",
		"Password reset links work once, for 1 hour, and only the newest one sent to an address works. Ask for a new link.")
	e.Info.Action = views.MenuItem{Label: "Ask for a new link", Href: "/forgot-password"}
	return e
}

// ResetPasswordForm shows the "Set a new password" form for a live reset link.
func (h *Handler) ResetPasswordForm(c echo.Context) error {
	email, err := h.resetEmail(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.ResetPasswordPage(views.ResetPasswordForm{Token: c.Param("token"), Email: email}))
}

// ResetPassword sets the new password and ends every session of the account, then sends the
// browser to log in: a reset never logs anybody in, so the second step is never skipped.
func (h *Handler) ResetPassword(c echo.Context) error {
	req := models.ResetPasswordRequest{Token: c.Param("token"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm_password")}
	user, err := h.app.ResetPassword(c.Request().Context(), req, meta(c))
	if errors.Is(err, models.ErrGone) {
		return resetLinkGone()
	}
	if errs, ok := fieldErrors(err); ok {
		email, err := h.resetEmail(c)
		if err != nil {
			return err
		}
		return h.render(c, http.StatusUnprocessableEntity, views.ResetPasswordPage(views.ResetPasswordForm{Token: req.Token, Email: email, Errors: errs}))
	}
	if err != nil {
		return err
	}
	if cur := current(c); cur != nil && cur.User.ID == user.ID {
		h.forget(c, "") // the reset has ended this browser's session with the others
	}
	h.flash(c, "Your password has been changed. Log in with your new password.")
	return redirect(c, "/login")
}
