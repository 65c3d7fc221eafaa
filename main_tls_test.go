package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its key into dir.
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// serve with --tls-cert and --tls-key answers HTTPS, with a Secure __Host- cookie.
func TestServeHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := writeTestCert(t, dir)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(dir, "tls.db"), "--addr", "127.0.0.1:0",
			"--base-url", "https://gatehouse.example.com", "--tls-cert", certFile, "--tls-key", keyFile},
			strings.NewReader(""), io.Discard, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	addrRe := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+) scheme=https`)
	deadline := time.Now().Add(10 * time.Second)
	for !addrRe.MatchString(logs.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no https listening line logged; logs:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	addr := addrRe.FindStringSubmatch(logs.String())[1]

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET https /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET https /healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	resp, err = client.Get("https://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var secure bool
	for _, c := range resp.Cookies() {
		secure = secure || (c.Name == "__Host-gatehouse" && c.Secure)
	}
	if !secure {
		t.Errorf("login page over https set no Secure __Host- cookie: %v", resp.Header["Set-Cookie"])
	}
	// Plain HTTP on the HTTPS port gets no page.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the HTTPS port")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestServeFlagsTLSAndProxies(t *testing.T) {
	dir := t.TempDir()
	certFile, _, _ := writeTestCert(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", certFile, "--tls-key", filepath.Join(dir, "missing.pem")}, "--tls-cert/--tls-key"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,not-an-address"}, `"not-an-address" is not an address or CIDR`},
	} {
		args := append([]string{"serve", "--db", filepath.Join(dir, "flags.db"), "--addr", "127.0.0.1:0"}, tc.args...)
		err := run(context.Background(), args, strings.NewReader(""), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	nets, err := parseTrustedProxies("10.0.0.0/8, 192.0.2.1 2001:db8::/32")
	if err != nil || len(nets) != 3 || nets[1].String() != "192.0.2.1/32" {
		t.Errorf("parseTrustedProxies = %v, %v", nets, err)
	}
}
