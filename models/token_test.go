package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"testing"
)

func TestNewToken(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 50 {
		raw, hash := NewToken()
		if !urlSafe.MatchString(raw) {
			t.Fatalf("token %q is not 43 URL-safe characters", raw)
		}
		if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != 32 {
			t.Fatalf("token %q decodes to %d bytes (err %v), want 32", raw, len(b), err)
		}
		if !bytes.Equal(hash, HashToken(raw)) {
			t.Fatalf("NewToken's hash differs from HashToken(raw)")
		}
		if seen[raw] {
			t.Fatalf("token %q returned twice", raw)
		}
		seen[raw] = true
	}
}

func TestHashToken(t *testing.T) {
	want := sha256.Sum256([]byte("abc"))
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"deterministic", "abc", "abc", true},
		{"differs by one character", "abc", "abd", false},
		{"case matters", "abc", "ABC", false},
		{"empty vs non-empty", "", "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := HashToken(tt.a), HashToken(tt.b)
			if len(ha) != 32 || len(hb) != 32 {
				t.Fatalf("hash lengths %d and %d, want 32", len(ha), len(hb))
			}
			if got := bytes.Equal(ha, hb); got != tt.same {
				t.Errorf("HashToken(%q) == HashToken(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
	if !bytes.Equal(HashToken("abc"), want[:]) {
		t.Errorf("HashToken is not SHA-256")
	}
}
