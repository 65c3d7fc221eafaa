package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// requireAccount lets in anyone logged in, with or without a current organization: creating,
// switching and joining organizations, and the notifications. A member who must set up a
// second factor in their current organization may still switch away or answer an invitation.
func (h *Handler) requireAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if current(c) != nil {
			return next(c)
		}
		return h.toLogin(c)
	}
}

// toLogin sends a visitor without a session to the login page, remembering where they were going.
func (h *Handler) toLogin(c echo.Context) error {
	to := "/login"
	if r := c.Request(); r.Method == http.MethodGet && r.URL.Path != "/" {
		to += "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
	}
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusUnauthorized)
	}
	return redirect(c, to)
}

// noOrgPath is where a person without any organization lands.
const noOrgPath = "/organizations/none"

// toNoOrg sends a person without a current organization to the page that says so.
func toNoOrg(c echo.Context) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", noOrgPath)
		return c.NoContent(http.StatusNoContent)
	}
	return redirect(c, noOrgPath)
}

// useSwitched puts the session an organization switch made in the cookie.
func (h *Handler) useSwitched(c echo.Context, sw *app.Switched) error {
	return h.setSession(c, sw.Token, sw.Org.ID, current(c).User.Email)
}

// NoOrganization is "You are not a member of any organization", with the invitations waiting.
func (h *Handler) NoOrganization(c echo.Context) error {
	cur := current(c)
	if cur.HasOrg() {
		return redirect(c, "/")
	}
	list, err := h.app.Notifications(c.Request().Context(), cur)
	if err != nil {
		return err
	}
	waiting, err := h.app.WaitingOrgs(c.Request().Context(), cur)
	if err != nil {
		return err
	}
	names := make([]string, len(waiting))
	for i, o := range waiting {
		names[i] = o.Name
	}
	return h.render(c, http.StatusOK, views.NoOrgPage(notifications(list), names))
}

// NewOrganizationForm shows the Create organization dialog.
func (h *Handler) NewOrganizationForm(c echo.Context) error {
	return h.renderDialog(c, http.StatusOK, views.NewOrgDialog("", ""))
}

// CreateOrganization creates an organization owned by the person and switches to it.
func (h *Handler) CreateOrganization(c echo.Context) error {
	req := models.OrgRequest{Name: c.FormValue("name")}
	sw, err := h.app.CreateOrganization(c.Request().Context(), current(c), req, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.NewOrgDialog(c.FormValue("name"), errs["name"]))
	}
	if err != nil {
		return err
	}
	if err := h.useSwitched(c, sw); err != nil {
		return err
	}
	return h.done(c, "Created "+sw.Org.Name+". You are its Owner.", "/")
}

// SwitchOrganization moves this browser's session to the organization posted as org.
func (h *Handler) SwitchOrganization(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("org"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	sw, err := h.app.SwitchOrganization(c.Request().Context(), current(c), id, meta(c))
	if err != nil {
		return err
	}
	if err := h.useSwitched(c, sw); err != nil {
		return err
	}
	return h.done(c, "Switched to "+sw.Org.Name+".", "/")
}

// notifications turns open invitations into the bell's list.
func notifications(list []app.OpenInvitation) []views.Notification {
	out := make([]views.Notification, len(list))
	for i, o := range list {
		out[i] = notification(&o)
	}
	return out
}

func notification(o *app.OpenInvitation) views.Notification {
	return views.Notification{ID: o.Membership.ID, Org: o.Org.Name, Inviter: o.Inviter, Roles: o.Membership.Roles}
}

// Notifications lists the invitations waiting for the person, from every organization.
func (h *Handler) Notifications(c echo.Context) error {
	list, err := h.app.Notifications(c.Request().Context(), current(c))
	if err != nil {
		return err
	}
	c.Set(navKey, "notifications")
	return h.render(c, http.StatusOK, views.NotificationsPage(notifications(list)))
}

// invitationID is the :id of a notification: the invited membership.
func invitationID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// JoinPrompt is "Join ORGANIZATION?" for one of the person's invitations; another person's is 404.
func (h *Handler) JoinPrompt(c echo.Context) error {
	id, err := invitationID(c)
	if err != nil {
		return err
	}
	open, err := h.app.OpenInvitation(c.Request().Context(), current(c), id)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.JoinInvitationPage(notification(open)))
}

