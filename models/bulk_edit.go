package models

// EditOp says what a bulk edit does to one field of every selected member.
type EditOp string

// Bulk edit operations.
const (
	EditKeep  EditOp = "keep"  // leave each member's value as it is
	EditSet   EditOp = "set"   // give every member Value
	EditClear EditOp = "clear" // leave every member without one
)

// FieldEdit is one field of a bulk edit.
type FieldEdit struct {
	Op    EditOp
	Value string
}

// BulkDetailsRequest is the bulk Edit details form: department, position and location only
// (job IDs are each member's own, as are names, emails and phones).
type BulkDetailsRequest struct {
	Department, Position, Location FieldEdit
}

// Validate cleans the values and returns what is wrong: an unknown operation, a value too
// long, Set without a value, or nothing to change.
func (r *BulkDetailsRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	changes := false
	for _, f := range []struct {
		name, label string
		e           *FieldEdit
	}{{"department", "Department", &r.Department}, {"position", "Position", &r.Position}, {"location", "Location", &r.Location}} {
		switch f.e.Op {
		case EditKeep, "":
			f.e.Op, f.e.Value = EditKeep, ""
			continue
		case EditClear:
			f.e.Value = ""
		case EditSet:
			var msg string
			if f.e.Value, msg = CleanText(f.e.Value, MaxFieldLen, f.label); msg != "" {
				errs.Add(f.name, msg)
			} else if f.e.Value == "" {
				errs.Add(f.name, "Enter the new "+lower(f.label)+", or choose Clear.")
			}
		default:
			errs.Add(f.name, "Choose Leave unchanged, Set or Clear.")
		}
		changes = true
	}
	if !changes && !errs.Any() {
		errs.Add("department", "Choose at least one field to set or clear.")
	}
	return errs
}

// Apply is d with the edit's fields changed.
func (r BulkDetailsRequest) Apply(d MemberDetailsRequest) MemberDetailsRequest {
	for _, f := range []struct {
		e   FieldEdit
		val *string
	}{{r.Department, &d.Department}, {r.Position, &d.Position}, {r.Location, &d.Location}} {
		switch f.e.Op {
		case EditSet:
			*f.val = f.e.Value
		case EditClear:
			*f.val = ""
		}
	}
	return d
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
