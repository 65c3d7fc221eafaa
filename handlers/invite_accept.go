package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// invitationError is the page for a link that cannot be used for signing up.
func (h *Handler) invitationError(info *models.InvitationInfo, err error) error {
	var le *models.LinkError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, models.ErrNotFound):
		return pageError(http.StatusNotFound, "This invitation link doesn't work",
			"Check that you copied the whole link from the email. If it still doesn't work, ask the person who invited you for a new invitation.")
	case errors.As(err, &le) && info != nil:
		return linkGone(info, le.State)
	case errors.Is(err, app.ErrHasAccount):
		return hasAccount(info)
	}
	return err
}

// hasAccount answers an invitation to an email that already has a Gatehouse account: there
// is nothing to sign up for, so the person logs in with that account. It is an ordinary page,
// not a refusal: an invitation to such an email looks to the inviter like any other.
func hasAccount(info *models.InvitationInfo) error {
	e := pageError(http.StatusOK, "Log in with your existing account",
		info.Invitation.Email+" already has a Gatehouse account, so there is no new account to create. "+
			"Log in with it; your invitation to "+info.Org.Name+" stays open and will be waiting. If you can't log in, ask "+whomToAsk(info)+".")
	e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
	return e
}

// whomToAsk names the inviter with their email, or the organization's admins.
func whomToAsk(info *models.InvitationInfo) string {
	if info.Inviter != nil {
		return info.Inviter.DisplayName() + " (" + info.Inviter.Email + ")"
	}
	return "an Owner or Admin of " + info.Org.Name
}

// linkGone is the 410 page for a used, expired, revoked or superseded link.
func linkGone(info *models.InvitationInfo, state models.LinkState) error {
	ask := whomToAsk(info)
	var e *HTTPError
	switch state {
	case models.LinkUsed:
		e = pageError(http.StatusGone, "This invitation has already been used",
			"An account was created with this link. Log in with it; if that wasn't you, tell "+ask+".")
		e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
	case models.LinkExpired:
		e = pageError(http.StatusGone, "This invitation has expired",
			"Invitation links to "+info.Org.Name+" work for a limited time. Ask "+ask+" to send you a new one.")
	case models.LinkDeclined:
		e = pageError(http.StatusGone, "This invitation was declined",
			"The invitation to "+info.Org.Name+" was declined. If you changed your mind, ask "+ask+" to invite you again.")
	case models.LinkRevoked:
		e = pageError(http.StatusGone, "This invitation was withdrawn",
			"The invitation to "+info.Org.Name+" was revoked. If you think that's a mistake, ask "+ask+".")
	default:
		e = pageError(http.StatusGone, "This link was replaced by a newer one",
			"A newer invitation to "+info.Org.Name+" was sent to "+info.Invitation.Email+"; use the link in the most recent email, or ask "+ask+".")
	}
	return e
}

func (h *Handler) signupView(c echo.Context, info *models.InvitationInfo, f models.SignupRequest, errs models.FieldErrors) views.SignupForm {
	inviter := ""
	if info.Inviter != nil {
		inviter = info.Inviter.DisplayName()
	}
	v := views.SignupForm{Token: c.Param("token"), OrgName: info.Org.Name, Inviter: inviter,
		Email: info.Invitation.Email, FirstName: f.FirstName, LastName: f.LastName, Required: info.Org.Required(), Extras: f.Extras, Errors: errs}
	if info.Invitation.Email == "" {
		v.AskEmail, v.Email = true, f.Email
	}
	return v
}

// SignupForm shows "Create your account" for a live invitation link; for an address that
// already has an account, the "Join ORGANIZATION?" prompt after login (accountInvitation).
func (h *Handler) SignupForm(c echo.Context) error {
	info, err := h.app.Invitation(c.Request().Context(), c.Param("token"))
	if errors.Is(err, app.ErrHasAccount) {
		return h.accountInvitation(c)
	}
	if err := h.invitationError(info, err); err != nil {
		return err
	}
	f := models.SignupRequest{FirstName: info.Membership.FirstName, LastName: info.Membership.LastName}
	return h.render(c, http.StatusOK, views.SignupPage(h.signupView(c, info, f, nil)))
}

// Signup creates the account, activates the membership and logs the person in.
func (h *Handler) Signup(c echo.Context) error {
	f := models.SignupRequest{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"),
		Password: c.FormValue("password"), Confirm: c.FormValue("confirm_password"), Extras: signupExtras(c), Email: c.FormValue("email")}
	user, info, err := h.app.AcceptInvitation(c.Request().Context(), c.Param("token"), f, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.render(c, http.StatusUnprocessableEntity, views.SignupPage(h.signupView(c, info, f, errs)))
	}
	if err := h.invitationError(info, err); err != nil {
		return err
	}
	// Invited by a member while enrollment approval is on: the account exists, the request waits.
	if info.Membership.Status == models.StatusPending {
		return h.render(c, http.StatusOK, views.WaitingPage(info.Org.Name, user.Email))
	}
	if err := h.startSession(c, user); err != nil {
		return err
	}
	h.flash(c, "Welcome to "+info.Org.Name+", "+user.FirstName+".")
	return redirect(c, h.app.AfterSignup(user, &info.Org))
}