// JoinInvitation answers Join.
func (h *Handler) JoinInvitation(c echo.Context) error {
	id, err := invitationID(c)
	if err != nil {
		return err
	}
	cur := current(c)
	org, err := h.app.JoinInvitation(c.Request().Context(), cur, id, meta(c))
	if err != nil {
		return answerError(err)
	}
	if !cur.HasOrg() {
		return h.done(c, "Welcome to "+org.Name+".", "/")
	}
	return h.done(c, "You joined "+org.Name+". Switch to it from the organization menu at the top left.", "/")
}

// DeclineInvitation answers Decline.
func (h *Handler) DeclineInvitation(c echo.Context) error {
	id, err := invitationID(c)
	if err != nil {
		return err
	}
	org, err := h.app.DeclineInvitation(c.Request().Context(), current(c), id, meta(c))
	if err != nil {
		return answerError(err)
	}
	return h.done(c, "You declined the invitation to "+org.Name+".", "/notifications")
}

// answerError is the page for an invitation answered twice, or at once in two tabs.
func answerError(err error) error {
	var le *models.LinkError
	if errors.As(err, &le) {
		return pageError(http.StatusGone, "This invitation was already answered",
			"It was answered in another window, or withdrawn meanwhile. Your notifications show what is still waiting.")
	}
	return err
}

// accountInvitation answers an emailed invitation link whose address has an account: after
// login (a visitor is sent to log in and back), the "Join ORGANIZATION?" prompt; logged in
// to another account, a refusal.
func (h *Handler) accountInvitation(c echo.Context) error {
	cur := current(c)
	if cur == nil {
		return h.toLogin(c)
	}
	info, open, err := h.app.InvitationForAccount(c.Request().Context(), cur, c.Param("token"))
	var le *models.LinkError
	switch {
	case errors.Is(err, app.ErrOtherAccount):
		return pageError(http.StatusForbidden, "This invitation is for another account", models.RefusalMessage(err))
	case errors.As(err, &le) && info != nil:
		return linkGone(info, le.State)
	case err != nil:
		return err
	}
	return h.render(c, http.StatusOK, views.JoinInvitationPage(notification(open)))
}

// LeaveOrganizationForm confirms leaving the current organization.
func (h *Handler) LeaveOrganizationForm(c echo.Context) error {
	return h.renderDialog(c, http.StatusOK, views.LeaveOrgDialog(current(c).Org.Name, ""))
}

// LeaveOrganization ends the person's membership in the current organization.
func (h *Handler) LeaveOrganization(c echo.Context) error {
	cur := current(c)
	next, err := h.app.LeaveOrganization(c.Request().Context(), cur, meta(c))
	if msg := models.RefusalMessage(err); msg != "" {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.LeaveOrgDialog(cur.Org.Name, msg))
	}
	if err != nil {
		return err
	}
	return h.movedOn(c, "You left "+cur.Org.Name+".", next)
}

// movedOn ends a post that took the session out of its organization: the cookie remembers
// the one it is in now, and the person lands there, or on the page saying they have none.
func (h *Handler) movedOn(c echo.Context, flash string, next *models.Organization) error {
	s := h.browser(c)
	if next == nil {
		delete(s.Values, cookieOrg)
		return h.done(c, flash, noOrgPath)
	}
	s.Values[cookieOrg] = next.ID
	return h.done(c, flash+" You are now in "+next.Name+".", "/")
}

// DeleteOrganizationForm asks an Owner to type the organization's name.
func (h *Handler) DeleteOrganizationForm(c echo.Context) error {
	return h.renderDialog(c, http.StatusOK, views.DeleteOrgDialog(current(c).Org.Name, "", ""))
}

// DeleteOrganization deletes the current organization once its name is typed.
func (h *Handler) DeleteOrganization(c echo.Context) error {
	cur := current(c)
	typed := c.FormValue("confirm")
	next, err := h.app.DeleteOrganization(c.Request().Context(), cur, typed, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.DeleteOrgDialog(cur.Org.Name, typed, errs["confirm"]))
	}
	if err != nil {
		return err
	}
	return h.movedOn(c, cur.Org.Name+" was deleted.", next)
}
