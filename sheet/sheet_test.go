package sheet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gatehouse/sheet"
)

func parse(t *testing.T, data []byte) ([]sheet.Row, error) {
	t.Helper()
	return sheet.Parse(bytes.NewReader(data))
}

func mustParse(t *testing.T, data string) []sheet.Row {
	t.Helper()
	rows, err := parse(t, []byte(data))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return rows
}

func refused(t *testing.T, data []byte, want string) {
	t.Helper()
	_, err := parse(t, data)
	var se *sheet.Error
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a sheet.Error containing %q", err, want)
	}
	if !strings.Contains(se.Msg, want) {
		t.Errorf("message %q, want it to contain %q", se.Msg, want)
	}
}

func TestParseCSV(t *testing.T) {
	header := "First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location"
	t.Run("BOM, CRLF, quoted commas", func(t *testing.T) {
		rows := mustParse(t, "\ufeff"+header+"\r\nAda,\"Lovelace, Countess\",ada@example.com,,\"Admin, Editor\",R&D,,,\r\n")
		if len(rows) != 1 {
			t.Fatalf("%d rows", len(rows))
		}
		r := rows[0]
		if r.FirstName != "Ada" || r.LastName != "Lovelace, Countess" || r.Email != "ada@example.com" || r.Roles != "Admin, Editor" || r.Department != "R&D" || r.Line != 2 {
			t.Errorf("row %+v", r)
		}
	})
	t.Run("semicolons", func(t *testing.T) {
		rows := mustParse(t, strings.ReplaceAll(header, ",", ";")+"\nBob;Smith;bob@example.com;;Viewer;\"Sales; EMEA\";;;\n")
		if len(rows) != 1 || rows[0].Email != "bob@example.com" || rows[0].Department != "Sales; EMEA" || rows[0].Roles != "Viewer" {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("columns in any order and case, some left out, empty rows skipped", func(t *testing.T) {
		rows := mustParse(t, "ROLES,email\nviewer,a@example.com\n,\n\nEditor,b@example.com\n")
		if len(rows) != 2 || rows[1].Email != "b@example.com" || rows[1].Line != 5 {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("wrong headers", func(t *testing.T) {
		refused(t, []byte("Name,Mail\nAda,ada@example.com\n"), "Unknown columns")
		refused(t, []byte("First name,Email\nAda,ada@example.com\n"), `no "Roles" column`)
	})
	t.Run("only a header", func(t *testing.T) {
		refused(t, []byte(header+"\r\n,,,,,,,,\r\n"), "no people")
	})
	t.Run("5,000 rows pass, 5,001 are refused", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Email,Roles\n")
		for i := range 5000 {
			fmt.Fprintf(&b, "p%d@example.com,Viewer\n", i)
		}
		if rows := mustParse(t, b.String()); len(rows) != 5000 {
			t.Errorf("%d rows", len(rows))
		}
		b.WriteString("last@example.com,Viewer\n")
		refused(t, []byte(b.String()), "more than 5,000 people")
	})
	t.Run("6 MB", func(t *testing.T) {
		big := "Email,Roles,Location\n" + strings.Repeat("a@example.com,Viewer,"+strings.Repeat("x", 1000)+"\n", 6<<10)
		refused(t, []byte(big), "larger than 5 MB")
	})
	t.Run("not a spreadsheet, named .csv", func(t *testing.T) {
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
		refused(t, png, "neither a CSV nor an Excel")
	})
	t.Run("unbalanced quotes", func(t *testing.T) {
		refused(t, []byte("Email,Roles\n\"a@example.com,Viewer\nb\"x\"@example.com,Viewer\n"), "cannot be read")
	})
}

func TestParseXLSX(t *testing.T) {
	t.Run("the template, filled in", func(t *testing.T) {
		var buf bytes.Buffer
		if err := sheet.TemplateXLSX(&buf, []string{"Owner", "Admin", "Editor", "Viewer"}, []string{"CI", "Wiki admin"}, []string{"Engineering"}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); len(got) != 4 || got[1] != "Roles" || got[2] != "Apps" || got[3] != "Departments" {
			t.Errorf("sheets %v", got)
		}
		if v, _ := f.GetCellValue("Departments", "A2"); v != "Engineering" {
			t.Errorf("Departments!A2 = %q", v)
		}
		if v, _ := f.GetCellValue("Roles", "A5"); v != "Viewer" {
			t.Errorf("Roles!A5 = %q", v)
		}
		if v, _ := f.GetCellValue("Apps", "A3"); v != "Wiki admin" {
			t.Errorf("Apps!A3 = %q", v)
		}
		if v, _ := f.GetCellValue("People", "J1"); v != "Apps" {
			t.Errorf("People!J1 = %q, want the Apps column after Location", v)
		}
		_ = f.SetSheetRow("People", "A3", &[]string{"Bob", "Smith", "bob@example.com", "", "Viewer", "", "", "", "", " CI , Wiki admin "})
		var out bytes.Buffer
		if err := f.Write(&out); err != nil {
			t.Fatal(err)
		}
		rows, err := parse(t, out.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Email != "ada@example.com" || rows[0].JobID != "E-1815" || rows[1].Email != "bob@example.com" || rows[1].Line != 3 ||
			rows[0].Apps != "CI" || rows[1].Apps != "CI , Wiki admin" {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("a ZIP bomb named .xlsx", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
			w, _ := zw.Create(name)
			w.Write([]byte("<x/>"))
		}
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		zeros := make([]byte, 1<<20)
		for range 100 { // 100 MB of zeros compress to about 100 kB
			w.Write(zeros)
		}
		zw.Close()
		if buf.Len() > sheet.MaxBytes {
			t.Fatalf("bomb is %d bytes", buf.Len())
		}
		refused(t, buf.Bytes(), "unpacks to more than")
	})
	t.Run("a broken zip", func(t *testing.T) {
		refused(t, []byte("PK\x03\x04garbage"), "cannot be opened")
	})
}

func TestTemplateCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := sheet.TemplateCSV(&buf, []string{"Wiki"}, []string{"Engineering"}); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\r\n"); !strings.HasSuffix(first, ",Location,Apps") {
		t.Errorf("header %q: want Apps after Location", first)
	}
	rows, err := sheet.Parse(&buf)
	if err != nil || len(rows) != 1 || rows[0].Email != "ada@example.com" || rows[0].Apps != "Wiki" || rows[0].Department != "Engineering" {
		t.Errorf("template reads back as %+v, %v", rows, err)
	}
	buf.Reset()
	if err := sheet.TemplateCSV(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	if rows, err := sheet.Parse(&buf); err != nil || len(rows) != 1 || rows[0].Apps != "" || rows[0].Department != "" {
		t.Errorf("template without apps or departments reads back as %+v, %v", rows, err)
	}
}

// TestParseApps: the Apps column is read when present, in any position, and optional: a file
// of the older template, without it, reads as rows without apps.
func TestParseApps(t *testing.T) {
	rows := mustParse(t, "Email;Roles;Apps\r\nann@example.com;Viewer;\"Wiki, CI\"\r\nbob@example.com;Editor;\r\n")
	if len(rows) != 2 || rows[0].Apps != "Wiki, CI" || rows[1].Apps != "" {
		t.Errorf("with Apps: %+v", rows)
	}
	rows = mustParse(t, "First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location\r\nAnn,Able,ann@example.com,,Viewer,,,,Paris\r\n")
	if len(rows) != 1 || rows[0].Location != "Paris" || rows[0].Apps != "" {
		t.Errorf("without Apps: %+v", rows)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Ada": "Ada", "": "", "a=b": "a=b",
	} {
		if got := sheet.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	var buf bytes.Buffer
	w := sheet.NewCSV(&buf)
	w.Write([]string{"=cmd|' /C calc'!A0", "ok"})
	w.Close()
	if got := buf.String(); got != "\ufeff'=cmd|' /C calc'!A0,ok\r\n" {
		t.Errorf("csv %q", got)
	}
	buf.Reset()
	xw, err := sheet.NewXLSX(&buf, "Members")
	if err != nil {
		t.Fatal(err)
	}
	xw.Write([]string{"Name", "Email"})
	xw.Write([]string{"@evil", "-1+1"})
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Members", "A2"); v != "'@evil" {
		t.Errorf("A2 %q", v)
	}
	if v, _ := f.GetCellFormula("Members", "B2"); v != "" {
		t.Errorf("B2 is a formula %q", v)
	}
}
