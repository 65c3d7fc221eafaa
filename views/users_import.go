package views

import (
	"strings"

	"gatehouse/models"
	"gatehouse/sheet"
)

// previewRest is the preview summary after the number to invite: errors, skips, quota.
func previewRest(c map[models.RowOutcome]int) string {
	s := ", " + countOf(c[models.RowError], "row with an error", "rows with errors") + ", " +
		countOf(c[models.RowSkip]+c[models.RowReinvite]+c[models.RowRestore]+c[models.RowReapprove],
			"row skipped (already in the organization)", "rows skipped (already in the organization)")
	if n := c[models.RowQuota]; n > 0 {
		s += ", " + countOf(n, "row over today's quota", "rows over today's quota")
	}
	return s + "."
}

func sheetColumns() []string { return sheet.Columns }

func joinComma(s []string) string { return strings.Join(s, ", ") }
