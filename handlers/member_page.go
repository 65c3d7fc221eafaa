package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// MemberPage shows one member: details, invitation, last login, MFA (to those who may manage
// members), their history from the audit log (to those who may read it), and the actions
// their status allows, the same as the row menu's. Another organization's id answers 404.
func (h *Handler) MemberPage(c echo.Context) error {
	ctx := c.Request().Context()
	cur := current(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	p, err := h.app.FindMemberProfile(ctx, cur, id)
	if err != nil {
		return err
	}
	m := p.Member
	v := views.MemberView{Member: *m, Now: h.clock.Now(), ShowMFA: cur.Can(models.PermManageMembers), InvitedBy: p.InvitedBy,
		ShowHistory: cur.Can(models.PermViewAudit), History: p.History, ShowApps: p.Apps != nil}
	for _, a := range p.Apps {
		v.Apps = append(v.Apps, views.MemberApp{Name: a.App.Name, Enabled: a.App.Enabled, Direct: a.Direct, Roles: a.Roles})
	}
	if m.Status == models.StatusInvited {
		st, err := h.inviteStatuses(ctx, cur, []models.Membership{*m})
		if err != nil {
			return err
		}
		if s, ok := st[m.ID]; ok {
			v.Invite = &s
		}
	}
	v.Actions = rowActions(cur, []models.Membership{*m})[m.ID]
	v.Back = views.TabHref(models.TabOf(m.Status))
	if b := backURL(c); b != "" && b != views.MemberHref(m.ID) {
		v.Back = b
	}
	return h.render(c, http.StatusOK, views.MemberPage(v))
}
