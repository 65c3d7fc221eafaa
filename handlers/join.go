package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// JoinCodeForm shows /join: the "Join code" field.
func (h *Handler) JoinCodeForm(c echo.Context) error {
	return h.render(c, http.StatusOK, views.JoinCodePage(views.JoinCodeForm{}))
}

// JoinCode opens the public invitation of a typed join code.
func (h *Handler) JoinCode(c echo.Context) error {
	code := c.FormValue("code")
	t, err := h.app.OpenJoin(c.Request().Context(), models.ViaCode, code, meta(c))
	if err != nil {
		msg, status := joinRefusal(err)
		if msg == "" {
			return err
		}
		return h.render(c, status, views.JoinCodePage(views.JoinCodeForm{Code: code, Error: msg}))
	}
	return h.render(c, http.StatusOK, views.JoinPage(joinForm(t.Org, "", models.FormatJoinCode(t.Secret))))
}

// joinRefusal is the message and status for a join code or link that does not open ("" for
// an error that is not a refusal).
func joinRefusal(err error) (string, int) {
	var wait *app.WaitError
	var closed *app.JoinClosedError
	switch {
	case errors.As(err, &wait):
		return "Too many attempts. Try again in " + app.HumanWait(wait.Wait) + ".", http.StatusTooManyRequests
	case errors.As(err, &closed):
		return closed.Msg + " Ask the person who gave it to you for a new one.", http.StatusGone
	case errors.Is(err, app.ErrJoinUnknown):
		return "That join code doesn't work. Check it and try again, or ask for a new one.", http.StatusUnprocessableEntity
	}
	return "", 0
}

func joinForm(org *models.Organization, link, code string) views.JoinForm {
	return views.JoinForm{OrgName: org.Name, Link: link, Code: code, Required: org.Required(), Domains: org.Domains()}
}

// JoinLinkPage is where the public invitation link leads.
func (h *Handler) JoinLinkPage(c echo.Context) error {
	t, err := h.app.OpenJoin(c.Request().Context(), models.ViaLink, c.Param("token"), meta(c))
	if err != nil {
		return joinLinkError(err)
	}
	return h.render(c, http.StatusOK, views.JoinPage(joinForm(t.Org, t.Secret, "")))
}

// joinLinkError is the page for a public link that does not open.
func joinLinkError(err error) error {
	msg, status := joinRefusal(err)
	switch {
	case msg == "":
		return err
	case status == http.StatusUnprocessableEntity:
		return pageError(http.StatusNotFound, "This invitation link doesn't work",
			"Check that you copied the whole link. If it still doesn't work, ask the person who shared it for a new one.")
	case status == http.StatusGone:
		return pageError(status, "This invitation is closed", msg)
	}
	return pageError(status, "Too many attempts", msg)
}

// joinTarget reads which public invitation a join form was opened through.
func joinTarget(c echo.Context) (models.JoinVia, string) {
	if link := c.FormValue("link"); link != "" {
		return models.ViaLink, link
	}
	return models.ViaCode, c.FormValue("code")
}

// joinRefused answers a join form whose invitation no longer opens: the page for a link,
// the /join form for a code.
func (h *Handler) joinRefused(c echo.Context, via models.JoinVia, secret string, err error) error {
	if via == models.ViaLink {
		return joinLinkError(err)
	}
	msg, status := joinRefusal(err)
	if msg == "" {
		return err
	}
	return h.render(c, status, views.JoinCodePage(views.JoinCodeForm{Code: secret, Error: msg}))
}

// JoinSignup creates an account through the public invitation; the request waits in Pending.
func (h *Handler) JoinSignup(c echo.Context) error {
	via, secret := joinTarget(c)
	r := models.JoinSignupRequest{Email: c.FormValue("email"), SignupRequest: models.SignupRequest{FirstName: c.FormValue("first_name"),
		LastName: c.FormValue("last_name"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm_password"),
		Extras: signupExtras(c)}}
	res, err := h.app.JoinWithSignup(c.Request().Context(), via, secret, r, meta(c))
	if errs, ok := fieldErrors(err); ok && res != nil {
		f := h.joinFormAgain(res.Org, via, secret)
		f.Email, f.FirstName, f.LastName, f.Extras, f.Errors = r.Email, r.FirstName, r.LastName, r.Extras, errs
		return h.render(c, http.StatusUnprocessableEntity, views.JoinPage(f))
	}
	if err != nil {
		return h.joinRefused(c, via, secret, err)
	}
	return h.render(c, http.StatusOK, views.WaitingPage(res.Org.Name, res.User.Email))
}

func (h *Handler) joinFormAgain(org *models.Organization, via models.JoinVia, secret string) views.JoinForm {
	if via == models.ViaLink {
		return joinForm(org, secret, "")
	}
	return joinForm(org, "", models.FormatJoinCode(models.NormalizeJoinCode(secret)))
}

// JoinLogin asks to join with an existing account (email and password).
func (h *Handler) JoinLogin(c echo.Context) error {
	via, secret := joinTarget(c)
	r := models.LoginRequest{Email: c.FormValue("login_email"), Password: c.FormValue("login_password")}
	res, err := h.app.JoinWithAccount(c.Request().Context(), via, secret, r, meta(c))
	var wait *app.WaitError
	again := func(errs models.FieldErrors) error {
		f := h.joinFormAgain(res.Org, via, secret)
		f.Login, f.Errors = r.Email, errs
		return h.render(c, http.StatusUnprocessableEntity, views.JoinPage(f))
	}
	switch {
	case err == nil:
		return h.render(c, http.StatusOK, views.WaitingPage(res.Org.Name, res.User.Email))
	case res == nil:
		return h.joinRefused(c, via, secret, err)
	case errors.Is(err, app.ErrBadCredentials):
		return again(models.FieldErrors{"login": "Email or password is incorrect."})
	case errors.As(err, &wait):
		return again(models.FieldErrors{"login": wait.Error()})
	case errors.Is(err, app.ErrAlreadyMember):
		if res.Membership != nil && res.Membership.Status == models.StatusPending {
			return h.render(c, http.StatusOK, views.WaitingPage(res.Org.Name, res.User.Email))
		}
		e := pageError(http.StatusOK, "You already have a membership in "+res.Org.Name,
			"There is nothing to ask for: log in with your account. If you can't get in, ask an Owner or Admin of "+res.Org.Name+".")
		e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
		return e
	}
	if errs, ok := fieldErrors(err); ok {
		return again(errs)
	}
	return h.joinRefused(c, via, secret, err)
}

// signupExtras reads the fields an organization may require at signup.
func signupExtras(c echo.Context) models.SignupExtras {
	return models.SignupExtras{Phone: c.FormValue("phone"), Department: c.FormValue("department"),
		Position: c.FormValue("position"), JobID: c.FormValue("job_id")}
}
