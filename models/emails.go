package models

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
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

// MixedScriptEmail is what an address mixing alphabets gets: аdmin@example.com with a
// Cyrillic "а" looks like admin@example.com and would be another account.
const MixedScriptEmail = "Email addresses mixing alphabets, such as Latin and Cyrillic letters, are not accepted. Type the address again using one alphabet."

// normalizeAddress puts an internationalised address in one form: the local part in Unicode
// NFC, the domain as IDNA maps it (lower case, NFC, full-width characters folded) in its
// Unicode form, so "bücher.example", "BÜCHER.example" and "xn--bcher-kva.example" are the same
// address. A domain IDNA refuses is left as typed, for ValidateEmail to refuse.
func normalizeAddress(email string) string {
	if isASCII(email) && !strings.Contains(email, "xn--") {
		return email
	}
	email = norm.NFC.String(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	if d, err := idna.Lookup.ToUnicode(email[at+1:]); err == nil {
		email = email[:at+1] + d
	}
	return email
}

// emailProblem returns ValidateEmail's message for what net/mail does not check: a domain that
// is not a valid internationalised name, and a local part or domain label mixing alphabets.
func emailProblem(email string) string {
	if isASCII(email) && !strings.Contains(email, "xn--") {
		return ""
	}
	at := strings.LastIndexByte(email, '@')
	local, domain := email[:at], email[at+1:]
	if _, err := idna.Lookup.ToASCII(domain); err != nil {
		return "Enter a valid email address, like name@example.com."
	}
	if mixedScripts(local) {
		return MixedScriptEmail
	}
	for _, label := range strings.Split(domain, ".") {
		if strings.HasPrefix(label, "xn--") {
			if u, err := idna.Lookup.ToUnicode(label); err == nil {
				label = u
			}
		}
		if mixedScripts(label) {
			return MixedScriptEmail
		}
	}
	return ""
}

// AnyMixedScript reports whether any of the words ParseEmailList found invalid was refused for
// mixing alphabets, so the message can say why.
func AnyMixedScript(words []string) bool {
	for _, w := range words {
		if ValidateEmail(NormalizeEmail(strings.Trim(w, `"'<>()`))) == MixedScriptEmail {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mixedScripts reports whether s holds letters of more than one script, apart from the
// combinations one language writes together (Unicode TS #39, "highly restrictive"): Latin with
// Han and Hiragana and Katakana (Japanese), with Han and Bopomofo (Chinese), with Han and
// Hangul (Korean). Digits and punctuation belong to every script.
func mixedScripts(s string) bool {
	seen := map[string]bool{}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			continue
		}
		if name := scriptOf(r); name != "" {
			seen[name] = true
		}
	}
	if len(seen) <= 1 {
		return false
	}
	for _, allowed := range scriptSets {
		ok := true
		for name := range seen {
			if !allowed[name] {
				ok = false
				break
			}
		}
		if ok {
			return false
		}
	}
	return true
}

var scriptSets = []map[string]bool{
	{"Latin": true, "Han": true, "Hiragana": true, "Katakana": true},
	{"Latin": true, "Han": true, "Bopomofo": true},
	{"Latin": true, "Han": true, "Hangul": true},
}

// scriptOf names the script of r; "" for Common and Inherited (shared by every script).
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		return "Latin" // only letters are asked about
	}
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	if unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
		return ""
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// commonScripts are tried first, so most letters are named without walking every script.
var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew",
	"Armenian", "Georgian", "Devanagari", "Thai", "Bopomofo", "Cherokee"}
