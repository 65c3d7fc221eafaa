package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"gatehouse/mail"
	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// Reset request quotas, per fixed hour. Every request counts, refused ones too. The email
// quota keeps a mailbox from being flooded; the IP quota keeps one client from walking a list.
const (
	resetsPerEmail = 5
	resetsPerIP    = 20
	resetWindow    = time.Hour
)

// forgotForm is the "Forgot password?" form.
type forgotForm struct{ Email string }

// Validate checks the address's shape only: whether an account has it is never said.
func (f *forgotForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	if msg := models.ValidateEmail(f.Email); msg != "" {
		errs.Add("email", msg)
	}
	return errs
}

// resetForm is the "Set a new password" form.
type resetForm struct{ Password, Confirm string }

// Validate checks the new password for the account with email.
func (f *resetForm) Validate(email string) models.FieldErrors {
	errs := models.FieldErrors{}
	if msg := models.ValidatePassword(f.Password, email); msg != "" {
		errs.Add("password", msg)
	} else if f.Confirm != f.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}

// ForgotPasswordForm asks for the email to send a reset link to.
func (h *Handler) ForgotPasswordForm(c echo.Context) error {
	return h.render(c, http.StatusOK, views.ForgotPasswordPage(views.ForgotPasswordForm{}))
}

// ForgotPassword emails a reset link to the account with the given email, if there is one.
// The answer is the same page, status and text either way, and the work is the same as far
// as the request's timing goes: a token is minted and the email composed even for an unknown
// address, and the store is asked in one transaction. Over the quota the same page is shown
// and nothing is sent.
func (h *Handler) ForgotPassword(c echo.Context) error {
	f := forgotForm{Email: models.NormalizeEmail(c.FormValue("email"))}
	if errs := f.Validate(); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.ForgotPasswordPage(views.ForgotPasswordForm{Email: f.Email, Errors: errs}))
	}
	ip := c.RealIP()
	// The email is counted only while the address is within its quota: an address over it
	// sends nothing, and must not fill the limiter with a new key for every email it tries.
	ipOK := h.limiter.Allow("reset-ip:"+ip, resetsPerIP, resetWindow)
	emailOK := ipOK && h.limiter.Allow("reset-email:"+f.Email, resetsPerEmail, resetWindow)
	if !ipOK || !emailOK {
		h.log.Warn("password reset request over quota; nothing sent", "ip", ip, "ip_quota", !ipOK, "email_quota", !emailOK)
		return h.render(c, http.StatusOK, views.ResetLinkSentPage(f.Email))
	}

	raw, hash := models.NewToken()
	now := h.clock.Now()
	expires := now.Add(store.PasswordResetLifetime)
	subject, text, html := mail.PasswordResetEmail(mail.PasswordResetData{Email: f.Email, Link: h.resetLink(raw), ExpiresAt: expires, Now: now})
	msg := models.OutboxMessage{Subject: subject, TextBody: text, HTMLBody: html}
	if err := h.store.RequestPasswordReset(c.Request().Context(), f.Email, hash, expires, msg, meta(c)); err != nil {
		return err
	}
	h.pokeOutbox()
	h.log.Info("password reset requested", "ip", ip)
	return h.render(c, http.StatusOK, views.ResetLinkSentPage(f.Email))
}

// resetLink is the link for a raw reset token, built from --base-url.
func (h *Handler) resetLink(raw string) string { return h.link("/reset-password/"+raw, nil) }

// resetEmail returns the account email of the live link named by :token, or the 410 page.
func (h *Handler) resetEmail(c echo.Context) (string, error) {
	email, err := h.store.FindPasswordReset(c.Request().Context(), c.Param("token"))
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
	token := c.Param("token")
	email, err := h.resetEmail(c)
	if err != nil {
		return err
	}
	f := resetForm{Password: c.FormValue("password"), Confirm: c.FormValue("confirm_password")}
	if errs := f.Validate(email); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.ResetPasswordPage(views.ResetPasswordForm{Token: token, Email: email, Errors: errs}))
	}
	user, err := h.store.ResetPassword(c.Request().Context(), token, models.HashPassword(f.Password), meta(c))
	if errors.Is(err, models.ErrGone) {
		return resetLinkGone()
	}
	if err != nil {
		return err
	}
	// Whoever reset proved they hold the mailbox: failed guesses before no longer hold them back.
	h.limiter.Reset("email:" + user.Email)
	if cur := current(c); cur != nil && cur.User.ID == user.ID {
		h.forget(c, "") // the store has ended this browser's session with the others
	}
	h.log.Info("password reset", "user", user.ID, "ip", c.RealIP())
	h.flash(c, "Your password has been changed. Log in with your new password.")
	return redirect(c, "/login")
}
