package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// Audit writes a standalone audit event, for events that change nothing else (a failed login).
// Refusals that come in floods (models.Action.Aggregated) are written in aggregate: the first
// from an address and actor in a minute at once, the others as one event with their count.
func (s *Store) Audit(ctx context.Context, ev models.AuditEvent, meta models.Meta) error {
	done, err := s.auditRefusal(ctx, ev, meta)
	if !done {
		err = writeAudit(s.writer(ctx), ev, meta, s.now())
		s.noteWrite(err)
	}
	if err != nil {
		return fmt.Errorf("store: unable to write audit event: %w", err)
	}
	return nil
}

func writeAudit(db *gorm.DB, ev models.AuditEvent, meta models.Meta, now time.Time) error {
	ev.IP, ev.UserAgent, ev.CreatedAt = meta.IP, truncate(meta.UserAgent, 300), now
	if meta.Via != "" {
		if ev.Detail != "" {
			ev.Detail += "; "
		}
		ev.Detail += meta.Via
	}
	ev.TargetEmail = truncate(ev.TargetEmail, models.MaxEmailLen)
	return db.Create(&ev).Error
}

// models.AuditFilter is models.AuditFilter, kept under its old name while the other packages move to it.
//
// Deprecated: use models.AuditFilter.

// models.MaxAuditPage is the largest page FindAuditEvents returns.

// FindAuditEvents returns the newest events matching f, by keyset on id: every page costs
// the same however deep it is. Ask for one more than a page to learn whether an older one exists.
func (s *Store) FindAuditEvents(ctx context.Context, f models.AuditFilter) ([]models.AuditEvent, error) {
	if f.Limit <= 0 || f.Limit > models.MaxAuditPage {
		f.Limit = 100
	}
	db := s.reader(ctx)
	var evs []models.AuditEvent
	var err error
	if f.MemberID != 0 {
		evs, err = findMemberAudit(db, f)
	} else {
		err = auditScope(db, f).Order("id DESC").Limit(f.Limit).Find(&evs).Error
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to find audit events: %w", err)
	}
	return evs, nil
}

// auditScope narrows the audit events to f's organization, action and page.
func auditScope(db *gorm.DB, f models.AuditFilter) *gorm.DB {
	q := db.Model(&models.AuditEvent{})
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	return q
}

// findMemberAudit returns the newest events that target the membership or were done by its
// user, in the membership's organization. Each half is read newest first from its own index
// (audit_events_target, audit_events_org_actor) and cut to the limit before they are merged,
// so a member with a long history costs no more than one with a short one; an OR on the
// two columns would walk the whole organization's log instead.
func findMemberAudit(db *gorm.DB, f models.AuditFilter) ([]models.AuditEvent, error) {
	q := db.Model(&models.Membership{}).Select("id", "org_id", "user_id").Where("id = ?", f.MemberID)
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	var m models.Membership
	if err := q.Take(&m).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	f.OrgID = &m.OrgID
	byTarget := auditScope(db, f).Where("target_membership_id = ?", m.ID).Order("id DESC").Limit(f.Limit)
	if m.UserID == nil {
		// An invitation never accepted has no user, so did nothing itself.
		var evs []models.AuditEvent
		return evs, byTarget.Find(&evs).Error
	}
	byActor := auditScope(db, f).Where("actor_user_id = ?", *m.UserID).Order("id DESC").Limit(f.Limit)
	var evs []models.AuditEvent
	err := db.Raw("SELECT * FROM (?) AS by_target UNION SELECT * FROM (?) AS by_actor ORDER BY id DESC LIMIT ?",
		byTarget, byActor, f.Limit).Scan(&evs).Error
	return evs, err
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string { return models.TruncateUTF8(s, n) }
