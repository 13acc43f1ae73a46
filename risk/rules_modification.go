package risk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// checkSafetyRemoved is the check of safety-removed.
func checkSafetyRemoved(in *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "safety-removed")
	}
	markers := n.Find(sources.KindSafetyMarker)
	// Training datasets built to remove refusals mark the model too.
	if in != nil && in.Graph != nil {
		for _, d := range datasetsOf(in.Graph, n) {
			markers = append(markers, d.Find(sources.KindSafetyMarker)...)
		}
	}
	if len(markers) > 0 {
		parts := make([]string, 0, len(markers))
		for _, m := range markers {
			parts = append(parts, describeMarker(m))
		}
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(markers...),
			Message: fmt.Sprintf("%s shows signs that its safety training was removed or bypassed: %s", ref(n), strings.Join(dedupe(parts), "; "))}}
	}
	// A training dataset that could not be read may carry the marker in
	// its own card or tags. Its declared name is on the model and was
	// checked above, so less is hidden than by an unread card of the model
	// itself: the unknown is low, as lineage-unresolvable rates an unread
	// dataset.
	if in != nil && in.Graph != nil {
		var unreadSets []string
		var links []Edge
		for _, e := range in.Graph.Out(n.ID) {
			if d := in.Graph.Node(e.To); e.Relation == sources.RelTrainedOn && d != nil && !d.Collected() {
				unreadSets = append(unreadSets, fmt.Sprintf("%s (%s)", ref(d), unreadReason(d)))
				links = append(links, e)
			}
		}
		if len(unreadSets) > 0 {
			return []Result{{Outcome: OutcomeUnknown, Severity: SeverityLow, Evidence: edgeEvidence(links...),
				Message: fmt.Sprintf("%s carries no safety-removal marker as far as it was read, but training datasets it declares could not be read to check their cards and tags: %s", ref(n), strings.Join(unreadSets, ", "))}}
		}
	}
	state, cards := cardState(n)
	switch state {
	case "present", "absent":
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(cards...),
			Message: fmt.Sprintf("neither the name, tags, card nor declared datasets of %s mark it as abliterated, uncensored or otherwise stripped of its safety training", ref(n))}}
	}
	return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(cards...),
		Message: fmt.Sprintf("the name and tags of %s carry no safety-removal marker, but its card could not be read to check its text", ref(n))}}
}

// describeMarker quotes a safety marker with where it was found.
func describeMarker(m sources.Evidence) string {
	where := m.Attr("field")
	switch where {
	case "card":
		where = "card text"
		if line := m.Attr("line"); line != "" {
			where += " line " + line
		}
	case "dataset":
		where = "training dataset"
	}
	text := m.Attr("text")
	if text == "" {
		text = m.Value
	}
	return fmt.Sprintf("%q in %s %q", m.Value, where, text)
}

// checkLineageMislabeled is the check of lineage-mislabeled.
func checkLineageMislabeled(_ *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "lineage-mislabeled")
	}
	var results []Result
	var consistent []sources.Evidence
	declaredAny := false
	for _, e := range n.Find(sources.KindBaseModel) {
		if e.Attr("declared_in") != "card" {
			continue
		}
		declared := e.Attr("declared_relation")
		if declared == "" {
			continue
		}
		declaredAny = true
		rel, reason := e.Attr("relation"), e.Attr("relation_reason")
		d, known := sources.ParseRelation(declared)
		switch {
		case !known:
			results = append(results, Result{Outcome: OutcomeFail, Evidence: evidenceIDs(e),
				Message: fmt.Sprintf("the card of %s declares base_model_relation %q for %s, which is not a relation (finetune, adapter, quantized, merge)", ref(n), declared, e.Value)})
		case string(d) != rel && reason != "declared" && reason != "default":
			results = append(results, Result{Outcome: OutcomeFail, Evidence: evidenceIDs(e),
				Message: fmt.Sprintf("the card of %s declares it %s of %s, but %s make it %s", ref(n), article(string(d)), e.Value, describeReason(reason), article(rel))})
		default:
			consistent = append(consistent, e)
		}
	}
	// new_version names the model that replaces this one; naming one of
	// its own bases inverts the lineage.
	for _, nv := range n.Find(sources.KindCardField) {
		if nv.Attr("field") != "new_version" {
			continue
		}
		for _, b := range n.Find(sources.KindBaseModel) {
			if b.Attr("declared_in") == "card" && sameModel(normalizeRef(nv.Value), normalizeRef(b.Value)) {
				results = append(results, Result{Outcome: OutcomeFail, Evidence: evidenceIDs(nv, b),
					Message: fmt.Sprintf("the card of %s names %s both as its base_model and as its new_version, the model that supersedes it", ref(n), b.Value)})
				break
			}
		}
	}
	if len(results) > 0 {
		return results
	}
	if len(consistent) > 0 {
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(consistent...),
			Message: fmt.Sprintf("the relation the card of %s declares agrees with its files", ref(n))}}
	}
	if !declaredAny {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("the card of %s declares no base_model_relation to check against its files", ref(n))}}
	}
	return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("the card of %s declares no relation its files contradict", ref(n))}}
}

