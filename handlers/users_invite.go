package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

func parseInviteForm(c echo.Context) models.InviteRequest {
	return models.InviteRequest{
		FirstName:  c.FormValue("first_name"),
		LastName:   c.FormValue("last_name"),
		Emails:     c.FormValue("emails"),
		Phones:     c.FormValue("phones"),
		Department: c.FormValue("department"),
		Position:   c.FormValue("position"),
		Roles:      formRoles(c),
		Apps:       formAppIDs(c),
		People:     formIDs(c, "people"),
	}
}

// formAppIDs reads the "apps" checkboxes; a value that is not an id is kept as 0, which no app
// has, so the use case refuses it.
func formAppIDs(c echo.Context) []int64 {
	params, _ := c.FormParams()
	var ids []int64
	for _, v := range params["apps"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// inviteDialog renders the invite dialog with the organization's enabled apps to choose from.
func (h *Handler) inviteDialog(c echo.Context, status int, f models.InviteRequest, errs models.FieldErrors) error {
	cur := current(c)
	apps, err := h.app.InviteApps(c.Request().Context(), cur)
	if err != nil {
		return err
	}
	v := inviteView(f, cur, errs)
	if v.People, err = h.peopleChoice(c, f.People); err != nil {
		return err
	}
	if v.Depts, err = h.app.ListDepartments(c.Request().Context(), cur); err != nil {
		return err
	}
	for _, a := range apps {
		v.Apps = append(v.Apps, views.AppOption{ID: a.ID, Name: a.Name, Checked: slices.Contains(f.Apps, a.ID)})
	}
	return h.renderDialog(c, status, views.InviteUsersDialog(v))
}

// formRoles reads the "roles" checkboxes; unknown values are kept so validation can refuse them.
func formRoles(c echo.Context) []models.Role {
	params, _ := c.FormParams()
	var roles []models.Role
	for _, r := range params["roles"] {
		roles = append(roles, models.Role(r))
	}
	return roles
}

func inviteView(f models.InviteRequest, cur *models.Current, errs models.FieldErrors) views.InviteForm {
	return views.InviteForm{FirstName: f.FirstName, LastName: f.LastName, Emails: f.Emails, Phones: f.Phones, Country: cur.Org.Country,
		Department: f.Department, Position: f.Position, Roles: roleOptions(cur, f.Roles), Errors: errs}
}

// roleOptions lists the built-in roles with those checked, disabling the ones the actor may not grant.
func roleOptions(cur *models.Current, checked []models.Role) []views.RoleOption {
	out := make([]views.RoleOption, 0, len(models.BuiltinRoles))
	for _, r := range models.BuiltinRoles {
		out = append(out, views.RoleOption{Role: r, Checked: slices.Contains(checked, r), Disabled: models.CheckGrant(cur.Actor(), []models.Role{r}) != nil})
	}
	return out
}

// InviteForm opens the "Invite users" dialog; members who may not invite are told whom to ask.
func (h *Handler) InviteForm(c echo.Context) error {
	cur := current(c)
	if !h.app.MayInvite(cur) {
		admins, err := h.app.FindInviters(c.Request().Context(), cur)
		if err != nil {
			return err
		}
		return h.renderDialog(c, http.StatusForbidden, views.AskAdminDialog(admins))
	}
	f := models.InviteRequest{Roles: []models.Role{models.RoleViewer}}
	if _, searched := c.QueryParams()["people_q"]; searched {
		// Search in "People from your other organizations" without JavaScript: the form comes back as typed.
		if f = parseInviteForm(c); len(f.Roles) == 0 {
			f.Roles = []models.Role{models.RoleViewer}
		}
	}
	return h.inviteDialog(c, http.StatusOK, f, nil)
}

// Invite sends the invitations and lists, per email, what happened.
func (h *Handler) Invite(c echo.Context) error {
	cur := current(c)
	f := parseInviteForm(c)
	outcomes, err := h.app.Invite(c.Request().Context(), cur, f, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.inviteDialog(c, http.StatusUnprocessableEntity, f, errs)
	}
	if msg := models.RefusalMessage(err); msg != "" {
		return h.inviteDialog(c, http.StatusForbidden, f, models.FieldErrors{"roles": msg})
	}
	if err != nil {
		return err
	}
	lines := make([]views.InviteOutcome, len(outcomes))
	for i, o := range outcomes {
		lines[i] = h.outcomeView(o)
	}
	return h.renderDialog(c, http.StatusOK, views.InviteResultDialog(lines))
}

// outcomeView explains one email's outcome and, for an existing membership, offers the right action.
func (h *Handler) outcomeView(o models.InviteOutcome) views.InviteOutcome {
	v := views.InviteOutcome{Email: o.Email}
	switch o.Result {
	case models.InviteSent:
		v.Sent, v.Message = true, "Invitation sent"
	case models.InviteHeld:
		v.Message = "Saved, but not sent: no text message provider is configured. The message waits on the Outbox page; use Copy invite link to send the link yourself"
	case models.InviteOverQuota:
		v.Message = "Not sent: today's limit of invitation emails is reached (Settings sets yours; each IP address sends at most " + strconv.Itoa(h.app.Config().InviteQuota) + " a day)"
	case models.InviteExists:
		m := o.Existing
		switch m.Status {
		case models.StatusActive:
			v.Message = "Already a member"
		case models.StatusInvited:
			v.Message, v.Action = "Already invited", views.MenuItem{Label: "Reinvite", Href: memberActionHref(m.ID, models.ActReinvite)}
		case models.StatusPending:
			v.Message, v.Action = "Awaiting approval", views.MenuItem{Label: "Approve", Href: memberActionHref(m.ID, models.ActApprove)}
		case models.StatusRejected:
			v.Message, v.Action = "Rejected earlier", views.MenuItem{Label: "Re-approve", Href: memberActionHref(m.ID, models.ActReapprove)}
		case models.StatusTerminated:
			v.Message, v.Action = "Removed earlier", views.MenuItem{Label: "Restore", Href: memberActionHref(m.ID, models.ActRestore)}
			v.Warning = "Restoring gives the old account back, with its roles and history. If a different person now uses this mailbox, invite them under another address instead."
		}
	}
	return v
}
