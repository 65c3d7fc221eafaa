package delivery

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the session was encrypted
	User string // who authenticated, if anyone
}

// testServer is a real SMTP server on loopback that records what it receives.
type testServer struct {
	Addr string

	mu       sync.Mutex
	msgs     []received
	authSeen int // AUTH attempts, successful or not

	srv      *smtp.Server
	rcptErr  error             // returned for every RCPT when set
	users    map[string]string // AUTH PLAIN credentials; no AUTH offered when nil
	implicit bool              // TLS from the first byte (smtps)
	cert     *tls.Certificate
}

type serverOption func(*testServer)

// withRcptError makes the server refuse every recipient with err.
func withRcptError(err error) serverOption { return func(s *testServer) { s.rcptErr = err } }

// withAuth makes the server offer AUTH PLAIN and require it before MAIL.
func withAuth(user, pass string) serverOption {
	return func(s *testServer) { s.users = map[string]string{user: pass} }
}

// withSTARTTLS makes the server offer STARTTLS with cert.
func withSTARTTLS(cert tls.Certificate) serverOption { return func(s *testServer) { s.cert = &cert } }

// withImplicitTLS makes the server speak TLS from the first byte, as smtps does.
func withImplicitTLS(cert tls.Certificate) serverOption {
	return func(s *testServer) { s.cert, s.implicit = &cert, true }
}

// startServer listens on addr ("127.0.0.1:0" for any port) and serves until the test ends.
func startServer(t *testing.T, addr string, opts ...serverOption) *testServer {
	t.Helper()
	ts := &testServer{}
	for _, o := range opts {
		o(ts)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ts.Addr = ln.Addr().String()
	ts.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &testSession{ts: ts, conn: c, tls: isTLS}, nil
	}))
	ts.srv.Domain = "localhost"
	ts.srv.ReadTimeout, ts.srv.WriteTimeout = 10*time.Second, 10*time.Second
	ts.srv.AllowInsecureAuth = true // so a test can see whether the client would send a password in clear text
	ts.srv.ErrorLog = discardLogger{}
	if ts.cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*ts.cert}}
		if ts.implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			ts.srv.TLSConfig = cfg
		}
	}
	go ts.srv.Serve(ln)
	t.Cleanup(func() { ts.srv.Close() })
	return ts
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) authAttempts() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.authSeen
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

type testSession struct {
	ts   *testServer
	conn *smtp.Conn
	tls  bool
	user string
	cur  received
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.ts.mu.Lock()
		s.ts.authSeen++
		s.ts.mu.Unlock()
		if want, ok := s.ts.users[user]; !ok || want != pass {
			return errors.New("invalid username or password")
		}
		s.user = user
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = received{From: from, TLS: s.tls || isTLS, User: s.user}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.ts.rcptErr != nil {
		return s.ts.rcptErr
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{} }
func (s *testSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// freePort returns a loopback address that nothing listens on (a server that is down).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
