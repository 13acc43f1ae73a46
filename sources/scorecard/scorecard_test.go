package scorecard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

// fixedTime is the read time every test source reports.
var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeAPI serves the recorded API answers under their API paths, and
// canned failures for a few made-up repositories.
func fakeAPI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	bodies := map[string][]byte{}
	for path, file := range map[string]string{
		"/projects/github.com/ossf/scorecard":                 "testdata/ossf-scorecard.json",
		"/projects/github.com/rohankh532/scorecard-oidc-test": "testdata/oidc-test-2022.json",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bodies[path] = b
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if b, ok := bodies[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
			return
		}
		switch r.URL.Path {
		case "/projects/github.com/acme/broken":
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("upstream failure"))
		case "/projects/github.com/acme/busy":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/projects/github.com/acme/badjson":
			w.Write([]byte("{\n  \"date\": \"2025-01-01T00:00:00Z\",\n  \"score\": 7.1,\n  \"checks\": [\n    {\"name\": \"SAST\" \"score\": 3}\n  ]\n}\n"))
		case "/projects/github.com/acme/badtype":
			w.Write([]byte("{\"score\": \"high\", \"checks\": []}"))
		case "/projects/github.com/acme/html":
			w.Write([]byte("<html><body>maintenance</body></html>"))
		case "/projects/github.com/acme/notresult":
			w.Write([]byte(`{"code": 400, "message": "invalid repo"}`))
		case "/projects/github.com/acme/badcheck":
			w.Write([]byte(`{"date":"yesterday","repo":{"name":"github.com/acme/badcheck","commit":"abc"},"score":4.0,"checks":[{"name":"SAST","score":42,"reason":"x"},{"name":"License","score":10,"reason":"license file detected"}]}`))
		case "/projects/github.com/acme/bad-request":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code": 400, "message": "repo name is invalid"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"code":404,"message":"The content requested could not be found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// newSource returns a source reading srv with no retries.
func newSource(t *testing.T, srv *httptest.Server) *Source {
	t.Helper()
	c, err := httpclient.New(httpclient.Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Client: c, Endpoint: srv.URL + "/", Clock: func() time.Time { return fixedTime }})
}

func repoSubject(t *testing.T, ref string) sources.Subject {
	t.Helper()
	s, err := sources.ParseRef(ref)
	if err != nil {
		t.Fatalf("ParseRef(%q): %v", ref, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	srv, _ := fakeAPI(t)
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource: func(t *testing.T) sources.Source { return newSource(t, srv) },
		Known: []sources.Subject{
			repoSubject(t, "github.com/ossf/scorecard"),
			repoSubject(t, "https://github.com/rohankh532/scorecard-OIDC-test"),
		},
		Missing:     repoSubject(t, "github.com/acme/unscored"),
		Unsupported: sources.HubModel("ossf/scorecard", ""),
	})
}

