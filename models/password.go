package models

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules from DESIGN.md's Security parameters.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// argon2id parameters: m=19 MiB, t=2, p=1 (OWASP's first recommended configuration).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// Upper bounds on the parameters CheckPassword accepts from a stored hash, far above any
// policy Gatehouse would choose: a corrupt hash must not allocate or spin without bound.
const (
	maxArgonMemory = 1 << 20 // KiB (1 GiB)
	maxArgonTime   = 64
)

//go:embed common_passwords.txt
var commonPasswordsTxt []byte

// commonPasswords holds the most common passwords of 12+ characters (from zxcvbn-ts's list);
// shorter ones already fail the length rule.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsTxt))
	for sc.Scan() {
		m[sc.Text()] = true
	}
	return m
}()

// ValidatePassword returns a message for a password that may not be used, or "".
// email lets it refuse the account's own address as a password.
func ValidatePassword(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Sprintf("Use at most %d characters.", MaxPasswordLen)
	case commonPasswords[strings.ToLower(pw)]:
		return "This is one of the most common passwords, so it is easy to guess. Choose another."
	case email != "" && strings.EqualFold(strings.TrimSpace(pw), email):
		return "Don't use your email address as your password."
	}
	return ""
}

// hashSlots bounds concurrent argon2id work so a burst of logins cannot exhaust memory
// (19 MiB each) or starve every other request of CPU: hashing gets at most half the CPUs
// (one of two), so pages keep the rest however many logins queue here.
var hashSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

func argonKey(pw string, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, keyLen)
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argonKey(pw, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches a hash made by HashPassword. It takes the
// same time whether or not the password matches.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	// argon2 panics on zero time or parallelism.
	if t < 1 || t > maxArgonTime || p < 1 || m > maxArgonMemory {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argonKey(pw, salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a login names no account, so the response takes
// as long as a real check and reveals nothing.
var dummyHash = sync.OnceValue(func() string { return HashPassword("gatehouse-timing-equaliser") })

// CheckNoPassword spends the time of a password check and always reports false.
func CheckNoPassword(pw string) bool {
	CheckPassword(dummyHash(), pw)
	return false
}
