package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/internal/cli"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/golden")

const models = "../../testdata/models"

var licenses = licensetext.New() // shared so its cache is warm across tests

// offlineEnv is the environment of tests that do not set one: the Hub is
// never consulted and there is no local Hugging Face cache.
var offlineEnv = map[string]string{"HF_HUB_OFFLINE": "1"}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runWith(t, offlineEnv, args...)
}

// runWith runs the command with the environment variables vars (and no
// others).
func runWith(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := cli.Env{
		Clock:    func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) },
		Tool:     risk.ToolInfo{Name: "pedigree", Version: "test"},
		Licenses: licenses,
		Getenv:   func(k string) string { return vars[k] },
	}
	code = cli.RunEnv(context.Background(), args, &out, &errb, env)
	return code, out.String(), errb.String()
}

var idPattern = regexp.MustCompile(`\b(ev|f)-[0-9a-f]{12}\b`)

// normalize makes a report independent of where the repository is checked
// out: absolute paths become $ROOT, and evidence and finding IDs (which
// hash the paths) are numbered by first appearance.
func normalize(t *testing.T, s string) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	s = strings.ReplaceAll(s, root, "$ROOT")
	seen := map[string]string{}
	counts := map[string]int{}
	return idPattern.ReplaceAllStringFunc(s, func(id string) string {
		if n, ok := seen[id]; ok {
			return n
		}
		prefix := id[:strings.Index(id, "-")]
		counts[prefix]++
		seen[id] = fmt.Sprintf("%s-%d", prefix, counts[prefix])
		return seen[id]
	})
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("../../testdata/golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is right, run go test ./internal/cli -update:\n%s", name, diff)
	}
}

// goldenModels are the fixture folders with golden reports.
func goldenModels(t *testing.T) []string {
	entries, err := os.ReadDir(models)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "not-a-model" && e.Name() != "chain" {
			out = append(out, e.Name())
		}
	}
	return append(out, "chain/m4")
}

func TestScoreGolden(t *testing.T) {
	for _, name := range goldenModels(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(models, name)
			code, out, errOut := run(t, "score", dir, "--format", "json")
			if code != cli.ExitOK {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			file := strings.ReplaceAll(name, "/", "-")
			golden(t, file+".json", normalize(t, out))
			code, out, errOut = run(t, "score", dir)
			if code != cli.ExitOK {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			golden(t, file+".txt", normalize(t, out))
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badPolicy := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badPolicy, []byte("version: 1\nfail_on: sometimes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	apache := filepath.Join(models, "llama-2-7b-chat-apache")
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string // substring
		reported bool   // a report was printed
	}{
		{"ok", []string{"score", apache}, 0, "", true},
		{"fail-on reached", []string{"score", apache, "--fail-on", "low"}, 3, "", true},
		{"fail-on json still 3", []string{"score", apache, "--fail-on", "low", "--format", "json"}, 3, "", true},
		{"fail-on none", []string{"score", apache, "--fail-on", "none"}, 0, "", true},
		{"missing folder", []string{"score", "./does-not-exist"}, 2, "does-not-exist: no such folder", false},
		{"not a model", []string{"score", filepath.Join(models, "not-a-model")}, 2, "not a model folder", false},
		{"bad reference", []string{"score", "hf:bad id"}, 2, "not a Hugging Face id", false},
		{"missing and ok", []string{"score", "./does-not-exist", apache, "--fail-on", "low"}, 2, "no such folder", true},
		{"bad policy", []string{"score", apache, "--policy", badPolicy}, 2, "bad.yaml:2", false},
		{"missing policy", []string{"score", apache, "--policy", filepath.Join(dir, "none.yaml")}, 2, "none.yaml", false},
		{"bad format", []string{"score", apache, "--format", "xml"}, 2, "--format", false},
		{"bad fail-on", []string{"score", apache, "--fail-on", "extreme"}, 2, "--fail-on", false},
		{"unknown flag", []string{"score", apache, "--frobnicate"}, 2, "unknown flag", false},
		{"no args", []string{"score"}, 2, "requires at least 1 arg", false},
		{"unknown command", []string{"assess"}, 2, "unknown command", false},
		{"explain unknown", []string{"explain", "license-mising"}, 2, "did you mean license-missing", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.stderr)
			}
			if got := out != ""; got != tc.reported {
				t.Errorf("report printed = %v, want %v; stdout: %.200s", got, tc.reported, out)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 3 {
				t.Errorf("error is not short: %s", errOut)
			}
		})
	}
}

func TestOutputFile(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, errOut := run(t, "score", filepath.Join(models, "no-card"), "--format", "json", "-o", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte(`"schema_version": "1"`)) {
		t.Errorf("report file: %v, %.100s", err, b)
	}
}

func TestSeveralRefsJSONLines(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "score", filepath.Join(models, "no-card"), filepath.Join(models, "remote-code"), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"schema_version":"1"`) {
		t.Errorf("want 2 JSON lines, got %d: %.200s", len(lines), out)
	}
}

func TestCatalogCommands(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "rules")
	if code != 0 || !strings.Contains(out, "license-conflict") || !strings.Contains(out, "datasets-undeclared") {
		t.Errorf("rules: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "explain", "license-conflict")
	if code != 0 || !strings.Contains(out, "What to do") {
		t.Errorf("explain: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "version")
	if code != 0 || !strings.Contains(out, "pedigree test") {
		t.Errorf("version: exit %d\n%s", code, out)
	}
}

func TestPolicyInitLint(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if code, _, errOut := run(t, "policy", "init", "-o", path); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "policy", "init", "-o", path); code != 2 {
		t.Errorf("init over an existing file: exit %d, want 2", code)
	}
	if code, out, errOut := run(t, "policy", "lint", path); code != 0 {
		t.Errorf("lint of the default: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nrules:\n  licence-missing:\n    weight: 2\n"), 0o644)
	code, out, _ := run(t, "policy", "lint", bad)
	if code != 2 || !strings.Contains(out, "bad.yaml:3") || !strings.Contains(out, "license-missing") {
		t.Errorf("lint of a bad policy: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "score", filepath.Join(models, "no-card"), "--policy", bad); code != 2 {
		t.Errorf("score with a policy naming an unknown rule: exit %d, want 2", code)
	}
}
