package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStatusOnJoin(t *testing.T) {
	on, off := Organization{OrgRules: OrgRules{EnrollmentApproval: true}}, Organization{}
	for _, tc := range []struct {
		org  Organization
		via  JoinVia
		want Status
	}{
		{on, ViaAdmin, StatusActive}, {off, ViaAdmin, StatusActive},
		{on, ViaMember, StatusPending}, {off, ViaMember, StatusActive},
		{on, ViaLink, StatusPending}, {off, ViaLink, StatusPending},
		{on, ViaCode, StatusPending}, {off, ViaCode, StatusPending},
	} {
		if got := StatusOnJoin(tc.org, tc.via); got != tc.want {
			t.Errorf("StatusOnJoin(approval %v, %q) = %s, want %s", tc.org.EnrollmentApproval, tc.via, got, tc.want)
		}
	}
	if InviteVia(PermissionsOf([]Role{RoleAdmin})) != ViaAdmin || InviteVia(PermissionsOf([]Role{RoleViewer})) != ViaMember {
		t.Error("InviteVia: an Admin's invitation must never wait, a Viewer's is a member's")
	}
}

func TestMayInvite(t *testing.T) {
	admins, all := Organization{OrgRules: OrgRules{WhoMayInvite: InviteByAdmins}}, Organization{OrgRules: OrgRules{WhoMayInvite: InviteByAll}}
	for _, tc := range []struct {
		org  Organization
		role Role
		want bool
	}{{admins, RoleOwner, true}, {admins, RoleAdmin, true}, {admins, RoleEditor, false}, {admins, RoleViewer, false},
		{all, RoleEditor, true}, {all, RoleViewer, true}} {
		if got := MayInvite(tc.org, PermissionsOf([]Role{tc.role})); got != tc.want {
			t.Errorf("MayInvite(%s, %s) = %v", tc.org.WhoMayInvite, tc.role, got)
		}
	}
	if MayInvite(all, PermissionsOf(nil)) {
		t.Error("someone with no permission may invite")
	}
}

func TestJoinCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewJoinCode()
		if len(c) != JoinCodeLen || strings.ContainsAny(c, "0O1IL2Z5S8BUoil") || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		if NormalizeJoinCode(" "+strings.ToLower(FormatJoinCode(c))+" ") != c {
			t.Errorf("typed loosely, %q does not read back", c)
		}
	}
	for in, want := range map[string]string{"acde-fghj": "ACDEFGHJ", "AC DE\tFG–HJ": "ACDEFGHJ", "": ""} {
		if got := NormalizeJoinCode(in); got != want {
			t.Errorf("NormalizeJoinCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinLinkRequest(t *testing.T) {
	now := time.Date(2030, 5, 10, 12, 0, 0, 0, time.UTC)
	r := JoinLinkRequest{Expires: "2030-05-10", MaxUses: " 5 ", Domains: "Example.com; @example.org example.com"}
	if errs := r.Validate(now); errs.Any() {
		t.Fatal(errs)
	}
	if !r.ExpiresAt.Equal(time.Date(2030, 5, 11, 0, 0, 0, 0, time.UTC)) || r.Cap != 5 || strings.Join(r.DomainList, ",") != "example.com,example.org" {
		t.Errorf("parsed %+v", r)
	}
	for _, bad := range []JoinLinkRequest{{Expires: "2030-05-09"}, {Expires: "tomorrow"}, {MaxUses: "0"}, {MaxUses: "x"}, {Domains: "not a domain"}} {
		if errs := bad.Validate(now); !errs.Any() {
			t.Errorf("%+v accepted", bad)
		}
	}
	rules := OrgRules{JoinDomains: "example.com"}
	if !rules.DomainAllowed("a@Example.com") || rules.DomainAllowed("a@example.com.evil.test") || rules.DomainAllowed("a@sub.example.com") {
		t.Error("DomainAllowed")
	}
}

func TestSignupExtras(t *testing.T) {
	org := OrgRules{RequiredAtSignup: "phone,position", Country: "GB"}
	x := SignupExtras{Phone: "07911 123456", Department: "dropped", Position: " Chef "}
	errs := FieldErrors{}
	x.Validate(errs, org)
	if errs.Any() || x.Phone != "+447911123456" || x.Department != "" || x.Position != "Chef" {
		t.Errorf("extras = %+v, %v", x, errs)
	}
	errs = FieldErrors{}
	(&SignupExtras{Phone: "123"}).Validate(errs, org)
	if errs["phone"] == "" || errs["position"] == "" {
		t.Errorf("missing fields: %v", errs)
	}
}

func TestJoinStatus(t *testing.T) {
	for _, tt := range []struct {
		from Status
		want Status
		ok   bool
	}{
		{StatusInvited, StatusActive, true},
		{StatusActive, "", false},
		{StatusPending, "", false},
		{StatusRejected, "", false},
		{StatusTerminated, "", false},
		{StatusRevoked, "", false},
	} {
		got, err := JoinStatus(Organization{}, Membership{Status: tt.from})
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("JoinStatus(%s) = %q, %v", tt.from, got, err)
		}
		if !tt.ok && !errors.Is(err, ErrTransition) {
			t.Errorf("JoinStatus(%s) error %v, want ErrTransition", tt.from, err)
		}
	}
	// The enrollment rule applies to an existing account's Join as to a signup.
	approval := Organization{OrgRules: OrgRules{EnrollmentApproval: true}}
	if got, err := JoinStatus(approval, Membership{Status: StatusInvited, JoinedVia: ViaMember}); err != nil || got != StatusPending {
		t.Errorf("a member's invitation under approval joins as %q (%v), want pending", got, err)
	}
	if got, err := JoinStatus(approval, Membership{Status: StatusInvited, JoinedVia: ViaAdmin}); err != nil || got != StatusActive {
		t.Errorf("an Admin's invitation under approval joins as %q (%v), want active", got, err)
	}
}

func TestOrgRequestValidate(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"Acme", "Acme", true},
		{"  Acme Corp  ", "Acme Corp", true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("é", MaxOrgNameLen), strings.Repeat("é", MaxOrgNameLen), true},
		{strings.Repeat("x", MaxOrgNameLen+1), "", false},
		{"bad\x00name", "", false},
	} {
		r := OrgRequest{Name: tt.in}
		errs := r.Validate()
		if errs.Any() == tt.ok || (tt.ok && r.Name != tt.want) {
			t.Errorf("Validate(%q) = %q, %v", tt.in, r.Name, errs)
		}
	}
}
