package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// appID is the :id of an app route; anything but a positive number is not found.
func appID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

func appRequest(c echo.Context) models.AppRequest {
	return models.AppRequest{Name: c.FormValue("name"), Description: c.FormValue("description"), URLs: c.FormValue("urls")}
}

func appFormOf(a *models.App) views.AppForm {
	return views.AppForm{ID: a.ID, Name: a.Name, Description: a.Description, URLs: models.AppURLs(a.URLs), Enabled: a.Enabled, Roles: a.Roles}
}

// Apps lists the organization's apps.
func (h *Handler) Apps(c echo.Context) error {
	apps, err := h.app.ListApps(c.Request().Context(), current(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.AppsPage(views.AppsView{Apps: apps, CanRotateKey: current(c).Can(models.PermManageOwners)}))
}

// NewAppForm shows the Add app form.
func (h *Handler) NewAppForm(c echo.Context) error {
	return h.render(c, http.StatusOK, views.AppFormPage(views.AppForm{}))
}

// AddApp adds an app.
func (h *Handler) AddApp(c echo.Context) error {
	r := appRequest(c)
	a, err := h.app.AddApp(c.Request().Context(), current(c), r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.render(c, http.StatusUnprocessableEntity, views.AppFormPage(views.AppForm{Name: r.Name, Description: r.Description, URLs: r.URLs, Errors: errs}))
	}
	if err != nil {
		return err
	}
	h.flash(c, a.Name+" added. Give members access from the Users page (Edit access), or by role below.")
	return redirect(c, "/apps/"+strconv.FormatInt(a.ID, 10))
}

// EditAppForm shows an app's edit page, with its roles.
func (h *Handler) EditAppForm(c echo.Context) error {
	id, err := appID(c)
	if err != nil {
		return err
	}
	return h.renderAppPage(c, id, http.StatusOK, views.OIDCClients{})
}

// renderAppPage renders an app's edit page with its OIDC clients section as given.
func (h *Handler) renderAppPage(c echo.Context, id int64, status int, oidc views.OIDCClients) error {
	ctx := c.Request().Context()
	a, err := h.app.FindApp(ctx, current(c), id)
	if err != nil {
		return err
	}
	if oidc.Clients, err = h.app.ListOIDCClients(ctx, current(c), id); err != nil {
		return err
	}
	oidc.Issuer = strings.TrimSuffix(h.cfg.BaseURL.String(), "/")
	f := appFormOf(a)
	f.OIDC = oidc
	return h.render(c, status, views.AppFormPage(f))
}

// AddOIDCClient adds an OpenID Connect client to an app and shows its secret, this once
// (rendered, never put in the flash cookie).
func (h *Handler) AddOIDCClient(c echo.Context) error {
	id, err := appID(c)
	if err != nil {
		return err
	}
	r := models.OIDCClientRequest{RedirectURIs: c.FormValue("redirect_uris")}
	nc, err := h.app.AddOIDCClient(c.Request().Context(), current(c), id, r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.renderAppPage(c, id, http.StatusUnprocessableEntity, views.OIDCClients{RedirectURIs: r.RedirectURIs, Errors: errs})
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.renderAppPage(c, id, http.StatusOK, views.OIDCClients{NewClientID: nc.Client.ClientID, NewSecret: nc.Secret})
}

// RemoveOIDCClient removes one of an app's OpenID Connect clients.
func (h *Handler) RemoveOIDCClient(c echo.Context) error {
	id, err := appID(c)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil || cid <= 0 {
		return models.ErrNotFound
	}
	if err := h.app.RemoveOIDCClient(c.Request().Context(), current(c), id, cid, meta(c)); err != nil {
		return err
	}
	h.flash(c, "Client removed: the app can no longer sign people in with it.")
	return redirect(c, "/apps/"+strconv.FormatInt(id, 10)+"#oidc")
}

// UpdateApp saves an app's name, description and URLs.
func (h *Handler) UpdateApp(c echo.Context) error {
	id, err := appID(c)
	if err != nil {
		return err
	}
	r := appRequest(c)
	a, err := h.app.UpdateApp(c.Request().Context(), current(c), id, r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		old, err := h.app.FindApp(c.Request().Context(), current(c), id)
		if err != nil {
			return err
		}
		f := appFormOf(old)
		f.Name, f.Description, f.URLs, f.Errors = r.Name, r.Description, r.URLs, errs
		return h.render(c, http.StatusUnprocessableEntity, views.AppFormPage(f))
	}
	if err != nil {
		return err
	}
	h.flash(c, a.Name+" saved.")
	return redirect(c, "/apps")
}

// SaveAppRoles sets the roles that carry an app.
func (h *Handler) SaveAppRoles(c echo.Context) error {
	id, err := appID(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	var roles []models.Role
	for _, r := range form["roles"] {
		roles = append(roles, models.Role(r))
	}
	if err := h.app.SetAppRoles(c.Request().Context(), current(c), id, roles, meta(c)); err != nil {
		return err
	}
	h.flash(c, "Roles saved.")
	return redirect(c, "/apps/"+strconv.FormatInt(id, 10))
}

// appConfirms are the app actions that confirm first: label, message and whether destructive.
var appConfirms = map[string]struct {
	label, message string
	danger         bool
}{
	"enable":  {"Enable", "Members with access can use the app again at once.", false},
	"disable": {"Disable", "Everyone is refused at the app from their next request until it is enabled again. Who has access is kept.", true},
	"delete":  {"Delete", "The app, its URLs and who had access to it are deleted. Requests to its URLs are refused from now on.", true},
}

// ConfirmApp asks before enabling, disabling or deleting an app.
func (h *Handler) ConfirmApp(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := appID(c)
		if err != nil {
			return err
		}
		a, err := h.app.FindApp(c.Request().Context(), current(c), id)
		if err != nil {
			return err
		}
		cf := appConfirms[action]
		return h.renderDialog(c, http.StatusOK, views.AppConfirmDialog(*a, action, cf.label, cf.message, cf.danger))
	}
}

// DoApp enables, disables or deletes an app.
func (h *Handler) DoApp(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := appID(c)
		if err != nil {
			return err
		}
		ctx, cur := c.Request().Context(), current(c)
		a, err := h.app.FindApp(ctx, cur, id)
		if err != nil {
			return err
		}
		switch action {
		case "enable":
			err = h.app.EnableApp(ctx, cur, id, meta(c))
		case "disable":
			err = h.app.DisableApp(ctx, cur, id, meta(c))
		default:
			err = h.app.DeleteApp(ctx, cur, id, meta(c))
		}
		if err != nil {
			return err
		}
		done := map[string]string{"enable": " enabled.", "disable": " disabled.", "delete": " deleted."}[action]
		return h.done(c, a.Name+done, "/apps")
	}
}

func accessHref(memberID int64) string {
	return "/users/" + strconv.FormatInt(memberID, 10) + "/access"
}

func (h *Handler) accessDialog(c echo.Context) (views.AccessDialog, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return views.AccessDialog{}, models.ErrNotFound
	}
	acc, err := h.app.MemberAccess(c.Request().Context(), current(c), id)
	if err != nil {
		return views.AccessDialog{}, err
	}
	return views.AccessDialog{Member: *acc.Member, Apps: acc.Apps, Direct: acc.Direct, ByRole: acc.ByRole, Disabled: acc.Disabled,
		Back: views.TabHref(models.TabOf(acc.Member.Status))}, nil
}

// EditAccessForm shows the Edit access dialog: which enabled apps a member may use.
func (h *Handler) EditAccessForm(c echo.Context) error {
	d, err := h.accessDialog(c)
	if err != nil {
		return err
	}
	return h.renderDialog(c, http.StatusOK, views.EditAccessDialog(d))
}

// EditAccess saves which enabled apps a member may use.
func (h *Handler) EditAccess(c echo.Context) error {
	d, err := h.accessDialog(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	var ids []int64
	for _, v := range form["apps"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return models.ErrNotFound
		}
		ids = append(ids, id)
	}
	if err := h.app.SetMemberApps(c.Request().Context(), current(c), d.Member.ID, ids, meta(c)); err != nil {
		return err
	}
	return h.done(c, "Access of "+d.Member.DisplayName()+" saved.", d.Back)
}
