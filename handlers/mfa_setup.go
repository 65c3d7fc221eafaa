package handlers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// Cookie values of an enrollment in progress.
const (
	cookieTOTPSecret = "totp_secret" // the authenticator key being set up (the cookie is encrypted)
	cookieEnroll     = "enroll"      // raw token of the SMS enrollment challenge
)

// SetupChoice offers SMS and the authenticator app.
func (h *Handler) SetupChoice(c echo.Context) error {
	cur := current(c)
	return h.render(c, http.StatusOK, views.SetupChoicePage(cur.Org.MustEnroll(cur.User, h.clock.Now())))
}

// checkPassword asks for the password again before a member who already has two-factor
// authentication changes it. A wrong password counts toward the login backoff.
func (h *Handler) checkPassword(c echo.Context) string {
	cur := current(c)
	if !cur.User.MFAEnabled {
		return ""
	}
	key := "email:" + cur.User.Email
	if wait := h.limiter.Wait(key); wait > 0 {
		return "Too many failed attempts. Try again in " + humanWait(wait) + "."
	}
	if !models.CheckPassword(cur.User.PasswordHash, c.FormValue("password")) {
		h.limiter.Fail(key)
		return "Your current password is incorrect."
	}
	return ""
}

// TOTPSetupForm makes a new authenticator key, kept in the encrypted cookie until confirmed,
// and shows it as a QR code and as text.
func (h *Handler) TOTPSetupForm(c echo.Context) error {
	cur := current(c)
	key, err := models.NewTOTPKey(totpIssuer(cur), cur.User.Email)
	if err != nil {
		return err
	}
	h.browser(c).Values[cookieTOTPSecret] = key.Secret()
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	v, err := totpView(totpIssuer(cur), cur.User.Email, key.Secret(), cur.User.MFAEnabled)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.TOTPSetupPage(v))
}

func totpIssuer(cur *models.Current) string { return "Gatehouse (" + cur.Org.Name + ")" }

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
	v, err := totpView(totpIssuer(cur), cur.User.Email, secret, cur.User.MFAEnabled)
	if err != nil {
		return err
	}
	if msg := h.checkPassword(c); msg != "" {
		v.Error = msg
		return h.render(c, http.StatusUnprocessableEntity, views.TOTPSetupPage(v))
	}
	step, ok := models.MatchTOTP(secret, c.FormValue("code"), h.clock.Now(), 0)
	if !ok {
		v.CodeError = "That code isn't right. Enter the 6-digit code your app shows now; check that your phone's clock is set automatically."
		return h.render(c, http.StatusUnprocessableEntity, views.TOTPSetupPage(v))
	}
	delete(h.browser(c).Values, cookieTOTPSecret)
	return h.confirmFactor(c, store.NewFactor{Kind: models.FactorTOTP, Secret: secret, Step: step})
}

// confirmFactor saves a confirmed factor; the first one comes with recovery codes, shown once.
func (h *Handler) confirmFactor(c echo.Context, nf store.NewFactor) error {
	cur := current(c)
	var codes []string
	if !cur.User.MFAEnabled {
		codes, nf.RecoveryHashes = models.NewRecoveryCodes()
	}
	if _, err := h.store.ConfirmFactor(c.Request().Context(), cur, nf, meta(c)); err != nil {
		return err
	}
	h.log.Info("second factor enrolled", "user", cur.User.ID, "kind", nf.Kind)
	if codes == nil {
		h.flash(c, nf.Kind.Label()+" added.")
		return redirect(c, "/account")
	}
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.RecoveryCodesPage(codes, "/"))
}

// SMSSetupForm asks for the phone number to text codes to.
func (h *Handler) SMSSetupForm(c echo.Context) error {
	if ch := h.enrollChallenge(c); ch != nil && c.QueryParam("sent") == "1" {
		return h.render(c, http.StatusOK, views.SMSSetupPage(h.smsView(c, ch)))
	}
	return h.render(c, http.StatusOK, views.SMSSetupPage(views.SMSSetup{NeedPassword: current(c).User.MFAEnabled}))
}

