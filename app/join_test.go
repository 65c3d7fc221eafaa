package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

var joinMeta = models.Meta{IP: "198.51.100.7", UserAgent: "join-test"}

// setRules changes Acme's joining rules as Olive and refreshes the actors' view of the organization.
func (f *team) setRules(t *testing.T, r models.RulesRequest) {
	t.Helper()
	if _, err := f.app.UpdateRules(context.Background(), f.owner, r, testMeta); err != nil {
		t.Fatalf("UpdateRules(%+v): %v", r, err)
	}
	f.refresh(t)
}

// refresh reloads the organization into every actor, as their next request would.
func (f *team) refresh(t *testing.T) {
	t.Helper()
	org, err := f.st.FindOrganization(context.Background(), f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.org = *org
	for _, c := range []*models.Current{f.owner, f.owen, f.ada, f.ed, f.vic} {
		if c != nil {
			c.Org = *org
		}
	}
}

func rules(who models.WhoMayInvite, approval bool, required ...string) models.RulesRequest {
	return models.RulesRequest{WhoMayInvite: who, EnrollmentApproval: approval, Required: required, Country: "US"}
}

func TestOrgRules(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("defaults and who may change them", func(t *testing.T) {
		f := newTeam(t)
		if f.org.WhoMayInvite != models.InviteByAdmins || !f.org.EnrollmentApproval || f.org.Country != "US" || f.org.RequiredAtSignup != "" || f.org.JoinEnabled {
			t.Errorf("defaults = %+v", f.org.OrgRules)
		}
		before := f.state(t)
		for _, c := range []*models.Current{f.ed, f.vic} {
			if _, err := f.app.UpdateRules(ctx, c, rules(models.InviteByAll, false), testMeta); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("UpdateRules by %s = %v, want forbidden", c.User.Email, err)
			}
		}
		bad := models.RulesRequest{WhoMayInvite: "everyone", Required: []string{"shoe size"}, Country: "Mars"}
		_, err := f.app.UpdateRules(ctx, f.ada, bad, testMeta)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["who_may_invite"] == "" || fe["required_at_signup"] == "" || fe["country"] == "" {
			t.Errorf("invalid rules = %v, want a message beside each field", err)
		}
		f.unchanged(t, before, "refused rules")
		org, err := f.app.UpdateRules(ctx, f.ada, models.RulesRequest{WhoMayInvite: models.InviteByAll, Required: []string{"job_id", "phone"}, Country: " gb "}, testMeta)
		if err != nil || org.WhoMayInvite != models.InviteByAll || org.EnrollmentApproval || org.RequiredAtSignup != "phone,job_id" || org.Country != "GB" {
			t.Fatalf("UpdateRules = %+v, %v", org, err)
		}
		evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionOrgUpdated, Limit: 10})
		if len(evs) != 1 || !strings.Contains(evs[0].Detail, "who may invite Owners and Admins → All members") ||
			!strings.Contains(evs[0].Detail, "enrollment approval on → off") || !strings.Contains(evs[0].Detail, "country US → GB") {
			t.Errorf("audit = %+v", evs)
		}
	})

	t.Run("who may invite", func(t *testing.T) {
		f := newTeam(t)
		req := models.InviteRequest{Emails: "friend@example.com", Roles: viewer}
		if _, err := f.app.Invite(ctx, f.vic, req, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a Viewer invites under Owners and Admins: %v, want forbidden", err)
		}
		f.setRules(t, rules(models.InviteByAll, true))
		if !f.app.MayInvite(f.vic) || !f.app.MayInvite(f.ed) {
			t.Error("MayInvite under All members = false")
		}
		out, err := f.app.Invite(ctx, f.vic, req, testMeta)
		if err != nil || out[0].Result != models.InviteSent {
			t.Fatalf("a Viewer invites under All members: %+v, %v", out, err)
		}
		if m := f.member(t, "friend@example.com"); m.JoinedVia != models.ViaMember || *m.InvitedByID != f.vic.User.ID {
			t.Errorf("membership = %+v, want invited by Vic as a member", m)
		}
		// Never above their own roles, and never app access.
		_, err = f.app.Invite(ctx, f.vic, models.InviteRequest{Emails: "boss@example.com", Roles: []models.Role{models.RoleEditor}}, testMeta)
		if models.RefusalMessage(err) == "" {
			t.Errorf("a Viewer grants Editor: %v, want refused", err)
		}
		_, err = f.app.Invite(ctx, f.vic, models.InviteRequest{Emails: "app@example.com", Roles: viewer, Apps: []int64{1}}, testMeta)
		if fe := (models.FieldErrors{}); !errors.As(err, &fe) || fe["apps"] == "" {
			t.Errorf("a Viewer grants apps: %v, want refused beside apps", err)
		}
		// The daily quota applies to them as to anyone.
		if _, err := f.app.UpdateSettings(ctx, f.owner, models.SettingsRequest{Name: "Acme", InviteLifetimeHours: "72", MFAPolicy: models.MFAOptional,
			MFAGraceDays: "0", InviteQuota: "1"}, testMeta); err != nil {
			t.Fatal(err)
		}
		f.refresh(t)
		out, err = f.app.Invite(ctx, f.vic, models.InviteRequest{Emails: "second@example.com", Roles: viewer}, testMeta)
		if err != nil || out[0].Result != models.InviteOverQuota {
			t.Errorf("past the quota: %+v, %v; want over quota", out, err)
		}
	})

	t.Run("enrollment approval", func(t *testing.T) {
		f := newTeam(t)
		f.setRules(t, rules(models.InviteByAll, true))
		byMember := f.invite(t, f.vic, viewer, "waits@example.com")["waits@example.com"]
		byAdmin := f.invite(t, f.ada, viewer, "direct@example.com")["direct@example.com"]
		_, info, err := f.app.AcceptInvitation(ctx, byMember, signup("Wai", "Ting"), testMeta)
		if err != nil || info.Membership.Status != models.StatusPending || f.member(t, "waits@example.com").Status != models.StatusPending {
			t.Errorf("member's invitee with approval on: %v, %v; want pending", info, err)
		}
		if _, _, err := f.app.AcceptInvitation(ctx, byAdmin, signup("Di", "Rect"), testMeta); err != nil || f.member(t, "direct@example.com").Status != models.StatusActive {
			t.Errorf("admin's invitee with approval on: %v, want active", err)
		}
		// Approval off: a member's invitee joins directly.
		f.setRules(t, rules(models.InviteByAll, false))
		raw := f.invite(t, f.vic, viewer, "straight@example.com")["straight@example.com"]
		if _, _, err := f.app.AcceptInvitation(ctx, raw, signup("Str", "Aight"), testMeta); err != nil || f.member(t, "straight@example.com").Status != models.StatusActive {
			t.Errorf("member's invitee with approval off: %v, want active", err)
		}
	})

	t.Run("required at signup", func(t *testing.T) {
		f := newTeam(t)
		f.setRules(t, rules(models.InviteByAdmins, true, "phone", "department"))
		raw := f.invite(t, f.ada, viewer, "req@example.com")["req@example.com"]
		before := f.state(t)
		_, _, err := f.app.AcceptInvitation(ctx, raw, signup("Re", "Quired"), testMeta)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["phone"] == "" || fe["department"] == "" || fe["position"] != "" {
			t.Fatalf("signup without the required fields: %v", err)
		}
		req := signup("Re", "Quired")
		req.Extras = models.SignupExtras{Phone: "12345", Department: "Ops"}
		if _, _, err := f.app.AcceptInvitation(ctx, raw, req, testMeta); !errors.As(err, &fe) || fe["phone"] == "" {
			t.Fatalf("a bad phone: %v", err)
		}
		req.Extras = models.SignupExtras{Phone: "(201) 555-0123", Department: "Ops"}
		if _, _, err := f.app.AcceptInvitation(ctx, raw, req, testMeta); !errors.As(err, &fe) || fe["department"] == "" {
			t.Fatalf("a department that is not on the organization's list: %v", err)
		}
		f.unchanged(t, before, "refused signups")
		if _, err := f.app.CreateDepartment(ctx, f.ada, models.DepartmentRequest{Name: "Ops"}, testMeta); err != nil {
			t.Fatal(err)
		}
		req.Extras = models.SignupExtras{Phone: "(201) 555-0123", Department: " ops ", Position: "ignored: not required"}
		u, _, err := f.app.AcceptInvitation(ctx, raw, req, testMeta)
		if err != nil || u.Phone != "+12015550123" {
			t.Fatalf("signup with the fields: %+v, %v", u, err)
		}
		if m := f.member(t, "req@example.com"); m.Department != "Ops" || m.Position != "" || m.Status != models.StatusActive {
			t.Errorf("membership = %+v", m)
		}
	})
}

