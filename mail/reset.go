package mail

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// PasswordResetData is what a password reset email says.
type PasswordResetData struct {
	Email     string // the account's address, as the person typed it
	Link      string
	ExpiresAt time.Time
	Now       time.Time // when the email is written, for "in 1 hour"; time.Now when zero
}

// passwordResetView is PasswordResetData with the wording worked out once for both bodies.
type passwordResetView struct {
	PasswordResetData
	ExpiresOn string // "Tuesday 24 November 2026, 10:00 UTC"
	ExpiresIn string // "in 1 hour"
}

// PasswordResetEmail writes the subject and the plain-text and HTML bodies of a password reset email.
func PasswordResetEmail(d PasswordResetData) (subject, text, html string) {
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	d.Email = oneLine(d.Email)
	v := passwordResetView{PasswordResetData: d,
		ExpiresOn: d.ExpiresAt.UTC().Format("Monday 2 January 2006, 15:04 UTC"), ExpiresIn: relative(d.ExpiresAt.Sub(d.Now))}
	var tb, hb strings.Builder
	if err := passwordResetText.Execute(&tb, v); err != nil {
		panic(err) // the templates are fixed and their data is plain strings
	}
	if err := passwordResetHTML.Execute(&hb, v); err != nil {
		panic(err)
	}
	return "Reset your Gatehouse password", tb.String(), hb.String()
}

var passwordResetText = texttemplate.Must(texttemplate.New("text").Parse(`Hello,

Someone asked to reset the password of the Gatehouse account for {{.Email}}.

Choose a new password by opening this link:

{{.Link}}

The link works once and expires {{.ExpiresIn}} ({{.ExpiresOn}}).
Setting a new password signs the account out everywhere; log in again with the new
password (and your second step, if you use one).

If you didn't ask, ignore this email; your password stays the same.

Gatehouse
`))

// passwordResetHTML follows invitationHTML: tables and inline styles, because mail clients
// ignore most of CSS, and the button is a plain link.
var passwordResetHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Reset your Gatehouse password</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;">
<tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">
<h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#111827;">Reset your password</h1>
<p style="margin:0 0 16px;">Hello,</p>
<p style="margin:0 0 24px;">Someone asked to reset the password of the Gatehouse account for <strong>{{.Email}}</strong>.</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px;">
<tr><td style="border-radius:6px;background-color:#1d4ed8;">
<a href="{{.Link}}" style="display:inline-block;padding:12px 24px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">Choose a new password</a>
</td></tr>
</table>
<p style="margin:0 0 8px;">Or copy this link into your browser:</p>
<p style="margin:0 0 24px;font-size:14px;word-break:break-all;"><a href="{{.Link}}" style="color:#1d4ed8;">{{.Link}}</a></p>
<p style="margin:0 0 16px;">The link works once and expires {{.ExpiresIn}} ({{.ExpiresOn}}). Setting a new password signs the account out everywhere; log in again with the new password (and your second step, if you use one).</p>
<p style="margin:0;font-size:14px;color:#4b5563;">If you didn't ask, ignore this email; your password stays the same.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`))
