package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

func setupRequest(token, email string) models.SetupRequest {
	return models.SetupRequest{Token: token, OrgName: " Acme ", FirstName: "Olive", LastName: "Owner", Email: email,
		Password: storetest.Password, Confirm: storetest.Password}
}

func TestCompleteSetup(t *testing.T) {
	ctx := context.Background()
	meta := models.Meta{IP: "192.0.2.7", UserAgent: "test-agent"}

	t.Run("works once and is audited", func(t *testing.T) {
		f := newFixture(t)
		raw, err := f.st.CreateSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.CheckSetupToken(ctx, raw); err != nil {
			t.Fatalf("CheckSetupToken(fresh) = %v", err)
		}
		bad := setupRequest(raw, "not an email")
		var fe models.FieldErrors
		if _, err := f.app.CompleteSetup(ctx, bad, meta); !errors.As(err, &fe) || fe["email"] == "" {
			t.Errorf("an invalid email = %v, want a field error", err)
		}
		u, err := f.app.CompleteSetup(ctx, setupRequest(raw, " Olive@Acme.test "), meta)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "olive@acme.test" || !models.CheckPassword(u.PasswordHash, storetest.Password) {
			t.Errorf("user %+v", u)
		}
		org, _ := f.st.FindOrganization(ctx, *u.LastOrgID)
		m, _ := f.st.FindMemberByEmail(ctx, org.ID, "olive@acme.test")
		evs := storetest.Audit(t, f.st, models.AuditFilter{Action: models.ActionSetup})
		if len(evs) != 1 || *evs[0].ActorUserID != u.ID || evs[0].ActorEmail != u.Email || *evs[0].TargetMembershipID != m.ID ||
			evs[0].IP != meta.IP || evs[0].UserAgent != meta.UserAgent || evs[0].Detail != "organization Acme" || *evs[0].OrgID != org.ID {
			t.Errorf("setup.completed events = %+v", evs)
		}
		if err := f.app.CheckSetupToken(ctx, raw); !errors.Is(err, app.ErrSetupDone) {
			t.Errorf("CheckSetupToken(used) = %v, want ErrSetupDone", err)
		}
		if _, err := f.app.CompleteSetup(ctx, setupRequest(raw, "mallory@acme.test"), meta); !errors.Is(err, app.ErrSetupDone) {
			t.Errorf("second CompleteSetup = %v, want ErrSetupDone", err)
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.app.CompleteSetup(ctx, setupRequest("nope", "a@acme.test"), meta); !errors.Is(err, models.ErrGone) {
			t.Errorf("CompleteSetup(unknown) = %v, want ErrGone", err)
		}
	})

	t.Run("parallel", func(t *testing.T) {
		f := newFixture(t)
		raw, _ := f.st.CreateSetupToken(ctx)
		var mu sync.Mutex
		ok, refused := 0, 0
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				_, err := f.app.CompleteSetup(ctx, setupRequest(raw, fmt.Sprintf("owner%d@acme.test", i)), meta)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, app.ErrSetupDone) || errors.Is(err, models.ErrGone):
					refused++
				default:
					t.Errorf("setup %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || refused != 9 {
			t.Errorf("%d succeeded, %d refused; want 1 and 9", ok, refused)
		}
		if evs := storetest.Audit(t, f.st, models.AuditFilter{Action: models.ActionSetup}); len(evs) != 1 {
			t.Errorf("%d setup.completed events, want 1", len(evs))
		}
	})
}

func TestCreateOwner(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if need, err := f.app.NeedsPassword(ctx, "olive@acme.test"); err != nil || !need {
		t.Errorf("NeedsPassword(new) = %v, %v", need, err)
	}
	var fe models.FieldErrors
	if _, err := f.app.CreateOwner(ctx, app.CreateOwnerRequest{Email: "olive@acme.test", Password: "short"}); !errors.As(err, &fe) || fe["password"] == "" {
		t.Errorf("a weak password = %v, want refused", err)
	}
	res, err := f.app.CreateOwner(ctx, app.CreateOwnerRequest{Email: " Olive@acme.test", FirstName: "Olive", LastName: "Owner", Password: storetest.Password})
	if err != nil {
		t.Fatal(err)
	}
	if !res.CreatedOrg || !res.CreatedUser || res.Org.Name != "Gatehouse" || res.User.Email != "olive@acme.test" {
		t.Errorf("result %+v", res)
	}
	m, _ := f.st.FindMemberByEmail(ctx, res.Org.ID, "olive@acme.test")
	evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &res.Org.ID, Action: models.ActionOwnerCreated})
	if len(evs) != 1 || evs[0].TargetMembershipID == nil || *evs[0].TargetMembershipID != m.ID ||
		evs[0].TargetEmail != "olive@acme.test" || evs[0].ActorEmail != "command line" || evs[0].IP != "local" {
		t.Errorf("owner.created events = %+v", evs)
	}
	// An existing account keeps its password and needs none.
	if need, _ := f.app.NeedsPassword(ctx, "olive@acme.test"); need {
		t.Error("NeedsPassword(existing) = true")
	}
	again, err := f.app.CreateOwner(ctx, app.CreateOwnerRequest{Email: "olive@acme.test"})
	if err != nil || again.CreatedUser || again.CreatedOrg {
		t.Errorf("CreateOwner(existing) = %+v, %v", again, err)
	}
	// An organization no one has named is created (issue 11); a bad name is refused.
	if res, err := f.app.CreateOwner(ctx, app.CreateOwnerRequest{Email: "x@acme.test", Password: storetest.Password, OrgName: "  Nope "}); err != nil || !res.CreatedOrg || res.Org.Name != "Nope" {
		t.Errorf("an unknown organization = %+v, %v, want it created", res, err)
	}
	long := strings.Repeat("n", models.MaxOrgNameLen+1)
	var orgErr models.FieldErrors
	if _, err := f.app.CreateOwner(ctx, app.CreateOwnerRequest{Email: "y@acme.test", Password: storetest.Password, OrgName: long}); !errors.As(err, &orgErr) || orgErr["org"] == "" {
		t.Errorf("a 101-character organization name = %v, want refused", err)
	}
}
