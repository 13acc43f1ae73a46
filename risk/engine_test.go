package risk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

var fixedNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func hub(id string) sources.Subject { return sources.HubModel(id, "") }

// obs builds an observation of s with a license and edges to bases.
func obs(s sources.Subject, lic string, rel sources.Relation, bases ...sources.Subject) *sources.Observation {
	origin := sources.Origin{Source: "static", Locator: "https://example.test/" + s.ID(), RetrievedAt: fixedNow}
	o := &sources.Observation{Subject: s}
	if lic != "" {
		o.Evidence = append(o.Evidence, sources.NewEvidence(s.ID(), sources.KindLicense, lic, map[string]string{"declared_in": "card"}, origin))
	}
	for _, b := range bases {
		ev := sources.NewEvidence(s.ID(), sources.KindBaseModel, b.Ref, map[string]string{"declared_in": "card"}, origin)
		o.Evidence = append(o.Evidence, ev)
		o.Edges = append(o.Edges, sources.Edge{From: s.ID(), To: b, Relation: rel, Declared: true, Evidence: []string{ev.ID}, Origin: origin})
	}
	return o
}

// countingSource wraps a source and counts Collect calls per subject.
type countingSource struct {
	sources.Source
	calls atomic.Int64
}

func (c *countingSource) Collect(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
	c.calls.Add(1)
	return c.Source.Collect(ctx, s)
}

// licenseRule fails for every lineage node whose license is "bad".
var licenseRule = risk.Rule{
	Def: risk.Definition{ID: "test-license", Category: risk.CategoryLicense, Severity: risk.SeverityHigh,
		Scope: risk.ScopeLineage, Title: "t", Remediation: "fix it"},
	Check: func(in *risk.Input, n *risk.Node) []risk.Result {
		for _, e := range n.Find(sources.KindLicense) {
			if e.Value == "bad" {
				return []risk.Result{{Outcome: risk.OutcomeFail, Message: "bad license", Evidence: []string{e.ID}}}
			}
		}
		return []risk.Result{{Outcome: risk.OutcomePass, Message: "ok"}}
	},
}

