package risk

import (
	"fmt"
	"strings"

	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// datasetsOf returns the training datasets n declares, read or not.
func datasetsOf(g *Graph, n *Node) []*Node {
	var out []*Node
	for _, e := range g.Out(n.ID) {
		if e.Relation != sources.RelTrainedOn {
			continue
		}
		if d := g.Node(e.To); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// useTerms are the obligations license-use-restrictions reports.
var useTerms = []license.Obligation{license.ObligationAcceptableUse, license.ObligationUserCap,
	license.ObligationNaming, license.ObligationFieldOfUse}

// describeObligations names obligations in words, joined.
func describeObligations(obs []license.Obligation, i license.Info) string {
	parts := make([]string, len(obs))
	for k, o := range obs {
		parts[k] = i.Describe(o)
	}
	return strings.Join(parts, ", ")
}

// checkLicenseUseRestrictions is the check of license-use-restrictions. It
// looks at the whole lineage at once and reports each restricting license
// once, with the models that carry it: the same terms inherited through
// several models bind the user once.
func checkLicenseUseRestrictions(in *Input, root *Node) []Result {
	type carrier struct {
		decl  licenseDecl
		terms []license.Obligation
		nodes []string
	}
	var carriers []*carrier
	byID := map[string]*carrier{}
	var unknown []string
	var unknownEv []string
	for _, n := range in.Graph.Lineage() {
		if !n.Collected() {
			unknown = append(unknown, fmt.Sprintf("%s (%s)", ref(n), unreadReason(n)))
			continue
		}
		decls := licenseDecls(n)
		rec := recognisedDecls(decls)
		if len(rec) == 0 {
			unknown = append(unknown, fmt.Sprintf("%s (no recognised license)", ref(n)))
			unknownEv = append(unknownEv, declIDs(decls...)...)
			continue
		}
		for _, d := range rec {
			var terms []license.Obligation
			for _, o := range useTerms {
				if d.info.Has(o) {
					terms = append(terms, o)
				}
			}
			if len(terms) == 0 {
				continue
			}
			c := byID[d.info.ID]
			if c == nil {
				c = &carrier{decl: d, terms: terms}
				byID[d.info.ID] = c
				carriers = append(carriers, c)
			}
			c.nodes = append(c.nodes, ref(n))
		}
	}
	if len(carriers) > 0 {
		var parts []string
		var ev []string
		for _, c := range carriers {
			parts = append(parts, fmt.Sprintf("%s (%s) binds its users to %s", c.decl.info.ID, strings.Join(c.nodes, ", "), describeObligations(c.terms, c.decl.info)))
			ev = append(ev, c.decl.ev.ID)
		}
		for _, n := range in.Graph.Lineage() {
			for _, d := range recognisedDecls(licenseDecls(n)) {
				if byID[d.info.ID] != nil {
					ev = mergeIDs(ev, declIDs(d))
				}
			}
		}
		return []Result{{Outcome: OutcomeFail, Evidence: ev,
			Message: fmt.Sprintf("the lineage of %s carries use restrictions: %s", ref(root), strings.Join(parts, "; "))}}
	}
	if len(unknown) > 0 {
		return []Result{{Outcome: OutcomeUnknown, Evidence: unknownEv,
			Message: fmt.Sprintf("no license in the lineage of %s restricts use as far as it could be read, but these licenses are unknown: %s", ref(root), strings.Join(unknown, ", "))}}
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("no license in the lineage of %s imposes an acceptable-use policy, user cap, naming duty or field-of-use limit", ref(root))}}
}

// checkLicenseDatasetConflict is the check of license-dataset-conflict.
func checkLicenseDatasetConflict(in *Input, n *Node) []Result {
	if n.Subject.Kind == sources.SubjectDataset || notModel(n) {
		return notApplicableToKind(n, "license-dataset-conflict")
	}
	datasets := datasetsOf(in.Graph, n)
	if len(datasets) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s declares no training dataset", ref(n))}}
	}
	own, ownEv, ok := EffectiveLicense(n)
	if !ok || own.Class == license.Unknown {
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(ownEv...),
			Message: fmt.Sprintf("%s declares no recognised license, so it cannot be checked against the licenses of its training data", ref(n))}}
	}
	var results []Result
	var checked []string
	for _, d := range datasets {
		if !d.Collected() {
			results = append(results, Result{Outcome: OutcomeUnknown,
				Message: fmt.Sprintf("%s was trained on %s, which could not be read (%s), so its license is unknown", ref(n), ref(d), unreadReason(d))})
			continue
		}
		dl, dev, ok := EffectiveLicense(d)
		if !ok || dl.Class == license.Unknown {
			results = append(results, Result{Outcome: OutcomeUnknown, Evidence: evidenceIDs(dev...),
				Message: fmt.Sprintf("%s was trained on %s, which declares no recognised license", ref(n), ref(d))})
			continue
		}
		ev := mergeIDs(evidenceIDs(ownEv...), evidenceIDs(dev...))
		switch {
		case (dl.Has(license.ObligationNonCommercial) || dl.Has(license.ObligationResearchOnly) || !dl.Commercial) && own.Commercial:
			results = append(results, Result{Outcome: OutcomeFail, Severity: SeverityHigh, Evidence: ev,
				Message: fmt.Sprintf("%s was trained on %s, licensed %s (%s), which does not permit commercial use, yet the model's license %s allows it", ref(n), ref(d), dl.ID, dl.Class, own.ID)})
		case dl.Has(license.ObligationShareAlike) && !own.Has(license.ObligationShareAlike):
			results = append(results, Result{Outcome: OutcomeFail, Evidence: ev,
				Message: fmt.Sprintf("%s was trained on %s, licensed %s, whose share-alike terms the model's license %s does not keep", ref(n), ref(d), dl.ID, own.ID)})
		default:
			checked = append(checked, fmt.Sprintf("%s (%s)", ref(d), dl.ID))
		}
	}
	if len(results) > 0 {
		return results
	}
	return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(ownEv...),
		Message: fmt.Sprintf("the licenses of the training data of %s allow what its license %s allows: %s", ref(n), own.ID, strings.Join(checked, ", "))}}
}

