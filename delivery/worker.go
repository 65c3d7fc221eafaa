package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gatehouse/models"
)

const (
	pollInterval = 5 * time.Second
	batchSize    = 50
	// sendTimeout bounds one delivery. A delivery in progress finishes (or times out) even
	// when the worker is stopped, so shutdown never leaves a message half-recorded.
	sendTimeout = time.Minute
)

// missingConfig names the flag that configures each channel's sender, for the log.
var missingConfig = map[models.Channel]string{
	models.ChannelEmail: "--smtp-url",
	models.ChannelSMS:   "--sms-webhook-url or GATEHOUSE_TWILIO_*",
}

// Queue is the outbox as the worker sees it: the messages due, and what became of each
// delivery. *store.Store is one.
type Queue interface {
	// DueMessages returns up to limit messages whose next attempt is due, longest-waiting first.
	DueMessages(ctx context.Context, limit int) ([]models.OutboxMessage, error)
	// MarkMessageSent records a successful delivery.
	MarkMessageSent(ctx context.Context, id int64) error
	// MarkMessageRetry records a failed attempt: retried later, or failed after the last one.
	MarkMessageRetry(ctx context.Context, id int64, errText string) error
	// MarkMessageHeld keeps a message whose channel has no sender for the Outbox page.
	MarkMessageHeld(ctx context.Context, id int64) error
}

// Worker delivers due outbox messages in the background, one at a time, with retries.
type Worker struct {
	st       Queue
	senders  map[models.Channel]Sender
	now      func() time.Time
	log      *slog.Logger
	poke     chan struct{}
	interval time.Duration
	// waiting, when set (by tests), is called each time Run has finished a round and starts
	// waiting for a poke or the interval.
	waiting func()
}

// NewWorker returns a worker that delivers each channel's messages through senders; a
// channel without a sender has its messages held for the Outbox page.
func NewWorker(st Queue, senders map[models.Channel]Sender, now func() time.Time, log *slog.Logger) *Worker {
	if now == nil {
		now = time.Now
	}
	return &Worker{st: st, senders: senders, now: now, log: log, poke: make(chan struct{}, 1), interval: pollInterval}
}

// Poke wakes the worker to deliver at once; it never blocks.
func (w *Worker) Poke() {
	select {
	case w.poke <- struct{}{}:
	default:
	}
}

// Run delivers what is due, then waits for a poke or the poll interval, until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(w.interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("outbox: unable to deliver messages", "err", err)
		}
		t.Reset(w.interval)
		if w.waiting != nil {
			w.waiting()
		}
		select {
		case <-ctx.Done():
			return
		case <-w.poke:
		case <-t.C:
		}
	}
}

// RunOnce delivers, holds or reschedules every message due now and returns how many it
// handled. After a failed delivery, the rest of that channel's messages wait for the next
// round, so a server that is down costs one timeout per round rather than one per message.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	handled := 0
	for ctx.Err() == nil {
		msgs, err := w.st.DueMessages(ctx, batchSize)
		if err != nil {
			return handled, err
		}
		failing := map[models.Channel]bool{}
		for _, msg := range msgs {
			if ctx.Err() != nil {
				return handled, nil
			}
			if failing[msg.Channel] {
				continue
			}
			ok, err := w.deliver(ctx, msg)
			if err != nil {
				return handled, err
			}
			handled++
			if !ok {
				failing[msg.Channel] = true
			}
		}
		if len(msgs) < batchSize || len(failing) > 0 {
			return handled, nil
		}
	}
	return handled, nil
}

// deliver sends, holds or reschedules one message and reports whether it left the queue
// (sent or held). The log names the recipient and subject, never the body: bodies hold
// single-use links.
func (w *Worker) deliver(ctx context.Context, msg models.OutboxMessage) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	sender, ok := w.senders[msg.Channel]
	if !ok || sender == nil {
		if err := w.st.MarkMessageHeld(ctx, msg.ID); err != nil {
			return false, err
		}
		w.log.Warn(fmt.Sprintf("%s to %s is held in the Outbox page (no %s)", msg.Channel, msg.Recipient, missingConfig[msg.Channel]),
			"outbox_id", msg.ID, "recipient", logRecipient(msg), "subject", msg.Subject)
		return true, nil
	}
	if err := sender.Send(ctx, msg); err != nil {
		if serr := w.st.MarkMessageRetry(ctx, msg.ID, err.Error()); serr != nil {
			return false, serr
		}
		attrs := []any{"outbox_id", msg.ID, "recipient", logRecipient(msg), "subject", msg.Subject, "attempt", msg.Attempts + 1, "err", err}
		if msg.Attempts+1 >= models.OutboxMaxAttempts {
			w.log.Error(fmt.Sprintf("unable to send %s: giving up (Retry now on the Outbox page tries again)", msg.Channel), attrs...)
		} else {
			w.log.Warn(fmt.Sprintf("unable to send %s: will retry", msg.Channel), append(attrs, "retry_in", models.OutboxBackoff(msg.Attempts+1))...)
		}
		return false, nil
	}
	if err := w.st.MarkMessageSent(ctx, msg.ID); err != nil {
		return false, err
	}
	w.log.Info(fmt.Sprintf("%s sent", msg.Channel), "outbox_id", msg.ID, "recipient", logRecipient(msg), "subject", msg.Subject,
		"attempt", msg.Attempts+1, "waited", w.now().Sub(msg.CreatedAt).Round(time.Second))
	return true, nil
}

// logRecipient is the recipient as logs show it: phone numbers masked to their last digits.
func logRecipient(msg models.OutboxMessage) string {
	if msg.Channel == models.ChannelSMS {
		return models.MaskPhone(msg.Recipient)
	}
	return msg.Recipient
}
