package risk

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pedigree-ai/pedigree/sources"
)

// Helpers for rule tests: hand-built nodes, evidence and graphs, and an
// assertion on results in the manner of scorecard's AssertOutcomes.

var ruleTestOrigin = sources.Origin{Source: "test", Locator: "file:///fixtures/model"}

// hubNode returns a collected node for the Hub model OWNER/NAME.
func hubNode(id string) *Node {
	s := sources.HubModel(id, "0123abcd")
	return &Node{ID: s.ID(), Subject: s, State: NodeCollected}
}

// hubDatasetNode returns a collected node for the Hub dataset OWNER/NAME.
func hubDatasetNode(id string) *Node {
	s := sources.HubDataset(id, "0123abcd")
	return &Node{ID: s.ID(), Subject: s, State: NodeCollected}
}

// localNode returns a collected node for a local folder.
func localNode(path string) *Node {
	s := sources.Subject{Kind: sources.SubjectModel, Ref: "./" + filepath.Base(path), Path: path}
	return &Node{ID: s.ID(), Subject: s, State: NodeCollected}
}

// unread marks n as not read, with a reason.
func unread(n *Node, state NodeState, reason string) *Node {
	n.State, n.Reason = state, reason
	return n
}

// addEv adds evidence about n and returns it; kv are attribute key-value pairs.
func addEv(n *Node, kind sources.EvidenceKind, value string, kv ...string) sources.Evidence {
	attrs := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i]] = kv[i+1]
	}
	e := sources.NewEvidence(n.ID, kind, value, attrs, ruleTestOrigin)
	n.Evidence = append(n.Evidence, e)
	return e
}

// link returns a declared edge from -> to resting on evs.
func link(from, to *Node, rel sources.Relation, evs ...sources.Evidence) Edge {
	return Edge{From: from.ID, To: to.ID, Relation: rel, Declared: true, Evidence: evidenceIDs(evs...)}
}

// graphOf builds a graph rooted at nodes[0].
func graphOf(nodes []*Node, edges ...Edge) *Graph {
	return NewGraph(nodes[0].ID, nodes, edges)
}

// ids returns the evidence IDs of evs.
func ids(evs ...sources.Evidence) []string { return evidenceIDs(evs...) }

// want is the expected part of a result.
type want struct {
	Subject  string
	Outcome  Outcome
	Evidence []string
	Severity Severity
	Path     []string
	// Says lists substrings the message must contain.
	Says []string
}

// checkCase is one case of a rule's table test: build returns the input, the
// node the check is asked about and the expected results.
type checkCase struct {
	name  string
	build func() (*Input, *Node, []want)
}

// runCheckCases runs a rule's table test.
func runCheckCases(t *testing.T, check Check, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, n, wants := tc.build()
			assertResults(t, check(in, n), n, wants)
		})
	}
}

// assertResults compares results with wants: subject (empty meaning n),
// outcome, evidence IDs (in any order), severity and path, and that every
// message names the subject's reference and says what wants say.
func assertResults(t *testing.T, got []Result, n *Node, wants []want) {
	t.Helper()
	type view struct {
		Subject  string
		Outcome  Outcome
		Evidence []string
		Severity Severity
		Path     []string
	}
	project := func(subject string, outcome Outcome, ev []string, sev Severity, path []string) view {
		if subject == "" {
			subject = n.ID
		}
		ev = slices.Clone(ev)
		slices.Sort(ev)
		if len(ev) == 0 {
			ev = nil
		}
		return view{subject, outcome, ev, sev, path}
	}
	var gv, wv []view
	for _, r := range got {
		gv = append(gv, project(r.Subject, r.Outcome, r.Evidence, r.Severity, r.Path))
	}
	for _, w := range wants {
		wv = append(wv, project(w.Subject, w.Outcome, w.Evidence, w.Severity, w.Path))
	}
	if diff := cmp.Diff(wv, gv); diff != "" {
		for _, r := range got {
			t.Logf("got %s: %s", r.Outcome, r.Message)
		}
		t.Fatalf("results mismatch (-want +got):\n%s", diff)
	}
	for i, r := range got {
		if r.Message == "" {
			t.Errorf("result %d has no message", i)
		}
		if !strings.Contains(r.Message, n.Subject.String()) && (r.Subject == "" || r.Subject == n.ID) {
			t.Errorf("result %d message %q does not name %s", i, r.Message, n.Subject)
		}
		for _, s := range wants[i].Says {
			if !strings.Contains(r.Message, s) {
				t.Errorf("result %d message %q does not say %q", i, r.Message, s)
			}
		}
	}
}

