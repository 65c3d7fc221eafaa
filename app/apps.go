package app

import (
	"context"
	"slices"
	"strings"

	"gatehouse/models"
)

// ListApps returns the organization's apps by name, with their URLs and roles. Owners and
// Admins (who manage the organization or its members) may see them.
func (s *Service) ListApps(ctx context.Context, cur *models.Current) ([]models.App, error) {
	if !cur.Can(models.PermManageOrg) && !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	return s.st.ListApps(ctx, cur.Org.ID)
}

// FindApp returns one of the organization's apps; another organization's id is models.ErrNotFound.
func (s *Service) FindApp(ctx context.Context, cur *models.Current, id int64) (*models.App, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	return s.st.FindApp(ctx, cur.Org.ID, id)
}

// checkAppURLs adds a message for URLs another app of the organization already has.
func (s *Service) checkAppURLs(ctx context.Context, cur *models.Current, exceptID int64, req *models.AppRequest) error {
	taken, err := s.st.TakenAppURLs(ctx, cur.Org.ID, exceptID, req.Parsed)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return models.FieldErrors{"urls": "Another app already has " + strings.Join(taken, ", ") + "."}
	}
	return nil
}

// AddApp adds an app, enabled, with its URLs. Invalid input, or a URL another app of the
// organization has, is models.FieldErrors.
func (s *Service) AddApp(ctx context.Context, cur *models.Current, req models.AppRequest, meta models.Meta) (*models.App, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	a := &models.App{OrgID: cur.Org.ID, Name: req.Name, Description: req.Description, Enabled: true, URLs: req.Parsed}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkAppURLs(ctx, cur, 0, &req); err != nil {
			return err
		}
		if err := s.st.CreateApp(ctx, a); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionAppAdded, appDetail(a)), meta)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateApp changes an app's name, description and URLs.
func (s *Service) UpdateApp(ctx context.Context, cur *models.Current, id int64, req models.AppRequest, meta models.Meta) (*models.App, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	errs := req.Validate()
	var a *models.App
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.st.FindApp(ctx, cur.Org.ID, id); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		if err := s.checkAppURLs(ctx, cur, id, &req); err != nil {
			return err
		}
		before := appDetail(a)
		a.Name, a.Description, a.URLs = req.Name, req.Description, req.Parsed
		if err := s.st.UpdateApp(ctx, a); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionAppUpdated, before+" → "+appDetail(a)), meta)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// EnableApp lets the app's members in again.
func (s *Service) EnableApp(ctx context.Context, cur *models.Current, id int64, meta models.Meta) error {
	return s.setAppEnabled(ctx, cur, id, true, meta)
}

// DisableApp refuses everyone at the app until it is enabled again; access is kept.
func (s *Service) DisableApp(ctx context.Context, cur *models.Current, id int64, meta models.Meta) error {
	return s.setAppEnabled(ctx, cur, id, false, meta)
}

func (s *Service) setAppEnabled(ctx context.Context, cur *models.Current, id int64, on bool, meta models.Meta) error {
	if !cur.Can(models.PermManageOrg) {
		return models.ErrForbidden
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		a, err := s.st.FindApp(ctx, cur.Org.ID, id)
		if err != nil || a.Enabled == on {
			return err
		}
		if err := s.st.SetAppEnabled(ctx, cur.Org.ID, id, on); err != nil {
			return err
		}
		action := models.ActionAppDisabled
		if on {
			action = models.ActionAppEnabled
		}
		return s.st.Audit(ctx, cur.Event(action, a.Name), meta)
	})
}

// DeleteApp deletes an app, its URLs and who had access to it.
func (s *Service) DeleteApp(ctx context.Context, cur *models.Current, id int64, meta models.Meta) error {
	if !cur.Can(models.PermManageOrg) {
		return models.ErrForbidden
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		a, err := s.st.FindApp(ctx, cur.Org.ID, id)
		if err != nil {
			return err
		}
		if err := s.st.DeleteApp(ctx, cur.Org.ID, id); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionAppDeleted, appDetail(a)), meta)
	})
}

