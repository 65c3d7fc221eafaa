// Package models holds Gatehouse's GORM models and the domain rules that need no I/O:
// membership lifecycle, roles and permissions, and input validation.
package models

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors returned by the store and mapped to HTTP statuses in one place (handlers/errors.go).
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	ErrGone      = errors.New("gone")
	ErrInvalid   = errors.New("invalid input")
)

// FieldErrors maps a form field name to the message shown beside it.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Any reports whether there is at least one error.
func (fe FieldErrors) Any() bool { return len(fe) > 0 }

// Error lets FieldErrors travel as an error; it wraps ErrInvalid.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(fe, ErrInvalid) true.
func (fe FieldErrors) Unwrap() error { return ErrInvalid }
