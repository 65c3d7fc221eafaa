package app_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store"
	"gatehouse/store/storetest"
)

func importFile(n int, prefix string) string {
	var b strings.Builder
	b.WriteString("First name,Last name,Email,Phone,Roles,Department,Position,Job ID,Location\r\n")
	for i := range n {
		fmt.Fprintf(&b, "First%d,Last%d,%s%d@example.com,+44 7911 %06d,Viewer,Dept %d,Engineer,J%d,London\r\n", i, i, prefix, i, i, i%20, i)
	}
	return b.String()
}

// benchDepartments creates the departments importFile names, Dept 0 to Dept 19.
func benchDepartments(b *testing.B, svc *app.Service, cur *models.Current) {
	for i := range 20 {
		if _, err := svc.CreateDepartment(context.Background(), cur, models.DepartmentRequest{Name: fmt.Sprintf("Dept %d", i)}, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport5000 previews and confirms a file of 5,000 new people on SQLite: the preview
// (parse, validate, look up who exists) and the confirmed import run to its end in batches of
// 25 rows a transaction, while a small write every 20 ms measures how long others wait.
func BenchmarkImport5000(b *testing.B) {
	ctx := context.Background()
	base, _ := url.Parse("http://gatehouse.test")
	b.Run("preview", func(b *testing.B) {
		f := newFixture(b)
		res := storetest.CreateOwner(b, f.st, "olive@acme.test", "Acme")
		cur := storetest.Current(res)
		cur.Org.InviteQuota = 0
		svc := app.New(f.st, app.Config{BaseURL: base, InviteQuota: 1 << 20}, f.clock, nil)
		benchDepartments(b, svc, cur)
		file := importFile(5000, "p")
		for b.Loop() {
			p, err := svc.PreviewImport(ctx, cur, strings.NewReader(file), testMeta)
			if err != nil || p.Counts[models.RowInvite] != 5000 {
				b.Fatalf("%v %v", p.Counts, err)
			}
		}
	})
	b.Run("confirm", func(b *testing.B) {
		f := newFixture(b)
		res := storetest.CreateOwner(b, f.st, "olive@acme.test", "Acme")
		cur := storetest.Current(res)
		cur.Org.InviteQuota = 0
		zero := 0
		if _, _, err := f.st.UpdateOrganization(ctx, cur.Org.ID, store.OrgUpdate{InviteQuota: &zero}); err != nil {
			b.Fatal(err)
		}
		svc := app.New(f.st, app.Config{BaseURL: base, InviteQuota: 1 << 30}, f.clock, nil)
		benchDepartments(b, svc, cur)
		run := 0
		var waits []time.Duration
		for b.Loop() {
			run++
			imp, err := svc.ConfirmImport(ctx, cur, "team.csv", strings.NewReader(importFile(5000, fmt.Sprintf("r%d-", run))), testMeta)
			if err != nil {
				b.Fatal(err)
			}
			// Meanwhile, a small write transaction (what a login writes: one audit row) every
			// 20 ms measures how long others wait for the writer between batches.
			done := make(chan struct{})
			go func() { svc.Wait(); close(done) }()
		probe:
			for {
				select {
				case <-done:
					break probe
				case <-time.After(20 * time.Millisecond):
				}
				start := time.Now()
				if err := f.st.InTx(ctx, func(ctx context.Context) error {
					return f.st.Audit(ctx, models.AuditEvent{OrgID: &cur.Org.ID, Action: models.ActionLogin}, models.Meta{})
				}); err != nil {
					b.Fatal(err)
				}
				waits = append(waits, time.Since(start))
			}
			if got, _ := svc.FindImport(ctx, cur, imp.ID); got.Invited != 5000 {
				b.Fatalf("%+v", got)
			}
		}
		slices.Sort(waits)
		if len(waits) > 0 {
			b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "write-wait-p50-ms")
			b.ReportMetric(float64(waits[len(waits)-1].Microseconds())/1000, "write-wait-max-ms")
		}
	})
}
