package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk/report"
)

// TestDecodeRoundTrip reads every golden JSON report back and writes it
// again: the canonical JSON must survive Decode unchanged, so any format
// can be rendered later from a saved report.
func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../testdata/golden/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden reports: %v", err)
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		reps, err := report.Decode(bytes.NewReader(want))
		if err != nil || len(reps) != 1 {
			t.Fatalf("%s: %d reports, %v", f, len(reps), err)
		}
		var got bytes.Buffer
		if err := report.WriteJSON(&got, reps[0]); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got.String()); diff != "" {
			t.Errorf("%s does not round-trip (-want +got):\n%s", f, diff)
		}
		var text bytes.Buffer
		if err := report.WriteText(&text, reps[0], report.TextOptions{}); err != nil || !strings.Contains(text.String(), "Top reasons") {
			t.Errorf("%s: text rendering: %v", f, err)
		}
	}
}

func TestDecodeRejectsOtherSchemas(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"schema_version":"2"}`, `{"schema_version":`, `[1,2]`} {
		if _, err := report.Decode(strings.NewReader(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
	reps, err := report.Decode(strings.NewReader(""))
	if err != nil || len(reps) != 0 {
		t.Errorf("Decode of nothing = %d, %v", len(reps), err)
	}
}
