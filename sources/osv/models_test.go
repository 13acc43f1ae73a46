package osv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
)

// advisory is what a test checks of one vulnerability evidence.
type advisory struct {
	ID, Aliases, Severity, Score, Fixed string
}

func advisoryOf(e sources.Evidence) advisory {
	return advisory{e.Value, e.Attr("aliases"), e.Attr("severity"), e.Attr("score"), e.Attr("fixed")}
}

// lookupFolder collects the folder dir, then looks up every package it
// depends on, as the engine does, and returns the advisories by package
// subject and the files the dependencies were read from.
func lookupFolder(t *testing.T, s *Source, dir string) (map[string][]advisory, []string) {
	t.Helper()
	subj, err := sources.LocalFolder(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := s.Collect(context.Background(), subj)
	if err != nil {
		t.Fatalf("Collect(%s): %v", dir, err)
	}
	if len(obs.Edges) == 0 {
		t.Fatalf("Collect(%s): no dependencies", dir)
	}
	var files []string
	for _, e := range obs.Evidence {
		files = append(files, e.Attr("file"))
	}
	files = slices.Compact(slices.Sorted(slices.Values(files)))
	got := map[string][]advisory{}
	for _, e := range obs.Edges {
		pobs, err := s.Collect(context.Background(), e.To)
		if err != nil {
			t.Fatalf("Collect(%s): %v", e.To.ID(), err)
		}
		for _, ev := range pobs.Evidence {
			if ev.Kind != sources.KindVulnerability || ev.Subject != e.To.ID() || ev.Attr("package") != e.To.ID() {
				t.Errorf("evidence %+v: want vulnerability evidence about %s", ev, e.To.ID())
			}
			got[e.To.ID()] = append(got[e.To.ID()], advisoryOf(ev))
		}
	}
	return got, files
}

// Advisories of the real records in testdata/records, as the source
// reports them. Scores are CVSS base scores computed by osv-scanner from
// the records' vectors (the highest of v3 and v4); severity is the GitHub
// rating in the record.
var (
	ragRCE       = advisory{"GHSA-3863-2447-669p", "CVE-2023-6730", "CRITICAL", "9.0", "4.36.0"}
	transformRCE = advisory{"GHSA-v68g-wm8c-6x7j", "CVE-2023-7018", "HIGH", "7.8", "4.36.0"}
	tfCheckpoint = advisory{"GHSA-37q5-v5qm-c9v8", "CVE-2024-3568", "LOW", "", "4.38.0"}
	torchLoad    = advisory{"GHSA-53q9-r3pm-6pq6", "CVE-2025-32434", "CRITICAL", "9.3", "2.6.0"}
	pillowEval   = advisory{"GHSA-3f63-hfp8-52jq", "CVE-2023-50447", "HIGH", "8.1", "10.2.0"}
	pillowCMS    = advisory{"GHSA-44wm-f244-xhp3", "CVE-2024-28219", "MODERATE", "7.3", "10.3.0"}
	jinjaAttr    = advisory{"GHSA-h5c8-rqwp-cp95", "CVE-2024-22195", "MODERATE", "5.4", "3.1.3"}
	jinjaSandbox = advisory{"GHSA-462w-v97r-4m45", "CVE-2019-10906", "HIGH", "8.6", "2.10.1"}
)

func TestModelFolderOffline(t *testing.T) {
	t.Parallel()
	s := offlineSource(t, fullDB)
	tests := []struct {
		dir   string
		files []string
		want  map[string][]advisory
	}{
		{
			// requirements.txt of an inference server pinned before the fixes.
			"inference-server",
			[]string{"requirements.txt"},
			map[string][]advisory{
				"pkg:pypi/transformers@4.35.2": {ragRCE, tfCheckpoint, transformRCE},
				"pkg:pypi/torch@2.5.1":         {torchLoad}, // not GHSA-5pcm-hx3q-hm94, fixed in 2.2.0
				"pkg:pypi/pillow@10.0.0":       {pillowEval, pillowCMS},
				"pkg:pypi/jinja2@3.1.2":        {jinjaAttr},
				// requests 2.31.0 is past GHSA-x84v-xcm2-53pg (2.20.0); numpy,
				// accelerate, ... have no record here.
			},
		},
		{
			// poetry.lock upgraded to the fixing versions, with one old pin
			// left; poetry.lock spells "Jinja2" and "Pillow".
			// osv-scanner reads poetry.lock, not pyproject.toml.
			"inference-poetry",
			[]string{"poetry.lock"},
			map[string][]advisory{
				"pkg:pypi/jinja2@2.10": {jinjaSandbox, jinjaAttr},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, files := lookupFolder(t, s, filepath.Join("testdata", "models", tt.dir))
			if diff := cmp.Diff(tt.files, files); diff != "" {
				t.Errorf("dependency files (-want +got):\n%s", diff)
			}
			for _, advs := range got {
				sort.Slice(advs, func(i, j int) bool { return advs[i].ID < advs[j].ID })
			}
			for _, advs := range tt.want {
				sort.Slice(advs, func(i, j int) bool { return advs[i].ID < advs[j].ID })
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("advisories (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPackageSubjectOffline looks packages up directly, as PURLs.
func TestPackageSubjectOffline(t *testing.T) {
	t.Parallel()
	s := offlineSource(t, fullDB)
	tests := []struct {
		subj sources.Subject
		want []advisory
	}{
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:pypi/transformers@4.36.0"}, []advisory{tfCheckpoint}},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:pypi/transformers@4.38.0"}, nil},
		{pkg("pkg:pypi/transformers", "4.35.2"), []advisory{tfCheckpoint, ragRCE, transformRCE}},
		{pkg("pkg:pypi/torch", "2.1.0"), []advisory{torchLoad, {"GHSA-5pcm-hx3q-hm94", "CVE-2024-31580", "HIGH", "8.7", "2.2.0"}}},
		{pkg("pkg:pypi/torch", "2.6.0"), nil},
		// The PURL spells the name as PyPI displays it.
		{pkg("pkg:pypi/Pillow", "10.2.0"), []advisory{pillowCMS}},
		{pkg("pkg:pypi/Pillow", "10.3.0"), nil},
	}
	for _, tt := range tests {
		obs, err := s.Collect(context.Background(), tt.subj)
		if err != nil {
			t.Errorf("Collect(%s): %v", tt.subj.ID(), err)
			continue
		}
		var got []advisory
		for _, e := range obs.Evidence {
			got = append(got, advisoryOf(e))
		}
		sort.Slice(tt.want, func(i, j int) bool { return tt.want[i].ID < tt.want[j].ID })
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Collect(%s) (-want +got):\n%s", tt.subj.ID(), diff)
		}
	}
}

// TestNameNormalization checks that records naming a PyPI package other
// than in its normalised form (GitHub's "Jinja2", "Pillow") match the
// package: osv-scalibr normalises the scanned package's name but compares
// it byte for byte with the record's.
func TestNameNormalization(t *testing.T) {
	t.Parallel()
	db := t.TempDir()
	writeDB(t, db, map[string][]string{"PyPI": {"GHSA-462w-v97r-4m45", "GHSA-3f63-hfp8-52jq", "GHSA-x84v-xcm2-53pg"}})
	cache := t.TempDir()
	s, err := New(Options{DBDir: db, CacheDir: cache, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFolder(t, map[string]string{"requirements.txt": "Jinja2==2.10\nPillow==10.1.0\nRequests==2.19.0\n"})
	got, _ := lookupFolder(t, s, dir)
	want := map[string][]advisory{
		"pkg:pypi/jinja2@2.10":     {jinjaSandbox},
		"pkg:pypi/pillow@10.1.0":   {pillowEval},
		"pkg:pypi/requests@2.19.0": {{"GHSA-x84v-xcm2-53pg", "CVE-2018-18074", "HIGH", "7.5", "2.20.0"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}

	// The evidence still cites the database's own zip.
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/jinja2", "2.10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Evidence) != 1 || obs.Evidence[0].Origin.Locator != s.zipPath("PyPI") {
		t.Errorf("evidence %+v: want one, citing %s", obs.Evidence, s.zipPath("PyPI"))
	}
	// One normalised copy, reused by a second source on the same cache.
	copies, _ := filepath.Glob(filepath.Join(cache, "PyPI-*", "osv-scalibr", "PyPI", "all.zip"))
	if len(copies) != 1 {
		t.Fatalf("normalised copies %v, want one", copies)
	}
	info, err := os.Stat(copies[0])
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{DBDir: db, CacheDir: cache, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if obs, err := s2.Collect(context.Background(), pkg("pkg:pypi/pillow", "10.1.0")); err != nil || len(obs.Evidence) != 1 {
		t.Errorf("second source: %v, %v; want GHSA-3f63-hfp8-52jq", obs, err)
	}
	if after, err := os.Stat(copies[0]); err != nil || !after.ModTime().Equal(info.ModTime()) {
		t.Errorf("the normalised copy was rewritten (%v)", err)
	}
}

// TestNormalizedDBNotCopied checks that a database whose names are all
// normalised is read as it is.
func TestNormalizedDBNotCopied(t *testing.T) {
	t.Parallel()
	db := t.TempDir()
	writeDB(t, db, map[string][]string{"PyPI": {"GHSA-x84v-xcm2-53pg", "GHSA-44wm-f244-xhp3"}})
	cache := filepath.Join(t.TempDir(), "cache")
	s, err := New(Options{DBDir: db, CacheDir: cache, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	root, err := s.matchRoot("PyPI")
	if err != nil || root != s.dbDir {
		t.Errorf("matchRoot = %q, %v; want the database %q", root, err, s.dbDir)
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Errorf("cache folder created (%v), want none", err)
	}
	if root, err := s.matchRoot("npm"); err != nil || root != s.dbDir {
		t.Errorf("matchRoot(npm) = %q, %v; want the database", root, err)
	}
}

// TestOnlineNames checks the online lookup of a package whose record
// spells its name "Pillow": osv-scanner asks the API for the normalised
// name, and the fixed versions are read from the record all the same.
func TestOnlineNames(t *testing.T) {
	t.Parallel()
	record, err := os.ReadFile(filepath.Join("testdata", "records", "GHSA-3f63-hfp8-52jq.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/querybatch":
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			queries = append(queries, string(b))
			mu.Unlock()
			fmt.Fprint(w, `{"results":[{"vulns":[{"id":"GHSA-3f63-hfp8-52jq","modified":"2024-03-27T23:53:00Z"}]}]}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/vulns/GHSA-3f63-hfp8-52jq":
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
	obs, err := s.Collect(context.Background(), pkg("pkg:pypi/Pillow", "10.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	var got []advisory
	for _, e := range obs.Evidence {
		got = append(got, advisoryOf(e))
	}
	if diff := cmp.Diff([]advisory{pillowEval}, got); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(queries) != 1 || !strings.Contains(queries[0], `"name":"pillow"`) {
		t.Errorf("queries %q, want one for the name pillow", queries)
	}
}

// FuzzNormalizeRecord checks that no record makes the name rewrite panic,
// and that a rewritten record is JSON whose PyPI names are normalised.
func FuzzNormalizeRecord(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		`{"affected":[{"package":{"ecosystem":"PyPI","name":"A_B.c"}}]}`,
		`{"affected":[{"package":{"ecosystem":"PyPI:x","name":"<script>Z"}},{"package":null},7]}`,
		`{"affected":[{"package":{"ecosystem":"PyPI","name":1}}]}`,
		`{"affected":{"package":{}}}`, `[]`, `null`, `{`, ``, "\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, ok := normalizeRecord(b, "PyPI")
		if !ok {
			return
		}
		if again, ok := normalizeRecord(out, "PyPI"); ok {
			t.Errorf("rewritten record %s still needs a rewrite: %s", out, again)
		}
	})
}
