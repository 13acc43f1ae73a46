package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/cli"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// sampleDir is the offline snapshot of about 1,300 real Hub records the
// benchmarks draw on; they skip where it is absent.
const sampleDir = "../../../shared/hub-sample"

// cloneSnapshot writes a snapshot of n models into dir: the sample's
// records, each cloned under new names (OWNER/NAME-cK) with its card, so
// that a catalog of n distinct subjects keeps the sample's real shape:
// fine-tunes, adapters and quantizations of a few shared bases, whose
// records stay as they are. It returns the catalog file.
func cloneSnapshot(b *testing.B, dir string, n int) string {
	b.Helper()
	type rec struct{ owner, name string }
	var recs []rec
	root := filepath.Join(sampleDir, "api", "models")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		owner, name, ok := strings.Cut(strings.TrimSuffix(filepath.ToSlash(rel), ".json"), "/")
		if ok && !strings.Contains(name, "/") {
			recs = append(recs, rec{owner, name})
		}
		return nil
	})
	if err != nil {
		b.Skipf("no sample snapshot: %v", err)
	}
	// The originals, so every base a clone names can be read.
	if err := os.CopyFS(dir, os.DirFS(sampleDir)); err != nil {
		b.Fatal(err)
	}
	var catalog strings.Builder
	for i := 0; i < n; i++ {
		r := recs[i%len(recs)]
		name := r.name
		if k := i / len(recs); k > 0 {
			name = fmt.Sprintf("%s-c%d", r.name, k)
			body, err := os.ReadFile(filepath.Join(root, r.owner, r.name+".json"))
			if err != nil {
				b.Fatal(err)
			}
			old, id := r.owner+"/"+r.name, r.owner+"/"+name
			body = bytes.ReplaceAll(body, []byte(`"`+old+`"`), []byte(`"`+id+`"`))
			dst := filepath.Join(dir, "api", "models", r.owner, name+".json")
			if err := os.WriteFile(dst, body, 0o644); err != nil {
				b.Fatal(err)
			}
			if card, err := os.ReadFile(filepath.Join(sampleDir, r.owner, r.name, "resolve", "main", "README.md")); err == nil {
				p := filepath.Join(dir, r.owner, name, "resolve", "main", "README.md")
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(p, card, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
		fmt.Fprintf(&catalog, "hf:%s/%s\n", r.owner, name)
	}
	path := filepath.Join(dir, "catalog.txt")
	if err := os.WriteFile(path, []byte(catalog.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// peakHeap samples the heap in use until stop is closed and returns the
// largest value seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkBatchSnapshot runs pedigree batch over catalogs of 1,000 and
// 10,000 distinct subjects served from a local snapshot, and reports
// models per second and the peak heap in use.
func BenchmarkBatchSnapshot(b *testing.B) {
	for _, n := range []int{1000, 10000, 20000} {
		b.Run(fmt.Sprintf("subjects=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			cat := cloneSnapshot(b, dir, n)
			env := cli.Env{
				Clock:    time.Now,
				Tool:     risk.ToolInfo{Name: "pedigree", Version: "bench"},
				Licenses: licenses,
				Getenv:   func(k string) string { return offlineEnv[k] },
			}
			var total time.Duration
			var peak uint64
			for i := 0; b.Loop(); i++ {
				out := filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", i))
				runtime.GC()
				stop := make(chan struct{})
				heap := peakHeap(stop)
				start := time.Now()
				var errb bytes.Buffer
				code := cli.RunEnv(context.Background(), []string{"batch", "--offline", dir, "--progress", "none", "-o", out, cat}, &bytes.Buffer{}, &errb, env)
				total += time.Since(start)
				close(stop)
				peak = max(peak, <-heap)
				if code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				os.Remove(out)
				os.Remove(out + ".state")
			}
			b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "models/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkBatchHubRequests runs the sample's Llama 2 family (every model
// whose record names meta-llama/Llama-2-7b-hf or Llama-2-7b-chat-hf as a
// base) through a fake Hub serving the sample, cold, and reports the
// requests per catalog entry by endpoint.
func BenchmarkBatchHubRequests(b *testing.B) {
	root := filepath.Join(sampleDir, "api", "models")
	var refs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(body, []byte("base_model:")) && bytes.Contains(body, []byte("meta-llama/Llama-2-7b")) {
			rel, _ := filepath.Rel(root, p)
			refs = append(refs, "hf:"+strings.TrimSuffix(filepath.ToSlash(rel), ".json"))
		}
		return nil
	})
	if err != nil || len(refs) == 0 {
		b.Skipf("no Llama 2 family in the sample: %v", err)
	}
	dir := b.TempDir()
	cat := filepath.Join(dir, "llama2.txt")
	if err := os.WriteFile(cat, []byte(strings.Join(refs, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	var perEntry map[string]float64
	var bodies atomic.Int64
	for i := 0; b.Loop(); i++ {
		hub := hubtest.NewServer(b, sampleDir)
		env := cli.Env{
			Clock: time.Now, Tool: risk.ToolInfo{Name: "pedigree", Version: "bench"}, Licenses: licenses,
			Getenv: func(k string) string { return map[string]string{"HF_ENDPOINT": hub.URL}[k] },
		}
		out := filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", i))
		var errb bytes.Buffer
		code := cli.RunEnv(context.Background(), []string{"batch", "--no-cache", "--rate-limit", "-1", "--progress", "none", "-o", out, cat}, &bytes.Buffer{}, &errb, env)
		if code != 0 && code != 1 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		if i == 0 {
			b.Logf("exit %d; %s", code, lastLines(errb.String(), 3))
		}
		perEntry = map[string]float64{}
		for path, n := range hub.Requests() {
			perEntry[endpointOf(path)] += float64(n) / float64(len(refs))
		}
		bodies.Store(int64(hub.Bodies()))
	}
	var once sync.Once
	once.Do(func() { b.Logf("%d entries; requests per entry by endpoint: %v", len(refs), perEntry) })
	for ep, v := range perEntry {
		b.ReportMetric(v, ep+"/entry")
	}
}

// endpointOf names the Hub endpoint of a request path.
func endpointOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/models/") && strings.Contains(path, "/tree/"):
		return "tree"
	case strings.HasPrefix(path, "/api/models/") && strings.Contains(path, "/commits/"):
		return "commits"
	case strings.HasPrefix(path, "/api/models/") && strings.Contains(path, "/revision/"):
		return "info-rev"
	case strings.HasPrefix(path, "/api/models/"):
		return "info"
	case strings.HasPrefix(path, "/api/datasets/"):
		return "dataset"
	case strings.Contains(path, "/resolve/"):
		return "file"
	}
	return "other"
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
