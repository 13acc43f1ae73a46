package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// licenseDecl is one license declaration of a node, resolved.
type licenseDecl struct {
	ev   sources.Evidence
	info license.Info
}

// recognised reports whether the declaration resolved to a known license.
func (d licenseDecl) recognised() bool {
	return d.info.Class != "" && d.info.Class != license.Unknown
}

// id is the declared license's id: the resolved id when recognised, else the
// value as declared.
func (d licenseDecl) id() string {
	if d.recognised() && d.info.ID != "" {
		return d.info.ID
	}
	if d.ev.Value != "" {
		return d.ev.Value
	}
	return "(none)"
}

// where says where the declaration was read, naming the file or field.
func (d licenseDecl) where() string {
	e := d.ev
	switch e.Attr("declared_in") {
	case "card":
		s := fmt.Sprintf("card metadata license: %q", e.Value)
		if name := e.Attr("name"); name != "" {
			s += fmt.Sprintf(", license_name: %q", name)
		}
		if link := e.Attr("link"); link != "" {
			s += fmt.Sprintf(", license_link: %q", link)
		}
		return s
	case "file":
		file := e.Attr("file")
		if file == "" {
			file = "LICENSE"
		}
		if e.Value == "" || e.Value == "other" || e.Value == "unknown" {
			return fmt.Sprintf("license file %s (text not recognised)", file)
		}
		return fmt.Sprintf("license file %s (text matches %s)", file, e.Value)
	case "tag":
		return fmt.Sprintf("tag license:%s", e.Value)
	}
	return fmt.Sprintf("license %q", e.Value)
}

// describe names the declaration's license and where it was read.
func (d licenseDecl) describe() string {
	if d.recognised() {
		return fmt.Sprintf("%s (%s, from %s)", d.id(), d.info.Class, d.where())
	}
	return d.where()
}

// licenseDecls returns n's license declarations, resolved: the card's first,
// then LICENSE files, then tags, each group in evidence order.
func licenseDecls(n *Node) []licenseDecl {
	rank := func(e sources.Evidence) int {
		switch e.Attr("declared_in") {
		case "card":
			return 0
		case "file":
			return 1
		}
		return 2
	}
	evs := n.Find(sources.KindLicense)
	slices.SortStableFunc(evs, func(a, b sources.Evidence) int { return rank(a) - rank(b) })
	out := make([]licenseDecl, 0, len(evs))
	for _, e := range evs {
		var info license.Info
		switch {
		case e.Value == "" && e.Attr("name") == "" && e.Attr("link") == "":
			info = license.Info{Class: license.Unknown}
		case e.Attr("declared_in") == "card":
			info = license.Resolve(e.Value, e.Attr("name"), e.Attr("link"))
		default:
			info = license.Resolve(e.Value, e.Attr("name"), "")
		}
		out = append(out, licenseDecl{ev: e, info: info})
	}
	return out
}

// recognisedDecls returns the recognised declarations of decls, one per
// license id, in order.
func recognisedDecls(decls []licenseDecl) []licenseDecl {
	var out []licenseDecl
	seen := map[string]bool{}
	for _, d := range decls {
		if !d.recognised() {
			continue
		}
		key := license.Normalize(d.id())
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

// restrictiveness orders licenses from the least restrictive (permissive)
// to the most (proprietary); within a class a license that forbids
// commercial use or restricts use ranks higher, and one that asks for
// attribution above one that does not (public-domain dedications).
func restrictiveness(i license.Info) int {
	r := i.Class.Restrictiveness() * 8
	if i.Attribution {
		r += 4
	}
	if !i.Commercial {
		r += 2
	}
	if i.UseRestrictions {
		r++
	}
	return r
}

// strictest returns the most restrictive recognised declaration of decls:
// the license that binds when a node's declarations disagree.
func strictest(decls []licenseDecl) (licenseDecl, bool) {
	var best licenseDecl
	ok := false
	for _, d := range recognisedDecls(decls) {
		if !ok || restrictiveness(d.info) > restrictiveness(best.info) {
			best, ok = d, true
		}
	}
	return best, ok
}

// disagreement describes recognised declarations that name different
// licenses, or is empty when they agree.
func disagreement(n *Node, decls []licenseDecl) string {
	rec := recognisedDecls(decls)
	if len(rec) < 2 {
		return ""
	}
	parts := make([]string, len(rec))
	for i, d := range rec {
		parts[i] = fmt.Sprintf("%s says %s", d.where(), d.id())
	}
	return fmt.Sprintf("; note that the declarations of %s disagree (%s)", ref(n), strings.Join(parts, "; "))
}

// declIDs returns the evidence IDs of decls.
func declIDs(decls ...licenseDecl) []string {
	out := make([]string, 0, len(decls))
	for _, d := range decls {
		if !slices.Contains(out, d.ev.ID) {
			out = append(out, d.ev.ID)
		}
	}
	return out
}

// describeDecls describes each declaration, joined.
func describeDecls(decls []licenseDecl) string {
	parts := make([]string, len(decls))
	for i, d := range decls {
		parts[i] = d.describe()
	}
	return strings.Join(parts, "; ")
}

// checkLicenseMissing is the check of license-missing.
func checkLicenseMissing(_ *Input, n *Node) []Result {
	if lic := n.Find(sources.KindLicense); len(lic) > 0 {
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(lic...),
			Message: fmt.Sprintf("%s declares a license: %s", ref(n), describeDecls(licenseDecls(n)))}}
	}
	if broken := fileErrors(n, "card", "license"); len(broken) > 0 {
		return []Result{{Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
			Message: fmt.Sprintf("%s declares no license that could be read, and files that may declare one are broken: %s", ref(n), describeFileErrors(broken))}}
	}
	state, cards := cardState(n)
	switch state {
	case "present":
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s declares no license: its card metadata has no license field, it has no license: tag and no LICENSE file was found", ref(n))}}
	case "absent":
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s declares no license: it has no card, no license: tag and no LICENSE file was found", ref(n))}}
	case "unavailable":
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s lists a card that could not be read, and no license: tag or LICENSE file was found; the license may be declared in the card", ref(n))}}
	}
	return []Result{{Outcome: OutcomeUnknown,
		Message: fmt.Sprintf("no source reported whether %s has a card or a LICENSE file, so whether it declares a license is unknown", ref(n))}}
}

