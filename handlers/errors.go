package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"gatehouse/models"
	"gatehouse/views"
)

// domainStatus maps domain errors to HTTP statuses: the one table for the whole app.
var domainStatus = []struct {
	err    error
	status int
}{
	{models.ErrNotFound, http.StatusNotFound},
	{models.ErrForbidden, http.StatusForbidden},
	{models.ErrConflict, http.StatusConflict},
	{models.ErrGone, http.StatusGone},
	{models.ErrInvalid, http.StatusUnprocessableEntity},
}

var errorTexts = map[int]views.ErrorInfo{
	http.StatusBadRequest:            {Title: "Bad request", Message: "The request could not be understood. Go back and try again."},
	http.StatusForbidden:             {Title: "Not allowed", Message: "You don't have permission to do that. Ask an Owner or Admin of your organization if you need access."},
	http.StatusNotFound:              {Title: "Page not found", Message: "There is nothing here. It may have been moved or removed, or the address may be mistyped."},
	http.StatusMethodNotAllowed:      {Title: "Not allowed", Message: "That action is not available here."},
	http.StatusConflict:              {Title: "Conflict", Message: "Someone changed this at the same time. Reload the page and try again."},
	http.StatusGone:                  {Title: "Link no longer works", Message: "This link has expired or has already been used."},
	http.StatusRequestEntityTooLarge: {Title: "Too large", Message: "What you sent is larger than Gatehouse accepts."},
	http.StatusUnprocessableEntity:   {Title: "Check your input", Message: "Some of what you entered could not be used. Go back and correct it."},
	http.StatusTooManyRequests:       {Title: "Too many attempts", Message: "Wait a little and try again."},
	http.StatusServiceUnavailable:    {Title: "Unavailable", Message: "Gatehouse is not able to answer right now. Try again shortly."},
	http.StatusInternalServerError:   {Title: "Something went wrong", Message: "Gatehouse could not complete this request. It has been logged; try again, and tell your administrator if it keeps happening."},
}

// HTTPError is an error page with a specific message.
type HTTPError struct {
	Info views.ErrorInfo
}

func (e *HTTPError) Error() string { return e.Info.Title }

// pageError returns an error rendered as a page with this status, title and message.
func pageError(status int, title, message string) *HTTPError {
	return &HTTPError{Info: views.ErrorInfo{Status: status, Title: title, Message: message}}
}

// ErrorHandler is echo's central error handler: it turns any error into a status page.
// Internal details go to the log, never to the page.
func (h *Handler) ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	info := views.ErrorInfo{Status: http.StatusInternalServerError}
	var he *HTTPError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		info = he.Info
	case errors.As(err, &ee):
		info.Status = ee.Code
	default:
		for _, d := range domainStatus {
			if errors.Is(err, d.err) {
				info.Status = d.status
				break
			}
		}
	}
	if info.Status >= 500 {
		h.log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "status", info.Status, "err", err)
	}
	if info.Title == "" {
		std, ok := errorTexts[info.Status]
		if !ok {
			std = errorTexts[http.StatusInternalServerError]
		}
		info.Title, info.Message = std.Title, std.Message
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(info.Status)
		return
	}
	if rerr := h.render(c, info.Status, views.ErrorPage(info)); rerr != nil {
		h.log.Error("unable to render error page", "err", rerr)
	}
}

// fieldErrors reports whether a use case refused the input, and what is wrong with each field.
func fieldErrors(err error) (models.FieldErrors, bool) {
	var fe models.FieldErrors
	if errors.As(err, &fe) && fe.Any() {
		return fe, true
	}
	return nil, false
}
