package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/sheet"
)

// ExportMembers downloads the members the Users page lists with the same tab, search and
// filters, every page of them, as CSV or Excel; rows are written as they are read.
func (h *Handler) ExportMembers(c echo.Context) error {
	format := c.Param("format")
	if format != "csv" && format != "xlsx" {
		return echo.ErrNotFound
	}
	cur := current(c)
	if !cur.Can(models.PermManageMembers) {
		return models.ErrForbidden
	}
	q, f, _, depts, err := h.usersFilter(c, cur, c.QueryParam)
	if err != nil {
		return err
	}
	tab := q.Tab
	what := string(tab)
	for _, d := range depts {
		if d.ID == q.DeptID {
			what += "-" + fileNamePart(d.Name)
		}
	}
	name := "gatehouse-" + what + "-members." + format
	var w sheet.Writer
	if format == "xlsx" {
		setDownload(c, name, xlsxType)
		var err error
		if w, err = sheet.NewXLSX(c.Response(), "Members"); err != nil {
			return err
		}
	} else {
		setDownload(c, name, csvType)
		w = sheet.NewCSV(c.Response())
	}
	c.Response().WriteHeader(http.StatusOK)
	_, err = h.app.ExportMembers(c.Request().Context(), cur, f, format, w, meta(c))
	return err
}

// fileNamePart keeps a department's letters and digits for a download's name ("R&D" → "rd").
func fileNamePart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r == ' ' || r == '-' {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