// checkLicenseUnrecognized is the check of license-unrecognized.
func checkLicenseUnrecognized(_ *Input, n *Node) []Result {
	decls := licenseDecls(n)
	if len(decls) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s declares no license (license-missing reports it)", ref(n))}}
	}
	if rec := recognisedDecls(decls); len(rec) > 0 {
		return []Result{{Outcome: OutcomePass, Evidence: declIDs(rec...),
			Message: fmt.Sprintf("%s declares a recognised license: %s", ref(n), describeDecls(rec))}}
	}
	return []Result{{Outcome: OutcomeFail, Evidence: declIDs(decls...),
		Message: fmt.Sprintf("%s declares no license Pedigree recognises: %s; its terms must be read by hand", ref(n), describeDecls(decls))}}
}

// forbidsCommercial reports whether a recognised license does not permit
// commercial use.
func forbidsCommercial(i license.Info) bool {
	return i.Class == license.NonCommercial || !i.Commercial
}

// checkLicenseNoncommercial is the check of license-noncommercial: the
// node's own license, then the licenses of the datasets it was trained on.
func checkLicenseNoncommercial(in *Input, n *Node) []Result {
	res := checkOwnNoncommercial(n)
	if n.Subject.Kind != sources.SubjectModel || in == nil || in.Graph == nil {
		return res
	}
	for _, d := range datasetsOf(in.Graph, n) {
		if !d.Collected() {
			continue // lineage-unresolvable reports it
		}
		var nc []licenseDecl
		for _, dd := range recognisedDecls(licenseDecls(d)) {
			if forbidsCommercial(dd.info) {
				nc = append(nc, dd)
			}
		}
		if len(nc) > 0 {
			res = append(res, Result{Subject: d.ID, Outcome: OutcomeFail, Evidence: declIDs(nc...),
				Message: fmt.Sprintf("%s, a training dataset of %s, is licensed under terms that do not permit commercial use: %s", ref(d), ref(n), describeDecls(nc))})
		}
	}
	return res
}

// checkOwnNoncommercial checks the license n itself declares.
func checkOwnNoncommercial(n *Node) []Result {
	decls := licenseDecls(n)
	if len(decls) == 0 {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("%s declares no license, so whether it permits commercial use is unknown", ref(n))}}
	}
	rec := recognisedDecls(decls)
	if len(rec) == 0 {
		return []Result{{Outcome: OutcomeUnknown, Evidence: declIDs(decls...),
			Message: fmt.Sprintf("%s declares no recognised license (%s), so whether it permits commercial use is unknown", ref(n), describeDecls(decls))}}
	}
	var nc []licenseDecl
	for _, d := range rec {
		if forbidsCommercial(d.info) {
			nc = append(nc, d)
		}
	}
	if len(nc) > 0 {
		return []Result{{Outcome: OutcomeFail, Evidence: declIDs(nc...),
			Message: fmt.Sprintf("%s is licensed under terms that do not permit commercial use: %s%s", ref(n), describeDecls(nc), disagreement(n, decls))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: declIDs(rec...),
		Message: fmt.Sprintf("%s is licensed under terms that permit commercial use: %s", ref(n), describeDecls(rec))}}
}

// lineagePaths searches the lineage links from the node from once,
// breadth first, and returns a function giving the shortest chain from it
// to any node, both included (nil when not reached): one search serves all
// of a node's ancestors.
func lineagePaths(g *Graph, from string) func(to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.out[cur] {
			if !e.Relation.Lineage() {
				continue
			}
			if _, seen := prev[e.To]; !seen {
				prev[e.To] = cur
				queue = append(queue, e.To)
			}
		}
	}
	return func(to string) []string {
		if _, ok := prev[to]; !ok {
			return nil
		}
		var rev []string
		for id := to; id != ""; id = prev[id] {
			rev = append(rev, id)
		}
		slices.Reverse(rev)
		return rev
	}
}

