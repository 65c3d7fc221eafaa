package app_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"gatehouse/models"
	"gatehouse/sheet"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

func TestExportMembers(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	ops := f.department(t, "-Ops")
	// More than two store pages, and names a spreadsheet would run as formulas.
	for i := range 230 {
		m := &models.Membership{OrgID: f.org.ID, Email: fmt.Sprintf("m%03d@example.com", i), Status: models.StatusActive, DepartmentID: &ops.ID, InvitedByID: &f.owner.User.ID}
		m.SetName(fmt.Sprintf("=HYPERLINK(\"x\";%d)", i), "@Smith")
		if err := f.st.SaveInvitedMember(ctx, m, []models.Role{models.RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	n, err := f.app.ExportMembers(ctx, f.owner, models.MemberFilter{Status: models.StatusActive, Sort: models.SortEmail}, "csv", sheet.NewCSV(&b), testMeta)
	if err != nil || n != 231 {
		t.Fatalf("export: %d, %v", n, err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 232 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if got := strings.Join(recs[0], "|"); got != "Name|Email|Department|Status|Roles|Invited by|Joined|Last login|MFA enrolled" {
		t.Errorf("header %s", got)
	}
	first := recs[1]
	if first[0] != `'=HYPERLINK("x";0) @Smith` || first[1] != "m000@example.com" || first[2] != "'-Ops" || first[3] != "Active" ||
		first[4] != "Viewer" || first[5] != "olive@acme.test" || first[8] != "No" {
		t.Errorf("first row %q", first)
	}
	if last := recs[231]; last[1] != "olive@acme.test" {
		t.Errorf("last row %q (sorted by email)", last)
	}
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		if seen[r[1]] {
			t.Errorf("%s twice", r[1])
		}
		seen[r[1]] = true
	}
	if evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionExported}); len(evs) != 1 || !strings.Contains(evs[0].Detail, "231") {
		t.Errorf("audit %+v", evs)
	}
	team := newTeam(t)
	if _, err := team.app.ExportMembers(ctx, team.vic, models.MemberFilter{Status: models.StatusActive}, "csv", sheet.NewCSV(io.Discard), testMeta); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a Viewer exporting: %v", err)
	}
}

// BenchmarkExportMembers exports the Active tab of 125,000 seeded members (about 100,000) as CSV and as XLSX; B/op and the
// heap reported show memory stays flat (rows are written as each page is read).
func BenchmarkExportMembers(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	res := storetest.CreateOwner(b, f.st, "olive@acme.test", "Acme")
	if _, err := f.st.Seed(ctx, store.SeedOptions{Members: 125_000, Seed: 1, PasswordHash: storetest.PasswordHash()}); err != nil {
		b.Fatal(err)
	}
	cur := storetest.Current(res)
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				cw := &countingWriter{}
				var w sheet.Writer = sheet.NewCSV(cw)
				if format == "xlsx" {
					var err error
					if w, err = sheet.NewXLSX(cw, "Members"); err != nil {
						b.Fatal(err)
					}
				}
				n, err := f.app.ExportMembers(ctx, cur, models.MemberFilter{Status: models.StatusActive}, format, &peakWriter{Writer: w, peak: &peak}, models.Meta{})
				if err != nil || n < 99_000 {
					b.Fatalf("%d rows, %v", n, err)
				}
				b.ReportMetric(float64(cw.n)/1e6, "MB-out")
				b.ReportMetric(float64(n), "rows")
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// peakWriter samples the live heap every 10,000 rows.
type peakWriter struct {
	sheet.Writer
	rows int
	peak *uint64
}

func (p *peakWriter) Write(row []string) error {
	p.rows++
	if p.rows%10_000 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		*p.peak = max(*p.peak, ms.HeapInuse)
	}
	return p.Writer.Write(row)
}