// inputFor returns the input of a check over g with the default policy settings.
func inputFor(g *Graph) *Input { return &Input{Graph: g, Policy: &Policy{}} }

func TestDefinitionsRegistry(t *testing.T) {
	t.Parallel()
	defs, err := Definitions()
	if err != nil {
		t.Fatalf("Definitions: %v", err)
	}
	wantIDs := []string{
		"license-missing", "license-unrecognized", "license-conflict", "license-noncommercial",
		"lineage-undeclared", "lineage-unresolvable", "lineage-cycle", "lineage-depth", "lineage-merge",
		"pickle-weights", "remote-code", "card-missing", "datasets-undeclared",
		"origin-jurisdiction", "origin-unknown-publisher", "origin-reupload",
		"license-use-restrictions", "license-dataset-conflict", "license-policy-denied", "license-file-mismatch",
		"lineage-mislabeled", "safety-removed", "history-weights-changed", "history-unpinned",
		"pickle-unsafe-import", "artifact-malformed", "chat-template-suspicious", "hub-scan-flagged",
		"dependency-vulnerable", "repo-scorecard-low",
	}
	var gotIDs []string
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.ID] {
			t.Errorf("duplicate rule ID %q", d.ID)
		}
		seen[d.ID] = true
		gotIDs = append(gotIDs, d.ID)
		if !slices.Contains(Categories, d.Category) {
			t.Errorf("%s: category %q is not one of %v", d.ID, d.Category, Categories)
		}
		if errs := validateDefinition(d); len(errs) > 0 {
			t.Errorf("%s: %v", d.ID, errs)
		}
		if len(strings.Fields(d.Remediation)) < 15 {
			t.Errorf("%s: remediation %q is too short to tell a buyer what to do", d.ID, d.Remediation)
		}
		if !strings.Contains(d.Why, "severity") {
			t.Errorf("%s: why does not explain the choice of severity", d.ID)
		}
		if d.UnknownFraction != nil && !strings.Contains(d.Why, "unknown") {
			t.Errorf("%s: sets unknown_fraction but why does not say why", d.ID)
		}
	}
	slices.Sort(gotIDs)
	slices.Sort(wantIDs)
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		t.Errorf("rule IDs (-want +got):\n%s", diff)
	}
	// Every definition has a check and every check a definition.
	checkIDs := slices.Sorted(maps.Keys(builtinChecks()))
	if diff := cmp.Diff(wantIDs, checkIDs); diff != "" {
		t.Errorf("check IDs (-want +got):\n%s", diff)
	}
	if _, err := pairRules(defs, builtinChecks()); err != nil {
		t.Errorf("pairRules: %v", err)
	}
}

func TestDefaultRules(t *testing.T) {
	t.Parallel()
	rules := DefaultRules()
	defs, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(defs) {
		t.Fatalf("DefaultRules returned %d rules, want %d", len(rules), len(defs))
	}
	for i, r := range rules {
		if r.Def.ID != defs[i].ID {
			t.Errorf("rule %d is %s, want %s (the order of rules.yaml)", i, r.Def.ID, defs[i].ID)
		}
		if r.Check == nil {
			t.Errorf("rule %s has no check", r.Def.ID)
		}
	}
	// Each call is independent of the others.
	rules[0].Def.Title = "changed"
	if DefaultRules()[0].Def.Title == "changed" {
		t.Error("DefaultRules returned shared definitions")
	}
}

