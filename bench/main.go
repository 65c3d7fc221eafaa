// Command bench measures Gatehouse as it runs: it builds the binary with -tags bench (which
// adds the /_bench/hello reference, handlers/bench_hello.go), seeds databases of 10,000 and
// 100,000 members (cached), starts the real server, logs in over HTTP and loads every scenario for a fixed time at
// concurrency 1 and 16, then prints a table and writes it to bench/results.md.
//
//	go run ./bench                      # the full run, about two minutes
//	go run ./bench -members 10000 -d 1s # quicker
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/models"
	"gatehouse/store"
)

func main() {
	cfg := Config{}
	var members, conc string
	flag.StringVar(&members, "members", "10000,100000", "database sizes to measure, comma separated")
	flag.StringVar(&conc, "c", "1,16", "concurrencies to measure, comma separated")
	flag.DurationVar(&cfg.Duration, "d", 2*time.Second, "how long each scenario runs at each concurrency")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the seeded databases")
	flag.IntVar(&cfg.LoginRate, "login-rate", 20, "logins per second sent while the Users page is measured under login load")
	flag.StringVar(&cfg.CacheDir, "cache", "", "where seeded databases are kept between runs (default: bench/.cache)")
	flag.StringVar(&cfg.Out, "out", "", "file the results table is written to (default: bench/results.md)")
	pg := flag.String("pg", "", "also measure PostgreSQL on this server (postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); its backends' CPU counts as the server's")
	flag.Parse()
	var err error
	if cfg.Members, err = ints(members); err != nil {
		log.Fatalf("-members: %v", err)
	}
	if cfg.Conc, err = ints(conc); err != nil {
		log.Fatalf("-c: %v", err)
	}
	if cfg.Root, err = moduleRoot(); err != nil {
		log.Fatal(err)
	}
	if cfg.CacheDir == "" {
		cfg.CacheDir = filepath.Join(cfg.Root, "bench", ".cache")
	}
	if cfg.Out == "" {
		cfg.Out = filepath.Join(cfg.Root, "bench", "results.md")
	}
	cfg.Progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := Run(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	table := rep.Markdown()
	if *pg != "" {
		cfg.PG = *pg
		prep, err := Run(ctx, cfg)
		if err != nil {
			log.Fatal(err)
		}
		table = "## SQLite\n\n" + table + "\n## PostgreSQL\n\nThe same scenarios with `--db postgres://…` on the local PostgreSQL; CPU adds the server's backends for the database (from /proc) to Gatehouse's.\n\n" + prep.Markdown()
	}
	fmt.Print(table)
	if err := os.WriteFile(cfg.Out, []byte(table), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "\nwrote %s\n", cfg.Out)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// Config says what a run measures.
type Config struct {
	Root        string // the module, built with go build
	CacheDir    string
	Out         string
	Members     []int
	Conc        []int
	Seed        uint64
	Duration    time.Duration // per scenario and concurrency
	MinRequests int           // per scenario and concurrency, even when Duration is over (smoke test)
	LoginRate   int
	Progress    io.Writer // where progress lines go; nil for none
	// PG is a PostgreSQL server URL (a user that may create databases): when set, Run measures
	// PostgreSQL instead of SQLite, on fresh databases gatehouse_bench_nN.
	PG string
}

// scenario is one thing measured.
type scenario struct {
	name     string
	grows    bool // its cost may follow the number of members (search)
	twoPhase bool // needs the live invitation link
	anon     bool // sent without the Owner's session cookie
	want     int  // the status every answer must have; 0 for any 2xx or 3xx
	mk       func(e *env) request
}

// env is what scenarios need from a running server.
type env struct {
	base, csrf, deepCursor, signupPath, run string
	// emails numbers the addresses invited in this run, so that every invitation is a new
	// one: an address already invited costs the server less and would flatter the numbers.
	emails atomic.Int64
}

func getReq(path func(e *env) string) func(e *env) request {
	return func(e *env) request {
		u := e.base + path(e)
		return func() (*http.Request, error) { return http.NewRequest(http.MethodGet, u, nil) }
	}
}

func inviteReq(emails int) func(e *env) request {
	return func(e *env) request {
		return func() (*http.Request, error) {
			list := make([]string, emails)
			for i := range list {
				list[i] = fmt.Sprintf("bench-%s-%d@example.net", e.run, e.emails.Add(1))
			}
			return postForm(e.base, "/users/invite", e.csrf, url.Values{"emails": {strings.Join(list, "\n")}, "roles": {string(models.RoleViewer)},
				"department": {"Engineering"}}) // one of the seeded departments
		}
	}
}

// Search terms: common prefixes in the seeded names ("mar": Margaret, Mary; "jo": John, Joan, Johnson).
const (
	search3 = "mar"
	search2 = "jo"
)

var scenarios = []scenario{
	{name: "hello (reference)", mk: getReq(func(*env) string { return "/_bench/hello" })},
	{name: "Users, Active, first page", mk: getReq(func(*env) string { return "/users" })},
	{name: "Users, Active, page at 90%", mk: getReq(func(e *env) string { return "/users?tab=active&cursor=" + e.deepCursor })},
	{name: "Users, Pending", mk: getReq(func(*env) string { return "/users?tab=pending" })},
	{name: "Users, Inactivated", mk: getReq(func(*env) string { return "/users?tab=inactivated" })},
	{name: "Users, Terminated", mk: getReq(func(*env) string { return "/users?tab=terminated" })},
	{name: `Search "` + search3 + `" (3 letters)`, grows: true, mk: getReq(func(*env) string { return "/users?q=" + search3 })},
	{name: `Search "` + search2 + `" (2 letters)`, grows: true, mk: getReq(func(*env) string { return "/users?q=" + search2 })},
	{name: "Invite 1 email (POST)", mk: inviteReq(1)},
	{name: "Invite 25 emails (POST)", mk: inviteReq(25)},
	{name: "Signup page (GET invitation link)", twoPhase: true, mk: getReq(func(e *env) string { return e.signupPath })},
	{name: "Forward-auth, allowed (200)", want: http.StatusOK, mk: forwardAuthReq(benchAppHost)},
	{name: "Forward-auth, denied (403)", want: http.StatusForbidden, mk: forwardAuthReq(benchDeniedHost)},
	{name: "Forward-auth, not logged in (302)", anon: true, want: http.StatusFound, mk: forwardAuthReq(benchAppHost)},
}

// The bench's guarded apps: the Owner may use the first (through the Owner role), not the second.
const (
	benchAppHost    = "app.bench.example"
	benchDeniedHost = "denied.bench.example"
)

// forwardAuthReq is a reverse proxy asking whether a browser's GET of host may pass.
func forwardAuthReq(host string) func(e *env) request {
	return func(e *env) request {
		u := e.base + "/api/authz/forward-auth"
		return func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("X-Forwarded-Method", http.MethodGet)
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-Host", host)
			req.Header.Set("X-Forwarded-Uri", "/dashboard?panel=3")
			req.Header.Set("Accept", "text/html,application/xhtml+xml")
			return req, nil
		}
	}
}

// underLogin names the Users page measured while logins arrive.
const underLogin = "Users, Active, first page, during logins"

// Run builds, seeds, serves and measures, and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	work, err := os.MkdirTemp("", "gatehouse-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	say("building the binary")
	bin, err := build(ctx, cfg.Root, work)
	if err != nil {
		return nil, err
	}
	rep := &Report{Config: cfg, Results: map[key]Result{}, Machine: machine()}
	if fi, err := os.Stat(bin); err == nil {
		rep.BinarySize = fi.Size()
	}
	var pg *pgBench
	if cfg.PG != "" {
		if pg, err = openPGBench(ctx, cfg.PG); err != nil {
			return nil, err
		}
		defer pg.admin.Close()
	}
	for _, n := range cfg.Members {
		if pg != nil {
			say("seeding %d members on PostgreSQL", n)
			db, took, err := pg.seed(ctx, bin, n, cfg.Seed)
			if err != nil {
				return nil, err
			}
			rep.SeedTimes = append(rep.SeedTimes, seedTime{n, took, false})
			if err := measure(ctx, cfg, rep, bin, db, n, filepath.Join(work, fmt.Sprintf("serve-%d.log", n)), say, pg); err != nil {
				return nil, err
			}
			continue
		}
		say("seeding %d members (cached in %s)", n, cfg.CacheDir)
		cached, took, fromCache, err := seededDB(ctx, bin, cfg.CacheDir, n, cfg.Seed)
		if err != nil {
			return nil, err
		}
		if took > 0 {
			rep.SeedTimes = append(rep.SeedTimes, seedTime{n, took, fromCache})
		}
		db := filepath.Join(work, fmt.Sprintf("run-%d.db", n))
		if err := copyFile(cached, db); err != nil {
			return nil, err
		}
		if err := measure(ctx, cfg, rep, bin, db, n, filepath.Join(work, fmt.Sprintf("serve-%d.log", n)), say, nil); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// deepCursor finds the cursor of the Active page that starts 90% of the way down the list.
func deepCursor(ctx context.Context, db string) (string, error) {
	st, err := store.Open(ctx, store.Options{Path: db})
	if err != nil {
		return "", err
	}
	defer st.Close()
	owner, err := st.FindUserByEmail(ctx, ownerEmail)
	if err != nil {
		return "", err
	}
	if owner.LastOrgID == nil {
		return "", fmt.Errorf("%s has no organization", ownerEmail)
	}
	org := *owner.LastOrgID
	counts, err := st.MemberCounts(ctx, org)
	if err != nil {
		return "", err
	}
	return st.MemberCursorAt(ctx, org, models.StatusActive, models.SortName, max(1, int(counts[models.StatusActive]*9/10)))
}

func measure(ctx context.Context, cfg Config, rep *Report, bin, db string, n int, logPath string, say func(string, ...any), pg *pgBench) error {
	cursor, err := deepCursor(ctx, db)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, db, logPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	if pg != nil {
		srv.pg, srv.pgName = pg, pg.dbName(n)
	}
	rep.ColdStarts = append(rep.ColdStarts, coldStart{n, srv.coldStart})
	maxConc := 1
	for _, c := range cfg.Conc {
		maxConc = max(maxConc, c)
	}
	client := newClient(maxConc)
	csrf, err := login(client, srv.base, ownerEmail, ownerPassword)
	if err != nil {
		return err
	}
	// The invite scenarios send far more than a member's daily quota (an organization
	// setting since issue 14; --invite-quota lifts the per-IP one): 0 lifts it.
	if err := unlimitInvites(client, srv.base, csrf); err != nil {
		return err
	}
	e := &env{base: srv.base, csrf: csrf, deepCursor: cursor, run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if err := addBenchApps(client, srv.base, csrf); err != nil {
		return err
	}
	anon := newClient(maxConc)
	for _, sc := range scenarios {
		if sc.twoPhase {
			if e.signupPath, err = liveInvitation(client, srv.base, csrf, "bench-signup-"+e.run+"@example.net"); err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
		}
		for _, c := range cfg.Conc {
			cpu := srv.cpuTime()
			cl := client
			if sc.anon {
				cl = anon
			}
			r := load(ctx, cl, c, cfg.Duration, cfg.MinRequests, sc.mk(e), sc.want)
			r.CPU = srv.cpuTime() - cpu
			rep.Results[key{sc.name, n, c}] = r
			say("%7d members  c=%-3d %-45s %8.0f req/s  p50 %-8s p99 %-8s cpu/req %-8s errors %d %s", n, c, sc.name, r.RPS(), ms(r.P50), ms(r.P99), ms(r.CPUPerRequest()), r.Errors, r.FirstErr)
		}
	}
	if cfg.LoginRate > 0 {
		for _, c := range cfg.Conc {
			users, logins := underLogins(ctx, cfg, client, e, c)
			rep.Results[key{underLogin, n, c}] = users
			rep.Results[key{loginsName(cfg), n, c}] = logins
			say("%7d members  c=%-3d %-45s %8.0f req/s  p50 %-8s p99 %-8s errors %d %s", n, c, underLogin, users.RPS(), ms(users.P50), ms(users.P99), users.Errors, users.FirstErr)
			say("%7d members  c=%-3d %-45s %8.0f req/s  p50 %-8s p99 %-8s errors %d %s", n, c, loginsName(cfg), logins.RPS(), ms(logins.P50), ms(logins.P99), logins.Errors, logins.FirstErr)
		}
	}
	rep.PeakRSS = append(rep.PeakRSS, peak{n, srv.peakRSS()})
	return nil
}

func loginsName(cfg Config) string {
	return fmt.Sprintf("  … the %d logins/s themselves (POST /login)", cfg.LoginRate)
}

// underLogins measures the Users page at concurrency c while correct-password logins
// arrive at cfg.LoginRate a second, each from a fresh browser (login form, then the post).
func underLogins(ctx context.Context, cfg Config, client *http.Client, e *env, c int) (users, logins Result) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var (
		mu      sync.Mutex
		lat     []time.Duration
		errs    atomic.Int64
		first   atomic.Value
		started = time.Now()
	)
	fail := func(err error) {
		errs.Add(1)
		first.CompareAndSwap(nil, err.Error())
	}
	login := func() {
		defer wg.Done()
		b := newClient(1)
		token, err := csrfToken(b, e.base, "/login")
		if err != nil {
			fail(err)
			return
		}
		req, _ := postForm(e.base, "/login", token, url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		t0 := time.Now()
		resp, err := b.Do(req)
		if err != nil {
			fail(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusSeeOther {
			fail(fmt.Errorf("POST /login: status %d", resp.StatusCode))
		}
		mu.Lock()
		lat = append(lat, d)
		mu.Unlock()
	}
	// The first login goes at once and the rest on the ticker: however short the run and busy
	// the machine, at least one login is measured (the smoke test checks every row has requests).
	wg.Add(1)
	go login()
	tick := time.NewTicker(time.Second / time.Duration(cfg.LoginRate))
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			wg.Add(1)
			go login()
		}
	}()
	// Let the logins reach their rate before measuring.
	time.Sleep(min(cfg.Duration/4, 500*time.Millisecond))
	users = load(ctx, client, c, cfg.Duration, cfg.MinRequests, getReq(func(*env) string { return "/users" })(e), 0)
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	logins = Result{Requests: len(lat), Errors: int(errs.Load()), Elapsed: time.Since(started)}
	if s, ok := first.Load().(string); ok {
		logins.FirstErr = s
	}
	logins.P50, logins.P99 = percentile(lat, 0.5), percentile(lat, 0.99)
	return users, logins
}
