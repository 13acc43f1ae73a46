package risk

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"github.com/pedigree-ai/pedigree/risk/license"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-ai/pedigree/sources"
)

// PolicyVersion is the policy file format version this package reads and writes.
const PolicyVersion = 1

// MaxPolicySize is the largest policy file ParsePolicy and LoadPolicy accept, in bytes.
const MaxPolicySize = 4 << 20

// Severities of a policy [Problem].
const (
	// ProblemError marks a problem that makes the policy wrong: a setting
	// that is ignored or contradicts another.
	ProblemError = "error"
	// ProblemWarning marks a setting that works but deserves a look, such
	// as an expired waiver.
	ProblemWarning = "warning"
)

//go:embed policy_default.yaml
var defaultPolicyYAML []byte

// DefaultPolicyYAML returns the text of the built-in policy, which
// `pedigree policy init` writes. It is commented: every key is explained and
// its default shown. The caller owns the returned slice.
func DefaultPolicyYAML() []byte { return bytes.Clone(defaultPolicyYAML) }

// DefaultPolicy returns the built-in policy, parsed from DefaultPolicyYAML,
// with Digest set to the digest of that text and File empty. Each call
// returns a new Policy.
func DefaultPolicy() *Policy {
	p, _, problems := parsePolicy("", defaultPolicyYAML, &Policy{})
	if len(problems) > 0 {
		// The embedded text is part of the build and tested; this cannot
		// happen with a released binary.
		panic("risk: the built-in policy is invalid: " + (&PolicyError{Problems: problems}).Error())
	}
	return p
}

// ParsePolicy reads the bytes of a policy file. name is the file name used in
// problems and recorded as the policy's File. Keys the file omits take the
// values of [DefaultPolicy]; a list or a license list the file sets replaces
// the default one, and rules merge by rule ID. Every problem found (unknown
// keys, wrong types, out-of-range numbers, bad dates, levels or severities)
// is returned at once in a *[PolicyError].
//
// ParsePolicy cannot tell unknown rule IDs from known ones: call [Policy.Lint]
// with the catalog's IDs for that.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	p, lines, problems := parsePolicy(name, data, DefaultPolicy())
	if len(problems) > 0 {
		return nil, &PolicyError{Problems: problems}
	}
	p.lines = lines
	return p, nil
}

// LoadPolicy reads and parses the policy file at path (see [ParsePolicy]).
func LoadPolicy(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("policy: reading %s: %w", path, err)
	}
	return ParsePolicy(path, data)
}

// LintPolicy parses a policy file and lints it (see [ParsePolicy] and
// [Policy.Lint]) in one pass, so that every problem, from syntax to unknown
// rule IDs, carries its line. It returns the policy, or nil when the file does
// not parse, and every problem in file order.
func LintPolicy(name string, data []byte, knownRules []string, now time.Time) (*Policy, []Problem) {
	p, lines, problems := parsePolicy(name, data, DefaultPolicy())
	if len(problems) > 0 {
		return nil, problems
	}
	return p, lintPolicy(p, lines, knownRules, now)
}

// Problem is one thing wrong with a policy.
type Problem struct {
	// File is the policy file's name; empty for the built-in policy or a
	// policy built in code.
	File string `json:"file,omitempty"`
	// Line is the 1-based line of the offending key or value; 0 when unknown.
	Line int `json:"line,omitempty"`
	// Field is the dotted path of the offending field, such as
	// rules.license-missing.weight or waivers[2].expires; empty for the
	// file as a whole.
	Field string `json:"field,omitempty"`
	// Severity is ProblemError or ProblemWarning.
	Severity string `json:"severity"`
	// Message says what is wrong and what is expected.
	Message string `json:"message"`
}

// String formats the problem as FILE:LINE: FIELD: MESSAGE, such as
// "policy.yaml:12: rules.licence-missing: unknown rule id (did you mean
// license-missing?)". Warnings read FILE:LINE: warning: FIELD: MESSAGE. Parts
// that are unknown are left out.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		b.WriteString(p.File + ": ")
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Severity == ProblemWarning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// PolicyError is the error ParsePolicy and LoadPolicy return for a policy
// file they cannot accept. It lists every problem found, each with file,
// line and field.
type PolicyError struct {
	Problems []Problem
}

