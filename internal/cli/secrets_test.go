package cli_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/batch"
	"github.com/pedigree-ai/pedigree/internal/cli"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// The tests of this file run the command in a child process (the test
// binary again, running only TestSecretsChild) so that each run has its
// own environment, working directory and umask, as a real process has: the
// HTTP client reads the proxy and certificate variables from the process
// environment, os.UserCacheDir reads HOME and XDG_CACHE_HOME, os.TempDir
// reads TMPDIR, and the umask is process-wide.
const (
	childFlag  = "PEDIGREE_SECRETS_CHILD" // "1" in the child
	childArgs  = "PEDIGREE_SECRETS_ARGS"  // the command's arguments, as a JSON array
	childUmask = "PEDIGREE_SECRETS_UMASK" // the child's umask, in octal
	childStore = "PEDIGREE_SECRETS_STORE" // a state file to write and leave open (see TestStateFileModes)
)

// canaries are distinctive values for every token variable Pedigree
// reads (HF_TOKEN, HUGGING_FACE_HUB_TOKEN) or that tools of the ecosystem
// read (the GitHub ones, which Scorecard's clients use): none of them may
// appear in anything Pedigree writes.
var canaries = map[string]string{
	"HF_TOKEN":               "hf_CanaryHfTok7Qx3Zr9Lm2Wp4Tn8",
	"HUGGING_FACE_HUB_TOKEN": "hf_CanaryLegacy5Vb8Kd1Jh6Ys3Rc0",
	"GITHUB_TOKEN":           "ghp_CanaryGitHub2Nf7Pq4Wz9Xe1Ua6",
	"GH_TOKEN":               "gho_CanaryGhCli8Mt3Ls6Dv0Bq5Hk2",
	"GITHUB_AUTH_TOKEN":      "ghs_CanaryAuth4Jr9Cx2Ep7Gw1Tf3",
}

// TestSecretsChild runs the command given in the environment; it does
// nothing in a normal test run.
func TestSecretsChild(t *testing.T) {
	if os.Getenv(childFlag) != "1" {
		t.Skip("the child process of the secrets tests")
	}
	if m := os.Getenv(childUmask); m != "" {
		n, err := strconv.ParseUint(m, 8, 32)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad umask:", err)
			os.Exit(125)
		}
		syscall.Umask(int(n))
	}
	if p := os.Getenv(childStore); p != "" {
		os.Exit(leaveStoreOpen(p))
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgs)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad arguments:", err)
		os.Exit(125)
	}
	env := cli.Env{
		Clock:    func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) },
		Tool:     risk.ToolInfo{Name: "pedigree", Version: "test"},
		Licenses: licenses,
		Getenv:   os.Getenv,
		Stdin:    strings.NewReader(""),
	}
	os.Exit(cli.RunEnv(context.Background(), args, os.Stdout, os.Stderr, env))
}

