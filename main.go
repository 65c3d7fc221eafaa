// Gatehouse is a self-hosted admin console where a team manages who may use it.
// This file holds configuration, wiring and subcommands; the rules live in models/.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"gatehouse/app"
	"gatehouse/delivery"
	"gatehouse/handlers"
	"gatehouse/models"
	"gatehouse/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, log); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gatehouse:", err)
		}
		os.Exit(2)
	}
}

const usage = `Usage: gatehouse [command] [flags]

Commands:
  serve            run the server (the default)
  create-owner     add an Owner from the command line (--email E [--password-stdin] [--org NAME])
  rotate-oidc-key  retire the OpenID Connect signing key and start signing with a new one
  backup FILE      write a consistent copy of the database to FILE
  migrate-db       copy a SQLite installation into an empty database (--from FILE --to URL)
  seed             add development data (--members N, default 100000)
  version          print the version

Run "gatehouse COMMAND -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, log)
	case "create-owner":
		return createOwner(ctx, args, stdin, stdout)
	case "rotate-oidc-key":
		return rotateOIDCKey(ctx, args, stdout)
	case "backup":
		return backup(ctx, args, stdout)
	case "migrate-db":
		return migrateDB(ctx, args, stdout)
	case "seed":
		return seed(ctx, args, stdout)
	case "version":
		fmt.Fprintln(stdout, "gatehouse", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// env returns the environment variable's value, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// newFlags returns a flag set with --db, which every subcommand takes.
func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	db := fs.String("db", env("GATEHOUSE_DB", "gatehouse.db"), "SQLite database file, or a PostgreSQL URL postgres://user:pass@host:5432/db?sslmode=require (env GATEHOUSE_DB)")
	return fs, db
}

type serveConfig struct {
	addr, db, baseURL, smtpURL, mailFrom, smsWebhookURL, secret string
	tlsCert, tlsKey                                             string
	cookieDomain                                                string
	trustedProxies                                              []*net.IPNet
	idle, lifetime                                              time.Duration
	inviteQuota                                                 int
	several                                                     bool
	outboxLease                                                 time.Duration
	dbMaxConns                                                  int
}

func parseServe(args []string) (*serveConfig, error) {
	fs, db := newFlags("serve")
	c := &serveConfig{}
	fs.StringVar(&c.addr, "addr", env("GATEHOUSE_ADDR", "localhost:8080"), "address to listen on (env GATEHOUSE_ADDR)")
	fs.StringVar(&c.baseURL, "base-url", env("GATEHOUSE_BASE_URL", "http://localhost:8080"), "public URL used in emailed links; https turns on Secure cookies (env GATEHOUSE_BASE_URL)")
	fs.StringVar(&c.smtpURL, "smtp-url", env("GATEHOUSE_SMTP_URL", ""), "SMTP server for email, smtp://user:pass@host:port (env GATEHOUSE_SMTP_URL)")
	fs.StringVar(&c.mailFrom, "mail-from", env("GATEHOUSE_MAIL_FROM", "Gatehouse <no-reply@localhost>"), "sender of emails (env GATEHOUSE_MAIL_FROM)")
	fs.StringVar(&c.smsWebhookURL, "sms-webhook-url", env("GATEHOUSE_SMS_WEBHOOK_URL", ""), "URL that receives SMS as JSON {to, body} (env GATEHOUSE_SMS_WEBHOOK_URL)")
	fs.StringVar(&c.secret, "secret", env("GATEHOUSE_SECRET", ""), "secret for signing cookies; generated and kept in the database when empty (env GATEHOUSE_SECRET)")
	fs.DurationVar(&c.idle, "session-idle", envDuration("GATEHOUSE_SESSION_IDLE", time.Hour), "log out after this long without activity (env GATEHOUSE_SESSION_IDLE)")
	fs.DurationVar(&c.lifetime, "session-lifetime", envDuration("GATEHOUSE_SESSION_LIFETIME", 12*time.Hour), "log out this long after login, active or not (env GATEHOUSE_SESSION_LIFETIME)")
	fs.IntVar(&c.inviteQuota, "invite-quota", envInt("GATEHOUSE_INVITE_QUOTA", app.DefaultInviteQuota), "invitation emails one IP address may send in 24 hours; each member's own daily quota is on Settings (env GATEHOUSE_INVITE_QUOTA)")
	fs.IntVar(&c.dbMaxConns, "db-max-conns", envInt("GATEHOUSE_DB_MAX_CONNS", store.DefaultMaxConns), "PostgreSQL connections this instance may open; keep instances × this under the server's max_connections; ignored for SQLite (env GATEHOUSE_DB_MAX_CONNS)")
	proxies := fs.String("trusted-proxies", env("GATEHOUSE_TRUSTED_PROXIES", ""), "reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For names the client; none when empty (env GATEHOUSE_TRUSTED_PROXIES)")
	fs.StringVar(&c.tlsCert, "tls-cert", env("GATEHOUSE_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS with; plain HTTP when empty (env GATEHOUSE_TLS_CERT)")
	fs.StringVar(&c.cookieDomain, "cookie-domain", env("GATEHOUSE_COOKIE_DOMAIN", ""), "parent domain for the session cookie (example.com), so the forward-auth endpoints see it on the apps' subdomains; none when empty (env GATEHOUSE_COOKIE_DOMAIN)")
	fs.StringVar(&c.tlsKey, "tls-key", env("GATEHOUSE_TLS_KEY", ""), "PEM private key of --tls-cert (env GATEHOUSE_TLS_KEY)")
	fs.BoolVar(&c.several, "several-instances", env("GATEHOUSE_SEVERAL_INSTANCES", "") == "1" || env("GATEHOUSE_SEVERAL_INSTANCES", "") == "true",
		"other gatehouse processes share this SQLite database: keep rate limits and login backoff in it and watch it for their changes (always on with PostgreSQL) (env GATEHOUSE_SEVERAL_INSTANCES)")
	fs.DurationVar(&c.outboxLease, "outbox-lease", envDuration("GATEHOUSE_OUTBOX_LEASE", 3*time.Minute),
		"how long an instance holds the outbox messages it is sending: another instance sends them after this if it crashed (env GATEHOUSE_OUTBOX_LEASE)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.db = *db
	if c.outboxLease < 3*time.Second {
		return nil, errors.New("--outbox-lease must be at least 3s")
	}
	if c.dbMaxConns < 1 {
		return nil, errors.New("--db-max-conns must be at least 1")
	}
	if c.inviteQuota < 1 {
		return nil, errors.New("--invite-quota must be at least 1")
	}
	if c.idle <= 0 || c.lifetime <= 0 {
		return nil, errors.New("--session-idle and --session-lifetime must be positive")
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	var err error
	if c.trustedProxies, err = parseTrustedProxies(*proxies); err != nil {
		return nil, err
	}
	return c, nil
}

// parseTrustedProxies reads --trusted-proxies: CIDRs or single addresses, separated by commas
// or spaces.
func parseTrustedProxies(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", f)
			}
			bits := 128
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--base-url must be an http or https URL, got %q", s)
	}
	return u, nil
}

func serve(ctx context.Context, args []string, log *slog.Logger) error {
	cfg, err := parseServe(args)
	if err != nil {
		return err
	}
	// A page allocates a few hundred kilobytes and keeps almost none of it: collecting garbage
	// half as often as Go's default costs some megabytes of heap and saves a tenth of a Users
	// page's CPU (bench/results.md). GOGC in the environment still decides.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(200)
	}
	base, err := parseBaseURL(cfg.baseURL)
	if err != nil {
		return err
	}
	// Without --smtp-url email has no sender: the worker holds it for the Outbox page.
	senders := map[models.Channel]delivery.Sender{}
	if cfg.smtpURL != "" {
		smtp, err := delivery.NewSMTP(cfg.smtpURL, cfg.mailFrom)
		if err != nil {
			return err
		}
		senders[models.ChannelEmail] = smtp
	}
	sms, twilioIgnored, err := smsSender(cfg.smsWebhookURL, os.Getenv)
	if err != nil {
		return err
	}
	if sms != nil {
		senders[models.ChannelSMS] = sms
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, store.Options{Path: cfg.db, Logger: log, Shared: cfg.several, MaxConns: cfg.dbMaxConns})
	if err != nil {
		return err
	}
	defer st.Close()
	// With other instances on the database, the login backoff and the quotas must be counted
	// where all of them see it; alone, memory is free and as good.
	var limiter app.RateLimiter
	if st.Shared() {
		limiter = app.NewDBLimiter(st, time.Now, log)
		log.Info("several instances: rate limits and login backoff are kept in the database; changes made by other instances are polled every second")
	}
	secret := []byte(cfg.secret)
	if len(secret) == 0 {
		if secret, err = st.Secret(ctx); err != nil {
			return err
		}
	}
	policy := models.SessionPolicy{Idle: cfg.idle, Lifetime: cfg.lifetime}
	outbox := delivery.NewWorker(st, senders, time.Now, log)
	outbox.SetLease(cfg.outboxLease)
	svc := app.New(st, app.Config{BaseURL: base, Sessions: policy, Outbox: outbox, InviteQuota: cfg.inviteQuota,
		MailConfigured: senders[models.ChannelEmail] != nil, SMSConfigured: senders[models.ChannelSMS] != nil, Limiter: limiter}, nil, log)
	// Work done off the request path (reset emails, the batch an import is on) lands before
	// the store closes; imports carry on at the next start.
	defer svc.Wait()
	defer svc.Stop()
	if err := svc.ResumeImports(ctx); err != nil {
		return err
	}
	cookieDomain := strings.TrimPrefix(strings.ToLower(cfg.cookieDomain), ".")
	if host := strings.ToLower(base.Hostname()); cookieDomain != "" && host != cookieDomain && !strings.HasSuffix(host, "."+cookieDomain) {
		return fmt.Errorf("--cookie-domain %s: the --base-url host %s is not in it, so the browser would refuse the cookie", cookieDomain, host)
	}
	h := handlers.New(svc, handlers.Config{BaseURL: base, Sessions: policy, Secret: secret, Version: version,
		TrustedProxies: cfg.trustedProxies, CookieDomain: cookieDomain}, nil, log)
	var tlsConfig *tls.Config
	if cfg.tlsCert != "" {
		// Loaded now, so a wrong path or a key that does not match stops the start with a message.
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h.Echo(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsConfig}
	errc := make(chan error, 1)
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	log.Info("gatehouse listening", "addr", ln.Addr().String(), "scheme", scheme, "base_url", base.String(), "db", store.DisplayPath(cfg.db), "version", version)
	if len(cfg.trustedProxies) > 0 {
		log.Info("client addresses are taken from X-Forwarded-For on requests from the trusted proxies", "trusted_proxies", len(cfg.trustedProxies))
	} else if base.Scheme == "https" && tlsConfig == nil {
		log.Warn("--base-url is https but Gatehouse serves plain HTTP without --trusted-proxies: behind a TLS proxy every client shares the proxy's address, and the login backoff with it")
	}

	token, err := st.CreateSetupToken(ctx)
	if err != nil {
		return err
	}
	if token != "" {
		link := svc.SetupLink(token)
		log.Info("no users yet: open the setup link to create the first Owner", "url", link)
		fmt.Fprintf(os.Stderr, "\n  Set up Gatehouse: %s\n\n", link)
	}
	go pruneSessions(ctx, st, policy, log)

	if smtp, ok := senders[models.ChannelEmail].(*delivery.SMTP); ok {
		log.Info("sending email through the SMTP server", "smtp_url", smtp.String(), "from", cfg.mailFrom)
	} else {
		log.Info("no --smtp-url: emails are held in the Outbox page")
	}
	switch sms := senders[models.ChannelSMS].(type) {
	case *delivery.Webhook:
		log.Info("sending text messages through the webhook", "sms_webhook_url", sms.String())
		if twilioIgnored {
			log.Warn("both --sms-webhook-url and GATEHOUSE_TWILIO_* are set: text messages go to the webhook, not Twilio")
		}
	case *delivery.Twilio:
		log.Info("sending text messages through Twilio", "twilio", sms.String())
	default:
		log.Info("no --sms-webhook-url or Twilio settings: text messages are held in the Outbox page")
	}
	// The worker stops before the store closes (defers run in reverse), however serve returns.
	outboxCtx, stopOutbox := context.WithCancel(ctx)
	outboxDone := make(chan struct{})
	go func() { outbox.Run(outboxCtx); close(outboxDone) }()
	defer func() { stopOutbox(); <-outboxDone }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// smsSender is the sender of text messages: the webhook when --sms-webhook-url is set, else
// Twilio when GATEHOUSE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM are all set, else nil
// (text messages are held). twilioIgnored is whether Twilio was set up beside the webhook.
func smsSender(webhookURL string, getenv func(string) string) (s delivery.Sender, twilioIgnored bool, err error) {
	names := []string{"GATEHOUSE_TWILIO_ACCOUNT_SID", "GATEHOUSE_TWILIO_AUTH_TOKEN", "GATEHOUSE_TWILIO_FROM"}
	var set, unset []string
	for _, name := range names {
		if strings.TrimSpace(getenv(name)) != "" {
			set = append(set, name)
		} else {
			unset = append(unset, name)
		}
	}
	if len(set) > 0 && len(unset) > 0 {
		return nil, false, fmt.Errorf("Twilio needs all of %s; missing: %s", strings.Join(names, ", "), strings.Join(unset, ", "))
	}
	twilio := len(unset) == 0
	if webhookURL != "" {
		w, err := delivery.NewWebhook(webhookURL, nil)
		if err != nil {
			return nil, false, err
		}
		return w, twilio, nil
	}
	if twilio {
		t, err := delivery.NewTwilio(getenv(names[0]), getenv(names[1]), getenv(names[2]), "", nil)
		if err != nil {
			return nil, false, err
		}
		return t, false, nil
	}
	return nil, false, nil
}

// pruneSessions deletes expired sessions every hour until ctx ends.
func pruneSessions(ctx context.Context, st *store.Store, p models.SessionPolicy, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.PruneSessions(ctx, p); err != nil && ctx.Err() == nil {
			log.Error("unable to prune sessions", "err", err)
		} else if n > 0 {
			log.Info("pruned expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func createOwner(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs, db := newFlags("create-owner")
	email := fs.String("email", "", "email of the Owner (required)")
	first := fs.String("first-name", "", "first name")
	last := fs.String("last-name", "", "last name")
	org := fs.String("org", "", "organization to add the Owner to, created when none has that name (default: the first)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addr := models.NormalizeEmail(*email)
	if msg := models.ValidateEmail(addr); msg != "" {
		return fmt.Errorf("--email: %s", msg)
	}
	st, err := store.Open(ctx, store.Options{Path: *db})
	if err != nil {
		return err
	}
	defer st.Close()
	svc := app.New(st, app.Config{}, nil, nil)
	req := app.CreateOwnerRequest{Email: addr, FirstName: strings.TrimSpace(*first), LastName: strings.TrimSpace(*last), OrgName: strings.TrimSpace(*org)}
	need, err := svc.NeedsPassword(ctx, addr)
	if err != nil {
		return err
	}
	if need {
		if req.Password, err = readPassword(stdin, *fromStdin, stdout); err != nil {
			return err
		}
	}
	res, err := svc.CreateOwner(ctx, req)
	var refused models.FieldErrors
	if errors.As(err, &refused) {
		if msg, ok := refused["org"]; ok {
			return fmt.Errorf("--org: %s", msg)
		}
		return fmt.Errorf("password: %s", refused["password"])
	}
	if err != nil {
		return err
	}
	if res.CreatedOrg {
		fmt.Fprintf(stdout, "Created organization %q.\n", res.Org.Name)
	}
	switch {
	case res.CreatedUser:
		fmt.Fprintf(stdout, "Created Owner %s in %q.\n", res.User.Email, res.Org.Name)
	default:
		fmt.Fprintf(stdout, "%s already had an account; it is now an active Owner of %q (password unchanged).\n", res.User.Email, res.Org.Name)
	}
	return nil
}

// rotateOIDCKey retires the OpenID Connect signing key and stores a new one; a running server
// signs with it within app.OIDCKeyReload.
func rotateOIDCKey(ctx context.Context, args []string, stdout io.Writer) error {
	fs, db := newFlags("rotate-oidc-key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("rotate-oidc-key takes no arguments, got %q", fs.Args())
	}
	st, err := store.Open(ctx, store.Options{Path: *db})
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := app.New(st, app.Config{}, nil, nil).RotateSigningKeyCLI(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "New signing key %s.\n", res.KeyID)
	if len(res.Retired) > 0 {
		fmt.Fprintf(stdout, "Retired %s: still published for %s so tokens it signed verify.\n", strings.Join(res.Retired, ", "), app.OIDCRetiredKeyPublished)
	}
	fmt.Fprintf(stdout, "A running server signs with the new key within %s.\n", app.OIDCKeyReload)
	return nil
}

// readPassword reads the password from the first line of stdin, or asks twice on the terminal.
func readPassword(stdin io.Reader, fromStdin bool, stdout io.Writer) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("--password-stdin: no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no terminal to ask for a password: use --password-stdin")
	}
	fmt.Fprint(stdout, "Password: ")
	a, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdout)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stdout, "Confirm password: ")
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdout)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("the passwords don't match")
	}
	return string(a), nil
}

func backup(ctx context.Context, args []string, stdout io.Writer) error {
	fs, db := newFlags("backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: gatehouse backup [--db FILE] DEST")
	}
	if store.IsPostgres(*db) {
		return errors.New("gatehouse backup copies SQLite databases; back up PostgreSQL with pg_dump, e.g. pg_dump -Fc -f gatehouse.dump \"$GATEHOUSE_DB\" (restore with pg_restore -d URL gatehouse.dump)")
	}
	dest := fs.Arg(0)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name", dest)
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("no database at %s", *db)
	}
	st, err := store.Open(ctx, store.Options{Path: *db})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", *db, dest)
	return nil
}

func seed(ctx context.Context, args []string, stdout io.Writer) error {
	fs, db := newFlags("seed")
	members := fs.Int("members", 100_000, "members to add to the first organization")
	invitations := fs.Int("invitations", 0, "invitation links for the invited members, at least one each (default: one per five members)")
	randSeed := fs.Uint64("seed", 1, "random seed; the same seed gives the same data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *members < 0 || *members > 10_000_000 {
		return errors.New("--members must be between 0 and 10000000")
	}
	if *invitations < 0 || *invitations > 10_000_000 {
		return errors.New("--invitations must be between 0 and 10000000")
	}
	st, err := store.Open(ctx, store.Options{Path: *db})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	// Every seeded account shares one hash: hashing 100,000 passwords would take an hour.
	res, err := st.Seed(ctx, store.SeedOptions{Members: *members, Invitations: *invitations, Seed: *randSeed,
		PasswordHash: models.HashPassword("gatehouse-seed-password")})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %d members, %d invitations and %d audit events to %q in %s. Seeded accounts log in with the password gatehouse-seed-password.\n",
		res.Members, res.Invitations, res.AuditEvents, res.Org.Name, time.Since(start).Round(time.Millisecond))
	return nil
}

// migrateDB copies a SQLite installation into an empty database (PostgreSQL, or another SQLite
// file), verifies every table's row count and says what to change in the configuration.
func migrateDB(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	from := fs.String("from", env("GATEHOUSE_DB", "gatehouse.db"), "the SQLite database file to copy (env GATEHOUSE_DB)")
	to := fs.String("to", "", "the empty database to copy into: postgres://user:pass@host:5432/db?sslmode=… or a new SQLite file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() != 0 {
		return errors.New("usage: gatehouse migrate-db --from gatehouse.db --to postgres://user:pass@host:5432/db")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("no database at %s", *from)
	}
	if abs, err := filepath.Abs(*from); err == nil {
		if absTo, err := filepath.Abs(*to); err == nil && abs == absTo {
			return errors.New("--from and --to name the same database")
		}
	}
	src, err := store.Open(ctx, store.Options{Path: *from, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("--from %s: %w", *from, err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, store.Options{Path: *to})
	if err != nil {
		return fmt.Errorf("--to %s: %w", redactURL(*to), err)
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "Copying %s into %s\n", *from, redactURL(*to))
	tables, err := src.CopyTo(ctx, dst, func(c store.TableCopy) {
		fmt.Fprintf(stdout, "  %-22s %9d rows\n", c.Table, c.Source)
	})
	if err != nil {
		return err
	}
	var rows int64
	for _, c := range tables {
		rows += c.Source
	}
	fmt.Fprintf(stdout, `Verified: %d tables, %d rows, every count equal in both databases.

What to change:
  - Start Gatehouse with --db %s (or GATEHOUSE_DB) instead of --db %s.
  - Keep --base-url, --secret (if you set one; without it the cookie secret was copied with
    the settings, so sessions stay valid), --smtp-url and the rest as they were. Every instance
    behind one load balancer needs the same values.
  - Sessions, outbox messages still waiting, audit log, apps and OpenID Connect keys came along:
    members stay logged in and waiting emails go out from the new database.
  - Writes made to %s after this copy began are not in it: stop Gatehouse before the copy you
    switch over with (or copy again into a fresh database).
`, len(tables), rows, redactURL(*to), *from, *from)
	return nil
}

// redactURL hides the password of a database URL for printing; a file path is returned as is.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.User != nil {
		return u.Redacted()
	}
	return s
}
