package models

// ForgotPasswordRequest is the "Forgot password?" form.
type ForgotPasswordRequest struct{ Email string }

// Validate checks the address's shape only: whether an account has it is never said.
func (f *ForgotPasswordRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	f.Email = NormalizeEmail(f.Email)
	if msg := ValidateEmail(f.Email); msg != "" {
		errs.Add("email", msg)
	}
	return errs
}

// ResetPasswordRequest is the "Set a new password" form of a reset link.
type ResetPasswordRequest struct{ Token, Password, Confirm string }

// Validate checks the new password for the account with email.
func (f *ResetPasswordRequest) Validate(email string) FieldErrors {
	errs := FieldErrors{}
	if msg := ValidatePassword(f.Password, email); msg != "" {
		errs.Add("password", msg)
	} else if f.Confirm != f.Password {
		errs.Add("confirm_password", "The passwords don't match.")
	}
	return errs
}
