package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// profileForm is the member's own name and phone: the personal fields only they edit.
type profileForm struct{ FirstName, LastName, Phone string }

// Validate cleans the names and normalises the phone to E.164; an empty phone is allowed.
func (f *profileForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	f.FirstName, f.LastName = models.ValidateNames(errs, f.FirstName, f.LastName)
	if raw, msg := models.CleanText(f.Phone, 40, "Phone"); msg != "" {
		errs.Add("phone", msg)
	} else if raw != "" {
		phone, msg := models.NormalizePhone(raw)
		if msg != "" {
			errs.Add("phone", msg)
		} else {
			f.Phone = phone
		}
	} else {
		f.Phone = ""
	}
	return errs
}

// passwordForm changes the member's password.
type passwordForm struct{ Current, New, Confirm string }

// Validate checks the new password's shape; the current one is checked against the hash by the handler.
func (f passwordForm) Validate(email string) models.FieldErrors {
	errs := models.FieldErrors{}
	if f.Current == "" {
		errs.Add("current_password", "Enter your current password.")
	}
	if msg := models.ValidatePassword(f.New, email); msg != "" {
		errs.Add("new_password", msg)
	} else if f.Confirm != f.New {
		errs.Add("confirm_password", "The passwords don't match.")
	} else if f.New == f.Current {
		errs.Add("new_password", "Choose a password different from your current one.")
	}
	return errs
}

// accountView builds the Account page around the two forms.
func (h *Handler) accountView(c echo.Context, profile views.ProfileForm, pw views.PasswordForm) (views.AccountView, error) {
	cur := current(c)
	sessions, err := h.store.FindUserSessions(c.Request().Context(), cur.User.ID)
	if err != nil {
		return views.AccountView{}, err
	}
	now := h.clock.Now()
	live := sessions[:0]
	for _, s := range sessions {
		// Expired sessions wait for the pruner but can no longer be used: don't list them.
		if s.ID == cur.Session.ID || !h.cfg.Sessions.Expired(s, now) {
			live = append(live, s)
		}
	}
	mfa, err := h.accountMFA(c)
	if err != nil {
		return views.AccountView{}, err
	}
	return views.AccountView{Email: cur.User.Email, Profile: profile, Password: pw, Sessions: live, MFA: mfa,
		CurrentSessionID: cur.Session.ID, Now: now}, nil
}

func (h *Handler) renderAccount(c echo.Context, status int, profile views.ProfileForm, pw views.PasswordForm) error {
	v, err := h.accountView(c, profile, pw)
	if err != nil {
		return err
	}
	return h.render(c, status, views.AccountPage(v))
}

func profileOf(u models.User) views.ProfileForm {
	return views.ProfileForm{FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone}
}

// Account shows the member's own account page.
func (h *Handler) Account(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, profileOf(current(c).User), views.PasswordForm{})
}

// SaveProfile changes the member's own name and phone. Only those fields are read: email,
// roles and everything else on the account are not the form's to change.
func (h *Handler) SaveProfile(c echo.Context) error {
	cur := current(c)
	f := profileForm{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), Phone: c.FormValue("phone")}
	if errs := f.Validate(); errs.Any() {
		return h.renderAccount(c, http.StatusUnprocessableEntity,
			views.ProfileForm{FirstName: f.FirstName, LastName: f.LastName, Phone: f.Phone, Errors: errs}, views.PasswordForm{})
	}
	if err := h.store.UpdateProfile(c.Request().Context(), cur, f.FirstName, f.LastName, f.Phone, meta(c)); err != nil {
		return err
	}
	return h.done(c, "Profile saved.", "/account")
}

// ChangePassword sets a new password after checking the current one, then ends every other
// session of the member. Wrong current passwords count toward the login backoff of the
// account, so a borrowed session cannot be used to guess the password.
func (h *Handler) ChangePassword(c echo.Context) error {
	cur := current(c)
	profile := profileOf(cur.User)
	key := "email:" + cur.User.Email
	if wait := h.limiter.Wait(key); wait > 0 {
		h.log.Warn("password change blocked by backoff", "user", cur.User.ID, "ip", c.RealIP())
		errs := models.FieldErrors{"current_password": "Too many failed attempts. Try again in " + humanWait(wait) + "."}
		return h.renderAccount(c, http.StatusTooManyRequests, profile, views.PasswordForm{Errors: errs})
	}
	f := passwordForm{Current: c.FormValue("current_password"), New: c.FormValue("new_password"), Confirm: c.FormValue("confirm_password")}
	errs := f.Validate(cur.User.Email)
	if f.Current != "" {
		if len(f.Current) <= 4*models.MaxPasswordLen && models.CheckPassword(cur.User.PasswordHash, f.Current) {
			h.limiter.Reset(key)
		} else {
			h.limiter.Fail(key)
			h.log.Info("password change: current password incorrect", "user", cur.User.ID, "ip", c.RealIP())
			errs["current_password"] = "Current password is incorrect."
		}
	}
	if errs.Any() {
		return h.renderAccount(c, http.StatusUnprocessableEntity, profile, views.PasswordForm{Errors: errs})
	}
	if err := h.store.ChangePassword(c.Request().Context(), cur, models.HashPassword(f.New), meta(c)); err != nil {
		return err
	}
	h.log.Info("password changed", "user", cur.User.ID, "ip", c.RealIP())
	// A token that may have been read along with the old password is not kept either.
	h.browser(c).Values[cookieCSRF] = randomToken()
	return h.done(c, "Password changed. Your other sessions have been signed out.", "/account")
}

// EndSession signs out one of the member's other sessions. A session of anyone else is not found.
func (h *Handler) EndSession(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := h.store.EndUserSession(c.Request().Context(), current(c), id, meta(c)); err != nil {
		return err
	}
	return h.done(c, "Session signed out.", "/account")
}

// EndOtherSessions signs out every session of the member but this one.
func (h *Handler) EndOtherSessions(c echo.Context) error {
	n, err := h.store.EndOtherSessions(c.Request().Context(), current(c), meta(c))
	if err != nil {
		return err
	}
	msg := "You were not logged in anywhere else."
	switch {
	case n == 1:
		msg = "Signed out 1 other session."
	case n > 1:
		msg = "Signed out " + strconv.FormatInt(n, 10) + " other sessions."
	}
	return h.done(c, msg, "/account")
}