// leaveStoreOpen writes a record into the state file at path and exits
// without closing it, as a killed batch run does, so that the write-ahead
// log is left on disk.
func leaveStoreOpen(path string) int {
	ctx := context.Background()
	s, err := batch.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	reps, err := report.Decode(strings.NewReader(sampleReport()))
	if err != nil || len(reps) != 1 {
		fmt.Fprintf(os.Stderr, "sample report: %d reports, %v\n", len(reps), err)
		return 1
	}
	rec, err := batch.RecordOf("hf:acme/base-7b", reps[0])
	if err == nil {
		err = s.Put(ctx, rec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// sampleReportFile is a real saved report, found from the package's
// folder or from PEDIGREE_SECRETS_REPORT (in a child running elsewhere).
const sampleReportFile = "../../risk/report/testdata/reports/labess.json"

// sampleReport returns the text of sampleReportFile.
func sampleReport() string {
	p := sampleReportFile
	if env := os.Getenv("PEDIGREE_SECRETS_REPORT"); env != "" {
		p = env
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return string(b)
}

// child is how one child process runs.
type child struct {
	dir   string            // working directory
	env   map[string]string // the whole environment
	umask int               // -1: inherited
}

// childResult is what a child run gave.
type childResult struct {
	args           []string
	code           int
	stdout, stderr string
}

// run runs the command args in a child process.
func (c child) run(t *testing.T, args ...string) childResult {
	t.Helper()
	return c.start(t, childArgs, mustJSON(t, args), args)
}

func (c child) start(t *testing.T, key, value string, args []string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecretsChild$")
	cmd.Dir = c.dir
	cmd.Env = []string{childFlag + "=1", key + "=" + value}
	if c.umask >= 0 {
		cmd.Env = append(cmd.Env, childUmask+"="+strconv.FormatInt(int64(c.umask), 8))
	}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	if code == 125 {
		t.Fatalf("child harness failed for %v: %s", args, errb.String())
	}
	return childResult{args: args, code: code, stdout: out.String(), stderr: errb.String()}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leakForms returns the spellings under which a secret could be written:
// as is, URL-escaped, as a bearer header, and base64-encoded (standard and
// URL alphabets, padded or not) at each of the three byte alignments it can
// have inside a longer encoded value.
func leakForms(secret string) map[string]string {
	forms := map[string]string{
		"raw":          secret,
		"query-escape": url.QueryEscape(secret),
		"path-escape":  url.PathEscape(secret),
		"bearer":       "Bearer " + secret,
	}
	for _, enc := range []struct {
		name string
		e    *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for pad := range 3 {
			s := enc.e.EncodeToString([]byte(strings.Repeat("\x00", pad) + secret))
			// Drop the groups the padding bytes and the end of the value
			// share with their neighbours: what is left appears whatever
			// surrounds the secret.
			if pad > 0 {
				s = s[4:]
			}
			s = s[:len(s)-4]
			forms[fmt.Sprintf("%s@%d", enc.name, pad)] = s
		}
	}
	return forms
}

// leakScanner finds canaries in outputs.
type leakScanner struct {
	forms map[string]string // form label -> spelling
}

func newLeakScanner(secrets map[string]string) *leakScanner {
	s := &leakScanner{forms: map[string]string{}}
	for name, secret := range secrets {
		for form, v := range leakForms(secret) {
			s.forms[name+" ("+form+")"] = v
		}
	}
	return s
}

// scan returns a description of each canary found in b, which is named
// where.
func (s *leakScanner) scan(where string, b []byte) []string {
	var found []string
	for label, v := range s.forms {
		if bytes.Contains(b, []byte(v)) {
			found = append(found, fmt.Sprintf("%s holds %s", where, label))
		}
	}
	slices.Sort(found)
	return found
}

// scanTree scans every file under dir, and the records of every batch
// state database among them (their reports are compressed inside).
func (s *leakScanner) scanTree(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		found = append(found, s.scan(p, b)...)
		if bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
			found = append(found, s.scanState(t, p)...)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return found
}

// scanState scans every record of the batch state database at path,
// decoded: keys, errors and decompressed reports.
func (s *leakScanner) scanState(t *testing.T, path string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := batch.Open(ctx, path, batch.WithBusyTimeout(0))
	if err != nil {
		t.Fatalf("open the state %s: %v", path, err)
	}
	defer st.Close()
	statuses, err := st.Statuses(ctx)
	if err != nil {
		t.Fatalf("read the state %s: %v", path, err)
	}
	var found []string
	for key := range statuses {
		rec, ok, err := st.Get(ctx, key)
		if err != nil || !ok {
			t.Fatalf("read record %q of %s: %v (found %v)", key, path, err, ok)
		}
		where := fmt.Sprintf("%s record %q", path, key)
		found = append(found, s.scan(where+" key", []byte(rec.Key))...)
		found = append(found, s.scan(where+" error", []byte(rec.Error))...)
		found = append(found, s.scan(where+" report", rec.Report)...)
		if _, err := report.Decode(bytes.NewReader(rec.Report)); err != nil {
			t.Errorf("%s: stored report does not decode: %v", where, err)
		}
	}
	return found
}

// TestLeakScannerFindsPlanted shows that the scanner finds each spelling
// of a canary planted in a file, inside a longer base64 value at every
// alignment, and inside the compressed report of a state database.
func TestLeakScannerFindsPlanted(t *testing.T) {
	t.Parallel()
	const secret = "hf_PlantedCanary1234567890"
	s := newLeakScanner(map[string]string{"HF_TOKEN": secret})
	for form, v := range leakForms(secret) {
		t.Run(form, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "out.txt"), []byte("before "+v+" after"), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := s.scanTree(t, dir); len(got) == 0 {
				t.Errorf("the %s spelling %q planted in a file was not found", form, v)
			}
		})
	}
	for pad := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			b := []byte(enc.EncodeToString([]byte(strings.Repeat("x", pad) + secret + "tail")))
			if got := s.scan("encoded", b); len(got) == 0 {
				t.Errorf("the secret base64-encoded after %d bytes was not found in %s", pad, b)
			}
		}
	}
	if got := s.scan("clean", []byte("hf_PlantedCanary123456789 Bearer hf_Other")); len(got) != 0 {
		t.Errorf("found a canary in text without it: %v", got)
	}

	dir := t.TempDir()
	ctx := context.Background()
	st, err := batch.Open(ctx, filepath.Join(dir, "run.state"))
	if err != nil {
		t.Fatal(err)
	}
	reps, err := report.Decode(strings.NewReader(sampleReport()))
	if err != nil || len(reps) != 1 {
		t.Fatalf("sample report: %v", err)
	}
	reps[0].Labels = map[string]string{"note": "token " + secret}
	rec, err := batch.RecordOf("hf:acme/base-7b", reps[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "run.state"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the report is stored uncompressed: this test no longer shows that the state is decoded")
	}
	got := s.scanTree(t, dir)
	if !slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, "report") }) {
		t.Errorf("the canary in a compressed stored report was not found: %v", got)
	}
}

