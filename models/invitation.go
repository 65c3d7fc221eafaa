package models

import "time"

// Invitation is one emailed link into an organization. Each reinvite or copied link is a new
// row; minting one supersedes every earlier live link of the membership.
type Invitation struct {
	ID           int64
	OrgID        int64
	MembershipID int64
	Email        string
	Phone        string // the number a phone invitation was texted to ('' for an email)
	TokenHash    []byte
	InvitedByID  *int64
	ExpiresAt    time.Time
	UsedAt       *time.Time
	RevokedAt    *time.Time
	SupersededAt *time.Time
	DeclinedAt   *time.Time // an existing account said no from the Join prompt
	IP           string     // the address the inviter asked from (the per-IP quota)
	CreatedAt    time.Time
}

// LinkState says whether an invitation link can still be used, and if not, why.
type LinkState string

// Invitation link states.
const (
	LinkLive       LinkState = "live"
	LinkUsed       LinkState = "used"
	LinkExpired    LinkState = "expired"
	LinkRevoked    LinkState = "revoked"
	LinkSuperseded LinkState = "superseded"
	LinkDeclined   LinkState = "declined"
)

// State is the link's state at now. Used wins over the others: a person who already joined
// should hear that, not that the link later expired.
func (i Invitation) State(now time.Time) LinkState {
	switch {
	case i.UsedAt != nil:
		return LinkUsed
	case i.DeclinedAt != nil:
		return LinkDeclined
	case i.RevokedAt != nil:
		return LinkRevoked
	case i.SupersededAt != nil:
		return LinkSuperseded
	case !now.Before(i.ExpiresAt):
		return LinkExpired
	}
	return LinkLive
}

// LinkError says why an invitation link can't be used. It wraps ErrGone (410).
type LinkError struct{ State LinkState }

func (e *LinkError) Error() string { return "invitation link is " + string(e.State) }

// Unwrap makes link errors errors.Is(err, ErrGone).
func (e *LinkError) Unwrap() error { return ErrGone }