// enable turns on Acme's public invitation as Ada with limits and returns the link token and code.
func (f *team) enable(t *testing.T, r models.JoinLinkRequest) (token, code string) {
	t.Helper()
	jl, err := f.app.ChangePublicInvitation(context.Background(), f.ada, app.JoinEnable, r, testMeta)
	if err != nil {
		t.Fatalf("enable: %v", err)
	}
	f.refresh(t)
	return tokenOf(t, jl), strings.ReplaceAll(jl.Code, "-", "")
}

func tokenOf(t *testing.T, jl *app.JoinLink) string {
	t.Helper()
	token, ok := strings.CutPrefix(jl.Link, "http://gatehouse.test/join/")
	if !ok || len(token) < 40 || len(jl.Code) != 9 || !jl.Enabled {
		t.Fatalf("public invitation = %+v", jl)
	}
	return token
}

func joiner(email string) models.JoinSignupRequest {
	return models.JoinSignupRequest{Email: email, SignupRequest: signup("Jo", "Iner")}
}

func TestPublicInvitation(t *testing.T) {
	ctx := context.Background()

	t.Run("off by default, Owners and Admins only", func(t *testing.T) {
		f := newTeam(t)
		jl, err := f.app.PublicInvitation(ctx, f.ada)
		if err != nil || jl.Enabled || jl.Link != "" || jl.Code != "" {
			t.Errorf("default = %+v, %v", jl, err)
		}
		for _, c := range []*models.Current{f.ed, f.vic} {
			if _, err := f.app.ChangePublicInvitation(ctx, c, app.JoinEnable, models.JoinLinkRequest{}, testMeta); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("enable by %s: %v", c.User.Email, err)
			}
			if _, err := f.app.PublicInvitation(ctx, c); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("read by %s: %v", c.User.Email, err)
			}
		}
	})

	t.Run("link and code lead into Pending", func(t *testing.T) {
		f := newTeam(t)
		token, code := f.enable(t, models.JoinLinkRequest{})
		if strings.ContainsAny(code, "0O1IL") {
			t.Errorf("code %q has look-alikes", code)
		}
		res, err := f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("new@example.com"), joinMeta)
		if err != nil || res.Membership.Status != models.StatusPending || res.Membership.JoinedVia != models.ViaLink {
			t.Fatalf("join by link: %+v, %v", res, err)
		}
		if m := f.member(t, "new@example.com"); m.Status != models.StatusPending || m.UserID == nil {
			t.Errorf("member = %+v", m)
		}
		if evs := f.auditOf(t, models.ActionJoinRequested, res.Membership.ID); len(evs) != 1 || evs[0].Detail != "Public link" {
			t.Errorf("audit = %+v", evs)
		}
		// Typed in lower case with spaces and a dash.
		typed := strings.ToLower(code[:4]) + " - " + strings.ToLower(code[4:6]) + " " + code[6:]
		res, err = f.app.JoinWithSignup(ctx, models.ViaCode, typed, joiner("coder@example.com"), joinMeta)
		if err != nil || res.Membership.Status != models.StatusPending || res.Membership.JoinedVia != models.ViaCode {
			t.Fatalf("join by code %q: %+v, %v", typed, res, err)
		}
		// An existing account asks with its password.
		outsider := &models.User{Email: "out@other.test", FirstName: "Out", LastName: "Sider", PasswordHash: models.HashPassword(storetest.Password)}
		if err := f.st.CreateUser(ctx, outsider); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.JoinWithAccount(ctx, models.ViaLink, token, models.LoginRequest{Email: "out@other.test", Password: "wrong password!!"}, joinMeta); !errors.Is(err, app.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		res, err = f.app.JoinWithAccount(ctx, models.ViaLink, token, models.LoginRequest{Email: "out@other.test", Password: storetest.Password}, joinMeta)
		if err != nil || res.Membership.Status != models.StatusPending || *res.Membership.UserID != outsider.ID {
			t.Fatalf("existing account: %+v, %v", res, err)
		}
		if _, err := f.app.JoinWithAccount(ctx, models.ViaLink, token, models.LoginRequest{Email: "out@other.test", Password: storetest.Password}, joinMeta); !errors.Is(err, app.ErrAlreadyMember) {
			t.Errorf("asking twice: %v, want already a member", err)
		}
		// Someone with an account cannot sign up again through the link.
		_, err = f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("vic@acme.test"), joinMeta)
		if fe := (models.FieldErrors{}); !errors.As(err, &fe) || fe["email"] == "" {
			t.Errorf("signup with an existing email: %v", err)
		}
		jl, _ := f.app.PublicInvitation(ctx, f.ada)
		if jl.Uses != 3 {
			t.Errorf("uses = %d, want 3", jl.Uses)
		}
	})

	t.Run("regenerate and disable stop the old link and code", func(t *testing.T) {
		f := newTeam(t)
		token, code := f.enable(t, models.JoinLinkRequest{})
		jl, err := f.app.ChangePublicInvitation(ctx, f.ada, app.JoinRegenerate, models.JoinLinkRequest{}, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		newToken := tokenOf(t, jl)
		if _, err := f.app.OpenJoin(ctx, models.ViaLink, token, joinMeta); !errors.Is(err, app.ErrJoinUnknown) {
			t.Errorf("old link: %v", err)
		}
		if _, err := f.app.OpenJoin(ctx, models.ViaCode, code, joinMeta); !errors.Is(err, app.ErrJoinUnknown) {
			t.Errorf("old code: %v", err)
		}
		if _, err := f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("late@example.com"), joinMeta); !errors.Is(err, app.ErrJoinUnknown) {
			t.Errorf("signup through the old link: %v", err)
		}
		if _, err := f.app.OpenJoin(ctx, models.ViaLink, newToken, joinMeta); err != nil {
			t.Errorf("new link: %v", err)
		}
		if _, err := f.app.ChangePublicInvitation(ctx, f.ada, app.JoinDisable, models.JoinLinkRequest{}, testMeta); err != nil {
			t.Fatal(err)
		}
		var closed *app.JoinClosedError
		if _, err := f.app.OpenJoin(ctx, models.ViaLink, newToken, joinMeta); !errors.As(err, &closed) {
			t.Errorf("disabled link: %v", err)
		}
		evs := storetest.Audit(t, f.st, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionJoinLinkChanged, Limit: 10})
		if len(evs) != 3 {
			t.Errorf("audit = %d events, want 3 (enable, regenerate, disable)", len(evs))
		}
	})

	t.Run("expiry, cap and domains", func(t *testing.T) {
		f := newTeam(t)
		tomorrow := f.clock.Now().Add(24 * time.Hour).UTC().Format("2006-01-02")
		token, _ := f.enable(t, models.JoinLinkRequest{Expires: tomorrow, MaxUses: "3", Domains: "Example.com, @example.org"})
		_, err := f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("x@elsewhere.test"), joinMeta)
		if fe := (models.FieldErrors{}); !errors.As(err, &fe) || !strings.Contains(fe["email"], "example.com, example.org") {
			t.Errorf("a domain not allowed: %v", err)
		}
		// Parallel joins cannot pass the cap.
		var ok, closed atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				_, err := f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("p"+string(rune('a'+i))+"@example.org"), joinMeta)
				var ce *app.JoinClosedError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &ce):
					closed.Add(1)
				default:
					t.Errorf("parallel join: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 3 || closed.Load() != 3 {
			t.Errorf("parallel joins: %d in, %d closed; want 3 and 3", ok.Load(), closed.Load())
		}
		f.clock.Advance(49 * time.Hour)
		if _, err := f.app.ChangePublicInvitation(ctx, f.ada, app.JoinSaveLimits, models.JoinLinkRequest{}, testMeta); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.ChangePublicInvitation(ctx, f.ada, app.JoinSaveLimits, models.JoinLinkRequest{Expires: tomorrow}, testMeta); err == nil {
			t.Error("an expiry in the past was saved")
		}
		_, err = f.app.ChangePublicInvitation(ctx, f.ada, app.JoinSaveLimits, models.JoinLinkRequest{MaxUses: "-1", Domains: "not a domain"}, testMeta)
		if fe := (models.FieldErrors{}); !errors.As(err, &fe) || fe["join_max_uses"] == "" || fe["join_domains"] == "" {
			t.Errorf("bad limits: %v", err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		f := newTeam(t)
		token, _ := f.enable(t, models.JoinLinkRequest{Expires: f.clock.Now().UTC().Format("2006-01-02")})
		f.clock.Advance(25 * time.Hour)
		var closed *app.JoinClosedError
		if _, err := f.app.OpenJoin(ctx, models.ViaLink, token, joinMeta); !errors.As(err, &closed) || !strings.Contains(closed.Msg, "expired") {
			t.Errorf("expired link: %v", err)
		}
	})

	t.Run("guessing codes is held back", func(t *testing.T) {
		f := newTeam(t)
		_, code := f.enable(t, models.JoinLinkRequest{})
		var wait *app.WaitError
		blocked := false
		for i := range 12 {
			_, err := f.app.OpenJoin(ctx, models.ViaCode, "ZZZZZZZ"+string(rune('A'+i)), joinMeta)
			if errors.As(err, &wait) {
				blocked = true
				break
			}
			if !errors.Is(err, app.ErrJoinUnknown) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if !blocked {
			t.Fatal("12 wrong codes were never held back")
		}
		// Even the right code waits now, from that address; another address is free.
		if _, err := f.app.OpenJoin(ctx, models.ViaCode, code, joinMeta); !errors.As(err, &wait) {
			t.Errorf("right code while held back: %v", err)
		}
		if _, err := f.app.OpenJoin(ctx, models.ViaCode, code, models.Meta{IP: "203.0.113.9"}); err != nil {
			t.Errorf("right code from another address: %v", err)
		}
		// The audit log is not flooded: the refusals are aggregated.
		evs := storetest.Audit(t, f.st, models.AuditFilter{Action: models.ActionJoinCodeWrong, Limit: 100})
		if len(evs) > 2 {
			t.Errorf("%d audit events for wrong codes, want them aggregated", len(evs))
		}
	})
}

