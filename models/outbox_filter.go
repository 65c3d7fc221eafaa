package models

// OutboxFilter selects one page of an organization's outbox, newest first.
type OutboxFilter struct {
	Status OutboxStatus // any status when empty
	Before int64        // only messages with a smaller id; 0 for the first page
	Limit  int
}

// MaxOutboxPage is the largest page of the outbox one query returns.
const MaxOutboxPage = 200
