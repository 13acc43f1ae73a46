package risk_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// generated is a source that makes up a lineage: every model o/gN-... has
// the bases children returns (by name), a license and nothing else.
func generated(children func(id string) []string) sources.Source {
	return sources.Func{SourceName: "generated", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		name := strings.TrimPrefix(s.Ref, "hf:")
		var bases []sources.Subject
		for _, c := range children(name) {
			bases = append(bases, hub(c))
		}
		rel := sources.RelFinetune
		if len(bases) > 1 {
			rel = sources.RelMerge
		}
		return obs(s, "apache-2.0", rel, bases...), nil
	}}
}

// unresolvable returns the lineage-unresolvable findings of r.
func unresolvable(r *risk.Report) []risk.Finding {
	var out []risk.Finding
	for _, f := range r.Findings {
		if f.Rule == "lineage-unresolvable" {
			out = append(out, f)
		}
	}
	return out
}

// unknownAbout reports whether r has an unknown lineage-unresolvable
// finding about subject whose message contains text.
func unknownAbout(r *risk.Report, subject, text string) bool {
	return slices.ContainsFunc(unresolvable(r), func(f risk.Finding) bool {
		return f.Outcome == risk.OutcomeUnknown && f.Subject == subject && strings.Contains(f.Message, text)
	})
}