func TestPendingDecisions(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	token, _ := f.enable(t, models.JoinLinkRequest{})
	res, err := f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("req@example.com"), joinMeta)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Membership.ID
	// Refusals: Editors cannot decide; nobody grants what they lack.
	if _, err := f.app.ApproveRequest(ctx, f.ed, id, models.ActApprove, nil, testMeta); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("approve by an Editor: %v", err)
	}
	if _, err := f.app.ApproveRequest(ctx, f.ada, id, models.ActApprove, []models.Role{models.RoleOwner}, testMeta); models.RefusalMessage(err) == "" {
		t.Errorf("Admin approves as Owner: %v", err)
	}
	if _, err := f.app.RejectRequest(ctx, f.ada, id, strings.Repeat("x", 501), testMeta); err == nil {
		t.Error("a 501-character reason was taken")
	}
	if _, err := f.app.ApproveRequest(ctx, f.ada, id, models.ActReapprove, nil, testMeta); !errors.Is(err, models.ErrConflict) {
		t.Errorf("re-approve a pending request: %v, want conflict", err)
	}
	if f.member(t, "req@example.com").Status != models.StatusPending {
		t.Fatal("a refused decision changed the request")
	}

	m, err := f.app.RejectRequest(ctx, f.ada, id, "We only take staff.", testMeta)
	if err != nil || m.Status != models.StatusRejected || f.member(t, "req@example.com").RejectReason != "We only take staff." {
		t.Fatalf("reject: %+v, %v", m, err)
	}
	msgs := f.messagesOf(t, "req@example.com")
	if len(msgs) != 1 || !strings.Contains(msgs[0].TextBody, "was not approved") || !strings.Contains(msgs[0].TextBody, "We only take staff.") {
		t.Errorf("reject email = %+v", msgs)
	}
	if evs := f.auditOf(t, models.ActionRejected, id); len(evs) != 1 || !strings.Contains(evs[0].Detail, "We only take staff.") {
		t.Errorf("reject audit = %+v", evs)
	}
	m, err = f.app.ApproveRequest(ctx, f.ada, id, models.ActReapprove, []models.Role{models.RoleEditor}, testMeta)
	if err != nil || m.Status != models.StatusActive {
		t.Fatalf("re-approve: %+v, %v", m, err)
	}
	got := f.member(t, "req@example.com")
	if len(got.Roles) != 1 || got.Roles[0] != models.RoleEditor || got.RejectReason != "" {
		t.Errorf("after re-approve: roles %v, reason %q", got.Roles, got.RejectReason)
	}
	msgs = f.messagesOf(t, "req@example.com")
	if len(msgs) != 2 || !strings.Contains(msgs[1].Subject, "You can now use Acme") {
		t.Errorf("approve email = %+v", msgs)
	}
	if evs := f.auditOf(t, models.ActionReapproved, id); len(evs) != 1 || evs[0].Detail != "roles Editor" {
		t.Errorf("re-approve audit = %+v", evs)
	}

	// Approve with no role chosen gives Viewer; the bulk path does too.
	res, _ = f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("two@example.com"), joinMeta)
	if _, err := f.app.ApproveRequest(ctx, f.ada, res.Membership.ID, models.ActApprove, nil, testMeta); err != nil {
		t.Fatal(err)
	}
	if got := f.member(t, "two@example.com"); got.Status != models.StatusActive || len(got.Roles) != 1 || got.Roles[0] != models.RoleViewer {
		t.Errorf("approved without a choice: %+v", got)
	}
	res, _ = f.app.JoinWithSignup(ctx, models.ViaLink, token, joiner("three@example.com"), joinMeta)
	if _, err := f.app.BulkAction(ctx, f.ada, models.ActApprove, []int64{res.Membership.ID}, testMeta); err != nil {
		t.Fatal(err)
	}
	if got := f.member(t, "three@example.com"); got.Status != models.StatusActive || len(got.Roles) != 1 || got.Roles[0] != models.RoleViewer {
		t.Errorf("bulk approved: %+v", got)
	}
}

