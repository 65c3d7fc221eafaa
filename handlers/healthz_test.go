package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"gatehouse/app"
	"gatehouse/handlers"
	"gatehouse/internal/testdb"
	"gatehouse/store"
)

// /healthz answers 503 while the database answers reads but cannot be written.
func TestHealthzReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	path := testdb.Path(t, "ro.db")
	st, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Opened as SQLite opens a file the process may not write (chmod does not stop root).
	ro, err := store.Open(ctx, store.Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	base, _ := url.Parse("http://gatehouse.test")
	h := handlers.New(app.New(ro, app.Config{BaseURL: base}, nil, nil), handlers.Config{BaseURL: base, Secret: []byte("s")}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h.Echo())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz on a read-only database: %d, want 503", resp.StatusCode)
	}
}
