package delivery

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"gatehouse/models"
)

// tlsMode is how an SMTP connection is encrypted.
type tlsMode string

const (
	tlsStartTLS tlsMode = "starttls" // STARTTLS when the server offers it (smtp:// default)
	tlsRequired tlsMode = "required" // STARTTLS or fail (smtp://…?tls=required)
	tlsNone     tlsMode = "none"     // plain text, for local test servers (smtp://…?tls=none)
	tlsImplicit tlsMode = "implicit" // TLS from the first byte (smtps://)
)

// smtpTimeout bounds connecting and each SMTP command.
const smtpTimeout = 30 * time.Second

// SMTP sends email through an SMTP server.
type SMTP struct {
	host     string
	port     int
	user     string
	password string
	mode     tlsMode
	from     *netmail.Address
	rootCAs  *x509.CertPool // nil: the system's; tests set their own
}

// NewSMTP returns a sender for an --smtp-url and a --mail-from address.
//
// smtp://user:pass@host:587 uses STARTTLS when the server offers it (port 587 by default);
// add ?tls=required to refuse a server that does not offer it, or ?tls=none to never use
// TLS (for a local test server). smtps://user:pass@host:465 uses TLS from the start (port
// 465 by default). Credentials are optional; the password is never sent in clear text:
// without TLS only challenge-response mechanisms (CRAM-MD5, SCRAM) are tried.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's error repeats the URL, password and all.
		return nil, errors.New("--smtp-url is not a valid URL")
	}
	s := &SMTP{host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.port, s.mode = 587, tlsStartTLS
	case "smtps":
		s.port, s.mode = 465, tlsImplicit
	default:
		return nil, fmt.Errorf("--smtp-url must start with smtp:// or smtps://, got %q", u.Scheme+"://")
	}
	if s.host == "" {
		return nil, errors.New("--smtp-url needs a host, as in smtp://mail.example.com:587")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("--smtp-url has an invalid port %q", p)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("--smtp-url takes no path")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("--smtp-url: unknown option %q (the only option is tls=required or tls=none)", k)
		}
	}
	switch t := q.Get("tls"); {
	case t == "":
	case s.mode == tlsImplicit:
		return nil, errors.New("--smtp-url: smtps:// always uses TLS; tls= is for smtp:// only")
	case t == string(tlsRequired) || t == string(tlsNone):
		s.mode = tlsMode(t)
	default:
		return nil, fmt.Errorf("--smtp-url: tls must be required or none, got %q", t)
	}
	if s.from, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("--mail-from %q is not an email address: %v", from, err)
	}
	return s, nil
}

// String describes the server for the log, without the password.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.host, strconv.Itoa(s.port))}
	if s.mode == tlsImplicit {
		u.Scheme = "smtps"
	} else if s.mode != tlsStartTLS {
		u.RawQuery = "tls=" + string(s.mode)
	}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return u.String()
}

// Send delivers msg over one SMTP connection.
func (s *SMTP) Send(ctx context.Context, msg models.OutboxMessage) error {
	m, err := s.message(msg)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.options()...)
	if err != nil {
		return fmt.Errorf("mail: unable to set up the SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		if errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) && s.mode != tlsImplicit {
			return fmt.Errorf("mail: %s offers no login mechanism Gatehouse will use on this connection (it sends a password only over TLS): %w", s, err)
		}
		return fmt.Errorf("mail: unable to send through %s: %w", net.JoinHostPort(s.host, strconv.Itoa(s.port)), err)
	}
	return nil
}

func (s *SMTP) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(smtpTimeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.host, RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12})}
	switch s.mode {
	case tlsImplicit:
		opts = append(opts, gomail.WithSSL())
	case tlsRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		// Auto-discovery offers PLAIN and LOGIN only over TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	return opts
}

// message builds the MIME message: multipart/alternative with the plain-text and HTML bodies.
func (s *SMTP) message(msg models.OutboxMessage) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(s.from)
	if err := m.To(msg.Recipient); err != nil {
		return nil, fmt.Errorf("mail: recipient %q is not an email address: %w", msg.Recipient, err)
	}
	m.Subject(msg.Subject)
	// The Message-ID and Date stay the same across retries, so a message that reached the
	// server despite an error is recognised as a duplicate by mail clients.
	m.SetMessageIDWithValue(messageID(msg, s.from.Address))
	m.SetDateWithValue(msg.CreatedAt)
	m.SetBodyString(gomail.TypeTextPlain, msg.TextBody)
	if msg.HTMLBody != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTMLBody)
	}
	return m, nil
}

// messageID is unique to one outbox message of one installation: the id alone repeats
// across installations, so a digest of the message's content goes with it.
func messageID(msg models.OutboxMessage, from string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(msg.ID, 10) + "\x00" + msg.CreatedAt.UTC().Format(time.RFC3339Nano) + "\x00" +
		msg.Recipient + "\x00" + msg.TextBody))
	return fmt.Sprintf("gatehouse.%d.%s@%s", msg.ID, hex.EncodeToString(sum[:12]), domain)
}
