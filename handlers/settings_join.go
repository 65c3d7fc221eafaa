package handlers

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/labstack/echo/v4"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/views"
)

// rulesView is the Settings page's "Joining rules" form from the organization.
func rulesView(org *models.Organization) views.RulesForm {
	return views.RulesForm{WhoMayInvite: org.WhoMayInvite, EnrollmentApproval: org.EnrollmentApproval,
		Required: org.Required(), Country: org.Country}
}

// joinView is the "Public invitation" card from the invitation as it is.
func joinView(jl *app.JoinLink) views.JoinLinkForm {
	f := views.JoinLinkForm{Enabled: jl.Enabled, Link: jl.Link, Code: jl.Code, Uses: jl.Uses,
		Domains: strings.ReplaceAll(jl.Org.JoinDomains, ",", ", ")}
	if t := jl.Org.JoinExpiresAt; t != nil {
		f.Expires = t.UTC().Add(-1).Format("2006-01-02")
	}
	if jl.Org.JoinMaxUses > 0 {
		f.MaxUses = strconv.Itoa(jl.Org.JoinMaxUses)
	}
	return f
}

// settingsPage renders the Settings page with its three forms; rules and join replace the
// stored values of their card when given (a refused submit keeps what was typed).
func (h *Handler) settingsPage(c echo.Context, status int, f views.SettingsForm, rules *views.RulesForm, join *views.JoinLinkForm) error {
	cur := current(c)
	jl, err := h.app.PublicInvitation(c.Request().Context(), cur)
	if err != nil {
		return err
	}
	f.Rules, f.Join = rulesView(jl.Org), joinView(jl)
	if rules != nil {
		f.Rules = *rules
	}
	if join != nil {
		join.Enabled, join.Link, join.Code, join.Uses = f.Join.Enabled, f.Join.Link, f.Join.Code, f.Join.Uses
		f.Join = *join
	}
	return h.render(c, status, views.SettingsPage(f))
}

// SaveRules saves who may invite, enrollment approval, the fields required at signup and the country.
func (h *Handler) SaveRules(c echo.Context) error {
	form, _ := c.FormParams()
	r := models.RulesRequest{WhoMayInvite: models.WhoMayInvite(c.FormValue("who_may_invite")),
		EnrollmentApproval: c.FormValue("enrollment_approval") == "on", Required: form["required_at_signup"], Country: c.FormValue("country")}
	_, err := h.app.UpdateRules(c.Request().Context(), current(c), r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		v := views.RulesForm{WhoMayInvite: r.WhoMayInvite, EnrollmentApproval: r.EnrollmentApproval, Country: r.Country, Errors: errs}
		for _, s := range r.Required {
			v.Required = append(v.Required, models.SignupField(s))
		}
		return h.settingsPage(c, http.StatusUnprocessableEntity, currentSettings(current(c)), &v, nil)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Joining rules saved.")
	return redirect(c, "/settings")
}

// currentSettings is the general settings form as stored.
func currentSettings(cur *models.Current) views.SettingsForm {
	org := cur.Org
	return settingsView(models.SettingsRequest{Name: org.Name, InviteLifetimeHours: strconv.Itoa(org.InviteLifetimeHours), MFAPolicy: org.MFAPolicy,
		MFAGraceDays: strconv.Itoa(org.MFAGraceDays), InviteQuota: strconv.Itoa(org.InviteQuota)}, nil)
}

// SaveJoinLink enables, disables or regenerates the public invitation, or saves its limits.
func (h *Handler) SaveJoinLink(c echo.Context) error {
	act := app.JoinLinkAction(c.FormValue("action"))
	r := models.JoinLinkRequest{Expires: c.FormValue("join_expires"), MaxUses: c.FormValue("join_max_uses"), Domains: c.FormValue("join_domains")}
	_, err := h.app.ChangePublicInvitation(c.Request().Context(), current(c), act, r, meta(c))
	if errs, ok := fieldErrors(err); ok {
		v := views.JoinLinkForm{Expires: r.Expires, MaxUses: r.MaxUses, Domains: r.Domains, Errors: errs}
		return h.settingsPage(c, http.StatusUnprocessableEntity, currentSettings(current(c)), nil, &v)
	}
	if err != nil {
		return err
	}
	h.flash(c, map[app.JoinLinkAction]string{
		app.JoinEnable:     "The public invitation is on.",
		app.JoinDisable:    "The public invitation is off: its link and join code no longer work.",
		app.JoinRegenerate: "New link and join code made: the old ones no longer work.",
		app.JoinSaveLimits: "Limits of the public invitation saved.",
	}[act])
	return redirect(c, "/settings")
}

// JoinQR downloads the QR code of the public invitation link as PNG or SVG.
func (h *Handler) JoinQR(c echo.Context) error {
	jl, err := h.app.PublicInvitation(c.Request().Context(), current(c))
	if err != nil {
		return err
	}
	if !jl.Enabled || jl.Link == "" {
		return models.ErrNotFound
	}
	code, err := qr.Encode(jl.Link, qr.M, qr.Auto)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Param("format") == "svg" {
		return c.Blob(http.StatusOK, "image/svg+xml", qrSVG(code))
	}
	if c.Param("format") != "png" {
		return models.ErrNotFound
	}
	img, err := barcode.Scale(code, 400, 400)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", buf.Bytes())
}

// qrSVG draws a QR code as SVG: one path of unit squares with a quiet zone of four modules.
func qrSVG(code barcode.Barcode) []byte {
	b := code.Bounds()
	n := b.Dx()
	var p strings.Builder
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := code.At(b.Min.X+x, b.Min.Y+y).RGBA(); r == 0 {
				fmt.Fprintf(&p, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	size := n + 8
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`+
		`<title>QR code of the public invitation link</title><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		size, size, size*8, size*8, p.String())
}
