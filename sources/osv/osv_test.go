package osv

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

// fixedTime stamps the evidence of tests.
var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func clock() time.Time { return fixedTime }

// writeDB writes an offline database under root holding, for each
// ecosystem, an all.zip of the named records of testdata/records.
func writeDB(t testing.TB, root string, records map[string][]string) {
	t.Helper()
	for eco, names := range records {
		dir := filepath.Join(root, "osv-scalibr", eco)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, name := range names {
			b, err := os.ReadFile(filepath.Join("testdata", "records", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			w, err := zw.Create(name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// fullDB is the records of every test, by ecosystem.
var fullDB = map[string][]string{
	"PyPI": {
		"GHSA-x84v-xcm2-53pg", "GHSA-462w-v97r-4m45", "GHSA-h5c8-rqwp-cp95",
		"GHSA-3863-2447-669p", "GHSA-v68g-wm8c-6x7j", "GHSA-37q5-v5qm-c9v8",
		"GHSA-53q9-r3pm-6pq6", "GHSA-5pcm-hx3q-hm94",
		"GHSA-3f63-hfp8-52jq", "GHSA-44wm-f244-xhp3",
	},
	"npm": {"GHSA-35jh-r3h4-6jhm"},
}

// writeFolder writes files into a new folder and returns it.
func writeFolder(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func offlineSource(t testing.TB, records map[string][]string) *Source {
	t.Helper()
	db := t.TempDir()
	writeDB(t, db, records)
	s, err := New(Options{DBDir: db, Clock: clock, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pkg(purl, version string) sources.Subject {
	return sources.Subject{Kind: sources.SubjectPackage, Ref: purl + "@" + version, PURL: purl, Revision: version}
}

func TestNew(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"online without client", Options{}, true},
		{"online with client", Options{HTTPClient: &http.Client{}}, false},
		{"offline folder", Options{DBDir: t.TempDir()}, false},
		{"offline missing", Options{DBDir: filepath.Join(t.TempDir(), "nope")}, true},
		{"offline file", Options{DBDir: file}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && s.Name() != "osv" {
				t.Errorf("Name() = %q, want osv", s.Name())
			}
		})
	}
}

func TestSupports(t *testing.T) {
	t.Parallel()
	s, err := New(Options{HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		subj sources.Subject
		want bool
	}{
		{sources.Subject{Kind: sources.SubjectModel, Path: "/x"}, true},
		{pkg("pkg:pypi/torch", "1.13.0"), true},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:npm/%40types/node@18.0.0"}, true},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:pypi/torch"}, false},
		{pkg("pkg:huggingface/gpt2", "main"), false},
		{sources.HubModel("gpt2", ""), false},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "not a purl", Revision: "1"}, false},
	}
	for _, tt := range tests {
		if got := s.Supports(tt.subj); got != tt.want {
			t.Errorf("Supports(%+v) = %v, want %v", tt.subj, got, tt.want)
		}
	}
}

func TestParsePackage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		subj sources.Subject
		want pkgRef
		base string
	}{
		{pkg("pkg:pypi/Jinja2", "2.10"), pkgRef{"PyPI", "jinja2", "2.10"}, "pkg:pypi/jinja2"},
		{pkg("pkg:pypi/typing_extensions", "4.0"), pkgRef{"PyPI", "typing-extensions", "4.0"}, "pkg:pypi/typing-extensions"},
		{pkg("pkg:npm/%40types/node", "18.0.0"), pkgRef{"npm", "@types/node", "18.0.0"}, "pkg:npm/%40types/node"},
		{pkg("pkg:golang/github.com/gin-gonic/gin", "v1.9.0"), pkgRef{"Go", "github.com/gin-gonic/gin", "v1.9.0"}, "pkg:golang/github.com/gin-gonic/gin"},
		{pkg("pkg:maven/org.apache.logging.log4j/log4j-core", "2.14.1"), pkgRef{"Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"}, "pkg:maven/org.apache.logging.log4j/log4j-core"},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:cargo/regex@1.5.4"}, pkgRef{"crates.io", "regex", "1.5.4"}, "pkg:cargo/regex"},
	}
	for _, tt := range tests {
		got, err := parsePackage(tt.subj)
		if err != nil {
			t.Errorf("parsePackage(%+v): %v", tt.subj, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parsePackage(%+v) (-want +got):\n%s", tt.subj, diff)
		}
		base, _, ok := got.purl()
		if !ok || base != tt.base {
			t.Errorf("purl() of %+v = %q, %v, want %q", got, base, ok, tt.base)
		}
	}
}

func TestCollectFolder(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"requirements.txt":        "requests==2.19.0\njinja2==2.10\n# a comment\ntorch>=1.0\n",
		"nested/requirements.txt": "flask==0.12\n",
		"osv-scanner.toml":        "[[IgnoredVulns]]\nid = \"GHSA-x84v-xcm2-53pg\"\n",
		"package-lock.json":       `{"name":"x","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","version":"1.0.0","dependencies":{"lodash":"4.17.20"}},"node_modules/lodash":{"version":"4.17.20"}}}`,
		"README.md":               "# model\n",
	})
	subj, err := sources.LocalFolder(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	// The folder scan reads no database: an empty one will do.
	s := offlineSource(t, nil)
	obs, err := s.Collect(context.Background(), subj)
	if err != nil {
		t.Fatal(err)
	}
	type dep struct{ Value, Eco, Name, Version, File string }
	var got []dep
	for _, e := range obs.Evidence {
		if e.Kind != sources.KindDependency {
			t.Errorf("evidence kind %q, want dependency", e.Kind)
		}
		got = append(got, dep{e.Value, e.Attr("ecosystem"), e.Attr("name"), e.Attr("version"), e.Attr("file")})
	}
	want := []dep{
		{"pkg:npm/lodash@4.17.20", "npm", "lodash", "4.17.20", "package-lock.json"},
		{"pkg:pypi/jinja2@2.10", "PyPI", "jinja2", "2.10", "requirements.txt"},
		{"pkg:pypi/requests@2.19.0", "PyPI", "requests", "2.19.0", "requirements.txt"},
		{"pkg:pypi/torch@1.0", "PyPI", "torch", "1.0", "requirements.txt"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
	var edges []string
	for _, e := range obs.Edges {
		if e.Relation != sources.RelDependsOn || !e.Declared || e.To.Kind != sources.SubjectPackage || len(e.Evidence) != 1 {
			t.Errorf("edge %+v: want a declared depends_on edge to a package citing one evidence", e)
		}
		edges = append(edges, e.To.ID())
	}
	wantEdges := []string{"pkg:npm/lodash@4.17.20", "pkg:pypi/jinja2@2.10", "pkg:pypi/requests@2.19.0", "pkg:pypi/torch@1.0"}
	if diff := cmp.Diff(wantEdges, edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	if o := obs.Evidence[0].Origin; o.Locator != filepath.Join(dir, "package-lock.json") || !strings.HasPrefix(o.Digest, "sha256:") || !o.RetrievedAt.Equal(fixedTime) {
		t.Errorf("origin = %+v, want the lockfile's path, digest and the clock's time", o)
	}
}

func TestCollectFolderEmpty(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{"README.md": "# model\n"})
	s := offlineSource(t, nil)
	obs, err := s.Collect(context.Background(), sources.Subject{Kind: sources.SubjectModel, Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Evidence) != 0 || len(obs.Edges) != 0 {
		t.Errorf("folder without lockfiles: got %d evidence, %d edges, want none", len(obs.Evidence), len(obs.Edges))
	}
}

func TestCollectPackageOffline(t *testing.T) {
	t.Parallel()
	s := offlineSource(t, fullDB)
	tests := []struct {
		subj sources.Subject
		want map[string]map[string]string // OSV id -> attrs
	}{
		{pkg("pkg:pypi/requests", "2.19.0"), map[string]map[string]string{
			"GHSA-x84v-xcm2-53pg": {
				"aliases":  "CVE-2018-18074",
				"summary":  "Moderate severity vulnerability that affects requests",
				"severity": "HIGH",
				"cvss":     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
				"score":    "7.5",
				"fixed":    "2.20.0",
				"package":  "pkg:pypi/requests@2.19.0",
			},
		}},
		{pkg("pkg:pypi/requests", "2.20.0"), map[string]map[string]string{}},
		{pkg("pkg:npm/lodash", "4.17.20"), map[string]map[string]string{
			"GHSA-35jh-r3h4-6jhm": nil, // attributes checked by id only
		}},
	}
	for _, tt := range tests {
		obs, err := s.Collect(context.Background(), tt.subj)
		if err != nil {
			t.Errorf("Collect(%s): %v", tt.subj.ID(), err)
			continue
		}
		got := map[string]map[string]string{}
		for _, e := range obs.Evidence {
			if e.Kind != sources.KindVulnerability || e.Subject != tt.subj.ID() {
				t.Errorf("evidence %+v: want vulnerability evidence about %s", e, tt.subj.ID())
			}
			if want := s.zipPath(map[bool]string{true: "npm", false: "PyPI"}[strings.HasPrefix(tt.subj.PURL, "pkg:npm")]); e.Origin.Locator != want || !strings.HasPrefix(e.Origin.Digest, "sha256:") {
				t.Errorf("origin %+v, want %s with a digest", e.Origin, want)
			}
			got[e.Value] = e.Attrs
			if tt.want[e.Value] == nil {
				got[e.Value] = nil
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Collect(%s) vulnerabilities (-want +got):\n%s", tt.subj.ID(), diff)
		}
	}
}

func TestOfflineDBMissing(t *testing.T) {
	t.Parallel()
	s := offlineSource(t, map[string][]string{"npm": {"GHSA-35jh-r3h4-6jhm"}})
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/requests", "2.19.0"))
	if obs != nil || !errors.Is(err, sources.ErrOffline) {
		t.Fatalf("Collect without a PyPI database = %v, %v; want no observation and an error wrapping ErrOffline", obs, err)
	}
	var se *sources.Error
	if !errors.As(err, &se) || se.Source != Name {
		t.Errorf("error %v is not a *sources.Error of osv", err)
	}
}

// TestOfflineDBUnreadable checks that an error osv-scanner only logs fails
// the scan: the PyPI database is present but is not a zip file.
func TestOfflineDBUnreadable(t *testing.T) {
	t.Parallel()
	db := t.TempDir()
	dir := filepath.Join(db, "osv-scalibr", "PyPI")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "all.zip"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{DBDir: db, Clock: clock, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/requests", "2.19.0"))
	if obs != nil || err == nil {
		t.Fatalf("Collect with a corrupt database = %+v, %v; want a failure", obs, err)
	}
}

// rewrite sends every request to the OSV API to srv instead.
type rewrite struct{ srv *httptest.Server }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	u, _ := url.Parse(r.srv.URL)
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, u.Host
	return r.srv.Client().Transport.RoundTrip(out)
}

func TestOnline(t *testing.T) {
	t.Parallel()
	record, err := os.ReadFile(filepath.Join("testdata", "records", "GHSA-x84v-xcm2-53pg.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/querybatch":
			fmt.Fprint(w, `{"results":[{"vulns":[{"id":"GHSA-x84v-xcm2-53pg","modified":"2021-09-21T22:17:45Z"}]}]}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/vulns/GHSA-x84v-xcm2-53pg":
			w.Write(record)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, err := New(Options{HTTPClient: &http.Client{Transport: rewrite{srv}}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/requests", "2.19.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Evidence) != 1 {
		t.Fatalf("got %d evidence, want 1: %+v", len(obs.Evidence), obs.Evidence)
	}
	e := obs.Evidence[0]
	want := sources.Origin{Source: Name, Locator: "https://api.osv.dev/v1/vulns/GHSA-x84v-xcm2-53pg", Digest: sources.Digest(record), RetrievedAt: fixedTime}
	if e.Value != "GHSA-x84v-xcm2-53pg" || e.Attr("fixed") != "2.20.0" {
		t.Errorf("evidence = %+v", e)
	}
	if diff := cmp.Diff(want, e.Origin); diff != "" {
		t.Errorf("origin (-want +got):\n%s", diff)
	}
}

// TestOnlineFailure checks that an OSV API answering 500 fails the scan.
// osv-scanner retries with back-off first, so it takes about 15 s.
func TestOnlineFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("osv-scanner backs off for about 15 s before giving up")
	}
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer srv.Close()
	s, err := New(Options{HTTPClient: &http.Client{Transport: rewrite{srv}}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/requests", "2.19.0"))
	if obs != nil || err == nil {
		t.Fatalf("Collect with a failing API = %+v, %v; want a failure", obs, err)
	}
	if calls.Load() == 0 {
		t.Error("the API was never queried")
	}
}

func TestCanceledWhileScanning(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-block
		http.Error(w, "late", http.StatusBadRequest)
	}))
	defer srv.Close()
	defer close(block)
	s, err := New(Options{HTTPClient: &http.Client{Transport: rewrite{srv}}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Collect(ctx, pkg("pkg:pypi/requests", "2.19.0"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Collect = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Collect returned after %v, want soon after the deadline", d)
	}
}

func TestConformance(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, fullDB)
	dir := writeFolder(t, map[string]string{"requirements.txt": "requests==2.19.0\njinja2==2.10\n"})
	cache := t.TempDir()
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource: func(t *testing.T) sources.Source {
			s, err := New(Options{DBDir: db, CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Known: []sources.Subject{
			{Kind: sources.SubjectModel, Ref: "model", Path: dir},
			pkg("pkg:pypi/requests", "2.19.0"),
		},
		Missing:     sources.Subject{Kind: sources.SubjectModel, Path: filepath.Join(dir, "missing")},
		Unsupported: sources.HubModel("gpt2", ""),
	})
}

// FuzzParsePackage checks that no package subject makes parsing panic and
// that what parses gives a PURL naming the same package.
func FuzzParsePackage(f *testing.F) {
	for _, seed := range []string{"pkg:pypi/torch@1.13.0", "pkg:npm/%40types/node@1", "pkg:maven/a/b@1", "pkg:maven/b@1", "pkg:golang/x@v1", "pkg:cargo/@", "pkg:pypi/A_b.C@1", "pkg:", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		ref, err := parsePackage(sources.Subject{Kind: sources.SubjectPackage, PURL: p})
		if err != nil {
			return
		}
		if ref.Name == "" || ref.Version == "" || ref.Ecosystem == "" {
			t.Errorf("parsePackage(%q) = %+v, want a name, version and ecosystem", p, ref)
		}
		ref.purl()
	})
}

// BenchmarkFolder scans a folder with a 100-line requirements.txt.
func BenchmarkFolder(b *testing.B) {
	var req strings.Builder
	for i := range 100 {
		fmt.Fprintf(&req, "package-%03d==1.%d.0\n", i, i)
	}
	dir := writeFolder(b, map[string]string{"requirements.txt": req.String()})
	s := offlineSource(b, fullDB)
	subj := sources.Subject{Kind: sources.SubjectModel, Path: dir}
	for b.Loop() {
		obs, err := s.Collect(context.Background(), subj)
		if err != nil || len(obs.Evidence) != 100 {
			b.Fatalf("Collect = %d evidence, %v", len(obs.Evidence), err)
		}
	}
}

// BenchmarkPackage queries one package in the offline database.
func BenchmarkPackage(b *testing.B) {
	s := offlineSource(b, fullDB)
	subj := pkg("pkg:pypi/requests", "2.19.0")
	for b.Loop() {
		if _, err := s.Collect(context.Background(), subj); err != nil {
			b.Fatal(err)
		}
	}
}