func newEngine(t *testing.T, opts ...risk.Option) *risk.Engine {
	t.Helper()
	base := []risk.Option{risk.WithClock(func() time.Time { return fixedNow }),
		risk.WithTool(risk.ToolInfo{Name: "pedigree", Version: "test"})}
	e, err := risk.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAssessWalksAndInheritsWithPath(t *testing.T) {
	t.Parallel()
	a, b, c := hub("o/a"), hub("o/b"), hub("o/c")
	src := sourcetest.NewStatic("static",
		obs(a, "mit", sources.RelFinetune, b),
		obs(b, "mit", sources.RelAdapter, c),
		obs(c, "bad", ""))
	e := newEngine(t, risk.WithSources(src), risk.WithRules(licenseRule))
	r, err := e.Assess(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range r.Lineage.Nodes {
		got = append(got, fmt.Sprintf("%s d%d %s", n.ID, n.Depth, n.State))
	}
	want := []string{"pkg:huggingface/o/a d0 collected", "pkg:huggingface/o/b d1 collected", "pkg:huggingface/o/c d2 collected"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	var fail *risk.Finding
	for i, f := range r.Findings {
		if f.Outcome == risk.OutcomeFail {
			fail = &r.Findings[i]
		}
	}
	if fail == nil {
		t.Fatalf("no failing finding in %+v", r.Findings)
	}
	if diff := cmp.Diff([]string{a.ID(), b.ID(), c.ID()}, fail.Path); diff != "" {
		t.Errorf("path (-want +got):\n%s", diff)
	}
	if fail.Remediation != "fix it" || len(fail.Evidence) != 1 {
		t.Errorf("finding = %+v", fail)
	}
	if r.Score.Value != 35 || r.Score.Level != risk.LevelMedium {
		t.Errorf("score = %v %v, want 35 medium", r.Score.Value, r.Score.Level)
	}
}

func TestAssessSkippedAncestorIsUnknown(t *testing.T) {
	t.Parallel()
	a := hub("o/a")
	base := hub("meta-llama/Llama-2-7b-hf")
	src := sourcetest.NewStatic("static", obs(a, "mit", sources.RelFinetune, base))
	src.Supported = func(s sources.Subject) bool { return s == a }
	e := newEngine(t, risk.WithSources(src), risk.WithRules(licenseRule))
	r, err := e.Assess(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := r.NodeByID(base.ID())
	if !ok || n.State != risk.NodeSkipped {
		t.Fatalf("base node = %+v, %v; want skipped", n, ok)
	}
	var outcomes []risk.Outcome
	for _, f := range r.Findings {
		if f.Subject == base.ID() {
			outcomes = append(outcomes, f.Outcome)
		}
	}
	if diff := cmp.Diff([]risk.Outcome{risk.OutcomeUnknown}, outcomes); diff != "" {
		t.Errorf("outcomes for skipped base (-want +got):\n%s", diff)
	}
	if r.Score.Value != 17.5 {
		t.Errorf("score = %v, want 17.5 (half of high)", r.Score.Value)
	}
}

func TestAssessMemoizesSharedAncestors(t *testing.T) {
	t.Parallel()
	a, b, base := hub("o/a"), hub("o/b"), hub("o/base")
	cs := &countingSource{Source: sourcetest.NewStatic("static",
		obs(a, "mit", sources.RelFinetune, base), obs(b, "mit", sources.RelFinetune, base), obs(base, "mit", ""))}
	e := newEngine(t, risk.WithSources(cs), risk.WithRules(licenseRule))
	for _, s := range []sources.Subject{a, b, a} {
		if _, err := e.Assess(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if got := cs.calls.Load(); got != 3 {
		t.Errorf("Collect calls = %d, want 3 (a, b, base once each)", got)
	}
}

func TestAssessCycleTerminates(t *testing.T) {
	t.Parallel()
	a, b := hub("o/a"), hub("o/b")
	src := sourcetest.NewStatic("static", obs(a, "mit", sources.RelFinetune, b), obs(b, "mit", sources.RelFinetune, a))
	e := newEngine(t, risk.WithSources(src), risk.WithRules(licenseRule))
	r, err := e.Assess(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lineage.Nodes) != 2 || len(r.Lineage.Edges) != 2 {
		t.Errorf("got %d nodes, %d edges; want 2, 2", len(r.Lineage.Nodes), len(r.Lineage.Edges))
	}
}

func TestAssessDepthLimit(t *testing.T) {
	t.Parallel()
	var subs []sources.Subject
	for i := range 5 {
		subs = append(subs, hub(fmt.Sprintf("o/m%d", i)))
	}
	var all []*sources.Observation
	for i, s := range subs {
		if i+1 < len(subs) {
			all = append(all, obs(s, "mit", sources.RelFinetune, subs[i+1]))
		} else {
			all = append(all, obs(s, "mit", ""))
		}
	}
	e := newEngine(t, risk.WithSources(sourcetest.NewStatic("static", all...)), risk.WithRules(licenseRule), risk.WithMaxDepth(2))
	r, err := e.Assess(context.Background(), subs[0])
	if err != nil {
		t.Fatal(err)
	}
	var states []risk.NodeState
	for _, n := range r.Lineage.Nodes {
		states = append(states, n.State)
	}
	want := []risk.NodeState{risk.NodeCollected, risk.NodeCollected, risk.NodeCollected, risk.NodeSkipped}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

func TestAssessSourceFailuresAreData(t *testing.T) {
	t.Parallel()
	a, gated := hub("o/a"), hub("o/gated")
	src := sourcetest.NewStatic("static", obs(a, "mit", sources.RelFinetune, gated))
	src.Errors = map[string]error{gated.ID(): sources.ErrUnauthorized}
	panicky := sources.Func{SourceName: "panicky", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		panic("boom")
	}}
	e := newEngine(t, risk.WithSources(src, panicky), risk.WithRules(licenseRule))
	r, err := e.Assess(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	root := r.Root()
	if root.State != risk.NodePartial {
		t.Errorf("root state = %s, want partial (one source panicked)", root.State)
	}
	n, _ := r.NodeByID(gated.ID())
	if n.State != risk.NodeFailed || !slices.ContainsFunc(r.Sources, func(s risk.SourceStatus) bool {
		return s.Subject == gated.ID() && s.Source == "static" && s.State == risk.StateFailed
	}) {
		t.Errorf("gated node = %+v; sources = %+v", n, r.Sources)
	}
}

func TestAssessCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := newEngine(t, risk.WithSources(sourcetest.NewStatic("static", obs(hub("o/a"), "mit", ""))), risk.WithRules(licenseRule))
	if _, err := e.Assess(ctx, hub("o/a")); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]risk.Option{
		"concurrency": risk.WithConcurrency(0),
		"depth":       risk.WithMaxDepth(0),
		"nil policy":  risk.WithPolicy(nil),
		"nil source":  risk.WithSources(nil),
		"dup rules":   risk.WithRules(licenseRule, licenseRule),
	} {
		if _, err := risk.New(opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	s := sourcetest.NewStatic("same")
	if _, err := risk.New(risk.WithSources(s, s)); err == nil {
		t.Error("two sources with one name: New succeeded")
	}
}

func TestAssessAllKeepsOrderAndStopsOnSinkError(t *testing.T) {
	t.Parallel()
	var all []*sources.Observation
	var subs []sources.Subject
	for i := range 20 {
		s := hub(fmt.Sprintf("o/m%d", i))
		subs = append(subs, s)
		all = append(all, obs(s, "mit", ""))
	}
	e := newEngine(t, risk.WithSources(sourcetest.NewStatic("static", all...)), risk.WithRules(licenseRule), risk.WithConcurrency(4))
	var got []string
	err := e.AssessAll(context.Background(), slices.Values(subs), risk.SinkFunc(func(r *risk.Report) error {
		got = append(got, r.Subject.PURL)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range subs {
		want = append(want, s.ID())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	boom := errors.New("disk full")
	n := 0
	err = e.AssessAll(context.Background(), slices.Values(subs), risk.SinkFunc(func(*risk.Report) error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	}))
	if !errors.Is(err, boom) || n != 3 {
		t.Errorf("err = %v after %d reports; want disk full after 3", err, n)
	}
}

// supplement is a supplementary source: it adds a tag to every subject.
type supplement struct{ sources.Func }

func (supplement) Supplementary() bool { return true }

func TestAssessSupplementaryAloneDoesNotRead(t *testing.T) {
	t.Parallel()
	a, gated := hub("o/a"), hub("o/gated")
	src := sourcetest.NewStatic("static", obs(a, "mit", sources.RelFinetune, gated))
	src.Errors = map[string]error{gated.ID(): sources.ErrUnauthorized}
	tagger := supplement{sources.Func{SourceName: "tagger", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		o := sources.Origin{Source: "tagger", Locator: "catalog"}
		return &sources.Observation{Subject: s, Evidence: []sources.Evidence{sources.NewEvidence(s.ID(), sources.KindTag, "known", nil, o)}}, nil
	}}}
	e := newEngine(t, risk.WithSources(src, tagger), risk.WithRules(licenseRule))
	r, err := e.Assess(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if root := r.Root(); root.State != risk.NodeCollected {
		t.Errorf("root state = %s, want collected", root.State)
	}
	n, _ := r.NodeByID(gated.ID())
	if n.State != risk.NodeFailed {
		t.Errorf("gated node state = %s, want failed: a supplementary source alone does not read a subject", n.State)
	}
	if !slices.ContainsFunc(r.Evidence, func(e sources.Evidence) bool { return e.Subject == gated.ID() && e.Value == "known" }) {
		t.Error("the supplementary source's evidence about the unread subject was dropped")
	}
}

func TestAssessChecksUnreadWithSupplementaryFacts(t *testing.T) {
	t.Parallel()
	a, gated := hub("o/a"), hub("o/gated")
	src := sourcetest.NewStatic("static", obs(a, "mit", sources.RelFinetune, gated))
	src.Errors = map[string]error{gated.ID(): sources.ErrUnauthorized}
	tagger := supplement{sources.Func{SourceName: "tagger", Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
		o := sources.Origin{Source: "tagger", Locator: "catalog"}
		return &sources.Observation{Subject: s, Evidence: []sources.Evidence{sources.NewEvidence(s.ID(), sources.KindTag, "flagged", nil, o)}}, nil
	}}}
	rule := func(checksUnread bool) risk.Rule {
		return risk.Rule{
			Def: risk.Definition{ID: "test-tag", Category: risk.CategoryOrigin, Severity: risk.SeverityHigh,
				Scope: risk.ScopeLineage, Title: "t", Remediation: "fix it", ChecksUnread: checksUnread},
			Check: func(in *risk.Input, n *risk.Node) []risk.Result {
				if n.Has(sources.KindTag) && n.Subject.ID() == gated.ID() {
					return []risk.Result{{Outcome: risk.OutcomeFail, Message: "flagged"}}
				}
				return []risk.Result{{Outcome: risk.OutcomeUnknown, Message: "no facts"}}
			},
		}
	}
	for _, tc := range []struct {
		checksUnread bool
		want         risk.Outcome
	}{{true, risk.OutcomeFail}, {false, risk.OutcomeUnknown}} {
		e := newEngine(t, risk.WithSources(src, tagger), risk.WithRules(rule(tc.checksUnread)))
		r, err := e.Assess(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		var got []risk.Outcome
		for _, f := range r.Findings {
			if f.Subject == gated.ID() {
				got = append(got, f.Outcome)
			}
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("checks_unread %v: findings on the unread subject = %v, want [%s]", tc.checksUnread, got, tc.want)
		}
	}
}