// SetAppRoles sets which roles carry the app: every member holding one of them may use it
// ("every Editor gets the wiki").
func (s *Service) SetAppRoles(ctx context.Context, cur *models.Current, id int64, roles []models.Role, meta models.Meta) error {
	if !cur.Can(models.PermManageOrg) {
		return models.ErrForbidden
	}
	for _, r := range roles {
		if !slices.Contains(models.BuiltinRoles, r) {
			return models.ErrInvalid
		}
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		a, err := s.st.FindApp(ctx, cur.Org.ID, id)
		if err != nil {
			return err
		}
		old, roles := models.SortRoles(a.Roles), models.SortRoles(roles)
		if slices.Equal(old, roles) {
			return nil
		}
		if err := s.st.SetAppRoles(ctx, id, roles); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionAppRolesChanged, a.Name+": "+roleList(old)+" → "+roleList(roles)), meta)
	})
}

func roleList(roles []models.Role) string {
	if len(roles) == 0 {
		return "no roles"
	}
	return models.RoleLabels(roles)
}

// MemberAccess is what the Edit access dialog shows: the member, the enabled apps offered,
// which of them the member was given, and which come with the member's roles.
type MemberAccess struct {
	Member   *models.Membership
	Apps     []models.App // enabled apps only
	Direct   []int64
	ByRole   []int64
	Disabled int // disabled apps given to the member, kept as they are
}

// MemberAccess returns what the Edit access dialog needs for one of the organization's members.
func (s *Service) MemberAccess(ctx context.Context, cur *models.Current, memberID int64) (*MemberAccess, error) {
	if !cur.Can(models.PermManageMembers) {
		return nil, models.ErrForbidden
	}
	m, err := s.st.FindMember(ctx, cur.Org.ID, memberID)
	if err != nil {
		return nil, err
	}
	apps, direct, err := s.appsAndGrants(ctx, cur.Org.ID, m.ID)
	if err != nil {
		return nil, err
	}
	out := &MemberAccess{Member: m}
	for _, a := range apps {
		if !a.Enabled {
			if slices.Contains(direct, a.ID) {
				out.Disabled++
			}
			continue
		}
		out.Apps = append(out.Apps, a)
		if slices.Contains(direct, a.ID) {
			out.Direct = append(out.Direct, a.ID)
		}
		for _, r := range m.Roles {
			if slices.Contains(a.Roles, r) {
				out.ByRole = append(out.ByRole, a.ID)
				break
			}
		}
	}
	return out, nil
}

// SetMemberApps ("Edit access") sets which of the organization's enabled apps the member was
// given directly; grants of disabled apps (not offered) are kept. An app id that is not one
// of the organization's enabled apps is models.ErrNotFound.
func (s *Service) SetMemberApps(ctx context.Context, cur *models.Current, memberID int64, appIDs []int64, meta models.Meta) error {
	if !cur.Can(models.PermManageMembers) {
		return models.ErrForbidden
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		m, err := s.st.FindMember(ctx, cur.Org.ID, memberID)
		if err != nil {
			return err
		}
		apps, err := s.st.ListApps(ctx, cur.Org.ID)
		if err != nil {
			return err
		}
		old, err := s.st.MemberApps(ctx, cur.Org.ID, m.ID)
		if err != nil {
			return err
		}
		byID := map[int64]models.App{}
		for _, a := range apps {
			byID[a.ID] = a
		}
		var next []int64
		for _, id := range appIDs {
			if a, ok := byID[id]; !ok || !a.Enabled {
				return models.ErrNotFound
			}
			next = append(next, id)
		}
		for _, id := range old {
			if !byID[id].Enabled {
				next = append(next, id)
			}
		}
		slices.Sort(next)
		next = slices.Compact(next)
		if slices.Equal(old, next) {
			return nil
		}
		if err := s.st.SetMemberApps(ctx, m.ID, next); err != nil {
			return err
		}
		names := func(ids []int64) string {
			var n []string
			for _, id := range ids {
				n = append(n, byID[id].Name)
			}
			if len(n) == 0 {
				return "no apps"
			}
			return strings.Join(n, ", ")
		}
		return s.st.Audit(ctx, cur.EventOn(models.ActionAppAccessChanged, m, names(old)+" → "+names(next)), meta)
	})
}

// appDetail names an app and its URLs for the audit log.
func appDetail(a *models.App) string {
	return a.Name + " (" + strings.ReplaceAll(models.AppURLs(a.URLs), "\n", ", ") + ")"
}

// appsAndGrants returns the organization's apps and the ids of those given to the member directly.
func (s *Service) appsAndGrants(ctx context.Context, orgID, memberID int64) ([]models.App, []int64, error) {
	apps, err := s.st.ListApps(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	direct, err := s.st.MemberApps(ctx, orgID, memberID)
	if err != nil {
		return nil, nil, err
	}
	return apps, direct, nil
}
