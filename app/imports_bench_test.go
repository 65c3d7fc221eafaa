package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

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

// BenchmarkImport5000 previews and confirms a file of 5,000 new people on SQLite: the preview
// (parse, validate, look up who exists) and the confirmed import run to its end in batches of
// 100 rows a transaction.
func BenchmarkImport5000(b *testing.B) {
	ctx := context.Background()
	base, _ := url.Parse("http://gatehouse.test")
	b.Run("preview", func(b *testing.B) {
		f := newFixture(b)
		res := storetest.CreateOwner(b, f.st, "olive@acme.test", "Acme")
		cur := storetest.Current(res)
		cur.Org.InviteQuota = 0
		svc := app.New(f.st, app.Config{BaseURL: base, InviteQuota: 1 << 20}, f.clock, nil)
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
		run := 0
		for b.Loop() {
			run++
			imp, err := svc.ConfirmImport(ctx, cur, "team.csv", strings.NewReader(importFile(5000, fmt.Sprintf("r%d-", run))), testMeta)
			if err != nil {
				b.Fatal(err)
			}
			svc.Wait()
			if got, _ := svc.FindImport(ctx, cur, imp.ID); got.Invited != 5000 {
				b.Fatalf("%+v", got)
			}
		}
	})
}
