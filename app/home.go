package app

import (
	"context"

	"gatehouse/models"
)

// MemberCounts returns the number of the current organization's members in each status, for
// the home page and the Users page tabs (every member may view them).
func (s *Service) MemberCounts(ctx context.Context, cur *models.Current) (map[models.Status]int64, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.MemberCounts(ctx, cur.Org.ID)
}
