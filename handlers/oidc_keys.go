package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/views"
)

const rotateKeyPath = views.RotateKeyPath

// ConfirmRotateKey asks an Owner to confirm rotating the OpenID Connect signing key.
func (h *Handler) ConfirmRotateKey(c echo.Context) error {
	return h.renderDialog(c, http.StatusOK, views.RotateKeyDialog())
}

// RotateKey rotates the OpenID Connect signing key.
func (h *Handler) RotateKey(c echo.Context) error {
	res, err := h.app.RotateSigningKey(c.Request().Context(), current(c), meta(c))
	if err != nil {
		return err
	}
	return h.done(c, "Signing key rotated: new key "+res.KeyID+". The old key stays published for a day.", "/apps")
}
