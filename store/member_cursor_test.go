package store

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"gatehouse/models"
)

// Cursors carry typed values: text for the text orders, a time for the time orders, never a
// time written as the SQLite driver's text.
func TestCursorValuesAreTyped(t *testing.T) {
	login := time.Date(2026, 11, 24, 9, 30, 0, 123456000, time.FixedZone("CET", 3600))
	m := &models.Membership{ID: 7, Email: "ada@example.com", NameKey: "ada lovelace", LastLoginAt: login, CreatedAt: login.Add(-time.Hour)}
	for _, tt := range []struct {
		sort models.SortKey
		want any
	}{
		{models.SortName, "ada lovelace"},
		{models.SortEmail, "ada@example.com"},
		{models.SortLastLogin, login.UTC()},
		{models.SortJoined, login.Add(-time.Hour).UTC()},
	} {
		c := decodeCursor(cursorAt(tt.sort, true, m, true).encode(), tt.sort, true)
		if c == nil || c.ID != 7 || !c.Backward {
			t.Fatalf("%s: cursor did not survive encoding: %+v", tt.sort, c)
		}
		switch want := tt.want.(type) {
		case string:
			if got, ok := c.value().(string); !ok || got != want {
				t.Errorf("%s: value %#v, want %q", tt.sort, c.value(), want)
			}
		case time.Time:
			if got, ok := c.value().(time.Time); !ok || !got.Equal(want) {
				t.Errorf("%s: value %#v, want %v", tt.sort, c.value(), want)
			}
		}
	}
	// A time order's cursor without a time (forged, or written before cursors were typed) is no cursor.
	b, _ := json.Marshal(map[string]any{"s": "last_login", "v": "2026-11-24 09:30:00+00:00", "i": 1})
	if c := decodeCursor(base64.RawURLEncoding.EncodeToString(b), models.SortLastLogin, false); c != nil {
		t.Errorf("a last-login cursor with a text value decoded to %+v", c)
	}
}
