package app

import (
	"context"

	"gatehouse/models"
)

// ListMembers returns one page of the current organization's members, as the Users page
// lists them (store.FindMembers: keyset pages, search, sort). Filtering by app (who may use
// it) is for those who may see the apps, Owners and Admins.
func (s *Service) ListMembers(ctx context.Context, cur *models.Current, f models.MemberFilter) (*models.MemberPage, error) {
	if err := canFilter(cur, f); err != nil {
		return nil, err
	}
	return s.st.FindMembers(ctx, cur.Org.ID, f)
}

// canFilter is whether cur may list members filtered by f: anyone who may view data, by app
// only those who may see the apps (Owners and Admins). Departments are everyone's to see.
func canFilter(cur *models.Current, f models.MemberFilter) error {
	if !cur.Can(models.PermViewData) {
		return models.ErrForbidden
	}
	if f.AppID != 0 && !cur.Can(models.PermManageOrg) && !cur.Can(models.PermManageMembers) {
		return models.ErrForbidden
	}
	return nil
}

// CountMembers returns the number of the current organization's members in each status.
func (s *Service) CountMembers(ctx context.Context, cur *models.Current) (map[models.Status]int64, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.MemberCounts(ctx, cur.Org.ID)
}