// article puts "a" or "an" before a relation's name.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// describeReason says what decided an inferred relation.
func describeReason(reason string) string {
	switch reason {
	case "adapter_config":
		return "its adapter_config.json"
	case "parents":
		return "its several declared base models"
	case "quantization":
		return "its quantized weights (GGUF files, a quantization_config or a quantization name)"
	case "merge_config":
		return "its mergekit configuration"
	}
	return "its files"
}

// commitInfo is one commit the sources recorded.
type commitInfo struct {
	ev      sources.Evidence
	date    time.Time
	authors []string
}

// commitsOf returns n's recorded commits, oldest first.
func commitsOf(n *Node) []commitInfo {
	var out []commitInfo
	for _, e := range n.Find(sources.KindCommit) {
		t, err := time.Parse(time.RFC3339, e.Attr("date"))
		if err != nil {
			continue
		}
		var authors []string
		if a := e.Attr("authors"); a != "" {
			authors = strings.Split(a, ",")
		}
		out = append(out, commitInfo{ev: e, date: t, authors: authors})
	}
	slices.SortStableFunc(out, func(a, b commitInfo) int { return a.date.Compare(b.date) })
	return out
}

// releaseGrace is how long after a repository's first commit weight uploads
// still count as its first release.
const releaseGrace = 7 * 24 * time.Hour

// checkHistoryWeightsChanged is the check of history-weights-changed.
func checkHistoryWeightsChanged(in *Input, n *Node) []Result {
	if n.Subject.Local() || notModel(n) || n.Subject.Kind == sources.SubjectDataset {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s has no hosted history; history-weights-changed reads a Hub repository's commits", ref(n))}}
	}
	var weights, dated []sources.Evidence
	for _, f := range n.Find(sources.KindFile) {
		if f.Attr("role") != "weights" {
			continue
		}
		weights = append(weights, f)
		if f.Attr("last_commit_date") != "" {
			dated = append(dated, f)
		}
	}
	commits := commitsOf(n)
	// The first release is the first commit with content: the Hub's
	// "initial commit" only creates the repository, and weights are often
	// uploaded days later.
	var ids []string
	var release time.Time
	haveRelease := false
	for _, c := range commits {
		if !strings.EqualFold(strings.TrimSpace(c.ev.Attr("title")), "initial commit") {
			release, haveRelease = c.date, true
			ids = append(ids, c.ev.ID)
			break
		}
	}
	switch {
	case len(weights) == 0 && n.Has(sources.KindFile):
		// Only a file list that was read can show the absence of weights:
		// a configuration alone says nothing about which files exist.
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("%s lists no weight files", ref(n))}}
	case len(dated) == 0 || !haveRelease:
		return []Result{{Outcome: OutcomeUnknown, Evidence: mergeIDs(ids, evidenceIDs(weights...)),
			Message: fmt.Sprintf("the history of %s was not read (its file tree with each file's last commit, and its commit list), so whether its weights changed after release is unknown", ref(n))}}
	}
	byID := map[string]commitInfo{}
	for _, c := range commits {
		byID[c.ev.Value] = c
	}
	owner := publisherOfNode(n)
	userRepo := owner.hub != nil && owner.hub.Attr("type") == "user"
	var changed, outsiders []string
	var ev []string
	for _, f := range dated {
		t, err := time.Parse(time.RFC3339, f.Attr("last_commit_date"))
		if err != nil {
			continue
		}
		c, known := byID[f.Attr("last_commit")]
		who := ""
		if known && len(c.authors) > 0 {
			who = " by " + strings.Join(c.authors, ", ")
			if userRepo && !slices.ContainsFunc(c.authors, func(a string) bool { return strings.EqualFold(a, owner.account) }) {
				outsiders = append(outsiders, fmt.Sprintf("%s (commit %s by %s)", f.Value, short(c.ev.Value), strings.Join(c.authors, ", ")))
				ev = mergeIDs(ev, evidenceIDs(f, c.ev))
			}
		}
		if t.Sub(release) > releaseGrace {
			changed = append(changed, fmt.Sprintf("%s (changed %s%s, commit %s)", f.Value, t.Format("2006-01-02"), who, short(f.Attr("last_commit"))))
			ev = mergeIDs(ev, evidenceIDs(f))
			if known {
				ev = mergeIDs(ev, evidenceIDs(c.ev))
			}
		}
	}
	var parts []string
	if len(changed) > 0 {
		parts = append(parts, fmt.Sprintf("weight files changed after its first release on %s: %s", release.Format("2006-01-02"), strings.Join(changed, ", ")))
	}
	if len(outsiders) > 0 {
		parts = append(parts, "weight files last committed by an account other than the publisher "+owner.account+": "+strings.Join(outsiders, ", "))
	}
	if len(parts) > 0 {
		return []Result{{Outcome: OutcomeFail, Evidence: mergeIDs(ids, ev),
			Message: fmt.Sprintf("%s has %s", ref(n), strings.Join(parts, "; "))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: mergeIDs(ids, evidenceIDs(dated...)),
		Message: fmt.Sprintf("the weight files of %s have not changed since its first release on %s", ref(n), release.Format("2006-01-02"))}}
}

