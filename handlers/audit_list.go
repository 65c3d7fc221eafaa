package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// auditPageSize is how many events one Audit log page lists.
const auditPageSize = 50

// AuditList shows the organization's audit log, newest first, in keyset pages on id.
// Filters: action (one of models.AuditActions, else ignored), email (the Member email box)
// or member (a membership id, as the pager and the Target links carry it); app.ListAuditEvents
// resolves them. A member filter naming nobody in this organization lists nothing.
func (h *Handler) AuditList(c echo.Context) error {
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
	q := models.AuditQuery{Action: v.Action, Email: c.QueryParam("email"), Before: before, Limit: auditPageSize + 1}
	if id := c.QueryParam("member"); id != "" {
		if q.MemberID, err = strconv.ParseInt(id, 10, 64); err != nil || q.MemberID <= 0 {
			q.MemberID = -1 // names nobody
		}
	}
	page, err := h.app.ListAuditEvents(c.Request().Context(), current(c), q)
	if err != nil {
		return err
	}
	v.MemberEmail, v.NoMember = page.MemberEmail, page.NoMember
	if page.Member != nil {
		v.MemberID = page.Member.ID
	}
	evs := page.Events
	if len(evs) > auditPageSize {
		evs = evs[:auditPageSize]
		v.OlderHref = views.AuditHref(v.Action, v.MemberID, evs[len(evs)-1].ID)
	}
	v.Events = evs
	if v.Older {
		v.NewestHref = views.AuditHref(v.Action, v.MemberID, 0)
	}
	return h.render(c, http.StatusOK, views.AuditListPage(v))
}
