package risk

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rulesDocPath is docs/rules.md, relative to the package directory.
var rulesDocPath = filepath.Join("..", "docs", "rules.md")

// TestRulesDocFresh fails when docs/rules.md is not the rendering of the
// embedded rule definitions; -update rewrites it.
func TestRulesDocFresh(t *testing.T) {
	defs, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteRulesMarkdown(&buf, defs); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(rulesDocPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(rulesDocPath)
	if err != nil {
		t.Fatalf("%v; generate it with: go test ./risk -run TestRulesDocFresh -update", err)
	}
	if diff := cmp.Diff(buf.String(), string(got)); diff != "" {
		t.Errorf("docs/rules.md is stale; regenerate it with: go test ./risk -run TestRulesDocFresh -update\n(-want +got):\n%s", diff)
	}
}

func TestWriteRulesMarkdown(t *testing.T) {
	t.Parallel()
	whole := 1.0
	defs := []Definition{
		{ID: "b-rule", Category: CategoryTransparency, Severity: SeverityLow, Scope: ScopeSubject, Title: "B title",
			Checks: "Checks b\nacross lines.\n\nSecond paragraph.", Why: "Why b.", Remediation: "Fix b."},
		{ID: "a-rule", Category: CategoryLicense, Severity: SeverityHigh, Scope: ScopeLineage, Title: "A title",
			Checks: "Checks a.", Why: "Why a.", Remediation: "Fix a.", UnknownFraction: &whole},
	}
	var buf bytes.Buffer
	if err := WriteRulesMarkdown(&buf, defs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{
		"- License\n  - [`a-rule`](#a-rule): A title\n- Transparency\n  - [`b-rule`](#b-rule): B title\n",
		"## License\n\n### a-rule\n\nA title\n",
		"| license | high | lineage | a whole failure |",
		"| transparency | low | subject | half a failure |",
		"**Checks.** Checks b across lines.\n\nSecond paragraph.\n",
		"**Why it matters.** Why a.",
		"**Remediation.** Fix b.",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("rendering does not contain %q:\n%s", s, out)
		}
	}
	if strings.Index(out, "## License") > strings.Index(out, "## Transparency") {
		t.Error("categories are not in report order")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteRulesMarkdownWriteError(t *testing.T) {
	t.Parallel()
	defs, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteRulesMarkdown(failingWriter{}, defs); err == nil {
		t.Error("WriteRulesMarkdown did not return the write error")
	}
}
