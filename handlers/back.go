package handlers

import (
	"net/url"
	"regexp"

	"github.com/labstack/echo/v4"
)

// backPaths are the pages a dialog may send its person back to: the Users page (any tab,
// page, sort and search) and a member's page. Nothing else, and nothing off this site.
var backPaths = regexp.MustCompile(`^/users(/[1-9][0-9]{0,18})?$`)

// localBack returns raw as a local path and query when it names one of backPaths, else "".
func localBack(raw string) string {
	if raw == "" || len(raw) > 2048 {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !backPaths.MatchString(u.Path) {
		return ""
	}
	out := u.Path
	if u.RawQuery != "" {
		out += "?" + u.Query().Encode()
	}
	return out
}

// backURL is where a dialog's Cancel and its successful submit lead: the form's or query's
// back parameter, else the page the dialog was opened from (the Referer, same-origin only,
// which htmx requests and plain links both send under Referrer-Policy: same-origin). Only a
// local Users page or member page is accepted; anything else gives "" (the action's default).
func backURL(c echo.Context) string {
	if b := localBack(c.FormValue("back")); b != "" {
		return b
	}
	ref, err := url.Parse(c.Request().Referer())
	if err != nil || ref.Host != c.Request().Host {
		return ""
	}
	return localBack(ref.RequestURI())
}
