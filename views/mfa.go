package views

import (
	"net/url"
	"strings"
)

func codesText(codes []string) string { return strings.Join(codes, "\n") + "\n" }

// codesFile is the download of the recovery codes, as a data: URL body.
func codesFile(codes []string) string {
	return url.PathEscape("Gatehouse recovery codes. Each works once.\n\n" + codesText(codes))
}

// groupKey shows an authenticator key in groups of four, easier to read and type; apps ignore the spaces.
func groupKey(k string) string {
	var b strings.Builder
	for i, r := range k {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
