package huggingface_test

import (
	"context"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// assessOnline assesses root through a fake Hub with the given HTTP cache
// directory and returns the report and the store.
func assessOnline(t testing.TB, hub *hubtest.Server, cacheDir string, roots ...sources.Subject) ([]*risk.Report, *huggingface.Online) {
	t.Helper()
	st, err := huggingface.NewOnline(huggingface.OnlineOptions{Endpoint: hub.URL, CacheDir: cacheDir, Clock: fixed})
	if err != nil {
		t.Fatal(err)
	}
	src := huggingface.New(huggingface.WithStore(st), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
	eng, err := risk.New(risk.WithSources(src), risk.WithClock(fixed))
	if err != nil {
		t.Fatal(err)
	}
	var reps []*risk.Report
	for _, root := range roots {
		rep, err := eng.Assess(context.Background(), root)
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	return reps, st
}

// TestLineageRequests checks the request budget of a whole lineage: every
// repository is fetched once per run, shared ancestors too, and a re-run
// over a warm HTTP cache gets no body from the Hub.
func TestLineageRequests(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	hub.Gate("gated/secret-model")
	cache := t.TempDir()

	reps, st := assessOnline(t, hub, cache, quant, merge, lora)
	rep := reps[0]
	if got := len(rep.Lineage.Nodes); got != 7 {
		t.Errorf("lineage has %d nodes, want 7 (5 models, the gated parent, the dataset)", got)
	}
	for path, n := range hub.Requests() {
		if n > 1 {
			t.Errorf("%s requested %d times in one run; shared ancestors must be fetched once", path, n)
		}
	}
	first := hub.Total()
	if s := st.Stats(); s.Requests != int64(first) {
		t.Errorf("client counted %d requests, server saw %d", s.Requests, first)
	}
	var unresolvable *risk.Finding
	for i, f := range rep.Findings {
		if f.Rule == "lineage-unresolvable" && f.Outcome == risk.OutcomeUnknown {
			unresolvable = &rep.Findings[i]
		}
	}
	if unresolvable == nil {
		t.Error("the gated parent must give an unknown lineage-unresolvable finding")
	}

	// A second run (a new engine, so no memo) over the warm cache.
	bodies := hub.Bodies()
	_, st2 := assessOnline(t, hub, cache, quant)
	if got := hub.Bodies() - bodies; got != 0 {
		t.Errorf("warm re-run: %d answers carried a body, want 0", got)
	}
	if s := st2.Stats(); s.Bodies != 0 {
		t.Errorf("warm re-run: client counted %d bodies, want 0", s.Bodies)
	}
}

// BenchmarkAssessHubLineage assesses the 4-deep lineage of
// quant/franken-GGUF through a fake Hub, without the HTTP cache and with
// a fresh engine each time, and reports the requests per assessed model.
func BenchmarkAssessHubLineage(b *testing.B) {
	hub := hubtest.NewServer(b, snap)
	hub.Gate("gated/secret-model")
	b.ReportAllocs()
	models := 0
	for b.Loop() {
		reps, _ := assessOnline(b, hub, "", quant)
		models += len(reps[0].Lineage.Nodes)
	}
	b.ReportMetric(float64(hub.Total())/float64(models), "requests/model")
}

// BenchmarkAssessHubLineageWarmCache is BenchmarkAssessHubLineage over a
// warm HTTP cache: every answer is fresh on disk, so no request is made.
func BenchmarkAssessHubLineageWarmCache(b *testing.B) {
	hub := hubtest.NewServer(b, snap)
	hub.Gate("gated/secret-model")
	cache := b.TempDir()
	assessOnline(b, hub, cache, quant) // warm the cache
	before := hub.Total()
	b.ReportAllocs()
	models := 0
	for b.Loop() {
		reps, _ := assessOnline(b, hub, cache, quant)
		models += len(reps[0].Lineage.Nodes)
	}
	b.ReportMetric(float64(hub.Total()-before)/float64(models), "requests/model")
}
