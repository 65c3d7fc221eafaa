package delivery

import htmltemplate "html/template"

// emailLayout is the frame every HTML email shares: a single column built from tables with
// inline styles, because mail clients ignore most of CSS. An email fills in "title" and
// "body"; "button" is the call to action, a plain link so it works everywhere.
var emailLayout = htmltemplate.Must(htmltemplate.New("layout").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{template "title" .}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;">
<tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">
{{template "body" .}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
{{define "link"}}<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px;">
<tr><td style="border-radius:6px;background-color:#1d4ed8;">
<a href="{{.Link}}" style="display:inline-block;padding:12px 24px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">{{.Action}}</a>
</td></tr>
</table>
<p style="margin:0 0 8px;">Or copy this link into your browser:</p>
<p style="margin:0 0 24px;font-size:14px;word-break:break-all;"><a href="{{.Link}}" style="color:#1d4ed8;">{{.Link}}</a></p>{{end}}
`))

// emailHTML is the layout with one email's "title" and "body" definitions. The body's data
// must have Link and Action fields for {{template "link" .}}.
func emailHTML(defs string) *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.Must(emailLayout.Clone()).Parse(defs))
}
