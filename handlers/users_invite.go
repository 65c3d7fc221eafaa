package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"gatehouse/mail"
	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// inviteForm is the "Invite users" form.
type inviteForm struct {
	FirstName, LastName, Emails, Department, Position string
	Roles                                             []models.Role
	emails                                            []string
}

func parseInviteForm(c echo.Context) inviteForm {
	f := inviteForm{
		FirstName:  c.FormValue("first_name"),
		LastName:   c.FormValue("last_name"),
		Emails:     c.FormValue("emails"),
		Department: c.FormValue("department"),
		Position:   c.FormValue("position"),
	}
	f.Roles = formRoles(c)
	return f
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

// Validate cleans the fields, parses the email list and returns what is wrong.
func (f *inviteForm) Validate() models.FieldErrors {
	errs := models.FieldErrors{}
	var msg string
	for _, fld := range []struct {
		name, label string
		val         *string
		max         int
	}{
		{"first_name", "First name", &f.FirstName, models.MaxNameLen},
		{"last_name", "Last name", &f.LastName, models.MaxNameLen},
		{"department", "Department", &f.Department, models.MaxFieldLen},
		{"position", "Position", &f.Position, models.MaxFieldLen},
	} {
		if *fld.val, msg = models.CleanText(*fld.val, fld.max, fld.label); msg != "" {
			errs.Add(fld.name, msg)
		}
	}
	emails, invalid := models.ParseEmailList(f.Emails)
	switch {
	case len(invalid) > 0:
		msg := "Not valid email addresses: " + joinShort(invalid, 5) + ". Correct or remove them."
		if models.AnyMixedScript(invalid) {
			msg += " " + models.MixedScriptEmail
		}
		errs.Add("emails", msg)
	case len(emails) == 0:
		errs.Add("emails", "Enter at least one email address.")
	case len(emails) > models.MaxInvitesPerSubmission:
		errs.Add("emails", "You can invite at most "+strconv.Itoa(models.MaxInvitesPerSubmission)+" people at once; you entered "+strconv.Itoa(len(emails))+".")
	}
	f.emails = emails
	for _, r := range f.Roles {
		if !r.Valid() {
			errs.Add("roles", "Choose roles from the list.")
		}
	}
	if len(f.Roles) == 0 {
		errs.Add("roles", "Choose at least one role.")
	}
	return errs
}

func (f inviteForm) view(cur *models.Current, errs models.FieldErrors) views.InviteForm {
	return views.InviteForm{FirstName: f.FirstName, LastName: f.LastName, Emails: f.Emails, Department: f.Department,
		Position: f.Position, Roles: roleOptions(cur, f.Roles), Errors: errs}
}

// roleOptions lists the built-in roles with those checked, disabling the ones the actor may not grant.
func roleOptions(cur *models.Current, checked []models.Role) []views.RoleOption {
	actor := models.Actor{UserID: cur.User.ID, Permissions: cur.Permissions}
	out := make([]views.RoleOption, 0, len(models.BuiltinRoles))
	for _, r := range models.BuiltinRoles {
		out = append(out, views.RoleOption{Role: r, Checked: slices.Contains(checked, r), Disabled: models.CheckGrant(actor, []models.Role{r}) != nil})
	}
	return out
}

// InviteForm opens the "Invite users" dialog; members who may not invite are told whom to ask.
func (h *Handler) InviteForm(c echo.Context) error {
	cur := current(c)
	if !cur.Can(models.PermInviteMembers) {
		admins, err := h.store.FindInviters(c.Request().Context(), cur.Org.ID)
		if err != nil {
			return err
		}
		return h.renderDialog(c, http.StatusForbidden, views.AskAdminDialog(admins))
	}
	f := inviteForm{Roles: []models.Role{models.RoleViewer}}
	return h.renderDialog(c, http.StatusOK, views.InviteUsersDialog(f.view(cur, nil)))
}

// Invite sends the invitations and lists, per email, what happened.
func (h *Handler) Invite(c echo.Context) error {
	cur := current(c)
	f := parseInviteForm(c)
	if errs := f.Validate(); errs.Any() {
		return h.renderDialog(c, http.StatusUnprocessableEntity, views.InviteUsersDialog(f.view(cur, errs)))
	}
	expires := h.clock.Now().Add(time.Duration(cur.Org.InviteLifetimeHours) * time.Hour)
	in := store.InviteInput{FirstName: f.FirstName, LastName: f.LastName, Roles: f.Roles, Department: f.Department,
		Position: f.Position, ExpiresAt: expires, Quota: h.cfg.InviteQuota}
	for _, email := range f.emails {
		raw, hash := models.NewToken()
		first := ""
		if len(f.emails) == 1 {
			first = f.FirstName
		}
		in.People = append(in.People, store.InvitePerson{Email: email, TokenHash: hash, Message: h.invitationEmail(cur, first, raw, expires)})
	}
	outcomes, err := h.store.InviteMembers(c.Request().Context(), cur, in, meta(c))
	if msg := models.RefusalMessage(err); msg != "" {
		return h.renderDialog(c, http.StatusForbidden, views.InviteUsersDialog(f.view(cur, models.FieldErrors{"roles": msg})))
	}
	if err != nil {
		return err
	}
	h.pokeOutbox()
	lines := make([]views.InviteOutcome, len(outcomes))
	for i, o := range outcomes {
		lines[i] = h.outcomeView(o)
	}
	h.log.Info("invitations submitted", "user", cur.User.ID, "org", cur.Org.ID, "emails", len(outcomes))
	return h.renderDialog(c, http.StatusOK, views.InviteResultDialog(lines))
}

// invitationEmail composes the invitation email with the link for raw.
func (h *Handler) invitationEmail(cur *models.Current, firstName, raw string, expires time.Time) models.OutboxMessage {
	subject, text, html := mail.InvitationEmail(mail.InvitationData{
		OrgName: cur.Org.Name, InviterName: cur.User.DisplayName(), InviterEmail: cur.User.Email,
		RecipientFirstName: firstName, Link: h.inviteLink(raw), ExpiresAt: expires, Now: h.clock.Now(),
	})
	return models.OutboxMessage{Subject: subject, TextBody: text, HTMLBody: html}
}

// inviteLink is the signup link for a raw invitation token, built from --base-url.
func (h *Handler) inviteLink(raw string) string { return h.link("/invite/"+raw, nil) }

// outcomeView explains one email's outcome and, for an existing membership, offers the right action.
func (h *Handler) outcomeView(o store.InviteOutcome) views.InviteOutcome {
	v := views.InviteOutcome{Email: o.Email}
	switch o.Result {
	case store.InviteSent:
		v.Sent, v.Message = true, "Invitation sent"
	case store.InviteOverQuota:
		v.Message = "Not sent: you reached today's limit of " + strconv.Itoa(h.cfg.InviteQuota) + " invitations"
	case store.InviteExists:
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

func joinShort(items []string, n int) string {
	s := ""
	for i, it := range items {
		if i == n {
			return s + " and " + strconv.Itoa(len(items)-n) + " more"
		}
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s
}
