package risk

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/pedigree-ai/pedigree/sources"
)

// policyTestRuleIDs are the rule IDs of the design's catalog, for lint tests.
var policyTestRuleIDs = []string{
	"origin-jurisdiction", "origin-unknown-publisher", "origin-reupload",
	"license-missing", "license-unrecognized", "license-noncommercial", "license-use-restrictions",
	"license-conflict", "license-dataset-conflict", "license-policy-denied",
	"lineage-undeclared", "lineage-unresolvable", "lineage-mislabeled", "lineage-depth",
	"lineage-merge", "lineage-cycle", "safety-removed", "history-weights-changed", "history-unpinned",
	"pickle-unsafe-import", "pickle-weights", "remote-code", "artifact-malformed", "hub-scan-flagged",
	"dependency-vulnerable", "repo-scorecard-low", "card-missing", "datasets-undeclared",
}

func weightPtr(v float64) *float64 { return &v }

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	text := DefaultPolicyYAML()
	got := DefaultPolicy()
	want := &Policy{
		Version:           1,
		Name:              "default",
		Rules:             map[string]RulePolicy{},
		Licenses:          LicensePolicy{Allow: []string{}, Deny: []string{}},
		Jurisdictions:     []string{"CN", "HK", "MO", "CU", "IR", "KP", "RU", "VE"},
		TrustedPublishers: []string{},
		MaxLineageDepth:   5,
		MinScorecardScore: 5,
		Waivers:           []Waiver{},
		Digest:            sources.Digest(text),
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Policy{})); diff != "" {
		t.Errorf("DefaultPolicy() mismatch (-want +got):\n%s", diff)
	}

	// The built-in text lints clean against the catalog.
	p, problems := LintPolicy("policy.yaml", text, policyTestRuleIDs, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if p == nil || len(problems) > 0 {
		t.Errorf("LintPolicy(default) = %v problems: %v", p != nil, problems)
	}
	if problems := got.Lint(policyTestRuleIDs, time.Now()); len(problems) > 0 {
		t.Errorf("DefaultPolicy().Lint() = %v, want none", problems)
	}

	// DefaultPolicyYAML and DefaultPolicy return values the caller owns.
	text[0] = 'X'
	got.Jurisdictions[0] = "US"
	if again := DefaultPolicy(); again.Jurisdictions[0] != "CN" || again.Digest != want.Digest {
		t.Errorf("DefaultPolicy() changed after its result and DefaultPolicyYAML() were modified: %+v", again)
	}
}

