package app

import (
	"context"
	"net/url"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

// rowCounts counts the rows of every table of the database at path.
func rowCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db := testdb.SQL(t, path)
	tables := testdb.Tables(t, db)
	out := map[string]int{}
	for _, name := range tables {
		if name == "store_changes" {
			continue // the note to other instances that something was written, not the work itself
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + name + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func diff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// Issue 8, finding 5: a reset request for an address with an account took longer than one
// for an address without, because only the first wrote the token, the email and the audit
// event. The request path now writes the same rows either way; the rest happens after it.
func TestRequestPasswordResetSameWork(t *testing.T) {
	var later []func()
	saved := offRequest
	offRequest = func(_ *Service, work func()) { later = append(later, work) }
	t.Cleanup(func() { offRequest = saved })

	clock := storetest.NewClock()
	path := testdb.Path(t, "gatehouse.db")
	st := storetest.OpenPath(t, path, clock)
	base, _ := url.Parse("http://gatehouse.test")
	s := New(st, Config{BaseURL: base}, clock, nil)
	owner := storetest.CreateOwner(t, st, "olive@acme.test", "Acme")
	ctx := context.Background()

	ask := func(email string) map[string]int {
		before := rowCounts(t, path)
		if err := s.RequestPasswordReset(ctx, &models.ForgotPasswordRequest{Email: email}, models.Meta{IP: "192.0.2.9"}); err != nil {
			t.Fatalf("RequestPasswordReset(%s): %v", email, err)
		}
		return diff(before, rowCounts(t, path))
	}
	known, unknown := ask("olive@acme.test"), ask("nobody@acme.test")
	if len(known) != 1 || known["tokens"] != 1 {
		t.Errorf("rows the request path wrote for an account: %v, want one token", known)
	}
	if len(known) != len(unknown) || known["tokens"] != unknown["tokens"] {
		t.Errorf("rows written: %v for an account, %v for an unknown address; want the same", known, unknown)
	}
	if len(later) != 2 {
		t.Fatalf("%d pieces of work off the request path, want 2", len(later))
	}

	// Off the request path: the account gets its email and audit event; the unknown address
	// nothing, and its token goes.
	before := rowCounts(t, path)
	later[0]()
	later[1]()
	if d := diff(before, rowCounts(t, path)); len(d) != 3 || d["outbox_messages"] != 1 || d["audit_events"] != 1 || d["tokens"] != -1 {
		t.Errorf("rows written off the request path: %v, want one email, one audit event, one token fewer", d)
	}
	var msgs []models.OutboxMessage
	msgs, err := st.DueMessages(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Recipient != "olive@acme.test" || msgs[0].Channel != models.ChannelEmail || msgs[0].OrgID != nil ||
		msgs[0].Subject != "Reset your Gatehouse password" {
		t.Errorf("outbox = %+v; want the reset email to Olive, belonging to no organization", msgs)
	}
	evs := storetest.Audit(t, st, models.AuditFilter{Action: models.ActionPasswordResetAsked})
	if len(evs) != 1 || evs[0].TargetEmail != "olive@acme.test" || evs[0].OrgID == nil || *evs[0].OrgID != owner.Org.ID ||
		evs[0].TargetMembershipID == nil || evs[0].IP != "192.0.2.9" {
		t.Errorf("audit events = %+v", evs)
	}
}
