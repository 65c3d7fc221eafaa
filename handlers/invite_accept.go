package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// signupForm is what an invited person fills in.
type signupForm struct{ FirstName, LastName, Password, Confirm string }

// Validate cleans the names and checks the password for the invited email.
func (f *signupForm) Validate(email string) models.FieldErrors {
	errs := models.FieldErrors{}
	f.FirstName, f.LastName = models.ValidateNames(errs, f.FirstName, f.LastName)
	if msg := models.ValidatePassword(f.Password, email); msg != "" {
		errs.Add("password", msg)
	} else if f.Confirm != f.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}

// invitation loads the link named by :token and refuses, with a page saying why and whom
// to ask, one that cannot be used. Nothing changes on GET.
func (h *Handler) invitation(c echo.Context) (*store.InvitationInfo, error) {
	info, err := h.store.FindInvitation(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return nil, pageError(http.StatusNotFound, "This invitation link doesn't work",
			"Check that you copied the whole link from the email. If it still doesn't work, ask the person who invited you for a new invitation.")
	}
	if err != nil {
		return nil, err
	}
	if info.State != models.LinkLive {
		return nil, linkGone(info, info.State)
	}
	if info.AccountExists {
		// The store reads the link before it looks for the account, so a parallel submit of
		// this very link can create the account in between: read the link again, and a link
		// spent meanwhile says so instead of "you already have an account".
		again, err := h.store.FindInvitation(c.Request().Context(), c.Param("token"))
		if err != nil {
			return nil, err
		}
		if again.State != models.LinkLive {
			return nil, linkGone(again, again.State)
		}
		e := pageError(http.StatusConflict, "You already have an account",
			info.Invitation.Email+" already has a Gatehouse account, so there is nothing to sign up for. Log in with it; if you can't, ask "+whomToAsk(info)+".")
		e.Info.Action = views.MenuItem{Label: "Go to log in", Href: "/login"}
		return nil, e
	}
	return info, nil
}

// whomToAsk names the inviter with their email, or the organization's admins.
func whomToAsk(info *store.InvitationInfo) string {
	if info.Inviter != nil {
		return info.Inviter.DisplayName() + " (" + info.Inviter.Email + ")"
	}
	return "an Owner or Admin of " + info.Org.Name
}

// linkGone is the 410 page for a used, expired, revoked or superseded link.
func linkGone(info *store.InvitationInfo, state models.LinkState) error {
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
	case models.LinkRevoked:
		e = pageError(http.StatusGone, "This invitation was withdrawn",
			"The invitation to "+info.Org.Name+" was revoked. If you think that's a mistake, ask "+ask+".")
	default:
		e = pageError(http.StatusGone, "This link was replaced by a newer one",
			"A newer invitation to "+info.Org.Name+" was sent to "+info.Invitation.Email+"; use the link in the most recent email, or ask "+ask+".")
	}
	return e
}

func (h *Handler) signupView(c echo.Context, info *store.InvitationInfo, f signupForm, errs models.FieldErrors) views.SignupForm {
	inviter := ""
	if info.Inviter != nil {
		inviter = info.Inviter.DisplayName()
	}
	return views.SignupForm{Token: c.Param("token"), OrgName: info.Org.Name, Inviter: inviter,
		Email: info.Invitation.Email, FirstName: f.FirstName, LastName: f.LastName, Errors: errs}
}

// SignupForm shows "Create your account" for a live invitation link.
func (h *Handler) SignupForm(c echo.Context) error {
	info, err := h.invitation(c)
	if err != nil {
		return err
	}
	f := signupForm{FirstName: info.Membership.FirstName, LastName: info.Membership.LastName}
	return h.render(c, http.StatusOK, views.SignupPage(h.signupView(c, info, f, nil)))
}

// Signup creates the account, activates the membership and logs the person in.
func (h *Handler) Signup(c echo.Context) error {
	info, err := h.invitation(c)
	if err != nil {
		return err
	}
	f := signupForm{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"),
		Password: c.FormValue("password"), Confirm: c.FormValue("confirm_password")}
	if errs := f.Validate(info.Invitation.Email); errs.Any() {
		return h.render(c, http.StatusUnprocessableEntity, views.SignupPage(h.signupView(c, info, f, errs)))
	}
	in := store.AcceptInput{FirstName: f.FirstName, LastName: f.LastName, PasswordHash: models.HashPassword(f.Password)}
	user, _, err := h.store.AcceptInvitation(c.Request().Context(), c.Param("token"), in, meta(c))
	var le *models.LinkError
	switch {
	case errors.As(err, &le):
		return linkGone(info, le.State)
	case errors.Is(err, models.ErrConflict):
		return pageError(http.StatusConflict, "You already have an account", info.Invitation.Email+" already has a Gatehouse account. Log in with it.")
	case err != nil:
		return err
	}
	h.log.Info("invitation accepted", "user", user.ID, "org", info.Org.ID)
	if err := h.startSession(c, user); err != nil {
		return err
	}
	h.flash(c, "Welcome to "+info.Org.Name+", "+user.FirstName+".")
	return redirect(c, h.afterSignup(user, &info.Org))
}

// afterSignup is where a new member goes once their account exists: straight to setting up
// a second factor when the organization requires one.
func (h *Handler) afterSignup(u *models.User, org *models.Organization) string {
	if org.MustEnroll(*u, h.clock.Now()) {
		return "/mfa/setup"
	}
	return "/"
}
