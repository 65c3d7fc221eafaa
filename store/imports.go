package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"gatehouse/models"
)

// FindMembersByEmails returns the organization's memberships with those (normalised) emails,
// by email; emails without one are absent. It reads in chunks, so a 5,000-row import costs ten queries.
func (s *Store) FindMembersByEmails(ctx context.Context, orgID int64, emails []string) (map[string]models.Membership, error) {
	out := make(map[string]models.Membership, len(emails))
	db := s.reader(ctx)
	for start := 0; start < len(emails); start += 500 {
		chunk := emails[start:min(start+500, len(emails))]
		var ms []models.Membership
		if err := db.Select("id, org_id, user_id, status, email").Where("org_id = ? AND email IN ? AND email <> ''", orgID, chunk).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: unable to find members by email: %w", err)
		}
		for _, m := range ms {
			out[m.Email] = m
		}
	}
	return out, nil
}

// FindMemberCurrent is who a member is when acting in their organization without a session
// (the import worker acting for the member who confirmed an import): their user, the
// organization, their membership in any status and its roles. models.ErrNotFound when the
// user or membership is gone.
func (s *Store) FindMemberCurrent(ctx context.Context, orgID, userID int64) (*models.Current, error) {
	db := s.reader(ctx)
	var cur models.Current
	if err := db.Take(&cur.User, userID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := db.Take(&cur.Org, orgID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := db.Where("org_id = ? AND user_id = ?", orgID, userID).Take(&cur.Membership).Error; err != nil {
		return nil, notFound(err)
	}
	roles, err := rolesOf(db, []int64{cur.Membership.ID})
	if err != nil {
		return nil, fmt.Errorf("store: unable to load member: %w", err)
	}
	cur.Membership.Roles = roles[cur.Membership.ID]
	cur.Permissions = models.PermissionsOf(cur.Membership.Roles)
	return &cur, nil
}

// CreateImport stores a confirmed import and its rows: those with an outcome already (refused
// at confirmation) count as done, the rest wait for the worker.
func (s *Store) CreateImport(ctx context.Context, imp *models.Import, rows []models.ImportRow) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		imp.CreatedAt, imp.Status, imp.Total = s.now(), models.ImportRunning, len(rows)
		if imp.Done >= imp.Total {
			now := s.now()
			imp.Status, imp.FinishedAt = models.ImportDone, &now
		}
		if err := tx.Create(imp).Error; err != nil {
			return err
		}
		for i := range rows {
			rows[i].ImportID = imp.ID
		}
		return tx.CreateInBatches(rows, 200).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to create import: %w", err)
	}
	return nil
}

// FindImport returns the organization's import with that id, or models.ErrNotFound.
func (s *Store) FindImport(ctx context.Context, orgID, id int64) (*models.Import, error) {
	var imp models.Import
	if err := s.reader(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&imp).Error; err != nil {
		if err = notFound(err); err == models.ErrNotFound {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find import: %w", err)
	}
	return &imp, nil
}

// UnfinishedImports lists every import still running, oldest first (resumed at start).
func (s *Store) UnfinishedImports(ctx context.Context) ([]models.Import, error) {
	var out []models.Import
	if err := s.reader(ctx).Where("status = ?", models.ImportRunning).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list running imports: %w", err)
	}
	return out, nil
}

// ImportRows returns up to limit rows of the import after line afterLine, in file order;
// pendingOnly keeps the rows not yet worked on.
func (s *Store) ImportRows(ctx context.Context, importID int64, afterLine, limit int, pendingOnly bool) ([]models.ImportRow, error) {
	q := s.reader(ctx).Where("import_id = ? AND line > ?", importID, afterLine)
	if pendingOnly {
		q = q.Where("outcome = ''")
	}
	var out []models.ImportRow
	if err := q.Order("line").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read import rows: %w", err)
	}
	return out, nil
}

// FinishImportRows records what became of rows (inside the batch's transaction, with the
// invitations they caused) and adds them to the import's counts; the import is done when no
// row is left.
func (s *Store) FinishImportRows(ctx context.Context, imp *models.Import, rows []models.ImportRow) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		inv, skip, fail := 0, 0, 0
		for _, r := range rows {
			res := tx.Model(&models.ImportRow{}).Where("import_id = ? AND line = ? AND outcome = ''", imp.ID, r.Line).
				Updates(map[string]any{"outcome": r.Outcome, "message": r.Message})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("row %d of import %d was already done", r.Line, imp.ID)
			}
			switch r.Outcome {
			case models.RowInvited:
				inv++
			case models.RowError, models.RowQuota:
				fail++
			default:
				skip++
			}
		}
		imp.Done += len(rows)
		imp.Invited += inv
		imp.Skipped += skip
		imp.Failed += fail
		upd := map[string]any{"done": imp.Done, "invited": imp.Invited, "skipped": imp.Skipped, "failed": imp.Failed}
		if imp.Done >= imp.Total {
			now := s.now()
			imp.Status, imp.FinishedAt = models.ImportDone, &now
			upd["status"], upd["finished_at"] = imp.Status, now
		}
		return tx.Model(&models.Import{}).Where("id = ?", imp.ID).Updates(upd).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to record import rows: %w", err)
	}
	return nil
}

// InvitersOf returns, for those of the organization's memberships that were invited by
// someone, the inviter's email (the export's "Invited by"). Two lookups by primary key: a
// join let SQLite walk the users table for every page.
func (s *Store) InvitersOf(ctx context.Context, orgID int64, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	db := s.reader(ctx)
	// Looked up by primary key alone (with org_id in the WHERE, SQLite picks an org_id index
	// and reads every member of the organization); the organization is checked on each row.
	var links []struct{ ID, OrgID, InvitedByID int64 }
	if err := db.Table("memberships").Select("id, org_id, invited_by_id").
		Where("id IN ? AND invited_by_id IS NOT NULL", ids).Scan(&links).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find inviters: %w", err)
	}
	userIDs := make([]int64, 0, 8)
	for _, l := range links {
		if l.OrgID == orgID && !slices.Contains(userIDs, l.InvitedByID) {
			userIDs = append(userIDs, l.InvitedByID)
		}
	}
	var users []struct {
		ID    int64
		Email string
	}
	if err := db.Table("users").Select("id, email").Where("id IN ?", userIDs).Scan(&users).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find inviters: %w", err)
	}
	emails := make(map[int64]string, len(users))
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	for _, l := range links {
		if e, ok := emails[l.InvitedByID]; ok && l.OrgID == orgID {
			out[l.ID] = e
		}
	}
	return out, nil
}

// FindImportByID returns the import with that id in any organization (the worker's view).
func (s *Store) FindImportByID(ctx context.Context, id int64) (*models.Import, error) {
	var imp models.Import
	if err := s.reader(ctx).Take(&imp, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &imp, nil
}
