package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"gatehouse/models"
)

// models.SortKey names a Users page sort order.
//
// Deprecated: use models.SortKey, which the views share.

// Sort orders the Users page offers (models.SortName…), under their old names.

// models.ParseSortKey returns the sort named s, or models.SortName.
//
// Deprecated: use models.ParseSortKey.

// sortColumn is the memberships column a sort key orders by.
func sortColumn(k models.SortKey) string {
	switch k {
	case models.SortEmail:
		return "email"
	case models.SortLastLogin:
		return "last_login_at"
	case models.SortJoined:
		return "created_at"
	}
	return "name_key"
}

// cursor is where a page of members starts: the sort key's value and the id of the row before
// it. The value is typed — text, or a time for the time orders — and bound as such, so the
// comparison does not depend on how a driver writes times as text.
type cursor struct {
	Sort     models.SortKey `json:"s"`
	Desc     bool           `json:"d"`
	Text     string         `json:"v,omitempty"`
	Time     *time.Time     `json:"t,omitempty"`
	ID       int64          `json:"i"`
	Backward bool           `json:"b,omitempty"`
}

// cursorAt is the cursor just after (or, backward, just before) m in the order sort, desc.
func cursorAt(sort models.SortKey, desc bool, m *models.Membership, backward bool) cursor {
	c := cursor{Sort: sort, Desc: desc, ID: m.ID, Backward: backward}
	switch sort {
	case models.SortEmail:
		c.Text = m.Email
	case models.SortLastLogin:
		t := m.LastLoginAt.UTC()
		c.Time = &t
	case models.SortJoined:
		t := m.CreatedAt.UTC()
		c.Time = &t
	default:
		c.Text = m.NameKey
	}
	return c
}

// value is the sort key's value, to compare with the column sortColumn names.
func (c cursor) value() any {
	if c.Sort.IsTime() {
		return *c.Time
	}
	return c.Text
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the cursor, or nil for one that is empty, malformed or made for another order.
func decodeCursor(s string, sort models.SortKey, desc bool) *cursor {
	if s == "" || len(s) > 2048 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || c.Sort != sort || c.Desc != desc || (sort.IsTime() && c.Time == nil) {
		return nil
	}
	return &c
}

// MemberCursorAt returns the cursor of the page of status members that starts after the
// first skip of them in sort order (ascending; "" for the first page when skip < 1), for
// tools such as the benchmark that need a page deep in the list. It walks with OFFSET, so no
// request path may use it.
func (s *Store) MemberCursorAt(ctx context.Context, orgID int64, status models.Status, sort models.SortKey, skip int) (string, error) {
	if skip < 1 {
		return "", nil
	}
	var m models.Membership
	err := s.reader(ctx).Where("org_id = ? AND status = ?", orgID, status).
		Order(sortColumn(sort)).Order("id").Offset(skip - 1).Take(&m).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to find member %d: %w", skip, notFound(err))
	}
	return cursorAt(sort, false, &m, false).encode(), nil
}
