package delivery

// SMSInvitation is the text message of a phone invitation: who invites to which organization,
// and the single-use link. Names that do not fit the GSM alphabet are left out rather than
// turning the message into a longer UCS-2 one.
func SMSInvitation(orgName, inviterName, link string) string {
	org, ok := toGSM(oneLine(orgName))
	if !ok || org == "" || len([]rune(org)) > smsMaxOrg {
		org = "a team"
	}
	who, ok := toGSM(oneLine(inviterName))
	if !ok || who == "" || len([]rune(who)) > smsMaxOrg {
		return "You are invited to join " + org + " on Gatehouse. Create your account: " + link
	}
	return who + " invited you to join " + org + " on Gatehouse. Create your account: " + link
}
