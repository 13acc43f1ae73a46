package risk_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// inventory is a source of an embedder's own: it knows the models of an
// internal catalog, each a fine-tune of a public base it cannot read.
func inventory() sources.Source {
	return sources.Func{
		SourceName: "inventory",
		Supported:  func(s sources.Subject) bool { id, _ := s.HubID(); return id == "acme/support-bot" },
		Fn: func(ctx context.Context, s sources.Subject) (*sources.Observation, error) {
			origin := sources.Origin{Source: "inventory", Locator: "https://models.acme.example/support-bot",
				RetrievedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
			lic := sources.NewEvidence(s.ID(), sources.KindLicense, "apache-2.0", map[string]string{"declared_in": "card"}, origin)
			base := sources.NewEvidence(s.ID(), sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", map[string]string{"declared_in": "card"}, origin)
			card := sources.NewEvidence(s.ID(), sources.KindCard, "present", nil, origin)
			data := sources.NewEvidence(s.ID(), sources.KindDataset, "acme/support-tickets", map[string]string{"declared_in": "card"}, origin)
			weights := sources.NewEvidence(s.ID(), sources.KindFile, "model.safetensors",
				map[string]string{"format": "safetensors", "role": "weights", "detected_by": "magic"}, origin)
			return &sources.Observation{
				Subject:  s,
				Evidence: []sources.Evidence{card, lic, base, data, weights},
				Edges: []sources.Edge{{From: s.ID(), To: sources.HubModel("meta-llama/Llama-2-7b-hf", ""),
					Relation: sources.RelFinetune, Declared: true, Evidence: []string{base.ID}, Origin: origin}},
			}, nil
		},
	}
}

// Assess a model with a source of one's own. The base it names cannot be
// read by any installed source, so the rules that needed it report unknown,
// which scores as half a failure: missing evidence is risk.
func Example() {
	eng, err := risk.New(risk.WithSources(inventory()))
	if err != nil {
		log.Fatal(err)
	}
	rep, err := eng.Assess(context.Background(), sources.HubModel("acme/support-bot", ""))
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range rep.Lineage.Nodes {
		fmt.Println(n.Ref, n.State)
	}
	fmt.Println("score:", rep.Score.Value, rep.Score.Level)
	for _, c := range rep.Score.Contributions[:3] {
		fmt.Printf("%+.2f %s %s\n", c.Points, c.Rule, c.Outcome)
	}
	// Output:
	// hf:acme/support-bot collected
	// hf:meta-llama/Llama-2-7b-hf skipped
	// score: 73.24 high
	// +17.50 license-conflict unknown
	// +14.44 origin-reupload unknown
	// +11.91 origin-reupload unknown
}

// Stream a catalog through AssessAll: reports arrive in catalog order.
func ExampleEngine_AssessAll() {
	eng, err := risk.New(risk.WithSources(inventory()))
	if err != nil {
		log.Fatal(err)
	}
	catalog := []sources.Subject{sources.HubModel("acme/support-bot", ""), sources.HubModel("acme/unknown", "")}
	err = eng.AssessAll(context.Background(), slices.Values(catalog), risk.SinkFunc(func(r *risk.Report) error {
		fmt.Println(r.Subject.Ref, r.Root().State)
		return nil
	}))
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// hf:acme/support-bot collected
	// hf:acme/unknown skipped
}