func TestPhoneInvitations(t *testing.T) {
	ctx := context.Background()
	f := newTeam(t)
	f.setRules(t, rules(models.InviteByAll, true))
	if _, err := f.app.UpdateSettings(ctx, f.owner, models.SettingsRequest{Name: "Acme", InviteLifetimeHours: "72", MFAPolicy: models.MFAOptional,
		MFAGraceDays: "0", InviteQuota: "2"}, testMeta); err != nil {
		t.Fatal(err)
	}
	f.refresh(t)
	// A Viewer, under All members: national numbers read in the country; the quota counts texts too.
	out, err := f.app.Invite(ctx, f.vic, models.InviteRequest{Emails: "mail@example.com", Phones: "201 555 0101\n+1 201 555 0101\n(201) 555-0102",
		Roles: []models.Role{models.RoleViewer}}, testMeta)
	if err != nil || len(out) != 3 || out[0].Result != models.InviteHeld && out[0].Result != models.InviteSent {
		t.Fatalf("outcomes = %+v, %v", out, err)
	}
	if out[1].Email != "+12015550101" || out[1].Result != models.InviteHeld || out[2].Email != "+12015550102" || out[2].Result != models.InviteOverQuota {
		t.Errorf("outcomes = %+v; want the first phone held (no SMS provider in this fixture), the second over the quota", out)
	}
	m, err := f.st.FindMemberByPhone(ctx, f.org.ID, "+12015550101")
	if err != nil || m.Email != "" || m.Status != models.StatusInvited || m.JoinedVia != models.ViaMember || m.NameKey != "+12015550101" {
		t.Fatalf("membership = %+v, %v", m, err)
	}
	var texts int
	for _, msg := range f.messagesOfAll(t) {
		if msg.Channel == models.ChannelSMS && msg.Recipient == "+12015550101" && strings.Contains(msg.TextBody, "/invite/") {
			texts++
		}
	}
	if texts != 1 {
		t.Errorf("%d texts to the phone, want 1", texts)
	}
	// Reinvite texts a new link too.
	if _, err := f.app.Reinvite(ctx, withQuotaFree(f.owner), m.ID, models.Meta{IP: "203.0.113.50"}); err != nil {
		t.Fatal(err)
	}
	texts = 0
	for _, msg := range f.messagesOfAll(t) {
		if msg.Channel == models.ChannelSMS && msg.Recipient == "+12015550101" && strings.HasSuffix(strings.TrimSpace(msg.TextBody), f.lastSMSLink(t, msg.TextBody)) {
			texts++
		}
	}
	if texts != 2 {
		t.Errorf("%d texts after Reinvite, want 2", texts)
	}
	_, err = f.app.Invite(ctx, f.owner, models.InviteRequest{Phones: "12", Roles: []models.Role{models.RoleViewer}}, testMeta)
	if fe := (models.FieldErrors{}); !errors.As(err, &fe) || fe["phones"] == "" {
		t.Errorf("a bad number: %v", err)
	}
}

// withQuotaFree is cur in an organization without a daily quota.
func withQuotaFree(cur *models.Current) *models.Current {
	c := *cur
	c.Org.InviteQuota = 0
	return &c
}

// lastSMSLink is the invitation link a text message ends with.
func (f *team) lastSMSLink(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "http://gatehouse.test/invite/")
	if i < 0 {
		t.Fatalf("no link in %q", body)
	}
	return body[i:]
}
