package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/all"
)

// expectation is one cell of the verdict table in testdata/README.md: the
// outcome of a rule for the assessed subject itself ("" when the rule
// reports nothing about it).
type expectation struct {
	root, rule string
	outcome    risk.Outcome
}

// readExpectations parses the verdict table of testdata/README.md, so the
// documented answers and the tested ones cannot drift apart.
func readExpectations(t *testing.T) []expectation {
	t.Helper()
	f, err := os.Open("../../testdata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rules []string
	var out []expectation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) > 2 && cells[0] == "root" && cells[1] == "license-missing" {
			rules = cells[1:]
			continue
		}
		if rules == nil {
			continue
		}
		if strings.HasPrefix(line, "|---") {
			continue
		}
		if len(cells) != len(rules)+1 {
			rules = nil
			continue
		}
		for _, root := range expandRoots(cells[0]) {
			for i, rule := range rules {
				out = append(out, expectation{root, rule, parseCell(t, cells[i+1])})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no verdict table found in testdata/README.md")
	}
	return out
}

func expandRoots(cell string) []string {
	cell = strings.ReplaceAll(cell, "`", "")
	if a, b, ok := strings.Cut(cell, " … "); ok {
		var lo, hi int
		var prefix string
		if i := strings.LastIndexAny(a, "0123456789"); i > 0 {
			prefix = a[:i]
			fmt.Sscanf(a[i:], "%d", &lo)
			fmt.Sscanf(strings.TrimPrefix(b, prefix), "%d", &hi)
		}
		var out []string
		for k := lo; k <= hi; k++ {
			out = append(out, fmt.Sprintf("%s%d", prefix, k))
		}
		return out
	}
	return strings.Split(cell, ", ")
}

func parseCell(t *testing.T, c string) risk.Outcome {
	c = strings.TrimSpace(strings.TrimSuffix(strings.ReplaceAll(c, "**", ""), "+"))
	switch c {
	case "—":
		return ""
	case "n/a":
		return risk.OutcomeNotApplicable
	case "pass", "fail", "unknown", "error":
		return risk.Outcome(c)
	}
	t.Fatalf("testdata/README.md: unknown verdict %q", c)
	return ""
}

func TestFixtureVerdicts(t *testing.T) {
	exps := readExpectations(t)
	srcs, err := all.Sources(all.Options{Licenses: licenses})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := risk.New(risk.WithSources(srcs...))
	if err != nil {
		t.Fatal(err)
	}
	reports := map[string]*risk.Report{}
	for _, e := range exps {
		rep := reports[e.root]
		if rep == nil {
			s, err := sources.LocalFolder(filepath.Join(models, e.root), e.root)
			if err != nil {
				t.Fatal(err)
			}
			if rep, err = eng.Assess(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			reports[e.root] = rep
		}
		var got []string
		for _, f := range rep.Findings {
			if f.Rule == e.rule && f.Subject == rep.Subject.PURL {
				got = append(got, string(f.Outcome))
			}
		}
		want := []string{}
		if e.outcome != "" {
			want = []string{string(e.outcome)}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %s = %v, want %v", e.root, e.rule, got, want)
		}
	}
}
