package cli_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpfault"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// faultCatalog is the catalog of the CLI fault suite: the models of the
// Hub source's test snapshot, whose lineages share ancestors.
var faultCatalog = []string{"hf:acme/base-7b", "hf:acme/base-7b-chat", "hf:lora/chat-lora", "hf:merge/franken", "hf:quant/franken-GGUF"}

// cliFaults are the faults injected under the CLI. The CLI's HTTP client
// keeps its defaults (30 s timeout, 4 retries with backoff from 0.5 s), so
// the faults chosen end quickly under them: hangs and slow bodies, and
// 5xx errors that outlast every retry, run at source and engine level
// (sources/huggingface/fault_matrix_test.go).
func cliFaults() []httpfault.Fault {
	all := map[string]httpfault.Fault{}
	for _, f := range httpfault.All(httpfault.Options{Failures: 1, Stall: 5 * time.Second, RetryAfter: "0"}) {
		all[f.Name] = f
	}
	path := func(sub string) func(*http.Request) bool {
		return func(r *http.Request) bool { return strings.Contains(r.URL.Path, sub) }
	}
	info := func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/api/models/") && strings.Count(r.URL.Path, "/") == 4
	}
	return []httpfault.Fault{
		httpfault.Only("info", info, all["reset-before-headers"]),
		httpfault.Only("tree", path("/tree/"), all["429-storm-retry-after"]),
		httpfault.Only("files", path("/resolve/"), all["503-retry-after"]),
		httpfault.Only("commits", path("/commits/"), all["truncated-content-length"]),
		httpfault.Only("files", path("/resolve/"), all["reset-mid-body"]),
		httpfault.Only("merge", path("/merge/franken"), all["429-permanent-retry-after-long"]),
		httpfault.Only("files", path("/resolve/"), all["html-login-page"]),
		httpfault.Only("tree", path("/tree/"), all["truncated-json"]),
		httpfault.Only("base-7b info", func(r *http.Request) bool { return r.URL.Path == "/api/models/acme/base-7b" }, all["truncated-json"]),
	}
}

// batchReports runs pedigree batch over the catalog at endpoint and
// returns the reports of the output, normalized for comparison.
func batchReports(t *testing.T, endpoint, dir, name string, extra ...string) []*risk.Report {
	t.Helper()
	cat := filepath.Join(dir, "catalog.txt")
	if err := os.WriteFile(cat, []byte(strings.Join(faultCatalog, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".jsonl")
	args := append([]string{"batch", "--no-cache", "--rate-limit", "-1", "--inspect-budget", "0", "--progress", "none",
		"--state", filepath.Join(dir, "run.state"), "-o", out}, extra...)
	code, _, errOut := runWith(t, map[string]string{"HF_ENDPOINT": endpoint}, append(args, cat)...)
	if code != 0 && code != 1 {
		t.Fatalf("batch: exit %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reps, err := report.Decode(f)
	if err != nil {
		t.Fatalf("batch output: %v", err)
	}
	for i, r := range reps {
		if reps[i], err = httpfault.Normalize(r, endpoint); err != nil {
			t.Fatal(err)
		}
	}
	return reps
}

// TestBatchFaults runs pedigree batch over a catalog with each fault
// injected on some endpoints of the fake Hub, and compares with a clean
// run: (a) every catalog entry has a result, in catalog order; (b) each
// report equals the clean one or shows the fault explicitly (a failed,
// partial or skipped node or source, with its reason); (c) no finding that
// fails or is unknown in the clean run passes, and a lower score comes
// with that explicit marker; (d) once the fault is gone, --retry-failed
// with the same state gives the clean report for every entry the run
// recorded as failed.
func TestBatchFaults(t *testing.T) {
	t.Parallel()
	cleanHub := hubtest.NewServer(t, hubSnap)
	clean := batchReports(t, cleanHub.URL, t.TempDir(), "clean")
	if len(clean) != len(faultCatalog) {
		t.Fatalf("clean run: %d reports for %d entries", len(clean), len(faultCatalog))
	}
	for _, f := range cliFaults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, hubSnap)
			front := httpfault.Serve(t, f, hub.Config.Handler)
			dir := t.TempDir()
			faulted := batchReports(t, front.URL, dir, "out")
			if len(faulted) != len(clean) {
				t.Fatalf("(a) %d reports for %d catalog entries", len(faulted), len(clean))
			}
			var failed []int
			for i, rep := range faulted {
				if rep.Subject.Ref != clean[i].Subject.Ref {
					t.Errorf("(a) entry %d is %s, want %s", i, rep.Subject.Ref, clean[i].Subject.Ref)
					continue
				}
				for _, v := range httpfault.Compare(clean[i], rep) {
					t.Errorf("(b/c) %s: %s", rep.Subject.Ref, v)
				}
				if f.Transient && !httpfault.Equal(clean[i], rep) {
					t.Errorf("%s: transient fault not absorbed: %v", rep.Subject.Ref, httpfault.Markers(clean[i], rep))
				}
				if rep.Root().State == risk.NodeFailed {
					failed = append(failed, i)
				}
			}
			// (d) The fault is gone: the same state, --retry-failed.
			retried := batchReports(t, hub.URL, dir, "out", "--retry-failed")
			if len(retried) != len(clean) {
				t.Fatalf("(d) %d reports after --retry-failed for %d entries", len(retried), len(clean))
			}
			for _, i := range failed {
				if !httpfault.Equal(clean[i], retried[i]) {
					t.Errorf("(d) %s: --retry-failed did not give the clean report: %v", clean[i].Subject.Ref, httpfault.Markers(clean[i], retried[i]))
				}
			}
			t.Logf("fault %s: %d of %d entries failed, %d equal to the clean run", f.Name, len(failed), len(clean), countEqual(clean, faulted))
		})
	}
}

// countEqual counts the reports equal to their clean counterparts.
func countEqual(clean, faulted []*risk.Report) int {
	n := 0
	for i := range clean {
		if i < len(faulted) && httpfault.Equal(clean[i], faulted[i]) {
			n++
		}
	}
	return n
}

// TestScoreFaultJSON scores one lineage with --format json under a fault
// on the repository files, and checks the report against a clean one.
func TestScoreFaultJSON(t *testing.T) {
	t.Parallel()
	score := func(endpoint string) *risk.Report {
		code, out, errOut := runWith(t, map[string]string{"HF_ENDPOINT": endpoint}, "score", "--no-cache", "--inspect-budget", "0",
			"--format", "json", "--fail-on", "none", "hf:quant/franken-GGUF")
		if code != 0 {
			t.Fatalf("score: exit %d: %s", code, errOut)
		}
		reps, err := report.Decode(strings.NewReader(out))
		if err != nil || len(reps) != 1 {
			t.Fatalf("score output: %v, %d reports", err, len(reps))
		}
		rep, err := httpfault.Normalize(reps[0], endpoint)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	clean := score(hubtest.NewServer(t, hubSnap).URL)
	for _, f := range cliFaults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			front := httpfault.Serve(t, f, hubtest.NewServer(t, hubSnap).Config.Handler)
			rep := score(front.URL)
			for _, v := range httpfault.Compare(clean, rep) {
				t.Errorf("%s", v)
			}
			if f.Transient && !httpfault.Equal(clean, rep) {
				t.Errorf("transient fault not absorbed: %v", httpfault.Markers(clean, rep))
			}
		})
	}
}
