package cli_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/cli"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// TestMain lets a test run the CLI in a child process (to kill it): with
// PEDIGREE_TEST_CHILD set, the test binary runs the command in
// PEDIGREE_TEST_ARGS (separated by \x1f) in the tests' offline environment.
func TestMain(m *testing.M) {
	if os.Getenv("PEDIGREE_TEST_CHILD") == "1" {
		args := strings.Split(os.Getenv("PEDIGREE_TEST_ARGS"), "\x1f")
		env := cli.Env{
			Clock:    func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) },
			Tool:     risk.ToolInfo{Name: "pedigree", Version: "test"},
			Licenses: licenses,
			Getenv:   func(k string) string { return offlineEnv[k] },
		}
		os.Exit(cli.RunEnv(context.Background(), args, os.Stdout, os.Stderr, env))
	}
	os.Exit(m.Run())
}

// demoCatalog writes a text catalog of every model of the demo snapshot
// (95 real Hub records) and returns its path and references.
func demoCatalog(t *testing.T, dir string, extra ...string) (string, []string) {
	t.Helper()
	var refs []string
	root := filepath.Join(demo, "api", "models")
	owners, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		files, err := os.ReadDir(filepath.Join(root, o.Name()))
		if err != nil {
			continue
		}
		for _, f := range files {
			if name, ok := strings.CutSuffix(f.Name(), ".json"); ok && !f.IsDir() {
				refs = append(refs, "hf:"+o.Name()+"/"+name)
			}
		}
	}
	path := filepath.Join(dir, "catalog.txt")
	body := "# the demo snapshot's models\n" + strings.Join(append(refs, extra...), "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, refs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBatchKilledAndResumed kills a batch run at random points several
// times and runs the same command again each time: the final output must
// equal an uninterrupted run's, with no subject lost or repeated.
func TestBatchKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Parallel()
	dir := t.TempDir()
	cat, refs := demoCatalog(t, dir)
	want := filepath.Join(dir, "want.jsonl")
	if code, _, errOut := run(t, "batch", "--offline", demo, "--progress", "none", "-o", want, cat); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut)
	}
	if n := strings.Count(readFile(t, want), "\n"); n != len(refs) {
		t.Fatalf("uninterrupted run wrote %d reports for %d references", n, len(refs))
	}

	got := filepath.Join(dir, "got.jsonl")
	args := []string{"batch", "--offline", demo, "--progress", "none", "--jobs", "1", "-o", got, cat}
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PEDIGREE_TEST_CHILD=1", "PEDIGREE_TEST_ARGS="+strings.Join(args, "\x1f"))
		return cmd
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	kills, finished := 0, false
	for attempt := 0; attempt < 12 && !finished; attempt++ {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(100+rng.IntN(1500)) * time.Millisecond
		if attempt >= 8 {
			delay = time.Hour // let it finish
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v", attempt, err)
			}
			finished = true
		case <-time.After(delay):
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-done
			kills++
		}
	}
	if !finished {
		t.Fatal("the batch never finished")
	}
	t.Logf("killed %d times before a run finished", kills)
	if g, w := readFile(t, got), readFile(t, want); g != w {
		t.Errorf("the resumed output differs from the uninterrupted one: %d vs %d bytes, %d vs %d lines",
			len(g), len(w), strings.Count(g, "\n"), strings.Count(w, "\n"))
	}
}

// TestBatchShardsMerge runs a catalog in three shards and merges them: the
// merge equals the unsharded run.
func TestBatchShardsMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cat, _ := demoCatalog(t, dir)
	whole := filepath.Join(dir, "whole.jsonl")
	if code, _, errOut := run(t, "batch", "--offline", demo, "--progress", "none", "-o", whole, cat); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var parts []string
	total := 0
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		if code, _, errOut := run(t, "batch", "--offline", demo, "--progress", "none", "--shard", fmt.Sprintf("%d/3", i), "-o", p, cat); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, errOut)
		}
		n := strings.Count(readFile(t, p), "\n")
		if n == 0 {
			t.Errorf("shard %d is empty", i)
		}
		total += n
		parts = append(parts, p)
	}
	merged := filepath.Join(dir, "merged.jsonl")
	if code, _, errOut := run(t, append([]string{"batch", "merge", "-o", merged, cat}, parts...)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	if readFile(t, merged) != readFile(t, whole) {
		t.Error("the merged shards differ from the unsharded run")
	}
	// A missing shard is a gap, named.
	code, _, errOut := run(t, "batch", "merge", "-o", filepath.Join(dir, "partial.jsonl"), cat, parts[0], parts[1])
	if code != 1 || !strings.Contains(errOut, "no report") {
		t.Errorf("merge without a shard: exit %d, %q; want 1 naming the gap", code, errOut)
	}
}

// TestBatchShardFromJobIndex reads the shard index of a Kubernetes Indexed
// Job from JOB_COMPLETION_INDEX.
func TestBatchShardFromJobIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cat, _ := demoCatalog(t, dir)
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	if code, _, errOut := run(t, "batch", "--offline", demo, "--progress", "none", "--shard", "1/4", "-o", a, cat); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	env := map[string]string{"HF_HUB_OFFLINE": "1", "JOB_COMPLETION_INDEX": "1"}
	if code, _, errOut := runWith(t, env, "batch", "--offline", demo, "--progress", "none", "--shard", "4", "-o", b, cat); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if readFile(t, a) != readFile(t, b) {
		t.Error("--shard 4 with JOB_COMPLETION_INDEX=1 differs from --shard 1/4")
	}
	if code, _, errOut := run(t, "batch", "--offline", demo, "--shard", "4", cat); code != 2 || !strings.Contains(errOut, "JOB_COMPLETION_INDEX") {
		t.Errorf("--shard 4 without the index: exit %d, %q", code, errOut)
	}
}

