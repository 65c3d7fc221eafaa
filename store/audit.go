package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gatehouse/models"
)

// Meta is where a request came from, recorded on audit events.
type Meta struct {
	IP        string
	UserAgent string
}

// Audit writes a standalone audit event, for events that change nothing else (a failed login).
func (s *Store) Audit(ctx context.Context, ev models.AuditEvent, meta Meta) error {
	if err := writeAudit(s.w.WithContext(ctx), ev, meta, s.now()); err != nil {
		return fmt.Errorf("store: unable to write audit event: %w", err)
	}
	return nil
}

func writeAudit(db *gorm.DB, ev models.AuditEvent, meta Meta, now time.Time) error {
	ev.IP, ev.UserAgent, ev.CreatedAt = meta.IP, truncate(meta.UserAgent, 300), now
	ev.TargetEmail = truncate(ev.TargetEmail, models.MaxEmailLen)
	return db.Create(&ev).Error
}

// AuditFilter selects audit events.
type AuditFilter struct {
	OrgID  *int64
	Action models.Action
	Limit  int
}

// FindAuditEvents returns the newest events matching f.
func (s *Store) FindAuditEvents(ctx context.Context, f AuditFilter) ([]models.AuditEvent, error) {
	q := s.r.WithContext(ctx).Order("id DESC")
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var evs []models.AuditEvent
	if err := q.Limit(f.Limit).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find audit events: %w", err)
	}
	return evs, nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
