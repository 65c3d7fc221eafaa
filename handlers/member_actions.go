package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// actionSlugs name each row action's URL: /users/{id}/{slug}.
var actionSlugs = map[models.MemberAction]string{
	models.ActReinvite:    "reinvite",
	models.ActRevoke:      "revoke",
	models.ActCopyLink:    "invite-link",
	models.ActEditRoles:   "roles",
	models.ActEditDetails: "details",
	models.ActTerminate:   "terminate",
	models.ActRestore:     "restore",
	models.ActApprove:     "approve",
	models.ActReject:      "reject",
	models.ActReapprove:   "reapprove",
	models.ActResetMFA:    "reset-mfa",
}

// memberActionHref is the dialog of act for membership id.
func memberActionHref(id int64, act models.MemberAction) string {
	return "/users/" + strconv.FormatInt(id, 10) + "/" + actionSlugs[act]
}

// member loads the membership named by the :id path parameter in the current organization.
// Ids that are malformed, unknown or another organization's all answer 404.
func (h *Handler) member(c echo.Context) (*models.Membership, error) {
	id, err := memberID(c)
	if err != nil {
		return nil, err
	}
	return h.app.FindMember(c.Request().Context(), current(c), id)
}

// memberID is the :id path parameter; a malformed one is models.ErrNotFound.
func memberID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// dialogFor is the view model of act's dialog for m.
func dialogFor(cur *models.Current, m *models.Membership, act models.MemberAction) views.MemberDialog {
	name := m.DisplayName()
	d := views.MemberDialog{Member: *m, Action: act, Post: memberActionHref(m.ID, act),
		Back: views.TabHref(models.TabOf(m.Status))}
	switch act {
	case models.ActReinvite:
		d.Message = "Send a new invitation email to " + m.Email + "? Every earlier link stops working."
	case models.ActCopyLink:
		d.Message = "Make a new invite link for " + m.Email + " to send yourself? Every earlier link stops working, and no email is sent."
	case models.ActRevoke:
		d.Message = "Revoke the invitation for " + m.Email + "? Their links stop working and they leave the Inactivated list. You can invite them again later."
	case models.ActTerminate:
		d.Message = "Terminate " + name + "? They lose access to " + cur.Org.Name + " at once, open sessions included. Their membership, roles and history are kept, and you can restore them later."
	case models.ActRestore:
		d.Message = "Restore " + name + "? They get their access back with the roles they held before: " + models.RoleLabels(models.RolesOnActivation(m.Roles)) + "."
		d.Warning = "This gives the old account back. If a different person now uses " + m.Email + ", invite them under another address instead."
	case models.ActApprove:
		d.Message = "Approve " + name + "'s request to join " + cur.Org.Name + "? They become active with the role " + models.RoleLabels(models.RolesOnActivation(m.Roles)) + "."
	case models.ActReject:
		d.Message = "Reject " + name + "'s request to join " + cur.Org.Name + "? You can re-approve them later from the Pending tab."
	case models.ActReapprove:
		d.Message = "Approve " + name + " after all? They become active with the role " + models.RoleLabels(models.RolesOnActivation(m.Roles)) + "."
	case models.ActResetMFA:
		d.Message = "Reset two-factor authentication for " + name + "? Their authenticator app, phone and recovery codes stop working, they are signed out everywhere, and they set up a second factor again at their next login."
	}
	return d
}

// checkOffered refuses an action the membership's status does not offer, with 409.
func checkOffered(m *models.Membership, act models.MemberAction) error {
	if _, err := models.Transition(m.Status, act); err != nil {
		return pageError(http.StatusConflict, "Not available", act.Label()+" is not available for "+m.DisplayName()+
			", who is now "+strings.ToLower(m.Status.Label())+". Go back to the Users page and reload it.")
	}
	return nil
}

// ConfirmAction shows the confirmation dialog of a row action.
func (h *Handler) ConfirmAction(act models.MemberAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		m, err := h.member(c)
		if err != nil {
			return err
		}
		if err := checkOffered(m, act); err != nil {
			return err
		}
		return h.renderDialog(c, http.StatusOK, views.ConfirmDialog(dialogFor(current(c), m, act)))
	}
}

// DoAction carries out a confirmed row action.
func (h *Handler) DoAction(act models.MemberAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		cur := current(c)
		m, err := h.member(c)
		if err != nil {
			return err
		}
		d := dialogFor(cur, m, act)
		var flash string
		switch act {
		case models.ActCopyLink:
			link, err := h.app.CopyInviteLink(ctx, cur, m.ID, meta(c))
			if err == nil {
				c.Response().Header().Set("Referrer-Policy", "no-referrer")
				return h.renderDialog(c, http.StatusOK, views.CopyLinkDialog(d, link))
			}
			return h.actionError(c, err, h.refuseIn(c, &d), m, act)
		case models.ActReinvite:
			_, err = h.app.Reinvite(ctx, cur, m.ID, meta(c))
			flash = "A new invitation is on its way to " + m.Email + ". Earlier links no longer work."
		case models.ActRevoke:
			_, err = h.app.RevokeInvitation(ctx, cur, m.ID, meta(c))
			flash = "The invitation for " + m.Email + " was revoked."
		default:
			_, err = h.app.ChangeMemberStatus(ctx, cur, m.ID, act, meta(c))
			flash = map[models.MemberAction]string{
				models.ActTerminate: m.DisplayName() + " was terminated and has lost access.",
				models.ActRestore:   m.DisplayName() + " was restored.",
				models.ActApprove:   m.DisplayName() + " was approved.",
				models.ActReject:    m.DisplayName() + "'s request was rejected.",
				models.ActReapprove: m.DisplayName() + " was approved.",
			}[act]
		}
		if err != nil {
			return h.actionError(c, err, h.refuseIn(c, &d), m, act)
		}
		return h.done(c, flash, d.Back)
	}
}

