package risk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pedigree-ai/pedigree/sources"
)

func TestNormalizeRef(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"meta-llama/Llama-2-7b-hf", "hf:meta-llama/llama-2-7b-hf"},
		{"meta-llama/Llama-2-7b-hf/", "https://huggingface.co/meta-llama/Llama-2-7b-hf"},
		{"hf:meta-llama/Llama-2-7b-hf@main", "meta-llama/Llama-2-7b-hf"},
		{"pkg:huggingface/meta-llama/Llama-2-7b-hf@abc", "meta-llama/llama-2-7b-hf"},
		{"base_model:adapter:meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"},
		{"./base/", "base"},
		{"/data/models/../models/base", "/data/models/base"},
	}
	for _, p := range same {
		if a, b := normalizeRef(p[0]), normalizeRef(p[1]); a != b {
			t.Errorf("normalizeRef(%q) = %q, normalizeRef(%q) = %q; want equal", p[0], a, p[1], b)
		}
	}
	if sameModel(normalizeRef("org/a"), normalizeRef("org/b")) {
		t.Error("org/a and org/b compare as the same model")
	}
	if !sameModel(normalizeRef("/home/me/ckpt/Llama-2-7b-hf"), normalizeRef("meta-llama/Llama-2-7b-hf")) {
		t.Error("a local path does not match the declared model of the same name")
	}
}

func TestLineageUndeclared(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLineageUndeclared, []checkCase{
		{"adapter base not declared", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			c := addEv(n, sources.KindCard, "present")
			b := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "adapter_config", "relation", "adapter")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(b, c),
				Says: []string{"meta-llama/Llama-2-7b-hf (from adapter_config)", "the card declares no base_model"}}}
		}},
		{"config names a different base than the card", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "present")
			d := addEv(n, sources.KindBaseModel, "mistralai/Mistral-7B-v0.1", "declared_in", "card")
			b := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "config")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(b, c, d),
				Says: []string{`declares base_model "mistralai/Mistral-7B-v0.1"`}}}
		}},
		{"one result per undeclared base of a merge", func() (*Input, *Node, []want) {
			n := hubNode("org/merge")
			c := addEv(n, sources.KindCard, "absent")
			a := addEv(n, sources.KindBaseModel, "org/a", "declared_in", "merge_config")
			b := addEv(n, sources.KindBaseModel, "org/b", "declared_in", "merge_config")
			addEv(n, sources.KindBaseModel, "hf:org/b", "declared_in", "config")
			return single(n), n, []want{
				{Outcome: OutcomeFail, Evidence: ids(a, c), Says: []string{"it has no card"}},
				{Outcome: OutcomeFail, Evidence: ids(b, c)},
			}
		}},
		{"declared with another spelling", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			addEv(n, sources.KindCard, "present")
			d := addEv(n, sources.KindBaseModel, "hf:Meta-Llama/Llama-2-7b-hf", "declared_in", "card")
			b := addEv(n, sources.KindBaseModel, "https://huggingface.co/meta-llama/Llama-2-7b-hf/", "declared_in", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(b, d)}}
		}},
		{"local training path of the declared base", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			d := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "card")
			b := addEv(n, sources.KindBaseModel, "/scratch/ckpt/Llama-2-7b-hf/", "declared_in", "config")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(b, d)}}
		}},
		{"declared by a Hub tag while the card is unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			addEv(n, sources.KindCard, "unavailable")
			d := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "tag", "relation", "finetune")
			b := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(b, d)}}
		}},
		{"config names the model itself", func() (*Input, *Node, []want) {
			n := hubNode("meta-llama/Llama-2-7b-hf")
			addEv(n, sources.KindCard, "present")
			addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "config")
			return single(n), n, []want{{Outcome: OutcomePass}}
		}},
		{"local folder adapter on a relative base", func() (*Input, *Node, []want) {
			n := localNode("/work/models/lora")
			addEv(n, sources.KindCard, "present")
			d := addEv(n, sources.KindBaseModel, "../base", "declared_in", "card")
			b := addEv(n, sources.KindBaseModel, "../base/", "declared_in", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(b, d)}}
		}},
		{"no configuration names a base", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			addEv(n, sources.KindConfig, "llama", "field", "model_type")
			return single(n), n, []want{{Outcome: OutcomePass}}
		}},
		{"nothing inspected", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"card unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			c := addEv(n, sources.KindCard, "unavailable")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(b, c)}}
		}},
		{"card broken", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "README.md", "part", "card", "line", "4", "error", "did not find expected key")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(b, fe), Says: []string{"README.md:4"}}}
		}},
		{"config broken", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "adapter_config.json", "part", "adapter_config", "error", "invalid character")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe), Says: []string{"adapter_config.json"}}}
		}},
	})
}