// Error returns the problems, one a line.
func (e *PolicyError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid policy"
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// WaiverFor returns a copy of the first waiver covering rule for a subject
// that has not expired at now, or nil when none does. A waiver's subject
// matches the subject's ID (pkg:huggingface/OWNER/NAME@REV, file:///dir) or
// its ref exactly, or is read as a reference: one without a revision
// (hf:OWNER/NAME, pkg:huggingface/OWNER/NAME, github.com/OWNER/REPO) matches
// every revision of that subject, one with a revision only that revision,
// and a local path matches the folder's file:// URL. A relative path is
// taken relative to the policy file's folder. A waiver stops applying at the
// instant it expires.
func (p *Policy) WaiverFor(rule, subjectID, subjectRef string, now time.Time) *Waiver {
	_, w := p.waiverIndex(rule, subjectID, subjectRef, now)
	return w
}

// waiverIndex is WaiverFor that also returns the waiver's index in
// p.Waivers (-1 when none).
func (p *Policy) waiverIndex(rule, subjectID, subjectRef string, now time.Time) (int, *Waiver) {
	if p == nil {
		return -1, nil
	}
	for i, w := range p.Waivers {
		if w.Rule != rule || w.Expired(now) {
			continue
		}
		if p.waiverMatches(w.Subject, subjectID, subjectRef) {
			wc := w
			return i, &wc
		}
	}
	return -1, nil
}

// Expired reports whether the waiver has expired at now. A waiver with no
// expiry never expires.
func (w Waiver) Expired(now time.Time) bool {
	return !w.Expires.IsZero() && !now.Before(w.Expires)
}

// waiverMatches reports whether a waiver's subject ws names the subject
// with the given ID and ref.
func (p *Policy) waiverMatches(ws, id, ref string) bool {
	ws = strings.TrimSpace(ws)
	if ws == "" {
		return false
	}
	if ws == id || (ref != "" && ws == ref) {
		return true
	}
	s, ok := p.waiverSubject(ws)
	if !ok {
		return false
	}
	if s.Local() {
		return strings.HasPrefix(id, "file:") && sources.FileURL(s.Path) == id
	}
	if s.Revision != "" {
		return strings.EqualFold(s.ID(), id)
	}
	return strings.EqualFold(s.PURL, unversionedID(id))
}

// waiverSubject reads a waiver's subject as a reference. A relative local
// path is resolved against the folder of the policy file.
func (p *Policy) waiverSubject(ws string) (sources.Subject, bool) {
	s, err := sources.ParseRef(ws)
	if err != nil {
		return sources.Subject{}, false
	}
	if !s.Local() || p.File == "" {
		return s, true
	}
	raw := ws
	if rest, ok := strings.CutPrefix(raw, "file:"); ok {
		if strings.HasPrefix(rest, "//") {
			return s, true // a file URL is absolute
		}
		raw = rest
	}
	raw = filepath.FromSlash(raw)
	if filepath.IsAbs(raw) || strings.HasPrefix(raw, "~") {
		return s, true
	}
	rs, err := sources.LocalFolder(filepath.Join(filepath.Dir(p.File), raw), ws)
	if err != nil {
		return s, true
	}
	return rs, true
}

// unversionedID strips the version from a Package URL subject ID, keeping its
// qualifiers: pkg:huggingface/o/n@rev?repository_type=dataset becomes
// pkg:huggingface/o/n?repository_type=dataset.
func unversionedID(id string) string {
	base, quals, hasQuals := strings.Cut(id, "?")
	if strings.HasPrefix(base, "pkg:") {
		// Names are percent-encoded in a PURL: the first @ starts the version.
		if i := strings.Index(base, "@"); i > 0 {
			base = base[:i]
		}
	}
	if hasQuals {
		return base + "?" + quals
	}
	return base
}

// Denied reports whether licenseID is in the policy's deny list. Ids are
// compared after license.Normalize, so "GPL-3.0-or-later" and "gpl-3.0"
// are one license.
func (p *Policy) Denied(licenseID string) bool {
	return p != nil && hasLicense(p.Licenses.Deny, licenseID)
}

// Allowed reports whether licenseID is in the policy's allow list, compared
// as Denied compares. Every license is allowed when the allow list is empty.
func (p *Policy) Allowed(licenseID string) bool {
	return p == nil || len(p.Licenses.Allow) == 0 || hasLicense(p.Licenses.Allow, licenseID)
}

// hasLicense reports whether list names the license id.
func hasLicense(list []string, id string) bool {
	want := license.Normalize(id)
	for _, l := range list {
		if license.Normalize(l) == want {
			return true
		}
	}
	return false
}

// Concern reports whether country (an ISO 3166-1 alpha-2 code) is one of the
// policy's jurisdictions of concern, ignoring case.
func (p *Policy) Concern(country string) bool {
	return p != nil && listHasFold(p.Jurisdictions, country)
}

// Trusted reports whether publisher is one of the policy's trusted
// publishers, ignoring case.
func (p *Policy) Trusted(publisher string) bool {
	return p != nil && listHasFold(p.TrustedPublishers, publisher)
}

// SeverityFor returns the policy's severity override for rule, or def when
// the policy sets none.
func (p *Policy) SeverityFor(rule string, def Severity) Severity {
	if p != nil {
		if rp, ok := p.Rules[rule]; ok && rp.Severity != "" {
			return rp.Severity
		}
	}
	return def
}

// Enabled reports whether the policy leaves rule enabled.
func (p *Policy) Enabled(rule string) bool {
	return p == nil || !p.Rules[rule].Disabled
}

func listHasFold(list []string, s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// Lint checks the policy against the rule IDs the engine knows and returns
// every problem, in the order of the policy's keys: unknown rule IDs under
// rules and waivers (with a suggestion when one is close), waivers already
// expired at now or without a reason, duplicate waivers, waiver subjects that
// are not references, license IDs listed in both allow and deny, unknown or
// repeated country codes, repeated entries, and any value out of range (for
// a policy built in code). With no knownRules, rule IDs are not checked.
// Problems are data: Lint never fails.
//
// Problems carry the policy's File but no line, as a Policy does not keep
// the lines of its file; [LintPolicy] lints a file's bytes with lines.
func (p *Policy) Lint(knownRules []string, now time.Time) []Problem {
	if p == nil {
		return nil
	}
	return lintPolicy(p, p.lines, knownRules, now)
}

// lintPolicy is Lint with the line of each field path, when known.
func lintPolicy(p *Policy, lines map[string]int, knownRules []string, now time.Time) []Problem {
	l := policyLinter{file: p.File, lines: lines}
	known := make(map[string]bool, len(knownRules))
	for _, id := range knownRules {
		known[id] = true
	}
	unknownRule := func(field, id string) {
		if len(known) == 0 || known[id] {
			return
		}
		msg := fmt.Sprintf("unknown rule id %q", id)
		if s := suggestID(id, knownRules); s != "" {
			msg = fmt.Sprintf("unknown rule id (did you mean %s?)", s)
		} else {
			msg += "; `pedigree rules` lists the rule ids"
		}
		l.add(field, ProblemError, msg)
	}

	// Values (a parsed policy always passes these; a policy built in code may not).
	if p.Version != PolicyVersion {
		l.add("version", ProblemError, fmt.Sprintf("unsupported policy version %d; supported versions: %d", p.Version, PolicyVersion))
	}
	if p.FailOn != "" && p.FailOn.Rank() < 0 {
		l.add("fail_on", ProblemError, fmt.Sprintf("unknown level %q; use low, medium, high or critical, or leave it empty to never fail", p.FailOn))
	}
	if p.MaxLineageDepth < 1 {
		l.add("max_lineage_depth", ProblemError, fmt.Sprintf("%d is out of range; use a whole number of at least 1", p.MaxLineageDepth))
	}
	if !(p.MinScorecardScore >= 0 && p.MinScorecardScore <= 10) {
		l.add("min_scorecard_score", ProblemError, fmt.Sprintf("%v is out of range; use a number from 0 to 10", p.MinScorecardScore))
	}

	ids := make([]string, 0, len(p.Rules))
	for id := range p.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rp, field := p.Rules[id], "rules."+id
		unknownRule(field, id)
		if rp.Weight != nil && !(*rp.Weight >= 0 && *rp.Weight <= 10) {
			l.add(field+".weight", ProblemError, fmt.Sprintf("%v is out of range; use a number from 0 to 10", *rp.Weight))
		}
		if rp.Severity != "" && rp.Severity.Rank() < 0 {
			l.add(field+".severity", ProblemError, fmt.Sprintf("unknown severity %q; use info, low, medium, high or critical", rp.Severity))
		}
	}

	l.duplicates("licenses.allow", p.Licenses.Allow, "license")
	l.duplicates("licenses.deny", p.Licenses.Deny, "license")
	for j, d := range p.Licenses.Deny {
		for i, a := range p.Licenses.Allow {
			if strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(d)) {
				l.add(fmt.Sprintf("licenses.deny[%d]", j), ProblemError,
					fmt.Sprintf("%s is also listed in licenses.allow[%d]; a license is either allowed or denied: remove it from one list", d, i))
				break
			}
		}
	}

	firstCode := map[string]int{}
	for i, c := range p.Jurisdictions {
		field, code := fmt.Sprintf("jurisdictions[%d]", i), strings.ToUpper(strings.TrimSpace(c))
		if !sources.ValidCountry(code) {
			l.add(field, ProblemError, fmt.Sprintf("unknown country code %q; use ISO 3166-1 alpha-2 codes such as CN or RU", c))
		}
		if j, ok := firstCode[code]; ok {
			l.add(field, ProblemWarning, fmt.Sprintf("country code %s is already listed at jurisdictions[%d]", c, j))
		} else {
			firstCode[code] = i
		}
	}
	l.duplicates("trusted_publishers", p.TrustedPublishers, "publisher")

	type waiverKey struct{ rule, subject string }
	firstWaiver := map[waiverKey]int{}
	for i, w := range p.Waivers {
		field := fmt.Sprintf("waivers[%d]", i)
		if strings.TrimSpace(w.Rule) == "" {
			l.add(field+".rule", ProblemError, "missing rule; name the rule id the waiver accepts, as rule: remote-code")
		} else {
			unknownRule(field+".rule", w.Rule)
		}
		if strings.TrimSpace(w.Subject) == "" {
			l.add(field+".subject", ProblemError, "missing subject; name the model, as subject: hf:OWNER/NAME")
		} else if _, ok := p.waiverSubject(w.Subject); !ok {
			l.add(field+".subject", ProblemWarning,
				fmt.Sprintf("%q is not a reference Pedigree reads; it only matches a subject whose ID or ref is exactly that text", w.Subject))
		}
		if strings.TrimSpace(w.Reason) == "" {
			l.add(field+".reason", ProblemWarning, "no reason; say why the risk is accepted, for whoever reads the report")
		}
		if w.Expired(now) {
			l.add(field+".expires", ProblemWarning,
				fmt.Sprintf("expired on %s; the waiver no longer applies: renew it with a later date or remove it", formatExpiry(w.Expires)))
		}
		k := waiverKey{w.Rule, strings.TrimSpace(w.Subject)}
		if j, ok := firstWaiver[k]; ok {
			l.add(field, ProblemWarning, fmt.Sprintf("same rule and subject as waivers[%d]; only the first one that has not expired applies", j))
		} else {
			firstWaiver[k] = i
		}
	}
	if lines != nil {
		sort.SliceStable(l.problems, func(i, j int) bool { return l.problems[i].Line < l.problems[j].Line })
	}
	return l.problems
}