func TestLimitMergeOf100000Parents(t *testing.T) {
	t.Parallel()
	const parents = 100_000
	src := generated(func(id string) []string {
		if id != "o/root" {
			return nil
		}
		out := make([]string, parents)
		for i := range out {
			out[i] = "o/p" + strconv.Itoa(i)
		}
		return out
	})
	const links = 200
	e := newEngine(t, risk.WithSources(src), risk.WithLimits(risk.Limits{Edges: links}))
	r, err := e.Assess(context.Background(), hub("o/root"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.Lineage.Nodes), links+1; got != want {
		t.Errorf("%d nodes, want %d (the root and the links the limit allows)", got, want)
	}
	root := r.Root()
	if root.Unfollowed != parents-links || root.State != risk.NodePartial {
		t.Errorf("root: unfollowed %d, state %s; want %d, partial", root.Unfollowed, root.State, parents-links)
	}
	if !strings.Contains(root.Reason, "at most 200 links per subject") {
		t.Errorf("root reason %q does not name the limit", root.Reason)
	}
	if !unknownAbout(r, root.ID, "99800 more subjects") {
		t.Errorf("no unknown lineage-unresolvable finding about the unfollowed links: %+v", unresolvable(r))
	}
}

func TestLimitNodesPerLineage(t *testing.T) {
	t.Parallel()
	// Every model merges 50 others, without end: the lineage is infinite.
	src := generated(func(id string) []string {
		out := make([]string, 50)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%d", id, i)
		}
		return out
	})
	const limit = 300
	e := newEngine(t, risk.WithSources(src), risk.WithLimits(risk.Limits{Nodes: limit}))
	r, err := e.Assess(context.Background(), hub("o/g"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Lineage.Nodes); got != limit {
		t.Errorf("%d nodes, want the limit %d", got, limit)
	}
	unfollowed, marked := 0, 0
	for _, n := range r.Lineage.Nodes {
		unfollowed += n.Unfollowed
		if n.Unfollowed > 0 {
			marked++
			if !unknownAbout(r, n.ID, "not read") {
				t.Errorf("no unknown finding about %s with %d unfollowed links", n.ID, n.Unfollowed)
			}
			if !strings.Contains(n.Reason, "limit of 300 subjects per lineage") {
				t.Errorf("%s: reason %q does not name the limit", n.ID, n.Reason)
			}
		}
	}
	if unfollowed == 0 || marked == 0 {
		t.Fatal("no node reports unfollowed links")
	}
	for _, ed := range r.Lineage.Edges {
		if _, ok := r.NodeByID(ed.To); !ok {
			t.Fatalf("edge %s -> %s points outside the lineage", ed.From, ed.To)
		}
	}
}

func TestLimitChainOf100000Ancestors(t *testing.T) {
	t.Parallel()
	// o/c0 is a fine-tune of o/c1, of o/c2, ... of o/c99999.
	src := generated(func(id string) []string {
		i, _ := strconv.Atoi(strings.TrimPrefix(id, "o/c"))
		if i+1 >= 100_000 {
			return nil
		}
		return []string{"o/c" + strconv.Itoa(i+1)}
	})
	e := newEngine(t, risk.WithSources(src), risk.WithMaxDepth(risk.MaxDepthLimit))
	r, err := e.Assess(context.Background(), hub("o/c0"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.Lineage.Nodes), risk.MaxDepthLimit+2; got != want {
		t.Fatalf("%d nodes, want %d (read to the depth limit, then one skipped)", got, want)
	}
	last := r.Lineage.Nodes[len(r.Lineage.Nodes)-1]
	if last.State != risk.NodeSkipped || !unknownAbout(r, last.ID, "depth limit") {
		t.Errorf("the first subject past the depth limit, %s, is not reported: %+v", last.ID, last)
	}
	var depth *risk.Finding
	for i, f := range r.Findings {
		if f.Rule == "lineage-depth" {
			depth = &r.Findings[i]
		}
	}
	if depth == nil || depth.Outcome != risk.OutcomeFail {
		t.Errorf("lineage-depth = %+v, want a failure for a chain of %d", depth, risk.MaxDepthLimit)
	}
	if _, err := risk.New(risk.WithMaxDepth(risk.MaxDepthLimit + 1)); err == nil {
		t.Errorf("WithMaxDepth(%d) accepted", risk.MaxDepthLimit+1)
	}
}

func TestLimitEvidencePerSubject(t *testing.T) {
	t.Parallel()
	const n = risk.DefaultMaxEvidence + 1
	origin := sources.Origin{Source: "flood", Locator: "https://example.test/flood", RetrievedAt: fixedNow}
	flood := sources.Func{SourceName: "flood", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		if s.ID() != hub("o/base").ID() {
			return obs(s, "mit", sources.RelFinetune, hub("o/base")), nil
		}
		o := &sources.Observation{Subject: s, Evidence: make([]sources.Evidence, 0, n)}
		for i := range n {
			o.Evidence = append(o.Evidence, sources.NewEvidence(s.ID(), sources.KindFile, "f"+strconv.Itoa(i), nil, origin))
		}
		return o, nil
	}}
	e := newEngine(t, risk.WithSources(flood))
	r, err := e.Assess(context.Background(), hub("o/ft"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := r.NodeByID(hub("o/base").ID())
	if base.State != risk.NodeFailed || !strings.Contains(base.Reason, "more than the limit of 250000") {
		t.Errorf("base = %s %q, want failed over the evidence limit", base.State, base.Reason)
	}
	for _, ev := range r.Evidence {
		if ev.Subject == base.ID {
			t.Fatalf("evidence of the flooded subject kept: %s", ev.ID)
		}
	}
	if !slices.ContainsFunc(unresolvable(r), func(f risk.Finding) bool {
		return f.Outcome == risk.OutcomeUnknown && f.Subject == base.ID
	}) {
		t.Errorf("no unknown finding about the flooded base: %+v", unresolvable(r))
	}
}

// slowSource answers o/slow only when its context ends (or, with ignore,
// when release is closed); every other model is a fine-tune of o/slow.
func slowSource(ignore bool, release <-chan struct{}) sources.Source {
	return sources.Func{SourceName: "slow", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		if s.ID() != hub("o/slow").ID() {
			return obs(s, "mit", sources.RelFinetune, hub("o/slow")), nil
		}
		if ignore {
			<-release
		} else {
			<-ctx.Done()
		}
		return nil, ctx.Err()
	}}
}

func TestTimeoutIsAReport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		ignore bool // the source ignores its context
		reason string
	}{
		{"source honours the context", false, "time limit of 50ms passed"},
		{"source ignores the context", true, "did not return"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			defer close(release)
			e := newEngine(t, risk.WithSources(slowSource(tc.ignore, release)), risk.WithLimits(risk.Limits{Timeout: 50 * time.Millisecond}))
			r, err := e.Assess(context.Background(), hub("o/ft"))
			if err != nil {
				t.Fatalf("Assess: %v; want a report", err)
			}
			if root := r.Root(); root.State != risk.NodeCollected {
				t.Errorf("root %s %q; want collected", root.State, root.Reason)
			}
			slow, _ := r.NodeByID(hub("o/slow").ID())
			if slow.State != risk.NodeFailed || !strings.Contains(slow.Reason, tc.reason) {
				t.Errorf("o/slow = %s %q; want failed with %q", slow.State, slow.Reason, tc.reason)
			}
			if !unknownAbout(r, slow.ID, "could not be read") {
				t.Errorf("no unknown finding about the base the time limit cut off: %+v", unresolvable(r))
			}
		})
	}
}