func TestCollectRecorded(t *testing.T) {
	t.Parallel()
	srv, _ := fakeAPI(t)
	src := newSource(t, srv)
	subj := repoSubject(t, "github.com/ossf/scorecard")
	obs, err := src.Collect(context.Background(), subj)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	body, err := os.ReadFile("testdata/ossf-scorecard.json")
	if err != nil {
		t.Fatal(err)
	}
	wantOrigin := sources.Origin{
		Source:      "scorecard",
		Locator:     srv.URL + "/projects/github.com/ossf/scorecard",
		Digest:      sources.Digest(body),
		RetrievedAt: fixedTime,
	}
	if len(obs.Evidence) != 19 {
		t.Fatalf("got %d evidence, want 19 (aggregate + 18 checks)", len(obs.Evidence))
	}
	type fact struct {
		Value string
		Attrs map[string]string
	}
	got := map[string]fact{}
	var order []string
	for _, e := range obs.Evidence {
		if e.Kind != sources.KindScorecard {
			t.Errorf("evidence %s kind = %q, want %q", e.ID, e.Kind, sources.KindScorecard)
		}
		if diff := cmp.Diff(wantOrigin, e.Origin); diff != "" {
			t.Errorf("evidence %s origin (-want +got):\n%s", e.ID, diff)
		}
		got[e.Attr("check")] = fact{e.Value, e.Attrs}
		order = append(order, e.Attr("check"))
	}
	const doc = "https://github.com/ossf/scorecard/blob/c22063e786c11f9dd714d777a687ff7c4599b600/docs/checks.md#"
	want := map[string]fact{
		"aggregate": {"9.7", map[string]string{
			"check": "aggregate", "date": "2025-11-15T02:10:48Z",
			"commit": "80ee3ecfedf8b19ab8991713a9fdb2e7dcd7262e", "repo": "github.com/ossf/scorecard",
			"scorecard_version": "v5.3.0",
		}},
		"Vulnerabilities": {"8", map[string]string{
			"check": "Vulnerabilities", "reason": "2 existing vulnerabilities detected", "documentation": doc + "vulnerabilities",
		}},
		"Branch-Protection": {"-1", map[string]string{
			"check": "Branch-Protection", "documentation": doc + "branch-protection",
			"reason": "internal error: error during branchesHandler.setup: internal error: some github tokens can't read classic branch protection rules: https://github.com/ossf/scorecard-action/blob/main/docs/authentication/fine-grained-auth-token.md",
		}},
		"CII-Best-Practices": {"5", map[string]string{
			"check": "CII-Best-Practices", "reason": "badge detected: Passing", "documentation": doc + "cii-best-practices",
		}},
	}
	for check, w := range want {
		if diff := cmp.Diff(w, got[check]); diff != "" {
			t.Errorf("check %s (-want +got):\n%s", check, diff)
		}
	}
	wantOrder := []string{"aggregate", "Binary-Artifacts", "Branch-Protection", "CI-Tests", "CII-Best-Practices",
		"Code-Review", "Contributors", "Dangerous-Workflow", "Dependency-Update-Tool", "Fuzzing", "License",
		"Maintained", "Packaging", "Pinned-Dependencies", "SAST", "Security-Policy", "Signed-Releases",
		"Token-Permissions", "Vulnerabilities"}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("evidence order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(subj, obs.Subject); diff != "" {
		t.Errorf("observation subject (-want +got):\n%s", diff)
	}
	if len(obs.Edges) != 0 {
		t.Errorf("got %d edges, want none", len(obs.Edges))
	}
}

func TestCollectDateOnlyResult(t *testing.T) {
	t.Parallel()
	srv, _ := fakeAPI(t)
	obs, err := newSource(t, srv).Collect(context.Background(), repoSubject(t, "github.com/rohankh532/scorecard-OIDC-test"))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	agg := obs.Evidence[0]
	want := map[string]string{
		"check": "aggregate", "date": "2022-04-11", "commit": "f4dfcefa9063c99d52e3b4d68375a0a7d8cdf5da",
		"repo": "github.com/rohankh532/scorecard-OIDC-test", "scorecard_version": "unknown",
	}
	if agg.Value != "5.1" {
		t.Errorf("aggregate value = %q, want 5.1", agg.Value)
	}
	if diff := cmp.Diff(want, agg.Attrs); diff != "" {
		t.Errorf("aggregate attrs (-want +got):\n%s", diff)
	}
}

func TestCollectFailures(t *testing.T) {
	t.Parallel()
	srv, _ := fakeAPI(t)
	tests := []struct {
		repo         string
		want         error // sentinel, or nil for an unclassified error
		wantContains []string
		wantPartial  bool
	}{
		{repo: "unscored", want: sources.ErrNotFound, wantContains: []string{"HTTP 404", "no published Scorecard result for github.com/acme/unscored", "run scorecard yourself"}},
		{repo: "busy", want: sources.ErrRateLimited, wantContains: []string{"429"}},
		{repo: "broken", want: sources.ErrUnavailable, wantContains: []string{"HTTP 500", "try again later"}},
		{repo: "bad-request", wantContains: []string{"HTTP 400", "repo name is invalid"}},
		{repo: "badjson", want: sources.ErrMalformed, wantContains: []string{"line 5, column 21"}},
		{repo: "badtype", want: sources.ErrMalformed, wantContains: []string{`field "score"`, "line 1"}},
		{repo: "html", want: sources.ErrMalformed, wantContains: []string{"line 1, column 1"}},
		{repo: "notresult", want: sources.ErrMalformed, wantContains: []string{"not a Scorecard result"}},
		{repo: "badcheck", want: sources.ErrMalformed, wantPartial: true, wantContains: []string{`check "SAST": score 42`, `field "date" = "yesterday"`}},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			t.Parallel()
			src := newSource(t, srv)
			obs, err := src.Collect(context.Background(), repoSubject(t, "github.com/acme/"+tt.repo))
			if err == nil {
				t.Fatal("Collect succeeded, want an error")
			}
			var se *sources.Error
			if !errors.As(err, &se) || se.Source != "scorecard" {
				t.Errorf("error %v is not a *sources.Error of the scorecard source", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want one wrapping %v", err, tt.want)
			}
			if tt.want == nil && sources.Category(err) != "error" {
				t.Errorf("error category = %q, want error", sources.Category(err))
			}
			for _, s := range tt.wantContains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if (obs != nil) != tt.wantPartial {
				t.Errorf("observation = %v, want one only for a partial result (%v)", obs, tt.wantPartial)
			}
		})
	}
}