// checkLicensePolicyDenied is the check of license-policy-denied.
func checkLicensePolicyDenied(in *Input, n *Node) []Result {
	p := in.Policy
	if p == nil || len(p.Licenses.Deny) == 0 && len(p.Licenses.Allow) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("the policy lists no allowed or denied licenses to check %s against", ref(n))}}
	}
	subjects := []*Node{n}
	if n.Subject.Kind == sources.SubjectModel {
		subjects = append(subjects, datasetsOf(in.Graph, n)...)
	}
	var results []Result
	var ok []string
	for _, s := range subjects {
		if s != n && !s.Collected() {
			continue // lineage-unresolvable reports it
		}
		decls := licenseDecls(s)
		rec := recognisedDecls(decls)
		var denied []licenseDecl
		for _, d := range rec {
			id := d.info.ID
			if p.Denied(id) || !p.Allowed(id) {
				denied = append(denied, d)
			}
		}
		for _, d := range decls {
			if !d.recognised() && d.ev.Value != "" && p.Denied(d.ev.Value) {
				denied = append(denied, d)
			}
		}
		switch {
		case len(denied) > 0:
			results = append(results, Result{Subject: s.ID, Outcome: OutcomeFail, Evidence: declIDs(denied...),
				Message: fmt.Sprintf("%s is licensed %s, which the policy %s", ref(s), describeDecls(denied), policyVerb(p, denied[0].info.ID))})
		case len(rec) == 0:
			results = append(results, Result{Subject: s.ID, Outcome: OutcomeUnknown, Evidence: declIDs(decls...),
				Message: fmt.Sprintf("%s declares no recognised license, so whether the policy allows it is unknown", ref(s))})
		default:
			ok = append(ok, fmt.Sprintf("%s (%s)", ref(s), rec[0].id()))
		}
	}
	if len(results) > 0 {
		return results
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("the policy allows every license of %s and its training data: %s", ref(n), strings.Join(ok, ", "))}}
}

// policyVerb says how the policy rules a license out.
func policyVerb(p *Policy, id string) string {
	if p.Denied(id) {
		return "denies"
	}
	return "does not allow (it is not on licenses.allow)"
}

// checkLicenseFileMismatch is the check of license-file-mismatch.
func checkLicenseFileMismatch(_ *Input, n *Node) []Result {
	var card, file []licenseDecl
	for _, d := range licenseDecls(n) {
		switch d.ev.Attr("declared_in") {
		case "card":
			card = append(card, d)
		case "file":
			file = append(file, d)
		}
	}
	if len(file) == 0 || len(card) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s does not declare a license both in its card and in a LICENSE file", ref(n))}}
	}
	f := file[0]
	if !f.recognised() {
		return []Result{{Outcome: OutcomeUnknown, Evidence: declIDs(f),
			Message: fmt.Sprintf("the %s of %s is not recognised, so it cannot be compared with the card's license", f.where(), ref(n))}}
	}
	for _, c := range card {
		if !c.recognised() {
			continue
		}
		if sameLicense(c.info, f.info) {
			return []Result{{Outcome: OutcomePass, Evidence: declIDs(c, f),
				Message: fmt.Sprintf("the card and the LICENSE file of %s agree: %s", ref(n), c.id())}}
		}
		return []Result{{Outcome: OutcomeFail, Evidence: declIDs(c, f),
			Message: fmt.Sprintf("the card of %s declares %s but its %s", ref(n), c.describe(), f.where())}}
	}
	return []Result{{Outcome: OutcomeUnknown, Evidence: declIDs(append(card, f)...),
		Message: fmt.Sprintf("the card license of %s is not recognised (%s), so it cannot be compared with the %s", ref(n), describeDecls(card), f.where())}}
}

// sameLicense reports whether a and b are one license or versions of one
// another that impose the same terms.
func sameLicense(a, b license.Info) bool {
	if a.ID == b.ID {
		return true
	}
	return !license.Check(a, b).Conflict && !license.Check(b, a).Conflict && a.Family == b.Family
}
