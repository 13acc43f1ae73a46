package huggingface_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/internal/httpfault"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// matrixFaults are the faults of the Hub matrix: every fault of the suite
// on every request, then a fault of each kind on one endpoint only (the
// file tree, the commit history, the raw files), so that a collection
// mixes good and bad answers.
func matrixFaults() []httpfault.Fault {
	opts := httpfault.Options{Failures: 1, Stall: time.Second, Trickle: 50 * time.Millisecond, RetryAfter: "0"}
	all := httpfault.All(opts)
	out := append([]httpfault.Fault(nil), all...)
	endpoints := []struct {
		name  string
		match func(*http.Request) bool
	}{
		{"tree", func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/tree/") }},
		{"commits", func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/commits/") }},
		{"files", func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/resolve/") }},
	}
	// On one endpoint, a fault of each kind: what a retry absorbs, what
	// outlasts it, and what no retry can see.
	picked := map[string]bool{
		"hang": true, "reset-before-headers-permanent": true, "reset-mid-body": true, "429-permanent": true,
		"500-permanent": true, "503-retry-after": true, "truncated-content-length": true, "truncated-json": true,
		"html-login-page": true, "slow-loris-permanent": true,
	}
	for _, e := range endpoints {
		for _, f := range all {
			if picked[f.Name] {
				out = append(out, httpfault.Only(e.name, e.match, f))
			}
		}
	}
	return out
}

// matrixSubjects are the subjects collected under each fault.
var matrixSubjects = []sources.Subject{base, chat, lora, merge, quant, dataset}

// faultTimeout is the per-attempt timeout of the faulted runs: short, so
// that a hang costs little, yet long enough for a loaded test machine.
const faultTimeout = 500 * time.Millisecond

// faultOnline is an online source over endpoint with the given timeout,
// two retries (one more than a transient fault needs, for a loaded test
// machine) and no cache.
func faultOnline(t testing.TB, endpoint string, timeout time.Duration) *huggingface.Source {
	t.Helper()
	st, err := huggingface.NewOnline(huggingface.OnlineOptions{
		Endpoint: endpoint, Clock: fixed, Timeout: timeout, MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetryAfter: time.Second, RateLimit: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return huggingface.New(huggingface.WithStore(st), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
}

// cleanRun is what the source and the engine give over the unspoiled Hub.
type cleanRun struct {
	obs     map[string]*sources.Observation
	reports map[string]*risk.Report
}

var (
	cleanOnce sync.Once
	clean     cleanRun
	cleanErr  error
)

// matrixRoots are the subjects assessed through the engine: the whole
// lineage of a quantized merge and of an adapter.
var matrixRoots = []sources.Subject{quant, lora}

// cleanResults collects and assesses every subject over a clean fake Hub,
// once per test binary.
func cleanResults(t *testing.T) cleanRun {
	t.Helper()
	cleanOnce.Do(func() {
		hub := hubtest.NewServer(t, snap)
		defer hub.Close()
		src := faultOnline(t, hub.URL, 10*time.Second)
		clean = cleanRun{obs: map[string]*sources.Observation{}, reports: map[string]*risk.Report{}}
		for _, s := range matrixSubjects {
			obs, err := src.Collect(context.Background(), s)
			if err != nil {
				cleanErr = err
				return
			}
			clean.obs[s.ID()] = obs
		}
		eng, err := risk.New(risk.WithSources(faultOnline(t, hub.URL, 10*time.Second)), risk.WithClock(fixed))
		if err != nil {
			cleanErr = err
			return
		}
		for _, s := range matrixRoots {
			rep, err := eng.Assess(context.Background(), s)
			if err != nil {
				cleanErr = err
				return
			}
			if rep, err = httpfault.Normalize(rep, hub.URL); err != nil {
				cleanErr = err
				return
			}
			clean.reports[s.ID()] = rep
		}
	})
	if cleanErr != nil {
		t.Fatalf("clean run: %v", cleanErr)
	}
	return clean
}

// TestFaultMatrix runs every fault against the Hub source, subject by
// subject. Collect gives either the clean observation (transient faults,
// absorbed by the retries) or a classified *sources.Error naming the
// subject and what could not be read, with the part it could read when
// the repository info was read (partial). It never hangs, and the fake Hub
// closes without waiting for a blocked handler.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	want := cleanResults(t)
	for _, f := range matrixFaults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			front := httpfault.Serve(t, f, hub.Config.Handler)
			src := faultOnline(t, front.URL, faultTimeout)
			// The subjects are collected at once, as the engine does, so
			// that the faults' waits overlap.
			type result struct {
				obs  *sources.Observation
				err  error
				hung bool
			}
			results := make([]result, len(matrixSubjects))
			var wg sync.WaitGroup
			for i, s := range matrixSubjects {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					obs, err := src.Collect(ctx, s)
					results[i] = result{obs, err, ctx.Err() != nil}
				})
			}
			wg.Wait()
			for i, s := range matrixSubjects {
				obs, err := results[i].obs, results[i].err
				if results[i].hung {
					t.Fatalf("%s: Collect did not return before the test's deadline", s)
				}
				// A raw file cut in half under a matching Content-Length is
				// caught by its size in the tree listing; datasets are read
				// without one, so their card reads as a shorter card.
				undetectable := f.Name == "truncated-json@files" && s.Kind == sources.SubjectDataset
				got := checkCollect(t, s, want.obs[s.ID()], obs, err, undetectable)
				if f.Transient && got != "absorbed" {
					t.Errorf("%s: transient fault not absorbed by the retries: %s", s, got)
				}
				t.Logf("%s %s: %s", f.Name, s.Ref, got)
			}
		})
	}
}

