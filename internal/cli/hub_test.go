package cli_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// hubSnap is the Hugging Face source's test snapshot: a 5-model lineage
// with every endpoint recorded.
const hubSnap = "../../sources/huggingface/testdata/snap"

// demo is the bundled demo snapshot of real Hub records.
const demo = "../../testdata/hub"

// realLineages are lineages of real Hub models in the bundled snapshot
// with golden reports: license laundering of Llama 2 (MIT, Apache-2.0),
// publishers in China and the UAE, a re-upload under Meta's name, an
// individual re-publisher's GGML quantization, a merge of video models
// with absent bases, a Gemma derivative, and a custom license.
var realLineages = []string{
	"linagora/Labess-7b-chat",
	"zjunlp/OneGen-SelfRAG-Llama2-7B",
	"joepramatha09/Llama-2-7b-chat-hf",
	"TheBloke/Llama-2-7B-Chat-GGML",
	"TencentARC/VideoPainter",
	"mlabonne/Gemmalpaca-7B",
	"THUDM/CogVideoX-5b",
}

// TestDemoOffline scores real lineages from the bundled snapshot offline,
// the README's main command among them, against golden reports.
func TestDemoOffline(t *testing.T) {
	t.Parallel()
	for _, id := range realLineages {
		name := strings.ToLower(strings.ReplaceAll(id, "/", "--"))
		formats := []string{"text"}
		if id == realLineages[0] {
			formats = append(formats, "json")
		}
		for _, format := range formats {
			code, out, errOut := run(t, "score", "--offline", demo, "--format", format, "--fail-on", "none", "hf:"+id)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", id, code, errOut)
			}
			ext := map[string]string{"text": "txt", "json": "json"}[format]
			golden(t, "hub/"+name+"."+ext, normalize(t, out))
		}
	}
}

// TestHistoryGolden scores, from the test snapshot with full history, a
// user's repository whose weights another account replaced after release.
func TestHistoryGolden(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "score", "--offline", hubSnap, "--fail-on", "none", "hf:someone/swapped-weights")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "hub/someone--swapped-weights.txt", normalize(t, out))
}

// TestSnapshotReplay records a lineage from a fake Hub with 'pedigree
// snapshot' and checks that scoring the snapshot offline gives the same
// report, byte for byte, as scoring online.
func TestSnapshotReplay(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, hubSnap)
	hub.Gate("gated/secret-model")
	env := map[string]string{"HF_ENDPOINT": hub.URL}
	out := t.TempDir()

	code, stdout, stderr := runWith(t, env, "snapshot", "--no-cache", "--out", out, "hf:quant/franken-GGUF", "hf:acme/base-7b")
	if code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "hf:quant/franken-GGUF: 7 subjects") || !strings.Contains(stdout, "wrote ") {
		t.Errorf("snapshot output: %q", stdout)
	}
	// Both the branch and the commit name each file.
	for _, p := range []string{"api/models/quant/franken-GGUF.json", "quant/franken-GGUF/resolve/main/README.md",
		"api/models/acme/base-7b/revision/bcb0c536b4a056c69d7e683bd66773f52c3bdbe7.json",
		"acme/base-7b/resolve/bcb0c536b4a056c69d7e683bd66773f52c3bdbe7/config.json", "api/datasets/acme/chat-data.json"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("snapshot lacks %s: %v", p, err)
		}
	}

	before := hub.Total()
	// A recorded snapshot holds no weight files: compare reports made
	// without looking inside them.
	_, online, stderr := runWith(t, env, "score", "--no-cache", "--inspect-budget", "0", "--format", "json", "hf:quant/franken-GGUF")
	if stderr != "" {
		t.Errorf("online score: %s", stderr)
	}
	if hub.Total() == before {
		t.Fatal("the online score made no request")
	}
	before = hub.Total()
	_, offline, stderr := runWith(t, env, "score", "--offline", out, "--inspect-budget", "0", "--format", "json", "hf:quant/franken-GGUF")
	if stderr != "" {
		t.Errorf("offline score: %s", stderr)
	}
	if hub.Total() != before {
		t.Errorf("--offline made %d requests", hub.Total()-before)
	}
	if online != offline {
		t.Errorf("the offline replay differs from the online report:\n--- online\n%s\n--- offline\n%s", online, offline)
	}
	if _, err := report.Decode(strings.NewReader(offline)); err != nil {
		t.Errorf("offline report does not decode: %v", err)
	}
}

