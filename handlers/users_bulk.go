package handlers

import (
	"net/http"

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

// BulkAction confirms, then applies, an action to the members selected on a Users page tab:
// the ticked rows, every row of the page, or every member the tab, search and filters list
// ("matching", re-read on the server at each step, at most app.MaxBulkMatching). Edit details
// asks what to change instead of confirming. The result says how many it succeeded for and
// why not for the others.
func (h *Handler) BulkAction(c echo.Context) error {
	ctx, cur := c.Request().Context(), current(c)
	tab := models.ParseTab(c.FormValue("tab"))
	act := models.MemberAction(c.FormValue("action"))
	offered := false
	for _, o := range bulkOptions(cur, tab) {
		offered = offered || o.Value == string(act)
	}
	if !offered {
		return models.ErrForbidden
	}
	target := views.BulkTarget{Tab: tab}
	var ids []int64
	var selErr error
	switch c.FormValue("scope") {
	case "matching":
		q, f, _, _, err := h.usersFilter(c, cur, c.FormValue)
		if err != nil {
			return err
		}
		q.Tab = tab
		target.Matching = &q
		ids, selErr = h.app.MatchingMembers(ctx, cur, f)
		if selErr != nil {
			if _, ok := fieldErrors(selErr); !ok {
				return selErr
			}
		}
	case "page":
		ids = formIDs(c, "page_ids")
	default:
		ids = formIDs(c, "ids")
	}
	if target.Matching == nil {
		if len(ids) == 0 {
			h.flash(c, "Select at least one member, or use Apply to all on this page.")
			return redirect(c, views.TabHref(tab))
		}
		ids = ids[:min(len(ids), app.MaxBulk)]
		target.IDs = ids
	}
	target.Count = len(ids)
	selMsg := ""
	if errs, ok := fieldErrors(selErr); ok {
		selMsg = errs["ids"]
	} else if len(ids) == 0 {
		selMsg = "No member matches any more."
	}
	if act == models.ActEditDetails {
		return h.bulkEdit(c, target, ids, selMsg)
	}
	if c.FormValue("confirm") != "1" || selMsg != "" {
		danger := act == models.ActTerminate || act == models.ActRevoke || act == models.ActReject
		return h.render(c, http.StatusOK, views.BulkConfirmPage(views.BulkConfirm{Target: target, Action: act, Danger: danger, Error: selMsg}))
	}
	res, err := h.app.BulkAction(ctx, cur, act, ids, meta(c))
	if err != nil {
		return err
	}
	return h.bulkDone(c, tab, act, res)
}

// bulkEdit shows the bulk Edit details form, and saves it once submitted.
func (h *Handler) bulkEdit(c echo.Context, target views.BulkTarget, ids []int64, selMsg string) error {
	ctx, cur := c.Request().Context(), current(c)
	depts, err := h.app.ListDepartments(ctx, cur)
	if err != nil {
		return err
	}
	edit := models.BulkDetailsRequest{}
	for name, fe := range map[string]*models.FieldEdit{"department": &edit.Department, "position": &edit.Position, "location": &edit.Location} {
		*fe = models.FieldEdit{Op: models.EditOp(c.FormValue(name + "_op")), Value: c.FormValue(name)}
	}
	form := views.BulkEditForm{Target: target, Departments: depts, Edit: edit, Error: selMsg}
	if c.FormValue("confirm") != "1" || selMsg != "" {
		form.Edit = models.BulkDetailsRequest{}
		return h.render(c, http.StatusOK, views.BulkEditPage(form))
	}
	res, err := h.app.BulkEditDetails(ctx, cur, ids, edit, meta(c))
	if errs, ok := fieldErrors(err); ok {
		form.Errors = errs
		return h.render(c, http.StatusUnprocessableEntity, views.BulkEditPage(form))
	}
	if err != nil {
		return err
	}
	return h.bulkDone(c, target.Tab, models.ActEditDetails, res)
}

func (h *Handler) bulkDone(c echo.Context, tab models.Tab, act models.MemberAction, res *app.BulkResult) error {
	v := views.BulkDone{Tab: tab, Action: act, Succeeded: res.Succeeded}
	for _, f := range res.Failed {
		v.Failed = append(v.Failed, views.BulkFailure{Email: f.Email, Reason: f.Reason})
	}
	return h.render(c, http.StatusOK, views.BulkResultPage(v))
}
