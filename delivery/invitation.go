package delivery

import (
	"cmp"
	"fmt"
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
	Action    string // the button's label
}

// InvitationEmail writes the subject and the plain-text and HTML bodies of an invitation.
func InvitationEmail(d InvitationData) (subject, text, html string) {
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	v := invitationView{InvitationData: d, Greeting: "Hello,", Action: "Accept invitation",
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

// invitationHTML is the invitation in the shared email layout.
var invitationHTML = emailHTML(`{{define "title"}}Invitation to {{.OrgName}}{{end}}{{define "body"}}
<h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#111827;">Join {{.OrgName}} on Gatehouse</h1>
<p style="margin:0 0 16px;">{{.Greeting}}</p>
<p style="margin:0 0 24px;">{{if .Inviter}}{{.Inviter}} invited you{{else}}You have been invited{{end}} to join <strong>{{.OrgName}}</strong> on Gatehouse.</p>
{{template "link" .}}
<p style="margin:0 0 16px;">The link works once and expires on {{.ExpiresOn}} ({{.ExpiresIn}}). If it has expired, ask {{if .Inviter}}{{.Inviter}}{{else}}an Owner or Admin of {{.OrgName}}{{end}} to send you a new one.</p>
<p style="margin:0;font-size:14px;color:#4b5563;">If you weren't expecting this invitation, you can ignore this email.</p>
{{end}}`)