// TestBatchBadLinesAndFailures reports unreadable catalog lines by number
// and goes on; a model that cannot be read is recorded as failed, kept
// in the output, and retried only with --retry-failed.
func TestBatchBadLinesAndFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cat := filepath.Join(dir, "catalog.csv")
	body := "ref,team\nhf:linagora/Labess-7b-chat,arabic\nnot a ref!!,x\nhf:nobody/not-in-snapshot,y\nhf:linagora/Labess-7b-chat,dup\n"
	if err := os.WriteFile(cat, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	code, _, errOut := run(t, "batch", "--offline", demo, "--progress", "none", "-o", out, cat)
	if code != 2 || !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "line 5") {
		t.Errorf("exit %d, stderr %q; want 2 naming lines 3 and 5", code, errOut)
	}
	if !strings.Contains(errOut, "not-in-snapshot") {
		t.Errorf("the unreadable model is not reported: %q", errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := report.Decode(f)
	f.Close()
	if err != nil || len(reps) != 2 {
		t.Fatalf("decode: %v, %d reports; want the readable model and the failed one", err, len(reps))
	}
	if reps[0].Labels["team"] != "arabic" || reps[1].Root().State != risk.NodeFailed {
		t.Errorf("labels %v, second root %s; want the CSV column as a label and the failed model", reps[0].Labels, reps[1].Root().State)
	}
	// Running again does not retry the failure without --retry-failed ...
	code, _, errOut = run(t, "batch", "--offline", demo, "--progress", "none", "-o", out, cat)
	if code != 2 || !strings.Contains(errOut, "1 of 2 subjects could not be read") {
		t.Errorf("second run: exit %d, %q", code, errOut)
	}
	// ... and does with it (it fails again: the snapshot still lacks it).
	code, _, errOut = run(t, "batch", "--offline", demo, "--progress", "none", "--retry-failed", "-o", out, cat)
	if code != 2 || !strings.Contains(errOut, "not-in-snapshot") {
		t.Errorf("retry run: exit %d, %q", code, errOut)
	}
}

// TestBatchHubSearch lists a catalog through the Hub's search API (the fake
// Hub over the demo snapshot): the listing pages stand in for the listed
// models' records, no record is requested twice, and a warm re-run fetches
// no body.
func TestBatchHubSearch(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, demo)
	hub.SetPageSize(2)
	env := map[string]string{"HF_ENDPOINT": hub.URL}
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	out := filepath.Join(dir, "out.jsonl")
	code, _, errOut := runWith(t, env, "batch", "--cache-dir", cache, "--progress", "none", "-o", out, "hf-search:author=PrunaAI")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := report.Decode(f)
	f.Close()
	if err != nil || len(reps) < 2 {
		t.Fatalf("decode: %v, %d reports; want every PrunaAI model of the snapshot", err, len(reps))
	}
	// The listing stands in for every listed model's record; only the
	// ancestors' records are requested, each once.
	listed := map[string]bool{}
	for _, r := range reps {
		listed["/api/models/"+strings.TrimPrefix(r.Subject.Ref, "hf:")] = true
	}
	for path, n := range hub.Requests() {
		rest, ok := strings.CutPrefix(path, "/api/models/")
		if !ok || strings.Contains(rest, "/tree/") || strings.Contains(rest, "/commits/") || strings.Contains(rest, "/revision/") {
			continue
		}
		if listed[path] {
			t.Errorf("%s was listed, and requested %d times more", path, n)
		}
		if n > 1 {
			t.Errorf("%s requested %d times", path, n)
		}
	}
	bodies := hub.Bodies()
	code, _, errOut = runWith(t, env, "batch", "--cache-dir", cache, "--progress", "none", "--state", filepath.Join(dir, "again.state"), "-o", filepath.Join(dir, "again.jsonl"), "hf-search:author=PrunaAI")
	if code != 0 {
		t.Fatalf("warm run: exit %d: %s", code, errOut)
	}
	if got := hub.Bodies() - bodies; got != 0 {
		t.Errorf("the warm re-run fetched %d bodies; want none", got)
	}
}

// TestBatchOnlineCatalog runs the demo catalog through a fake Hub serving
// the 95 real records: every repository's record is fetched at most once
// in the run (shared bases included), the reports equal an offline run's
// verdicts, and a warm re-run fetches no body.
func TestBatchOnlineCatalog(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, demo)
	env := map[string]string{"HF_ENDPOINT": hub.URL}
	dir := t.TempDir()
	cat, refs := demoCatalog(t, dir)
	cache := filepath.Join(dir, "cache")
	out := filepath.Join(dir, "online.jsonl")
	code, _, errOut := runWith(t, env, "batch", "--cache-dir", cache, "--rate-limit", "-1", "--progress", "none", "-o", out, cat)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(readFile(t, out), "\n"); n != len(refs) {
		t.Errorf("%d reports for %d references", n, len(refs))
	}
	for path, n := range hub.Requests() {
		if n > 1 {
			t.Errorf("%s requested %d times in one run", path, n)
		}
	}
	bodies := hub.Bodies()
	code, _, errOut = runWith(t, env, "batch", "--cache-dir", cache, "--rate-limit", "-1", "--progress", "none",
		"--state", filepath.Join(dir, "warm.state"), "-o", filepath.Join(dir, "warm.jsonl"), cat)
	if code != 0 && code != 1 {
		t.Fatalf("warm run: exit %d: %s", code, errOut)
	}
	if got := hub.Bodies() - bodies; got != 0 {
		t.Errorf("the warm re-run fetched %d bodies; want none", got)
	}
}
