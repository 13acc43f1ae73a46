package risk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// TestEvaluationTimeLimit checks that checks not run before the
// evaluation's time limit are error findings, never passes.
func TestEvaluationTimeLimit(t *testing.T) {
	t.Parallel()
	e, err := New(WithLimits(Limits{Timeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	s := sources.HubModel("o/m", "")
	origin := sources.Origin{Source: "static", Locator: "https://example.test/o/m", RetrievedAt: time.Unix(0, 0)}
	n := &Node{ID: s.ID(), Subject: s, State: NodeCollected, Evidence: []sources.Evidence{
		sources.NewEvidence(s.ID(), sources.KindLicense, "mit", map[string]string{"declared_in": "card"}, origin)}}
	g := NewGraph(n.ID, []*Node{n}, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errTimeLimit)
	findings, _ := e.evaluateWithin(ctx, g, time.Unix(0, 0))
	if len(findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range findings {
		if f.Outcome != OutcomeError || !strings.Contains(f.Message, "was not run") || !strings.Contains(f.Message, "time limit of 1m0s") {
			t.Errorf("%s: %s %q; want an error saying the rule was not run", f.Rule, f.Outcome, f.Message)
		}
	}
	fresh, _ := e.evaluateWithin(context.Background(), g, time.Unix(0, 0))
	defs := map[string]Definition{}
	for _, r := range e.rules {
		defs[r.Def.ID] = r.Def
	}
	stopped, full := ScoreFindings(findings, defs, e.policy).Value, ScoreFindings(fresh, defs, e.policy).Value
	if stopped <= full {
		t.Errorf("stopped evaluation scored %.2f, no more than the full one (%.2f)", stopped, full)
	}
}
