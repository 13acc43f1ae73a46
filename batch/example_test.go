package batch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pedigree-ai/pedigree/batch"
	"github.com/pedigree-ai/pedigree/risk"
)

// A resumable run: skip what the state already holds, store each new
// report, then export the catalog in order and summarize it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "batch-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	s, err := batch.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	catalog := []string{"hf:org/a", "hf:org/b", "hf:org/c"}
	assess := func(ref string) *risk.Report { // stands for the engine
		return &risk.Report{SchemaVersion: risk.SchemaVersion, Subject: risk.SubjectInfo{Ref: ref, PURL: "pkg:huggingface/" + ref[3:]},
			Score: risk.Score{Value: 25, Level: risk.LevelMedium}}
	}
	done, err := s.Statuses(ctx)
	if err != nil {
		panic(err)
	}
	sum := batch.NewSummary(5)
	for _, ref := range catalog {
		if ref == "hf:org/c" || done[ref] == batch.StatusDone {
			continue // hf:org/c is left for a later run
		}
		rep := assess(ref)
		rec, err := batch.RecordOf(ref, rep)
		if err != nil {
			panic(err)
		}
		if err := s.Put(ctx, rec); err != nil {
			panic(err)
		}
		sum.Add(rep)
	}
	var out bytes.Buffer // the JSON Lines output
	missing, err := batch.Export(ctx, s, catalog, &out)
	if err != nil {
		panic(err)
	}
	fmt.Println("exported:", bytes.Count(out.Bytes(), []byte("\n")), "reports")
	fmt.Println("not assessed yet:", missing)
	fmt.Println("shard of hf:org/a among 4:", batch.ShardOf("hf:org/a", 4))
	fmt.Println(sum.Assessed, "assessed,", sum.ByLevel[risk.LevelMedium], "medium")
	// Output:
	// exported: 2 reports
	// not assessed yet: [hf:org/c]
	// shard of hf:org/a among 4: 3
	// 2 assessed, 2 medium
}
