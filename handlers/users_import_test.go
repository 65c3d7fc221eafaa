package handlers_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gatehouse/models"
)

// upload posts file as the import form's file field.
func (c *client) upload(path, name string, file []byte) *page {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestImportPages(t *testing.T) {
	app, c, db, orgID := inviteApp(t)
	p := c.get("/users")
	if p.href(`a[href="/users/import"]`) == "" {
		t.Fatal("no Import users link on the Users page")
	}
	p = c.get("/users/import")
	if p.StatusCode != http.StatusOK || p.text("h1") != "Import users" || !strings.Contains(p.Body, "Owner, Admin, Editor or Viewer") {
		t.Fatalf("import page: %d %q", p.StatusCode, p.text("h1"))
	}
	tmpl := c.get("/users/import/template.xlsx")
	if ct := tmpl.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") || !strings.Contains(tmpl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template: %s", ct)
	}
	f, err := excelize.OpenReader(strings.NewReader(tmpl.Body))
	if err != nil {
		t.Fatal(err)
	}
	_ = f.SetSheetRow("People", "A2", &[]string{"Ada", "Lovelace", "ada@example.com", "", "Editor", "Eng"})
	_ = f.SetSheetRow("People", "A3", &[]string{"Bob", "Smith", "bob@example.com", "", "Viewer"})
	_ = f.SetSheetRow("People", "A4", &[]string{"Eve", "", "not-an-email", "", "Viewer"})
	var filled bytes.Buffer
	f.Write(&filled)

	c.get("/users/import")
	before := app.state(db, orgID)
	p = c.upload("/users/import/preview", "team.xlsx", filled.Bytes())
	if p.StatusCode != http.StatusOK || !strings.Contains(p.text("#import-summary"), "2 people to invite") || !strings.Contains(p.text("#import-summary"), "1 row with an error") {
		t.Fatalf("preview: %d %q", p.StatusCode, p.text("#import-summary"))
	}
	if after := app.state(db, orgID); !reflect.DeepEqual(before, after) {
		t.Errorf("the preview wrote: %+v", after)
	}
	data, _ := p.Doc.Find(`input[name="data"]`).Attr("value")
	p = c.post("/users/import/confirm", url.Values{"data": {data}, "file_name": {"team.xlsx"}})
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/users/import/") {
		t.Fatalf("confirm: %d %s", p.StatusCode, p.location())
	}
	app.App.Wait()
	status := c.get(p.location())
	if !strings.Contains(status.Body, "Import finished") || !strings.Contains(status.Body, "2 invitations sent") {
		t.Errorf("status page: %s", status.text("#import-progress"))
	}
	if n := app.counts(orgID)[models.StatusInvited]; n != 2 {
		t.Errorf("%d invited", n)
	}
	res := c.get(p.location() + "/result.csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][10] != "Apps" || recs[1][11] != "Invited" || recs[3][11] != "Error" {
		t.Errorf("result: %v %v", recs, err)
	}

	t.Run("refusals", func(t *testing.T) {
		for name, tc := range map[string]struct {
			file []byte
			want string
		}{
			"a picture named .csv": {[]byte("\x89PNG\r\n\x1a\n\x00\x00"), "neither a CSV nor an Excel"},
			"6 MB":                 {append([]byte("Email,Roles\n"), bytes.Repeat([]byte("a@example.com,Viewer\n"), 6<<20/21)...), "larger than 5 MB"},
			"wrong headers":        {[]byte("Name,Mail\nx,y\n"), "Unknown columns"},
		} {
			p := c.upload("/users/import/preview", "people.csv", tc.file)
			if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".field-error"), tc.want) {
				t.Errorf("%s: %d %q", name, p.StatusCode, p.text(".field-error"))
			}
		}
	})

	t.Run("export", func(t *testing.T) {
		res := c.get("/users/export.csv?tab=inactivated")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 3 || recs[0][0] != "Name" || recs[1][5] != "olive@example.com" {
			t.Errorf("export: %v %v", recs, err)
		}
		x := c.get("/users/export.xlsx?tab=active")
		xf, err := excelize.OpenReader(strings.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := xf.GetCellValue("Members", "B2"); v != "olive@example.com" {
			t.Errorf("xlsx B2 %q", v)
		}
	})

}

func TestImportAndExportRefusedToViewers(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	db.addMember(owner.Org.ID, "vic@example.com", models.RoleViewer)
	c := app.newClient()
	c.login("vic@example.com", testPassword)
	p := c.get("/users")
	if p.Doc.Find(`a[href="/users/import"], a[href^="/users/export"]`).Length() != 0 {
		t.Error("the Users page offers import or export to a Viewer")
	}
	for _, path := range []string{"/users/import", "/users/import/template.csv", "/users/export.csv?tab=active", "/users/export.xlsx"} {
		if p := c.get(path); p.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, p.StatusCode)
		}
	}
	before := app.counts(owner.Org.ID)
	if p := c.upload("/users/import/preview", "a.csv", []byte("Email,Roles\na@example.com,Viewer\n")); p.StatusCode != http.StatusForbidden {
		t.Errorf("preview: %d", p.StatusCode)
	}
	if p := c.post("/users/import/confirm", url.Values{"data": {"RW1haWwsUm9sZXMKYUBleGFtcGxlLmNvbSxWaWV3ZXIK"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("confirm: %d", p.StatusCode)
	}
	if after := app.counts(owner.Org.ID); !reflect.DeepEqual(before, after) {
		t.Errorf("counts changed: %v → %v", before, after)
	}
}
