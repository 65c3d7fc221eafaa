package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/sheet"
	"gatehouse/store/storetest"
)

// importer is the use cases as the import tests need them: a per-IP quota far away unless
// ipQuota is set, batches of batch rows, and no background worker when manual.
func (f *team) importer(t *testing.T, ipQuota, batch int, manual bool) *app.Service {
	base, _ := url.Parse("http://gatehouse.test")
	if ipQuota == 0 {
		ipQuota = 1 << 20
	}
	svc := app.New(f.st, app.Config{BaseURL: base, InviteQuota: ipQuota, ImportBatch: batch, NoImportWorker: manual}, f.clock, nil)
	t.Cleanup(func() { svc.Stop(); svc.Wait() })
	return svc
}

func importCSV(rows ...string) *strings.Reader {
	return strings.NewReader("First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location\r\n" + strings.Join(rows, "\r\n") + "\r\n")
}

func TestPreviewImport(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	f.department(t, "Eng")
	f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@example.com")
	f.insert(t, "gone@example.com", models.StatusTerminated, models.RoleViewer)
	f.insert(t, "no@example.com", models.StatusRejected, models.RoleViewer)
	svc := f.importer(t, 0, 0, true)
	before := f.state(t)
	p, err := svc.PreviewImport(ctx, f.owner, importCSV(
		"Ada,Lovelace,ada@example.com,+44 7911 123456,Editor,Eng,Analyst,E1,London", // 2 invite
		",,olive@acme.test,,Viewer,,,,",                                             // 3 skip: Olive is a member
		",,invited@example.com,,Viewer,,,,",                                         // 4 reinvite
		",,gone@example.com,,Viewer,,,,",                                            // 5 restore
		",,no@example.com,,Viewer,,,,",                                              // 6 re-approve
		",,bad-at-example.com,,Viewer,,,,",                                          // 7 bad email
		",,phone@example.com,12345,Viewer,,,,",                                      // 8 bad phone
		",,role@example.com,,Wizard,,,,",                                            // 9 unknown role
		",,ADA@example.com,,Viewer,,,,",                                             // 10 duplicate of 2
		"Bob,,,,Viewer,,,,",                                                         // 11 missing email
		",,noroles@example.com,,,,,,",                                               // 12 missing roles
		",,\"x,y@example.com\",,Viewer,,,,",                                         // 13 bad email again
		",,both@example.com,,\"Admin, Editor\",,,,",                                 // 14 invite, two roles
	), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.RowOutcome{models.RowInvite, models.RowSkip, models.RowReinvite, models.RowRestore, models.RowReapprove,
		models.RowError, models.RowError, models.RowError, models.RowError, models.RowError, models.RowError, models.RowError, models.RowInvite}
	for i, r := range p.Rows {
		if r.Outcome != want[i] {
			t.Errorf("row %d (%s): %s %q, want %s", r.Line, r.Email, r.Outcome, r.Message, want[i])
		}
	}
	for line, msg := range map[int]string{7: "Bad email", 8: "Bad phone", 9: `Unknown role "Wizard"`, 10: "already on row 2", 11: "Missing email", 12: "Missing roles"} {
		if got := p.Rows[line-2].Message; !strings.Contains(got, msg) {
			t.Errorf("row %d: %q, want %q", line, got, msg)
		}
	}
	if p.Counts[models.RowInvite] != 2 || p.Counts[models.RowError] != 7 || p.QuotaLeft != 99 || p.Unlimited {
		t.Errorf("counts %v, quota left %d", p.Counts, p.QuotaLeft)
	}
	f.unchanged(t, before, "a preview")

	t.Run("an Editor may not import, an Admin may not grant Owner", func(t *testing.T) {
		f := newTeam(t)
		if _, err := svc.PreviewImport(ctx, f.ed, importCSV(",,x@example.com,,Viewer,,,,"), testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("editor: %v", err)
		}
		p, err := svc.PreviewImport(ctx, f.ada, importCSV(",,x@example.com,,Owner,,,,"), testMeta)
		if err != nil || p.Rows[0].Outcome != models.RowError || !strings.Contains(p.Rows[0].Message, "Owner") {
			t.Errorf("admin granting Owner: %+v, %v", p, err)
		}
	})
	t.Run("a file that cannot be read is a field error", func(t *testing.T) {
		_, err := svc.PreviewImport(ctx, f.owner, strings.NewReader("Name,Mail\nx,y\n"), testMeta)
		if errs, ok := err.(models.FieldErrors); !ok || !strings.Contains(errs["file"], "Unknown columns") {
			t.Errorf("got %v", err)
		}
	})
}

func TestConfirmImport(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	f.department(t, "Eng")
	svc := f.importer(t, 0, 0, false)
	imp, err := svc.ConfirmImport(ctx, f.owner, "people.csv", importCSV(
		"Ada,Lovelace,ada@example.com,,Editor,eng,Analyst,E1,London",
		",,bad,,Viewer,,,,",
		"Bob,Smith,bob@example.com,,Viewer,,,,",
		",,olive@acme.test,,Viewer,,,,"), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	got, err := svc.FindImport(ctx, f.owner, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.ImportDone || got.Total != 4 || got.Invited != 2 || got.Failed != 1 || got.Skipped != 1 {
		t.Errorf("import %+v", got)
	}
	ada := f.member(t, "ada@example.com")
	full, _ := f.st.FindMember(ctx, f.org.ID, ada.ID)
	if full.Status != models.StatusInvited || full.FirstName != "Ada" || full.Department != "Eng" || full.JobID != "E1" || full.Location != "London" || full.Position != "Analyst" {
		t.Errorf("ada %+v", full)
	}
	if len(f.messagesOf(t, "ada@example.com")) != 1 || len(f.messagesOf(t, "bob@example.com")) != 1 {
		t.Error("invitation emails missing")
	}
	evs := f.auditOf(t, models.ActionInvited, ada.ID)
	if len(evs) != 1 || !strings.Contains(evs[0].Detail, fmt.Sprintf("import %d", imp.ID)) || evs[0].IP != testMeta.IP {
		t.Errorf("audit %+v", evs)
	}
	var b strings.Builder
	if err := svc.WriteImportResult(ctx, f.owner, imp.ID, csvTo(&b)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Row,First name", "2,Ada,Lovelace,ada@example.com,,Editor,eng,Analyst,E1,London,,Invited,Invitation sent", "3,,,bad,,Viewer,,,,,,Error,\"Bad email", "Skip (already a member)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("result file lacks %q:\n%s", want, b.String())
		}
	}
}

// Two imports confirmed at once by one inviter send no more than their quota between them.
func TestParallelImportsQuota(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	f.owner.Org.InviteQuota = 100
	svc := f.importer(t, 0, 7, false)
	files := make([][]string, 2)
	for i := range files {
		for j := range 80 {
			files[i] = append(files[i], fmt.Sprintf(",,p%d-%02d@example.com,,Viewer,,,,", i, j))
		}
	}
	var wg sync.WaitGroup
	for i := range files {
		wg.Go(func() {
			if _, err := svc.ConfirmImport(ctx, f.owner, "f.csv", importCSV(files[i]...), testMeta); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	svc.Wait()
	if n := f.state(t).members[models.StatusInvited]; n != 100 {
		t.Errorf("%d invited, want 100", n)
	}
	if n := len(f.messagesOfAll(t)); n != 100 {
		t.Errorf("%d emails, want 100", n)
	}
}

// An import stopped after a batch is finished by the next start, each row done once.
func TestImportResumes(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	var rows []string
	for j := range 25 {
		rows = append(rows, fmt.Sprintf(",,r%02d@example.com,,Viewer,,,,", j))
	}
	first := f.importer(t, 0, 10, true)
	imp, err := first.ConfirmImport(ctx, f.owner, "f.csv", importCSV(rows...), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if done, err := first.RunImportBatch(ctx, imp.ID); err != nil || done {
		t.Fatalf("first batch: %v, done %v", err, done)
	}
	mid, _ := first.FindImport(ctx, f.owner, imp.ID)
	if mid.Done != 10 || mid.Status != models.ImportRunning || f.state(t).members[models.StatusInvited] != 10 {
		t.Fatalf("after one batch: %+v", mid)
	}
	first.Stop()
	first.Wait()

	second := f.importer(t, 0, 10, false) // the next start
	if err := second.ResumeImports(ctx); err != nil {
		t.Fatal(err)
	}
	second.Wait()
	end, _ := second.FindImport(ctx, f.owner, imp.ID)
	if end.Status != models.ImportDone || end.Done != 25 || end.Invited != 25 {
		t.Errorf("after resuming: %+v", end)
	}
	if n := len(f.messagesOfAll(t)); n != 25 {
		t.Errorf("%d emails, want 25 (none twice)", n)
	}
	evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionInvited, Limit: models.MaxAuditPage})
	if len(evs) != 25 {
		t.Errorf("%d audit events, want 25", len(evs))
	}
	// A batch asked for after the end does nothing.
	if done, err := second.RunImportBatch(ctx, imp.ID); err != nil || !done {
		t.Errorf("after the end: %v, %v", done, err)
	}
}

func csvTo(b *strings.Builder) sheet.Writer { return sheet.NewCSV(b) }
