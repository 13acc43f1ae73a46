package risk

import (
	"fmt"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// checkCardMissing is the check of card-missing.
func checkCardMissing(_ *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "card-missing")
	}
	if broken := fileErrors(n, "card"); len(broken) > 0 {
		return []Result{{Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
			Message: fmt.Sprintf("the card of %s exists but its metadata cannot be read: %s", ref(n), describeFileErrors(broken))}}
	}
	state, cards := cardState(n)
	switch state {
	case "present":
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s has a card", ref(n))}}
	case "absent":
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s has no card (README.md)", ref(n))}}
	case "unavailable":
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s lists a card (README.md) that could not be read", ref(n))}}
	}
	return []Result{{Outcome: OutcomeUnknown,
		Message: fmt.Sprintf("no source reported whether %s has a card", ref(n))}}
}

// checkDatasetsUndeclared is the check of datasets-undeclared.
func checkDatasetsUndeclared(in *Input, n *Node) []Result {
	if n.Subject.Kind == sources.SubjectDataset || notModel(n) {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s is a %s; datasets-undeclared applies to models only", ref(n), n.Subject.Kind)}}
	}
	var declared []sources.Evidence
	var names []string
	for _, e := range n.Find(sources.KindDataset) {
		declared = append(declared, e)
		names = append(names, e.Value)
	}
	for _, e := range n.Find(sources.KindTag) {
		if id, ok := strings.CutPrefix(e.Value, "dataset:"); ok && id != "" {
			declared = append(declared, e)
			names = append(names, id)
		}
	}
	var trained []Edge
	for _, e := range in.Graph.Out(n.ID) {
		if e.Relation == sources.RelTrainedOn {
			trained = append(trained, e)
			names = append(names, nodeRef(in.Graph, e.To))
		}
	}
	if len(declared)+len(trained) > 0 {
		return []Result{{Outcome: OutcomePass, Evidence: mergeIDs(evidenceIDs(declared...), edgeEvidence(trained...)),
			Message: fmt.Sprintf("%s declares its training data: %s", ref(n), strings.Join(dedupe(names), ", "))}}
	}
	if broken := fileErrors(n, "card"); len(broken) > 0 {
		return []Result{{Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
			Message: fmt.Sprintf("the card metadata of %s cannot be read, so its declared datasets are unknown: %s", ref(n), describeFileErrors(broken))}}
	}
	state, cards := cardState(n)
	switch state {
	case "present":
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s declares no training data: its card metadata has no datasets field and it has no dataset: tag", ref(n))}}
	case "absent":
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("%s declares no training data: it has no card and no dataset: tag", ref(n))}}
	case "unavailable":
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("the card of %s could not be read, so whether it declares training data is unknown", ref(n))}}
	}
	return []Result{{Outcome: OutcomeUnknown,
		Message: fmt.Sprintf("no source reported the card of %s, so whether it declares training data is unknown", ref(n))}}
}

// dedupe returns vals without repeats, in order.
func dedupe(vals []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
