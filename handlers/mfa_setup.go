package handlers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// Cookie values of an enrollment in progress.
const (
	cookieTOTPSecret = "totp_secret" // the authenticator key being set up (the cookie is encrypted)
	cookieEnroll     = "enroll"      // raw token of the SMS enrollment challenge
)

// SetupChoice offers the authenticator app, and SMS when a text message provider is configured.
func (h *Handler) SetupChoice(c echo.Context) error {
	cur := current(c)
	return h.render(c, http.StatusOK, views.SetupChoicePage(cur.Org.MustEnroll(cur.User, h.clock.Now()), h.app.SMSOffered()))
}

// TOTPSetupForm makes a new authenticator key, kept in the encrypted cookie until confirmed,
// and shows it as a QR code and as text.
func (h *Handler) TOTPSetupForm(c echo.Context) error {
	cur := current(c)
	en, err := h.app.StartTOTPEnrollment(c.Request().Context(), cur)
	if err != nil {
		return err
	}
	h.browser(c).Values[cookieTOTPSecret] = en.Secret
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	v, err := totpView(en.Issuer, en.Account, en.Secret, cur.User.MFAEnabled)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.TOTPSetupPage(v))
}

// totpView shows the key as a QR code of its otpauth:// URL and as text.
func totpView(issuer, account, secret string, needPassword bool) (views.TOTPSetup, error) {
	key, err := otp.NewKeyFromURL(models.TOTPURL(issuer, account, secret))
	if err != nil {
		return views.TOTPSetup{}, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return views.TOTPSetup{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return views.TOTPSetup{}, err
	}
	return views.TOTPSetup{QRDataURI: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
		Secret: secret, NeedPassword: needPassword}, nil
}

// TOTPSetup confirms the authenticator key with a code from the app.
func (h *Handler) TOTPSetup(c echo.Context) error {
	cur := current(c)
	secret, _ := h.browser(c).Values[cookieTOTPSecret].(string)
	if secret == "" {
		return redirect(c, "/mfa/setup/app")
	}
	req := models.TOTPConfirmRequest{Secret: secret, Code: c.FormValue("code"), Password: c.FormValue("password")}
	en, err := h.app.ConfirmTOTP(c.Request().Context(), cur, req, meta(c))
	if err != nil {
		fe, isField := fieldErrors(err)
		msg := models.RefusalMessage(err)
		if !isField && msg == "" {
			return err
		}
		v, verr := totpView(app.TOTPIssuer(cur), cur.User.Email, secret, cur.User.MFAEnabled)
		if verr != nil {
			return verr
		}
		v.Error, v.CodeError = msg, fe["code"]
		return h.render(c, http.StatusUnprocessableEntity, views.TOTPSetupPage(v))
	}
	delete(h.browser(c).Values, cookieTOTPSecret)
	return h.enrolled(c, en)
}

// enrolled shows the recovery codes of a first factor once, or goes back to the Account page.
func (h *Handler) enrolled(c echo.Context, en *app.Enrolled) error {
	if en.RecoveryCodes == nil {
		h.flash(c, en.Factor.Kind.Label()+" added.")
		return redirect(c, "/account")
	}
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.RecoveryCodesPage(en.RecoveryCodes, "/"))
}

// enrollChallenge is the live SMS enrollment named by the cookie, or nil; app.ErrNoSMS
// (404) without a text message provider.
func (h *Handler) enrollChallenge(c echo.Context) (*models.MFAChallenge, error) {
	raw, _ := h.browser(c).Values[cookieEnroll].(string)
	return h.app.FindSMSEnrollment(c.Request().Context(), current(c), raw)
}

// SMSSetupForm asks for the phone number to text codes to.
func (h *Handler) SMSSetupForm(c echo.Context) error {
	ch, err := h.enrollChallenge(c)
	if err != nil {
		return err
	}
	if ch != nil && c.QueryParam("sent") == "1" {
		return h.render(c, http.StatusOK, views.SMSSetupPage(h.smsView(c)))
	}
	return h.render(c, http.StatusOK, views.SMSSetupPage(views.SMSSetup{NeedPassword: current(c).User.MFAEnabled}))
}

func (h *Handler) smsView(c echo.Context) views.SMSSetup {
	v := views.SMSSetup{CodeSent: true}
	if phone, _ := h.browser(c).Values["enroll_phone"].(string); phone != "" {
		v.Masked = models.MaskPhone(phone)
	}
	return v
}

// SMSSetup checks the number, starts the enrollment and texts the first code.
func (h *Handler) SMSSetup(c echo.Context) error {
	cur := current(c)
	v := views.SMSSetup{Phone: c.FormValue("phone"), NeedPassword: cur.User.MFAEnabled}
	en, err := h.app.StartSMSEnrollment(c.Request().Context(), cur, models.SMSEnrollRequest{Phone: v.Phone, Password: c.FormValue("password")}, meta(c))
	var capped *app.SMSCapError
	switch {
	case errors.As(err, &capped):
		v.PhoneError = capped.Msg
		return h.render(c, http.StatusTooManyRequests, views.SMSSetupPage(v))
	case err != nil:
		if fe, ok := fieldErrors(err); ok {
			v.PhoneError = fe["phone"]
			return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
		}
		var pw *app.PasswordError
		if errors.As(err, &pw) {
			v.Error = pw.Msg
			return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
		}
		if msg := models.RefusalMessage(err); msg != "" {
			v.Error = msg
			return h.render(c, http.StatusTooManyRequests, views.SMSSetupPage(v))
		}
		return err
	}
	s := h.browser(c)
	s.Values[cookieEnroll], s.Values["enroll_phone"] = en.Token, en.Phone
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return redirect(c, "/mfa/setup/sms?sent=1")
}

// SMSResend texts a new code for the enrollment in progress.
func (h *Handler) SMSResend(c echo.Context) error {
	s := h.browser(c)
	raw, _ := s.Values[cookieEnroll].(string)
	phone, _ := s.Values["enroll_phone"].(string)
	err := h.app.ResendSMS(c.Request().Context(), current(c), raw, phone, meta(c))
	if errors.Is(err, models.ErrGone) {
		return redirect(c, "/mfa/setup/sms")
	}
	if msg := models.RefusalMessage(err); msg != "" {
		v := h.smsView(c)
		v.Error = msg
		return h.render(c, http.StatusTooManyRequests, views.SMSSetupPage(v))
	}
	if err != nil {
		return err
	}
	h.flash(c, "We sent a new code.")
	return redirect(c, "/mfa/setup/sms?sent=1")
}

// SMSVerify confirms the phone with the texted code.
func (h *Handler) SMSVerify(c echo.Context) error {
	s := h.browser(c)
	raw, _ := s.Values[cookieEnroll].(string)
	en, err := h.app.VerifySMS(c.Request().Context(), current(c), raw, c.FormValue("code"), meta(c))
	switch {
	case errors.Is(err, models.ErrGone):
		h.flash(c, "That attempt has expired. Enter your number again.")
		return redirect(c, "/mfa/setup/sms")
	case errors.Is(err, app.ErrTooManyCodes):
		h.flash(c, "Too many wrong codes. Enter your number again to get a new one.")
		return redirect(c, "/mfa/setup/sms")
	case models.RefusalMessage(err) != "":
		v := h.smsView(c)
		v.CodeError = models.RefusalMessage(err)
		return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
	case err != nil:
		return err
	}
	delete(s.Values, cookieEnroll)
	delete(s.Values, "enroll_phone")
	return h.enrolled(c, en)
}