// checkCollect checks one Collect under a fault and names its outcome:
// "absorbed", or the error's category, with "partial" when an observation
// came back with the error. undetectable allows a silently different
// observation, for a fault no reader can tell from a real answer.
func checkCollect(t *testing.T, s sources.Subject, clean, obs *sources.Observation, err error, undetectable bool) string {
	t.Helper()
	if err == nil {
		if diff := cmp.Diff(clean, obs); diff != "" {
			if undetectable {
				return "undetected (no size to check)"
			}
			t.Errorf("%s: Collect succeeded with an observation unlike the clean one (-clean +faulted):\n%s", s, diff)
			return "silently different"
		}
		return "absorbed"
	}
	var se *sources.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: error %v is not a *sources.Error", s, err)
	} else if se.Source != huggingface.Name || se.Subject == "" {
		t.Errorf("%s: error names source %q, subject %q", s, se.Source, se.Subject)
	}
	id, _ := s.HubID()
	if !strings.Contains(err.Error(), id) {
		t.Errorf("%s: error %q does not name the repository", s, err)
	}
	cat := sources.Category(err)
	if cat == "canceled" {
		t.Errorf("%s: a fault reads as a cancellation: %v", s, err)
	}
	if cat == "error" && !strings.Contains(err.Error(), "http") {
		t.Errorf("%s: unclassified error %q names no URL", s, err)
	}
	if obs != nil {
		return "partial " + cat
	}
	return "failed " + cat
}

// TestFaultMatrixEngine assesses whole lineages through the engine under
// every fault and checks the reports against the clean ones: equal, or
// showing the failure explicitly (a failed, partial or skipped node or
// source, with its reason); never a clean failing or unknown finding that
// passes, never a lower score without that marker.
func TestFaultMatrixEngine(t *testing.T) {
	t.Parallel()
	want := cleanResults(t)
	for _, f := range matrixFaults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			front := httpfault.Serve(t, f, hub.Config.Handler)
			// Each root has its own engine, and the roots are assessed at
			// once, so that the faults' waits overlap.
			type result struct {
				rep  *risk.Report
				err  error
				hung bool
			}
			results := make([]result, len(matrixRoots))
			var wg sync.WaitGroup
			for i, root := range matrixRoots {
				eng, err := risk.New(risk.WithSources(faultOnline(t, front.URL, faultTimeout)), risk.WithClock(fixed))
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					rep, err := eng.Assess(ctx, root)
					results[i] = result{rep, err, ctx.Err() != nil}
				})
			}
			wg.Wait()
			for i, root := range matrixRoots {
				rep, err := results[i].rep, results[i].err
				if results[i].hung {
					t.Fatalf("%s: Assess did not return before the test's deadline", root)
				}
				if err != nil {
					t.Fatalf("%s: Assess = %v; a fault is data, not an error", root, err)
				}
				if rep, err = httpfault.Normalize(rep, front.URL); err != nil {
					t.Fatal(err)
				}
				clean := want.reports[root.ID()]
				for _, v := range httpfault.Compare(clean, rep) {
					t.Errorf("%s: %s", root, v)
				}
				if f.Transient && !httpfault.Equal(clean, rep) {
					t.Errorf("%s: transient fault not absorbed: %v", root, httpfault.Markers(clean, rep))
				}
			}
		})
	}
}
