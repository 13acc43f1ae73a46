package checkout

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/scorecard"
)

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func clock() time.Time { return fixedTime }

const headSHA = "0123456789abcdef0123456789abcdef01234567"

// clone copies testdata/<name> into a temporary folder and, unless remote
// is "-", gives it Git metadata: HEAD on main at headSHA, and an origin
// remote when remote is not empty.
func clone(t *testing.T, name, remote string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if remote == "-" {
		return dst
	}
	git := filepath.Join(dst, ".git")
	write := func(rel, body string) {
		p := filepath.Join(git, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("HEAD", "ref: refs/heads/main\n")
	write("refs/heads/main", headSHA+"\n")
	cfg := "[core]\n\trepositoryformatversion = 0\n"
	if remote != "" {
		cfg += "[remote \"origin\"]\n\turl = " + remote + "\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
	}
	write("config", cfg)
	return dst
}

func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, remote, wantID, wantCommit string
	}{
		{"https remote", "https://github.com/Acme/Trainer.git", "pkg:github/acme/trainer", headSHA},
		{"ssh remote", "git@github.com:acme/trainer.git", "pkg:github/acme/trainer", headSHA},
		{"no remote", "", "", headSHA},
		{"other host", "https://gitlab.com/acme/trainer.git", "", headSHA},
		{"no git", "-", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := clone(t, "repo", tt.remote)
			c, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantID
			if want == "" {
				want = sources.FileURL(dir)
			}
			if c.ID() != want || c.Commit != tt.wantCommit || c.Repo.Kind != sources.SubjectRepository {
				t.Errorf("Open = ID %q commit %q kind %q, want %q %q repository", c.ID(), c.Commit, c.Repo.Kind, want, tt.wantCommit)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing"), file} {
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "local clone") {
			t.Errorf("Open(%s) = %v, want an error naming it and saying what to give", p, err)
		}
	}
}

func TestHeadPackedAndDetached(t *testing.T) {
	t.Parallel()
	dir := clone(t, "repo", "")
	git := filepath.Join(dir, ".git")
	if err := os.Remove(filepath.Join(git, "refs", "heads", "main")); err != nil {
		t.Fatal(err)
	}
	packed := "# pack-refs with: peeled fully-peeled sorted\n" + strings.Repeat("f", 40) + " refs/heads/dev\n" + headSHA + " refs/heads/main\n"
	if err := os.WriteFile(filepath.Join(git, "packed-refs"), []byte(packed), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := head(git); got != headSHA {
		t.Errorf("head from packed-refs = %q, want %q", got, headSHA)
	}
	detached := strings.Repeat("a", 40)
	if err := os.WriteFile(filepath.Join(git, "HEAD"), []byte(detached+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := head(git); got != detached {
		t.Errorf("detached head = %q, want %q", got, detached)
	}
	if err := os.WriteFile(filepath.Join(git, "HEAD"), []byte("ref: refs/heads/../../../etc/passwd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := head(git); got != "" {
		t.Errorf("head of an escaping ref = %q, want empty", got)
	}
}

// scores returns the check scores of an observation by check name.
func scores(t *testing.T, obs *sources.Observation) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range obs.Evidence {
		if e.Kind != sources.KindScorecard {
			t.Errorf("evidence kind %q, want scorecard", e.Kind)
		}
		if e.Attr("check") == scorecard.AggregateCheck {
			continue
		}
		n, err := strconv.Atoi(e.Value)
		if err != nil {
			t.Fatalf("check %s value %q", e.Attr("check"), e.Value)
		}
		out[e.Attr("check")] = n
	}
	return out
}

func collect(t *testing.T, dir, remote string) (*sources.Observation, Checkout) {
	t.Helper()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := New(Options{Checkouts: []Checkout{c}, Clock: clock})
	if !src.Supports(c.Repo) {
		t.Fatalf("source does not support its own checkout %s", c.ID())
	}
	obs, err := src.Collect(context.Background(), c.Repo)
	if err != nil {
		t.Fatal(err)
	}
	return obs, c
}

func TestCollectRiskyRepository(t *testing.T) {
	t.Parallel()
	dir := clone(t, "repo", "https://github.com/acme/trainer")
	obs, c := collect(t, dir, "")
	agg := obs.Evidence[0]
	if agg.Attr("check") != scorecard.AggregateCheck || agg.Attr("commit") != headSHA || agg.Attr("repo") != "github.com/acme/trainer" || agg.Attr("mode") != "local" {
		t.Errorf("aggregate = %+v, want the checkout's commit, repo and mode local", agg)
	}
	if agg.Origin.Source != Name || agg.Origin.Locator != sources.FileURL(c.Dir) || !strings.HasPrefix(agg.Origin.Digest, "sha256:") || !agg.Origin.RetrievedAt.Equal(fixedTime) {
		t.Errorf("origin = %+v", agg.Origin)
	}
	if got := agg.Attr("checks"); got != strings.Join(New(Options{}).Checks(), ",") {
		t.Errorf("checks attr = %q", got)
	}
	score, err := strconv.ParseFloat(agg.Value, 64)
	if err != nil || score < 0 || score >= 5 {
		t.Errorf("aggregate of the risky repository = %q, want a score below 5", agg.Value)
	}
	got := scores(t, obs)
	t.Logf("aggregate %s, checks %v", agg.Value, got)
	for _, check := range []string{"Token-Permissions", "Dangerous-Workflow", "Security-Policy", "Dependency-Update-Tool"} {
		if s, ok := got[check]; !ok || s != 0 {
			t.Errorf("%s = %d (present %v), want 0 on the risky fixture", check, s, ok)
		}
	}
	if s := got["Binary-Artifacts"]; s >= 10 {
		t.Errorf("Binary-Artifacts = %d, want below 10 for tools/helper.jar", s)
	}
	if _, ok := got["Vulnerabilities"]; ok {
		t.Error("the Vulnerabilities check ran; it must be left to the osv source")
	}
	if _, ok := got["Fuzzing"]; ok {
		t.Error("Fuzzing ran without an OSS-Fuzz status URL")
	}
}

func TestCollectCarefulRepository(t *testing.T) {
	t.Parallel()
	dir := clone(t, "good-repo", "")
	obs, _ := collect(t, dir, "")
	got := scores(t, obs)
	t.Logf("aggregate %s, checks %v", obs.Evidence[0].Value, got)
	for check, want := range map[string]int{"Token-Permissions": 10, "Dangerous-Workflow": 10, "Security-Policy": 9, "Dependency-Update-Tool": 10, "Binary-Artifacts": 10, "Pinned-Dependencies": 10, "License": 9} {
		if got[check] < want {
			t.Errorf("%s = %d, want at least %d on the careful fixture", check, got[check], want)
		}
	}
	agg, _ := strconv.ParseFloat(obs.Evidence[0].Value, 64)
	if agg < 7 {
		t.Errorf("aggregate of the careful repository = %.1f, want at least 7", agg)
	}
}

func TestCollectDeterministic(t *testing.T) {
	t.Parallel()
	dir := clone(t, "repo", "")
	a, _ := collect(t, dir, "")
	b, _ := collect(t, dir, "")
	if len(a.Evidence) != len(b.Evidence) {
		t.Fatalf("%d then %d evidence", len(a.Evidence), len(b.Evidence))
	}
	for i := range a.Evidence {
		if a.Evidence[i].ID != b.Evidence[i].ID || a.Evidence[i].Origin.Digest != b.Evidence[i].Origin.Digest {
			t.Errorf("evidence %d differs between runs: %+v vs %+v", i, a.Evidence[i], b.Evidence[i])
		}
	}
}

func TestCollectUnsupportedAndCanceled(t *testing.T) {
	t.Parallel()
	dir := clone(t, "repo", "")
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := New(Options{Checkouts: []Checkout{c}, Clock: clock})
	other := sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/someone/else"}
	if src.Supports(other) {
		t.Error("supports a repository it has no checkout of")
	}
	if _, err := src.Collect(context.Background(), other); err == nil {
		t.Error("collecting a repository without a checkout succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Collect(ctx, c.Repo); err == nil {
		t.Error("a canceled collect succeeded")
	}
	// The checkout vanishes between Open and Collect.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if obs, err := src.Collect(context.Background(), c.Repo); err == nil {
		t.Errorf("collecting a removed checkout succeeded with %d evidence", len(obs.Evidence))
	}
}

func TestLinker(t *testing.T) {
	t.Parallel()
	dir := clone(t, "repo", "https://github.com/acme/trainer")
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	root := sources.Subject{Kind: sources.SubjectModel, Ref: "hf:acme/model", PURL: "pkg:huggingface/acme/model"}
	l := NewLinker([]sources.Subject{root}, []Checkout{c}, clock)
	if !sources.IsSupplementary(l) {
		t.Error("the linker must be supplementary")
	}
	resolved := root
	resolved.Revision = headSHA
	if !l.Supports(resolved) {
		t.Error("the linker does not serve its root at a resolved revision")
	}
	if l.Supports(sources.Subject{Kind: sources.SubjectModel, PURL: "pkg:huggingface/acme/other"}) {
		t.Error("the linker serves a subject that is not a root")
	}
	obs, err := l.Collect(context.Background(), resolved)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Edges) != 1 || len(obs.Evidence) != 1 {
		t.Fatalf("observation = %+v, want one edge and one evidence", obs)
	}
	e, ev := obs.Edges[0], obs.Evidence[0]
	if e.From != resolved.ID() || e.To.PURL != "pkg:github/acme/trainer" || e.Relation != sources.RelCodeRepository || len(e.Evidence) != 1 || e.Evidence[0] != ev.ID {
		t.Errorf("edge = %+v", e)
	}
	if ev.Kind != sources.KindLink || ev.Value != "pkg:github/acme/trainer" || ev.Attr("declared_in") != "--scorecard-local" || ev.Origin.Digest == "" {
		t.Errorf("evidence = %+v", ev)
	}
}
