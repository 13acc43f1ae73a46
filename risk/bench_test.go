package risk_test

import (
	"fmt"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
)

// BenchmarkScoreFindings scores a report's worth of findings: 13 rules
// over lineages of growing size, a third of them failing or unknown.
func BenchmarkScoreFindings(b *testing.B) {
	defs := map[string]risk.Definition{}
	for _, r := range risk.DefaultRules() {
		defs[r.Def.ID] = r.Def
	}
	pol := risk.DefaultPolicy()
	for _, nodes := range []int{5, 50} {
		var fs []risk.Finding
		outcomes := []risk.Outcome{risk.OutcomePass, risk.OutcomeFail, risk.OutcomeUnknown}
		for n := range nodes {
			for i, r := range risk.DefaultRules() {
				fs = append(fs, risk.Finding{ID: fmt.Sprintf("f-%d-%d", n, i), Rule: r.Def.ID, Category: r.Def.Category,
					Severity: r.Def.Severity, Outcome: outcomes[(n+i)%3], Subject: fmt.Sprintf("s%d", n)})
			}
		}
		b.Run(fmt.Sprintf("nodes%d", nodes), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				risk.ScoreFindings(fs, defs, pol)
			}
		})
	}
}
