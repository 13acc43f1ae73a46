package httpfault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/risk"
)

// Compare checks a report made while a fault was injected against the
// report of a clean run of the same subject, and returns every violation
// of the fault suite's properties, each in one sentence (none: the faulted
// report is acceptable):
//
//   - the faulted report equals the clean one (generated_at aside), or it
//     shows the fault explicitly: a lineage node failed, partial or skipped,
//     or a source status failed or partial, with a reason, that the clean
//     report does not have;
//   - no finding that fails or is unknown in the clean report passes in the
//     faulted one (findings are matched by rule and subject, the subject's
//     revision aside, since a failed read may leave it unresolved);
//   - a faulted score lower than the clean one comes with that explicit
//     marker, as does a clean failing or unknown finding that the faulted
//     report lacks.
func Compare(clean, faulted *risk.Report) []string {
	if clean == nil || faulted == nil {
		return []string{"a report is missing"}
	}
	if Equal(clean, faulted) {
		return nil
	}
	var out []string
	marker := Markers(clean, faulted)
	if len(marker) == 0 {
		out = append(out, "the report differs from the clean one but shows no failed, partial or skipped node or source")
	}
	faultedOutcome := map[string]risk.Outcome{}
	for _, f := range faulted.Findings {
		faultedOutcome[findingKey(f)] = f.Outcome
	}
	var lost []string
	for _, f := range clean.Findings {
		if f.Outcome != risk.OutcomeFail && f.Outcome != risk.OutcomeUnknown {
			continue
		}
		got, ok := faultedOutcome[findingKey(f)]
		switch {
		case !ok:
			lost = append(lost, findingKey(f))
		case got == risk.OutcomePass:
			out = append(out, fmt.Sprintf("finding %s is %s in the clean run but passes with the fault", findingKey(f), f.Outcome))
		}
	}
	if len(lost) > 0 && len(marker) == 0 {
		out = append(out, fmt.Sprintf("findings %s of the clean run are missing, with no explicit failure", strings.Join(lost, ", ")))
	}
	if faulted.Score.Value < clean.Score.Value && len(marker) == 0 {
		out = append(out, fmt.Sprintf("the score fell from %.2f to %.2f with no explicit failure", clean.Score.Value, faulted.Score.Value))
	}
	return out
}

// reportID matches the evidence and finding IDs of a report.
var reportID = regexp.MustCompile(`\b(ev|f)-[0-9a-f]{12}\b`)

// Normalize returns a copy of r in which every occurrence of endpoint (the
// base URL of a test server, which differs from run to run) reads
// "ENDPOINT" and evidence and finding IDs are numbered by first appearance
// ("f-1", "ev-2"), so that reports of runs against different servers
// compare.
func Normalize(r *risk.Report, endpoint string) (*risk.Report, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	quoted, err := json.Marshal(endpoint)
	if err != nil {
		return nil, err
	}
	b = bytes.ReplaceAll(b, quoted[1:len(quoted)-1], []byte("ENDPOINT"))
	// Finding and evidence IDs hash texts that may have named the
	// endpoint: number them by first appearance instead.
	seen := map[string]string{}
	counts := map[string]int{}
	b = reportID.ReplaceAllFunc(b, func(id []byte) []byte {
		if n, ok := seen[string(id)]; ok {
			return []byte(n)
		}
		prefix, _, _ := bytes.Cut(id, []byte("-"))
		counts[string(prefix)]++
		n := fmt.Sprintf("%s-%d", prefix, counts[string(prefix)])
		seen[string(id)] = n
		return []byte(n)
	})
	var out risk.Report
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Equal reports whether two reports are the same, generated_at aside.
func Equal(a, b *risk.Report) bool {
	ja, errA := canonical(a)
	jb, errB := canonical(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// canonical is the JSON of r with GeneratedAt cleared.
func canonical(r *risk.Report) ([]byte, error) {
	c := *r
	c.GeneratedAt = time.Time{}
	return json.Marshal(&c)
}

// Markers returns the explicit failure markers of faulted that clean does
// not have: "node ID: state: reason" and "source NAME SUBJECT: state:
// reason", sorted.
func Markers(clean, faulted *risk.Report) []string {
	had := map[string]bool{}
	for _, m := range markers(clean) {
		had[m] = true
	}
	var out []string
	for _, m := range markers(faulted) {
		if !had[m] {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// markers lists the failed, partial and skipped nodes and source statuses
// of r that carry a reason.
func markers(r *risk.Report) []string {
	var out []string
	for _, n := range r.Lineage.Nodes {
		if n.State != risk.NodeCollected && n.Reason != "" {
			out = append(out, fmt.Sprintf("node %s: %s: %s", n.ID, n.State, n.Reason))
		}
	}
	for _, s := range r.Sources {
		if (s.State == risk.StateFailed || s.State == risk.StatePartial) && s.Reason != "" {
			out = append(out, fmt.Sprintf("source %s %s: %s: %s", s.Source, s.Subject, s.State, s.Reason))
		}
	}
	return out
}

// findingKey identifies a finding across runs: its rule and its subject
// without the revision.
func findingKey(f risk.Finding) string {
	return f.Rule + " " + withoutRevision(f.Subject)
}

// withoutRevision strips the "@REV" of a PURL, keeping its qualifiers.
func withoutRevision(id string) string {
	base, quals, _ := strings.Cut(id, "?")
	if i := strings.LastIndex(base, "@"); i > strings.LastIndex(base, "/") {
		base = base[:i]
	}
	if quals != "" {
		return base + "?" + quals
	}
	return base
}
