package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// TokenPurpose binds a token to one use; a token minted for one purpose is refused for another.
type TokenPurpose string

// Token purposes.
const (
	PurposeSetup TokenPurpose = "setup"
	PurposeReset TokenPurpose = "password_reset"
)

// Token is a single-use secret sent by link. Only its SHA-256 hash is stored.
type Token struct {
	ID        int64
	Purpose   TokenPurpose
	Email     string
	Hash      []byte
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// NewToken returns 32 random bytes, URL-safe encoded, and their hash.
func NewToken() (raw string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on failure since Go 1.24)
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashToken(raw)
}

// HashToken returns the SHA-256 hash under which a token is stored. Lookups by hash
// compare in the database's index; the hash makes timing reveal nothing about the token.
func HashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}
