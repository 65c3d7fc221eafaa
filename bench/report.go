package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

type key struct {
	scenario string
	members  int
	conc     int
}

type (
	seedTime struct {
		members int
		took    time.Duration
		cached  bool // measured when the cached database was made, not in this run
	}
	coldStart struct {
		members int
		took    time.Duration
	}
	peak struct {
		members int
		bytes   int64
	}
)

// Report is everything one run measured.
type Report struct {
	Config     Config
	Machine    string
	Results    map[key]Result
	BinarySize int64
	SeedTimes  []seedTime
	ColdStarts []coldStart
	PeakRSS    []peak
}

// machine describes where the run happened: CPU model and count, OS, Go version, date.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores (GOMAXPROCS %d), %s/%s, %s, %s", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format("2006-01-02"))
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// names lists the scenarios in the order the table shows them.
func (r *Report) names() []string {
	var out []string
	for _, sc := range scenarios {
		out = append(out, sc.name)
	}
	if r.Config.LoginRate > 0 {
		out = append(out, underLogin, loginsName(r.Config))
	}
	return out
}

// Markdown renders the results table, the process numbers and the targets.
func (r *Report) Markdown() string {
	var b strings.Builder
	cfg := r.Config
	fmt.Fprintf(&b, "# Gatehouse benchmark\n\n")
	fmt.Fprintf(&b, "Machine: %s.  \n", r.Machine)
	fmt.Fprintf(&b, "Each row ran for %s per concurrency (c = requests in flight), over loopback, against the real binary (built with `-tags bench`, which adds the hello reference), logged in as an Owner. ", cfg.Duration)
	fmt.Fprintf(&b, "Latency is per request, as the load generator saw it (it shares the machine's cores with the server); ×hello is requests/s relative to the hello reference at the same size and concurrency; CPU is the server's CPU time per request (user and system, from /proc), which stays put when other work on the machine moves the rest. Errors are transport errors and any status outside 2xx/3xx (for a row naming a status, any other status).\n\n")

	members := cfg.Members
	fmt.Fprintf(&b, "| scenario | c |")
	for _, n := range members {
		fmt.Fprintf(&b, " %s: req/s | p50 | p99 | CPU | ×hello |", count(n))
	}
	fmt.Fprintf(&b, " errors |\n|---|--:|")
	for range members {
		fmt.Fprintf(&b, "--:|--:|--:|--:|--:|")
	}
	fmt.Fprintf(&b, "--:|\n")
	for _, name := range r.names() {
		for _, c := range cfg.Conc {
			fmt.Fprintf(&b, "| %s | %d |", name, c)
			errs := 0
			for _, n := range members {
				res, ok := r.Results[key{name, n, c}]
				if !ok {
					fmt.Fprintf(&b, " | | | | |")
					continue
				}
				errs += res.Errors
				ratio := "–"
				if hello := r.Results[key{scenarios[0].name, n, c}]; hello.RPS() > 0 && name != scenarios[0].name {
					ratio = fmt.Sprintf("%.1f%%", 100*res.RPS()/hello.RPS())
				}
				fmt.Fprintf(&b, " %.0f | %s | %s | %s | %s |", res.RPS(), ms(res.P50), ms(res.P99), ms(res.CPUPerRequest()), ratio)
			}
			fmt.Fprintf(&b, " %d |\n", errs)
		}
	}
	fmt.Fprintf(&b, "\n| process | value |\n|---|--:|\n")
	fmt.Fprintf(&b, "| binary size | %s |\n", mb(r.BinarySize))
	for _, c := range r.ColdStarts {
		fmt.Fprintf(&b, "| cold start, exec to first 200 on /healthz, %s members | %s |\n", count(c.members), ms(c.took))
	}
	for _, p := range r.PeakRSS {
		fmt.Fprintf(&b, "| peak RSS of the server over its whole run, %s members | %s |\n", count(p.members), mb(p.bytes))
	}
	for _, s := range r.SeedTimes {
		when := "this run"
		if s.cached {
			when = "when the cached database was made"
		}
		fmt.Fprintf(&b, "| `gatehouse seed --members %d` (%s) | %.1f s |\n", s.members, when, s.took.Seconds())
	}
	fmt.Fprintf(&b, "\n## Targets\n\n")
	for _, t := range r.Targets() {
		mark := "met"
		if !t.Met {
			mark = "**not met**"
		}
		fmt.Fprintf(&b, "- %s: %s — %s\n", t.What, mark, t.Got)
	}
	return b.String()
}

