package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// single returns the input for a graph holding only n.
func single(n *Node) *Input { return inputFor(graphOf([]*Node{n})) }

func TestCardMissing(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkCardMissing, []checkCase{
		{"present", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(c)}}
		}},
		{"absent", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "absent")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c), Says: []string{"no card"}}}
		}},
		{"listed but unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "unavailable")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(c), Says: []string{"could not be read"}}}
		}},
		{"present on one source, unavailable on another", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "unavailable")
			c := addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(c)}}
		}},
		{"broken metadata", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "README.md", "part", "card", "line", "3", "error", "mapping values are not allowed here")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe), Says: []string{"README.md:3", "mapping values"}}}
		}},
		{"nothing reported", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "model.safetensors", "role", "weights", "format", "safetensors")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"package", func() (*Input, *Node, []want) {
			s, _ := sources.ParseRef("pkg:pypi/torch@2.3.0")
			n := &Node{ID: s.ID(), Subject: s, State: NodeCollected}
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestDatasetsUndeclared(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkDatasetsUndeclared, []checkCase{
		{"declared in card", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			d := addEv(n, sources.KindDataset, "org/corpus")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(d), Says: []string{"org/corpus"}}}
		}},
		{"declared by tag only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "unavailable")
			tag := addEv(n, sources.KindTag, "dataset:org/corpus")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(tag)}}
		}},
		{"trained_on edge", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			ds := hubDatasetNode("org/corpus")
			d := addEv(n, sources.KindDataset, "org/corpus")
			g := graphOf([]*Node{n, ds}, link(n, ds, sources.RelTrainedOn, d))
			return inputFor(g), n, []want{{Outcome: OutcomePass, Evidence: ids(d), Says: []string{"org/corpus"}}}
		}},
		{"card without datasets", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "present")
			addEv(n, sources.KindTag, "text-generation")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c), Says: []string{"no datasets field"}}}
		}},
		{"no card", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "absent")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c), Says: []string{"no card"}}}
		}},
		{"card unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "unavailable")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(c)}}
		}},
		{"nothing reported", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"card metadata broken", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "README.md", "part", "card", "error", "bad yaml")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe)}}
		}},
		{"dataset", func() (*Input, *Node, []want) {
			n := hubDatasetNode("org/corpus")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}
