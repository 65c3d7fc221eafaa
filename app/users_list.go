package app

import (
	"context"

	"gatehouse/models"
)

// ListMembers returns one page of the current organization's members, as the Users page
// lists them (store.FindMembers: keyset pages, search, sort). Filtering by app (who may use
// it) is for those who may see the apps, Owners and Admins.
func (s *Service) ListMembers(ctx context.Context, cur *models.Current, f models.MemberFilter) (*models.MemberPage, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	if f.AppID != 0 && !cur.Can(models.PermManageOrg) && !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	return s.st.FindMembers(ctx, cur.Org.ID, f)
}

// CountMembers returns the number of the current organization's members in each status.
func (s *Service) CountMembers(ctx context.Context, cur *models.Current) (map[models.Status]int64, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.MemberCounts(ctx, cur.Org.ID)
}
