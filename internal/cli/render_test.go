package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/risk/report"
)

// TestScoreFormats renders one real lineage in every format, and checks
// that rendering the saved JSON report again gives the same bytes.
func TestScoreFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saved := filepath.Join(dir, "report.json")
	ref := "hf:linagora/Labess-7b-chat"
	if code, _, errOut := run(t, "score", "--offline", demo, "--fail-on", "none", "--format", "json", "-o", saved, ref); code != 0 {
		t.Fatalf("score --format json: exit %d: %s", code, errOut)
	}
	checks := map[string]func(t *testing.T, out string){
		"text": func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "Pedigree report for "+ref) {
				t.Errorf("text starts %.80q", out)
			}
		},
		"markdown": func(t *testing.T, out string) {
			if !strings.Contains(out, "<details>") || !strings.Contains(out, "| origin") && !strings.Contains(out, "origin |") {
				t.Errorf("markdown lacks the lineage tree or the category table:\n%.400s", out)
			}
		},
		"sarif": func(t *testing.T, out string) {
			var log struct {
				Version string `json:"version"`
				Runs    []struct {
					Results []struct {
						RuleID string `json:"ruleId"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
				t.Errorf("sarif: %v, version %q, %d runs", err, log.Version, len(log.Runs))
			}
		},
		"html": func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg") || strings.Contains(out, "<script") {
				t.Errorf("html is not one self-contained page with a drawing:\n%.200s", out)
			}
		},
		"cyclonedx": func(t *testing.T, out string) {
			var bom struct {
				BOMFormat   string `json:"bomFormat"`
				SpecVersion string `json:"specVersion"`
			}
			if err := json.Unmarshal([]byte(out), &bom); err != nil || bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" {
				t.Errorf("cyclonedx: %v, %+v", err, bom)
			}
		},
	}
	for format, check := range checks {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "score", "--offline", demo, "--fail-on", "none", "--format", format, ref)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			check(t, out)
			code, again, errOut := run(t, "render", "--format", format, saved)
			if code != 0 {
				t.Fatalf("render: exit %d: %s", code, errOut)
			}
			if again != out {
				t.Errorf("render of the saved report differs from score's %s output", format)
			}
		})
	}
}

func TestScoreFormatUnknown(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "score", "--format", "pdf", filepath.Join(models, "no-card"))
	if code != 2 || !strings.Contains(errOut, "sarif") {
		t.Errorf("exit %d, stderr %q; want a usage error listing the formats", code, errOut)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schema_version": "0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, says string }{
		{filepath.Join(dir, "missing.json"), "missing.json"},
		{bad, "schema_version"},
	} {
		code, _, errOut := run(t, "render", tc.file)
		if code != 2 || !strings.Contains(errOut, tc.says) {
			t.Errorf("render %s: exit %d, stderr %q; want a usage error saying %q", tc.file, code, errOut, tc.says)
		}
	}
}

// TestRenderJSONLinesFailOn renders a JSON Lines file of two reports and
// exits 3 when one reaches --fail-on.
func TestRenderJSONLinesFailOn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lines := filepath.Join(dir, "all.jsonl")
	code, _, errOut := run(t, "score", "--fail-on", "none", "--format", "json", "-o", lines,
		filepath.Join(models, "llama-2-7b-chat-apache"), filepath.Join(models, "no-card"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := os.Open(lines)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reps, err := report.Decode(f)
	if err != nil || len(reps) != 2 {
		t.Fatalf("decode: %v, %d reports", err, len(reps))
	}
	code, out, _ := run(t, "render", "--format", "markdown", "--fail-on", "low", lines)
	if code != 3 || strings.Count(out, "llama-2-7b-chat-apache") == 0 || !strings.Contains(out, "no-card") {
		t.Errorf("render: exit %d; want 3 and both reports:\n%.300s", code, out)
	}
}

// TestScoreCycloneDXInput assesses the model and data components of a BOM,
// reports a component without a usable reference by its position, and
// goes on with the others.
func TestScoreCycloneDXInput(t *testing.T) {
	t.Parallel()
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
 {"type":"machine-learning-model","bom-ref":"labess","name":"Labess-7b-chat","group":"linagora","purl":"pkg:huggingface/linagora/Labess-7b-chat"},
 {"type":"library","name":"torch","version":"2.1.0","purl":"pkg:pypi/torch@2.1.0"},
 {"type":"machine-learning-model","bom-ref":"mystery","name":"in-house model"}
]}`
	path := filepath.Join(t.TempDir(), "models.cdx.json")
	if err := os.WriteFile(path, []byte(bom), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "score", "--offline", demo, "--fail-on", "none", "--format", "json", path)
	if code != 2 || !strings.Contains(errOut, "mystery") {
		t.Errorf("exit %d, stderr %q; want 2 and the bad component named", code, errOut)
	}
	reps, err := report.Decode(strings.NewReader(out))
	if err != nil || len(reps) != 1 || reps[0].Subject.Ref != "hf:linagora/Labess-7b-chat" && !strings.Contains(reps[0].Subject.PURL, "linagora/Labess-7b-chat") {
		t.Fatalf("decode: %v; want the one model of the BOM assessed, got %d reports", err, len(reps))
	}
}
