package delivery

import (
	"strings"
	"testing"
	"time"
)

func TestInvitationEmail(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	d := InvitationData{OrgName: "Acme", InviterName: "Olive Owner", InviterEmail: "olive@example.com", RecipientFirstName: "Ann",
		Link: "https://gatehouse.example/invite?token=abc&x=1", ExpiresAt: now.Add(72 * time.Hour), Now: now}
	subject, text, html := InvitationEmail(d)

	if subject != "Olive Owner invited you to Acme on Gatehouse" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{
		"Hello Ann,",
		"Olive Owner (olive@example.com) invited you to join Acme on Gatehouse.",
		"\nhttps://gatehouse.example/invite?token=abc&x=1\n",
		"expires on Friday 27 November 2026, 09:00 UTC (in 3 days).",
		"If it has expired, ask Olive Owner (olive@example.com) to send you a new one.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		`<html lang="en">`,
		`href="https://gatehouse.example/invite?token=abc&amp;x=1"`,
		`>Accept invitation</a>`,
		`>https://gatehouse.example/invite?token=abc&amp;x=1</a>`, // the raw link as text, too
		"Friday 27 November 2026, 09:00 UTC (in 3 days)",
		"ask Olive Owner (olive@example.com) to send you a new one",
		`role="presentation"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}

	t.Run("no first name, no inviter name", func(t *testing.T) {
		d := d
		d.RecipientFirstName, d.InviterName = "", ""
		subject, text, _ := InvitationEmail(d)
		if subject != "olive@example.com invited you to Acme on Gatehouse" {
			t.Errorf("subject %q", subject)
		}
		if !strings.HasPrefix(text, "Hello,\n") || !strings.Contains(text, "olive@example.com invited you") {
			t.Errorf("text:\n%s", text)
		}
	})

	t.Run("nobody named", func(t *testing.T) {
		d := d
		d.InviterName, d.InviterEmail = "", ""
		subject, text, _ := InvitationEmail(d)
		if subject != "You're invited to Acme on Gatehouse" || !strings.Contains(text, "ask an Owner or Admin of Acme") {
			t.Errorf("subject %q, text:\n%s", subject, text)
		}
	})

	t.Run("names are escaped in HTML and kept on one line", func(t *testing.T) {
		d := d
		d.OrgName = "<b>Evil</b>\r\nBcc: x@example.com"
		d.InviterName = `Mallory "<script>"`
		subject, _, html := InvitationEmail(d)
		if strings.ContainsAny(subject, "\r\n") {
			t.Errorf("subject holds a line break: %q", subject)
		}
		if strings.Contains(html, "<b>Evil") || strings.Contains(html, "<script>") {
			t.Errorf("html holds unescaped names:\n%s", html)
		}
	})

	t.Run("a javascript link is neutralised", func(t *testing.T) {
		d := d
		d.Link = "javascript:alert(1)"
		_, _, html := InvitationEmail(d)
		if strings.Contains(html, `href="javascript:`) {
			t.Error("html links to javascript:")
		}
	})
}

func TestRelative(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{72 * time.Hour, "in 3 days"},
		{72*time.Hour - 20*time.Second, "in 3 days"},
		{30 * 24 * time.Hour, "in 30 days"},
		{24 * time.Hour, "in 24 hours"},
		{60 * time.Hour, "in 2 days and 12 hours"},
		{time.Hour, "in 1 hour"},
		{90 * time.Minute, "in 2 hours"},
		{45 * time.Minute, "in 45 minutes"},
		{time.Minute, "in 1 minute"},
		{0, "now"},
	} {
		if got := relative(tc.d); got != tc.want {
			t.Errorf("relative(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