// chainEdges returns the lineage edges along a chain of node IDs.
func chainEdges(g *Graph, chain []string) []Edge {
	var out []Edge
	for i := 0; i+1 < len(chain); i++ {
		for _, e := range g.out[chain[i]] {
			if e.Relation.Lineage() && e.To == chain[i+1] {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// conflictSeverity is the severity of a conflict with an ancestor licensed
// under anc: medium when the ancestor's terms are only attribution or
// share-alike (permissive or copyleft licenses), the rule's
// default (high) when they restrict use, forbid commercial use or are
// proprietary.
func conflictSeverity(anc license.Info) Severity {
	switch anc.Class {
	case license.Permissive, license.WeakCopyleft, license.Copyleft:
		if anc.Commercial && !anc.UseRestrictions {
			return SeverityMedium
		}
	}
	return ""
}

// checkLicenseConflict is the check of license-conflict.
func checkLicenseConflict(in *Input, n *Node) []Result {
	g := in.Graph
	ancestors := g.Ancestors(n.ID)
	if len(ancestors) == 0 {
		if bases := n.Find(sources.KindBaseModel); len(bases) > 0 {
			names := make([]string, len(bases))
			for i, b := range bases {
				names[i] = b.Value
			}
			return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(bases...),
				Message: fmt.Sprintf("%s names base models (%s) that the lineage does not link, so its license cannot be checked against theirs", ref(n), quoteList(names))}}
		}
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s derives from no other model", ref(n))}}
	}
	decls := licenseDecls(n)
	own := recognisedDecls(decls)
	if len(own) == 0 {
		what := "declares no license"
		if len(decls) > 0 {
			what = "declares no recognised license (" + describeDecls(decls) + ")"
		}
		names := make([]string, len(ancestors))
		for i, a := range ancestors {
			names[i] = ref(a)
		}
		return []Result{{Outcome: OutcomeUnknown, Evidence: declIDs(decls...),
			Message: fmt.Sprintf("%s %s, so it cannot be checked against the licenses of the models it derives from: %s", ref(n), what, strings.Join(names, ", "))}}
	}
	ownDesc := describeDecls(own)
	var results []Result
	var checked []string
	evidence := declIDs(own...)
	pathTo := lineagePaths(g, n.ID)
	for _, a := range ancestors {
		chain := pathTo(a.ID)
		edgeEv := edgeEvidence(chainEdges(g, chain)...)
		via := joinRefs(g, chain)
		if !a.Collected() {
			results = append(results, Result{Outcome: OutcomeUnknown, Evidence: mergeIDs(declIDs(own...), edgeEv),
				Message: fmt.Sprintf("%s derives from %s (%s), which could not be read (%s); its license %s cannot be checked against that ancestor's terms",
					ref(n), ref(a), via, unreadReason(a), ownDesc)})
			continue
		}
		adecls := licenseDecls(a)
		anc, ok := strictest(adecls)
		if !ok {
			what := "declares no license"
			if len(adecls) > 0 {
				what = "declares no recognised license (" + describeDecls(adecls) + ")"
			}
			results = append(results, Result{Outcome: OutcomeUnknown, Evidence: mergeIDs(declIDs(own...), declIDs(adecls...), edgeEv),
				Message: fmt.Sprintf("%s derives from %s (%s), which %s; its license %s cannot be checked against that ancestor's terms",
					ref(n), ref(a), via, what, ownDesc)})
			continue
		}
		for _, d := range own {
			conflict, why := license.Conflict(anc.info, d.info)
			if !conflict {
				continue
			}
			msg := fmt.Sprintf("%s declares %s but derives from %s (%s), licensed %s", ref(n), d.describe(), ref(a), via, anc.describe())
			if why != "" {
				msg += ": " + why
			}
			msg += disagreement(a, adecls) + disagreement(n, decls)
			results = append(results, Result{Outcome: OutcomeFail, Severity: conflictSeverity(anc.info),
				Evidence: mergeIDs(declIDs(d), declIDs(anc), edgeEv), Message: msg})
		}
		checked = append(checked, fmt.Sprintf("%s (%s)", ref(a), anc.id()))
		evidence = append(evidence, declIDs(anc)...)
	}
	if len(results) > 0 {
		return results
	}
	return []Result{{Outcome: OutcomePass, Evidence: mergeIDs(evidence),
		Message: fmt.Sprintf("%s declares %s, compatible with the licenses of every model it derives from: %s", ref(n), ownDesc, strings.Join(checked, ", "))}}
}

// mergeIDs joins lists of evidence IDs without duplicates, in order.
func mergeIDs(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, id := range l {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
