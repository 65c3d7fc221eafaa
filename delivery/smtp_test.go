package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"gatehouse/models"
)

func TestNewSMTP(t *testing.T) {
	const from = "Gatehouse <no-reply@example.com>"
	for _, tc := range []struct {
		url      string
		host     string
		port     int
		mode     tlsMode
		user     string
		password string
		str      string
	}{
		{url: "smtp://mail.example.com", host: "mail.example.com", port: 587, mode: tlsStartTLS, str: "smtp://mail.example.com:587"},
		{url: "smtp://u%40x.com:p%3Ass@mail.example.com:25", host: "mail.example.com", port: 25, mode: tlsStartTLS, user: "u@x.com", password: "p:ss",
			str: "smtp://u%40x.com@mail.example.com:25"},
		{url: "smtp://127.0.0.1:1025?tls=none", host: "127.0.0.1", port: 1025, mode: tlsNone, str: "smtp://127.0.0.1:1025?tls=none"},
		{url: "smtp://mail.example.com?tls=required", host: "mail.example.com", port: 587, mode: tlsRequired, str: "smtp://mail.example.com:587?tls=required"},
		{url: "smtps://apikey:s3cret@smtp.example.com", host: "smtp.example.com", port: 465, mode: tlsImplicit, user: "apikey", password: "s3cret",
			str: "smtps://apikey@smtp.example.com:465"},
		{url: "smtp://[::1]:2525/", host: "::1", port: 2525, mode: tlsStartTLS, str: "smtp://[::1]:2525"},
	} {
		s, err := NewSMTP(tc.url, from)
		if err != nil {
			t.Errorf("NewSMTP(%s): %v", tc.url, err)
			continue
		}
		if s.host != tc.host || s.port != tc.port || s.mode != tc.mode || s.user != tc.user || s.password != tc.password {
			t.Errorf("NewSMTP(%s) = host %q port %d mode %s user %q password %q", tc.url, s.host, s.port, s.mode, s.user, s.password)
		}
		if got := s.String(); got != tc.str {
			t.Errorf("NewSMTP(%s).String() = %q, want %q", tc.url, got, tc.str)
		}
		if s.from.Address != "no-reply@example.com" || s.from.Name != "Gatehouse" {
			t.Errorf("from = %v", s.from)
		}
	}

	for _, bad := range []struct{ url, from, want string }{
		{"http://mail.example.com", from, "smtp:// or smtps://"},
		{"mail.example.com:587", from, "smtp:// or smtps://"},
		{"smtp://", from, "needs a host"},
		{"smtp://mail.example.com:0", from, "invalid port"},
		{"smtp://mail.example.com:99999", from, "invalid port"},
		{"smtp://mail.example.com/x", from, "no path"},
		{"smtp://mail.example.com?tls=yes", from, "tls must be"},
		{"smtp://mail.example.com?tsl=none", from, "unknown option"},
		{"smtps://mail.example.com?tls=none", from, "always uses TLS"},
		{"smtp://user:hunter2-secret@mail.example.com:%zz", from, "not a valid URL"},
		{"smtp://mail.example.com", "nobody", "--mail-from"},
	} {
		_, err := NewSMTP(bad.url, bad.from)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewSMTP(%s, %s) error = %v, want it to say %q", bad.url, bad.from, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewSMTP(%s) error repeats the password: %v", bad.url, err)
		}
	}
}

func testMessage(to string) models.OutboxMessage {
	return models.OutboxMessage{ID: 7, Channel: models.ChannelEmail, Recipient: to, Subject: "Hello", TextBody: "plain body",
		HTMLBody: "<p>html body</p>", CreatedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
}

func TestSMTPStartTLSWithPassword(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startServer(t, "127.0.0.1:0", withSTARTTLS(cert), withAuth("mailer", "s3cret pass"))
	s, err := NewSMTP("smtp://mailer:s3cret%20pass@"+srv.Addr, "Gatehouse <no-reply@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	s.rootCAs = pool
	if err := s.Send(context.Background(), testMessage("ann@example.com")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	if m := msgs[0]; !m.TLS || m.User != "mailer" || m.From != "no-reply@example.com" || len(m.To) != 1 || m.To[0] != "ann@example.com" {
		t.Errorf("received %+v, want over TLS, authenticated as mailer, from no-reply@, to ann@", m)
	}

	t.Run("an untrusted certificate is refused", func(t *testing.T) {
		s.rootCAs = nil
		if err := s.Send(context.Background(), testMessage("ann@example.com")); err == nil {
			t.Error("Send to a server with a self-signed certificate succeeded")
		}
		if n := len(srv.messages()); n != 1 {
			t.Errorf("server has %d messages, want still 1", n)
		}
	})

	t.Run("tls=required refuses a server without STARTTLS", func(t *testing.T) {
		plain := startServer(t, "127.0.0.1:0")
		s, _ := NewSMTP("smtp://"+plain.Addr+"?tls=required", "no-reply@example.com")
		if err := s.Send(context.Background(), testMessage("ann@example.com")); err == nil {
			t.Error("Send succeeded without TLS")
		}
		if n := len(plain.messages()); n != 0 {
			t.Errorf("server received %d messages", n)
		}
	})
}

func TestSMTPImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startServer(t, "127.0.0.1:0", withImplicitTLS(cert))
	s, err := NewSMTP("smtps://"+srv.Addr, "no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	s.rootCAs = pool
	if err := s.Send(context.Background(), testMessage("ann@example.com")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if msgs := srv.messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Errorf("received %+v, want one message over TLS", msgs)
	}
}

// A server that offers no TLS never gets the password: a network attacker can strip
// STARTTLS from the server's answer, so "STARTTLS when offered" must not mean "password in clear".
func TestSMTPNoPasswordWithoutTLS(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", withAuth("mailer", "s3cret"))
	for _, opt := range []string{"", "?tls=none"} {
		s, err := NewSMTP("smtp://mailer:s3cret@"+srv.Addr+opt, "no-reply@example.com")
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), testMessage("ann@example.com"))
		if err == nil {
			t.Errorf("%s: Send succeeded", opt)
		} else if !strings.Contains(err.Error(), "only over TLS") {
			t.Errorf("%s: error %q does not say why", opt, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error repeats the password: %v", opt, err)
		}
	}
	if n := srv.authAttempts(); n != 0 {
		t.Errorf("the client tried AUTH PLAIN %d times without TLS", n)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSMTPRejectedRecipient(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", withRcptError(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}))
	s, _ := NewSMTP("smtp://"+srv.Addr, "no-reply@example.com")
	err := s.Send(context.Background(), testMessage("nobody@example.com"))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("Send to a refused recipient: %v, want the server's 550", err)
	}
}
