// Package delivery delivers outbox messages, email and text messages alike: the background Worker takes what the store has
// queued and hands each message to the Sender of its channel (SMTP for email; a webhook or Twilio for SMS), retrying
// with backoff. It also writes the emails Gatehouse sends (InvitationEmail, PasswordResetEmail) and text messages (SMSCode).
package delivery

import (
	"context"

	"gatehouse/models"
)

// Sender delivers one message over its channel. An error means the message was not
// accepted and may be tried again later.
type Sender interface {
	Send(ctx context.Context, msg models.OutboxMessage) error
}
