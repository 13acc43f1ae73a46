package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// cardLicense adds a card license declaration to n; kv adds name and link.
func cardLicense(n *Node, id string, kv ...string) sources.Evidence {
	return addEv(n, sources.KindLicense, id, append([]string{"declared_in", "card"}, kv...)...)
}

// fileLicense adds a LICENSE file recognised as id ("" for a text not recognised).
func fileLicense(n *Node, file, id string) sources.Evidence {
	return addEv(n, sources.KindLicense, id, "declared_in", "file", "file", file, "match", "pattern", "confidence", "0.98")
}

func TestLicenseMissing(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseMissing, []checkCase{
		{"card license", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			l := cardLicense(n, "apache-2.0")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l), Says: []string{"apache-2.0"}}}
		}},
		{"tag only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "unavailable")
			l := addEv(n, sources.KindLicense, "mit", "declared_in", "tag")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l), Says: []string{"tag license:mit"}}}
		}},
		{"license file only", func() (*Input, *Node, []want) {
			n := localNode("/work/models/m")
			addEv(n, sources.KindCard, "absent")
			l := fileLicense(n, "LICENSE.txt", "llama2")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l), Says: []string{"LICENSE.txt"}}}
		}},
		{"card without license", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c), Says: []string{"no license field"}}}
		}},
		{"no card and no license file", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "absent")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c), Says: []string{"it has no card"}}}
		}},
		{"card unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "unavailable")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(c)}}
		}},
		{"card broken", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "README.md", "part", "card", "line", "2", "error", "found character that cannot start any token")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe), Says: []string{"README.md:2"}}}
		}},
		{"license file unreadable", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			fe := addEv(n, sources.KindFileError, "LICENSE", "part", "license", "error", "not valid UTF-8")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe)}}
		}},
		{"nothing reported", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
	})
}

func TestLicenseUnrecognized(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseUnrecognized, []checkCase{
		{"known id", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "apache-2.0")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l)}}
		}},
		{"other with a recognisable name", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "other", "name", "Llama 2 Community License Agreement")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l), Says: []string{"llama2"}}}
		}},
		{"other recognised by its license file", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "other")
			f := fileLicense(n, "LICENSE", "llama2")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(f)}}
		}},
		{"custom license", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "other", "name", "Acme Model License", "link", "https://acme.example/license")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(l),
				Says: []string{`license: "other"`, `license_name: "Acme Model License"`, `license_link: "https://acme.example/license"`}}}
		}},
		{"license file text not recognised", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			f := fileLicense(n, "LICENSE.md", "")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(f), Says: []string{"LICENSE.md (text not recognised)"}}}
		}},
		{"none declared", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestLicenseNoncommercial(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLicenseNoncommercial, []checkCase{
		{"cc-by-nc", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "cc-by-nc-4.0")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(l), Says: []string{"cc-by-nc-4.0", "do not permit commercial use"}}}
		}},
		{"apache", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "apache-2.0")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l)}}
		}},
		{"restricted but commercial", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "llama2")
			tag := addEv(n, sources.KindLicense, "llama2", "declared_in", "tag")
			_ = tag // the same license declared twice counts once
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(l)}}
		}},
		{"card and license file disagree", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			cardLicense(n, "apache-2.0")
			f := fileLicense(n, "LICENSE", "cc-by-nc-4.0")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(f), Says: []string{"disagree", "says apache-2.0"}}}
		}},
		{"unrecognised", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			l := cardLicense(n, "other", "name", "Acme Model License")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(l)}}
		}},
		{"none", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
	})
}

// fineTuneOf returns a graph in which ft is a declared fine-tune of base, and
// the evidence of the link.
func fineTuneOf(ft, base *Node, more ...*Node) (*Graph, []string) {
	g, edges := chainGraph(append([]*Node{ft, base}, more...)...)
	return g, edgeEvidence(edges...)
}

