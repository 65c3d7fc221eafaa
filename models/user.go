package models

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a person's account. Name, email and phone are personal: only the user edits them.
type User struct {
	ID           int64
	Email        string
	FirstName    string
	LastName     string
	Phone        string
	PasswordHash string
	MFAEnabled   bool // has a confirmed second factor; kept by the store
	LastOrgID    *int64
	LastLoginAt  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// DisplayName is the user's name, or their email when no name is set.
func (u User) DisplayName() string { return DisplayName(u.FirstName, u.LastName, u.Email) }

// Organization is a team with its own members and settings.
type Organization struct {
	ID                  int64
	Name                string
	InviteLifetimeHours int
	MFAPolicy           MFAPolicy `gorm:"default:required"`
	MFAGraceDays        int
	// InviteQuota is how many invitation emails one member may send a day; 0 is unlimited.
	InviteQuota int `gorm:"default:100"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	OrgRules
}

// Field limits shared by forms and the store.
const (
	MaxEmailLen   = 254
	MaxNameLen    = 100
	MaxOrgNameLen = 100
	MaxFieldLen   = 200
)

// Invitation lifetime bounds, in hours (DESIGN.md: 1 hour to 30 days, default 72 hours).
const (
	MinInviteLifetimeHours     = 1
	MaxInviteLifetimeHours     = 30 * 24
	DefaultInviteLifetimeHours = 72
)

// Per-inviter daily quota bounds (Settings; 0 means unlimited).
const (
	DefaultInviteQuota = 100
	MaxInviteQuota     = 100000
)

// NormalizeEmail trims and lower-cases an email address, and puts an internationalised one in
// one form (normalizeAddress): Unicode NFC, the domain as IDNA maps it.
func NormalizeEmail(s string) string { return normalizeAddress(strings.ToLower(strings.TrimSpace(s))) }

// ValidateEmail returns a message for an unusable address, or "" when it is fine.
// It accepts a bare address only: no display name, no angle brackets.
func ValidateEmail(email string) string {
	switch {
	case email == "":
		return "Enter an email address."
	case len(email) > MaxEmailLen:
		return "Email addresses are at most 254 characters."
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return "Enter a valid email address, like name@example.com."
	}
	at := strings.LastIndexByte(email, '@')
	if domain := email[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "Enter a valid email address, like name@example.com."
	}
	return emailProblem(email)
}

// CleanText trims a single-line text input and reports a message when it is too long
// or holds control characters.
func CleanText(s string, max int, what string) (string, string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return s, what + " is too long (at most " + strconv.Itoa(max) + " characters)."
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return s, what + " contains characters that are not allowed."
	}
	return s, ""
}

// DisplayName joins first and last name, falling back to the email.
func DisplayName(first, last, email string) string {
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	return email
}

// NameKeys derives the lower-cased sort key ("first last", else email) and last-name search key.
func NameKeys(first, last, email string) (nameKey, lastNameKey string) {
	nameKey = strings.ToLower(strings.TrimSpace(first + " " + last))
	if nameKey == "" {
		nameKey = email
	}
	return nameKey, strings.ToLower(strings.TrimSpace(last))
}

// RequiredText cleans a required single-line field and records what is wrong with it in errs
// under field: too long, control characters, or missing.
func RequiredText(errs FieldErrors, field, value string, max int, label, missing string) string {
	value, msg := CleanText(value, max, label)
	switch {
	case msg != "":
		errs.Add(field, msg)
	case value == "":
		errs.Add(field, missing)
	}
	return value
}

// ValidateNames cleans a person's first and last name, both required, recording what is
// wrong in errs under first_name and last_name.
func ValidateNames(errs FieldErrors, first, last string) (string, string) {
	return RequiredText(errs, "first_name", first, MaxNameLen, "First name", "Enter your first name."),
		RequiredText(errs, "last_name", last, MaxNameLen, "Last name", "Enter your last name.")
}
