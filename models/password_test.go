package models

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestValidatePassword(t *testing.T) {
	const (
		tooShort = "Use at least 12 characters."
		tooLong  = "Use at most 128 characters."
		common   = "This is one of the most common passwords, so it is easy to guess. Choose another."
		isEmail  = "Don't use your email address as your password."
	)
	tests := []struct {
		name  string
		pw    string
		email string
		want  string
	}{
		{"empty", "", "", tooShort},
		{"11 characters", "abcdefghij1", "", tooShort},
		{"12 characters", "abcdefghij12", "", ""},
		{"128 characters", strings.Repeat("x", 128), "", ""},
		{"129 characters", strings.Repeat("x", 129), "", tooLong},
		{"very long", strings.Repeat("x", 10000), "", tooLong},
		{"11 two-byte runes (22 bytes)", strings.Repeat("é", 11), "", tooShort},
		{"12 two-byte runes", strings.Repeat("é", 12), "", ""},
		{"12 four-byte runes", strings.Repeat("🔑", 12), "", ""},
		{"128 two-byte runes (256 bytes)", strings.Repeat("é", 128), "", ""},
		{"129 two-byte runes", strings.Repeat("é", 129), "", tooLong},
		{"spaces count", "correct horse", "", ""},
		{"common", "qwerty123456", "", common},
		{"common upper-cased", "QWERTY123456", "", common},
		{"common mixed case", "LeaveMeAlone", "", common},
		{"common with a suffix is fine", "qwerty123456!", "", ""},
		{"equals email", "alice@example.com", "alice@example.com", isEmail},
		{"equals email, other case", "Alice@Example.COM", "alice@example.com", isEmail},
		{"equals email with spaces", "  alice@example.com ", "alice@example.com", isEmail},
		{"contains email is fine", "alice@example.com!", "alice@example.com", ""},
		{"email unknown", "alice@example.com", "", ""},
		{"length checked before email", "a@b.co", "a@b.co", tooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidatePassword(tt.pw, tt.email); got != tt.want {
				t.Errorf("ValidatePassword(%q, %q) = %q, want %q", tt.pw, tt.email, got, tt.want)
			}
		})
	}
}

// Every listed password that the length rule lets through is refused by the list, in any case.
func TestValidatePasswordCommonList(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsTxt))
	n := 0
	for sc.Scan() {
		pw := sc.Text()
		if l := len([]rune(pw)); l < MinPasswordLen || l > MaxPasswordLen {
			continue
		}
		n++
		for _, variant := range []string{pw, strings.ToUpper(pw)} {
			if msg := ValidatePassword(variant, ""); !strings.Contains(msg, "most common passwords") {
				t.Errorf("ValidatePassword(%q) = %q, want the common-password message", variant, msg)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d usable entries in common_passwords.txt; the list did not load", n)
	}
}

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h1 := HashPassword(pw)
	h2 := HashPassword(pw)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record argon2id with m=19 MiB, t=2, p=1", h1)
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal (%q): the salt is not random", h1)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"right password", h1, pw, true},
		{"right password, second hash", h2, pw, true},
		{"wrong password", h1, "correct horse battery stapler", false},
		{"other case", h1, strings.ToUpper(pw), false},
		{"empty password", h1, "", false},
		{"prefix of password", h1, pw[:12], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.pw); got != tt.want {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}

// A hash made with other parameters (say, before a policy change) still verifies:
// CheckPassword reads the parameters from the hash.
func TestCheckPasswordReadsParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("an older password"), salt, 1, 64, 1, 16)
	hash := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if !CheckPassword(hash, "an older password") {
		t.Error("hash with m=64,t=1,p=1 and a 16-byte key does not verify")
	}
	if CheckPassword(hash, "another password") {
		t.Error("hash with m=64,t=1,p=1 verifies a wrong password")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const pw = "correct horse battery staple"
	good := HashPassword(pw)
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"plain text", pw},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$extra"},
		{"params garbled", with(3, "m=lots,t=2,p=1")},
		{"params missing", with(3, "")},
		{"salt not base64", with(4, "!!!")},
		{"key not base64", with(5, "!!!")},
		{"key empty", with(5, "")},
		{"wrong key", with(5, base64.RawStdEncoding.EncodeToString(make([]byte, 32)))},
		{"zero time", with(3, "m=19456,t=0,p=1")},
		{"zero parallelism", with(3, "m=19456,t=2,p=0")},
		{"parallelism overflow", with(3, "m=19456,t=2,p=300")},
		{"memory overflow", with(3, "m=4294967296,t=2,p=1")},
		{"absurd memory", with(3, "m=4294967295,t=2,p=1")},
		{"absurd time", with(3, "m=19456,t=4294967295,p=1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("CheckPassword(%q) panicked: %v", tt.hash, r)
				}
			}()
			start := time.Now()
			if CheckPassword(tt.hash, pw) {
				t.Errorf("CheckPassword(%q) = true for a malformed hash", tt.hash)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("CheckPassword(%q) took %v", tt.hash, d)
			}
		})
	}
}

func TestCheckNoPassword(t *testing.T) {
	for _, pw := range []string{"", "correct horse battery staple", "gatehouse-timing-equaliser"} {
		if CheckNoPassword(pw) {
			t.Errorf("CheckNoPassword(%q) = true", pw)
		}
	}
}
