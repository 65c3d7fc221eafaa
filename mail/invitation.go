package mail

import (
	"cmp"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// InvitationData is what an invitation email says.
type InvitationData struct {
	OrgName            string
	InviterName        string
	InviterEmail       string
	RecipientFirstName string // may be empty
	Link               string
	ExpiresAt          time.Time
	Now                time.Time // when the email is written, for "in 3 days"; time.Now when zero
}

// invitationView is InvitationData with the wording worked out once for both bodies.
type invitationView struct {
	InvitationData
	Inviter   string // "Olive Owner (olive@example.com)", or whichever half is known
	Greeting  string
	ExpiresOn string // "Thursday 27 November 2026, 09:00 UTC"
	ExpiresIn string // "in 3 days"
}

// InvitationEmail writes the subject and the plain-text and HTML bodies of an invitation.
func InvitationEmail(d InvitationData) (subject, text, html string) {
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	v := invitationView{InvitationData: d, Greeting: "Hello,",
		ExpiresOn: d.ExpiresAt.UTC().Format("Monday 2 January 2006, 15:04 UTC"), ExpiresIn: relative(d.ExpiresAt.Sub(d.Now))}
	if first := oneLine(d.RecipientFirstName); first != "" {
		v.Greeting = "Hello " + first + ","
	}
	name, email := oneLine(d.InviterName), oneLine(d.InviterEmail)
	switch {
	case name != "" && email != "" && name != email:
		v.Inviter = name + " (" + email + ")"
	case name != "":
		v.Inviter = name
	case email != "":
		v.Inviter = email
	}
	org := oneLine(d.OrgName)
	if who := cmp.Or(name, email); who != "" {
		subject = fmt.Sprintf("%s invited you to %s on Gatehouse", who, org)
	} else {
		subject = fmt.Sprintf("You're invited to %s on Gatehouse", org)
	}
	var tb, hb strings.Builder
	if err := invitationText.Execute(&tb, v); err != nil {
		panic(err) // the templates are fixed and their data is plain strings
	}
	if err := invitationHTML.Execute(&hb, v); err != nil {
		panic(err)
	}
	return subject, tb.String(), hb.String()
}

// oneLine keeps names from breaking a header or the layout: runs of whitespace become one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// relative says how far away d is, as "in 3 days", "in 36 hours" or "in 45 minutes".
func relative(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d <= 0:
		return "now"
	case d < time.Hour:
		return "in " + plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		h := int((d + 30*time.Minute) / time.Hour)
		return "in " + plural(h, "hour")
	}
	days, hours := int(d/(24*time.Hour)), int((d%(24*time.Hour)+30*time.Minute)/time.Hour)
	if hours == 24 {
		days, hours = days+1, 0
	}
	if hours == 0 {
		return "in " + plural(days, "day")
	}
	return "in " + plural(days, "day") + " and " + plural(hours, "hour")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

var invitationText = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{if .Inviter}}{{.Inviter}} invited you{{else}}You have been invited{{end}} to join {{.OrgName}} on Gatehouse.

Accept the invitation and create your account by opening this link:

{{.Link}}

The link works once and expires on {{.ExpiresOn}} ({{.ExpiresIn}}).
If it has expired, ask {{if .Inviter}}{{.Inviter}}{{else}}an Owner or Admin of {{.OrgName}}{{end}} to send you a new one.

If you weren't expecting this invitation, you can ignore this email.

Gatehouse
`))

// invitationHTML is a single-column email: tables for layout and inline styles, because
// mail clients ignore most of CSS; the button is a plain link so it works everywhere.
var invitationHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Invitation to {{.OrgName}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;">
<tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">
<h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#111827;">Join {{.OrgName}} on Gatehouse</h1>
<p style="margin:0 0 16px;">{{.Greeting}}</p>
<p style="margin:0 0 24px;">{{if .Inviter}}{{.Inviter}} invited you{{else}}You have been invited{{end}} to join <strong>{{.OrgName}}</strong> on Gatehouse.</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px;">
<tr><td style="border-radius:6px;background-color:#1d4ed8;">
<a href="{{.Link}}" style="display:inline-block;padding:12px 24px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">Accept invitation</a>
</td></tr>
</table>
<p style="margin:0 0 8px;">Or copy this link into your browser:</p>
<p style="margin:0 0 24px;font-size:14px;word-break:break-all;"><a href="{{.Link}}" style="color:#1d4ed8;">{{.Link}}</a></p>
<p style="margin:0 0 16px;">The link works once and expires on {{.ExpiresOn}} ({{.ExpiresIn}}). If it has expired, ask {{if .Inviter}}{{.Inviter}}{{else}}an Owner or Admin of {{.OrgName}}{{end}} to send you a new one.</p>
<p style="margin:0;font-size:14px;color:#4b5563;">If you weren't expecting this invitation, you can ignore this email.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`))
