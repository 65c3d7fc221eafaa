package models

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldErrors(t *testing.T) {
	fe := FieldErrors{}
	if fe.Any() {
		t.Fatal("empty FieldErrors reports errors")
	}
	fe.Add("email", "Enter an email address.")
	fe.Add("email", "Enter a valid email address.")
	fe.Add("password", "Use at least 12 characters.")
	if !fe.Any() {
		t.Fatal("FieldErrors with two fields reports none")
	}
	if got := fe["email"]; got != "Enter an email address." {
		t.Errorf("email message = %q, want the first one added", got)
	}
	if got, want := fe.Error(), "invalid input: email: Enter an email address.; password: Use at least 12 characters."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"is ErrInvalid", fe, ErrInvalid, true},
		{"wrapped is ErrInvalid", fmt.Errorf("handler: %w", fe), ErrInvalid, true},
		{"is not ErrNotFound", fe, ErrNotFound, false},
		{"is not ErrConflict", fe, ErrConflict, false},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is = %v, want %v", tt.name, got, tt.want)
		}
	}
	var as FieldErrors
	if !errors.As(fmt.Errorf("wrap: %w", fe), &as) || as["password"] == "" {
		t.Errorf("errors.As does not recover the FieldErrors: %v", as)
	}
}

func TestDomainErrorsDistinct(t *testing.T) {
	errs := []error{ErrNotFound, ErrConflict, ErrForbidden, ErrGone, ErrInvalid}
	for i, a := range errs {
		for j, b := range errs {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}
