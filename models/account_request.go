package models

// ProfileRequest is the member's own name and phone: the personal fields only they edit.
type ProfileRequest struct{ FirstName, LastName, Phone string }

// Validate cleans the names and normalises the phone to E.164; an empty phone is allowed.
func (f *ProfileRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	f.FirstName, f.LastName = ValidateNames(errs, f.FirstName, f.LastName)
	if raw, msg := CleanText(f.Phone, 40, "Phone"); msg != "" {
		errs.Add("phone", msg)
	} else if raw != "" {
		phone, msg := NormalizePhone(raw)
		if msg != "" {
			errs.Add("phone", msg)
		} else {
			f.Phone = phone
		}
	} else {
		f.Phone = ""
	}
	return errs
}

// PasswordChangeRequest changes the member's password.
type PasswordChangeRequest struct{ Current, New, Confirm string }

// Validate checks the new password's shape; the current one is checked against the hash by the use case.
func (f PasswordChangeRequest) Validate(email string) FieldErrors {
	errs := FieldErrors{}
	if f.Current == "" {
		errs.Add("current_password", "Enter your current password.")
	}
	if msg := ValidatePassword(f.New, email); msg != "" {
		errs.Add("new_password", msg)
	} else if f.Confirm != f.New {
		errs.Add("confirm_password", "The passwords don't match.")
	} else if f.New == f.Current {
		errs.Add("new_password", "Choose a password different from your current one.")
	}
	return errs
}
