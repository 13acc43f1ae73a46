package cli_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/all"
)

// BenchmarkAssessLineage assesses local lineages from warm files with the
// license classification cache warm. The engine's memo is off
// (WithCacheSize(0)), so every iteration reads and parses every folder again.
func BenchmarkAssessLineage(b *testing.B) {
	for _, tc := range []struct{ name, dir string }{
		{"depth1", "chain/m1"}, {"depth3", "chain/m3"}, {"depth5", "chain/m5"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := sources.LocalFolder(filepath.Join(models, tc.dir), tc.dir)
			if err != nil {
				b.Fatal(err)
			}
			srcs, err := all.Sources(all.Options{Licenses: licenses})
			if err != nil {
				b.Fatal(err)
			}
			eng, err := risk.New(risk.WithSources(srcs...), risk.WithCacheSize(0))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := eng.Assess(context.Background(), s); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := eng.Assess(context.Background(), s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
