package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store"
)

// Owner is the account the benchmark adds to each seeded database and logs in as.
const (
	ownerEmail    = "bench-owner@example.com"
	ownerPassword = "bench-owner-password-1"
)

// dbFormat numbers how seededDB prepares a database; change it to make cached ones stale.
const dbFormat = 2

// build compiles the gatehouse binary from the module at root into dir, with -tags bench: the
// product plus the /_bench/hello reference (handlers/bench_hello.go).
func build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "gatehouse")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "bench", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory holding go.mod, from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above: run from the repository")
		}
		dir = parent
	}
}

// seededDB returns a seeded database with N members and the benchmark's Owner, from the cache
// when one was made with the same N, seed and schema, else made by the binary's own seed and
// create-owner commands (and then cached). seedTime is how long the seed command took when the
// database was made (kept beside it); cached says it came from the cache.
func seededDB(ctx context.Context, bin, cacheDir string, n int, seed uint64) (path string, seedTime time.Duration, cached bool, err error) {
	// The name changes with anything that changes what is cached: size, seed, schema, and the
	// preparation below (dbFormat).
	path = filepath.Join(cacheDir, fmt.Sprintf("gatehouse-n%d-seed%d-schema%d-f%d.db", n, seed, store.SchemaVersion(), dbFormat))
	if _, err := os.Stat(path); err == nil {
		b, _ := os.ReadFile(path + ".seed-time")
		seedTime, _ = time.ParseDuration(strings.TrimSpace(string(b)))
		return path, seedTime, true, nil
	}
	path, seedTime, err = seedNew(ctx, bin, path, n, seed)
	if err == nil {
		err = os.WriteFile(path+".seed-time", []byte(seedTime.String()+"\n"), 0o644)
	}
	return path, seedTime, false, err
}

// seedNew makes the database at path with the binary's seed and create-owner commands.
func seedNew(ctx context.Context, bin, path string, n int, seed uint64) (string, time.Duration, error) {
	cacheDir := filepath.Dir(path)
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", 0, err
	}
	tmp := path + ".tmp"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	start := time.Now()
	if out, err := exec.CommandContext(ctx, bin, "seed", "--db", tmp, "--members", strconv.Itoa(n), "--seed", strconv.FormatUint(seed, 10)).CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("seed: %v\n%s", err, out)
	}
	seedTime := time.Since(start)
	cmd := exec.CommandContext(ctx, bin, "create-owner", "--db", tmp, "--email", ownerEmail, "--password-stdin", "--first-name", "Bench", "--last-name", "Owner")
	cmd.Stdin = strings.NewReader(ownerPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("create-owner: %v\n%s", err, out)
	}
	st, err := store.Open(ctx, store.Options{Path: tmp})
	if err != nil {
		return "", 0, err
	}
	if err := mfaOptional(ctx, st); err != nil {
		st.Close()
		return "", 0, err
	}
	// One file: VACUUM INTO folds the WAL in, so the copy each run starts from is complete.
	os.Remove(path)
	err = st.Backup(ctx, path)
	st.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	return path, seedTime, err
}

// mfaOptional makes MFA optional in the Owner's organization, as the Owner could on the
// Settings page (and audited as theirs): the benchmark logs in with a password alone, 20 times a
// second in the login scenario, which one-time codes could not keep up with. The password check
// it measures is the same either way.
func mfaOptional(ctx context.Context, st *store.Store) error {
	owner, err := st.FindUserByEmail(ctx, ownerEmail)
	if err != nil {
		return err
	}
	if owner.LastOrgID == nil {
		return fmt.Errorf("%s has no organization", ownerEmail)
	}
	org, err := st.FindOrganization(ctx, *owner.LastOrgID)
	if err != nil {
		return err
	}
	actor := &models.Current{User: *owner, Org: *org, Permissions: models.PermissionsOf([]models.Role{models.RoleOwner})}
	req := models.SettingsRequest{Name: org.Name, InviteLifetimeHours: strconv.Itoa(org.InviteLifetimeHours),
		MFAPolicy: models.MFAOptional, MFAGraceDays: strconv.Itoa(org.MFAGraceDays)}
	_, err = app.New(st, app.Config{}, nil, nil).UpdateSettings(ctx, actor, req, models.Meta{IP: "127.0.0.1", UserAgent: "gatehouse bench"})
	return err
}

// copyFile copies src to dst, so each run starts from the same cached database.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// server is a running gatehouse serve.
type server struct {
	pg        *pgBench // on PostgreSQL: its backends' CPU counts too
	pgName    string
	cmd       *exec.Cmd
	exited    chan struct{}
	base      string
	coldStart time.Duration
}

// startServer runs the binary (built with the reference endpoint) on db with a quota that the
// invitation scenarios cannot reach, and waits for the first 200 from /healthz.
func startServer(ctx context.Context, bin, db, logPath string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", addr, "--base-url", base, "--invite-quota", "100000000")
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, base: base, exited: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(s.exited) }()
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < 30*time.Second {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.coldStart = time.Since(start)
				return s, nil
			}
		}
		select {
		case <-s.exited:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("server exited before answering /healthz:\n%s", out)
		case <-time.After(time.Millisecond):
		}
	}
	s.stop()
	out, _ := os.ReadFile(logPath)
	return nil, fmt.Errorf("server did not answer /healthz:\n%s", out)
}

