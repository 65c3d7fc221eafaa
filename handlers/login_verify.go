package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/mail"
	"gatehouse/models"
	"gatehouse/views"
)

// Cookie values of a login between its password and its second step.
const (
	cookieMFA  = "mfa"  // raw token of the login challenge
	cookieNext = "next" // where the login goes once verified
)

// beginSecondStep starts the second step for a user whose password was right: a challenge on
// the server, its token in the cookie. No session exists until the second step succeeds.
func (h *Handler) beginSecondStep(c echo.Context, user *models.User, next string) error {
	raw, hash := models.NewToken()
	if _, err := h.store.StartChallenge(c.Request().Context(), user.ID, models.ChallengeLogin, hash, "", c.RealIP()); err != nil {
		return err
	}
	s := h.browser(c)
	s.Values[cookieMFA], s.Values[cookieNext] = raw, next
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	return redirect(c, "/login/verify")
}

// loginChallenge is the pending second step named by the cookie, with its user and factors.
type loginChallenge struct {
	ch      *models.MFAChallenge
	user    *models.User
	totp    []models.MFAFactor
	sms     *models.MFAFactor
	expired bool
}

func (h *Handler) loginChallenge(c echo.Context) (*loginChallenge, error) {
	raw, _ := h.browser(c).Values[cookieMFA].(string)
	lc := &loginChallenge{}
	if raw == "" {
		lc.expired = true
		return lc, nil
	}
	ctx := c.Request().Context()
	ch, err := h.store.FindChallenge(ctx, models.HashToken(raw), models.ChallengeLogin)
	if errors.Is(err, models.ErrGone) {
		lc.expired = true
		return lc, nil
	}
	if err != nil {
		return nil, err
	}
	lc.ch = ch
	if lc.user, err = h.store.FindUser(ctx, ch.UserID); err != nil {
		return nil, err
	}
	factors, err := h.store.FindFactors(ctx, ch.UserID)
	if err != nil {
		return nil, err
	}
	for i, f := range factors {
		switch f.Kind {
		case models.FactorTOTP:
			lc.totp = append(lc.totp, f)
		case models.FactorSMS:
			if lc.sms == nil {
				lc.sms = &factors[i]
			}
		}
	}
	return lc, nil
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

func (lc *loginChallenge) view(method string) views.VerifyView {
	v := views.VerifyView{Method: method, HasTOTP: len(lc.totp) > 0, CodeSent: lc.ch.CodeHash != nil}
	if lc.sms != nil {
		v.Phone = models.MaskPhone(lc.sms.Phone)
	}
	switch {
	case method == "recovery":
	case method == "sms" && lc.sms != nil:
	case method == "totp" && v.HasTOTP:
	case v.HasTOTP:
		v.Method = "totp"
	case lc.sms != nil:
		v.Method = "sms"
	default:
		v.Method = "recovery"
	}
	return v
}

// VerifyForm shows the second step: authenticator code, SMS code or recovery code.
func (h *Handler) VerifyForm(c echo.Context) error {
	lc, err := h.loginChallenge(c)
	if err != nil {
		return err
	}
	if lc.expired {
		return h.restart(c, expiredAttempt)
	}
	return h.render(c, http.StatusOK, views.VerifyPage(lc.view(c.QueryParam("method"))))
}

// SendLoginCode texts a code to the member's phone for this login attempt.
func (h *Handler) SendLoginCode(c echo.Context) error {
	lc, err := h.loginChallenge(c)
	if err != nil {
		return err
	}
	if lc.expired {
		return h.restart(c, expiredAttempt)
	}
	if lc.sms == nil {
		return redirect(c, "/login/verify")
	}
	if err := h.sendCode(c, lc.ch, lc.sms.Phone, lc.user.LastOrgID); err != nil {
		if msg := models.RefusalMessage(err); msg != "" {
			v := lc.view("sms")
			v.Error = msg
			return h.render(c, http.StatusTooManyRequests, views.VerifyPage(v))
		}
		if errors.Is(err, models.ErrGone) {
			return h.restart(c, expiredAttempt)
		}
		return err
	}
	return redirect(c, "/login/verify?method=sms")
}

// sendCode mints an SMS code bound to the challenge and puts the text in the outbox.
func (h *Handler) sendCode(c echo.Context, ch *models.MFAChallenge, phone string, orgID *int64) error {
	ctx := c.Request().Context()
	orgName := ""
	if orgID != nil {
		if org, err := h.store.FindOrganization(ctx, *orgID); err == nil {
			orgName = org.Name
		}
	}
	code := models.NewSMSCode()
	msg := models.OutboxMessage{Subject: "Verification code", TextBody: mail.SMSCode(orgName, code)}
	if err := h.store.SendChallengeCode(ctx, ch.ID, phone, models.HashCode(ch.TokenHash, code), msg, orgID); err != nil {
		return err
	}
	h.pokeOutbox()
	return nil
}

// Verify checks the second factor and, when it is right, starts the session. Wrong codes
// count toward the account's and the address's login backoff.
func (h *Handler) Verify(c echo.Context) error {
	ctx := c.Request().Context()
	lc, err := h.loginChallenge(c)
	if err != nil {
		return err
	}
	if lc.expired {
		return h.restart(c, expiredAttempt)
	}
	method := c.FormValue("method")
	v := lc.view(method)
	keys := []string{"ip:" + c.RealIP(), "email:" + lc.user.Email}
	if wait := h.limiter.Wait(keys...); wait > 0 {
		v.Error = "Too many failed attempts. Try again in " + humanWait(wait) + "."
		return h.render(c, http.StatusTooManyRequests, views.VerifyPage(v))
	}
	code := models.NormalizeCode(c.FormValue("code"))
	flash := ""
	switch v.Method {
	case "totp":
		err = &models.RuleError{Msg: "That code isn't right. Check the time on your phone, and enter the code your app shows now."}
		for _, f := range lc.totp {
			if step, ok := models.MatchTOTP(f.Secret, code, h.clock.Now(), f.LastStep); ok {
				err = h.store.ConsumeTOTPStep(ctx, f.ID, step)
				break
			}
		}
	case "sms":
		err = h.store.CheckChallengeCode(ctx, lc.ch.ID, models.HashCode(lc.ch.TokenHash, code))
	default:
		var left int
		left, err = h.store.UseRecoveryCode(ctx, lc.user.ID, models.HashRecoveryCode(code), meta(c))
		flash = fmt.Sprintf("You logged in with a recovery code. You have %d left.", left)
		if left <= 3 {
			flash += " Make new ones on your Account page."
		}
	}
	if errors.Is(err, models.ErrGone) {
		h.limiter.Fail(keys...)
		h.auditSecondStep(c, lc.user, v.Method+": too many wrong codes")
		return h.restart(c, "Too many wrong codes. Log in again to get a new one.")
	}
	if msg := models.RefusalMessage(err); msg != "" {
		h.limiter.Fail(keys...)
		h.auditSecondStep(c, lc.user, v.Method)
		v.Error = msg
		return h.render(c, http.StatusUnprocessableEntity, views.VerifyPage(v))
	}
	if err != nil {
		return err
	}
	if err := h.store.EndChallenge(ctx, lc.ch.ID); err != nil {
		return err
	}
	h.limiter.Reset("email:" + lc.user.Email)
	if err := h.startSession(c, lc.user); errors.Is(err, models.ErrForbidden) {
		return h.restart(c, "Your account has no active access to any organization. Ask an Owner or Admin of your organization to restore it.")
	} else if err != nil {
		return err
	}
	s := h.browser(c)
	next, _ := s.Values[cookieNext].(string)
	delete(s.Values, cookieMFA)
	delete(s.Values, cookieNext)
	if flash != "" {
		s.AddFlash(flash)
	}
	if err := h.saveBrowser(c); err != nil {
		return err
	}
	h.log.Info("login succeeded", "user", lc.user.ID, "second_factor", v.Method, "ip", c.RealIP())
	return redirect(c, safeNext(next))
}

func (h *Handler) auditSecondStep(c echo.Context, u *models.User, detail string) {
	h.log.Info("second step failed", "user", u.ID, "method", detail, "ip", c.RealIP())
	err := h.store.Audit(c.Request().Context(), models.AuditEvent{OrgID: u.LastOrgID, ActorUserID: &u.ID, ActorEmail: u.Email,
		Action: models.ActionMFAFailed, TargetEmail: u.Email, Detail: detail}, meta(c))
	if err != nil {
		h.log.Error("unable to audit a failed second step", "err", err)
	}
}
