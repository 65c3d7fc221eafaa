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
