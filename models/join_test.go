package models

import (
	"errors"
	"strings"
	"testing"
)

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
