package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// safeNext returns next when it is a path on this site, "/" otherwise, so the login form
// cannot be used to send people to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") || strings.HasPrefix(next, "/login") || len(next) > 2048 {
		return "/"
	}
	return next
}

// LoginForm shows the login page; someone already logged in goes straight on.
func (h *Handler) LoginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if current(c) != nil {
		return redirect(c, next)
	}
	return h.render(c, http.StatusOK, views.LoginPage(views.LoginForm{Next: next}))
}

const badCredentials = "Email or password is incorrect."

// Login checks the email and password and starts a session. Whether or not the account
// exists, a failure looks and takes the same, and counts toward the backoff.
func (h *Handler) Login(c echo.Context) error {
	ctx := c.Request().Context()
	email := models.NormalizeEmail(c.FormValue("email"))
	pw := c.FormValue("password")
	form := views.LoginForm{Email: email, Next: safeNext(c.FormValue("next"))}
	if len(email) > models.MaxEmailLen {
		email = email[:models.MaxEmailLen]
	}
	keys := []string{"ip:" + c.RealIP(), "email:" + email}

	if wait := h.limiter.Wait(keys...); wait > 0 {
		h.log.Warn("login blocked by backoff", "ip", c.RealIP())
		if err := h.store.Audit(ctx, models.AuditEvent{Action: models.ActionLoginBlocked, TargetEmail: email}, meta(c)); err != nil {
			return err
		}
		form.Error = "Too many failed attempts. Try again in " + humanWait(wait) + "."
		return h.render(c, http.StatusTooManyRequests, views.LoginPage(form))
	}

	user, err := h.store.FindUserByEmail(ctx, email)
	ok := false
	switch {
	case err == nil && len(pw) <= 4*models.MaxPasswordLen:
		ok = models.CheckPassword(user.PasswordHash, pw)
	case err == nil || errors.Is(err, models.ErrNotFound):
		models.CheckNoPassword(pw)
	default:
		return err
	}
	if !ok {
		h.limiter.Fail(keys...)
		h.log.Info("login failed", "ip", c.RealIP())
		ev := models.AuditEvent{Action: models.ActionLoginFailed, TargetEmail: email}
		if user != nil {
			ev.ActorUserID, ev.ActorEmail, ev.OrgID = &user.ID, user.Email, user.LastOrgID
		}
		if err := h.store.Audit(ctx, ev, meta(c)); err != nil {
			return err
		}
		form.Error = badCredentials
		return h.render(c, http.StatusUnauthorized, views.LoginPage(form))
	}

	// With a second factor the password only opens the second step; the backoff counter
	// is reset when the whole login succeeds, so a known password buys no free guesses.
	if user.MFAEnabled {
		return h.beginSecondStep(c, user, form.Next)
	}
	h.limiter.Reset("email:" + email)
	if err := h.startSession(c, user); errors.Is(err, models.ErrForbidden) {
		h.log.Info("login refused: no active membership", "user", user.ID)
		if err := h.store.Audit(ctx, models.AuditEvent{OrgID: user.LastOrgID, ActorUserID: &user.ID, ActorEmail: user.Email,
			Action: models.ActionLoginFailed, TargetEmail: user.Email, Detail: "no active membership"}, meta(c)); err != nil {
			return err
		}
		form.Error = "Your account has no active access to any organization. Ask an Owner or Admin of your organization to restore it."
		return h.render(c, http.StatusForbidden, views.LoginPage(form))
	} else if err != nil {
		return err
	}
	h.log.Info("login succeeded", "user", user.ID, "ip", c.RealIP())
	return redirect(c, form.Next)
}

// startSession creates a fresh server-side session for user and a new cookie: a new
// session id and CSRF token at every login, and any session the browser held is ended.
func (h *Handler) startSession(c echo.Context, user *models.User) error {
	ctx := c.Request().Context()
	s := h.browser(c)
	if old, _ := s.Values[cookieSID].(string); old != "" {
		if cur, err := h.store.FindCurrent(ctx, models.HashToken(old)); err == nil {
			if err := h.store.DeleteSession(ctx, cur.Session.ID); err != nil {
				return err
			}
		}
	}
	raw, hash := models.NewToken()
	sess, err := h.store.CreateSession(ctx, store.LoginInput{UserID: user.ID, TokenHash: hash, Meta: meta(c)})
	if err != nil {
		return err
	}
	s.Values[cookieSID] = raw
	s.Values[cookieOrg], s.Values[cookieEmail] = sess.OrgID, user.Email
	s.Values[cookieCSRF] = randomToken()
	return h.saveBrowser(c)
}

func humanWait(d time.Duration) string {
	if d < time.Minute {
		s := int(math.Ceil(d.Seconds()))
		if s == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// Logout ends the session on the server, so the old cookie is worthless even if replayed.
func (h *Handler) Logout(c echo.Context) error {
	if cur := current(c); cur != nil {
		if err := h.store.Logout(c.Request().Context(), cur, meta(c)); err != nil {
			return err
		}
		h.log.Info("logout", "user", cur.User.ID)
	}
	s := h.browser(c)
	s.Values[cookieCSRF] = randomToken()
	h.forget(c, "")
	h.flash(c, "You have been logged out.")
	return redirect(c, "/login")
}