func TestTimeoutOfTheRootIsAReport(t *testing.T) {
	t.Parallel()
	e := newEngine(t, risk.WithSources(slowSource(false, nil)), risk.WithLimits(risk.Limits{Timeout: 20 * time.Millisecond}))
	r, err := e.Assess(context.Background(), hub("o/slow"))
	if err != nil {
		t.Fatalf("Assess: %v; want a report", err)
	}
	if root := r.Root(); root.State != risk.NodeFailed || !strings.Contains(root.Reason, "raise --timeout") {
		t.Errorf("root = %s %q; want failed at the time limit", root.State, root.Reason)
	}
	if r.Score.Value == 0 {
		t.Error("a subject that could not be read in time scored 0")
	}
}

// TestTimeoutInAssessAll checks that one subject past its time limit does
// not stop a batch: every subject gets its report, in order.
func TestTimeoutInAssessAll(t *testing.T) {
	t.Parallel()
	e := newEngine(t, risk.WithSources(slowSource(false, nil)), risk.WithLimits(risk.Limits{Timeout: 30 * time.Millisecond}))
	subjects := []sources.Subject{hub("o/a"), hub("o/slow"), hub("o/b")}
	var mu sync.Mutex
	var got []string
	err := e.AssessAll(context.Background(), slices.Values(subjects), risk.SinkFunc(func(r *risk.Report) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Root().ID+" "+string(r.Root().State))
		return nil
	}))
	if err != nil {
		t.Fatalf("AssessAll: %v", err)
	}
	want := []string{hub("o/a").ID() + " collected", hub("o/slow").ID() + " failed", hub("o/b").ID() + " collected"}
	if !slices.Equal(got, want) {
		t.Errorf("reports %q, want %q", got, want)
	}
}

func TestWithLimitsRejectsNegative(t *testing.T) {
	t.Parallel()
	for _, l := range []risk.Limits{{Nodes: -1}, {Edges: -1}, {Evidence: -1}, {Timeout: -time.Second}} {
		if _, err := risk.New(risk.WithLimits(l)); err == nil {
			t.Errorf("WithLimits(%+v) accepted", l)
		}
	}
}

// BenchmarkDenseLineage assesses lineages where every model of a layer
// merges every model of the next (depth 10): the worst shape for the
// lineage rules, which explain each inherited finding with its chain.
func BenchmarkDenseLineage(b *testing.B) {
	for _, width := range []int{10, 20, 50} {
		b.Run(fmt.Sprintf("width-%d", width), func(b *testing.B) {
			src := generated(func(id string) []string {
				var l int
				fmt.Sscanf(id, "o/l%d-", &l)
				out := make([]string, width)
				for i := range out {
					out[i] = fmt.Sprintf("o/l%d-%d", l+1, i)
				}
				return out
			})
			for b.Loop() {
				e, err := risk.New(risk.WithSources(src), risk.WithCacheSize(0))
				if err != nil {
					b.Fatal(err)
				}
				r, err := e.Assess(context.Background(), hub("o/l0-0"))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(r.Lineage.Nodes)), "nodes")
			}
		})
	}
}