func TestPairRulesMismatch(t *testing.T) {
	t.Parallel()
	defs := []Definition{{ID: "a-rule"}, {ID: "b-rule"}}
	noop := func(*Input, *Node) []Result { return nil }
	_, err := pairRules(defs, map[string]Check{"a-rule": noop, "c-rule": noop})
	if err == nil {
		t.Fatal("pairRules accepted a definition without a check and a check without a definition")
	}
	for _, s := range []string{`"b-rule" is defined but has no check`, `"c-rule" has a check but no definition`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}

func TestParseDefinitionsInvalid(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"invalid-unknown-key.yaml":       {`invalid-unknown-key.yaml:9: rule "some-rule": unknown key "fix"`},
		"invalid-missing-field.yaml":     {`invalid-missing-field.yaml:2: rule "no-why": missing field "why"`, `missing field "remediation"`},
		"invalid-duplicate-id.yaml":      {`invalid-duplicate-id.yaml:10: rule "twice": duplicate id, first defined on line 2`},
		"invalid-category.yaml":          {`unknown category "safety"`},
		"invalid-severity.yaml":          {`unknown severity "severe"`},
		"invalid-scope.yaml":             {`unknown scope "ancestors"`},
		"invalid-id.yaml":                {"id must be lower-case words"},
		"invalid-fraction.yaml":          {"unknown_fraction 1.5 must be between 0 and 1"},
		"invalid-fraction-type.yaml":     {"invalid-fraction-type.yaml:10: rule \"some-rule\": unknown_fraction must be a number"},
		"invalid-rules-not-list.yaml":    {"invalid-rules-not-list.yaml:2: rules: must be a list"},
		"invalid-yaml.yaml":              {"invalid-yaml.yaml: yaml:"},
		"invalid-top-level-key.yaml":     {`invalid-top-level-key.yaml:1: unknown top-level key "definitions"`},
		"invalid-empty.yaml":             {"empty file"},
		"invalid-no-rules.yaml":          {"no rules"},
		"invalid-not-mapping.yaml":       {"invalid-not-mapping.yaml:2: a rule must be a mapping"},
		"invalid-two-documents.yaml":     {"more than one YAML document"},
		"invalid-wrong-type.yaml":        {`invalid-wrong-type.yaml:6: rule "some-rule": title must be text`},
		"invalid-duplicate-key.yaml":     {`invalid-duplicate-key.yaml:10: rule "some-rule": key "title" repeated (first on line 6)`},
		"invalid-blank-remediation.yaml": {`missing field "remediation"`},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "rules", "invalid-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(cases)), names); diff != "" {
		t.Errorf("fixtures and cases differ (-cases +files):\n%s", diff)
	}
	for name, says := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "rules", name))
			if err != nil {
				t.Fatal(err)
			}
			defs, err := parseDefinitions(name, data)
			if err == nil {
				t.Fatalf("parseDefinitions accepted %s: %+v", name, defs)
			}
			for _, s := range says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestParseDefinitionsValid(t *testing.T) {
	t.Parallel()
	data := []byte(`rules:
  - id: some-rule
    category: security
    severity: low
    scope: subject
    title: A title
    checks: What it checks.
    why: Why it matters.
    remediation: What to do.
    unknown_fraction: 0.25
`)
	defs, err := parseDefinitions("x.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	f := 0.25
	want := []Definition{{ID: "some-rule", Category: CategorySecurity, Severity: SeverityLow, Scope: ScopeSubject,
		Title: "A title", Checks: "What it checks.", Why: "Why it matters.", Remediation: "What to do.", UnknownFraction: &f}}
	if diff := cmp.Diff(want, defs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := defs[0].Unknown(); got != 0.25 {
		t.Errorf("Unknown() = %v, want 0.25", got)
	}
}

func FuzzParseDefinitions(f *testing.F) {
	f.Add(rulesYAML)
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "invalid-*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, err := parseDefinitions("fuzz.yaml", data)
		if err != nil {
			return
		}
		if len(defs) == 0 {
			t.Fatal("no error and no definitions")
		}
		seen := map[string]bool{}
		for _, d := range defs {
			if errs := validateDefinition(d); len(errs) > 0 {
				t.Fatalf("accepted an invalid definition %+v: %v", d, errs)
			}
			if seen[d.ID] {
				t.Fatalf("accepted duplicate id %q", d.ID)
			}
			seen[d.ID] = true
		}
	})
}
