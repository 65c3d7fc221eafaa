package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// ApproveForm opens the Approve (or Re-approve) dialog: the roles to give, Viewer chosen.
func (h *Handler) ApproveForm(act models.MemberAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		m, err := h.member(c)
		if err != nil {
			return err
		}
		if err := checkOffered(m, act); err != nil {
			return err
		}
		cur := current(c)
		return h.renderDialog(c, http.StatusOK, views.ApproveDialog(approveDialog(cur, m, act), roleOptions(cur, models.RolesOnActivation(m.Roles))))
	}
}

func approveDialog(cur *models.Current, m *models.Membership, act models.MemberAction) views.MemberDialog {
	d := dialogFor(cur, m, act)
	d.Message = "Let " + m.DisplayName() + " (" + m.Email + ") into " + cur.Org.Name + " with the roles chosen below. They are emailed."
	return d
}

// Approve lets a pending or rejected person in with the roles chosen.
func (h *Handler) Approve(act models.MemberAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		m, err := h.member(c)
		if err != nil {
			return err
		}
		cur := current(c)
		roles := formRoles(c)
		d := approveDialog(cur, m, act)
		if _, err := h.app.ApproveRequest(c.Request().Context(), cur, m.ID, act, roles, meta(c)); err != nil {
			return h.actionError(c, err, func(msg string) error {
				d.Error = msg
				return h.renderDialog(c, http.StatusUnprocessableEntity, views.ApproveDialog(d, roleOptions(cur, roles)))
			}, m, act)
		}
		return h.done(c, m.DisplayName()+" was approved.", d.Back)
	}
}

// RejectForm opens the Reject dialog with its optional reason.
func (h *Handler) RejectForm(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	if err := checkOffered(m, models.ActReject); err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.RejectDialog(dialogFor(current(c), m, models.ActReject), "", ""))
}

// Reject refuses a pending request, emailing the reason when one is given.
func (h *Handler) Reject(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	cur := current(c)
	reason := c.FormValue("reason")
	d := dialogFor(cur, m, models.ActReject)
	_, err = h.app.RejectRequest(c.Request().Context(), cur, m.ID, reason, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.RejectDialog(d, reason, errs["reason"]))
	}
	if err != nil {
		return h.actionError(c, err, func(msg string) error {
			d.Error = msg
			return h.renderDialog(c, http.StatusUnprocessableEntity, views.RejectDialog(d, reason, ""))
		}, m, models.ActReject)
	}
	return h.done(c, m.DisplayName()+"'s request was rejected.", d.Back)
}