func TestLicenseConflict(t *testing.T) {
	t.Parallel()
	llama := func() *Node { return hubNode("meta-llama/Llama-2-7b-hf") }
	runCheckCases(t, checkLicenseConflict, []checkCase{
		{"apache fine-tune of llama 2", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), llama()
			own := cardLicense(ft, "apache-2.0")
			anc := cardLicense(base, "llama2")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: append(ids(own, anc), link...),
				Says: []string{"hf:org/ft declares apache-2.0", "derives from hf:meta-llama/Llama-2-7b-hf (hf:org/ft -> hf:meta-llama/Llama-2-7b-hf), licensed llama2", "use restrictions"}}}
		}},
		{"llama 2 fine-tune keeps the license", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), llama()
			own := cardLicense(ft, "llama2")
			anc := cardLicense(base, "llama2")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomePass, Evidence: ids(own, anc), Says: []string{"hf:meta-llama/Llama-2-7b-hf (llama2)"}}}
		}},
		{"base named in the card but unreadable", func() (*Input, *Node, []want) {
			ft := localNode("/work/models/ft")
			base := unread(llama(), NodeSkipped, "no installed source serves pkg:huggingface/meta-llama/Llama-2-7b-hf")
			own := cardLicense(ft, "apache-2.0")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Evidence: append(ids(own), link...),
				Says: []string{"hf:meta-llama/Llama-2-7b-hf", "could not be read (skipped: no installed source", "cannot be checked"}}}
		}},
		{"gated base", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), unread(llama(), NodeFailed, "unauthorized: gated")
			own := cardLicense(ft, "llama2")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Evidence: append(ids(own), link...), Says: []string{"failed: unauthorized: gated"}}}
		}},
		{"partially read base is compared", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), unread(llama(), NodePartial, "tree: rate_limited")
			own := cardLicense(ft, "mit")
			anc := cardLicense(base, "llama2")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: append(ids(own, anc), link...)}}
		}},
		{"base without a license", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/base")
			own := cardLicense(ft, "apache-2.0")
			addEv(base, sources.KindCard, "present")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Evidence: append(ids(own), link...), Says: []string{"which declares no license"}}}
		}},
		{"base with an unrecognised license", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/base")
			own := cardLicense(ft, "apache-2.0")
			anc := cardLicense(base, "other", "name", "Acme Model License")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Evidence: append(ids(own, anc), link...), Says: []string{"no recognised license", "Acme Model License"}}}
		}},
		{"derivative without a license", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), llama()
			cardLicense(base, "llama2")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Says: []string{"declares no license", "hf:meta-llama/Llama-2-7b-hf"}}}
		}},
		{"derivative with an unrecognised license", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), llama()
			own := cardLicense(ft, "other")
			cardLicense(base, "llama2")
			g, _ := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeUnknown, Evidence: ids(own)}}
		}},
		{"copyleft ancestor is medium", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/gpl-base")
			own := cardLicense(ft, "apache-2.0")
			anc := cardLicense(base, "gpl-3.0")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Severity: SeverityMedium, Evidence: append(ids(own, anc), link...), Says: []string{"share-alike"}}}
		}},
		{"non-commercial ancestor is high", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/nc-base")
			own := cardLicense(ft, "mit")
			anc := cardLicense(base, "cc-by-nc-4.0")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: append(ids(own, anc), link...), Says: []string{"ban on commercial use"}}}
		}},
		{"grandparent terms through an intermediate", func() (*Input, *Node, []want) {
			ft, mid, base := hubNode("org/q4"), hubNode("org/chat"), llama()
			own := cardLicense(ft, "apache-2.0")
			m := cardLicense(mid, "llama2")
			anc := cardLicense(base, "llama2")
			g, edges := chainGraph(ft, mid, base)
			return inputFor(g), ft, []want{
				{Outcome: OutcomeFail, Evidence: append(ids(own, m), edges[0].Evidence...)},
				{Outcome: OutcomeFail, Evidence: append(ids(own, anc), edgeEvidence(edges...)...),
					Says: []string{"(hf:org/q4 -> hf:org/chat -> hf:meta-llama/Llama-2-7b-hf)"}},
			}
		}},
		{"intermediate keeps the terms", func() (*Input, *Node, []want) {
			ft, mid, base := hubNode("org/q4"), hubNode("org/chat"), llama()
			cardLicense(ft, "apache-2.0")
			own := cardLicense(mid, "llama2")
			anc := cardLicense(base, "llama2")
			g, _ := chainGraph(ft, mid, base)
			return inputFor(g), mid, []want{{Outcome: OutcomePass, Evidence: ids(own, anc)}}
		}},
		{"ancestor's card and license file disagree: the stricter counts", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), hubNode("org/base")
			own := cardLicense(ft, "apache-2.0")
			cardLicense(base, "apache-2.0")
			f := fileLicense(base, "LICENSE", "llama2")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: append(ids(own, f), link...),
				Says: []string{"licensed llama2", "declarations of hf:org/base disagree"}}}
		}},
		{"derivative's card loosens its own license file", func() (*Input, *Node, []want) {
			ft, base := hubNode("org/ft"), llama()
			own := cardLicense(ft, "apache-2.0")
			fileLicense(ft, "LICENSE", "llama2")
			anc := cardLicense(base, "llama2")
			g, link := fineTuneOf(ft, base)
			return inputFor(g), ft, []want{{Outcome: OutcomeFail, Evidence: append(ids(own, anc), link...),
				Says: []string{"card metadata license", "declarations of hf:org/ft disagree"}}}
		}},
		{"one ancestor read, one skipped", func() (*Input, *Node, []want) {
			m, a, b := hubNode("org/merge"), hubNode("org/a"), unread(hubNode("org/b"), NodeSkipped, "beyond the depth limit")
			own := cardLicense(m, "apache-2.0")
			cardLicense(a, "apache-2.0")
			g := graphOf([]*Node{m, a, b}, link(m, a, sources.RelMerge), link(m, b, sources.RelMerge))
			return inputFor(g), m, []want{{Outcome: OutcomeUnknown, Evidence: ids(own), Says: []string{"hf:org/b"}}}
		}},
		{"base declared but not linked", func() (*Input, *Node, []want) {
			ft := hubNode("org/ft")
			cardLicense(ft, "apache-2.0")
			b := addEv(ft, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "declared_in", "card")
			return single(ft), ft, []want{{Outcome: OutcomeUnknown, Evidence: ids(b)}}
		}},
		{"no ancestors", func() (*Input, *Node, []want) {
			n := hubNode("org/base")
			cardLicense(n, "apache-2.0")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}
