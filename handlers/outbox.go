package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// outboxPageSize is how many messages one Outbox page lists.
const outboxPageSize = 50

// Outbox lists the organization's outbox messages, newest first, optionally of one status.
func (h *Handler) Outbox(c echo.Context) error {
	var status models.OutboxStatus
	for _, s := range views.OutboxStatuses {
		if c.QueryParam("status") == string(s) {
			status = s
		}
	}
	before, err := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if err != nil || before < 0 {
		before = 0
	}
	msgs, err := h.app.ListOutbox(c.Request().Context(), current(c), models.OutboxFilter{Status: status, Before: before, Limit: outboxPageSize + 1})
	if err != nil {
		return err
	}
	v := views.OutboxView{Status: status, MailConfigured: h.app.Config().MailConfigured, SMSConfigured: h.app.Config().SMSConfigured, Now: h.clock.Now()}
	if len(msgs) > outboxPageSize {
		msgs = msgs[:outboxPageSize]
		v.OlderHref = views.OutboxHref(status, msgs[len(msgs)-1].ID)
	}
	if before > 0 {
		v.NewestHref = views.OutboxHref(status, 0)
	}
	v.Messages = msgs
	return h.render(c, http.StatusOK, views.OutboxPage(v))
}

// OutboxMessage shows one message with its plain-text body.
func (h *Handler) OutboxMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	msg, err := h.app.FindOutboxMessage(c.Request().Context(), current(c), id)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.OutboxMessagePage(views.OutboxMessageView{Message: *msg, MailConfigured: h.app.Config().MailConfigured, SMSConfigured: h.app.Config().SMSConfigured, Now: h.clock.Now()}))
}

// RetryOutboxMessage makes an undelivered message due at once and wakes the sender.
func (h *Handler) RetryOutboxMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	msg, err := h.app.RetryMessage(c.Request().Context(), current(c), id)
	if errors.Is(err, models.ErrConflict) {
		return pageError(http.StatusConflict, "Already sent", "This message has already been delivered; there is nothing to retry.")
	}
	if err != nil {
		return err
	}
	h.flash(c, "The message to "+msg.Recipient+" will be sent again now.")
	if c.FormValue("from") == "message" {
		return redirect(c, "/outbox/"+strconv.FormatInt(id, 10))
	}
	return redirect(c, "/outbox")
}
