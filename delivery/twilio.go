package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gatehouse/models"
)

// TwilioAPI is where Twilio's REST API answers.
const TwilioAPI = "https://api.twilio.com"

var (
	twilioAccountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	twilioServiceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	e164             = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// Twilio sends text messages through Twilio's Messages API.
type Twilio struct {
	accountSID string
	authToken  string
	from       string // an E.164 number, or "" when service is set
	service    string // a Messaging Service SID (MG…), or ""
	endpoint   string // …/2010-04-01/Accounts/{SID}/Messages.json
	client     *http.Client
	timeout    time.Duration
}

// NewTwilio returns a sender for a Twilio account. from is the sending number in E.164
// (+14155550100; spaces and dashes are dropped) or a Messaging Service SID (MG…), which
// lets Twilio pick the number. baseURL is "" for TwilioAPI (tests pass their own server);
// client is nil for a default one. Errors name the setting at fault, never its value.
func NewTwilio(accountSID, authToken, from, baseURL string, client *http.Client) (*Twilio, error) {
	t := &Twilio{accountSID: strings.TrimSpace(accountSID), authToken: strings.TrimSpace(authToken),
		client: noRedirects(client), timeout: smsTimeout}
	if !twilioAccountSID.MatchString(t.accountSID) {
		return nil, errors.New("GATEHOUSE_TWILIO_ACCOUNT_SID must be a Twilio Account SID: AC followed by 32 hex digits (Twilio Console → Account info)")
	}
	if t.authToken == "" {
		return nil, errors.New("GATEHOUSE_TWILIO_AUTH_TOKEN is empty")
	}
	from = strings.TrimSpace(from)
	switch number := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(from); {
	case twilioServiceSID.MatchString(from):
		t.service = from
	case e164.MatchString(number):
		t.from = number
	default:
		return nil, errors.New("GATEHOUSE_TWILIO_FROM must be a phone number in E.164 form, like +14155550100, or a Messaging Service SID (MG followed by 32 hex digits)")
	}
	if baseURL == "" {
		baseURL = TwilioAPI
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("the Twilio API URL must be an http or https URL without credentials")
	}
	t.endpoint = u.String() + "/2010-04-01/Accounts/" + url.PathEscape(t.accountSID) + "/Messages.json"
	return t, nil
}

// String names the account and sender for the log, without the auth token.
func (t *Twilio) String() string {
	from := t.from
	if t.service != "" {
		from = "Messaging Service " + t.service
	}
	return fmt.Sprintf("Twilio account %s from %s", t.accountSID, from)
}

// twilioMessage is the part of Twilio's answer to a new message that Gatehouse reads.
type twilioMessage struct {
	SID    string `json:"sid"`
	Status string `json:"status"`
}

// twilioError is Twilio's error answer, as in
// {"code": 21211, "message": "The 'To' number … is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// Send asks Twilio to send msg; Twilio answers 201 with the new message's sid once it has
// taken the message on.
func (t *Twilio) Send(ctx context.Context, msg models.OutboxMessage) error {
	form := url.Values{"To": {msg.Recipient}, "Body": {msg.TextBody}}
	if t.service != "" {
		form.Set("MessagingServiceSid", t.service)
	} else {
		form.Set("From", t.from)
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return errors.New("sms: unable to build the request to Twilio")
	}
	req.SetBasicAuth(t.accountSID, t.authToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Gatehouse")
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: unable to reach Twilio: %w", requestError(err))
	}
	defer drainClose(resp.Body)
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("sms: unable to read Twilio's answer (%s): %w", resp.Status, requestError(err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		var m twilioMessage
		if err := json.Unmarshal(body, &m); err != nil || m.SID == "" {
			return fmt.Errorf("sms: Twilio answered %s without a message sid%s", resp.Status, snippet(strings.NewReader(string(body)), msg))
		}
		return nil
	}
	var e twilioError
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		return fmt.Errorf("sms: Twilio answered %s%s", resp.Status, snippet(strings.NewReader(string(body)), msg))
	}
	detail := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if e.Code != 0 {
		detail = fmt.Sprintf("Twilio error %d, %s", e.Code, detail)
	}
	if e.MoreInfo != "" {
		detail += ", " + oneLine(e.MoreInfo)
	}
	return fmt.Errorf("sms: Twilio refused the message: %s (%s)", strings.TrimPrefix(snippet(strings.NewReader(e.Message), msg), ": "), detail)
}
