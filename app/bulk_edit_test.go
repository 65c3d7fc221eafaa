package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestBulkEditDetails(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	f.department(t, "Ops")
	vic, ed, owen := f.member(t, "vic@acme.test"), f.member(t, "ed@acme.test"), f.member(t, "owen@acme.test")
	if _, err := f.app.UpdateMemberDetails(ctx, f.owner, vic.ID, models.MemberDetailsRequest{Position: "Analyst", JobID: "J-1", Location: "Oslo"}, testMeta); err != nil {
		t.Fatal(err)
	}
	f.invite(t, f.owner, []models.Role{models.RoleViewer}, "invited@acme.test")
	invited := f.member(t, "invited@acme.test")
	edit := models.BulkDetailsRequest{
		Department: models.FieldEdit{Op: models.EditSet, Value: " ops "},
		Position:   models.FieldEdit{Op: models.EditKeep, Value: "ignored"},
		Location:   models.FieldEdit{Op: models.EditClear, Value: "ignored"},
	}

	t.Run("refusals", func(t *testing.T) {
		before := f.state(t)
		for _, actor := range []*models.Current{f.ed, f.vic} {
			if _, err := f.app.BulkEditDetails(ctx, actor, []int64{vic.ID}, edit, testMeta); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("%s: %v, want forbidden", actor.User.Email, err)
			}
		}
		for _, tt := range []struct {
			req         models.BulkDetailsRequest
			field, want string
		}{
			{models.BulkDetailsRequest{}, "department", "Choose at least one field to set or clear."},
			{models.BulkDetailsRequest{Position: models.FieldEdit{Op: models.EditSet, Value: "  "}}, "position", "Enter the new position, or choose Clear."},
			{models.BulkDetailsRequest{Location: models.FieldEdit{Op: "drop"}}, "location", "Choose Leave unchanged, Set or Clear."},
			{models.BulkDetailsRequest{Position: models.FieldEdit{Op: models.EditSet, Value: strings.Repeat("x", 201)}}, "position", "Position is too long (at most 200 characters)."},
		} {
			if _, err := f.app.BulkEditDetails(ctx, f.ada, []int64{vic.ID}, tt.req, testMeta); !fieldErr(err, tt.field, tt.want) {
				t.Errorf("%+v: %v, want %s: %q", tt.req, err, tt.field, tt.want)
			}
		}
		too := make([]int64, app.MaxBulkMatching+1)
		if _, err := f.app.BulkEditDetails(ctx, f.ada, too, edit, testMeta); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("%d ids: %v", len(too), err)
		}
		f.unchanged(t, before, "refused bulk edits")
	})

	t.Run("each member through Edit details", func(t *testing.T) {
		// Another organization's member (an id Acme has not), an invited one (no Edit details)
		// and an unknown department each fail their member only.
		res, err := f.app.BulkEditDetails(ctx, f.ada, []int64{vic.ID, ed.ID, vic.ID, invited.ID, 999999}, edit, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if res.Succeeded != 2 || len(res.Failed) != 2 || res.Failed[0].Email != "invited@acme.test" || res.Failed[1].Email != "#999999" ||
			res.Failed[1].Reason != "No longer in the organization." {
			t.Errorf("result %+v", res)
		}
		got := f.member(t, "vic@acme.test")
		if got.Department != "Ops" || got.Position != "Analyst" || got.JobID != "J-1" || got.Location != "" {
			t.Errorf("Vic %+v", got)
		}
		if got := f.member(t, "owen@acme.test"); got.Department != "" {
			t.Errorf("Owen, not selected, changed: %+v", got)
		}
		evs := f.auditOf(t, models.ActionDetailsChanged, vic.ID)
		last := evs[len(evs)-1]
		if !strings.HasPrefix(last.Detail, `department "" → "Ops"; location "Oslo" → ""; bulk `) {
			t.Errorf("Vic's event %q", last.Detail)
		}
		tag := last.Detail[strings.LastIndex(last.Detail, "bulk "):]
		bulk := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionBulk, Limit: 10})
		if len(bulk) == 0 || bulk[0].Detail != "edit details: 2 of 4 succeeded; "+tag {
			t.Errorf("bulk events %+v, want one naming %q", bulk, tag)
		}
		if evs := f.auditOf(t, models.ActionDetailsChanged, ed.ID); len(evs) != 1 || !strings.HasSuffix(evs[0].Detail, tag) {
			t.Errorf("Ed's events %+v", evs)
		}
		unknown := models.BulkDetailsRequest{Department: models.FieldEdit{Op: models.EditSet, Value: "Nope"}}
		res, err = f.app.BulkEditDetails(ctx, f.ada, []int64{owen.ID}, unknown, testMeta)
		if err != nil || res.Succeeded != 0 || len(res.Failed) != 1 || res.Failed[0].Reason != "Choose a department from the list." {
			t.Errorf("unknown department: %+v, %v", res, err)
		}
	})
}

