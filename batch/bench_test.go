package batch

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPut measures one Put of a real report (compressed and
// committed to the write-ahead log).
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	reps := sampleReports(b)
	recs := make([]Record, len(reps))
	var size int64
	for i, r := range reps {
		rec, err := RecordOf(r.Subject.Ref, r)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = rec
		size += int64(len(rec.Report))
	}
	b.SetBytes(size / int64(len(recs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := recs[i%len(recs)]
		r.Key = fmt.Sprintf("%s#%d", r.Key, i)
		if err := s.Put(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSummaryAdd measures adding one real report to a summary.
func BenchmarkSummaryAdd(b *testing.B) {
	reps := sampleReports(b)
	s := NewSummary(DefaultTop)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Add(reps[i%len(reps)])
		i++
	}
}
