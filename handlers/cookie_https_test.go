package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/handlers"
	"gatehouse/internal/testdb"
	"gatehouse/models"
	"gatehouse/store"
)

// TestHTTPSBaseURLHardensCookies checks that an https --base-url gives cookies the Secure
// flag and the __Host- prefix (bound to this origin, Path=/, no Domain).
func TestHTTPSBaseURLHardensCookies(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{Path: testdb.Path(t, "tls.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, _ := url.Parse("https://gatehouse.example.com")
	h := handlers.New(app.New(st, app.Config{BaseURL: base}, nil, nil), handlers.Config{BaseURL: base, Sessions: models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour},
		Secret: []byte("s")}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h.Echo())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, raw := range resp.Header.Values("Set-Cookie") {
		if !strings.HasPrefix(raw, "__Host-gatehouse=") {
			t.Errorf("cookie without the __Host- prefix under https: %s", raw)
			continue
		}
		found = true
		for _, want := range []string{"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(raw, want) {
				t.Errorf("cookie lacks %s: %s", want, raw)
			}
		}
		if strings.Contains(strings.ToLower(raw), "domain=") {
			t.Errorf("__Host- cookie must not name a Domain: %s", raw)
		}
	}
	if !found {
		t.Fatal("no session cookie set on the login page")
	}
}

// TestCookieDomain checks that --cookie-domain puts the session cookie on the parent domain
// (which rules out __Host-) and keeps it Secure under https.
func TestCookieDomain(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{Path: testdb.Path(t, "domain.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, _ := url.Parse("https://auth.example.com")
	h := handlers.New(app.New(st, app.Config{BaseURL: base}, nil, nil), handlers.Config{BaseURL: base, Sessions: models.SessionPolicy{Idle: time.Hour, Lifetime: 12 * time.Hour},
		Secret: []byte("s"), CookieDomain: "example.com"}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h.Echo())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	raw := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(raw, "gatehouse=") {
		t.Fatalf("cookie %q, want the plain name gatehouse", raw)
	}
	for _, want := range []string{"Domain=example.com", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("cookie lacks %s: %s", want, raw)
		}
	}
}
