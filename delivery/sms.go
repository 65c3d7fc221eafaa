package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gatehouse/models"
)

// smsTimeout bounds one request to an SMS provider, connecting included.
const smsTimeout = 10 * time.Second

// Webhook sends text messages by POSTing them as JSON {"to", "body"} to a URL the operator
// runs (their own gateway, or a bridge to a provider Gatehouse does not speak).
type Webhook struct {
	url     *url.URL
	client  *http.Client
	timeout time.Duration
}

// NewWebhook returns a sender for an --sms-webhook-url. The URL must be http or https; a
// user and password in it (https://user:pass@sms.example.com/send) are sent as HTTP Basic
// auth. client is nil for a default one; redirects are never followed, whichever it is.
func NewWebhook(rawURL string, client *http.Client) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's error repeats the URL, password and all.
		return nil, errors.New("--sms-webhook-url is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--sms-webhook-url must start with http:// or https://, got %q", u.Scheme+"://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("--sms-webhook-url needs a host, as in https://sms.example.com/send")
	}
	u.Fragment, u.RawFragment = "", ""
	return &Webhook{url: u, client: noRedirects(client), timeout: smsTimeout}, nil
}

// noRedirects returns a copy of client (or a new one) that answers a redirect with the
// redirect itself: following it would resend the message, credentials and all, to
// wherever the answer points.
func noRedirects(client *http.Client) *http.Client {
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// String names the webhook for the log: scheme and host only, since a user, password,
// path or query may hold a secret.
func (w *Webhook) String() string {
	return redactedURL(w.url)
}

// redactedURL is scheme://host, with "/…" when the URL has a path or query.
func redactedURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

// webhookPayload is the JSON body the webhook receives.
type webhookPayload struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// Send POSTs msg to the webhook; any 2xx answer means delivered.
func (w *Webhook) Send(ctx context.Context, msg models.OutboxMessage) error {
	body, err := json.Marshal(webhookPayload{To: msg.Recipient, Body: msg.TextBody})
	if err != nil {
		return fmt.Errorf("sms: unable to encode the message: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: unable to build the request to %s", w)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/plain;q=0.9, */*;q=0.1")
	req.Header.Set("User-Agent", "Gatehouse")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: unable to reach the webhook %s: %w", w, requestError(err))
	}
	defer drainClose(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms: the webhook %s answered %s%s", w, resp.Status, snippet(resp.Body, msg))
	}
	return nil
}

// requestError is the cause of a failed request without the *url.Error around it, whose
// text repeats the whole URL (password, path and query).
func requestError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// maxSnippet is how much of an error answer goes into the error: enough to say why.
const maxSnippet = 200

// snippet is ": " and the start of an error answer on one line, or "" when it is empty.
// Words of the message that look like codes or links are blanked out, in case the server
// echoes the message back: errors are logged, and codes never are.
func snippet(r io.Reader, msg models.OutboxMessage) string {
	b, _ := io.ReadAll(io.LimitReader(r, 4*maxSnippet))
	s := redactMessage(oneLine(strings.ToValidUTF8(string(b), "?")), msg)
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) > maxSnippet {
		s = string([]rune(s)[:maxSnippet]) + "…"
	}
	return ": " + strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// redactMessage blanks out, in s, every word of msg's body that holds a digit or is long
// enough to be a token or link.
func redactMessage(s string, msg models.OutboxMessage) string {
	for _, word := range strings.Fields(msg.TextBody) {
		word = strings.TrimRight(word, ".,;:!?)")
		if len(word) >= 20 || (len(word) >= 4 && strings.ContainsAny(word, "0123456789")) {
			s = strings.ReplaceAll(s, word, "[redacted]")
		}
	}
	return s
}

// drainClose reads a little of what is left so the connection can be reused, then closes.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