// chainGraph links nodes[i] to nodes[i+1] as a fine-tune of it, each edge
// resting on a base_model declaration of its derivative.
func chainGraph(nodes ...*Node) (*Graph, []Edge) {
	var edges []Edge
	for i := 0; i+1 < len(nodes); i++ {
		b := addEv(nodes[i], sources.KindBaseModel, nodes[i+1].Subject.Ref, "declared_in", "card")
		edges = append(edges, link(nodes[i], nodes[i+1], sources.RelFinetune, b))
	}
	return graphOf(nodes, edges...), edges
}

func TestLineageUnresolvable(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLineageUnresolvable, []checkCase{
		{"links left out by a limit of the walk", func() (*Input, *Node, []want) {
			root, p := hubNode("org/merge"), hubNode("org/p0")
			e := addEv(root, sources.KindMerge, "org/p0", "declared_in", "mergekit_config.yml")
			root.State, root.Unfollowed, root.Reason = NodePartial, 999, "999 links not followed: the walk follows at most 1 links per subject"
			g := graphOf([]*Node{root, p}, link(root, p, sources.RelMerge, e))
			return inputFor(g), root, []want{{Subject: root.ID, Outcome: OutcomeUnknown, Evidence: ids(e),
				Says: []string{"999 more subjects", "at most 1 links per subject"}}}
		}},
		{"only unfollowed links", func() (*Input, *Node, []want) {
			root := hubNode("org/m")
			root.State, root.Unfollowed, root.Reason = NodePartial, 2, "2 links not followed"
			return single(root), root, []want{{Subject: root.ID, Outcome: OutcomeUnknown, Says: []string{"2 more subjects"}}}
		}},
		{"skipped base", func() (*Input, *Node, []want) {
			root := localNode("/work/models/ft")
			base := unread(hubNode("meta-llama/Llama-2-7b-hf"), NodeSkipped, "no installed source serves pkg:huggingface/meta-llama/Llama-2-7b-hf")
			g, edges := chainGraph(root, base)
			return inputFor(g), root, []want{{Subject: base.ID, Outcome: OutcomeUnknown, Evidence: edges[0].Evidence,
				Says: []string{"hf:meta-llama/Llama-2-7b-hf", "fine-tuning base of ./ft (declared)", "skipped: no installed source"}}}
		}},
		{"gated grandparent and missing dataset", func() (*Input, *Node, []want) {
			root := hubNode("org/ft")
			mid := hubNode("org/mid")
			top := unread(hubNode("org/gated"), NodeFailed, "unauthorized: gated model")
			ds := unread(hubDatasetNode("org/gone"), NodeFailed, "not_found: 404")
			g0, edges := chainGraph(root, mid, top)
			d := addEv(mid, sources.KindDataset, "org/gone")
			dsEdge := link(mid, ds, sources.RelTrainedOn, d)
			g := graphOf(append(g0.Nodes, ds), append(edges, dsEdge)...)
			return inputFor(g), root, []want{
				{Subject: top.ID, Outcome: OutcomeUnknown, Evidence: edges[1].Evidence, Says: []string{"unauthorized: gated model"}},
				{Subject: ds.ID, Outcome: OutcomeUnknown, Evidence: ids(d), Severity: SeverityLow, Says: []string{"training dataset of hf:org/mid", "not_found: 404"}},
			}
		}},
		{"partial node is resolved", func() (*Input, *Node, []want) {
			root := hubNode("org/ft")
			base := unread(hubNode("org/base"), NodePartial, "tree: rate_limited")
			g, _ := chainGraph(root, base)
			return inputFor(g), root, []want{{Outcome: OutcomePass, Says: []string{"hf:org/base"}}}
		}},
		{"all read", func() (*Input, *Node, []want) {
			root := hubNode("org/ft")
			g, _ := chainGraph(root, hubNode("org/mid"), hubNode("org/base"))
			return inputFor(g), root, []want{{Outcome: OutcomePass, Says: []string{"hf:org/mid, hf:org/base"}}}
		}},
		{"dependencies do not count", func() (*Input, *Node, []want) {
			root := hubNode("org/model")
			pkg := unread(&Node{ID: "pkg:pypi/torch", Subject: sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:pypi/torch"}}, NodeSkipped, "no source")
			g := graphOf([]*Node{root, pkg}, Edge{From: root.ID, To: pkg.ID, Relation: sources.RelDependsOn})
			return inputFor(g), root, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"edge to a node the graph lacks", func() (*Input, *Node, []want) {
			root := hubNode("org/ft")
			b := addEv(root, sources.KindBaseModel, "org/ghost", "declared_in", "card")
			g := graphOf([]*Node{root}, Edge{From: root.ID, To: "pkg:huggingface/org/ghost", Relation: sources.RelFinetune, Declared: true, Evidence: ids(b)})
			return inputFor(g), root, []want{{Subject: "pkg:huggingface/org/ghost", Outcome: OutcomeUnknown, Evidence: ids(b), Says: []string{"no source reported it"}}}
		}},
		{"no ancestors", func() (*Input, *Node, []want) {
			root := hubNode("org/base")
			return single(root), root, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestLineageCycle(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLineageCycle, []checkCase{
		{"two models declare each other", func() (*Input, *Node, []want) {
			a, b := hubNode("org/a"), hubNode("org/b")
			ea := addEv(a, sources.KindBaseModel, "org/b", "declared_in", "card")
			eb := addEv(b, sources.KindBaseModel, "org/a", "declared_in", "card")
			g := graphOf([]*Node{a, b}, link(a, b, sources.RelFinetune, ea), link(b, a, sources.RelFinetune, eb))
			return inputFor(g), a, []want{{Subject: a.ID, Outcome: OutcomeFail, Evidence: ids(ea, eb), Path: []string{a.ID, b.ID, a.ID},
				Says: []string{"hf:org/a -> hf:org/b -> hf:org/a"}}}
		}},
		{"loop behind the root", func() (*Input, *Node, []want) {
			r, a, b, c := hubNode("org/r"), hubNode("org/a"), hubNode("org/b"), hubNode("org/c")
			e1 := addEv(r, sources.KindBaseModel, "org/a", "declared_in", "card")
			e2 := addEv(a, sources.KindBaseModel, "org/b", "declared_in", "card")
			e3 := addEv(b, sources.KindBaseModel, "org/c", "declared_in", "card")
			e4 := addEv(c, sources.KindBaseModel, "org/a", "declared_in", "card")
			g := graphOf([]*Node{r, a, b, c}, link(r, a, sources.RelFinetune, e1), link(a, b, sources.RelQuantized, e2),
				link(b, c, sources.RelAdapter, e3), link(c, a, sources.RelFinetune, e4))
			return inputFor(g), r, []want{{Subject: a.ID, Outcome: OutcomeFail, Evidence: ids(e2, e3, e4), Path: []string{a.ID, b.ID, c.ID, a.ID}}}
		}},
		{"self loop", func() (*Input, *Node, []want) {
			a := hubNode("org/a")
			e := addEv(a, sources.KindBaseModel, "org/a", "declared_in", "card")
			g := graphOf([]*Node{a}, link(a, a, sources.RelFinetune, e))
			return inputFor(g), a, []want{{Subject: a.ID, Outcome: OutcomeFail, Evidence: ids(e), Path: []string{a.ID, a.ID}}}
		}},
		{"diamond of a merge is no loop", func() (*Input, *Node, []want) {
			m, p1, p2, base := hubNode("org/m"), hubNode("org/p1"), hubNode("org/p2"), hubNode("org/base")
			g := graphOf([]*Node{m, p1, p2, base}, link(m, p1, sources.RelMerge), link(m, p2, sources.RelMerge),
				link(p1, base, sources.RelFinetune), link(p2, base, sources.RelFinetune))
			return inputFor(g), m, []want{{Outcome: OutcomePass}}
		}},
		{"dataset links are not lineage", func() (*Input, *Node, []want) {
			a, d := hubNode("org/a"), hubDatasetNode("org/d")
			g := graphOf([]*Node{a, d}, link(a, d, sources.RelTrainedOn), Edge{From: d.ID, To: a.ID, Relation: sources.RelTrainedOn})
			return inputFor(g), a, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"an unread base may close a loop", func() (*Input, *Node, []want) {
			a, b := hubNode("org/a"), unread(hubNode("org/gated"), NodeFailed, "unauthorized: gated")
			e := addEv(a, sources.KindBaseModel, "org/gated", "declared_in", "card")
			g := graphOf([]*Node{a, b}, link(a, b, sources.RelFinetune, e))
			return inputFor(g), a, []want{{Outcome: OutcomeUnknown, Evidence: ids(e), Says: []string{"cannot be ruled out", "hf:org/gated"}}}
		}},
		{"links not followed may close a loop", func() (*Input, *Node, []want) {
			a, b := hubNode("org/a"), hubNode("org/b")
			b.State, b.Unfollowed = NodePartial, 3
			e := addEv(a, sources.KindBaseModel, "org/b", "declared_in", "card")
			g := graphOf([]*Node{a, b}, link(a, b, sources.RelMerge, e))
			return inputFor(g), a, []want{{Outcome: OutcomeUnknown, Evidence: ids(e), Says: []string{"hf:org/b"}}}
		}},
	})
}

func TestLineageCyclesDistinct(t *testing.T) {
	t.Parallel()
	// a -> b -> a and a -> c -> a are two loops; each is reported once.
	a, b, c := hubNode("org/a"), hubNode("org/b"), hubNode("org/c")
	g := graphOf([]*Node{a, b, c}, link(a, b, sources.RelMerge), link(a, c, sources.RelMerge),
		link(b, a, sources.RelFinetune), link(c, a, sources.RelFinetune))
	got := lineageCycles(g, a.ID)
	want := [][]string{{a.ID, b.ID, a.ID}, {a.ID, c.ID, a.ID}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLineageDepth(t *testing.T) {
	t.Parallel()
	chainOf := func(n int) []*Node {
		nodes := make([]*Node, n)
		for i := range nodes {
			nodes[i] = hubNode("org/m" + string(rune('a'+i)))
		}
		return nodes
	}
	idsOf := func(nodes []*Node) []string {
		out := make([]string, len(nodes))
		for i, n := range nodes {
			out[i] = n.ID
		}
		return out
	}
	edgeIDs := func(edges []Edge) []string { return edgeEvidence(edges...) }
	runCheckCases(t, checkLineageDepth, []checkCase{
		{"longer than the default", func() (*Input, *Node, []want) {
			nodes := chainOf(7)
			g, edges := chainGraph(nodes...)
			return inputFor(g), nodes[0], []want{{Outcome: OutcomeFail, Path: idsOf(nodes), Evidence: edgeIDs(edges),
				Says: []string{"6 derivation steps from hf:org/mg", "the policy allows 5"}}}
		}},
		{"at the default", func() (*Input, *Node, []want) {
			nodes := chainOf(6)
			g, edges := chainGraph(nodes...)
			return inputFor(g), nodes[0], []want{{Outcome: OutcomePass, Evidence: edgeIDs(edges), Says: []string{"5 derivation steps"}}}
		}},
		{"policy limit", func() (*Input, *Node, []want) {
			nodes := chainOf(4)
			g, edges := chainGraph(nodes...)
			in := &Input{Graph: g, Policy: &Policy{MaxLineageDepth: 2}}
			return in, nodes[0], []want{{Outcome: OutcomeFail, Path: idsOf(nodes), Evidence: edgeIDs(edges), Says: []string{"allows 2"}}}
		}},
		{"nil policy uses the default", func() (*Input, *Node, []want) {
			nodes := chainOf(3)
			g, edges := chainGraph(nodes...)
			return &Input{Graph: g}, nodes[0], []want{{Outcome: OutcomePass, Evidence: edgeIDs(edges), Says: []string{"allows 5"}}}
		}},
		{"longest of several chains", func() (*Input, *Node, []want) {
			nodes := chainOf(5)
			g0, edges := chainGraph(nodes...)
			short := hubNode("org/short")
			extra := link(nodes[0], short, sources.RelMerge)
			g := graphOf(append(g0.Nodes, short), append([]Edge{extra}, edges...)...)
			in := &Input{Graph: g, Policy: &Policy{MaxLineageDepth: 3}}
			return in, nodes[0], []want{{Outcome: OutcomeFail, Path: idsOf(nodes), Evidence: edgeIDs(edges)}}
		}},
		{"chain ending in an unread ancestor within the limit is unknown", func() (*Input, *Node, []want) {
			nodes := chainOf(3)
			unread(nodes[2], NodeSkipped, "beyond the depth limit")
			g, edges := chainGraph(nodes...)
			return inputFor(g), nodes[0], []want{{Outcome: OutcomeUnknown, Evidence: edgeIDs(edges),
				Says: []string{"2 derivation steps", "may be longer", "hf:org/mc (skipped: beyond the depth limit)"}}}
		}},
		{"chain already over the limit before an unread ancestor fails", func() (*Input, *Node, []want) {
			nodes := chainOf(4)
			unread(nodes[3], NodeSkipped, "beyond the depth limit")
			g, edges := chainGraph(nodes...)
			in := &Input{Graph: g, Policy: &Policy{MaxLineageDepth: 2}}
			return in, nodes[0], []want{{Outcome: OutcomeFail, Path: idsOf(nodes), Evidence: edgeIDs(edges)}}
		}},
		{"loop does not hang", func() (*Input, *Node, []want) {
			a, b := hubNode("org/a"), hubNode("org/b")
			g := graphOf([]*Node{a, b}, link(a, b, sources.RelFinetune), link(b, a, sources.RelFinetune))
			return inputFor(g), a, []want{{Outcome: OutcomePass, Says: []string{"1 derivation step "}}}
		}},
		{"no ancestors", func() (*Input, *Node, []want) {
			a := hubNode("org/a")
			return single(a), a, []want{{Outcome: OutcomePass, Says: []string{"0 derivation steps"}}}
		}},
	})
}

func TestLineageMerge(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLineageMerge, []checkCase{
		{"mergekit configuration with parents", func() (*Input, *Node, []want) {
			m, a, b := hubNode("org/merge"), hubNode("org/a"), hubNode("org/b")
			cfg := addEv(m, sources.KindMerge, "slerp", "file", "mergekit_config.yml")
			ea := addEv(m, sources.KindBaseModel, "org/a", "declared_in", "merge_config")
			eb := addEv(m, sources.KindBaseModel, "org/b", "declared_in", "merge_config")
			g := graphOf([]*Node{m, a, b}, link(m, a, sources.RelMerge, ea), link(m, b, sources.RelMerge, eb))
			return inputFor(g), m, []want{{Outcome: OutcomeFail, Evidence: ids(cfg, ea, eb),
				Says: []string{"slerp in mergekit_config.yml", "of 2 parents: hf:org/a, hf:org/b"}}}
		}},
		{"several merge parents without configuration", func() (*Input, *Node, []want) {
			m, a, b := hubNode("org/merge"), hubNode("org/a"), hubNode("org/b")
			addEv(m, sources.KindCard, "present")
			g := graphOf([]*Node{m, a, b}, link(m, a, sources.RelMerge), link(m, b, sources.RelMerge))
			return inputFor(g), m, []want{{Outcome: OutcomeFail}}
		}},
		{"declared relation", func() (*Input, *Node, []want) {
			m := hubNode("org/merge")
			rel := addEv(m, sources.KindCardField, "merged", "field", "base_model_relation")
			return single(m), m, []want{{Outcome: OutcomeFail, Evidence: ids(rel), Says: []string{"parents are not linked"}}}
		}},
		{"merge tag", func() (*Input, *Node, []want) {
			m := hubNode("org/merge")
			addEv(m, sources.KindTag, "text-generation")
			tag := addEv(m, sources.KindTag, "mergekit")
			return single(m), m, []want{{Outcome: OutcomeFail, Evidence: ids(tag)}}
		}},
		{"plain fine-tune", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/base")
			addEv(ft, sources.KindCard, "present")
			addEv(ft, sources.KindCardField, "finetune", "field", "base_model_relation")
			g := graphOf([]*Node{ft, base}, link(ft, base, sources.RelFinetune))
			return inputFor(g), ft, []want{{Outcome: OutcomePass}}
		}},
		{"nothing read", func() (*Input, *Node, []want) {
			m := hubNode("org/m")
			addEv(m, sources.KindCard, "unavailable")
			return single(m), m, []want{{Outcome: OutcomeUnknown}}
		}},
	})
}