// TestDefaultPolicyYAMLShowsEveryKey checks that the text `pedigree policy
// init` writes sets every key explicitly, each after a comment.
func TestDefaultPolicyYAMLShowsEveryKey(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	if err := yaml.Unmarshal(DefaultPolicyYAML(), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	var keys []string
	for i := 0; i < len(root.Content); i += 2 {
		k := root.Content[i]
		keys = append(keys, k.Value)
		if strings.TrimSpace(k.HeadComment) == "" {
			t.Errorf("key %s of the built-in policy has no comment above it", k.Value)
		}
		if k.Value == "licenses" {
			var sub []string
			for j := 0; j < len(root.Content[i+1].Content); j += 2 {
				sub = append(sub, root.Content[i+1].Content[j].Value)
			}
			if diff := cmp.Diff(policyLicenseKeys, sub); diff != "" {
				t.Errorf("licenses keys of the built-in policy (-want +got):\n%s", diff)
			}
		}
	}
	if diff := cmp.Diff(policyKeys, keys); diff != "" {
		t.Errorf("keys of the built-in policy (-want +got):\n%s", diff)
	}
}

func TestParsePolicyValid(t *testing.T) {
	t.Parallel()
	def := DefaultPolicy()
	with := func(f func(p *Policy)) *Policy {
		p := clonePolicy(def)
		f(p)
		return p
	}
	fixture := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "policy", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name string
		data []byte
		want *Policy
	}{
		{
			name: "valid-minimal.yaml",
			data: fixture("valid-minimal.yaml"),
			want: with(func(p *Policy) { p.FailOn = LevelHigh }),
		},
		{
			name: "valid-full.yaml",
			data: fixture("valid-full.yaml"),
			want: &Policy{
				Version: 1,
				Name:    "acme-procurement",
				FailOn:  LevelMedium,
				Rules: map[string]RulePolicy{
					"remote-code":     {Severity: SeverityCritical},
					"lineage-merge":   {Weight: weightPtr(0.5)},
					"card-missing":    {Disabled: true},
					"license-missing": {Weight: weightPtr(0.0), Severity: SeverityHigh},
				},
				Licenses:          LicensePolicy{Allow: []string{"apache-2.0", "MIT", "llama3.1"}, Deny: []string{"cc-by-nc-4.0"}},
				Jurisdictions:     []string{"RU", "KP"},
				TrustedPublishers: []string{"acme-ai", "meta-llama"},
				MaxLineageDepth:   3,
				MinScorecardScore: 6.5,
				Waivers: []Waiver{
					{Rule: "remote-code", Subject: "hf:microsoft/phi-2", Reason: "custom code reviewed (SEC-123)",
						Expires: time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC)},
					{Rule: "pickle-weights", Subject: "pkg:huggingface/acme-ai/legacy@0123456789abcdef0123456789abcdef01234567",
						Reason: "internal model, loaded in a sandbox", Expires: time.Date(2030, 1, 2, 13, 4, 5, 0, time.UTC)},
					{Rule: "card-missing", Subject: "./models/in-house", Reason: "documented in the internal wiki"},
				},
			},
		},
		{
			name: "empty lists and nulls override the defaults",
			data: []byte("version: 1\nname:\nfail_on:\njurisdictions: []\ntrusted_publishers:\nlicenses:\nrules:\nwaivers:\n"),
			want: with(func(p *Policy) {
				p.Name = ""
				p.Jurisdictions = []string{}
				p.TrustedPublishers = []string{}
				p.Waivers = []Waiver{}
			}),
		},
		{
			name: "one license list keeps the other default",
			data: []byte("version: 1\nlicenses:\n  deny: [cc-by-nc-4.0]\n"),
			want: with(func(p *Policy) { p.Licenses.Deny = []string{"cc-by-nc-4.0"} }),
		},
		{
			name: "rule with null settings and null weight",
			data: []byte("version: 1\nrules:\n  remote-code:\n  card-missing: {weight: ~, severity: '', disabled: false}\n"),
			want: with(func(p *Policy) {
				p.Rules = map[string]RulePolicy{"remote-code": {}, "card-missing": {}}
			}),
		},
		{
			name: "integer weight and score, fail_on in capitals",
			data: []byte("version: 1\nfail_on: CRITICAL\nmin_scorecard_score: 0\nrules: {lineage-depth: {weight: 10}}\n"),
			want: with(func(p *Policy) {
				p.FailOn = LevelCritical
				p.MinScorecardScore = 0
				p.Rules = map[string]RulePolicy{"lineage-depth": {Weight: weightPtr(10.0)}}
			}),
		},
		{
			name: "anchors and aliases",
			data: []byte("version: 1\nwaivers:\n  - &w {rule: remote-code, subject: hf:a/b, reason: &r shared}\n  - {rule: pickle-weights, subject: hf:a/b, reason: *r}\n  - *w\n"),
			want: with(func(p *Policy) {
				w := Waiver{Rule: "remote-code", Subject: "hf:a/b", Reason: "shared"}
				p.Waivers = []Waiver{w, {Rule: "pickle-weights", Subject: "hf:a/b", Reason: "shared"}, w}
			}),
		},
		{
			name: "quoted date, null expiry, country codes in lower case",
			data: []byte("version: 1\njurisdictions: [cn, Ru]\nwaivers:\n  - {rule: a, subject: b, expires: '2031-02-03'}\n  - {rule: a, subject: c, expires: null}\n"),
			want: with(func(p *Policy) {
				p.Jurisdictions = []string{"CN", "RU"}
				p.Waivers = []Waiver{
					{Rule: "a", Subject: "b", Expires: time.Date(2031, 2, 3, 0, 0, 0, 0, time.UTC)},
					{Rule: "a", Subject: "c"},
				}
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePolicy(tt.name, tt.data)
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			tt.want.File = tt.name
			tt.want.Digest = sources.Digest(tt.data)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(Policy{}), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("ParsePolicy mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParsePolicyInvalid runs every testdata/policy/invalid-*.yaml fixture;
// each lists the problems it must produce in "# want: " comment lines.
func TestParsePolicyInvalid(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "policy", "invalid-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid-*.yaml fixtures: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for line := range strings.Lines(string(data)) {
				if w, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: "); ok {
					want = append(want, w)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s has no '# want: ' line", name)
			}
			p, err := ParsePolicy(name, data)
			if p != nil {
				t.Errorf("ParsePolicy returned a policy as well as an error")
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePolicy error = %v (%T), want a *PolicyError", err, err)
			}
			var got []string
			for _, pr := range pe.Problems {
				got = append(got, pr.String())
				if pr.File != name || pr.Line < 1 || pr.Severity != ProblemError || pr.Message == "" {
					t.Errorf("problem %+v: want File %q, a line, severity error and a message", pr, name)
				}
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Policy{})); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(strings.Join(want, "\n"), err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
			// LintPolicy reports the same problems.
			if _, lp := LintPolicy(name, data, policyTestRuleIDs, time.Now()); !cmp.Equal(lp, pe.Problems) {
				t.Errorf("LintPolicy problems = %v, want %v", lp, pe.Problems)
			}
		})
	}
}

func TestParsePolicyTooLarge(t *testing.T) {
	t.Parallel()
	data := append([]byte("version: 1\n#"), bytes.Repeat([]byte("x"), MaxPolicySize)...)
	_, err := ParsePolicy("big.yaml", data)
	var pe *PolicyError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || !strings.Contains(err.Error(), "big.yaml: the file is larger than") {
		t.Errorf("ParsePolicy(too large) = %v", err)
	}
}

func TestParsePolicyManyProblems(t *testing.T) {
	t.Parallel()
	// Aliases repeat a mapping of unknown keys many times: the problems
	// reported stay bounded.
	var b strings.Builder
	b.WriteString("version: 1\nx: &m {")
	for i := range 200 {
		fmt.Fprintf(&b, "k%d: 1, ", i)
	}
	b.WriteString("}\nwaivers: [")
	for range 500 {
		b.WriteString("*m, ")
	}
	b.WriteString("]\n")
	_, err := ParsePolicy("many.yaml", []byte(b.String()))
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("ParsePolicy = %v, want a *PolicyError", err)
	}
	if len(pe.Problems) != maxPolicyProblems+1 {
		t.Errorf("got %d problems, want %d", len(pe.Problems), maxPolicyProblems+1)
	}
	if last := pe.Problems[len(pe.Problems)-1].String(); last != "many.yaml: more than 100 problems; fix these and check again" {
		t.Errorf("last problem = %q", last)
	}
}

