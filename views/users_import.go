package views

import (
	"strings"

	"gatehouse/sheet"
)

func sheetColumns() []string { return sheet.Columns }

func joinComma(s []string) string { return strings.Join(s, ", ") }
