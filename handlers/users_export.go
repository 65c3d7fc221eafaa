package handlers

import (
	"net/http"
	"strings"
	"unicode/utf8"

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
	tab := models.ParseTab(c.QueryParam("tab"))
	query := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(query) > maxSearchRunes {
		query = string([]rune(query)[:maxSearchRunes])
	}
	status := tab.Status()
	if tab == models.TabPending && c.QueryParam("filter") == "rejected" {
		status = models.StatusRejected
	}
	f := models.MemberFilter{Status: status, Query: query, Sort: models.ParseSortKey(c.QueryParam("sort")),
		Desc: c.QueryParam("dir") == "desc", NoMFA: c.QueryParam("mfa") == "none"}
	cur := current(c)
	if !cur.Can(models.PermManageMembers) {
		return models.ErrForbidden
	}
	name := "gatehouse-" + string(tab) + "-members." + format
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
	_, err := h.app.ExportMembers(c.Request().Context(), cur, f, format, w, meta(c))
	return err
}
