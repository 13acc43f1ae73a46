package batch

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

// sampleReports reads the real reports of risk/report/testdata/reports,
// in file name order.
func sampleReports(t testing.TB) []*risk.Report {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "risk", "report", "testdata", "reports", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample reports: %v", err)
	}
	sort.Strings(files)
	var out []*risk.Report
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		reps, err := report.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, reps...)
	}
	return out
}
