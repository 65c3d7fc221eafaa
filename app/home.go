package app

import (
	"context"

	"gatehouse/models"
)

// HomeCounts returns the number of the current organization's members in each status, for
// the home page (every member may view it).
func (s *Service) HomeCounts(ctx context.Context, cur *models.Current) (map[models.Status]int64, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.MemberCounts(ctx, cur.Org.ID)
}
