package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"gatehouse/models"
)

// ListApps returns the organization's apps by name, each with its URLs, roles and how many
// members were given it directly.
func (s *Store) ListApps(ctx context.Context, orgID int64) ([]models.App, error) {
	db := s.reader(ctx)
	var apps []models.App
	if err := db.Where("org_id = ?", orgID).Order(s.d.caseless("name") + ", id").Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list apps: %w", err)
	}
	if err := fillApps(db, orgID, apps); err != nil {
		return nil, fmt.Errorf("store: unable to list apps: %w", err)
	}
	return apps, nil
}

func fillApps(db *gorm.DB, orgID int64, apps []models.App) error {
	if len(apps) == 0 {
		return nil
	}
	ids := make([]int64, len(apps))
	at := make(map[int64]*models.App, len(apps))
	for i := range apps {
		ids[i] = apps[i].ID
		at[apps[i].ID] = &apps[i]
	}
	var urls []models.AppURL
	if err := db.Where("org_id = ? AND app_id IN ?", orgID, ids).Order("host, path_prefix").Find(&urls).Error; err != nil {
		return err
	}
	for _, u := range urls {
		at[u.AppID].URLs = append(at[u.AppID].URLs, u)
	}
	var roles []struct {
		AppID int64
		Role  models.Role
	}
	if err := db.Table("app_roles").Where("app_id IN ?", ids).Find(&roles).Error; err != nil {
		return err
	}
	for _, r := range roles {
		at[r.AppID].Roles = append(at[r.AppID].Roles, r.Role)
	}
	var counts []struct {
		AppID int64
		N     int
	}
	if err := db.Table("app_members").Select("app_id, COUNT(*) AS n").Where("app_id IN ?", ids).Group("app_id").Find(&counts).Error; err != nil {
		return err
	}
	for _, c := range counts {
		at[c.AppID].Members = c.N
	}
	for i := range apps {
		apps[i].Roles = models.SortRoles(apps[i].Roles)
	}
	return nil
}

// FindApp returns one of the organization's apps; an id of another organization's app is
// models.ErrNotFound, exactly like one that does not exist.
func (s *Store) FindApp(ctx context.Context, orgID, id int64) (*models.App, error) {
	db := s.reader(ctx)
	var a models.App
	if err := db.Where("org_id = ? AND id = ?", orgID, id).Take(&a).Error; err != nil {
		if err = notFound(err); errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find app: %w", err)
	}
	apps := []models.App{a}
	if err := fillApps(db, orgID, apps); err != nil {
		return nil, fmt.Errorf("store: unable to find app: %w", err)
	}
	return &apps[0], nil
}

// TakenAppURLs returns which of urls already belong to another app of the organization than
// exceptID (0 for none).
func (s *Store) TakenAppURLs(ctx context.Context, orgID, exceptID int64, urls []models.AppURL) ([]string, error) {
	var taken []string
	db := s.reader(ctx)
	for _, u := range urls {
		var n int64
		if err := db.Model(&models.AppURL{}).Where("org_id = ? AND host = ? AND path_prefix = ? AND app_id <> ?", orgID, u.Host, u.PathPrefix, exceptID).
			Count(&n).Error; err != nil {
			return nil, fmt.Errorf("store: unable to check app URLs: %w", err)
		}
		if n > 0 {
			taken = append(taken, u.String())
		}
	}
	return taken, nil
}

// CreateApp saves a new app with its URLs. A URL another app of the organization has is
// models.ErrConflict.
func (s *Store) CreateApp(ctx context.Context, a *models.App) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		a.CreatedAt, a.UpdatedAt = now, now
		urls := a.URLs
		a.URLs = nil
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		a.URLs = urls
		return setAppURLs(tx, a)
	})
	return appWriteErr("add app", err)
}

