package models

import (
	"net/mail"
	"strings"
)

// MaxInvitesPerSubmission bounds one invite form submission.
const MaxInvitesPerSubmission = 100

// ParseEmailList splits what an admin typed or pasted into the Emails box — one per line, a
// spreadsheet column, or separated by commas, semicolons, tabs or spaces; "Name <addr>" forms
// are reduced to the address — into normalised addresses in first-seen order without
// duplicates, and the entries that are not valid addresses.
func ParseEmailList(s string) (emails, invalid []string) {
	seen := map[string]bool{}
	// Separators inside double quotes belong to a display name ("Lovelace, Ada" <ada@…>, as
	// Outlook exports addresses), so they don't split.
	quoted := false
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		if r == '"' {
			quoted = !quoted
		}
		return !quoted && (r == '\n' || r == '\r' || r == ',' || r == ';' || r == '\t')
	}) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if addr, err := mail.ParseAddress(part); err == nil && strings.ContainsRune(part, '<') {
			part = addr.Address
		}
		for _, word := range strings.Fields(part) {
			e := NormalizeEmail(strings.Trim(word, `"'<>()`))
			if e == "" || seen[e] {
				continue
			}
			seen[e] = true
			if ValidateEmail(e) != "" {
				invalid = append(invalid, word)
				continue
			}
			emails = append(emails, e)
		}
	}
	return emails, invalid
}