// enrollChallenge is the live SMS enrollment named by the cookie, or nil.
func (h *Handler) enrollChallenge(c echo.Context) *models.MFAChallenge {
	raw, _ := h.browser(c).Values[cookieEnroll].(string)
	if raw == "" {
		return nil
	}
	ch, err := h.store.FindChallenge(c.Request().Context(), models.HashToken(raw), models.ChallengeEnroll)
	if err != nil || ch.UserID != current(c).User.ID || ch.FactorID == nil {
		return nil
	}
	return ch
}

func (h *Handler) smsView(c echo.Context, ch *models.MFAChallenge) views.SMSSetup {
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
	if msg := h.checkPassword(c); msg != "" {
		v.Error = msg
		return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
	}
	phone, msg := models.NormalizePhone(v.Phone)
	if msg != "" {
		v.PhoneError = msg
		return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
	}
	raw, hash := models.NewToken()
	ch, err := h.store.StartChallenge(c.Request().Context(), cur.User.ID, models.ChallengeEnroll, hash, phone, c.RealIP())
	if err != nil {
		return err
	}
	s := h.browser(c)
	s.Values[cookieEnroll], s.Values["enroll_phone"] = raw, phone
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	if err := h.sendCode(c, ch, phone, &cur.Org.ID); err != nil {
		if msg := models.RefusalMessage(err); msg != "" {
			v.Error = msg
			return h.render(c, http.StatusTooManyRequests, views.SMSSetupPage(v))
		}
		return err
	}
	return redirect(c, "/mfa/setup/sms?sent=1")
}

// SMSResend texts a new code for the enrollment in progress.
func (h *Handler) SMSResend(c echo.Context) error {
	ch := h.enrollChallenge(c)
	if ch == nil {
		return redirect(c, "/mfa/setup/sms")
	}
	phone, _ := h.browser(c).Values["enroll_phone"].(string)
	if err := h.sendCode(c, ch, phone, &current(c).Org.ID); err != nil {
		if msg := models.RefusalMessage(err); msg != "" {
			v := h.smsView(c, ch)
			v.Error = msg
			return h.render(c, http.StatusTooManyRequests, views.SMSSetupPage(v))
		}
		if errors.Is(err, models.ErrGone) {
			return redirect(c, "/mfa/setup/sms")
		}
		return err
	}
	h.flash(c, "We sent a new code.")
	return redirect(c, "/mfa/setup/sms?sent=1")
}

// SMSVerify confirms the phone with the texted code.
func (h *Handler) SMSVerify(c echo.Context) error {
	ch := h.enrollChallenge(c)
	if ch == nil {
		h.flash(c, "That attempt has expired. Enter your number again.")
		return redirect(c, "/mfa/setup/sms")
	}
	err := h.store.CheckChallengeCode(c.Request().Context(), ch.ID, models.HashCode(ch.TokenHash, models.NormalizeCode(c.FormValue("code"))))
	if errors.Is(err, models.ErrGone) {
		h.flash(c, "Too many wrong codes. Enter your number again to get a new one.")
		return redirect(c, "/mfa/setup/sms")
	}
	if msg := models.RefusalMessage(err); msg != "" {
		v := h.smsView(c, ch)
		v.CodeError = msg
		return h.render(c, http.StatusUnprocessableEntity, views.SMSSetupPage(v))
	}
	if err != nil {
		return err
	}
	if err := h.store.EndChallenge(c.Request().Context(), ch.ID); err != nil {
		return err
	}
	s := h.browser(c)
	delete(s.Values, cookieEnroll)
	delete(s.Values, "enroll_phone")
	return h.confirmFactor(c, store.NewFactor{Kind: models.FactorSMS, FactorID: *ch.FactorID})
}