func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(good, []byte("version: 1\nfail_on: low\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPolicy(good)
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	if p.File != good || p.FailOn != LevelLow || p.MaxLineageDepth != 5 {
		t.Errorf("LoadPolicy = %+v", p)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nmax_lineage_depth: -2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadPolicy(bad)
	if want := bad + ":2: max_lineage_depth: -2 is out of range; use a whole number of at least 1"; err == nil || err.Error() != want {
		t.Errorf("LoadPolicy(bad) = %v, want %s", err, want)
	}

	_, err = LoadPolicy(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("LoadPolicy(missing) = %v, want a not-exist error naming the file", err)
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "policy.yaml", Line: 12, Field: "rules.licence-missing", Severity: ProblemError, Message: "unknown rule id (did you mean license-missing?)"},
			"policy.yaml:12: rules.licence-missing: unknown rule id (did you mean license-missing?)"},
		{Problem{File: "policy.yaml", Line: 3, Field: "waivers[0].reason", Severity: ProblemWarning, Message: "no reason"},
			"policy.yaml:3: warning: waivers[0].reason: no reason"},
		{Problem{File: "policy.yaml", Field: "version", Severity: ProblemError, Message: "m"}, "policy.yaml: version: m"},
		{Problem{Line: 4, Severity: ProblemError, Message: "m"}, "line 4: m"},
		{Problem{Field: "jurisdictions[0]", Severity: ProblemError, Message: "m"}, "jurisdictions[0]: m"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if got := (&PolicyError{}).Error(); got != "invalid policy" {
		t.Errorf("empty PolicyError = %q", got)
	}
}

func TestLintPolicy(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	data := []byte(`version: 1
rules:
  licence-missing: {weight: 2}
  remote-code: {severity: high}
  totally-made-up: {disabled: true}
licenses:
  allow: [MIT, apache-2.0, MIT]
  deny: [Apache-2.0]
jurisdictions: [CN, XX, cn]
trusted_publishers: [acme, ACME]
waivers:
  - rule: remote-code
    subject: hf:microsoft/phi-2
    expires: 2025-06-01
  - rule: remote_code
    subject: "hf:"
    reason: typo
  - rule: remote-code
    subject: hf:microsoft/phi-2
    reason: again
    expires: 2025-06-02
`)
	p, got := LintPolicy("policy.yaml", data, policyTestRuleIDs, now)
	if p == nil {
		t.Fatal("LintPolicy returned no policy for a file that parses")
	}
	want := []string{
		"policy.yaml:3: rules.licence-missing: unknown rule id (did you mean license-missing?)",
		`policy.yaml:5: rules.totally-made-up: unknown rule id "totally-made-up"; ` + "`pedigree rules` lists the rule ids",
		"policy.yaml:7: warning: licenses.allow[2]: license MIT is already listed at licenses.allow[0]",
		"policy.yaml:8: licenses.deny[0]: Apache-2.0 is also listed in licenses.allow[1]; a license is either allowed or denied: remove it from one list",
		`policy.yaml:9: jurisdictions[1]: unknown country code "XX"; use ISO 3166-1 alpha-2 codes such as CN or RU`,
		"policy.yaml:9: warning: jurisdictions[2]: country code CN is already listed at jurisdictions[0]",
		"policy.yaml:10: warning: trusted_publishers[1]: publisher ACME is already listed at trusted_publishers[0]",
		"policy.yaml:12: warning: waivers[0].reason: no reason; say why the risk is accepted, for whoever reads the report",
		"policy.yaml:14: warning: waivers[0].expires: expired on 2025-06-01; the waiver no longer applies: renew it with a later date or remove it",
		"policy.yaml:15: waivers[1].rule: unknown rule id (did you mean remote-code?)",
		`policy.yaml:16: warning: waivers[1].subject: "hf:" is not a reference Pedigree reads; it only matches a subject whose ID or ref is exactly that text`,
		"policy.yaml:18: warning: waivers[2]: same rule and subject as waivers[0]; only the first one that has not expired applies",
	}
	var gotS []string
	for _, pr := range got {
		gotS = append(gotS, pr.String())
	}
	if diff := cmp.Diff(want, gotS); diff != "" {
		t.Errorf("LintPolicy problems mismatch (-want +got):\n%s", diff)
	}

	// The method finds the same problems, without lines.
	var fromMethod []string
	for _, pr := range p.Lint(policyTestRuleIDs, now) {
		if pr.Line != 0 || pr.File != "policy.yaml" {
			t.Errorf("Lint problem %+v: want File policy.yaml and no line", pr)
		}
		pr.Line = 0
		fromMethod = append(fromMethod, pr.Field+": "+pr.Message)
	}
	var wantFields []string
	for _, pr := range got {
		wantFields = append(wantFields, pr.Field+": "+pr.Message)
	}
	slices.Sort(fromMethod)
	slices.Sort(wantFields)
	if diff := cmp.Diff(wantFields, fromMethod); diff != "" {
		t.Errorf("Lint and LintPolicy disagree (-LintPolicy +Lint):\n%s", diff)
	}

	// Without known rules, rule IDs are not checked.
	for _, pr := range p.Lint(nil, now) {
		if strings.Contains(pr.Message, "unknown rule id") {
			t.Errorf("Lint(nil) reported %v", pr)
		}
	}
}

// TestLintPolicyBuiltInCode checks values a parsed policy cannot hold but a
// policy built in code can.
func TestLintPolicyBuiltInCode(t *testing.T) {
	t.Parallel()
	p := &Policy{
		Version:           3,
		FailOn:            "block",
		Rules:             map[string]RulePolicy{"remote-code": {Weight: weightPtr(-1.0), Severity: "urgent"}},
		MaxLineageDepth:   0,
		MinScorecardScore: 11,
		Waivers:           []Waiver{{Reason: "r"}},
	}
	var got []string
	for _, pr := range p.Lint(policyTestRuleIDs, time.Now()) {
		got = append(got, pr.String())
	}
	want := []string{
		"version: unsupported policy version 3; supported versions: 1",
		`fail_on: unknown level "block"; use low, medium, high or critical, or leave it empty to never fail`,
		"max_lineage_depth: 0 is out of range; use a whole number of at least 1",
		"min_scorecard_score: 11 is out of range; use a number from 0 to 10",
		"rules.remote-code.weight: -1 is out of range; use a number from 0 to 10",
		`rules.remote-code.severity: unknown severity "urgent"; use info, low, medium, high or critical`,
		"waivers[0].rule: missing rule; name the rule id the waiver accepts, as rule: remote-code",
		"waivers[0].subject: missing subject; name the model, as subject: hf:OWNER/NAME",
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Policy{})); diff != "" {
		t.Errorf("Lint mismatch (-want +got):\n%s", diff)
	}
	if got := (*Policy)(nil).Lint(policyTestRuleIDs, time.Now()); got != nil {
		t.Errorf("nil policy Lint = %v", got)
	}
}

func TestWaiverFor(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2025, 6, d, 0, 0, 0, 0, time.UTC) }
	const sha = "0123456789abcdef0123456789abcdef01234567"
	abs, err := filepath.Abs(filepath.Join("conf", "models", "in-house"))
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{
		File: filepath.Join("conf", "policy.yaml"),
		Waivers: []Waiver{
			{Rule: "remote-code", Subject: "hf:microsoft/phi-2", Reason: "any revision", Expires: day(10)},
			{Rule: "remote-code", Subject: "hf:microsoft/phi-2", Reason: "second, never expires"},
			{Rule: "pickle-weights", Subject: "hf:Acme/Legacy@" + sha, Reason: "one revision"},
			{Rule: "card-missing", Subject: "./models/in-house", Reason: "relative path"},
			{Rule: "card-missing", Subject: "/srv/models/m", Reason: "absolute path"},
			{Rule: "license-missing", Subject: "hf:datasets/acme/corpus", Reason: "dataset"},
			{Rule: "dependency-vulnerable", Subject: "pkg:pypi/torch", Reason: "package, any version"},
			{Rule: "repo-scorecard-low", Subject: "github.com/Acme/tools", Reason: "repository"},
			{Rule: "origin-reupload", Subject: "pkg:huggingface/x/y@" + sha, Reason: "by id"},
			{Rule: "safety-removed", Subject: "../elsewhere", Reason: "by ref"},
		},
	}
	tests := []struct {
		name          string
		rule, id, ref string
		now           time.Time
		wantReason    string // "" for no waiver
	}{
		{"any revision by hf ref", "remote-code", "pkg:huggingface/microsoft/phi-2@" + sha, "", day(1), "any revision"},
		{"Hub ids ignore case", "remote-code", "pkg:huggingface/Microsoft/Phi-2@" + sha, "", day(1), "any revision"},
		{"unversionedID id", "remote-code", "pkg:huggingface/microsoft/phi-2", "", day(1), "any revision"},
		{"first expired, second applies", "remote-code", "pkg:huggingface/microsoft/phi-2@" + sha, "", day(10), "second, never expires"},
		{"other rule", "pickle-weights", "pkg:huggingface/microsoft/phi-2@" + sha, "", day(1), ""},
		{"other model", "remote-code", "pkg:huggingface/microsoft/phi-3@" + sha, "", day(1), ""},
		{"model waiver does not cover a dataset", "remote-code", "pkg:huggingface/microsoft/phi-2@" + sha + "?repository_type=dataset", "", day(1), ""},
		{"pinned revision", "pickle-weights", "pkg:huggingface/acme/legacy@" + sha, "", day(1), "one revision"},
		{"other revision", "pickle-weights", "pkg:huggingface/acme/legacy@fedcba", "", day(1), ""},
		{"relative path resolved against the policy folder", "card-missing", sources.FileURL(abs), "", day(1), "relative path"},
		{"absolute path", "card-missing", "file:///srv/models/m", "", day(1), "absolute path"},
		{"path is not a prefix", "card-missing", "file:///srv/models/m2", "", day(1), ""},
		{"dataset", "license-missing", "pkg:huggingface/acme/corpus@" + sha + "?repository_type=dataset", "", day(1), "dataset"},
		{"dataset waiver does not cover a model", "license-missing", "pkg:huggingface/acme/corpus@" + sha, "", day(1), ""},
		{"package any version", "dependency-vulnerable", "pkg:pypi/torch@2.3.0", "", day(1), "package, any version"},
		{"other package", "dependency-vulnerable", "pkg:pypi/torchvision@0.18.0", "", day(1), ""},
		{"repository", "repo-scorecard-low", "pkg:github/acme/tools", "", day(1), "repository"},
		{"exact id", "origin-reupload", "pkg:huggingface/x/y@" + sha, "", day(1), "by id"},
		{"exact ref", "safety-removed", "file:///somewhere/else", "../elsewhere", day(1), "by ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := p.WaiverFor(tt.rule, tt.id, tt.ref, tt.now)
			switch {
			case tt.wantReason == "" && w != nil:
				t.Errorf("WaiverFor = %+v, want none", w)
			case tt.wantReason != "" && (w == nil || w.Reason != tt.wantReason):
				t.Errorf("WaiverFor = %+v, want the waiver %q", w, tt.wantReason)
			}
		})
	}

	// Expiry is exclusive: the waiver applies until the instant it expires.
	one := &Policy{Waivers: []Waiver{{Rule: "r", Subject: "hf:a/b", Expires: day(10)}}}
	if one.WaiverFor("r", "pkg:huggingface/a/b@1", "", day(10).Add(-time.Nanosecond)) == nil {
		t.Error("waiver did not apply just before it expires")
	}
	if one.WaiverFor("r", "pkg:huggingface/a/b@1", "", day(10)) != nil {
		t.Error("waiver applied at the instant it expires")
	}

	// The result is a copy.
	w := one.WaiverFor("r", "pkg:huggingface/a/b@1", "", day(1))
	w.Reason = "changed"
	if one.Waivers[0].Reason != "" {
		t.Error("changing WaiverFor's result changed the policy")
	}
	if i, w := one.waiverIndex("r", "pkg:huggingface/a/b@1", "", day(1)); i != 0 || w == nil {
		t.Errorf("waiverIndex = %d, %v; want 0 and the waiver", i, w)
	}
	if (*Policy)(nil).WaiverFor("r", "x", "", day(1)) != nil {
		t.Error("nil policy returned a waiver")
	}
}