// peakRSS is the server's peak resident memory so far, from /proc (Linux only; 0 elsewhere).
func (s *server) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// cpuTime is the CPU time (user and system) the server has used so far, from /proc (Linux
// only; 0 elsewhere). Per request, it says what a page costs whatever else the machine runs.
func (s *server) cpuTime() time.Duration {
	cpu := processCPU(s.cmd.Process.Pid)
	if s.pg != nil {
		cpu += s.pg.backendsCPU(s.pgName)
	}
	return cpu
}

// processCPU is the CPU time (user and system) process pid has used so far.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux Go runs on.
const clockTicks = 100

// stop asks the server to finish (SIGTERM), and kills it if it does not within 10 s.
func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// newClient returns an HTTP client with its own cookie jar that does not follow redirects
// (a 303 after a form post is the answer being measured) and keeps conc connections open.
func newClient(conc int) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConns: conc + 4, MaxIdleConnsPerHost: conc + 4, IdleConnTimeout: time.Minute},
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches path and returns the body, failing on any status but 200.
func get(client *http.Client, base, path string) (string, error) {
	resp, err := client.Get(base + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(b), nil
}

// csrfToken reads the CSRF token from the form on path.
func csrfToken(client *http.Client, base, path string) (string, error) {
	body, err := get(client, base, path)
	if err != nil {
		return "", err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("no _csrf field on %s", path)
	}
	return m[1], nil
}

// login logs client in as email, as a browser does: the login form for a CSRF token, then
// the post. It returns the CSRF token of the new session (a login issues a fresh one).
func login(client *http.Client, base, email, password string) (string, error) {
	token, err := csrfToken(client, base, "/login")
	if err != nil {
		return "", err
	}
	form := url.Values{"_csrf": {token}, "email": {email}, "password": {password}}
	resp, err := client.PostForm(base+"/login", form)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("login as %s: status %d", email, resp.StatusCode)
	}
	return csrfToken(client, base, "/users/invite")
}

// unlimitInvites sets the organization's per-member daily invitation quota to 0 (no limit)
// through the Settings form, keeping its other settings.
func unlimitInvites(client *http.Client, base, csrf string) error {
	body, err := get(client, base, "/settings")
	if err != nil {
		return err
	}
	form := url.Values{"invite_quota": {"0"}}
	for _, name := range []string{"name", "invite_lifetime_hours", "mfa_grace_days"} {
		m := regexp.MustCompile(`name="` + name + `"[^>]*value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return fmt.Errorf("settings form has no %s", name)
		}
		form.Set(name, html.UnescapeString(m[1]))
	}
	req, err := postForm(base, "/settings", csrf, form)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("setting the invitation quota: status %d", resp.StatusCode)
	}
	return nil
}

// postForm builds a form POST carrying the session's CSRF token.
func postForm(base, path, csrf string, form url.Values) (*http.Request, error) {
	form.Set("_csrf", csrf)
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewBufferString(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

var (
	outboxLink = regexp.MustCompile(`href="/outbox/(\d+)"`)
	inviteLink = regexp.MustCompile(`/invite/([A-Za-z0-9_-]{20,})`)
)

// liveInvitation invites one address and reads its signup link from the Outbox, where
// emails are held when no mail server is configured: the newest message is the one just sent.
func liveInvitation(client *http.Client, base, csrf, email string) (string, error) {
	if _, err := post(client, base, "/users/invite", csrf, url.Values{"emails": {email}, "roles": {string(models.RoleViewer)}}, http.StatusOK); err != nil {
		return "", err
	}
	page, err := get(client, base, "/outbox")
	if err != nil {
		return "", err
	}
	m := outboxLink.FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("no message on the Outbox page")
	}
	msg, err := get(client, base, "/outbox/"+m[1])
	if err != nil {
		return "", err
	}
	if !strings.Contains(msg, email) {
		return "", fmt.Errorf("the newest outbox message is not to %s", email)
	}
	link := inviteLink.FindStringSubmatch(msg)
	if link == nil {
		return "", errors.New("no invitation link in the outbox message")
	}
	return "/invite/" + link[1], nil
}

// post sends a form with the session's CSRF token and returns the answer's Location, failing
// unless the status is want.
func post(client *http.Client, base, path, csrf string, form url.Values, want int) (string, error) {
	req, err := postForm(base, path, csrf, form)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return "", fmt.Errorf("POST %s: status %d, want %d", path, resp.StatusCode, want)
	}
	return resp.Header.Get("Location"), nil
}

// addBenchApps adds the guarded apps of the forward-auth scenarios through the Apps pages:
// benchAppHost carried by the Owner role, benchDeniedHost by nobody.
func addBenchApps(client *http.Client, base, csrf string) error {
	submit := func(path string, form url.Values) (string, error) {
		return post(client, base, path, csrf, form, http.StatusSeeOther)
	}
	loc, err := submit("/apps", url.Values{"name": {"Bench app"}, "urls": {benchAppHost}})
	if err != nil {
		return err
	}
	if _, err := submit(loc+"/roles", url.Values{"roles": {string(models.RoleOwner)}}); err != nil {
		return err
	}
	_, err = submit("/apps", url.Values{"name": {"Bench denied"}, "urls": {benchDeniedHost}})
	return err
}