// short abbreviates a commit id.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// checkHistoryUnpinned is the check of history-unpinned.
func checkHistoryUnpinned(_ *Input, n *Node) []Result {
	if n.Subject.Local() || notModel(n) {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s is not a hosted repository; history-unpinned applies to Hub references", ref(n))}}
	}
	revs := n.Find(sources.KindRevision)
	if len(revs) == 0 {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("no source recorded which commit %s resolved to", ref(n))}}
	}
	r := revs[0]
	sha, requested := r.Value, r.Attr("requested")
	if strings.EqualFold(requested, sha) {
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(r),
			Message: fmt.Sprintf("%s was assessed at the pinned commit %s", ref(n), sha)}}
	}
	pin := fmt.Sprintf("pin hf:%s@%s to use what was assessed", hubIDOf(n), sha)
	commits := commitsOf(n)
	var ids []string
	created, haveCreated := repoTime(n, "created_at", &ids)
	modified, haveModified := repoTime(n, "last_modified", &ids)
	switch {
	case len(commits) > 1:
		last := commits[len(commits)-1]
		return []Result{{Outcome: OutcomeFail, Evidence: mergeIDs(evidenceIDs(r, commits[0].ev, last.ev), ids),
			Message: fmt.Sprintf("%s was assessed at %q, which resolved to %s; the repository has moved since its first commit (%d commits recorded, the latest on %s): %s", ref(n), requested, short(sha), len(commits), last.date.Format("2006-01-02"), pin)}}
	case haveCreated && haveModified && modified.Sub(created) > 24*time.Hour:
		return []Result{{Outcome: OutcomeFail, Evidence: mergeIDs(evidenceIDs(r), ids),
			Message: fmt.Sprintf("%s was assessed at %q, which resolved to %s; the repository changed after its creation (created %s, last modified %s): %s", ref(n), requested, short(sha), created.Format("2006-01-02"), modified.Format("2006-01-02"), pin)}}
	case len(commits) == 1:
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(r, commits[0].ev),
			Message: fmt.Sprintf("%s was assessed at %q, which resolved to %s, the repository's only commit", ref(n), requested, short(sha))}}
	case haveCreated && haveModified:
		return []Result{{Outcome: OutcomePass, Evidence: mergeIDs(evidenceIDs(r), ids),
			Message: fmt.Sprintf("%s was assessed at %q, which resolved to %s; the repository has not changed since its creation", ref(n), requested, short(sha))}}
	}
	return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(r),
		Message: fmt.Sprintf("%s was assessed at %q, which resolved to %s, but its history was not read to tell whether it has moved: %s", ref(n), requested, short(sha), pin)}}
}

// hubIDOf returns OWNER/NAME of a Hub subject.
func hubIDOf(n *Node) string {
	id, _ := n.Subject.HubID()
	return id
}
