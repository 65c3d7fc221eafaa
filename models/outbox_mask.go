package models

import "regexp"

var smsCode = regexp.MustCompile(`\d{6}`)

// ShownBody is the plain-text body as the Outbox page may show it. A text message's code is
// masked: an Owner must not be able to read a member's live second-step codes, and codes
// are never shown on any page.
func (m OutboxMessage) ShownBody() string {
	if m.Channel != ChannelSMS {
		return m.TextBody
	}
	return smsCode.ReplaceAllString(m.TextBody, "••••••")
}
