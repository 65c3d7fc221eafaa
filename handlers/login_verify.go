package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// Cookie values of a login between its password and its second step.
const (
	cookieMFA  = "mfa"  // raw token of the login challenge
	cookieNext = "next" // where the login goes once verified
)

// loginChallenge is the pending second step named by the cookie, or models.ErrGone.
func (h *Handler) loginChallenge(c echo.Context) (*app.LoginChallenge, error) {
	raw, _ := h.browser(c).Values[cookieMFA].(string)
	return h.app.FindLoginChallenge(c.Request().Context(), raw)
}

// restart sends a browser whose second step is gone back to the login page.
func (h *Handler) restart(c echo.Context, why string) error {
	s := h.browser(c)
	delete(s.Values, cookieMFA)
	s.AddFlash(warnPrefix + why)
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

const expiredAttempt = "Your sign-in attempt has expired. Log in again."

func verifyView(lc *app.LoginChallenge, method string) views.VerifyView {
	v := views.VerifyView{Method: lc.Method(method), HasTOTP: len(lc.TOTP) > 0, CodeSent: lc.Challenge.CodeHash != nil}
	if lc.SMS != nil {
		v.Phone = models.MaskPhone(lc.SMS.Phone)
	}
	return v
}

// VerifyForm shows the second step: authenticator code, SMS code or recovery code.
func (h *Handler) VerifyForm(c echo.Context) error {
	lc, err := h.loginChallenge(c)
	if errors.Is(err, models.ErrGone) {
		return h.restart(c, expiredAttempt)
	}
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.VerifyPage(verifyView(lc, c.QueryParam("method"))))
}

// SendLoginCode texts a code to the member's phone for this login attempt.
func (h *Handler) SendLoginCode(c echo.Context) error {
	raw, _ := h.browser(c).Values[cookieMFA].(string)
	lc, err := h.app.SendLoginCode(c.Request().Context(), raw, meta(c))
	if errors.Is(err, models.ErrGone) {
		return h.restart(c, expiredAttempt)
	}
	if msg := models.RefusalMessage(err); msg != "" {
		v := verifyView(lc, "sms")
		v.Error = msg
		return h.render(c, http.StatusTooManyRequests, views.VerifyPage(v))
	}
	if err != nil {
		return err
	}
	if lc.SMS == nil {
		return redirect(c, "/login/verify")
	}
	return redirect(c, "/login/verify?method=sms")
}

// Verify checks the second factor and, when it is right, starts the session. Wrong codes
// count toward the account's and the address's login backoff.
func (h *Handler) Verify(c echo.Context) error {
	s := h.browser(c)
	raw, _ := s.Values[cookieMFA].(string)
	old, _ := s.Values[cookieSID].(string)
	req := models.SecondStepRequest{Method: c.FormValue("method"), Code: c.FormValue("code")}
	out, err := h.app.VerifySecondStep(c.Request().Context(), raw, req, old, meta(c))
	var wait *app.WaitError
	switch {
	case errors.Is(err, models.ErrGone):
		return h.restart(c, expiredAttempt)
	case errors.Is(err, app.ErrTooManyCodes):
		return h.restart(c, "Too many wrong codes. Log in again to get a new one.")
	case errors.As(err, &wait):
		v := verifyView(out.Challenge, req.Method)
		v.Error = wait.Error()
		return h.render(c, http.StatusTooManyRequests, views.VerifyPage(v))
	case models.RefusalMessage(err) != "":
		v := verifyView(out.Challenge, req.Method)
		v.Error = models.RefusalMessage(err)
		return h.render(c, http.StatusUnprocessableEntity, views.VerifyPage(v))
	case err != nil:
		return err
	}
	if err := h.setSession(c, out.SessionToken, out.OrgID, out.Challenge.User.Email); err != nil {
		return err
	}
	next, _ := s.Values[cookieNext].(string)
	delete(s.Values, cookieMFA)
	delete(s.Values, cookieNext)
	if out.Method == "recovery" {
		flash := fmt.Sprintf("You logged in with a recovery code. You have %d left.", out.RecoveryLeft)
		if out.RecoveryLeft <= 3 {
			flash += " Make new ones on your Account page."
		}
		s.AddFlash(flash)
	}
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return redirect(c, h.landing(c, out.OrgID, next, true))
}
