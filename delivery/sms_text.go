package delivery

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"gatehouse/models"
)

// smsMaxLen is how many characters of the GSM 7-bit alphabet fit in one SMS. One character
// outside it makes the whole message UCS-2, which fits 70.
const smsMaxLen = 160

// smsMaxOrg is the longest organization name an SMS spells out in full; a short message
// reads better and leaves room below smsMaxLen.
const smsMaxOrg = 40

// gsmBasic is the GSM 03.38 basic character set, one septet each. (The extension table,
// with € [ ] { } and others, costs two septets and is not used.)
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmLookalikes maps common characters outside the GSM set to ones inside it.
var gsmLookalikes = strings.NewReplacer("‘", "'", "’", "'", "“", `"`, "”", `"`, "–", "-", "—", "-", "…", "...",
	"`", "'", "[", "(", "]", ")", "{", "(", "}", ")", "\u00a0", " ")

// SMSCode is the text message carrying a verification code: one SMS of GSM characters,
// code first so it shows in the notification. The organization's name is spelt in GSM
// characters (accents dropped where needed), shortened when long, and left out when it
// cannot be written in them.
func SMSCode(orgName, code string) string {
	expires := relative(models.SMSCodeLifetime)
	text := fmt.Sprintf("%s is your Gatehouse verification code. It expires %s. Don't share it.", code, expires)
	org, ok := toGSM(oneLine(orgName))
	if !ok || org == "" {
		return text
	}
	const format = "%s is your Gatehouse verification code for %s. It expires %s. Don't share it."
	room := min(smsMaxOrg, smsMaxLen-1-len(fmt.Sprintf(format, code, "", expires)))
	if len([]rune(org)) > room {
		if room < 8 {
			return text
		}
		org = strings.TrimSpace(string([]rune(org)[:room-3])) + "..."
	}
	return fmt.Sprintf(format, code, org, expires)
}

// toGSM writes s in GSM basic characters: lookalike punctuation is swapped and accents
// outside the set are dropped (ê becomes e; é stays). It reports false when a character
// has no GSM spelling, such as ł, which is a letter of its own rather than l with an accent.
func toGSM(s string) (string, bool) {
	s = gsmLookalikes.Replace(s)
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if strings.ContainsRune(gsmBasic, r) {
			b.WriteRune(r)
			continue
		}
		// é is in the set, ê is not: ê becomes e plus a combining mark, and the mark goes.
		base := []rune(norm.NFD.String(string(r)))
		if len(base) > 1 && strings.ContainsRune(gsmBasic, base[0]) && allMarks(base[1:]) {
			b.WriteRune(base[0])
			continue
		}
		return "", false
	}
	return b.String(), true
}

func allMarks(rs []rune) bool {
	for _, r := range rs {
		if !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}
