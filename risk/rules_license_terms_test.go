package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// trainedOn returns a graph in which model declares it was trained on the
// datasets.
func trainedOn(model *Node, datasets ...*Node) *Graph {
	nodes := append([]*Node{model}, datasets...)
	var edges []Edge
	for _, d := range datasets {
		e := addEv(model, sources.KindDataset, d.Subject.Ref, "declared_in", "card")
		edges = append(edges, link(model, d, sources.RelTrainedOn, e))
	}
	return graphOf(nodes, edges...)
}

func TestLicenseUseRestrictions(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseUseRestrictions, []checkCase{
		{"llama 3 binds its users", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "llama3")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(l), Says: []string{"acceptable-use", "Built with", "700"}}}
		}},
		{"inherited once", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("meta-llama/Llama-2-7b-hf")
			a := cardLicense(ft, "llama2")
			b := cardLicense(base, "llama2")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: ids(a, b), Says: []string{"llama2 (hf:org/ft, hf:meta-llama/Llama-2-7b-hf)"}}}
		}},
		{"relabelled derivative still bound", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("google/gemma-7b")
			cardLicense(ft, "apache-2.0")
			b := cardLicense(base, "gemma")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: ids(b), Says: []string{"gemma (hf:google/gemma-7b)"}}}
		}},
		{"openrail field of use", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "creativeml-openrail-m")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(l)}}
		}},
		{"apache has no use terms", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "apache-2.0")
			return single(n), n, []want{{Outcome: OutcomePass}}
		}},
		{"unrecognised is unknown", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "other")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(l)}}
		}},
		{"unread ancestor is unknown", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), unread(hubNode("org/base"), NodeFailed, "unauthorized")
			cardLicense(ft, "mit")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Says: []string{"hf:org/base (failed: unauthorized)"}}}
		}},
	})
}

func TestLicenseDatasetConflict(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseDatasetConflict, []checkCase{
		{"non-commercial data under a commercial license", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/data")
			ml := cardLicense(m, "apache-2.0")
			dl := cardLicense(d, "cc-by-nc-4.0")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomeFail, Severity: SeverityHigh, Evidence: ids(ml, dl), Says: []string{"cc-by-nc-4.0", "apache-2.0"}}}
		}},
		{"share-alike data under a permissive license", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/data")
			ml := cardLicense(m, "mit")
			dl := cardLicense(d, "cc-by-sa-4.0")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomeFail, Evidence: ids(ml, dl), Says: []string{"share-alike"}}}
		}},
		{"compatible data", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/data")
			ml := cardLicense(m, "apache-2.0")
			cardLicense(d, "cc-by-4.0")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomePass, Evidence: ids(ml)}}
		}},
		{"unread dataset is unknown", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), unread(hubDatasetNode("org/data"), NodeFailed, "not_found")
			cardLicense(m, "apache-2.0")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomeUnknown}}
		}},
		{"no datasets", func() (*Input, *Node, []want) {
			m := hubNode("org/model")
			cardLicense(m, "apache-2.0")
			return single(m), m, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestLicensePolicyDenied(t *testing.T) {
	t.Parallel()
	deny := &Policy{Licenses: LicensePolicy{Deny: []string{"AGPL-3.0", "cc-by-nc-4.0"}}}
	allow := &Policy{Licenses: LicensePolicy{Allow: []string{"apache-2.0", "mit"}}}
	runCheckCases(t, checkLicensePolicyDenied, []checkCase{
		{"denied license", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "agpl-3.0")
			return &Input{Graph: graphOf([]*Node{n}), Policy: deny}, n, []want{{Outcome: OutcomeFail, Evidence: ids(l), Says: []string{"denies"}}}
		}},
		{"denied dataset license", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/data")
			cardLicense(m, "apache-2.0")
			dl := cardLicense(d, "cc-by-nc-4.0")
			return &Input{Graph: trainedOn(m, d), Policy: deny}, m, []want{{Subject: d.ID, Outcome: OutcomeFail, Evidence: ids(dl)}}
		}},
		{"outside the allow list", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "llama2")
			return &Input{Graph: graphOf([]*Node{n}), Policy: allow}, n, []want{{Outcome: OutcomeFail, Evidence: ids(l), Says: []string{"licenses.allow"}}}
		}},
		{"allowed", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "Apache-2.0")
			return &Input{Graph: graphOf([]*Node{n}), Policy: allow}, n, []want{{Outcome: OutcomePass}}
		}},
		{"unrecognised under a policy is unknown", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "other")
			return &Input{Graph: graphOf([]*Node{n}), Policy: allow}, n, []want{{Outcome: OutcomeUnknown, Evidence: ids(l)}}
		}},
		{"no lists", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "agpl-3.0")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestLicenseFileMismatch(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseFileMismatch, []checkCase{
		{"relabelled card", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := cardLicense(n, "apache-2.0")
			f := fileLicense(n, "LICENSE", "llama2")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c, f), Says: []string{"apache-2.0", "llama2"}}}
		}},
		{"agree", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := cardLicense(n, "llama2")
			f := fileLicense(n, "LICENSE.txt", "llama2")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(c, f)}}
		}},
		{"unrecognised text", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "mit")
			f := fileLicense(n, "LICENSE", "other")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(f)}}
		}},
		{"no file", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "mit")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestLicenseNoncommercialTrainingData(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseNoncommercial, []checkCase{
		{"non-commercial dataset", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/data")
			ml := cardLicense(m, "apache-2.0")
			dl := cardLicense(d, "cc-by-nc-sa-4.0")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomePass, Evidence: ids(ml)}, {Subject: d.ID, Outcome: OutcomeFail, Evidence: ids(dl), Says: []string{"training dataset"}}}
		}},
	})
}
