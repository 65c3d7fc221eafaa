package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// bulkOptions are the bulk actions cur may take on tab's members.
func bulkOptions(cur *models.Current, tab models.Tab) []views.BulkOption {
	var out []views.BulkOption
	for _, act := range app.BulkActions[tab] {
		if cur.Can(act.Permission()) {
			out = append(out, views.BulkOption{Value: string(act), Label: act.Label()})
		}
	}
	return out
}

// BulkAction confirms, then applies, an action to the members selected on a Users page tab
// (the ticked rows, or every row of the page) and shows how many it succeeded for and why not
// for the others.
func (h *Handler) BulkAction(c echo.Context) error {
	cur := current(c)
	tab := models.ParseTab(c.FormValue("tab"))
	act := models.MemberAction(c.FormValue("action"))
	params, _ := c.FormParams()
	field := "ids"
	if c.FormValue("scope") == "page" {
		field = "page_ids"
	}
	var ids []int64
	for _, s := range params[field] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	offered := false
	for _, o := range bulkOptions(cur, tab) {
		offered = offered || o.Value == string(act)
	}
	if !offered {
		return models.ErrForbidden
	}
	if len(ids) == 0 {
		h.flash(c, "Select at least one member, or use Apply to all on this page.")
		return redirect(c, views.TabHref(tab))
	}
	if len(ids) > app.MaxBulk {
		ids = ids[:app.MaxBulk]
	}
	if c.FormValue("confirm") != "1" {
		danger := act == models.ActTerminate || act == models.ActRevoke || act == models.ActReject
		return h.render(c, http.StatusOK, views.BulkConfirmPage(views.BulkConfirm{Tab: tab, Action: act, IDs: ids, Danger: danger}))
	}
	res, err := h.app.BulkAction(c.Request().Context(), cur, act, ids, meta(c))
	if err != nil {
		return err
	}
	v := views.BulkDone{Tab: tab, Action: act, Succeeded: res.Succeeded}
	for _, f := range res.Failed {
		v.Failed = append(v.Failed, views.BulkFailure{Email: f.Email, Reason: f.Reason})
	}
	return h.render(c, http.StatusOK, views.BulkResultPage(v))
}