// TestHubOfflineCache reads a model from a local Hugging Face cache with
// HF_HUB_OFFLINE=1: no request, the card and files from the cache.
func TestHubOfflineCache(t *testing.T) {
	t.Parallel()
	hubCache := t.TempDir()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	repo := filepath.Join(hubCache, "models--acme--cached-model")
	write := func(rel, body string) {
		p := filepath.Join(repo, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("refs/main", sha)
	write("snapshots/"+sha+"/README.md", "---\nlicense: mit\nbase_model: acme/base-7b\n---\n# Cached\n")
	write("snapshots/"+sha+"/config.json", `{"architectures":["LlamaForCausalLM"],"model_type":"llama"}`)
	write("snapshots/"+sha+"/pytorch_model.bin", "\x80\x02}q\x00.")

	env := map[string]string{"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": hubCache, "HF_ENDPOINT": "http://127.0.0.1:1"}
	code, out, stderr := runWith(t, env, "score", "--format", "json", "hf:acme/cached-model")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	reps, err := report.Decode(strings.NewReader(out))
	if err != nil || len(reps) != 1 {
		t.Fatalf("%d reports, %v", len(reps), err)
	}
	rep := reps[0]
	if rep.Subject.Revision != sha {
		t.Errorf("revision = %q, want the cached ref %s", rep.Subject.Revision, sha)
	}
	var license, pickle bool
	for _, e := range rep.Evidence {
		license = license || e.Kind == "license" && e.Value == "mit"
		pickle = pickle || e.Kind == "file" && e.Value == "pytorch_model.bin" && e.Attrs["format"] == "pickle" && e.Attrs["detected_by"] == "magic"
	}
	if !license || !pickle {
		t.Errorf("from the cache: license read %v, pickle detected by its bytes %v", license, pickle)
	}
}

// TestTokenNeverPrinted sends HF_TOKEN to the Hub and checks it appears in
// no output, report, HTTP cache file or snapshot file.
func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	const token = "hf_SeCrEtToKeN0123456789"
	hub := hubtest.NewServer(t, hubSnap)
	var mu sync.Mutex
	var auth []string
	inner := hubtest.NewServer(t, hubSnap)
	hub.Handle(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		// Answer with an error that echoes the request, as a careless
		// server might.
		if strings.Contains(r.URL.Path, "gated") {
			w.Header().Set("X-Error-Code", "GatedRepo")
			http.Error(w, "no access for "+r.Header.Get("Authorization"), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, inner.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	cache, snapOut := t.TempDir(), t.TempDir()
	env := map[string]string{"HF_ENDPOINT": hub.URL, "HF_TOKEN": token}
	for _, args := range [][]string{
		{"score", "--cache-dir", cache, "--format", "json", "hf:quant/franken-GGUF"},
		{"score", "--cache-dir", cache, "hf:gated/secret-model"},
		{"snapshot", "--cache-dir", cache, "--out", snapOut, "hf:merge/franken"},
	} {
		_, out, errOut := runWith(t, env, args...)
		if strings.Contains(out, token) || strings.Contains(errOut, token) {
			t.Errorf("%v: the token appears in the output", args)
		}
	}
	mu.Lock()
	sent := 0
	for _, a := range auth {
		if a == "Bearer "+token {
			sent++
		}
	}
	mu.Unlock()
	if sent == 0 {
		t.Error("the token was never sent to the Hub")
	}
	if inner.Total() == 0 {
		t.Error("the redirect to the second host was not followed")
	}
	for _, dir := range []string{cache, snapOut} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) {
					t.Errorf("%s holds the token", p)
				}
			}
			return nil
		})
	}
}

