package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// artifacts returns n's artifact evidence.
func artifacts(n *Node) []sources.Evidence { return n.Find(sources.KindArtifact) }

// pickleFiles returns n's files in a pickle-based format.
func pickleFiles(n *Node) []sources.Evidence {
	var out []sources.Evidence
	for _, f := range n.Find(sources.KindFile) {
		switch f.Attr("format") {
		case "pickle", "pickle_zip":
			out = append(out, f)
		case "numpy", "keras", "zip":
			if f.Attr("role") == "weights" {
				out = append(out, f)
			}
		}
	}
	return out
}

// checkPickleUnsafeImport is the check of pickle-unsafe-import.
func checkPickleUnsafeImport(_ *Input, n *Node) []Result {
	if notModel(n) || n.Subject.Kind == sources.SubjectDataset {
		return notApplicableToKind(n, "pickle-unsafe-import")
	}
	scanned := map[string]sources.Evidence{}
	var dangerous, unknown []sources.Evidence
	for _, a := range artifacts(n) {
		scanned[a.Attr("file")] = a
		switch a.Value {
		case "dangerous_import":
			dangerous = append(dangerous, a)
		case "unknown_import":
			unknown = append(unknown, a)
		}
	}
	describe := func(evs []sources.Evidence) string {
		parts := make([]string, len(evs))
		for i, e := range evs {
			parts[i] = fmt.Sprintf("%s imports %s", e.Attr("file"), strings.ReplaceAll(e.Attr("imports"), ",", ", "))
		}
		return strings.Join(parts, "; ")
	}
	var results []Result
	if len(dangerous) > 0 {
		results = append(results, Result{Outcome: OutcomeFail, Severity: SeverityCritical, Evidence: evidenceIDs(dangerous...),
			Message: fmt.Sprintf("loading %s would run code: %s", ref(n), describe(dangerous))})
	}
	if len(unknown) > 0 {
		results = append(results, Result{Outcome: OutcomeFail, Severity: SeverityMedium, Evidence: evidenceIDs(unknown...),
			Message: fmt.Sprintf("%s has pickles importing callables outside the safe list, to be reviewed: %s", ref(n), describe(unknown))})
	}
	if len(results) > 0 {
		return results
	}
	pickles := pickleFiles(n)
	if len(pickles) == 0 {
		if n.Has(sources.KindFile) {
			return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("%s ships no pickle-based file", ref(n))}}
		}
		return []Result{{Outcome: OutcomeUnknown, Message: fmt.Sprintf("no source listed the files of %s, so whether it ships pickles is unknown", ref(n))}}
	}
	var unscanned []string
	var clean []sources.Evidence
	for _, p := range pickles {
		a, ok := scanned[p.Value]
		switch {
		case !ok || a.Value == "unread":
			unscanned = append(unscanned, p.Value)
		default:
			clean = append(clean, a)
		}
	}
	if len(unscanned) > 0 {
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(clean...),
			Message: fmt.Sprintf("the pickles of %s were not all scanned (%s), so what loading them imports is unknown", ref(n), strings.Join(unscanned, ", "))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(clean...),
		Message: fmt.Sprintf("every pickle of %s imports only what checkpoints need", ref(n))}}
}

// checkArtifactMalformed is the check of artifact-malformed.
func checkArtifactMalformed(_ *Input, n *Node) []Result {
	if notModel(n) || n.Subject.Kind == sources.SubjectDataset {
		return notApplicableToKind(n, "artifact-malformed")
	}
	var bad []sources.Evidence
	var parts []string
	for _, a := range artifacts(n) {
		if a.Value == "malformed" {
			bad = append(bad, a)
			parts = append(parts, fmt.Sprintf("%s (%s): %s", a.Attr("file"), a.Attr("format"), a.Attr("reason")))
		}
	}
	for _, f := range n.Find(sources.KindFile) {
		if ext := f.Attr("extension_format"); ext != "" && f.Attr("detected_by") == "magic" {
			bad = append(bad, f)
			parts = append(parts, fmt.Sprintf("%s is named as %s but its bytes are %s", f.Value, ext, f.Attr("format")))
		}
	}
	if len(bad) > 0 {
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(bad...),
			Message: fmt.Sprintf("%s has malformed or disguised weight files: %s", ref(n), strings.Join(parts, "; "))}}
	}
	var weights, inspected []sources.Evidence
	for _, f := range n.Find(sources.KindFile) {
		if f.Attr("role") == "weights" {
			weights = append(weights, f)
		}
	}
	arts := artifacts(n)
	for _, a := range arts {
		if a.Value != "unread" {
			inspected = append(inspected, a)
		}
	}
	switch {
	case len(weights) == 0 && n.Has(sources.KindFile):
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("%s ships no weight files", ref(n))}}
	case len(inspected) == 0:
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(weights...),
			Message: fmt.Sprintf("the weight files of %s were not inspected (only their names were listed), so whether they are well-formed is unknown", ref(n))}}
	case len(inspected) < len(weights):
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(inspected...),
			Message: fmt.Sprintf("%d of the %d weight files of %s were inspected and are well-formed; the others were not inspected", len(inspected), len(weights), ref(n))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(inspected...),
		Message: fmt.Sprintf("the weight files of %s are well-formed and match their names", ref(n))}}
}

