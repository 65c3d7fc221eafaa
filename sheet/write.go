package sheet

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Example is the template's example row; its Apps cell is filled by example.
var Example = []string{"Ada", "Lovelace", "ada@example.com", "+44 7911 123456", "Editor", "Engineering", "Analyst", "E-1815", "London", ""}

// example is the example row for an organization whose enabled apps are apps and whose
// departments are depts: it names the first of each, or none when there are none (an app or
// a department it does not have would be an error).
func example(apps, depts []string) []string {
	row := append([]string(nil), Example...)
	if len(apps) > 0 {
		row[len(row)-1] = apps[0]
	}
	row[5] = ""
	if len(depts) > 0 {
		row[5] = depts[0]
	}
	return row
}

// TemplateCSV writes the CSV template: the header and the example row. The role, app and
// department names are told on the import page (a note line would not be valid CSV).
func TemplateCSV(w io.Writer, apps, depts []string) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write(Columns)
	_ = cw.Write(example(apps, depts))
	cw.Flush()
	return cw.Error()
}

// TemplateXLSX writes the Excel template: a "People" sheet with the header and the example
// row, a "Roles" sheet listing the valid role names and how to write several, and an "Apps"
// sheet listing the organization's enabled apps (apps) the same way, and a "Departments" sheet
// listing its departments (depts).
func TemplateXLSX(w io.Writer, roles, apps, depts []string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "People"); err != nil {
		return err
	}
	for i, row := range [][]string{Columns, example(apps, depts)} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("People", cell, &row); err != nil {
			return err
		}
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	_ = f.SetRowStyle("People", 1, 1, bold)
	_ = f.SetColWidth("People", "A", "J", 18)
	if _, err := f.NewSheet("Roles"); err != nil {
		return err
	}
	_ = f.SetCellValue("Roles", "A1", "Valid role names (several in one cell: separate them with commas)")
	_ = f.SetRowStyle("Roles", 1, 1, bold)
	for i, r := range roles {
		_ = f.SetCellValue("Roles", "A"+strconv.Itoa(i+2), r)
	}
	_ = f.SetColWidth("Roles", "A", "A", 60)
	if _, err := f.NewSheet("Apps"); err != nil {
		return err
	}
	if len(apps) == 0 {
		_ = f.SetCellValue("Apps", "A1", "The organization has no enabled apps: leave the Apps column empty")
	} else {
		_ = f.SetCellValue("Apps", "A1", "The organization's enabled apps (several in one cell: separate them with commas; the column is optional)")
	}
	_ = f.SetRowStyle("Apps", 1, 1, bold)
	for i, a := range apps {
		_ = f.SetCellValue("Apps", "A"+strconv.Itoa(i+2), a)
	}
	_ = f.SetColWidth("Apps", "A", "A", 60)
	if _, err := f.NewSheet("Departments"); err != nil {
		return err
	}
	if len(depts) == 0 {
		_ = f.SetCellValue("Departments", "A1", "The organization has no departments yet: leave the Department column empty")
	} else {
		_ = f.SetCellValue("Departments", "A1", "The organization's departments (one per cell; the column is optional)")
	}
	_ = f.SetRowStyle("Departments", 1, 1, bold)
	for i, d := range depts {
		_ = f.SetCellValue("Departments", "A"+strconv.Itoa(i+2), d)
	}
	_ = f.SetColWidth("Departments", "A", "A", 60)
	return f.Write(w)
}

// Escape makes a cell safe to open in a spreadsheet: text starting with =, +, -, @, a tab or a
// carriage return would be read as a formula (CSV injection), so it gets a leading '.
func Escape(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Writer writes rows of an export one at a time, never holding them all.
type Writer interface {
	Write(row []string) error
	// Close finishes the file (for XLSX, writes the workbook to the output).
	Close() error
}

// NewCSV is an export Writer of CSV (UTF-8 with a BOM, so spreadsheet programs read accents).
func NewCSV(w io.Writer) Writer {
	_, _ = io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &csvWriter{cw}
}

type csvWriter struct{ cw *csv.Writer }

func (c *csvWriter) Write(row []string) error {
	for i := range row {
		row[i] = Escape(row[i])
	}
	return c.cw.Write(row)
}

func (c *csvWriter) Close() error { c.cw.Flush(); return c.cw.Error() }

// NewXLSX is an export Writer of an Excel workbook through excelize's StreamWriter, which
// spools rows to a temporary file past a few megabytes rather than keeping them in memory.
func NewXLSX(w io.Writer, sheet string) (Writer, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxWriter{f: f, sw: sw, out: w, sheet: sheet}, nil
}

type xlsxWriter struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	out   io.Writer
	sheet string
	n     int
	cells []any
}

func (x *xlsxWriter) Write(row []string) error {
	x.n++
	x.cells = x.cells[:0]
	for _, v := range row {
		// Typed as strings, cells are never formulas; escaped too, so a copy pasted elsewhere stays safe.
		x.cells = append(x.cells, Escape(v))
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, x.cells)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}