// "Select all N matching" re-reads the filter at confirm time: exactly the members it lists,
// capped at app.MaxBulkMatching.
func TestMatchingMembers(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	ops := f.department(t, "Ops")
	for i := range 7 {
		e := fmt.Sprintf("ops%d@acme.test", i)
		m := f.insert(t, e, models.StatusActive, models.RoleViewer)
		if i < 5 {
			if _, err := f.app.UpdateMemberDetails(ctx, f.owner, m.ID, models.MemberDetailsRequest{Department: "Ops"}, testMeta); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.insert(t, "ops-pending@acme.test", models.StatusPending)
	filter := models.MemberFilter{Status: models.StatusActive, DeptID: ops.ID, Query: "ops"}
	n, err := f.app.CountMatching(ctx, f.ada, filter)
	if err != nil || n != 5 {
		t.Fatalf("CountMatching = %d, %v", n, err)
	}
	ids, err := f.app.MatchingMembers(ctx, f.ada, filter)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, id := range ids {
		m, _ := f.st.FindMember(ctx, f.org.ID, id)
		emails = append(emails, m.Email)
	}
	if want := []string{"ops0@acme.test", "ops1@acme.test", "ops2@acme.test", "ops3@acme.test", "ops4@acme.test"}; !slices.Equal(emails, want) {
		t.Errorf("matching %v, want %v", emails, want)
	}
	res, err := f.app.BulkEditDetails(ctx, f.ada, ids, models.BulkDetailsRequest{Location: models.FieldEdit{Op: models.EditSet, Value: "Rome"}}, testMeta)
	if err != nil || res.Succeeded != 5 {
		t.Fatalf("bulk edit of the matching = %+v, %v", res, err)
	}
	for i := range 7 {
		m := f.member(t, fmt.Sprintf("ops%d@acme.test", i))
		if (m.Location == "Rome") != (i < 5) {
			t.Errorf("%s: location %q", m.Email, m.Location)
		}
	}
	if _, err := f.app.MatchingMembers(ctx, f.ed, models.MemberFilter{Status: models.StatusActive, AppID: 1}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an Editor filtering by app: %v", err)
	}
}

// Past the cap the action is refused as a whole.
func TestMatchingMembersCap(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 5,001 members")
	}
	ctx := context.Background()
	f := newTeam(t)
	for i := range app.MaxBulkMatching - 4 { // and the team's five
		m := &models.Membership{OrgID: f.org.ID, Email: fmt.Sprintf("m%05d@example.com", i), Status: models.StatusActive}
		m.SetName("", "")
		if err := f.st.SaveInvitedMember(ctx, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	all := models.MemberFilter{Status: models.StatusActive}
	if n, _ := f.app.CountMatching(ctx, f.ada, all); n != app.MaxBulkMatching+1 {
		t.Errorf("CountMatching = %d, want the cap + 1", n)
	}
	if _, err := f.app.MatchingMembers(ctx, f.ada, all); !fieldErr(err, "ids", "More than 5,000 members match: a bulk action applies to at most 5,000. Narrow the search or filters and try again.") {
		t.Errorf("past the cap: %v", err)
	}
	all.Query = "m01"
	if ids, err := f.app.MatchingMembers(ctx, f.ada, all); err != nil || len(ids) != 1000 {
		t.Errorf("narrowed: %d, %v", len(ids), err)
	}
}
