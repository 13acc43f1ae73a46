package risk

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
	"go.yaml.in/yaml/v3"
)

//go:embed rules.yaml
var rulesYAML []byte

// rulesFile is the name parse errors of the embedded definitions carry.
const rulesFile = "rules.yaml"

// Definitions returns the definitions of the built-in rules, in the order of
// rules.yaml. Each call returns a fresh slice the caller may modify.
func Definitions() ([]Definition, error) {
	return parseDefinitions(rulesFile, rulesYAML)
}

// DefaultRules returns the built-in rules: every definition of rules.yaml
// paired with its check, in the order of rules.yaml. It panics only if the
// embedded definitions and the checks compiled into the program disagree,
// which the package's tests rule out for every released build.
func DefaultRules() []Rule {
	defs, err := Definitions()
	if err != nil {
		panic("risk: embedded rule definitions: " + err.Error())
	}
	rules, err := pairRules(defs, builtinChecks())
	if err != nil {
		panic("risk: embedded rule definitions: " + err.Error())
	}
	return rules
}

// builtinChecks returns the check of every built-in rule by rule ID. It
// returns a new map on each call, so no caller can alter another's rules.
func builtinChecks() map[string]Check {
	return map[string]Check{
		"license-missing":          checkLicenseMissing,
		"license-unrecognized":     needsCard(checkLicenseUnrecognized, true),
		"license-noncommercial":    needsCard(checkLicenseNoncommercial, true),
		"license-conflict":         needsCard(checkLicenseConflict, true),
		"license-use-restrictions": checkLicenseUseRestrictions,
		"license-dataset-conflict": needsCard(checkLicenseDatasetConflict, true),
		"license-policy-denied":    needsCard(checkLicensePolicyDenied, true),
		"license-file-mismatch":    needsFiles(checkLicenseFileMismatch),
		"origin-jurisdiction":      checkOriginJurisdiction,
		"origin-unknown-publisher": checkOriginUnknownPublisher,
		"origin-reupload":          needsCard(checkOriginReupload, false),
		"lineage-mislabeled":       needsCard(checkLineageMislabeled, false),
		"safety-removed":           checkSafetyRemoved,
		"history-weights-changed":  needsFiles(checkHistoryWeightsChanged),
		"history-unpinned":         checkHistoryUnpinned,
		"pickle-unsafe-import":     needsFiles(checkPickleUnsafeImport),
		"artifact-malformed":       needsFiles(checkArtifactMalformed),
		"hub-scan-flagged":         checkHubScanFlagged,
		"chat-template-suspicious": needsFiles(checkChatTemplateSuspicious),
		"dependency-vulnerable":    checkDependencyVulnerable,
		"repo-scorecard-low":       checkRepoScorecardLow,
		"lineage-undeclared":       checkLineageUndeclared,
		"lineage-unresolvable":     needsCard(checkLineageUnresolvable, false),
		"lineage-cycle":            needsCard(checkLineageCycle, false),
		"lineage-depth":            needsCard(checkLineageDepth, false),
		"lineage-merge":            needsCard(checkLineageMerge, false),
		"pickle-weights":           needsFiles(checkPickleWeights),
		"remote-code":              needsFiles(checkRemoteCode),
		"card-missing":             checkCardMissing,
		"datasets-undeclared":      checkDatasetsUndeclared,
	}
}

// needsCard wraps a check whose answer rests on card metadata (the
// license, the declared bases). When the card of the node asked about
// could not be parsed, a pass, not_applicable or unknown about that node
// cannot be trusted and becomes error; a fail stands, since it rests on
// other evidence. For a license check, a license read from a LICENSE file
// or a tag is enough to answer, so the card is not needed then.
func needsCard(check Check, license bool) Check {
	return func(in *Input, n *Node) []Result {
		res := check(in, n)
		broken := fileErrors(n, "card")
		if len(broken) == 0 || license && n.Has(sources.KindLicense) {
			return res
		}
		for i, r := range res {
			if (r.Subject != "" && r.Subject != n.ID) || r.Outcome == OutcomeFail {
				continue
			}
			res[i] = Result{Subject: r.Subject, Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
				Message: fmt.Sprintf("the card of %s could not be read (%s), so this cannot be checked", ref(n), describeFileErrors(broken))}
		}
		return res
	}
}

