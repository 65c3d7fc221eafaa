package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// memberHistory is how many audit events the member page shows.
const memberHistory = 50

// MemberPage shows one member: details, invitation, last login, MFA (to those who may manage
// members), their history from the audit log (to those who may read it), and the actions
// their status allows, the same as the row menu's. Another organization's id answers 404.
func (h *Handler) MemberPage(c echo.Context) error {
	ctx := c.Request().Context()
	cur := current(c)
	m, err := h.member(c)
	if err != nil {
		return err
	}
	v := views.MemberView{Member: *m, Now: h.clock.Now(), ShowMFA: cur.Can(models.PermManageMembers)}
	if m.UserID != nil {
		u, err := h.store.FindUser(ctx, *m.UserID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
		if u != nil {
			m.UserMFA = u.MFAEnabled
			v.Member.UserMFA = u.MFAEnabled
		}
	}
	if m.InvitedByID != nil {
		if by, err := h.store.FindMember(ctx, cur.Org.ID, *m.InvitedByID); err == nil {
			v.InvitedBy = by.DisplayName()
		} else if !errors.Is(err, models.ErrNotFound) {
			return err
		}
	}
	if m.Status == models.StatusInvited {
		st, err := h.inviteStatuses(ctx, cur.Org.ID, []models.Membership{*m})
		if err != nil {
			return err
		}
		if s, ok := st[m.ID]; ok {
			v.Invite = &s
		}
	}
	if cur.Can(models.PermViewAudit) {
		v.ShowHistory = true
		if v.History, err = h.store.FindAuditEvents(ctx, store.AuditFilter{OrgID: &cur.Org.ID, MemberID: m.ID, Limit: memberHistory}); err != nil {
			return err
		}
	}
	v.Actions = rowActions(cur, []models.Membership{*m})[m.ID]
	v.Back = views.TabHref(models.TabOf(m.Status))
	if b := backURL(c); b != "" && b != views.MemberHref(m.ID) {
		v.Back = b
	}
	return h.render(c, http.StatusOK, views.MemberPage(v))
}
