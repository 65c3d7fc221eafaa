package models

import "time"

// Channel is how an outbox message travels.
type Channel string

// Outbox channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// OutboxStatus is where a message is in delivery.
type OutboxStatus string

// Outbox statuses. A message is "pending" until delivered ("sent"); after a failed attempt it
// is "retrying" with a later next attempt, and "failed" once the sender gives up. Without a
// configured mail server or SMS provider a message is "held": kept for the Outbox page.
const (
	OutboxPending  OutboxStatus = "pending"
	OutboxRetrying OutboxStatus = "retrying"
	OutboxSent     OutboxStatus = "sent"
	OutboxFailed   OutboxStatus = "failed"
	OutboxHeld     OutboxStatus = "held"
)

// OutboxMessage is an email or SMS written in the same transaction as the change that caused
// it, then delivered by the background sender with retries, so nothing is lost when the mail
// server is down.
type OutboxMessage struct {
	ID            int64
	OrgID         *int64
	InvitationID  *int64
	Channel       Channel
	Recipient     string
	Subject       string
	TextBody      string
	HTMLBody      string
	Status        OutboxStatus
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        *time.Time
	CreatedAt     time.Time
	// ClaimedBy is the worker delivering the message until ClaimedUntil ("" when none): with
	// several instances each message is claimed by one worker, and taken again only once the
	// lease has run out (its worker stopped or crashed).
	ClaimedBy    string
	ClaimedUntil *time.Time
}

// OutboxMaxAttempts is how many deliveries are tried before a message is marked failed.
const OutboxMaxAttempts = 8

// OutboxBackoff is the wait after the nth failed attempt (1-based): 30 s, 1 min, 2 min, …, capped at 1 hour.
func OutboxBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := 30 * time.Second << min(attempt-1, 10)
	return min(d, time.Hour)
}
