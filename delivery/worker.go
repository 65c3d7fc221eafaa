package delivery

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"gatehouse/models"
)

const (
	pollInterval = 5 * time.Second
	batchSize    = 50
	// sendTimeout bounds one delivery. A delivery in progress finishes (or times out) even
	// when the worker is stopped, so shutdown never leaves a message half-recorded.
	sendTimeout = time.Minute
	// claimLease is how long a claimed message stays the worker's: longer than a delivery may
	// take, and renewed before each delivery that could outlast it, so only a worker that
	// stopped (crashed, killed, cut off from the database) loses its messages to another.
	claimLease = 3 * sendTimeout
	// minLease is the shortest lease SetLease takes.
	minLease = 3 * time.Second
)

// missingConfig names the flag that configures each channel's sender, for the log.
var missingConfig = map[models.Channel]string{
	models.ChannelEmail: "--smtp-url",
	models.ChannelSMS:   "--sms-webhook-url or GATEHOUSE_TWILIO_*",
}

// Queue is the outbox as the worker sees it: the messages due, claimed for one worker at a
// time, and what became of each delivery. *store.Store is one.
type Queue interface {
	// ClaimMessages claims up to limit due messages no other worker holds for worker until
	// now+lease, longest-waiting first.
	ClaimMessages(ctx context.Context, worker string, limit int, lease time.Duration) ([]models.OutboxMessage, error)
	// ExtendClaims renews worker's claims on ids until until and returns the ids it still holds.
	ExtendClaims(ctx context.Context, worker string, ids []int64, until time.Time) ([]int64, error)
	// ReleaseClaims gives back every message worker holds.
	ReleaseClaims(ctx context.Context, worker string) error
	// MarkMessageSent records a successful delivery.
	MarkMessageSent(ctx context.Context, id int64) error
	// MarkMessageRetry records a failed attempt: retried later, or failed after the last one.
	MarkMessageRetry(ctx context.Context, id int64, errText string) error
	// MarkMessageHeld keeps a message whose channel has no sender for the Outbox page.
	MarkMessageHeld(ctx context.Context, id int64) error
}

// Worker delivers due outbox messages in the background, one at a time, with retries. Each
// round it claims the messages it is about to send, so several workers (one per instance)
// may share one outbox and each message is sent by one of them.
type Worker struct {
	id       string // the claims' owner: host, process and a random part
	st       Queue
	senders  map[models.Channel]Sender
	now      func() time.Time
	log      *slog.Logger
	poke     chan struct{}
	interval time.Duration
	lease    time.Duration // how long a claim lasts (claimLease)
	timeout  time.Duration // the longest one delivery may take: a third of the lease
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
	return &Worker{id: workerID(), st: st, senders: senders, now: now, log: log, poke: make(chan struct{}, 1), interval: pollInterval,
		lease: claimLease, timeout: sendTimeout}
}

// SetLease sets how long the worker's claims last (3 minutes unless set; at least 3 s): how
// late the messages of a crashed instance go out. A delivery may take a third of it, so a
// slow mail server is not mistaken for a crashed instance.
func (w *Worker) SetLease(d time.Duration) {
	w.lease = max(d, minLease)
	w.timeout = min(sendTimeout, w.lease/3)
}

// workerID names a worker in its claims: readable in the database (which host and process
// holds a message) and unique even for two workers in one process.
func workerID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%.40s/%d/%x", host, os.Getpid(), b)
}

// ID is the name the worker's claims carry.
func (w *Worker) ID() string { return w.id }

// Poke wakes the worker to deliver at once; it never blocks.
func (w *Worker) Poke() {
	select {
	case w.poke <- struct{}{}:
	default:
	}
}

// Run delivers what is due, then waits for a poke or the poll interval, until ctx ends; then it
// gives back the messages it claimed and did not get to.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(w.interval)
	defer t.Stop()
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.st.ReleaseClaims(ctx, w.id); err != nil {
			w.log.Warn("outbox: unable to give back claimed messages (they are taken again after the lease)", "err", err)
		}
	}()
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

// RunOnce claims and delivers, holds or reschedules every message due now and returns how
// many it handled. After a failed delivery, the rest of that channel's messages wait for the
// next round (given back at once, for another worker to try), so a server that is down costs
// one timeout per round rather than one per message.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	handled := 0
	for ctx.Err() == nil {
		msgs, err := w.st.ClaimMessages(ctx, w.id, batchSize, w.lease)
		if err != nil {
			return handled, err
		}
		n, failing, err := w.deliverClaimed(ctx, msgs)
		handled += n
		if err != nil || failing || ctx.Err() != nil {
			// Some of the claim is left: give it back for another worker (or the next round).
			if rerr := w.st.ReleaseClaims(context.WithoutCancel(ctx), w.id); rerr != nil && err == nil {
				err = rerr
			}
			return handled, err
		}
		if len(msgs) < batchSize {
			return handled, nil
		}
	}
	return handled, nil
}

// deliverClaimed delivers the messages of one claim in order, renewing the claim on the rest
// before a delivery that could outlast it, and skipping a message the worker no longer holds.
func (w *Worker) deliverClaimed(ctx context.Context, msgs []models.OutboxMessage) (handled int, failing bool, err error) {
	down := map[models.Channel]bool{}
	var until time.Time
	if len(msgs) > 0 && msgs[0].ClaimedUntil != nil {
		until = *msgs[0].ClaimedUntil
	}
	held := map[int64]bool{}
	for _, m := range msgs {
		held[m.ID] = true
	}
	for i, msg := range msgs {
		if ctx.Err() != nil {
			return handled, len(down) > 0, nil
		}
		if down[msg.Channel] {
			continue
		}
		if now := w.now(); until.Sub(now) < w.timeout+time.Second {
			rest := make([]int64, 0, len(msgs)-i)
			for _, m := range msgs[i:] {
				if held[m.ID] {
					rest = append(rest, m.ID)
				}
			}
			until = now.Add(w.lease)
			still, err := w.st.ExtendClaims(ctx, w.id, rest, until)
			if err != nil {
				return handled, len(down) > 0, err
			}
			clear(held)
			for _, id := range still {
				held[id] = true
			}
		}
		if !held[msg.ID] {
			w.log.Warn("outbox: a message's claim ran out and another worker took it", "outbox_id", msg.ID)
			continue
		}
		ok, err := w.deliver(ctx, msg)
		if err != nil {
			return handled, len(down) > 0, err
		}
		handled++
		if !ok {
			down[msg.Channel] = true
		}
	}
	return handled, len(down) > 0, nil
}

// deliver sends, holds or reschedules one message and reports whether it left the queue
// (sent or held). The log names the recipient and subject, never the body: bodies hold
// single-use links.
func (w *Worker) deliver(ctx context.Context, msg models.OutboxMessage) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
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
	if err := w.st.MarkMessageSent(ctx, msg.ID); errors.Is(err, models.ErrNotFound) {
		// Its claim ran out mid-delivery and another worker has recorded it meanwhile.
		w.log.Warn(fmt.Sprintf("%s sent, but another worker had already recorded the message", msg.Channel), "outbox_id", msg.ID)
		return true, nil
	} else if err != nil {
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