// Target is one goal from the performance issue, checked against this run.
type Target struct {
	What, Got string
	Met       bool
}

// Targets checks the goals at the largest size measured and the highest concurrency.
func (r *Report) Targets() []Target {
	cfg := r.Config
	big, small := cfg.Members[len(cfg.Members)-1], cfg.Members[0]
	hi := cfg.Conc[len(cfg.Conc)-1]
	lo := cfg.Conc[0]
	get := func(name string, n, c int) Result { return r.Results[key{name, n, c}] }
	first, deep := scenarios[2].name, scenarios[3].name
	var out []Target
	f := get(first, big, hi)
	out = append(out, Target{What: fmt.Sprintf("Users first page p99 under 10 ms at c=%d, %s members", hi, count(big)),
		Got: "p99 " + ms(f.P99), Met: f.Requests > 0 && f.P99 < 10*time.Millisecond})
	hello := get(scenarios[0].name, big, hi)
	pct := 0.0
	if hello.RPS() > 0 {
		pct = 100 * f.RPS() / hello.RPS()
	}
	out = append(out, Target{What: fmt.Sprintf("Users first page at least 10%% of hello's requests/s (c=%d)", hi),
		Got: fmt.Sprintf("%.0f vs %.0f req/s = %.1f%%", f.RPS(), hello.RPS(), pct), Met: pct >= 10})
	d1, f1 := get(deep, big, lo), get(first, big, lo)
	out = append(out, Target{What: "a page at 90% of the list as fast as the first (server CPU per request within 20% + 0.05 ms)",
		Got: fmt.Sprintf("CPU %s vs %s, p50 %s vs %s at c=%d", ms(d1.CPUPerRequest()), ms(f1.CPUPerRequest()), ms(d1.P50), ms(f1.P50), lo),
		Met: d1.Requests > 0 && cost(d1) <= cost(f1)*12/10+50*time.Microsecond})
	for _, sc := range scenarios {
		if sc.grows {
			s := get(sc.name, big, lo)
			out = append(out, Target{What: fmt.Sprintf("%s p50 under 5 ms at %s members (c=%d)", sc.name, count(big), lo),
				Got: "p50 " + ms(s.P50), Met: s.Requests > 0 && s.P50 < 5*time.Millisecond})
		}
	}
	if big != small {
		var grew []string
		for _, sc := range scenarios[2:] {
			if sc.grows {
				continue
			}
			a, b := get(sc.name, small, lo), get(sc.name, big, lo)
			if cost(b) > cost(a)*13/10+100*time.Microsecond {
				grew = append(grew, fmt.Sprintf("%s (%s → %s)", sc.name, ms(cost(a)), ms(cost(b))))
			}
		}
		got := "every non-search scenario's server CPU per request at " + count(big) + " within 30% + 0.1 ms of " + count(small)
		if len(grew) > 0 {
			got = "grew: " + strings.Join(grew, "; ")
		}
		out = append(out, Target{What: "no endpoint's cost growing with the number of members except search", Got: got, Met: len(grew) == 0})
	}
	if cfg.LoginRate > 0 {
		u, plain := get(underLogin, big, hi), get(first, big, hi)
		out = append(out, Target{What: fmt.Sprintf("Users first page during %d logins/s: p99 under 10 ms at c=%d", cfg.LoginRate, hi),
			Got: fmt.Sprintf("p99 %s (%s without logins)", ms(u.P99), ms(plain.P99)), Met: u.Requests > 0 && u.P99 < 10*time.Millisecond})
	}
	errs := 0
	for _, res := range r.Results {
		errs += res.Errors
	}
	out = append(out, Target{What: "no errors (no SQLITE_BUSY, no non-2xx/3xx)", Got: fmt.Sprintf("%d errors", errs), Met: errs == 0})
	return out
}

// cost is what a request costs the server: its CPU time where /proc tells it, else the p50 latency.
func cost(r Result) time.Duration {
	if c := r.CPUPerRequest(); c > 0 {
		return c
	}
	return r.P50
}

func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