// formatExpiry writes an expiry as a date when it is midnight UTC, else as RFC 3339.
func formatExpiry(t time.Time) string {
	if t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

type policyLinter struct {
	file     string
	lines    map[string]int
	problems []Problem
}

func (l *policyLinter) add(field, severity, msg string) {
	l.problems = append(l.problems, Problem{File: l.file, Line: fieldLine(l.lines, field), Field: field, Severity: severity, Message: msg})
}

// duplicates warns about entries of list repeated (ignoring case).
func (l *policyLinter) duplicates(field string, list []string, what string) {
	first := map[string]int{}
	for i, v := range list {
		k := strings.ToLower(strings.TrimSpace(v))
		if j, ok := first[k]; ok {
			l.add(fmt.Sprintf("%s[%d]", field, i), ProblemWarning, fmt.Sprintf("%s %s is already listed at %s[%d]", what, v, field, j))
			continue
		}
		first[k] = i
	}
}

// fieldLine returns the line of field, or of its closest enclosing field.
func fieldLine(lines map[string]int, field string) int {
	for field != "" {
		if n, ok := lines[field]; ok {
			return n
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			break
		}
		field = field[:i]
	}
	return 0
}

// suggestID returns the candidate closest to s when it is close enough to be a
// likely typo, or "".
func suggestID(s string, candidates []string) string {
	norm := func(v string) string { return strings.ReplaceAll(strings.ToLower(v), "_", "-") }
	ns := norm(s)
	best, bestD := "", -1
	for _, c := range candidates {
		if norm(c) == ns {
			return c
		}
		d := nameDistance(ns, norm(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(s)/4)
	if bestD >= 0 && bestD <= limit {
		return best
	}
	return ""
}

// nameDistance is the Levenshtein distance between a and b, in bytes.
func nameDistance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Keys of a policy file.
var (
	policyKeys        = []string{"version", "name", "fail_on", "rules", "licenses", "jurisdictions", "trusted_publishers", "publishers", "max_lineage_depth", "min_scorecard_score", "waivers"}
	policyRuleKeys    = []string{"weight", "severity", "disabled"}
	policyLicenseKeys = []string{"allow", "deny"}
	policyWaiverKeys  = []string{"rule", "subject", "reason", "expires"}
)

// maxPolicyProblems bounds the problems reported for one file.
const maxPolicyProblems = 100

// parser walks the node tree of a policy file, collecting problems and the
// line of every field.
type policyParser struct {
	file      string
	problems  []Problem
	truncated bool // more than maxPolicyProblems were found
	lines     map[string]int
}

// errorf records a problem with field. The line is that of the field's key
// or list item when known, so that a value on the following lines is
// reported where its key is; else line.
func (ps *policyParser) errorf(line int, field, format string, args ...any) {
	if l, ok := ps.lines[field]; ok && field != "" {
		line = l
	}
	ps.errorAt(line, field, format, args...)
}

// errorAt records a problem at line; past maxPolicyProblems it only notes that
// there were more.
func (ps *policyParser) errorAt(line int, field, format string, args ...any) {
	if len(ps.problems) >= maxPolicyProblems {
		ps.truncated = true
		return
	}
	ps.problems = append(ps.problems, Problem{File: ps.file, Line: line, Field: field, Severity: ProblemError, Message: fmt.Sprintf(format, args...)})
}

// parsePolicy parses data over base (which it does not modify). It returns
// the policy, the line of each field path, and the problems found; the
// policy is nil when there are problems.
func parsePolicy(name string, data []byte, base *Policy) (*Policy, map[string]int, []Problem) {
	ps := &policyParser{file: name, lines: map[string]int{}}
	if len(data) > MaxPolicySize {
		ps.errorf(0, "", "the file is larger than %d bytes; a policy file is a short YAML document", MaxPolicySize)
		return nil, nil, ps.sorted()
	}
	root := ps.document(data)
	if root == nil {
		return nil, nil, ps.sorted()
	}
	p := clonePolicy(base)
	p.File, p.Digest = name, sources.Digest(data)

	// The version decides how the rest is read: check it first, and read
	// nothing else of a version this package does not know.
	if r := derefNode(root); r.Kind == yaml.MappingNode {
		found := false
		for i := 0; i+1 < len(r.Content); i += 2 {
			if k := derefNode(r.Content[i]); found || k.Kind != yaml.ScalarNode || k.Value != "version" {
				continue
			}
			found = true
			if v, ok := ps.integer(r.Content[i+1], "version", fmt.Sprintf("the policy format version, %d", PolicyVersion)); ok && v != PolicyVersion {
				ps.errorf(r.Content[i+1].Line, "version", "unsupported policy version %d; supported versions: %d", v, PolicyVersion)
				return nil, nil, ps.sorted()
			}
		}
		if !found {
			ps.errorf(root.Line, "version", "missing; a policy file starts with version: %d (supported versions: %d)", PolicyVersion, PolicyVersion)
		}
	}
	entries := ps.mapping(root, "", policyKeys, "a policy")
	if entries == nil {
		return nil, nil, ps.sorted()
	}
	p.Version = PolicyVersion

	for _, e := range entries {
		v := e.value
		switch e.key {
		case "name":
			if s, ok := ps.str(v, "name", "a name"); ok {
				p.Name = s
			}
		case "fail_on":
			if s, ok := ps.str(v, "fail_on", "a level"); ok {
				if s == "" {
					p.FailOn = ""
				} else if lv, err := ParseLevel(s); err != nil {
					ps.errorf(v.Line, "fail_on", "unknown level %q; use low, medium, high or critical, or leave it empty to never fail", s)
				} else {
					p.FailOn = lv
				}
			}
		case "rules":
			ps.rules(v, p)
		case "licenses":
			ps.licenses(v, p)
		case "jurisdictions":
			if list, ok := ps.strList(v, "jurisdictions", "country code"); ok {
				for i, c := range list {
					if !isAlpha2(c) {
						ps.errorf(0, fmt.Sprintf("jurisdictions[%d]", i),
							"%q is not a country code; use ISO 3166-1 alpha-2 codes (two letters) such as CN or RU", c)
						continue
					}
					list[i] = strings.ToUpper(c)
				}
				p.Jurisdictions = list
			}
		case "trusted_publishers":
			if list, ok := ps.strList(v, "trusted_publishers", "publisher"); ok {
				p.TrustedPublishers = list
			}
		case "publishers":
			if s, ok := ps.str(v, "publishers", "the path of a publishers file"); ok {
				p.Publishers = s
			}
		case "max_lineage_depth":
			if n, ok := ps.integer(v, "max_lineage_depth", "a whole number of at least 1"); ok {
				if n < 1 {
					ps.errorf(v.Line, "max_lineage_depth", "%d is out of range; use a whole number of at least 1", n)
				} else {
					p.MaxLineageDepth = n
				}
			}
		case "min_scorecard_score":
			if f, ok := ps.number(v, "min_scorecard_score", 0, 10); ok {
				p.MinScorecardScore = f
			}
		case "waivers":
			ps.waivers(v, p)
		}
	}
	if len(ps.problems) > 0 {
		return nil, nil, ps.sorted()
	}
	return p, ps.lines, nil
}

// sorted returns the problems in line order.
func (ps *policyParser) sorted() []Problem {
	sort.SliceStable(ps.problems, func(i, j int) bool { return ps.problems[i].Line < ps.problems[j].Line })
	if ps.truncated {
		ps.problems = append(ps.problems, Problem{File: ps.file, Severity: ProblemError,
			Message: fmt.Sprintf("more than %d problems; fix these and check again", maxPolicyProblems)})
	}
	return ps.problems
}

// yamlErrorLine extracts the line from a YAML syntax error.
var yamlErrorLine = regexp.MustCompile(`(?s)^yaml: (?:line (\d+): )?(.*)$`)

// document decodes data into its root node, recording syntax problems.
func (ps *policyParser) document(data []byte) (root *yaml.Node) {
	defer func() {
		// The YAML decoder is not expected to panic; if it does on some
		// input, report it as a syntax problem rather than crash.
		if r := recover(); r != nil {
			ps.errorf(0, "", "invalid YAML: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.errorf(1, "version", "empty policy file; a policy file starts with version: %d", PolicyVersion)
			return nil
		}
		ps.syntax(err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		ps.syntax(err)
		return nil
	default:
		ps.errorf(extra.Line, "", "a second YAML document; a policy file holds one document: remove the --- separator and what follows")
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		ps.errorf(1, "version", "empty policy file; a policy file starts with version: %d", PolicyVersion)
		return nil
	}
	root = doc.Content[0]
	if isNullNode(root) {
		ps.errorf(1, "version", "empty policy file; a policy file starts with version: %d", PolicyVersion)
		return nil
	}
	return root
}

func (ps *policyParser) syntax(err error) {
	msg, line := err.Error(), 0
	if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	ps.errorf(line, "", "invalid YAML: %s", msg)
}

// policyEntry is one key of a mapping.
type policyEntry struct {
	key   string
	line  int
	value *yaml.Node
}

// mapping reads node n at field as a mapping whose keys are among allowed
// (any key when allowed is nil). It reports unknown, duplicate and
// non-string keys, and records the line of each key. what names the mapping
// in messages. It returns nil when n is not a mapping; a null n is an empty
// mapping.
func (ps *policyParser) mapping(n *yaml.Node, field string, allowed []string, what string) []policyEntry {
	n = derefNode(n)
	if isNullNode(n) {
		return []policyEntry{}
	}
	if n.Kind != yaml.MappingNode {
		ps.errorf(n.Line, field, "expected %s as a mapping of keys, got %s", what, describeNode(n))
		return nil
	}
	seen := map[string]int{}
	out := make([]policyEntry, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := derefNode(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			ps.errorf(n.Content[i].Line, field, "a key must be a plain name, got %s", describeNode(kn))
			continue
		}
		key := kn.Value
		path := joinField(field, key)
		if key == "<<" && kn.ShortTag() == "!!merge" {
			ps.errorAt(kn.Line, path, "merge keys (<<) are not supported in a policy file; write the keys out")
			continue
		}
		if first, dup := seen[key]; dup {
			ps.errorAt(kn.Line, path, "duplicate key (first at line %d); write each key once", first)
			continue
		}
		seen[key] = kn.Line
		if allowed != nil && !slices.Contains(allowed, key) {
			msg := "unknown key"
			if s := suggestID(key, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			ps.errorAt(kn.Line, path, "%s; %s takes %s", msg, what, strings.Join(allowed, ", "))
			continue
		}
		ps.lines[path] = kn.Line
		out = append(out, policyEntry{key: key, line: kn.Line, value: vn})
	}
	return out
}

// sequence reads n at field as a list; a null n is an empty list.
func (ps *policyParser) sequence(n *yaml.Node, field, what string) ([]*yaml.Node, bool) {
	n = derefNode(n)
	if isNullNode(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		ps.errorf(n.Line, field, "expected a list of %s, got %s", what, describeNode(n))
		return nil, false
	}
	for i, item := range n.Content {
		ps.lines[fmt.Sprintf("%s[%d]", field, i)] = item.Line
	}
	return n.Content, true
}

// str reads a string; null is the empty string.
func (ps *policyParser) str(n *yaml.Node, field, what string) (string, bool) {
	line := n.Line
	n = derefNode(n)
	if isNullNode(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		ps.errorf(line, field, "expected %s as a string, got %s (quote it if it is meant as text)", what, describeNode(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// strList reads a list of non-empty strings; null is an empty list.
func (ps *policyParser) strList(n *yaml.Node, field, what string) ([]string, bool) {
	items, ok := ps.sequence(n, field, what+"s")
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	good := true
	for i, item := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := ps.str(item, f, "a "+what)
		if ok && s == "" {
			ps.errorf(item.Line, f, "empty %s; remove the entry or fill it in", what)
			ok = false
		}
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// integer reads a whole number.
func (ps *policyParser) integer(n *yaml.Node, field, what string) (int, bool) {
	line := n.Line
	n = derefNode(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		ps.errorf(line, field, "expected %s, got %s", what, describeNode(n))
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		ps.errorf(line, field, "%s is out of range; expected %s", n.Value, what)
		return 0, false
	}
	return v, true
}

// number reads a number in [lo, hi].
func (ps *policyParser) number(n *yaml.Node, field string, lo, hi float64) (float64, bool) {
	line := n.Line
	n = derefNode(n)
	want := fmt.Sprintf("a number from %v to %v", lo, hi)
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		ps.errorf(line, field, "expected %s, got %s", want, describeNode(n))
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsNaN(v) || v < lo || v > hi {
		ps.errorf(line, field, "%s is out of range; use %s", n.Value, want)
		return 0, false
	}
	return v, true
}

// boolean reads true or false; null is false.
func (ps *policyParser) boolean(n *yaml.Node, field string) (bool, bool) {
	line := n.Line
	n = derefNode(n)
	if isNullNode(n) {
		return false, true
	}
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		ps.errorf(line, field, "expected true or false, got %s", describeNode(n))
		return false, false
	}
	return v, true
}

func (ps *policyParser) rules(n *yaml.Node, p *Policy) {
	entries := ps.mapping(n, "rules", nil, "rules")
	if entries == nil {
		return
	}
	rules := make(map[string]RulePolicy, len(p.Rules)+len(entries))
	for id, rp := range p.Rules {
		rules[id] = rp
	}
	for _, e := range entries {
		field := joinField("rules", e.key)
		if strings.TrimSpace(e.key) == "" {
			ps.errorf(e.line, field, "empty rule id; `pedigree rules` lists the rule ids")
			continue
		}
		var rp RulePolicy
		for _, f := range ps.mapping(e.value, field, policyRuleKeys, "a rule") {
			ff := joinField(field, f.key)
			switch f.key {
			case "weight":
				if isNullNode(derefNode(f.value)) {
					continue
				}
				if w, ok := ps.number(f.value, ff, 0, 10); ok {
					rp.Weight = &w
				}
			case "severity":
				s, ok := ps.str(f.value, ff, "a severity")
				if !ok || s == "" {
					continue
				}
				if sev, err := ParseSeverity(s); err != nil {
					ps.errorf(derefNode(f.value).Line, ff, "unknown severity %q; use info, low, medium, high or critical", s)
				} else {
					rp.Severity = sev
				}
			case "disabled":
				if b, ok := ps.boolean(f.value, ff); ok {
					rp.Disabled = b
				}
			}
		}
		rules[e.key] = rp
	}
	p.Rules = rules
}

func (ps *policyParser) licenses(n *yaml.Node, p *Policy) {
	for _, e := range ps.mapping(n, "licenses", policyLicenseKeys, "licenses") {
		field := joinField("licenses", e.key)
		list, ok := ps.strList(e.value, field, "license id")
		if !ok {
			continue
		}
		if e.key == "allow" {
			p.Licenses.Allow = list
		} else {
			p.Licenses.Deny = list
		}
	}
}

func (ps *policyParser) waivers(n *yaml.Node, p *Policy) {
	items, ok := ps.sequence(n, "waivers", "waivers")
	if !ok {
		return
	}
	out := make([]Waiver, 0, len(items))
	for i, item := range items {
		field := fmt.Sprintf("waivers[%d]", i)
		var w Waiver
		entries := ps.mapping(item, field, policyWaiverKeys, "a waiver")
		if entries == nil {
			continue
		}
		set := map[string]bool{}
		for _, e := range entries {
			ff := joinField(field, e.key)
			ok := true
			switch e.key {
			case "rule":
				w.Rule, ok = ps.str(e.value, ff, "a rule id")
			case "subject":
				w.Subject, ok = ps.str(e.value, ff, "a subject")
			case "reason":
				w.Reason, ok = ps.str(e.value, ff, "a reason")
			case "expires":
				w.Expires, ok = ps.date(e.value, ff)
			}
			set[e.key] = ok
		}
		line := derefNode(item).Line
		for _, req := range []struct{ key, value, hint string }{
			{"rule", w.Rule, "name the rule id the waiver accepts, as rule: remote-code"},
			{"subject", w.Subject, "name the model the waiver covers, as subject: hf:OWNER/NAME"},
		} {
			ok, present := set[req.key]
			switch {
			case !present:
				ps.errorf(line, field+"."+req.key, "missing; %s", req.hint)
			case ok && req.value == "":
				ps.errorf(ps.lines[field+"."+req.key], field+"."+req.key, "empty; %s", req.hint)
			}
		}
		out = append(out, w)
	}
	p.Waivers = out
}

// date reads an expiry: YYYY-MM-DD (midnight UTC, the waiver stops applying
// as that day begins) or an RFC 3339 time; null is no expiry.
func (ps *policyParser) date(n *yaml.Node, field string) (time.Time, bool) {
	line := n.Line
	n = derefNode(n)
	if isNullNode(n) {
		return time.Time{}, true
	}
	const want = "a date as YYYY-MM-DD or an RFC 3339 time such as 2025-06-30T12:00:00Z"
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!timestamp") {
		ps.errorf(line, field, "expected %s, got %s", want, describeNode(n))
		return time.Time{}, false
	}
	s := strings.TrimSpace(n.Value)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	ps.errorf(line, field, "bad date %q; expected %s", s, want)
	return time.Time{}, false
}

// derefNode follows aliases to the node they name.
func derefNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNullNode(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describeNode names the type of a node for messages.
func describeNode(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!bool":
			return "the boolean " + v
		case "!!int", "!!float":
			return "the number " + v
		case "!!timestamp":
			return "the date " + v
		case "!!str":
			return strconv.Quote(v)
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), v)
	}
	return "an unexpected node"
}

func joinField(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func isAlpha2(s string) bool {
	return len(s) == 2 && isASCIILetter(s[0]) && isASCIILetter(s[1])
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// clonePolicy returns a deep copy of p.
func clonePolicy(p *Policy) *Policy {
	c := *p
	if p.Rules != nil {
		c.Rules = make(map[string]RulePolicy, len(p.Rules))
		for id, rp := range p.Rules {
			if rp.Weight != nil {
				w := *rp.Weight
				rp.Weight = &w
			}
			c.Rules[id] = rp
		}
	}
	c.Licenses.Allow = slices.Clone(p.Licenses.Allow)
	c.Licenses.Deny = slices.Clone(p.Licenses.Deny)
	c.Jurisdictions = slices.Clone(p.Jurisdictions)
	c.TrustedPublishers = slices.Clone(p.TrustedPublishers)
	c.Waivers = slices.Clone(p.Waivers)
	return &c
}
