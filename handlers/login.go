package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
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

// loginNext is where a login form sends the person afterwards: a path on this site, or the
// URL of a guarded app the gate sent them from (rd), kept as typed until landing checks it.
func loginNext(next string) string {
	if app.LooksLikeReturnURL(next) {
		return next
	}
	return safeNext(next)
}

// landing is where a person logged in to orgID goes next: an app URL only when it is one of
// the organization's enabled apps (never an open redirect), a path on this site otherwise.
// After a form post an app URL goes through /login/continue (see views.ContinuePage).
func (h *Handler) landing(c echo.Context, orgID int64, next string, afterPost bool) string {
	if app.LooksLikeReturnURL(next) {
		if _, ok := h.app.ReturnURL(c.Request().Context(), orgID, next); !ok {
			return "/"
		}
		if afterPost {
			return "/login/continue?" + url.Values{"rd": {next}}.Encode()
		}
		return next
	}
	return safeNext(next)
}

// LoginContinue shows the page that takes a person who just logged in on to the app they
// were going to, when it is one of their organization's enabled apps.
func (h *Handler) LoginContinue(c echo.Context) error {
	rd := c.QueryParam("rd")
	cur := current(c)
	if cur == nil {
		return redirect(c, "/login?"+url.Values{"rd": {rd}}.Encode())
	}
	name, ok := h.app.ReturnURL(c.Request().Context(), cur.Org.ID, rd)
	if !app.LooksLikeReturnURL(rd) || !ok {
		return redirect(c, "/")
	}
	return h.render(c, http.StatusOK, views.ContinuePage(rd, name))
}

// LoginForm shows the login page; someone already logged in goes straight on. The gate sends
// people here with rd, the app URL they were going to.
func (h *Handler) LoginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if rd := c.QueryParam("rd"); rd != "" {
		next = loginNext(rd)
	}
	if cur := current(c); cur != nil {
		return redirect(c, h.landing(c, cur.Org.ID, next, false))
	}
	return h.render(c, http.StatusOK, views.LoginPage(views.LoginForm{Next: next}))
}

const badCredentials = "Email or password is incorrect."

// Login checks the email and password and starts a session, or the second step. Whether or
// not the account exists, a failure looks and takes the same, and counts toward the backoff.
func (h *Handler) Login(c echo.Context) error {
	email := models.NormalizeEmail(c.FormValue("email"))
	form := views.LoginForm{Email: email, Next: loginNext(c.FormValue("next"))}
	old, _ := h.browser(c).Values[cookieSID].(string)
	res, err := h.app.Login(c.Request().Context(), models.LoginRequest{Email: email, Password: c.FormValue("password")}, old, meta(c))
	var wait *app.WaitError
	switch {
	case errors.As(err, &wait):
		form.Error = wait.Error()
		return h.render(c, http.StatusTooManyRequests, views.LoginPage(form))
	case errors.Is(err, app.ErrBadCredentials):
		form.Error = badCredentials
		return h.render(c, http.StatusUnauthorized, views.LoginPage(form))
	case err != nil:
		return err
	}
	if res.ChallengeToken != "" {
		s := h.browser(c)
		s.Values[cookieMFA], s.Values[cookieNext] = res.ChallengeToken, form.Next
		if err := h.saveBrowser(c); err != nil {
			return err
		}
		return redirect(c, "/login/verify")
	}
	if err := h.setSession(c, res.SessionToken, res.OrgID, res.User.Email); err != nil {
		return err
	}
	return redirect(c, h.landing(c, res.OrgID, form.Next, true))
}

// startSession starts a server-side session for user and puts it in a new cookie; any session
// the browser held is ended.
func (h *Handler) startSession(c echo.Context, user *models.User) error {
	old, _ := h.browser(c).Values[cookieSID].(string)
	res, err := h.app.StartSession(c.Request().Context(), user, old, meta(c))
	if err != nil {
		return err
	}
	return h.setSession(c, res.SessionToken, res.OrgID, user.Email)
}

// setSession puts a new session in the cookie: a new session id and CSRF token at every login.
func (h *Handler) setSession(c echo.Context, token string, orgID int64, email string) error {
	s := h.browser(c)
	s.Values[cookieSID] = token
	s.Values[cookieOrg], s.Values[cookieEmail] = orgID, email
	s.Values[cookieCSRF] = randomToken()
	return h.saveBrowser(c)
}

// Logout ends the session on the server, so the old cookie is worthless even if replayed.
func (h *Handler) Logout(c echo.Context) error {
	if err := h.app.Logout(c.Request().Context(), current(c), meta(c)); err != nil {
		return err
	}
	s := h.browser(c)
	s.Values[cookieCSRF] = randomToken()
	h.forget(c, "")
	h.flash(c, "You have been logged out.")
	return redirect(c, "/login")
}
