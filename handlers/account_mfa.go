package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// accountMFA is the two-factor section of the Account page.
func (h *Handler) accountMFA(c echo.Context) (views.AccountMFA, error) {
	ctx := c.Request().Context()
	cur := current(c)
	factors, err := h.store.FindFactors(ctx, cur.User.ID)
	if err != nil {
		return views.AccountMFA{}, err
	}
	v := views.AccountMFA{Policy: cur.Org.MFAPolicy}
	for _, f := range factors {
		label := f.Kind.Label()
		if f.Phone != "" {
			label += " to " + models.MaskPhone(f.Phone)
		}
		v.Factors = append(v.Factors, views.MFAFactorView{ID: f.ID, Kind: f.Kind, Label: label, Added: f.CreatedAt.Format("2 Jan 2006")})
	}
	if len(factors) > 0 {
		if v.RecoveryLeft, err = h.store.CountRecoveryCodes(ctx, cur.User.ID); err != nil {
			return views.AccountMFA{}, err
		}
	}
	return v, nil
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
	cur := current(c)
	if msg := h.checkPassword(c); msg != "" {
		return h.mfaError(c, http.StatusUnprocessableEntity, msg)
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	err = h.store.RemoveFactor(c.Request().Context(), cur, id, cur.Org.MFAPolicy == models.MFARequired, meta(c))
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
	cur := current(c)
	if !cur.User.MFAEnabled {
		return redirect(c, "/account")
	}
	if msg := h.checkPassword(c); msg != "" {
		return h.mfaError(c, http.StatusUnprocessableEntity, msg)
	}
	codes, hashes := models.NewRecoveryCodes()
	if err := h.store.ReplaceRecoveryCodes(c.Request().Context(), cur, hashes, meta(c)); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.RecoveryCodesPage(codes, "/account"))
}