// needsFiles wraps a check whose answer rests on the list of the
// subject's files (weights, code, templates, license files). When the list
// is incomplete (a file_error about the inventory: a folder or Hub listing
// past its limit), a file not listed could change a pass, or a
// not_applicable about a model, which becomes unknown; fails and unknowns
// stand.
func needsFiles(check Check) Check {
	return func(in *Input, n *Node) []Result {
		res := check(in, n)
		cut := fileErrors(n, "inventory")
		if len(cut) == 0 {
			return res
		}
		for i, r := range res {
			open := r.Outcome == OutcomePass || r.Outcome == OutcomeNotApplicable && n.Subject.Kind == sources.SubjectModel
			if (r.Subject != "" && r.Subject != n.ID) || !open {
				continue
			}
			res[i] = Result{Subject: r.Subject, Outcome: OutcomeUnknown, Evidence: append(r.Evidence, evidenceIDs(cut...)...),
				Message: fmt.Sprintf("%s; but the file list of %s is incomplete (%s), and a file not listed could change this", r.Message, ref(n), describeFileErrors(cut))}
		}
		return res
	}
}

// pairRules pairs each definition with the check of the same ID. Every
// definition needs a check and every check a definition.
func pairRules(defs []Definition, checks map[string]Check) ([]Rule, error) {
	var errs []error
	rules := make([]Rule, 0, len(defs))
	defined := make(map[string]bool, len(defs))
	for _, d := range defs {
		defined[d.ID] = true
		c := checks[d.ID]
		if c == nil {
			errs = append(errs, fmt.Errorf("rule %q is defined but has no check; add one to builtinChecks", d.ID))
			continue
		}
		rules = append(rules, Rule{Def: d, Check: c})
	}
	var orphans []string
	for id := range checks {
		if !defined[id] {
			orphans = append(orphans, id)
		}
	}
	slices.Sort(orphans)
	for _, id := range orphans {
		errs = append(errs, fmt.Errorf("rule %q has a check but no definition; add it to %s", id, rulesFile))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// ruleIDPattern is the shape of a rule ID: lower-case words joined by '-'.
var ruleIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// definitionKeys are the keys a rule definition may have.
var definitionKeys = []string{"id", "category", "severity", "scope", "title", "checks", "why", "remediation", "unknown_fraction", "checks_unread"}

// lineError is a problem at a line of a definitions file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func atLine(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

// parseDefinitions reads rule definitions strictly: a YAML document whose
// only top-level key is rules, a list of definitions. Unknown or repeated
// keys, values of the wrong type, missing or empty fields, duplicate IDs,
// malformed IDs and unknown categories, severities or scopes are errors
// naming the file (name) and line; all of them are reported at once.
func parseDefinitions(name string, data []byte) ([]Definition, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file; it needs a top-level rules: list", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document; keep every rule in the one rules: list", name)
	}
	list, err := rulesList(&doc)
	if err != nil {
		return nil, locate(name, "", err)
	}
	var errs []error
	seen := map[string]int{}
	defs := make([]Definition, 0, len(list.Content))
	for _, item := range list.Content {
		d, derrs := decodeDefinition(item)
		if len(derrs) > 0 {
			for _, err := range derrs {
				errs = append(errs, locate(name, d.ID, err))
			}
			continue
		}
		for _, err := range validateDefinition(d) {
			errs = append(errs, locate(name, d.ID, atLine(item.Line, "%v", err)))
		}
		if first, dup := seen[d.ID]; dup && d.ID != "" {
			errs = append(errs, locate(name, d.ID, atLine(item.Line, "duplicate id, first defined on line %d; rule IDs must be unique", first)))
		} else {
			seen[d.ID] = item.Line
		}
		defs = append(defs, d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return defs, nil
}

// locate prefixes err with the file name, its line and the rule ID:
// "rules.yaml:12: rule \"x\": ...".
func locate(name, id string, err error) error {
	where := name
	var le *lineError
	if errors.As(err, &le) {
		where = fmt.Sprintf("%s:%d", name, le.line)
		err = errors.New(le.msg)
	}
	if id != "" {
		where += fmt.Sprintf(": rule %q", id)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// rulesList returns the rules: sequence of a definitions document.
func rulesList(doc *yaml.Node) (*yaml.Node, error) {
	if len(doc.Content) == 0 {
		return nil, errors.New("empty file; it needs a top-level rules: list")
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, atLine(top.Line, "the top level must be a mapping with a rules: list")
	}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != "rules" {
			return nil, atLine(k.Line, "unknown top-level key %q; the file holds only a rules: list", k.Value)
		}
		if list != nil {
			return nil, atLine(k.Line, "rules: appears twice; keep every rule in one list")
		}
		if v.Kind != yaml.SequenceNode {
			return nil, atLine(v.Line, "rules: must be a list of rule definitions")
		}
		list = v
	}
	if list == nil || len(list.Content) == 0 {
		return nil, errors.New("no rules; the top-level rules: list is missing or empty")
	}
	return list, nil
}

// decodeDefinition decodes one definition, rejecting unknown and repeated
// keys and values that are not text (or, for unknown_fraction, a number).
// It returns what it could read, so that errors can name the rule.
func decodeDefinition(n *yaml.Node) (Definition, []error) {
	var d Definition
	if n.Kind != yaml.MappingNode {
		return d, []error{atLine(n.Line, "a rule must be a mapping of id, category, severity, scope, title, checks, why and remediation")}
	}
	seen := map[string]int{}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			errs = append(errs, atLine(k.Line, "key %q repeated (first on line %d)", k.Value, first))
			continue
		}
		seen[k.Value] = k.Line
		if k.Value == "checks_unread" {
			if v.Kind != yaml.ScalarNode || v.Decode(&d.ChecksUnread) != nil {
				errs = append(errs, atLine(v.Line, "checks_unread must be true or false"))
			}
			continue
		}
		if k.Value == "unknown_fraction" {
			var f float64
			if v.Kind != yaml.ScalarNode || v.Decode(&f) != nil {
				errs = append(errs, atLine(v.Line, "unknown_fraction must be a number between 0 and 1"))
				continue
			}
			d.UnknownFraction = &f
			continue
		}
		dst := definitionField(&d, k.Value)
		if dst == nil {
			errs = append(errs, atLine(k.Line, "unknown key %q (want one of %s)", k.Value, strings.Join(definitionKeys, ", ")))
			continue
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			errs = append(errs, atLine(v.Line, "%s must be text", k.Value))
			continue
		}
		*dst = v.Value
	}
	return d, errs
}

// definitionField returns the text field of d that key names, or nil.
func definitionField(d *Definition, key string) *string {
	switch key {
	case "id":
		return &d.ID
	case "category":
		return (*string)(&d.Category)
	case "severity":
		return (*string)(&d.Severity)
	case "scope":
		return (*string)(&d.Scope)
	case "title":
		return &d.Title
	case "checks":
		return &d.Checks
	case "why":
		return &d.Why
	case "remediation":
		return &d.Remediation
	}
	return nil
}

// validateDefinition returns what is wrong with d.
func validateDefinition(d Definition) []error {
	var errs []error
	missing := func(field, value string) {
		if strings.TrimSpace(value) == "" {
			errs = append(errs, fmt.Errorf("missing field %q", field))
		}
	}
	missing("id", d.ID)
	if d.ID != "" && !ruleIDPattern.MatchString(d.ID) {
		errs = append(errs, fmt.Errorf("id must be lower-case words joined by '-', as license-conflict"))
	}
	switch {
	case d.Category == "":
		missing("category", "")
	case !slices.Contains(Categories, d.Category):
		errs = append(errs, fmt.Errorf("unknown category %q (want one of %s)", d.Category, joinCategories()))
	}
	switch {
	case d.Severity == "":
		missing("severity", "")
	case d.Severity.Rank() < 0:
		errs = append(errs, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", d.Severity))
	}
	switch d.Scope {
	case "":
		missing("scope", "")
	case ScopeSubject, ScopeLineage, ScopeGraph:
	default:
		errs = append(errs, fmt.Errorf("unknown scope %q (want subject, lineage or graph)", d.Scope))
	}
	missing("title", d.Title)
	missing("checks", d.Checks)
	missing("why", d.Why)
	missing("remediation", d.Remediation)
	if f := d.UnknownFraction; f != nil && (*f < 0 || *f > 1 || *f != *f) {
		errs = append(errs, fmt.Errorf("unknown_fraction %v must be between 0 and 1", *f))
	}
	return errs
}

func joinCategories() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// Helpers shared by the checks.

// ref is how a message names a node: its user-facing reference.
func ref(n *Node) string { return n.Subject.String() }

// nodeRef names the node with ID id in g, or id itself when g does not hold it.
func nodeRef(g *Graph, id string) string {
	if n := g.Node(id); n != nil {
		return ref(n)
	}
	return id
}

// fileErrors returns n's file_error evidence about the given parts
// (card, config, adapter_config, merge_config, license).
func fileErrors(n *Node, parts ...string) []sources.Evidence {
	var out []sources.Evidence
	for _, e := range n.Find(sources.KindFileError) {
		if slices.Contains(parts, e.Attr("part")) {
			out = append(out, e)
		}
	}
	return out
}

// describeFileErrors says which files are broken and how.
func describeFileErrors(evs []sources.Evidence) string {
	parts := make([]string, 0, len(evs))
	for _, e := range evs {
		s := e.Value
		if line := e.Attr("line"); line != "" {
			s += ":" + line
		}
		if msg := e.Attr("error"); msg != "" {
			if strings.HasPrefix(msg, s) {
				s = msg // the parser's message already names the file and line
			} else {
				s += ": " + msg
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// cardState returns the value of n's card evidence (present, absent or
// unavailable) and the evidence; "" when no source said whether n has a card.
// When sources disagree, present wins over unavailable, which wins over
// absent: a card one source read exists.
func cardState(n *Node) (string, []sources.Evidence) {
	cards := n.Find(sources.KindCard)
	for _, want := range []string{"present", "unavailable", "absent"} {
		var evs []sources.Evidence
		for _, e := range cards {
			if e.Value == want {
				evs = append(evs, e)
			}
		}
		if len(evs) > 0 {
			return want, evs
		}
	}
	return "", nil
}

// notModel reports whether n is a package or code repository, which have no
// card, weights or lineage of the kind the model rules read.
func notModel(n *Node) bool {
	return n.Subject.Kind == sources.SubjectPackage || n.Subject.Kind == sources.SubjectRepository
}

// notApplicableToKind is the not_applicable result for a subject of a kind a
// rule does not assess.
func notApplicableToKind(n *Node, what string) []Result {
	return []Result{{Outcome: OutcomeNotApplicable,
		Message: fmt.Sprintf("%s is a %s; %s applies to models only", ref(n), n.Subject.Kind, what)}}
}

// quoteList quotes and joins values.
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// edgeEvidence returns the evidence IDs of edges, without duplicates, in order.
func edgeEvidence(edges ...Edge) []string {
	var out []string
	for _, e := range edges {
		for _, id := range e.Evidence {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// joinRefs names the nodes of a chain of IDs, joined by " -> ".
func joinRefs(g *Graph, ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = nodeRef(g, id)
	}
	return strings.Join(names, " -> ")
}

// unreadReason says why a node was not read.
func unreadReason(n *Node) string {
	if n.Reason == "" {
		return string(n.State)
	}
	return string(n.State) + ": " + n.Reason
}

// ClosestRule returns the ID among rules that id most likely misspells, or
// "" when none is close. Tools use it for "did you mean" hints.
func ClosestRule(id string, rules []Rule) string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.Def.ID
	}
	return suggestID(id, ids)
}
