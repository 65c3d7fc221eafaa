package main

import (
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark on a tiny database for a few requests per scenario, so
// the seed, the server flags and every scenario keep working. It checks no timing.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	// No deadline of its own (go test's -timeout still applies): on a busy machine building
	// and seeding alone can take minutes, and a slow run is not a failed one.
	ctx := t.Context()
	cfg := Config{Root: root, CacheDir: t.TempDir(), Members: []int{200}, Conc: []int{1, 2}, Seed: 1,
		Duration: 50 * time.Millisecond, MinRequests: 5, LoginRate: 20}
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range rep.names() {
		for _, c := range cfg.Conc {
			r, ok := rep.Results[key{name, 200, c}]
			switch {
			case !ok:
				t.Errorf("%s at c=%d: not measured", name, c)
			case r.Errors > 0:
				t.Errorf("%s at c=%d: %d errors, the first: %s", name, c, r.Errors, r.FirstErr)
			case r.Requests == 0:
				t.Errorf("%s at c=%d: no requests", name, c)
			case r.Requests < cfg.MinRequests && !strings.Contains(name, "logins/s"):
				t.Errorf("%s at c=%d: %d requests, want at least %d", name, c, r.Requests, cfg.MinRequests)
			}
		}
	}
	table := rep.Markdown()
	for _, want := range append(rep.names(), "| 200: req/s |", "binary size", "cold start", "peak RSS", "`gatehouse seed --members 200` (this run)", "## Targets") {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	if rep.BinarySize == 0 || len(rep.ColdStarts) != 1 || len(rep.PeakRSS) != 1 {
		t.Errorf("process numbers missing: size %d, cold starts %v, peak RSS %v", rep.BinarySize, rep.ColdStarts, rep.PeakRSS)
	}
}