// requestLog records what a test server received.
type requestLog struct {
	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	server string
	method string
	url    string // as requested, with the Host
	header http.Header
}

func (l *requestLog) add(server string, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, seenRequest{server: server, method: r.Method, url: r.Host + r.URL.RequestURI(), header: r.Header.Clone()})
}

func (l *requestLog) of(server string) []seenRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []seenRequest
	for _, r := range l.reqs {
		if r.server == server {
			out = append(out, r)
		}
	}
	return out
}

// faultyHub is a fake Hub served over TLS that answers from the test
// snapshot but refuses or fails some repositories, echoing the request's
// Authorization header in its error answers as a careless server might
// (in X-Error-Message, which the Hub source quotes in its reasons, and in
// the error page):
//
//   - private/model: 401 with WWW-Authenticate;
//   - gated/secret-model: 403 GatedRepo;
//   - broken/model: 503 (retried at once, then given up);
//   - moved/model: a redirect to another host, over http;
//   - weight files: a redirect to that other host (a CDN), over http;
//   - the first README asked for: a 500, then the answer.
type faultyHub struct {
	tls     *httptest.Server // the Hub, at HF_ENDPOINT
	cdn     *httptest.Server // another host, plain http
	log     *requestLog
	caFile  string // PEM of the Hub's certificate, for SSL_CERT_FILE
	flakyMu sync.Mutex
	flaky   bool
}

