package handlers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/sheet"
	"gatehouse/views"
)

// importBodyLimit bounds an upload request: the 5 MB file and the form around it, so a file a
// little over 5 MB still reaches sheet.Parse and gets its message. The confirm form carries
// the file again, base64 (4/3 of it; the URL alphabet, so the form encoding adds nothing).
const (
	importBodyLimit  = "7M"
	confirmBodyLimit = "8M"
)

// ImportForm shows the "Import users" page.
func (h *Handler) ImportForm(c echo.Context) error {
	return h.importForm(c, http.StatusOK, "")
}

func (h *Handler) importForm(c echo.Context, status int, msg string) error {
	left, unlimited, err := h.app.InviteQuotaLeft(c.Request().Context(), current(c), meta(c))
	if err != nil {
		return err
	}
	apps, err := h.inviteAppNames(c)
	if err != nil {
		return err
	}
	depts, err := h.departmentNames(c)
	if err != nil {
		return err
	}
	return h.render(c, status, views.ImportPage(views.ImportForm{QuotaLeft: left, Unlimited: unlimited, Error: msg, Apps: apps, Departments: depts}))
}

// departmentNames names the organization's departments, which an import row's Department must be.
func (h *Handler) departmentNames(c echo.Context) ([]string, error) {
	list, err := h.app.ListDepartments(c.Request().Context(), current(c))
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.Name
	}
	return names, err
}

// inviteAppNames names the organization's enabled apps, which an import row may grant.
func (h *Handler) inviteAppNames(c echo.Context) ([]string, error) {
	apps, err := h.app.InviteApps(c.Request().Context(), current(c))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = a.Name
	}
	return names, nil
}

// ImportTemplate downloads the import template as CSV or Excel.
func (h *Handler) ImportTemplate(c echo.Context) error {
	names, err := h.inviteAppNames(c)
	if err != nil {
		return err
	}
	depts, err := h.departmentNames(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if c.Param("format") == "xlsx" {
		if err := sheet.TemplateXLSX(&buf, views.RoleNames(), names, depts); err != nil {
			return err
		}
		return download(c, "gatehouse-import-template.xlsx", xlsxType, buf.Bytes())
	}
	if err := sheet.TemplateCSV(&buf, names, depts); err != nil {
		return err
	}
	return download(c, "gatehouse-import-template.csv", csvType, buf.Bytes())
}

const (
	csvType  = "text/csv; charset=utf-8"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func download(c echo.Context, name, ctype string, data []byte) error {
	setDownload(c, name, ctype)
	return c.Blob(http.StatusOK, ctype, data)
}

func setDownload(c echo.Context, name, ctype string) {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, ctype)
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
}

// ImportPreview reads the uploaded file and shows what importing it would do; nothing is written.
func (h *Handler) ImportPreview(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return h.importForm(c, http.StatusRequestEntityTooLarge, sheet.ErrTooLarge.Msg)
		}
		return h.importForm(c, http.StatusUnprocessableEntity, "Choose a CSV or Excel file to upload.")
	}
	if fh.Size > sheet.MaxBytes {
		return h.importForm(c, http.StatusUnprocessableEntity, sheet.ErrTooLarge.Msg)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sheet.MaxBytes+1))
	if err != nil {
		return err
	}
	p, err := h.app.PreviewImport(c.Request().Context(), current(c), bytes.NewReader(data), meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.importForm(c, http.StatusUnprocessableEntity, errs["file"])
	}
	if err != nil {
		return err
	}
	name, _ := models.CleanText(fh.Filename, models.MaxFieldLen, "")
	return h.render(c, http.StatusOK, views.ImportPreviewPage(views.ImportPreview{FileName: name, Data: base64.RawURLEncoding.EncodeToString(data),
		Rows: p.Rows, Counts: p.Counts, QuotaLeft: p.QuotaLeft, Unlimited: p.Unlimited}))
}

// ImportConfirm starts the import the preview showed and goes to its progress page.
func (h *Handler) ImportConfirm(c echo.Context) error {
	data, err := base64.RawURLEncoding.DecodeString(c.FormValue("data"))
	if err != nil || len(data) == 0 {
		return h.importForm(c, http.StatusUnprocessableEntity, "The preview expired or was incomplete: upload the file again.")
	}
	imp, err := h.app.ConfirmImport(c.Request().Context(), current(c), c.FormValue("file_name"), bytes.NewReader(data), meta(c))
	if errs, ok := fieldErrors(err); ok {
		return h.importForm(c, http.StatusUnprocessableEntity, errs["file"])
	}
	if err != nil {
		return err
	}
	return redirect(c, "/users/import/"+strconv.FormatInt(imp.ID, 10))
}

// ImportStatus shows an import's progress (the card alone when htmx polls it).
func (h *Handler) ImportStatus(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	imp, err := h.app.FindImport(c.Request().Context(), current(c), id)
	if err != nil {
		return err
	}
	if wantsFragment(c, "import-progress") {
		return h.render(c, http.StatusOK, views.ImportProgress(*imp))
	}
	return h.render(c, http.StatusOK, views.ImportStatusPage(*imp))
}

// ImportResult downloads every row of an import with what became of it, as CSV.
func (h *Handler) ImportResult(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if _, err := h.app.FindImport(ctx, current(c), id); err != nil {
		return err
	}
	setDownload(c, "gatehouse-import-"+strconv.FormatInt(id, 10)+"-result.csv", csvType)
	c.Response().WriteHeader(http.StatusOK)
	return h.app.WriteImportResult(ctx, current(c), id, sheet.NewCSV(c.Response()))
}
