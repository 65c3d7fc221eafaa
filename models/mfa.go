package models

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// MFAPolicy is an organization's rule for second factors.
type MFAPolicy string

// MFA policies. Required is the default: members without a second factor must enroll before
// they can do anything else.
const (
	MFARequired MFAPolicy = "required"
	MFAOptional MFAPolicy = "optional"
	MFAOff      MFAPolicy = "off"
)

// Valid reports whether p is a known policy.
func (p MFAPolicy) Valid() bool { return p == MFARequired || p == MFAOptional || p == MFAOff }

// Label is the policy as the settings page shows it.
func (p MFAPolicy) Label() string {
	switch p {
	case MFAOptional:
		return "Optional"
	case MFAOff:
		return "Off"
	}
	return "Required"
}

// MaxMFAGraceDays bounds the grace period an organization may give new members to enroll.
const MaxMFAGraceDays = 30

// MustEnroll reports whether u, who has no second factor, must enroll before doing anything
// else in org at now: the policy requires MFA and the grace period since the account was
// created has passed.
func (o Organization) MustEnroll(u User, now time.Time) bool {
	if u.MFAEnabled || o.MFAPolicy != MFARequired && o.MFAPolicy != "" {
		return false
	}
	return !now.Before(u.CreatedAt.AddDate(0, 0, o.MFAGraceDays))
}

// FactorKind is a kind of second factor.
type FactorKind string

// Second factor kinds. SMS is offered beside the authenticator app, never alone.
const (
	FactorSMS  FactorKind = "sms"
	FactorTOTP FactorKind = "totp"
)

// Label is the factor kind as pages show it.
func (k FactorKind) Label() string {
	if k == FactorSMS {
		return "Text message (SMS)"
	}
	return "Authenticator app"
}

// MFAFactor is one second factor of a user: a phone for SMS codes or a TOTP secret.
// It counts only once confirmed with a code.
type MFAFactor struct {
	ID          int64
	UserID      int64
	Kind        FactorKind
	Phone       string // E.164, for SMS
	Secret      string // base32 TOTP secret
	LastStep    int64  // the last TOTP time step accepted: each code works once
	ConfirmedAt *time.Time
	CreatedAt   time.Time
}

// TableName keeps GORM from guessing "m_f_a_factors".
func (MFAFactor) TableName() string { return "mfa_factors" }

// RecoveryCode is one single-use recovery code, stored as a hash.
type RecoveryCode struct {
	ID        int64
	UserID    int64
	CodeHash  []byte
	UsedAt    *time.Time
	CreatedAt time.Time
}

// ChallengePurpose says what a challenge stands between.
type ChallengePurpose string

// Challenge purposes.
const (
	ChallengeLogin  ChallengePurpose = "login"  // password checked, second step pending
	ChallengeEnroll ChallengePurpose = "enroll" // a factor being confirmed
)

// MFAChallenge is a pending second step, referenced from the browser by a token whose
// hash is stored. SMS codes sent for it are bound to it and die with it.
type MFAChallenge struct {
	ID            int64
	TokenHash     []byte
	UserID        int64
	Purpose       ChallengePurpose
	FactorID      *int64
	CodeHash      []byte
	CodeExpiresAt *time.Time
	Attempts      int
	LastSentAt    *time.Time
	IP            string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// TableName keeps GORM from guessing "m_f_a_challenges".
func (MFAChallenge) TableName() string { return "mfa_challenges" }

// Limits from DESIGN.md's Security parameters.
const (
	SMSCodeLifetime   = 10 * time.Minute
	MaxCodeAttempts   = 5 // wrong codes before the attempt ends
	SMSResendInterval = time.Minute
	MaxSMSPerHour     = 5
	ChallengeLifetime = 15 * time.Minute
	RecoveryCodeCount = 10
)

// NewSMSCode returns a random 6-digit code.
func NewSMSCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// HashCode hashes a short code bound to one challenge, so a code from one attempt never
// matches in another.
func HashCode(challengeTokenHash []byte, code string) []byte {
	h := sha256.New()
	h.Write(challengeTokenHash)
	h.Write([]byte{0})
	h.Write([]byte(code))
	return h.Sum(nil)
}

// SameHash compares two hashes in constant time.
func SameHash(a, b []byte) bool { return len(a) > 0 && subtle.ConstantTimeCompare(a, b) == 1 }

// NormalizeCode strips spaces and dashes people type into codes, and lower-cases them.
func NormalizeCode(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s))
}

var recoveryAlphabet = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodeCount codes to show once (like "k7dq-9mxa-3f"), and their hashes.
func NewRecoveryCodes() (codes []string, hashes [][]byte) {
	for range RecoveryCodeCount {
		b := make([]byte, 7)
		rand.Read(b)
		c := recoveryAlphabet.EncodeToString(b)[:10]
		codes = append(codes, c[:4]+"-"+c[4:8]+"-"+c[8:])
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes
}

// HashRecoveryCode hashes a recovery code as typed, after normalising it.
func HashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("recovery:" + NormalizeCode(code)))
	return h[:]
}

// TOTP parameters: RFC 6238 defaults, 30 s steps, one step of tolerance either side.
const (
	TOTPPeriod = 30
	TOTPSkew   = 1
)

// NewTOTPKey makes a secret for account, shown as a QR code and as text.
func NewTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPURL is the otpauth:// URL an authenticator app reads from the QR code.
func TOTPURL(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	// The label's first colon parts issuer from account, so neither may hold one there (an
	// organization named "Acme: Labs" would otherwise move the account name); the issuer
	// parameter keeps the name whole.
	noColon := strings.NewReplacer(":", "")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + noColon.Replace(issuer) + ":" + noColon.Replace(account), RawQuery: v.Encode()}
	return u.String()
}

// MatchTOTP returns the time step whose code equals code, within the skew around now,
// refusing steps at or before lastStep so each code is accepted once.
func MatchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = NormalizeCode(code)
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / TOTPPeriod
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		s := step + d
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0), totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// NormalizePhone parses a phone number written with its country code and returns it in
// E.164 (+447911123456), or a message saying what is wrong.
func NormalizePhone(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Enter a phone number."
	}
	if len(s) > 40 {
		return "", "That is too long for a phone number."
	}
	// The parser reads letters as keypad digits ("+1 800 FLOWERS") and drops stray ones, so
	// a typo would text codes to someone else's number.
	if strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsSpace(r) && !unicode.IsDigit(r) && !strings.ContainsRune("+-().", r)
	}) {
		return "", "Use only digits, spaces and + - ( ) in the phone number."
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		return "", "Include the country code, starting with +, like +44 7911 123456."
	}
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", "That doesn't look like a valid phone number. Check the country code and the digits."
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// MaskPhone hides all but the last digits of a phone number, for pages and logs.
func MaskPhone(e164 string) string {
	if len(e164) <= 4 {
		return e164
	}
	return strings.Repeat("•", len(e164)-4) + e164[len(e164)-4:]
}
