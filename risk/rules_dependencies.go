package risk

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// dependencyNodes returns the packages the subject or the models it derives
// from depend on.
func dependencyNodes(g *Graph) []*Node {
	var out []*Node
	seen := map[string]bool{}
	for _, m := range g.Lineage() {
		for _, e := range g.Out(m.ID) {
			if e.Relation != sources.RelDependsOn || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if n := g.Node(e.To); n != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// vulnSeverity rates a vulnerability from its CVSS base score, else from
// the database's textual rating, else medium.
func vulnSeverity(v sources.Evidence) Severity {
	if f, err := strconv.ParseFloat(v.Attr("score"), 64); err == nil {
		switch {
		case f >= 9:
			return SeverityCritical
		case f >= 7:
			return SeverityHigh
		case f >= 4:
			return SeverityMedium
		case f > 0:
			return SeverityLow
		}
	}
	switch strings.ToLower(v.Attr("severity")) {
	case "critical":
		return SeverityCritical
	case "high":
		return SeverityHigh
	case "low":
		return SeverityLow
	case "moderate", "medium":
		return SeverityMedium
	}
	return SeverityMedium
}

// checkDependencyVulnerable is the check of dependency-vulnerable.
func checkDependencyVulnerable(in *Input, root *Node) []Result {
	deps := dependencyNodes(in.Graph)
	if root.Subject.Kind == sources.SubjectPackage {
		deps = append([]*Node{root}, deps...)
	}
	if len(deps) == 0 {
		// Manifests listed but never scanned (no dependency source ran)
		// leave the question open.
		var unscanned []sources.Evidence
		for _, m := range in.Graph.Lineage() {
			if m.Has(sources.KindDependency) {
				continue
			}
			for _, f := range m.Find(sources.KindFile) {
				if isManifest(f.Value) {
					unscanned = append(unscanned, f)
				}
			}
		}
		if len(unscanned) > 0 {
			names := make([]string, len(unscanned))
			for i, f := range unscanned {
				names[i] = f.Value
			}
			return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(unscanned...),
				Message: fmt.Sprintf("%s ships dependency manifests that no source scanned (%s): give an OSV database with --osv-db, or run online", ref(root), strings.Join(names, ", "))}}
		}
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s ships no dependency manifest or lockfile", ref(root))}}
	}
	var results []Result
	var clean, unread []string
	for _, d := range deps {
		if !d.Collected() {
			unread = append(unread, fmt.Sprintf("%s (%s)", ref(d), unreadReason(d)))
			continue
		}
		vulns := d.Find(sources.KindVulnerability)
		if len(vulns) == 0 {
			clean = append(clean, ref(d))
			continue
		}
		slices.SortStableFunc(vulns, func(a, b sources.Evidence) int {
			return cmp.Compare(vulnSeverity(b).Points(), vulnSeverity(a).Points())
		})
		worst := vulnSeverity(vulns[0])
		parts := make([]string, 0, len(vulns))
		var fixes []string
		for _, v := range vulns {
			p := v.Value
			if a := v.Attr("aliases"); a != "" {
				p += " (" + strings.ReplaceAll(a, ",", ", ") + ")"
			}
			p += " " + string(vulnSeverity(v))
			parts = append(parts, p)
			if f := v.Attr("fixed"); f != "" {
				fixes = append(fixes, strings.Split(f, ",")...)
			}
		}
		msg := fmt.Sprintf("%s has %s: %s", ref(d), plural(len(vulns), "known vulnerability"), strings.Join(parts, "; "))
		if len(fixes) > 0 {
			slices.Sort(fixes)
			msg += "; fixed in " + strings.Join(slices.Compact(fixes), ", ")
		} else {
			msg += "; no fixed version is published"
		}
		results = append(results, Result{Subject: d.ID, Outcome: OutcomeFail, Severity: worst, Evidence: evidenceIDs(vulns...), Message: msg})
	}
	for _, u := range unread {
		results = append(results, Result{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("the vulnerabilities of %s, a dependency of %s, could not be checked: %s", strings.SplitN(u, " (", 2)[0], ref(root), u)})
	}
	if len(results) > 0 {
		return results
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("no known vulnerability in the %s of %s: %s", plural(len(clean), "dependency"), ref(root), strings.Join(clean, ", "))}}
}