// checkChatTemplateSuspicious is the check of chat-template-suspicious.
func checkChatTemplateSuspicious(_ *Input, n *Node) []Result {
	var sus, gguf []sources.Evidence
	for _, a := range artifacts(n) {
		if a.Attr("format") != "gguf" {
			continue
		}
		gguf = append(gguf, a)
		if a.Value == "suspicious_template" || strings.Contains(a.Attr("reason"), "chat template:") {
			sus = append(sus, a)
		}
	}
	if len(sus) > 0 {
		parts := make([]string, len(sus))
		for i, a := range sus {
			parts[i] = fmt.Sprintf("%s: %s", a.Attr("file"), a.Attr("reason"))
		}
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(sus...),
			Message: fmt.Sprintf("the chat template embedded in %s holds more than formatting: %s", ref(n), strings.Join(parts, "; "))}}
	}
	if len(gguf) == 0 {
		var listed []sources.Evidence
		for _, f := range n.Find(sources.KindFile) {
			if f.Attr("format") == "gguf" {
				listed = append(listed, f)
			}
		}
		if len(listed) > 0 {
			return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(listed...),
				Message: fmt.Sprintf("%s ships GGUF files that were not inspected, so their chat templates are unknown: %s", ref(n), describeFiles(listed))}}
		}
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("%s ships no GGUF file", ref(n))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(gguf...),
		Message: fmt.Sprintf("the chat templates embedded in the GGUF files of %s only format messages", ref(n))}}
}

// checkHubScanFlagged is the check of hub-scan-flagged.
func checkHubScanFlagged(_ *Input, n *Node) []Result {
	if n.Subject.Local() || notModel(n) {
		return []Result{{Outcome: OutcomeNotApplicable, Message: fmt.Sprintf("%s is not a Hub repository; hub-scan-flagged reads the Hub's scans", ref(n))}}
	}
	verdict := map[string]sources.Evidence{}
	for _, a := range artifacts(n) {
		verdict[a.Attr("file")] = a
	}
	var flagged, overall []sources.Evidence
	var parts []string
	for _, s := range n.Find(sources.KindScan) {
		if s.Attr("scanner") == "hub" {
			overall = append(overall, s)
		}
		switch s.Value {
		case "unsafe", "suspicious", "caution":
		default:
			continue
		}
		flagged = append(flagged, s)
		p := fmt.Sprintf("%s: %s by the Hub's %s scanner", s.Attr("file"), s.Value, s.Attr("scanner"))
		if im := s.Attr("imports"); im != "" {
			p += " (" + im + ")"
		}
		if a, ok := verdict[s.Attr("file")]; ok && a.Value == "clean" {
			p += "; Pedigree's own scan found nothing: review the file"
		}
		parts = append(parts, p)
	}
	if len(flagged) > 0 {
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(flagged...),
			Message: fmt.Sprintf("the Hub flags files of %s: %s", ref(n), strings.Join(dedupe(parts), "; "))}}
	}
	if len(overall) == 0 {
		return []Result{{Outcome: OutcomeUnknown, Message: fmt.Sprintf("no scan verdicts of the Hub were read for %s (its file tree was not read)", ref(n))}}
	}
	msg := fmt.Sprintf("the Hub's scanners flag no file of %s", ref(n))
	var disagree []string
	for file, a := range verdict {
		if a.Value == "dangerous_import" {
			disagree = append(disagree, file)
		}
	}
	if len(disagree) > 0 {
		slices.Sort(disagree)
		msg += fmt.Sprintf(", though Pedigree's scan finds dangerous imports in %s (see pickle-unsafe-import)", strings.Join(disagree, ", "))
	}
	return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(overall...), Message: msg}}
}
