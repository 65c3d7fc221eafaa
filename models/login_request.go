package models

// LoginRequest is the password step of logging in.
type LoginRequest struct {
	Email    string
	Password string
}

// SecondStepRequest is the second step of logging in: a code for the chosen method
// ("totp", "sms" or "recovery").
type SecondStepRequest struct {
	Method string
	Code   string
}