// repositoryNodes returns the code repositories linked to the subject or
// the models it derives from.
func repositoryNodes(g *Graph) []*Node {
	var out []*Node
	seen := map[string]bool{}
	for _, m := range g.Lineage() {
		for _, e := range g.Out(m.ID) {
			if e.Relation != sources.RelCodeRepository || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if n := g.Node(e.To); n != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// checkRepoScorecardLow is the check of repo-scorecard-low.
func checkRepoScorecardLow(in *Input, root *Node) []Result {
	repos := repositoryNodes(in.Graph)
	if root.Subject.Kind == sources.SubjectRepository || len(root.Find(sources.KindScorecard)) > 0 {
		repos = append([]*Node{root}, repos...)
	}
	if len(repos) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("no code repository is linked to %s", ref(root))}}
	}
	threshold := 5.0
	if in.Policy != nil && in.Policy.MinScorecardScore > 0 {
		threshold = in.Policy.MinScorecardScore
	}
	var results []Result
	for _, r := range repos {
		// A repository may have several results: the published one and a
		// run over a local checkout. The lowest counts, with its own checks.
		var aggs []sources.Evidence
		for _, e := range r.Find(sources.KindScorecard) {
			if e.Attr("check") == "aggregate" {
				aggs = append(aggs, e)
			}
		}
		if !r.Collected() || len(aggs) == 0 {
			results = append(results, Result{Subject: r.ID, Outcome: OutcomeUnknown,
				Message: fmt.Sprintf("no OpenSSF Scorecard result was read for %s (%s)", ref(r), unreadReason(r))})
			continue
		}
		var agg *sources.Evidence
		score := math.Inf(1)
		for i, e := range aggs {
			f, err := strconv.ParseFloat(e.Value, 64)
			if err != nil {
				agg, score = &aggs[i], math.NaN()
				break
			}
			if f < score {
				agg, score = &aggs[i], f
			}
		}
		switch {
		case math.IsNaN(score):
			results = append(results, Result{Subject: r.ID, Outcome: OutcomeError, Evidence: []string{agg.ID},
				Message: fmt.Sprintf("the Scorecard score of %s is not a number: %q", ref(r), agg.Value)})
			continue
		case score < 0:
			results = append(results, Result{Subject: r.ID, Outcome: OutcomeUnknown, Evidence: []string{agg.ID},
				Message: fmt.Sprintf("OpenSSF Scorecard could not score %s: every check was inconclusive", ref(r))})
			continue
		}
		var low []sources.Evidence
		for _, e := range r.Find(sources.KindScorecard) {
			if e.Attr("check") == "aggregate" || e.Origin.Source != agg.Origin.Source || e.Origin.Locator != agg.Origin.Locator {
				continue
			}
			if f, err := strconv.ParseFloat(e.Value, 64); err == nil && f >= 0 && f < threshold {
				low = append(low, e)
			}
		}
		checks := make([]string, len(low))
		for i, e := range low {
			checks[i] = fmt.Sprintf("%s %s/10 (%s)", e.Attr("check"), e.Value, e.Attr("reason"))
		}
		how := "on OpenSSF Scorecard"
		if agg.Attr("mode") == "local" {
			how = "on OpenSSF Scorecard's checks of a local checkout (" + strings.ReplaceAll(agg.Attr("checks"), ",", ", ") + ")"
		}
		if score < threshold {
			results = append(results, Result{Subject: r.ID, Outcome: OutcomeFail, Evidence: append([]string{agg.ID}, evidenceIDs(low...)...),
				Message: fmt.Sprintf("%s scores %.1f/10 %s, below the policy's %.1f; weakest checks: %s", ref(r), score, how, threshold, strings.Join(checks, "; "))})
			continue
		}
		results = append(results, Result{Subject: r.ID, Outcome: OutcomePass, Evidence: evidenceIDs(aggs...),
			Message: fmt.Sprintf("%s scores %.1f/10 %s, at or above the policy's %.1f", ref(r), score, how, threshold)})
	}
	return results
}

// isManifest reports whether a file (a path in a repository) is a
// dependency manifest or lockfile an OSV scan reads.
func isManifest(file string) bool {
	name := strings.ToLower(file[strings.LastIndex(file, "/")+1:])
	switch name {
	case "pyproject.toml", "poetry.lock", "pipfile", "pipfile.lock", "uv.lock", "pdm.lock", "setup.py", "setup.cfg",
		"package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum",
		"cargo.toml", "cargo.lock", "gemfile.lock", "composer.lock", "pom.xml", "build.gradle", "environment.yml", "conda-lock.yml":
		return true
	}
	return strings.HasPrefix(name, "requirements") && strings.HasSuffix(name, ".txt")
}