func TestCollectPartialKeepsUsableChecks(t *testing.T) {
	t.Parallel()
	srv, _ := fakeAPI(t)
	obs, _ := newSource(t, srv).Collect(context.Background(), repoSubject(t, "github.com/acme/badcheck"))
	if obs == nil {
		t.Fatal("no observation")
	}
	var got []string
	for _, e := range obs.Evidence {
		got = append(got, e.Attr("check")+"="+e.Value)
	}
	if diff := cmp.Diff([]string{"aggregate=4.0", "License=10"}, got); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
}

func TestCollectCommitQuery(t *testing.T) {
	t.Parallel()
	var gotQuery atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery.Store(r.URL.RawQuery)
		w.Write([]byte(`{"date":"2025-01-01","repo":{"name":"github.com/o/r","commit":"0123456789abcdef0123456789abcdef01234567"},"score":5,"checks":[]}`))
	}))
	t.Cleanup(srv.Close)
	src := newSource(t, srv)
	tests := []struct{ rev, wantQuery string }{
		{"0123456789abcdef0123456789abcdef01234567", "commit=0123456789abcdef0123456789abcdef01234567"},
		{"main", ""},
		{"", ""},
	}
	for _, tt := range tests {
		subj := repoSubject(t, "github.com/o/r")
		subj.Revision = tt.rev
		obs, err := src.Collect(context.Background(), subj)
		if err != nil {
			t.Fatalf("Collect(rev %q): %v", tt.rev, err)
		}
		if q := gotQuery.Load().(string); q != tt.wantQuery {
			t.Errorf("rev %q: query = %q, want %q", tt.rev, q, tt.wantQuery)
		}
		if obs.Subject != subj {
			t.Errorf("rev %q: observed subject %+v, want %+v", tt.rev, obs.Subject, subj)
		}
	}
}

func TestSupports(t *testing.T) {
	t.Parallel()
	src := New(Options{})
	tests := []struct {
		subj sources.Subject
		want bool
	}{
		{repoSubject(t, "github.com/huggingface/transformers"), true},
		{sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/o/r"}, true},
		{sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:gitlab/o/r"}, false},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:github/o/r"}, false},
		{sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/o"}, false},
		{sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/o/../x"}, false},
		{sources.HubModel("o/r", ""), false},
	}
	for _, tt := range tests {
		if got := src.Supports(tt.subj); got != tt.want {
			t.Errorf("Supports(%+v) = %v, want %v", tt.subj, got, tt.want)
		}
	}
}

func TestBadEndpoint(t *testing.T) {
	t.Parallel()
	src := New(Options{Endpoint: "ftp://example.invalid"})
	_, err := src.Collect(context.Background(), repoSubject(t, "github.com/o/r"))
	if err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("Collect with an ftp endpoint = %v, want an error naming the endpoint", err)
	}
}

func TestCollectUnsupported(t *testing.T) {
	t.Parallel()
	src := New(Options{})
	_, err := src.Collect(context.Background(), sources.HubModel("o/r", ""))
	if !errors.Is(err, sources.ErrUnsupported) {
		t.Errorf("Collect(hub model) = %v, want ErrUnsupported", err)
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ..."},
		{"ééééééééééé", 10, "ééééééé..."},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	long := strings.Repeat("a", 1000)
	if got := []rune(clip(long, maxReason)); len(got) != maxReason {
		t.Errorf("clip of 1000 runes has %d runes, want %d", len(got), maxReason)
	}
}
