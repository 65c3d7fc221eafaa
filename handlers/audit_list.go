package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/views"
)

// auditPageSize is how many events one Audit log page lists.
const auditPageSize = 50

// AuditList shows the organization's audit log, newest first, in keyset pages on id.
// Filters: action (one of models.AuditActions, else ignored), email (the Member email box,
// resolved to a membership here) or member (a membership id, as the pager and the Target
// links carry it). A member filter naming nobody in this organization lists nothing.
func (h *Handler) AuditList(c echo.Context) error {
	ctx := c.Request().Context()
	org := current(c).Org
	v := views.AuditView{Now: h.clock.Now()}
	for _, a := range models.AuditActions {
		if c.QueryParam("action") == string(a) {
			v.Action = a
		}
	}
	before, err := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if err != nil || before < 0 {
		before = 0
	}
	v.Older = before > 0

	m, err := h.auditMember(ctx, org, c.QueryParam("email"), c.QueryParam("member"), &v)
	if err != nil {
		return err
	}
	if v.NoMember == "" {
		f := store.AuditFilter{OrgID: &org.ID, Action: v.Action, Before: before, Limit: auditPageSize + 1}
		if m != nil {
			f.MemberID, v.MemberID, v.MemberEmail = m.ID, m.ID, m.Email
		}
		evs, err := h.store.FindAuditEvents(ctx, f)
		if err != nil {
			return err
		}
		if len(evs) > auditPageSize {
			evs = evs[:auditPageSize]
			v.OlderHref = views.AuditHref(v.Action, v.MemberID, evs[len(evs)-1].ID)
		}
		v.Events = evs
	}
	if v.Older {
		v.NewestHref = views.AuditHref(v.Action, v.MemberID, 0)
	}
	return h.render(c, http.StatusOK, views.AuditListPage(v))
}

// auditMember resolves the member filter: an email typed in the Member email box wins over a
// membership id. It returns nil when there is no filter, and sets v.NoMember when the filter
// names nobody in org — another organization's member included, so nothing of theirs shows.
func (h *Handler) auditMember(ctx context.Context, org models.Organization, email, id string, v *views.AuditView) (*models.Membership, error) {
	email = strings.ToValidUTF8(strings.TrimSpace(email), "")
	var m *models.Membership
	var err error
	switch {
	case email != "":
		v.MemberEmail = cutUTF8(email, models.MaxEmailLen)
		if len(email) > models.MaxEmailLen {
			err = models.ErrNotFound // no address is that long
		} else {
			m, err = h.store.FindMemberByEmail(ctx, org.ID, email)
		}
		if errors.Is(err, models.ErrNotFound) {
			v.NoMember = "No member of " + org.Name + " has the email “" + models.NormalizeEmail(v.MemberEmail) + "”."
			return nil, nil
		}
	case id != "":
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil || n <= 0 {
			err = models.ErrNotFound
		} else {
			m, err = h.store.FindMember(ctx, org.ID, n)
		}
		if errors.Is(err, models.ErrNotFound) {
			v.NoMember = "That member is not in " + org.Name + "."
			return nil, nil
		}
	}
	return m, err
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
