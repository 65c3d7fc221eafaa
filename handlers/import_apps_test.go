package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImportTemplateApps: the Excel template lists the organization's enabled apps on its
// Apps sheet and has the Apps column after Location; the preview shows each row's apps and
// an unknown app as that row's error.
func TestImportTemplateApps(t *testing.T) {
	_, c, _, _ := inviteApp(t)
	c.get("/apps")
	for _, name := range []string{"Wiki", "CI"} {
		if p := c.post("/apps", url.Values{"name": {name}, "urls": {strings.ToLower(name) + ".example.com"}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("add app %s: %d %s", name, p.StatusCode, p.text(".field-error"))
		}
	}
	if p := c.get("/users/import"); !strings.Contains(p.text(".field-hint"), "Apps (optional) are CI, Wiki") {
		t.Errorf("the import page does not name the enabled apps: %q", p.text(".field-hint"))
	}
	tmpl := c.get("/users/import/template.xlsx")
	f, err := excelize.OpenReader(strings.NewReader(tmpl.Body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("People", "J1"); v != "Apps" {
		t.Errorf("People!J1 = %q, want Apps", v)
	}
	// The enabled apps, by name.
	a2, _ := f.GetCellValue("Apps", "A2")
	a3, _ := f.GetCellValue("Apps", "A3")
	if a2 != "CI" || a3 != "Wiki" {
		t.Errorf("Apps sheet lists %q, %q; want CI, Wiki", a2, a3)
	}
	if csvT := c.get("/users/import/template.csv"); !strings.HasPrefix(strings.TrimPrefix(csvT.Body, "\ufeff"), "First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location,Apps\r\n") {
		t.Errorf("CSV template: %q", csvT.Body)
	}
	_ = f.SetSheetRow("People", "A2", &[]string{"Ada", "", "ada@example.com", "", "Editor", "", "", "", "", "wiki"})
	_ = f.SetSheetRow("People", "A3", &[]string{"Bob", "", "bob@example.com", "", "Viewer", "", "", "", "", "Nope"})
	var filled bytes.Buffer
	f.Write(&filled)
	c.get("/users/import")
	p := c.upload("/users/import/preview", "team.xlsx", filled.Bytes())
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text("#import-summary"), "1 person to invite") {
		t.Fatalf("preview: %d %q", p.StatusCode, p.text("#import-summary"))
	}
	if p.Doc.Find(`th:contains("Apps")`).Length() != 1 {
		t.Error("the preview has no Apps column")
	}
	rows := p.Doc.Find("tbody tr")
	if got := rows.Eq(0).Find("td").Eq(5).Text(); got != "wiki" {
		t.Errorf("row 2's apps cell %q", got)
	}
	if got := rows.Eq(1).Text(); !strings.Contains(got, "Unknown app: Nope") {
		t.Errorf("row 3: %q", got)
	}
}
