package models

import (
	"slices"
	"testing"
)

func TestParseTab(t *testing.T) {
	tests := []struct {
		in   string
		want Tab
	}{
		{"active", TabActive},
		{"pending", TabPending},
		{"inactivated", TabInactivated},
		{"terminated", TabTerminated},
		{"", TabActive},
		{"Pending", TabActive},
		{"rejected", TabActive},
		{"revoked", TabActive},
		{"invited", TabActive},
		{"pending ", TabActive},
		{"<script>", TabActive},
	}
	for _, tt := range tests {
		if got := ParseTab(tt.in); got != tt.want {
			t.Errorf("ParseTab(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTabs(t *testing.T) {
	if !slices.Equal(Tabs, []Tab{TabActive, TabPending, TabInactivated, TabTerminated}) {
		t.Errorf("Tabs = %v, want Active, Pending, Inactivated, Terminated", Tabs)
	}
	tests := []struct {
		tab    Tab
		label  string
		status Status
	}{
		{TabActive, "Active", StatusActive},
		{TabPending, "Pending", StatusPending},
		{TabInactivated, "Inactivated", StatusInvited},
		{TabTerminated, "Terminated", StatusTerminated},
		{Tab("bogus"), "Active", StatusActive},
	}
	for _, tt := range tests {
		if got := tt.tab.Label(); got != tt.label {
			t.Errorf("Tab(%q).Label() = %q, want %q", tt.tab, got, tt.label)
		}
		if got := tt.tab.Status(); got != tt.status {
			t.Errorf("Tab(%q).Status() = %q, want %q", tt.tab, got, tt.status)
		}
	}
}

func TestStatusLabel(t *testing.T) {
	tests := []struct {
		status Status
		want   string
	}{
		{StatusInvited, "Invited"},
		{StatusPending, "Pending"},
		{StatusRejected, "Rejected"},
		{StatusActive, "Active"},
		{StatusTerminated, "Terminated"},
		{StatusRevoked, "Revoked"},
		{Status("frozen"), "frozen"},
	}
	for _, tt := range tests {
		if got := tt.status.Label(); got != tt.want {
			t.Errorf("Status(%q).Label() = %q, want %q", tt.status, got, tt.want)
		}
	}
}