// UpdateApp writes an app's name, description and URLs.
func (s *Store) UpdateApp(ctx context.Context, a *models.App) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a.UpdatedAt = s.now()
		res := tx.Model(&models.App{}).Where("org_id = ? AND id = ?", a.OrgID, a.ID).
			Updates(map[string]any{"name": a.Name, "description": a.Description, "updated_at": a.UpdatedAt})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		if err := tx.Where("app_id = ?", a.ID).Delete(&models.AppURL{}).Error; err != nil {
			return err
		}
		return setAppURLs(tx, a)
	})
	return appWriteErr("change app", err)
}

func setAppURLs(tx *gorm.DB, a *models.App) error {
	for i := range a.URLs {
		u := &a.URLs[i]
		u.ID, u.AppID, u.OrgID = 0, a.ID, a.OrgID
		if err := tx.Create(u).Error; err != nil {
			return err
		}
	}
	return nil
}

func appWriteErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return models.ErrConflict
	case errors.Is(err, models.ErrNotFound):
		return err
	}
	return fmt.Errorf("store: unable to %s: %w", what, err)
}

// SetAppEnabled turns the organization's app on or off.
func (s *Store) SetAppEnabled(ctx context.Context, orgID, id int64, enabled bool) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.App{}).Where("org_id = ? AND id = ?", orgID, id).
			Updates(map[string]any{"enabled": enabled, "updated_at": s.now()}).Error
	})
	return appWriteErr("change app", err)
}

// DeleteApp deletes the organization's app with its URLs and access.
func (s *Store) DeleteApp(ctx context.Context, orgID, id int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("org_id = ? AND id = ?", orgID, id).Delete(&models.App{}).Error
	})
	return appWriteErr("delete app", err)
}

// SetAppRoles replaces the roles whose every holder may use the app.
func (s *Store) SetAppRoles(ctx context.Context, appID int64, roles []models.Role) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM app_roles WHERE app_id = ?", appID).Error; err != nil {
			return err
		}
		for _, r := range models.SortRoles(roles) {
			if err := tx.Exec("INSERT INTO app_roles (app_id, role) VALUES (?, ?)", appID, r).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return appWriteErr("change app roles", err)
}

// MemberApps returns the ids of the organization's apps the membership was given directly.
func (s *Store) MemberApps(ctx context.Context, orgID, membershipID int64) ([]int64, error) {
	var ids []int64
	err := s.reader(ctx).Table("app_members").Joins("JOIN apps ON apps.id = app_members.app_id").
		Where("apps.org_id = ? AND app_members.membership_id = ?", orgID, membershipID).Order("app_id").Pluck("app_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find member apps: %w", err)
	}
	return ids, nil
}

// SetMemberApps replaces the apps the membership was given directly; appIDs must be the
// organization's (the caller checks).
func (s *Store) SetMemberApps(ctx context.Context, membershipID int64, appIDs []int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM app_members WHERE membership_id = ?", membershipID).Error; err != nil {
			return err
		}
		ids := slices.Clone(appIDs)
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			if err := tx.Exec("INSERT INTO app_members (app_id, membership_id) VALUES (?, ?)", id, membershipID).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return appWriteErr("change member apps", err)
}

// AppAccess returns the ids of the organization's apps the membership may use, directly or
// through one of roles (enabled or not: the caller decides).
func (s *Store) AppAccess(ctx context.Context, orgID, membershipID int64, roles []models.Role) ([]int64, error) {
	var ids []int64
	if len(roles) == 0 {
		roles = []models.Role{""}
	}
	err := s.reader(ctx).Raw(`SELECT app_id FROM app_members JOIN apps ON apps.id = app_members.app_id
			WHERE apps.org_id = ? AND app_members.membership_id = ?
		UNION SELECT app_id FROM app_roles JOIN apps ON apps.id = app_roles.app_id
			WHERE apps.org_id = ? AND app_roles.role IN ?`, orgID, membershipID, orgID, roles).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find app access: %w", err)
	}
	return ids, nil
}
