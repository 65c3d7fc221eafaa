package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request makes the next HTTP request of a scenario.
type request func() (*http.Request, error)

// Result is what one scenario measured at one concurrency.
type Result struct {
	Requests int
	Errors   int
	FirstErr string // the first error seen, to say why
	Elapsed  time.Duration
	P50, P99 time.Duration
	CPU      time.Duration // the server's CPU time over the run (0 when unknown)
}

// CPUPerRequest is the server's CPU time per completed request.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// RPS is completed requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// load sends requests from conc workers, each waiting for its answer before sending the next,
// until d has passed (and at least minReqs requests were made, when d is tiny), and measures
// every answer's latency. Any transport error or status outside 2xx/3xx counts as an error;
// with want set, any status but want does.
func load(ctx context.Context, client *http.Client, conc int, d time.Duration, minReqs int, mk request, want int) Result {
	var (
		n        atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1024)
			var myErrs int
			var myFirst string
			for ctx.Err() == nil {
				i := n.Add(1)
				if time.Now().After(deadline) && i > int64(minReqs) {
					break
				}
				req, err := mk()
				if err != nil {
					myErrs++
					if myFirst == "" {
						myFirst = err.Error()
					}
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && (want == 0 && (resp.StatusCode < 200 || resp.StatusCode >= 400) || want != 0 && resp.StatusCode != want) {
						err = fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
					}
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					myErrs++
					if myFirst == "" {
						myFirst = err.Error()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			if firstErr == "" {
				firstErr = myFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := Result{Requests: len(lat), Errors: errs, FirstErr: firstErr, Elapsed: time.Since(start)}
	r.P50, r.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return r
}

// percentile returns the q-quantile of ds (nearest rank), sorting ds.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
