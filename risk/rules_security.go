package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// pickleFormats are the file formats whose loading runs a pickle.
var pickleFormats = []string{"pickle", "pickle_zip"}

// maxListed bounds how many files a message names.
const maxListed = 10

// describeFiles names files with their formats, at most maxListed of them.
func describeFiles(files []sources.Evidence) string {
	parts := make([]string, 0, min(len(files), maxListed)+1)
	for i, e := range files {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(files)-maxListed))
			break
		}
		f := e.Attr("format")
		if f == "" {
			f = "unknown format"
		}
		if e.Attr("detected_by") == "extension" {
			f += ", by extension"
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", e.Value, f))
	}
	return strings.Join(parts, ", ")
}

// plural counts things in words: "1 file", "3 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// checkPickleWeights is the check of pickle-weights.
func checkPickleWeights(_ *Input, n *Node) []Result {
	if n.Subject.Kind == sources.SubjectDataset || notModel(n) {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s is a %s, not a model; pickle-weights applies to model weights", ref(n), n.Subject.Kind)}}
	}
	files := n.Find(sources.KindFile)
	if len(files) == 0 {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("no source listed the files of %s, so the format of its weights is unknown", ref(n))}}
	}
	var pickles, safe, unrecognised []sources.Evidence
	for _, e := range files {
		if e.Attr("role") != "weights" {
			continue
		}
		switch f := e.Attr("format"); {
		case slices.Contains(pickleFormats, f):
			pickles = append(pickles, e)
		case f == "" || f == "unknown":
			unrecognised = append(unrecognised, e)
		default:
			safe = append(safe, e)
		}
	}
	what := "weights"
	if n.Has(sources.KindAdapter) {
		what = "adapter weights"
	}
	switch {
	case len(safe) > 0:
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(safe...),
			Message: fmt.Sprintf("%s ships %s in a format that holds only data: %s", ref(n), what, describeFiles(safe))}}
	case len(pickles) > 0 && len(unrecognised) == 0:
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(pickles...),
			Message: fmt.Sprintf("%s ships its %s only as pickles, which run code when loaded: %s", ref(n), what, describeFiles(pickles))}}
	case len(pickles)+len(unrecognised) > 0:
		all := append(slices.Clone(pickles), unrecognised...)
		return []Result{{Outcome: OutcomeUnknown, Evidence: evidenceIDs(all...),
			Message: fmt.Sprintf("%s ships %s whose formats are pickle or not recognised, so whether a safe copy exists is unknown: %s", ref(n), what, describeFiles(all))}}
	}
	return []Result{{Outcome: OutcomeNotApplicable,
		Message: fmt.Sprintf("%s ships no weight file (%s listed)", ref(n), plural(len(files), "file"))}}
}

// checkRemoteCode is the check of remote-code.
func checkRemoteCode(_ *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "remote-code")
	}
	var signs []sources.Evidence
	var reasons []string
	for _, e := range n.Find(sources.KindRemoteCode) {
		signs = append(signs, e)
		r := e.Value
		if where := e.Attr("declared_in"); where != "" {
			r += " (" + where + ")"
		}
		reasons = append(reasons, r)
	}
	if len(signs) == 0 {
		for _, e := range n.Find(sources.KindConfig) {
			if e.Attr("field") == "auto_map" && e.Value != "" {
				signs = append(signs, e)
				reasons = append(reasons, fmt.Sprintf("config.json auto_map %s", e.Value))
			}
		}
	}
	// Python files at the top of the repository are what trust_remote_code
	// loads (modeling_*.py, configuration_*.py); scripts in subfolders
	// (examples/, scripts/) are not run by loading the model.
	var code, scripts []sources.Evidence
	for _, e := range n.Find(sources.KindFile) {
		if e.Attr("format") == "python" || strings.HasSuffix(strings.ToLower(e.Value), ".py") {
			if strings.Contains(e.Value, "/") {
				scripts = append(scripts, e)
			} else {
				code = append(code, e)
			}
		}
	}
	if len(signs)+len(code) > 0 {
		msg := fmt.Sprintf("loading %s runs code it ships", ref(n))
		if len(reasons) > 0 {
			msg += ": " + strings.Join(reasons, ", ")
		}
		if len(code) > 0 {
			msg += fmt.Sprintf("; Python files: %s", describeFiles(code))
		}
		return []Result{{Outcome: OutcomeFail, Evidence: evidenceIDs(append(signs, code...)...), Message: msg}}
	}
	if broken := fileErrors(n, "config"); len(broken) > 0 {
		return []Result{{Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
			Message: fmt.Sprintf("the configuration of %s cannot be read, so whether it declares custom code is unknown: %s", ref(n), describeFileErrors(broken))}}
	}
	files, configs := n.Find(sources.KindFile), n.Find(sources.KindConfig)
	switch {
	case len(scripts) > 0 && len(configs) > 0:
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(scripts...),
			Message: fmt.Sprintf("%s declares no custom code; it ships Python scripts in subfolders, which loading the model does not run: %s", ref(n), describeFiles(scripts))}}
	case len(files) > 0 && len(configs) > 0:
		return []Result{{Outcome: OutcomePass,
			Message: fmt.Sprintf("%s declares no auto_map or other custom code in its configuration, and none of its files is Python (%s listed)", ref(n), plural(len(files), "file"))}}
	case len(files) > 0:
		return []Result{{Outcome: OutcomePass,
			Message: fmt.Sprintf("%s declares no custom code and none of its files is Python (%s listed)", ref(n), plural(len(files), "file"))}}
	case len(configs) > 0:
		return []Result{{Outcome: OutcomePass,
			Message: fmt.Sprintf("the configuration of %s declares no auto_map or other custom code (its file list was not read)", ref(n))}}
	}
	return []Result{{Outcome: OutcomeUnknown,
		Message: fmt.Sprintf("no source read the configuration or listed the files of %s, so whether loading it runs custom code is unknown", ref(n))}}
}