func TestPolicyLookups(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy("p.yaml", []byte(`version: 1
rules:
  remote-code: {severity: critical}
  card-missing: {disabled: true, weight: 0}
licenses:
  allow: [Apache-2.0, mit]
  deny: [CC-BY-NC-4.0]
trusted_publishers: [Meta-Llama]
`))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultPolicy()
	var nilPolicy *Policy
	checks := []struct {
		name      string
		got, want any
	}{
		{"Denied case-insensitive", p.Denied("cc-by-nc-4.0"), true},
		{"Denied not listed", p.Denied("mit"), false},
		{"Denied empty id", p.Denied(""), false},
		{"Allowed listed", p.Allowed("apache-2.0"), true},
		{"Allowed MIT", p.Allowed("MIT"), true},
		{"Allowed not listed", p.Allowed("gpl-3.0"), false},
		{"Allowed empty allow list", def.Allowed("anything"), true},
		{"Concern default", def.Concern("cn"), true},
		{"Concern default RU", def.Concern("RU"), true},
		{"Concern not listed", def.Concern("US"), false},
		{"Concern empty", def.Concern(""), false},
		{"Trusted", p.Trusted("meta-llama"), true},
		{"Trusted not listed", p.Trusted("mistralai"), false},
		{"SeverityFor override", p.SeverityFor("remote-code", SeverityHigh), SeverityCritical},
		{"SeverityFor no override", p.SeverityFor("card-missing", SeverityLow), SeverityLow},
		{"SeverityFor unlisted", p.SeverityFor("lineage-merge", SeverityMedium), SeverityMedium},
		{"Enabled disabled", p.Enabled("card-missing"), false},
		{"Enabled listed", p.Enabled("remote-code"), true},
		{"Enabled unlisted", p.Enabled("lineage-merge"), true},
		{"Weight zero", p.Weight("card-missing"), 0.0},
		{"Weight default", p.Weight("remote-code"), 1.0},
		{"nil Denied", nilPolicy.Denied("mit"), false},
		{"nil Allowed", nilPolicy.Allowed("mit"), true},
		{"nil Concern", nilPolicy.Concern("CN"), false},
		{"nil Trusted", nilPolicy.Trusted("x"), false},
		{"nil SeverityFor", nilPolicy.SeverityFor("x", SeverityLow), SeverityLow},
		{"nil Enabled", nilPolicy.Enabled("x"), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"licence-missing", "license-missing"},
		{"remote_code", "remote-code"},
		{"REMOTE-CODE", "remote-code"},
		{"pickle", ""},
		{"completely-different", ""},
	}
	for _, tt := range tests {
		if got := suggestID(tt.in, policyTestRuleIDs); got != tt.want {
			t.Errorf("suggestID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDefaultJurisdictionsAreCountries(t *testing.T) {
	t.Parallel()
	for _, c := range DefaultPolicy().Jurisdictions {
		if !sources.ValidCountry(c) {
			t.Errorf("default jurisdiction %s is not a known code", c)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyYAML())
	files, _ := filepath.Glob(filepath.Join("testdata", "policy", "*.yaml"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.yaml", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("ParsePolicy returned policy %v and error %v", p != nil, err)
		}
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *PolicyError with problems", err, err)
			}
			for _, pr := range pe.Problems {
				if pr.File != "fuzz.yaml" || pr.Severity != ProblemError || pr.Message == "" || pr.Line < 0 {
					t.Fatalf("bad problem %+v", pr)
				}
			}
			return
		}
		if p.Version != PolicyVersion || p.File != "fuzz.yaml" || p.Digest != sources.Digest(data) {
			t.Fatalf("policy header %d %q %q", p.Version, p.File, p.Digest)
		}
		// A parsed policy holds only valid values: Lint finds no value problems.
		for _, pr := range p.Lint(nil, now) {
			switch pr.Field {
			case "version", "fail_on", "max_lineage_depth", "min_scorecard_score":
				t.Fatalf("parsed policy fails a value check: %v", pr)
			}
			if strings.HasSuffix(pr.Field, ".weight") || strings.HasSuffix(pr.Field, ".severity") ||
				strings.HasSuffix(pr.Field, ".rule") && strings.Contains(pr.Message, "missing") ||
				strings.HasSuffix(pr.Field, ".subject") && strings.Contains(pr.Message, "missing") {
				t.Fatalf("parsed policy fails a value check: %v", pr)
			}
		}
		for _, c := range p.Jurisdictions {
			if !isAlpha2(c) || c != strings.ToUpper(c) {
				t.Fatalf("parsed jurisdiction %q is not two capital letters", c)
			}
		}
		for _, w := range p.Waivers {
			_ = p.WaiverFor(w.Rule, w.Subject, w.Subject, now)
		}
		_, _ = LintPolicy("fuzz.yaml", data, policyTestRuleIDs, now)
	})
}
