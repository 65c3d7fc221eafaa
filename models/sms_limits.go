package models

import "time"

// Caps on the text messages Gatehouse sends, so nobody can make it text numbers at will
// (SMS pumping). Each counts from the database.
const (
	// SMSCapMemberNumbers is how many distinct phone numbers one member may try to enroll in a day.
	SMSCapMemberNumbers = 3
	SMSCapWindowMember  = 24 * time.Hour
	// SMSCapOrg is how many texts one organization may send in an hour.
	SMSCapOrg       = 50
	SMSCapWindowOrg = time.Hour
	// SMSCapIP is how many second steps from one IP may send a code in an hour.
	SMSCapIP       = 20
	SMSCapWindowIP = time.Hour
)

// ActionSMSCapped is written when a text message is refused because a cap was reached.
const ActionSMSCapped Action = "mfa.sms_capped"

// SMSUsage is what the SMS caps count.
type SMSUsage struct {
	MemberNumbers int  // distinct numbers the member started to enroll in the window
	KnownNumber   bool // the number asked for is one of them
	OrgSent       int  // texts sent for the organization in the window
	IPSent        int  // second steps from the IP that sent a code in the window
}

// SMSCapReached returns the message for the first cap u reaches, and which cap it is
// ("member", "organization", "ip"); "" when none. newNumber is whether the text goes to a
// number being enrolled.
func (u SMSUsage) SMSCapReached(newNumber bool) (msg, which string) {
	switch {
	case newNumber && !u.KnownNumber && u.MemberNumbers >= SMSCapMemberNumbers:
		return "You have tried too many phone numbers today. Use one you already tried, try again tomorrow, or use an authenticator app.", "member"
	case u.OrgSent >= SMSCapOrg:
		return "Your organization has sent too many text messages in the last hour. Try again later, or use an authenticator app.", "organization"
	case u.IPSent >= SMSCapIP:
		return "Too many text messages were sent from your network in the last hour. Try again later, or use an authenticator app.", "ip"
	}
	return "", ""
}
