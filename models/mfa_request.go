package models

// TOTPConfirmRequest confirms an authenticator key with a code from the app. Password is
// asked again from a member who already has a second factor.
type TOTPConfirmRequest struct {
	Secret   string
	Code     string
	Password string
}

// SMSEnrollRequest starts enrolling a phone number for text message codes.
type SMSEnrollRequest struct {
	Phone    string
	Password string
}