func newFaultyHub(t *testing.T, dir string, log *requestLog) *faultyHub {
	t.Helper()
	snap := hubtest.NewServer(t, hubSnap)
	h := &faultyHub{log: log}
	h.cdn = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add("cdn", r)
		snap.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(h.cdn.Close)
	h.tls = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add("hub", r)
		h.serve(w, r, snap)
	}))
	h.tls.StartTLS()
	t.Cleanup(h.tls.Close)
	h.caFile = filepath.Join(dir, "hub-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.tls.Certificate().Raw})
	if err := os.WriteFile(h.caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *faultyHub) serve(w http.ResponseWriter, r *http.Request, snap *hubtest.Server) {
	p := r.URL.Path
	auth := r.Header.Get("Authorization")
	switch {
	case strings.Contains(p, "/private/model"):
		w.Header().Set("WWW-Authenticate", `Bearer realm="hub", error="invalid_token"`)
		w.Header().Set("X-Error-Code", "RepoNotFound")
		w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header: "+auth)
		http.Error(w, "invalid credentials: "+auth, http.StatusUnauthorized)
	case strings.Contains(p, "/gated/secret-model"):
		w.Header().Set("X-Error-Code", "GatedRepo")
		w.Header().Set("X-Error-Message", "Access to model gated/secret-model is restricted for "+auth)
		http.Error(w, "no access for "+auth, http.StatusForbidden)
	case strings.Contains(p, "/broken/model"):
		w.Header().Set("Retry-After", "0")
		http.Error(w, "overloaded while serving "+auth, http.StatusServiceUnavailable)
	case strings.Contains(p, "/moved/model"):
		target := h.cdn.URL + strings.Replace(r.URL.RequestURI(), "moved/model", "acme/base-7b", 1)
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	case strings.Contains(p, "/resolve/") && isWeight(p):
		http.Redirect(w, r, h.cdn.URL+r.URL.RequestURI(), http.StatusFound)
	case strings.HasSuffix(p, "/README.md") && h.firstReadme():
		http.Error(w, "internal error for "+auth, http.StatusInternalServerError)
	default:
		snap.Config.Handler.ServeHTTP(w, r)
	}
}

// firstReadme reports whether this is the first README request.
func (h *faultyHub) firstReadme() bool {
	h.flakyMu.Lock()
	defer h.flakyMu.Unlock()
	first := !h.flaky
	h.flaky = true
	return first
}

func isWeight(p string) bool {
	for _, ext := range []string{".safetensors", ".gguf", ".bin", ".pt"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// osvDBZip is an OSV database zip of real PyPI advisories, one of which
// spells its package name in a way Pedigree normalises (so that a
// normalised copy is written to the cache).
func osvDBZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, id := range []string{"GHSA-462w-v97r-4m45", "GHSA-x84v-xcm2-53pg"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "sources", "osv", "testdata", "records", id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// secretsRun is one run of every command that reads the network or writes
// files, with canary tokens, in fresh directories.
type secretsRun struct {
	root                           string
	home, xdg, tmp, cwd            string // the process's surroundings
	cache, out, state, snap, osvDB string // paths given on the command line
	catalog                        string
	log                            *requestLog
	hub                            *faultyHub
	osv                            *httptest.Server
	proxy                          *httptest.Server
	results                        []childResult
}

// hubRefs are the references assessed: a full lineage with weight files
// behind a CDN, an adapter, and the refusing and failing repositories.
var hubRefs = []string{"hf:quant/franken-GGUF", "hf:lora/chat-lora", "hf:gated/secret-model", "hf:private/model", "hf:broken/model", "hf:moved/model"}

func newSecretsRun(t *testing.T) *secretsRun {
	t.Helper()
	r := &secretsRun{root: t.TempDir(), log: &requestLog{}}
	mk := func(name string) string {
		p := filepath.Join(r.root, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r.home, r.xdg, r.tmp, r.cwd = mk("home"), mk("xdg-cache"), mk("tmp"), mk("cwd")
	r.out, r.state = mk("out"), mk("state")
	// Directories Pedigree creates itself.
	r.cache = filepath.Join(r.root, "given-cache", "http")
	r.snap = filepath.Join(r.root, "snapshot")
	r.osvDB = filepath.Join(r.root, "osv-db")
	fixtures := mk("fixtures")
	r.hub = newFaultyHub(t, fixtures, r.log)
	r.catalog = filepath.Join(fixtures, "catalog.txt")
	if err := os.WriteFile(r.catalog, []byte(strings.Join(hubRefs, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	zipBytes := osvDBZip(t)
	r.osv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.log.add("osv", req)
		switch req.URL.Path {
		case "/PyPI/all.zip":
			w.Write(zipBytes)
		default:
			http.Error(w, "no such ecosystem for "+req.Header.Get("Authorization"), http.StatusNotFound)
		}
	}))
	t.Cleanup(r.osv.Close)
	// Anything addressed to a host other than the loopback test servers
	// goes through this proxy, which refuses it: the test never reaches
	// the network, and it sees what tried to.
	r.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.log.add("proxy", req)
		http.Error(w, "no network in tests", http.StatusForbidden)
	}))
	t.Cleanup(r.proxy.Close)
	return r
}

// env is the child's environment: every canary, the fake Hub, and the
// process's surroundings in the run's directories.
func (r *secretsRun) env(extra map[string]string) map[string]string {
	env := map[string]string{
		"HOME":           r.home,
		"XDG_CACHE_HOME": r.xdg,
		"TMPDIR":         r.tmp,
		"HF_ENDPOINT":    r.hub.tls.URL,
		"SSL_CERT_FILE":  r.hub.caFile,
		"HTTP_PROXY":     r.proxy.URL,
		"HTTPS_PROXY":    r.proxy.URL,
		"NO_PROXY":       "",
	}
	for k, v := range canaries {
		env[k] = v
	}
	for k, v := range extra {
		if v == "" {
			delete(env, k)
			continue
		}
		env[k] = v
	}
	return env
}

// runAll runs the commands under umask: all of them when full is true,
// else one of each kind that writes files (the others only print).
func (r *secretsRun) runAll(t *testing.T, umask int, full bool) {
	t.Helper()
	c := child{dir: r.cwd, env: r.env(nil), umask: umask}
	exts := map[string]string{"text": "txt", "json": "json", "markdown": "md", "sarif": "sarif", "html": "html", "cyclonedx": "cdx.json"}
	formats := reportFormats()
	if !full {
		formats = []string{"json"}
	}
	for _, format := range formats {
		args := append([]string{"score", "--cache-dir", r.cache, "--format", format, "--fail-on", "none",
			"-o", filepath.Join(r.out, "score."+exts[format])}, hubRefs...)
		r.results = append(r.results, c.run(t, args...))
	}
	// The default cache directory, and the report on standard output.
	r.results = append(r.results, c.run(t, append([]string{"score", "--format", "json", "--fail-on", "none"}, hubRefs...)...))
	if full {
		r.results = append(r.results,
			c.run(t, "graph", "--cache-dir", r.cache, "--format", "dot", "hf:quant/franken-GGUF"),
			c.run(t, "graph", "--cache-dir", r.cache, "--format", "mermaid", "hf:gated/secret-model"),
			c.run(t, "graph", "--cache-dir", r.cache, "hf:broken/model"),
		)
	}
	r.results = append(r.results, c.run(t, append([]string{"snapshot", "--cache-dir", r.cache, "--out", r.snap}, hubRefs...)...))
	r.results = append(r.results,
		c.run(t, "batch", "--cache-dir", r.cache, "--state", filepath.Join(r.state, "run.state"), "-o", filepath.Join(r.out, "batch.jsonl"),
			"--summary", "--summary-format", "html", "--summary-out", filepath.Join(r.out, "summary.html"), "--progress", "lines", r.catalog),
		c.run(t, "batch", "--cache-dir", r.cache, "-o", filepath.Join(r.out, "batch-beside.jsonl"), "--summary", "--progress", "lines", r.catalog),
		// No output and no state named: the state goes to the working
		// directory, the reports to standard output.
		c.run(t, "batch", "--cache-dir", r.cache, "--summary", "--summary-format", "csv", "--progress", "none", r.catalog),
		c.run(t, "batch", "merge", r.catalog, filepath.Join(r.out, "batch.jsonl"), "-o", filepath.Join(r.out, "merged.jsonl")),
		c.run(t, "render", "--format", "html", "-o", filepath.Join(r.out, "rendered.html"), filepath.Join(r.out, "score.json")),
		c.run(t, "render", "--format", "sarif", filepath.Join(r.out, "batch.jsonl")),
		c.run(t, "osv-db", "download", r.osvDB, "PyPI", "--base-url", r.osv.URL),
		c.run(t, "osv-db", "download", r.osvDB, "npm", "--base-url", r.osv.URL),
		c.run(t, "policy", "init", "-o", filepath.Join(r.out, "policy.yaml")),
		c.run(t, "explain", "license-missing"),
	)
	// The older token variable alone.
	legacy := child{dir: r.cwd, env: r.env(map[string]string{"HF_TOKEN": ""}), umask: umask}
	r.results = append(r.results, legacy.run(t, "score", "--no-cache", "--format", "markdown", "--fail-on", "none", "hf:lora/chat-lora", "hf:gated/secret-model"))
	// The offline OSV database, whose normalised copy goes to the given
	// cache directory, then to the default one.
	offline := child{dir: r.cwd, env: r.env(map[string]string{"HF_HUB_OFFLINE": "1"}), umask: umask}
	folder, err := filepath.Abs(filepath.Join(models, "inference-code"))
	if err != nil {
		t.Fatal(err)
	}
	r.results = append(r.results,
		offline.run(t, "score", "--osv-db", r.osvDB, "--cache-dir", r.cache, "--format", "json", "--fail-on", "none", folder),
		offline.run(t, "score", "--osv-db", r.osvDB, "--format", "sarif", "--fail-on", "none", folder),
	)
}

// reportFormats are the formats of pedigree score.
func reportFormats() []string {
	return []string{"text", "json", "markdown", "sarif", "html", "cyclonedx"}
}

// TestSecretsAndFiles runs every command that reads the network or writes
// files with canary tokens in every token variable, against a Hub that
// refuses, fails and redirects, under the umasks 022 and 000. It checks
// that no canary, in any spelling, reaches standard output, standard
// error, or any file written (cache entries, state databases and the
// reports inside them, snapshots, summaries, outputs); that the token is
// sent to the Hub's host only; that caches and state are user-only; and
// that nothing is written outside the paths given, the user cache
// directory and (for batch without --state or -o) the working directory.
func TestSecretsAndFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in child processes")
	}
	t.Parallel()
	for _, umask := range []int{0o022, 0o000} {
		t.Run(fmt.Sprintf("umask-%03o", umask), func(t *testing.T) {
			t.Parallel()
			r := newSecretsRun(t)
			r.runAll(t, umask, umask == 0o022)
			r.checkRan(t)
			r.checkNoLeaks(t)
			r.checkTokenHosts(t)
			r.checkPaths(t)
			r.checkModes(t, umask)
		})
	}
}

// checkRan checks that the commands did what the other checks rely on:
// reports were written, error paths were taken, files were written.
func (r *secretsRun) checkRan(t *testing.T) {
	t.Helper()
	for _, res := range r.results {
		if res.code != cli.ExitOK && res.code != cli.ExitError && res.code != cli.ExitUsage {
			t.Errorf("%v: exit %d: %s", res.args, res.code, res.stderr)
		}
	}
	// The refusals and failures reached the reports.
	reps, err := report.Decode(bytes.NewReader(readBytes(t, filepath.Join(r.out, "score.json"))))
	if err != nil {
		t.Fatalf("score.json: %v", err)
	}
	reasons := map[string]string{}
	for _, rep := range reps {
		for _, s := range rep.Sources {
			if s.State == risk.StateFailed {
				reasons[s.Subject] = s.Reason
			}
		}
	}
	for subj, want := range map[string]string{"pkg:huggingface/gated/secret-model": "HTTP 403", "pkg:huggingface/broken/model": "HTTP 503"} {
		if !strings.Contains(reasons[subj], want) {
			t.Errorf("the reports do not record %s as failed with %s: the error path did not run; failures: %v", subj, want, reasons)
		}
	}
	if !strings.Contains(r.results[0].stderr, "HTTP 401") {
		t.Errorf("score: stderr does not report the 401 of private/model:\n%s", r.results[0].stderr)
	}
	for _, name := range []string{"score.json", "batch.jsonl", "merged.jsonl", "summary.html", "rendered.html", "policy.yaml"} {
		if fi, err := os.Stat(filepath.Join(r.out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("output %s was not written: %v", name, err)
		}
	}
	for _, dir := range []string{r.cache, filepath.Join(r.xdg, "pedigree", "http"), filepath.Join(r.xdg, "pedigree", "osv-db"),
		filepath.Join(r.cache, "osv-db"), r.snap, filepath.Join(r.osvDB, "osv-scalibr", "PyPI")} {
		if n := countFiles(t, dir); n == 0 {
			t.Errorf("%s holds no file: the command that writes it did not run as expected", dir)
		}
	}
	if _, err := os.Stat(filepath.Join(r.cwd, "pedigree-batch.state")); err != nil {
		t.Errorf("batch without --state or -o: %v", err)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func (r *secretsRun) checkNoLeaks(t *testing.T) {
	t.Helper()
	s := newLeakScanner(canaries)
	var found []string
	for _, res := range r.results {
		found = append(found, s.scan(fmt.Sprintf("stdout of %v", res.args), []byte(res.stdout))...)
		found = append(found, s.scan(fmt.Sprintf("stderr of %v", res.args), []byte(res.stderr))...)
	}
	found = append(found, s.scanTree(t, r.root)...)
	for _, f := range found {
		t.Error(f)
	}
}

// checkTokenHosts checks that the Hub received the token (from HF_TOKEN,
// or HUGGING_FACE_HUB_TOKEN when HF_TOKEN is unset) and that no other
// server received any credential or canary.
func (r *secretsRun) checkTokenHosts(t *testing.T) {
	t.Helper()
	s := newLeakScanner(canaries)
	sent := map[string]int{}
	for _, req := range r.log.of("hub") {
		auth := req.header.Get("Authorization")
		switch auth {
		case "Bearer " + canaries["HF_TOKEN"]:
			sent["HF_TOKEN"]++
		case "Bearer " + canaries["HUGGING_FACE_HUB_TOKEN"]:
			sent["HUGGING_FACE_HUB_TOKEN"]++
		default:
			t.Errorf("the Hub received %s with Authorization %q, want the HF_TOKEN bearer token", req.url, auth)
		}
	}
	if sent["HF_TOKEN"] == 0 || sent["HUGGING_FACE_HUB_TOKEN"] == 0 {
		t.Errorf("bearer tokens received by the Hub: %v; want both HF_TOKEN and (alone) HUGGING_FACE_HUB_TOKEN", sent)
	}
	for _, server := range []string{"cdn", "osv", "proxy"} {
		for _, req := range r.log.of(server) {
			if a := req.header.Get("Authorization"); a != "" {
				t.Errorf("%s received %s with Authorization %q", server, req.url, a)
			}
			var b bytes.Buffer
			b.WriteString(req.url + "\n")
			req.header.Write(&b)
			for _, f := range s.scan(server+" request "+req.url, b.Bytes()) {
				t.Error(f)
			}
		}
	}
	if n := len(r.log.of("cdn")); n == 0 {
		t.Error("no request followed a redirect to the other host: the cross-host check saw nothing")
	}
	for _, req := range r.log.of("proxy") {
		t.Errorf("a request left for the network: %s %s", req.method, req.url)
	}
}

// checkPaths checks that files were written only where they may be: the
// paths given on the command line, the user cache directory's pedigree
// folder, and the working directory's pedigree-batch.state (batch with
// neither --state nor -o). HOME (apart from the cache directory under
// XDG_CACHE_HOME) and TMPDIR stay empty.
func (r *secretsRun) checkPaths(t *testing.T) {
	t.Helper()
	allowed := []string{
		filepath.Join(r.root, "fixtures"),
		filepath.Join(r.root, "given-cache"),
		filepath.Join(r.xdg, "pedigree"),
		r.out, r.state, r.snap, r.osvDB,
		filepath.Join(r.cwd, "pedigree-batch.state"),
		filepath.Join(r.cwd, "pedigree-batch.state-wal"),
		filepath.Join(r.cwd, "pedigree-batch.state-shm"),
	}
	err := filepath.WalkDir(r.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		for _, a := range allowed {
			if p == a || strings.HasPrefix(p, a+string(filepath.Separator)) {
				return nil
			}
		}
		t.Errorf("%s was written outside the paths Pedigree may write", p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{r.home, r.tmp} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("%s holds %s: nothing may be left there", dir, e.Name())
		}
	}
	if entries, _ := os.ReadDir(r.xdg); len(entries) != 1 || entries[0].Name() != "pedigree" {
		t.Errorf("the user cache directory holds %v, want only pedigree", dirNames(entries))
	}
}

func dirNames(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// checkModes checks that every file and directory under the caches and
// every state file is user-only (files 0600, directories 0700), whatever
// the umask; and that outputs the user asked for are files readable by the
// user only, in directories created with the usual 0755 less the umask.
func (r *secretsRun) checkModes(t *testing.T, umask int) {
	t.Helper()
	private := []string{filepath.Join(r.root, "given-cache"), filepath.Join(r.xdg, "pedigree")}
	for _, dir := range private {
		walkModes(t, dir, func(p string, fi fs.FileInfo) {
			want := fs.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s has mode %04o, want %04o", p, fi.Mode().Perm(), want)
			}
		})
	}
	for _, p := range []string{filepath.Join(r.state, "run.state"), filepath.Join(r.out, "batch-beside.jsonl.state"), filepath.Join(r.cwd, "pedigree-batch.state")} {
		for _, f := range []string{p, p + "-wal", p + "-shm"} {
			fi, err := os.Stat(f)
			if err != nil {
				if f == p {
					t.Errorf("state file: %v", err)
				}
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %04o, want 0600", f, fi.Mode().Perm())
			}
		}
	}
	dirMax := fs.FileMode(0o755 &^ umask)
	for _, dir := range []string{r.out, r.snap, r.osvDB} {
		walkModes(t, dir, func(p string, fi fs.FileInfo) {
			perm := fi.Mode().Perm()
			switch {
			case fi.IsDir() && perm&^dirMax != 0:
				t.Errorf("output directory %s has mode %04o, more than %04o", p, perm, dirMax)
			case !fi.IsDir() && perm&0o077 != 0:
				t.Errorf("output file %s has mode %04o: readable or writable by others", p, perm)
			}
		})
	}
}

// walkModes calls fn for dir and everything under it.
func walkModes(t *testing.T, dir string, fn func(string, fs.FileInfo)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fn(p, fi)
		return nil
	})
	if err != nil {
		t.Errorf("walk %s: %v", dir, err)
	}
}

// TestStateFileModes leaves a state database open with its write-ahead
// log on disk, as a killed batch run does, under the umasks 022 and 000:
// the database and its log are user-only.
func TestStateFileModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Parallel()
	reportFile, err := filepath.Abs(sampleReportFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, umask := range []int{0o022, 0o000} {
		dir := t.TempDir()
		path := filepath.Join(dir, "run.state")
		c := child{dir: dir, env: map[string]string{"HOME": dir, "TMPDIR": dir, "PEDIGREE_SECRETS_REPORT": reportFile}, umask: umask}
		res := c.start(t, childStore, path, []string{"store", path})
		if res.code != 0 {
			t.Fatalf("umask %03o: exit %d: %s", umask, res.code, res.stderr)
		}
		if _, err := os.Stat(path + "-wal"); err != nil {
			t.Errorf("umask %03o: no write-ahead log left: %v", umask, err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(e.Name(), "run.state") {
				t.Errorf("umask %03o: unexpected file %s", umask, e.Name())
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("umask %03o: %s has mode %04o, want 0600", umask, e.Name(), fi.Mode().Perm())
			}
		}
	}
}

// TestArchivesNeverExtracted scores a local folder whose weight files are
// archives (a PyTorch zip checkpoint, a Keras file, a NumPy .npz, a zip
// and a NeMo tar) with entries named to escape: ../../evil, absolute
// paths, and links. Inspecting them must write nothing: the folder, HOME,
// TMPDIR and the working directory are unchanged and no entry name exists
// anywhere.
func TestArchivesNeverExtracted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Parallel()
	root := t.TempDir()
	mk := func(parts ...string) string {
		p := filepath.Join(append([]string{root}, parts...)...)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	home, tmp, cwd := mk("home"), mk("tmp"), mk("work", "cwd")
	folder := mk("work", "models", "archive-model")
	abs := filepath.Join(root, "abs-evil")
	hostile := []string{
		"../../evil", "../../../evil-deep", "archive/../../evil-inner", abs, "/" + strings.TrimPrefix(filepath.Join(root, "abs-evil-2"), "/"),
		`..\..\evil-windows`, "archive/data/../../../../evil-data",
	}
	// A PyTorch checkpoint: archive/data.pkl (a pickle) and the hostile
	// names, stored and deflated.
	pt := zipWith(t, append([]string{"archive/data.pkl", "archive/version"}, hostile...), map[string][]byte{
		"archive/data.pkl": []byte("\x80\x02}q\x00."),
		"archive/version":  []byte("3\n"),
	})
	keras := zipWith(t, append([]string{"metadata.json", "config.json", "model.weights.h5"}, hostile...), map[string][]byte{
		"metadata.json": []byte(`{"keras_version":"3.3.3"}`),
		"config.json":   []byte(`{"class_name":"Sequential","config":{"layers":[]}}`),
	})
	npz := zipWith(t, append([]string{"arr_0.npy"}, hostile...), map[string][]byte{
		"arr_0.npy": []byte("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }" + strings.Repeat(" ", 51) + "\n\x00\x00\x80\x3f"),
	})
	files := map[string][]byte{
		"README.md":         []byte("---\nlicense: apache-2.0\n---\n# Archive model\n"),
		"config.json":       []byte(`{"architectures":["LlamaForCausalLM"],"model_type":"llama"}`),
		"pytorch_model.bin": pt,
		"model.pt":          pt,
		"model.keras":       keras,
		"weights.npz":       npz,
		"extra.zip":         pt,
		"model.nemo":        tarWith(t, append([]string{"model_config.yaml"}, hostile...)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(folder, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := treeListing(t, root)

	c := child{dir: cwd, env: map[string]string{"HOME": home, "TMPDIR": tmp, "HF_HUB_OFFLINE": "1"}, umask: 0o022}
	var results []childResult
	for _, format := range []string{"json", "text"} {
		results = append(results, c.run(t, "score", "--no-cache", "--format", format, "--fail-on", "none", folder))
	}
	results = append(results, c.run(t, "graph", "--no-cache", folder))
	for _, res := range results {
		if res.code != cli.ExitOK {
			t.Fatalf("%v: exit %d: %s", res.args, res.code, res.stderr)
		}
	}
	reps, err := report.Decode(strings.NewReader(results[0].stdout))
	if err != nil || len(reps) != 1 {
		t.Fatalf("report: %v", err)
	}
	inspected := 0
	for _, e := range reps[0].Evidence {
		if e.Kind == "file" && (e.Value == "pytorch_model.bin" || e.Value == "model.keras" || e.Value == "weights.npz") && e.Attrs["detected_by"] == "magic" {
			inspected++
		}
	}
	if inspected == 0 {
		t.Errorf("no archive was read by its bytes: the test did not exercise the inspectors; evidence: %+v", reps[0].Evidence)
	}

	after := treeListing(t, root)
	if diff := slices.Compare(before, after); diff != 0 {
		t.Errorf("scoring changed the files under the test folder:\nbefore: %v\nafter:  %v", before, after)
	}
	for _, p := range []string{abs, filepath.Join(root, "abs-evil-2"), "/evil", "/evil-deep"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists: an archive entry was extracted", p)
		}
	}
}

// zipWith builds a zip of the named entries, stored or deflated in turn;
// entries without content get a short body of their own name.
func zipWith(t *testing.T, names []string, content map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, name := range names {
		method := zip.Store
		if i%2 == 1 {
			method = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		body, ok := content[name]
		if !ok {
			body = []byte("escaped: " + name)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tarWith builds a tar of the named entries plus a symbolic link and a
// hard link pointing outside.
func tarWith(t *testing.T, names []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range names {
		body := []byte("escaped: " + name)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	for _, h := range []*tar.Header{
		{Name: "link-out", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink},
		{Name: "hard-out", Linkname: "../../evil", Typeflag: tar.TypeLink},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// treeListing lists every path under root with its size and mode.
func treeListing(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %s", p, fi.Size(), fi.Mode()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
