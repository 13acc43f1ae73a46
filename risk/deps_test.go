package risk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the engine and the source contract light: an
// embedder that brings its own sources must not pay for HTTP clients,
// vulnerability scanners or the default source implementations.
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}|{{.ImportPath}}",
		"github.com/pedigree-ai/pedigree/risk",
		"github.com/pedigree-ai/pedigree/risk/license",
		"github.com/pedigree-ai/pedigree/risk/report",
		"github.com/pedigree-ai/pedigree/sources").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/pedigree-ai/pedigree/risk",
		"github.com/pedigree-ai/pedigree/sources",
		"go.yaml.in/yaml/v3",
		"github.com/package-url/packageurl-go",
		"github.com/github/go-spdx/v2",
		// The CycloneDX renderer of risk/report writes BOMs with the
		// CycloneDX project's own Go library, which needs only the
		// standard library.
		"github.com/CycloneDX/cyclonedx-go",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		nonStd, path, _ := strings.Cut(line, "|")
		if path == "net/http" || strings.HasPrefix(path, "net/http/") {
			t.Errorf("risk or sources imports %s", path)
		}
		if nonStd == "" {
			continue
		}
		ok := false
		for _, a := range allowed {
			if nonStd == a || strings.HasPrefix(nonStd, a+"/") && !strings.HasPrefix(nonStd, "github.com/pedigree-ai/pedigree/sources/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("risk or sources depends on %s; only the standard library, the YAML, PURL and SPDX expression parsers and the project's own risk and sources packages are allowed", nonStd)
		}
	}
}
