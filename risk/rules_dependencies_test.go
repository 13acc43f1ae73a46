package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// packageNode returns a collected node for a package.
func packageNode(purl string) *Node {
	s := sources.Subject{Kind: sources.SubjectPackage, Ref: purl, PURL: purl}
	return &Node{ID: s.ID(), Subject: s, State: NodeCollected}
}

// repoNode returns a collected node for a code repository.
func repoNode(purl string) *Node {
	s := sources.Subject{Kind: sources.SubjectRepository, Ref: purl, PURL: purl}
	return &Node{ID: s.ID(), Subject: s, State: NodeCollected}
}

func TestDependencyVulnerable(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkDependencyVulnerable, []checkCase{
		{"vulnerable dependency, severity from CVSS", func() (*Input, *Node, []want) {
			m, p := localNode("/m/x"), packageNode("pkg:pypi/transformers@4.36.0")
			v1 := addEv(p, sources.KindVulnerability, "GHSA-hxxf-235m-72v3", "aliases", "CVE-2024-3568", "score", "9.6", "fixed", "4.38.0")
			v2 := addEv(p, sources.KindVulnerability, "PYSEC-2023-1", "severity", "MODERATE")
			g := graphOf([]*Node{m, p}, link(m, p, sources.RelDependsOn))
			return inputFor(g), m, []want{{Subject: p.ID, Outcome: OutcomeFail, Severity: SeverityCritical, Evidence: ids(v1, v2),
				Says: []string{"CVE-2024-3568", "fixed in 4.38.0", "2 known vulnerabilities"}}}
		}},
		{"clean dependencies", func() (*Input, *Node, []want) {
			m, p := localNode("/m/x"), packageNode("pkg:pypi/numpy@2.1.0")
			g := graphOf([]*Node{m, p}, link(m, p, sources.RelDependsOn))
			return inputFor(g), m, []want{{Outcome: OutcomePass, Says: []string{"pkg:pypi/numpy@2.1.0"}}}
		}},
		{"unchecked dependency", func() (*Input, *Node, []want) {
			m, p := localNode("/m/x"), unread(packageNode("pkg:pypi/numpy@2.1.0"), NodeFailed, "offline: no database")
			g := graphOf([]*Node{m, p}, link(m, p, sources.RelDependsOn))
			return inputFor(g), m, []want{{Outcome: OutcomeUnknown}}
		}},
		{"no dependencies", func() (*Input, *Node, []want) {
			m := localNode("/m/x")
			addEv(m, sources.KindFile, "model.safetensors", "role", "weights")
			return single(m), m, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"manifest not scanned", func() (*Input, *Node, []want) {
			m := localNode("/m/x")
			f := addEv(m, sources.KindFile, "requirements.txt", "role", "other")
			return single(m), m, []want{{Outcome: OutcomeUnknown, Evidence: ids(f), Says: []string{"--osv-db"}}}
		}},
	})
}

func TestRepoScorecardLow(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkRepoScorecardLow, []checkCase{
		{"low score", func() (*Input, *Node, []want) {
			m, r := hubNode("org/model"), repoNode("pkg:github/org/code")
			a := addEv(r, sources.KindScorecard, "3.2", "check", "aggregate")
			c := addEv(r, sources.KindScorecard, "0", "check", "Branch-Protection", "reason", "branch protection not enabled")
			addEv(r, sources.KindScorecard, "10", "check", "License")
			g := graphOf([]*Node{m, r}, link(m, r, sources.RelCodeRepository))
			return inputFor(g), m, []want{{Subject: r.ID, Outcome: OutcomeFail, Evidence: ids(a, c), Says: []string{"3.2/10", "Branch-Protection 0/10"}}}
		}},
		{"good score", func() (*Input, *Node, []want) {
			m, r := hubNode("org/model"), repoNode("pkg:github/org/code")
			a := addEv(r, sources.KindScorecard, "8.1", "check", "aggregate")
			g := graphOf([]*Node{m, r}, link(m, r, sources.RelCodeRepository))
			return inputFor(g), m, []want{{Subject: r.ID, Outcome: OutcomePass, Evidence: ids(a)}}
		}},
		{"the lowest of a published and a local result counts", func() (*Input, *Node, []want) {
			m, r := hubNode("org/model"), repoNode("pkg:github/org/code")
			addEv(r, sources.KindScorecard, "8.1", "check", "aggregate")
			b := addEv(r, sources.KindScorecard, "2.5", "check", "aggregate", "mode", "local", "checks", "License,SAST")
			c := addEv(r, sources.KindScorecard, "0", "check", "SAST", "reason", "no SAST tool detected")
			g := graphOf([]*Node{m, r}, link(m, r, sources.RelCodeRepository))
			return inputFor(g), m, []want{{Subject: r.ID, Outcome: OutcomeFail, Evidence: ids(b, c), Says: []string{"2.5/10", "local checkout", "SAST 0/10"}}}
		}},
		{"inconclusive aggregate", func() (*Input, *Node, []want) {
			m, r := hubNode("org/model"), repoNode("pkg:github/org/code")
			a := addEv(r, sources.KindScorecard, "-1", "check", "aggregate")
			g := graphOf([]*Node{m, r}, link(m, r, sources.RelCodeRepository))
			return inputFor(g), m, []want{{Subject: r.ID, Outcome: OutcomeUnknown, Evidence: ids(a), Says: []string{"inconclusive"}}}
		}},
		{"no result", func() (*Input, *Node, []want) {
			m, r := hubNode("org/model"), unread(repoNode("pkg:github/org/code"), NodeFailed, "not_found")
			g := graphOf([]*Node{m, r}, link(m, r, sources.RelCodeRepository))
			return inputFor(g), m, []want{{Subject: r.ID, Outcome: OutcomeUnknown}}
		}},
		{"no repository", func() (*Input, *Node, []want) {
			m := hubNode("org/model")
			return single(m), m, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}
