package delivery

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordResetEmail(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	d := PasswordResetData{Email: "ann@example.com", Link: "https://gatehouse.example/reset-password/abc_-1", ExpiresAt: now.Add(time.Hour), Now: now}
	subject, text, html := PasswordResetEmail(d)

	if subject != "Reset your Gatehouse password" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{
		"reset the password of the Gatehouse account for ann@example.com.",
		"\nhttps://gatehouse.example/reset-password/abc_-1\n",
		"expires in 1 hour (Tuesday 24 November 2026, 10:00 UTC).",
		"If you didn't ask, ignore this email; your password stays the same.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		`<html lang="en">`,
		`href="https://gatehouse.example/reset-password/abc_-1"`,
		`>Choose a new password</a>`,
		`>https://gatehouse.example/reset-password/abc_-1</a>`,
		"<strong>ann@example.com</strong>",
		"expires in 1 hour (Tuesday 24 November 2026, 10:00 UTC)",
		"If you didn't ask, ignore this email; your password stays the same.",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}

	t.Run("the typed email is escaped in HTML and kept on one line", func(t *testing.T) {
		d := d
		d.Email = "<b>x</b>@example.com\r\nBcc: y@example.com"
		_, text, html := PasswordResetEmail(d)
		if strings.Contains(html, "<b>x</b>") {
			t.Errorf("html holds the unescaped email:\n%s", html)
		}
		if strings.Contains(text, "\r") || !strings.Contains(text, "for <b>x</b>@example.com Bcc: y@example.com.") {
			t.Errorf("text does not keep the email on one line:\n%s", text)
		}
	})

	t.Run("a javascript link is neutralised", func(t *testing.T) {
		d := d
		d.Link = "javascript:alert(1)"
		_, _, html := PasswordResetEmail(d)
		if strings.Contains(html, `href="javascript:`) {
			t.Error("html links to javascript:")
		}
	})
}
