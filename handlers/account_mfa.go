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

// mfaView is the two-factor section of the Account page.
func mfaView(cur *models.Current, mfa *app.AccountMFA) views.AccountMFA {
	v := views.AccountMFA{Policy: cur.Org.MFAPolicy, RecoveryLeft: mfa.RecoveryLeft}
	for _, f := range mfa.Factors {
		label := f.Kind.Label()
		if f.Phone != "" {
			label += " to " + models.MaskPhone(f.Phone)
		}
		v.Factors = append(v.Factors, views.MFAFactorView{ID: f.ID, Kind: f.Kind, Label: label, Added: f.CreatedAt.Format("2 Jan 2006")})
	}
	return v
}

// mfaError shows the Account page with a message in its two-factor section.
func (h *Handler) mfaError(c echo.Context, status int, msg string) error {
	v, err := h.accountView(c, profileOf(current(c).User), views.PasswordForm{})
	if err != nil {
		return err
	}
	v.MFA.Error = msg
	return h.render(c, status, views.AccountPage(v))
}

// RemoveFactor removes one of the member's second factors, after the password.
func (h *Handler) RemoveFactor(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		id = 0 // no factor has it: not found, after the password check
	}
	err = h.app.RemoveFactor(c.Request().Context(), current(c), id, c.FormValue("password"), meta(c))
	var pw *app.PasswordError
	if errors.As(err, &pw) {
		return h.mfaError(c, http.StatusUnprocessableEntity, pw.Msg)
	}
	if msg := models.RefusalMessage(err); msg != "" {
		return h.mfaError(c, http.StatusConflict, msg)
	}
	if err != nil {
		return err
	}
	return h.done(c, "Two-factor method removed.", "/account")
}

// RegenerateRecoveryCodes replaces the member's recovery codes and shows the new ones once.
func (h *Handler) RegenerateRecoveryCodes(c echo.Context) error {
	codes, err := h.app.RegenerateRecoveryCodes(c.Request().Context(), current(c), c.FormValue("password"), meta(c))
	if msg := models.RefusalMessage(err); msg != "" {
		return h.mfaError(c, http.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	if codes == nil {
		return redirect(c, "/account")
	}
	return h.render(c, http.StatusOK, views.RecoveryCodesPage(codes, "/account"))
}
