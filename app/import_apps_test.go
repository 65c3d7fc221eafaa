package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"gatehouse/models"
)

// importAppsCSV is an import file of the current template, with the Apps column.
func importAppsCSV(rows ...string) *strings.Reader {
	return strings.NewReader("First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location,Apps\r\n" + strings.Join(rows, "\r\n") + "\r\n")
}

// acmeApps adds the apps the import tests name: "Wiki admin" and "CI" enabled, "Old" disabled.
func acmeApps(t *testing.T, f *team) (wiki, ci, old *models.App) {
	t.Helper()
	ctx := context.Background()
	add := func(name, url string) *models.App {
		a, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: name, URLs: url}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	wiki, ci, old = add("Wiki admin", "wiki.acme.test"), add("CI", "ci.acme.test"), add("Old", "old.acme.test")
	if err := f.app.DisableApp(ctx, f.owner, old.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	return wiki, ci, old
}

// TestPreviewImportApps: a row's apps are the organization's enabled apps, by name (trimmed,
// any case, several separated by commas); an unknown or disabled app is that row's error and
// the other rows are not affected.
func TestPreviewImportApps(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	acmeApps(t, f)
	svc := f.importer(t, 0, 0, true)
	p, err := svc.PreviewImport(ctx, f.owner, importAppsCSV(
		",,ann@example.com,,Viewer,,,,,\" wiki ADMIN ,ci \"",
		",,bob@example.com,,Viewer,,,,,\"Wiki admin, Nope\"",
		",,cat@example.com,,Viewer,,,,,old",
		",,dan@example.com,,Viewer,,,,,",
		",,eve@example.com,,Viewer,,,,,\"CI,ci\""), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		outcome models.RowOutcome
		msg     string
	}{{models.RowInvite, ""}, {models.RowError, "Unknown app: Nope"}, {models.RowError, "Old is disabled"}, {models.RowInvite, ""}, {models.RowInvite, ""}}
	if len(p.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(p.Rows), len(want))
	}
	for i, w := range want {
		if r := p.Rows[i]; r.Outcome != w.outcome || r.Message != w.msg {
			t.Errorf("row %d: %s %q, want %s %q", r.Line, r.Outcome, r.Message, w.outcome, w.msg)
		}
	}
	if p.Rows[0].Apps != `wiki ADMIN ,ci` {
		t.Errorf("row 2's apps shown as %q", p.Rows[0].Apps)
	}
	if p.Counts[models.RowInvite] != 3 || p.Counts[models.RowError] != 2 {
		t.Errorf("counts %v", p.Counts)
	}
	if n := f.state(t).members[models.StatusInvited]; n != 0 {
		t.Errorf("the preview wrote %d invitations", n)
	}
}

// TestConfirmImportApps: the confirmed rows' apps are granted with their invitations (the
// member's access then includes them); an app disabled between confirmation and the row's
// turn fails that row with its message, not the import; a file without the Apps column still
// imports, with no apps.
func TestConfirmImportApps(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	wiki, ci, _ := acmeApps(t, f)
	svc := f.importer(t, 0, 0, true)
	imp, err := svc.ConfirmImport(ctx, f.owner, "people.csv", importAppsCSV(
		"Ann,Able,ann@example.com,,Viewer,,,,,\"Wiki admin, CI\"",
		",,bob@example.com,,Viewer,,,,,ci",
		",,dan@example.com,,Viewer,,,,,wiki admin",
		",,cat@example.com,,Viewer,,,,,Nope"), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	// CI is disabled after the preview and confirmation, before the worker reaches the rows.
	if err := f.app.DisableApp(ctx, f.owner, ci.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		if done, err = svc.RunImportBatch(ctx, imp.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.FindImport(ctx, f.owner, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.ImportDone || got.Invited != 1 || got.Failed != 3 {
		t.Errorf("import %+v, want done with 1 invited and 3 failed", got)
	}
	dan := f.member(t, "dan@example.com")
	if ids, err := f.st.MemberApps(ctx, f.org.ID, dan.ID); err != nil || !slices.Equal(ids, []int64{wiki.ID}) {
		t.Errorf("dan's apps %v, %v; want [%d]", ids, err, wiki.ID)
	}
	full, _ := f.st.FindMember(ctx, f.org.ID, dan.ID)
	if access, err := f.st.AppAccess(ctx, f.org.ID, dan.ID, full.Roles); err != nil || !slices.Contains(access, wiki.ID) {
		t.Errorf("dan's access %v, %v; want it to include %d", access, err, wiki.ID)
	}
	for _, email := range []string{"ann@example.com", "bob@example.com", "cat@example.com"} {
		if len(f.messagesOf(t, email)) != 0 {
			t.Errorf("%s was invited", email)
		}
	}
	var b strings.Builder
	if err := svc.WriteImportResult(ctx, f.owner, imp.ID, csvTo(&b)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{",Location,Apps,Status,Message", `2,Ann,Able,ann@example.com,,Viewer,,,,,"Wiki admin, CI",Error,CI is disabled`,
		"3,,,bob@example.com,,Viewer,,,,,ci,Error,CI is disabled", "4,,,dan@example.com,,Viewer,,,,,wiki admin,Invited,Invitation sent"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("result file lacks %q:\n%s", want, b.String())
		}
	}

	// The older template, without Apps: imported, no apps given.
	imp, err = svc.ConfirmImport(ctx, f.owner, "old.csv", importCSV(",,fay@example.com,,Viewer,,,,"), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunImportBatch(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	fay := f.member(t, "fay@example.com")
	if ids, err := f.st.MemberApps(ctx, f.org.ID, fay.ID); err != nil || len(ids) != 0 || len(f.messagesOf(t, "fay@example.com")) != 1 {
		t.Errorf("fay: apps %v, %v; emails %d", ids, err, len(f.messagesOf(t, "fay@example.com")))
	}
}