// refuseIn shows a rule's refusal in a confirmation dialog: like every dialog's refusal, a
// 422 with the message above the form.
func (h *Handler) refuseIn(c echo.Context, d *views.MemberDialog) func(string) error {
	return func(msg string) error {
		d.Error = msg
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.ConfirmDialog(*d))
	}
}

// actionError answers a failed action: a rule refusal is shown in the dialog (refuse),
// a status that no longer offers the action is a 409 page, anything else goes to the error handler.
func (h *Handler) actionError(c echo.Context, err error, refuse func(string) error, m *models.Membership, act models.MemberAction) error {
	if msg := models.RefusalMessage(err); msg != "" {
		h.log.Info("member action refused", "action", act, "member", m.ID, "reason", msg)
		return refuse(msg)
	}
	if errors.Is(err, models.ErrTransition) {
		return checkOffered(m, act)
	}
	return err
}

// EditRolesForm shows the Edit roles dialog.
func (h *Handler) EditRolesForm(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	if err := checkOffered(m, models.ActEditRoles); err != nil {
		return err
	}
	cur := current(c)
	return h.renderDialog(c, http.StatusOK, views.EditRolesDialog(dialogFor(cur, m, models.ActEditRoles), roleOptions(cur, m.Roles)))
}

// EditRoles saves a member's roles under the role rules.
func (h *Handler) EditRoles(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	cur := current(c)
	roles := formRoles(c)
	d := dialogFor(cur, m, models.ActEditRoles)
	_, err = h.app.SetMemberRoles(c.Request().Context(), cur, m.ID, roles, meta(c))
	if err != nil {
		return h.actionError(c, err, func(msg string) error {
			d.Error = msg
			return h.renderDialog(c, http.StatusUnprocessableEntity, views.EditRolesDialog(d, roleOptions(cur, roles)))
		}, m, models.ActEditRoles)
	}
	return h.done(c, "Roles of "+m.DisplayName()+" saved.", d.Back)
}

func (h *Handler) detailsView(c echo.Context, f models.MemberDetailsRequest, errs models.FieldErrors) (views.DetailsForm, error) {
	depts, err := h.app.ListDepartments(c.Request().Context(), current(c))
	return views.DetailsForm{Department: f.Department, Depts: depts, Position: f.Position, JobID: f.JobID, Location: f.Location, Errors: errs}, err
}

// EditDetailsForm shows the Edit details dialog.
func (h *Handler) EditDetailsForm(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	if err := checkOffered(m, models.ActEditDetails); err != nil {
		return err
	}
	f := models.MemberDetailsRequest{Department: m.Department, Position: m.Position, JobID: m.JobID, Location: m.Location}
	v, err := h.detailsView(c, f, nil)
	if err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.EditDetailsDialog(dialogFor(current(c), m, models.ActEditDetails), v))
}

// EditDetails saves department, position, job ID and location.
func (h *Handler) EditDetails(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	cur := current(c)
	d := dialogFor(cur, m, models.ActEditDetails)
	f := models.MemberDetailsRequest{Department: c.FormValue("department"), Position: c.FormValue("position"), JobID: c.FormValue("job_id"), Location: c.FormValue("location")}
	_, err = h.app.UpdateMemberDetails(c.Request().Context(), cur, m.ID, f, meta(c))
	if errs, ok := fieldErrors(err); ok {
		v, err := h.detailsView(c, f, errs)
		if err != nil {
			return err
		}
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.EditDetailsDialog(d, v))
	}
	if err != nil {
		return h.actionError(c, err, func(msg string) error {
			d.Error = msg
			v, verr := h.detailsView(c, f, nil)
			if verr != nil {
				return verr
			}
			return h.renderDialog(c, http.StatusUnprocessableEntity, views.EditDetailsDialog(d, v))
		}, m, models.ActEditDetails)
	}
	return h.done(c, "Details of "+m.DisplayName()+" saved.", d.Back)
}

// ResetMFAForm asks before removing a member's second factors.
func (h *Handler) ResetMFAForm(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.ConfirmDialog(dialogFor(current(c), m, models.ActResetMFA)))
}

// ResetMFA removes a member's second factors and ends their sessions.
func (h *Handler) ResetMFA(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	d := dialogFor(current(c), m, models.ActResetMFA)
	if _, err := h.app.ResetMFA(c.Request().Context(), current(c), m.ID, meta(c)); err != nil {
		return h.actionError(c, err, h.refuseIn(c, &d), m, models.ActResetMFA)
	}
	return h.done(c, "Two-factor authentication of "+m.DisplayName()+" was reset. They will set it up again at their next login.", d.Back)
}