// TestHubSampleSweep scores every model of the shared Hub sample offline:
// each must give a valid report, whatever the sample lacks.
func TestHubSampleSweep(t *testing.T) {
	const sample = "../../../shared/hub-sample"
	if testing.Short() {
		t.Skip("the sweep reads 1,300 models")
	}
	owners, err := os.ReadDir(filepath.Join(sample, "api", "models"))
	if err != nil {
		t.Skipf("no shared Hub sample: %v", err)
	}
	var refs []string
	for _, o := range owners {
		files, _ := os.ReadDir(filepath.Join(sample, "api", "models", o.Name()))
		for _, f := range files {
			if name, ok := strings.CutSuffix(f.Name(), ".json"); ok {
				refs = append(refs, "hf:"+o.Name()+"/"+name)
			}
		}
	}
	args := append([]string{"score", "--offline", sample, "--format", "json", "--fail-on", "none"}, refs...)
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(refs) {
		t.Fatalf("%d reports for %d models", len(lines), len(refs))
	}
	for i, l := range lines {
		reps, err := report.Decode(strings.NewReader(l))
		if err != nil || len(reps) != 1 {
			t.Fatalf("report %d (%s): %v", i, refs[i], err)
		}
		if reps[0].Subject.Ref != refs[i] {
			t.Errorf("report %d is about %s, want %s", i, reps[0].Subject.Ref, refs[i])
		}
	}
}

// TestDependenciesOffline scores a folder that ships pinned requirements
// against an offline OSV database built from real advisories.
func TestDependenciesOffline(t *testing.T) {
	t.Parallel()
	db := t.TempDir()
	dir := filepath.Join(db, "osv-scalibr", "PyPI")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "all.zip"), osvDBZip(t), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "score", "--osv-db", db, "--fail-on", "none", filepath.Join(models, "inference-code"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "inference-code-osv.txt", normalize(t, strings.ReplaceAll(out, db, "$OSVDB")))
	if !strings.Contains(out, "GHSA-x84v-xcm2-53pg") || !strings.Contains(out, "dependency-vulnerable") {
		t.Errorf("the vulnerable requests pin is not reported:\n%s", out)
	}
}

// TestScorecardLocal scores a model with a local checkout of its code: the
// checkout is linked as its code repository, Scorecard's file-based checks
// run over it with no network, and repo-scorecard-low reports the weak
// checks.
func TestScorecardLocal(t *testing.T) {
	t.Parallel()
	repo := filepath.Join("..", "..", "testdata", "repos", "trainer")
	code, out, errOut := run(t, "score", "--format", "json", "--fail-on", "none", "--scorecard-local", repo, filepath.Join(models, "inference-code"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	reps, err := report.Decode(strings.NewReader(out))
	if err != nil || len(reps) != 1 {
		t.Fatalf("decode: %v (%d reports)", err, len(reps))
	}
	rep := reps[0]
	abs, err := filepath.Abs(repo)
	if err != nil {
		t.Fatal(err)
	}
	id := sources.FileURL(abs)
	n, ok := rep.NodeByID(id)
	if !ok || n.Kind != sources.SubjectRepository || n.State != risk.NodeCollected {
		t.Fatalf("checkout node = %+v (found %v), want a collected repository", n, ok)
	}
	linked := false
	for _, e := range rep.Lineage.Edges {
		if e.From == rep.Subject.PURL && e.To == id && e.Relation == sources.RelCodeRepository && len(e.Evidence) == 1 {
			linked = true
		}
	}
	if !linked {
		t.Errorf("no code_repository edge from the model to the checkout: %+v", rep.Lineage.Edges)
	}
	var fail *risk.Finding
	for i, f := range rep.Findings {
		if f.Rule == "repo-scorecard-low" && f.Subject == id {
			fail = &rep.Findings[i]
		}
	}
	if fail == nil || fail.Outcome != risk.OutcomeFail || !strings.Contains(fail.Message, "Token-Permissions 0/10") {
		t.Fatalf("repo-scorecard-low on the checkout = %+v, want a failure naming Token-Permissions", fail)
	}
	for _, ev := range rep.Evidence {
		if ev.Kind == sources.KindScorecard && (ev.Origin.Source != "scorecard-local" || ev.Origin.Locator != id) {
			t.Errorf("scorecard evidence %s is located at %s %s, want scorecard-local at the checkout", ev.ID, ev.Origin.Source, ev.Origin.Locator)
		}
	}
}

func TestScorecardLocalMissingCheckout(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "score", "--scorecard-local", "no/such/checkout", filepath.Join(models, "inference-code"))
	if code != 2 || !strings.Contains(errOut, "no/such/checkout") || !strings.Contains(errOut, "local clone") {
		t.Errorf("exit %d, stderr %q; want a usage error naming the checkout", code, errOut)
	}
}
