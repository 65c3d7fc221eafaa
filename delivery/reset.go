package delivery

import (
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
	Action    string // the button's label
}

// PasswordResetEmail writes the subject and the plain-text and HTML bodies of a password reset email.
func PasswordResetEmail(d PasswordResetData) (subject, text, html string) {
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	d.Email = oneLine(d.Email)
	v := passwordResetView{PasswordResetData: d, Action: "Choose a new password",
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

// passwordResetHTML is the reset email in the shared email layout.
var passwordResetHTML = emailHTML(`{{define "title"}}Reset your Gatehouse password{{end}}{{define "body"}}
<h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#111827;">Reset your password</h1>
<p style="margin:0 0 16px;">Hello,</p>
<p style="margin:0 0 24px;">Someone asked to reset the password of the Gatehouse account for <strong>{{.Email}}</strong>.</p>
{{template "link" .}}
<p style="margin:0 0 16px;">The link works once and expires {{.ExpiresIn}} ({{.ExpiresOn}}). Setting a new password signs the account out everywhere; log in again with the new password (and your second step, if you use one).</p>
<p style="margin:0;font-size:14px;color:#4b5563;">If you didn't ask, ignore this email; your password stays the same.</p>
{{end}}`)
