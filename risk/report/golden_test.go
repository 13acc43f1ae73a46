package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkGolden compares got with testdata/golden/<name>, or rewrites the
// file when -update is given.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./risk/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// sampleReports are the frozen real reports of testdata/reports, by file
// name without .json.
var sampleReports = []string{"labess", "thebloke-ggml", "gemmalpaca", "swapped-weights", "local-merge", "local-pickle", "local-inference-code"}

// loadReport decodes testdata/reports/<name>.json.
func loadReport(t testing.TB, name string) *risk.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "reports", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reps, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 {
		t.Fatalf("%s: %d reports, want 1", name, len(reps))
	}
	return reps[0]
}
