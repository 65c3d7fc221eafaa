// Package sheet reads and writes the spreadsheets of bulk work: the import template, uploaded
// CSV and XLSX files, and member exports. It knows files, not members: rows come out as text
// for app/ to validate.
package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Limits of one import file.
const (
	MaxBytes = 5 << 20 // the upload, as sent
	MaxRows  = 5000    // people, not counting the header and empty rows
	// maxUnzipped bounds what an XLSX may unpack to: a 5 MB upload of real data unpacks to
	// well under this, a ZIP bomb far over.
	maxUnzipped = 64 << 20
)

// Columns are the template's columns, in order. Apps came last and is optional: a file made
// from an older template, without it, still imports.
var Columns = []string{"First name", "Last name", "Email", "Phone", "Roles", "Department", "Position", "Job ID", "Location", "Apps"}

// Row is one person of an import file, as written in it (trimmed).
type Row struct {
	Line                                  int // the spreadsheet row number, the header being 1
	FirstName, LastName, Email, Phone     string
	Roles                                 string
	Department, Position, JobID, Location string
	Apps                                  string // app names, several separated by commas
}

// Error is a problem with the file as a whole, worded for the person who uploaded it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func fail(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// ErrTooLarge is an upload over MaxBytes.
var ErrTooLarge = &Error{Msg: "The file is larger than 5 MB. Split it into smaller files of at most 5,000 rows."}

// Parse reads an uploaded CSV or XLSX (told apart by content, whatever the name says) into
// rows: the header names the columns (any order, any case; Email and Roles required), empty
// rows are skipped, and past MaxRows or MaxBytes the file is refused.
func Parse(r io.Reader) ([]Row, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	var records func(yield func(int, []string) bool) error
	switch {
	case len(data) == 0:
		return nil, fail("The file is empty. Download the template and fill it in.")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		records = xlsxRecords(data)
	case isText(data):
		records = csvRecords(data)
	default:
		return nil, fail("This is neither a CSV nor an Excel (.xlsx) file. Save the spreadsheet as CSV (UTF-8) or Excel workbook and upload it again.")
	}
	var rows []Row
	var cols []int // template column index of each file column; -1 for blank headers
	var perr error
	err = records(func(line int, rec []string) bool {
		if cols == nil {
			if cols, perr = header(rec); perr != nil {
				return false
			}
			return true
		}
		row := Row{Line: line}
		empty := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if i >= len(cols) || cols[i] < 0 || v == "" {
				continue
			}
			empty = false
			*row.field(cols[i]) = v
		}
		if empty {
			return true
		}
		if len(rows) == MaxRows {
			perr = fail("The file has more than %s people. Import at most %s at a time: split it into several files.", thousands(MaxRows), thousands(MaxRows))
			return false
		}
		rows = append(rows, row)
		return true
	})
	if perr != nil {
		return nil, perr
	}
	if err != nil {
		return nil, err
	}
	if cols == nil {
		return nil, fail("The file is empty. Download the template and fill it in.")
	}
	if len(rows) == 0 {
		return nil, fail("The file has no people in it: fill in one row per person under the header.")
	}
	return rows, nil
}

func (r *Row) field(col int) *string {
	return []*string{&r.FirstName, &r.LastName, &r.Email, &r.Phone, &r.Roles, &r.Department, &r.Position, &r.JobID, &r.Location, &r.Apps}[col]
}

// header maps the header row's cells to template columns.
func header(rec []string) ([]int, error) {
	cols := make([]int, len(rec))
	seen := map[int]bool{}
	var unknown []string
	for i, h := range rec {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		cols[i] = -1
		if h == "" {
			continue
		}
		found := false
		for j, c := range Columns {
			if strings.EqualFold(strings.Join(strings.Fields(h), " "), c) {
				if seen[j] {
					return nil, fail("The column %q appears twice in the header row.", c)
				}
				cols[i], seen[j], found = j, true, true
				break
			}
		}
		if !found {
			unknown = append(unknown, strconv.Quote(h))
		}
	}
	if len(unknown) > 0 {
		return nil, fail("The first row must be the template's header. Unknown columns: %s. The columns are: %s.", strings.Join(unknown, ", "), strings.Join(Columns, ", "))
	}
	for _, need := range []int{2, 4} {
		if !seen[need] {
			return nil, fail("The header row has no %q column. The first row must be the template's header: %s.", Columns[need], strings.Join(Columns, ", "))
		}
	}
	return cols, nil
}

// isText reports whether data looks like a text file: valid UTF-8 without NUL bytes.
func isText(data []byte) bool {
	return utf8.Valid(data) && !bytes.ContainsRune(data, 0)
}

// csvRecords reads CSV with or without a UTF-8 BOM, with commas or semicolons (whichever the
// header row uses more of, outside quotes), quoted fields and CRLF or LF line ends.
func csvRecords(data []byte) func(yield func(int, []string) bool) error {
	return func(yield func(int, []string) bool) error {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma = delimiter(data)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return fail("The CSV file cannot be read at line %d: %v. Check the quotes on that line.", pe.StartLine, pe.Err)
				}
				return fail("The CSV file cannot be read: %v.", err)
			}
			line, _ := cr.FieldPos(0)
			if !yield(line, rec) {
				return nil
			}
		}
	}
}

func delimiter(data []byte) rune {
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	commas, semis, quoted := 0, 0, false
	for _, b := range first {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// xlsxRecords streams the rows of the workbook's first sheet. Unpacking is capped (a ZIP bomb
// is refused, not unpacked) and rows are read one at a time.
func xlsxRecords(data []byte) func(yield func(int, []string) bool) error {
	return func(yield func(int, []string) bool) error {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			// excelize checks the sizes the archive declares before unpacking anything, and
			// archive/zip refuses an entry that unpacks to more than it declared.
			if strings.Contains(err.Error(), "size exceeds") {
				return fail("This Excel file unpacks to more than %d MB, far more than 5,000 rows need. Save it again as CSV, or remove what is not the people to import.", maxUnzipped>>20)
			}
			return fail("This Excel file cannot be opened: save it again as an Excel workbook (.xlsx) or as CSV (UTF-8).")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return fail("This Excel file has no sheets.")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return fail("The first sheet of this Excel file cannot be read.")
		}
		defer rows.Close()
		// Rows.Next steps over rows missing from a sparse sheet one by one, so n is the row number.
		for n := 1; rows.Next(); n++ {
			rec, err := rows.Columns()
			if err != nil {
				return fail("The first sheet of this Excel file cannot be read.")
			}
			if !yield(n, rec) {
				return nil
			}
		}
		return rows.Error()
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) > 3 {
		return s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}
