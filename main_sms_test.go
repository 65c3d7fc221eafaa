package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gatehouse/delivery"
	"gatehouse/internal/testdb"
)

const (
	testTwilioSID   = "AC0123456789abcdef0123456789abcdef"
	testTwilioToken = "hunter2-auth-token"
)

func TestSMSSender(t *testing.T) {
	twilio := map[string]string{"GATEHOUSE_TWILIO_ACCOUNT_SID": testTwilioSID, "GATEHOUSE_TWILIO_AUTH_TOKEN": testTwilioToken,
		"GATEHOUSE_TWILIO_FROM": "+14155550100"}
	partial := map[string]string{"GATEHOUSE_TWILIO_ACCOUNT_SID": testTwilioSID, "GATEHOUSE_TWILIO_FROM": "+14155550100"}
	for _, tc := range []struct {
		name       string
		webhook    string
		env        map[string]string
		want       string // the sender's type, "" for none
		ignored    bool
		wantErr    string
		notInError string
	}{
		{name: "nothing set: held", want: ""},
		{name: "webhook", webhook: "https://sms.example.com/send", want: "*delivery.Webhook"},
		{name: "Twilio", env: twilio, want: "*delivery.Twilio"},
		{name: "both: the webhook wins", webhook: "https://sms.example.com/send", env: twilio, want: "*delivery.Webhook", ignored: true},
		{name: "partial Twilio", env: partial, wantErr: "missing: GATEHOUSE_TWILIO_AUTH_TOKEN"},
		{name: "partial Twilio beside a webhook", webhook: "https://sms.example.com/send", env: partial, wantErr: "missing: GATEHOUSE_TWILIO_AUTH_TOKEN"},
		{name: "bad webhook", webhook: "ftp://user:hunter2-auth-token@sms.example.com", wantErr: "--sms-webhook-url", notInError: "hunter2"},
		{name: "bad Twilio number", env: map[string]string{"GATEHOUSE_TWILIO_ACCOUNT_SID": testTwilioSID, "GATEHOUSE_TWILIO_AUTH_TOKEN": testTwilioToken,
			"GATEHOUSE_TWILIO_FROM": "4155550100"}, wantErr: "GATEHOUSE_TWILIO_FROM", notInError: "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ignored, err := smsSender(tc.webhook, func(name string) string { return tc.env[name] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				if tc.notInError != "" && strings.Contains(err.Error(), tc.notInError) {
					t.Errorf("error repeats a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			switch s.(type) {
			case *delivery.Webhook:
				got = "*delivery.Webhook"
			case *delivery.Twilio:
				got = "*delivery.Twilio"
			}
			if got != tc.want || ignored != tc.ignored || (tc.want == "" && s != nil) {
				t.Errorf("sender %T (twilio ignored %v), want %s (%v)", s, ignored, tc.want, tc.ignored)
			}
		})
	}
}

// serveLogs starts serve with args and returns its log once it logs until, then stops it.
func serveLogs(t *testing.T, until string, args ...string) (string, error) {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--db", testdb.Path(t, "sms.db"), "--addr", "127.0.0.1:0"}, args...),
			strings.NewReader(""), io.Discard, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(logs.String(), until) {
		select {
		case err := <-done:
			return logs.String(), err
		case <-deadline:
			t.Fatalf("serve did not log %q:\n%s", until, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	return logs.String(), <-done
}

func TestServeSMSProvider(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		logs, err := serveLogs(t, "text messages are held")
		if err != nil || !strings.Contains(logs, "no --sms-webhook-url or Twilio settings: text messages are held in the Outbox page") {
			t.Errorf("serve: %v\n%s", err, logs)
		}
	})
	t.Run("webhook", func(t *testing.T) {
		logs, err := serveLogs(t, "through the webhook", "--sms-webhook-url", "https://gate:hunter2-pass@sms.example.com/hook?key=hunter2-key")
		if err != nil || !strings.Contains(logs, "sms_webhook_url=https://sms.example.com/…") {
			t.Errorf("serve: %v\n%s", err, logs)
		}
		if strings.Contains(logs, "hunter2") {
			t.Errorf("the log holds a secret of the webhook URL:\n%s", logs)
		}
	})
	t.Run("Twilio", func(t *testing.T) {
		t.Setenv("GATEHOUSE_TWILIO_ACCOUNT_SID", testTwilioSID)
		t.Setenv("GATEHOUSE_TWILIO_AUTH_TOKEN", testTwilioToken)
		t.Setenv("GATEHOUSE_TWILIO_FROM", "+14155550100")
		logs, err := serveLogs(t, "through Twilio")
		if err != nil || !strings.Contains(logs, testTwilioSID) || !strings.Contains(logs, "+14155550100") {
			t.Errorf("serve: %v\n%s", err, logs)
		}
		if strings.Contains(logs, testTwilioToken) {
			t.Errorf("the log holds the auth token:\n%s", logs)
		}
	})
	t.Run("partial Twilio refuses to start", func(t *testing.T) {
		t.Setenv("GATEHOUSE_TWILIO_ACCOUNT_SID", testTwilioSID)
		_, err := serveLogs(t, "gatehouse listening")
		if err == nil || !strings.Contains(err.Error(), "missing: GATEHOUSE_TWILIO_AUTH_TOKEN, GATEHOUSE_TWILIO_FROM") {
			t.Errorf("serve with only the account SID: %v", err)
		}
	})
}
