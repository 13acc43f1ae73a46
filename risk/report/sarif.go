package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// SARIFOptions configures WriteSARIF.
type SARIFOptions struct {
	// Rules are the rule definitions for rule metadata; nil means risk.Definitions().
	Rules []risk.Definition
	// Root is the directory local paths are made relative to (under the
	// %SRCROOT% base, which GitHub code scanning resolves against the
	// repository checkout); empty means absolute file:// URIs.
	Root string
}

// SARIF constants.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// sarifToolURI is the tool's informationUri.
	sarifToolURI = "https://github.com/pedigree-ai/pedigree"
	// sarifRulesURI is where every rule is documented; a rule's helpUri
	// adds its heading anchor (the rule ID).
	sarifRulesURI = "https://github.com/pedigree-ai/pedigree/blob/main/docs/rules.md"
	// sarifSrcRoot is the uriBaseId of local files under SARIFOptions.Root.
	sarifSrcRoot = "%SRCROOT%"
	// sarifFingerprintKey names the partial fingerprint of a result.
	sarifFingerprintKey = "pedigreeFinding/v1"
	// sarifMaxEvidence bounds an evidence value quoted in a location message.
	sarifMaxEvidence = 200
)

// WriteSARIF writes reps as one SARIF 2.1.0 log with a single run of the
// tool "pedigree", ready for GitHub code scanning.
//
// The run's driver describes every rule a result names (from opts.Rules,
// or a bare descriptor for a rule they lack), with its title, checks, why
// and remediation, a default level and a GitHub security-severity. Every
// finding with outcome fail becomes a result of kind "fail" whose level
// follows the finding's severity (critical and high: error; medium:
// warning; low and info: note). Findings with outcome unknown or error,
// which score as risk, become results of kind "open" (SARIF's "not enough
// information to decide") with level "none" and the property outcome; pass,
// not_applicable and waived findings are left out.
//
// Each result is located at the file or URL its first locatable evidence
// was read from: a local file under opts.Root as a path relative to
// %SRCROOT%, any other local file as an absolute file:// URI, and a URL as
// a path relative to a base named after its host (run.originalUriBaseIds
// maps "huggingface.co" to https://huggingface.co/), because GitHub rejects
// a whole upload that mixes https URIs with its file:// checkout. A card
// line, when the evidence gives one, becomes the region. A finding without
// locatable evidence points at its subject's page or folder. See
// docs/sarif.md.
//
// The output is deterministic: the same reports give the same bytes.
func WriteSARIF(w io.Writer, reps []*risk.Report, opts SARIFOptions) error {
	defs, err := ruleDefinitions(opts.Rules)
	if err != nil {
		return err
	}
	for i, r := range reps {
		if r == nil {
			return fmt.Errorf("report: sarif: report %d is nil; pass only reports produced by an assessment or read by Decode", i+1)
		}
	}
	b := newSARIFBuilder(defs, reps, opts)
	for _, r := range reps {
		b.addReport(r)
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{b.run()}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("report: encode sarif: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write sarif: %w", err)
	}
	return nil
}

// ruleDefinitions returns defs, or the built-in definitions when defs is nil.
func ruleDefinitions(defs []risk.Definition) ([]risk.Definition, error) {
	if defs != nil {
		return defs, nil
	}
	defs, err := risk.Definitions()
	if err != nil {
		return nil, fmt.Errorf("report: built-in rule definitions: %w", err)
	}
	return defs, nil
}

// The SARIF 2.1.0 subset Pedigree writes. Optional members are omitted
// when empty, so the log carries only what is known.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                   `json:"tool"`
		OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult               `json:"results"`
		Properties         map[string]any              `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name"`
		ShortDescription     sarifText         `json:"shortDescription"`
		FullDescription      sarifText         `json:"fullDescription"`
		Help                 sarifText         `json:"help"`
		HelpURI              string            `json:"helpUri,omitempty"`
		DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
		Properties           sarifRuleProperty `json:"properties"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProperty struct {
		SecuritySeverity string   `json:"security-severity,omitempty"`
		Tags             []string `json:"tags"`
		Category         string   `json:"category"`
		Severity         string   `json:"severity"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Kind                string            `json:"kind"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifResultProps  `json:"properties"`
	}
	sarifResultProps struct {
		Outcome     string   `json:"outcome"`
		Severity    string   `json:"severity"`
		Category    string   `json:"category"`
		Finding     string   `json:"finding"`
		Subject     string   `json:"subject"`
		Path        []string `json:"path"`
		Assessed    string   `json:"assessed"`
		Points      float64  `json:"points"`
		Evidence    []string `json:"evidence,omitempty"`
		Remediation string   `json:"remediation,omitempty"`
	}
	sarifLocation struct {
		ID               *int               `json:"id,omitempty"`
		PhysicalLocation sarifPhysical      `json:"physicalLocation"`
		Message          *sarifText         `json:"message,omitempty"`
		Properties       *sarifLocationProp `json:"properties,omitempty"`
	}
	sarifLocationProp struct {
		Evidence string `json:"evidence,omitempty"`
		Locator  string `json:"locator"`
		Digest   string `json:"digest,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           *sarifRegion     `json:"region,omitempty"`
	}
	sarifArtifactLoc struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifReportSummary struct {
		Ref         string  `json:"ref"`
		Subject     string  `json:"subject"`
		Score       float64 `json:"score"`
		Level       string  `json:"level"`
		Policy      string  `json:"policy"`
		PolicyHash  string  `json:"policyDigest,omitempty"`
		GeneratedAt string  `json:"generatedAt"`
	}
)

// sarifBuilder accumulates the rules, results and URI bases of one run.
type sarifBuilder struct {
	rules     []sarifRule
	ruleIndex map[string]int
	bases     map[string]sarifArtifactLoc
	results   []sarifResult
	summaries []sarifReportSummary
	version   string
	root      string // cleaned absolute root, or ""
}

func newSARIFBuilder(defs []risk.Definition, reps []*risk.Report, opts SARIFOptions) *sarifBuilder {
	b := &sarifBuilder{ruleIndex: map[string]int{}, bases: map[string]sarifArtifactLoc{}}
	if opts.Root != "" {
		if abs, err := filepath.Abs(opts.Root); err == nil {
			b.root = abs
		}
	}
	// The run describes the rules its results name, in definition order;
	// a rule a report names that the definitions lack (a report written by
	// another version) still gets a descriptor, after them, sorted by ID.
	used := map[string]risk.Finding{}
	for _, r := range reps {
		if b.version == "" {
			b.version = r.Tool.Version
		}
		for _, f := range r.Findings {
			if _, seen := used[f.Rule]; !seen && sarifOutcome(f.Outcome) {
				used[f.Rule] = f
			}
		}
	}
	for _, d := range defs {
		if _, ok := used[d.ID]; ok {
			b.addRule(d)
		}
	}
	var extra []string
	for id := range used {
		if _, ok := b.ruleIndex[id]; !ok {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		f := used[id]
		b.addRule(risk.Definition{ID: id, Category: f.Category, Severity: f.Severity, Title: id,
			Checks: "Rule " + id + " is not among this version's rule definitions.", Remediation: f.Remediation})
	}
	return b
}

func (b *sarifBuilder) addRule(d risk.Definition) {
	if _, dup := b.ruleIndex[d.ID]; dup {
		return
	}
	title := sarifOr(d.Title, d.ID)
	checks := sarifOr(d.Checks, title)
	var text, md strings.Builder
	text.WriteString(checks)
	md.WriteString("**Checks.** " + checks)
	if d.Why != "" {
		text.WriteString("\n\nWhy it matters: " + d.Why)
		md.WriteString("\n\n**Why it matters.** " + d.Why)
	}
	if d.Remediation != "" {
		text.WriteString("\n\nRemediation: " + d.Remediation)
		md.WriteString("\n\n**Remediation.** " + d.Remediation)
	}
	tags := []string{"security", "supply-chain", "ai-model"}
	if c := string(d.Category); c != "" && c != "security" && c != "supply-chain" && c != "ai-model" {
		tags = append(tags, c)
	}
	b.ruleIndex[d.ID] = len(b.rules)
	b.rules = append(b.rules, sarifRule{
		ID:                   d.ID,
		Name:                 sarifRuleName(d.ID),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: checks},
		Help:                 sarifText{Text: text.String(), Markdown: md.String()},
		HelpURI:              sarifRulesURI + "#" + url.PathEscape(strings.ToLower(d.ID)),
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(d.Severity)},
		Properties: sarifRuleProperty{SecuritySeverity: sarifSecuritySeverity(d.Severity), Tags: tags,
			Category: string(d.Category), Severity: string(d.Severity)},
	})
}

// sarifRuleName turns a rule ID into the PascalCase name SARIF viewers show
// (license-conflict -> LicenseConflict).
func sarifRuleName(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || unicode.IsSpace(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

// sarifLevel maps a severity to a SARIF level: critical and high are
// errors, medium is a warning, low and info are notes.
func sarifLevel(s risk.Severity) string {
	switch s {
	case risk.SeverityCritical, risk.SeverityHigh:
		return "error"
	case risk.SeverityMedium:
		return "warning"
	}
	return "note"
}

// sarifSecuritySeverity is the CVSS-like score GitHub code scanning reads from a
// rule's security-severity property to rank security alerts (above 9.0
// critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low). Info
// rules have none, so GitHub falls back to their level (note).
func sarifSecuritySeverity(s risk.Severity) string {
	switch s {
	case risk.SeverityCritical:
		return "9.5"
	case risk.SeverityHigh:
		return "8.0"
	case risk.SeverityMedium:
		return "5.5"
	case risk.SeverityLow:
		return "3.0"
	}
	return ""
}

// sarifOutcome reports whether findings with outcome o become results.
func sarifOutcome(o risk.Outcome) bool {
	return o == risk.OutcomeFail || o == risk.OutcomeUnknown || o == risk.OutcomeError
}

func (b *sarifBuilder) addReport(r *risk.Report) {
	b.summaries = append(b.summaries, sarifReportSummary{
		Ref: r.Subject.Ref, Subject: r.Subject.PURL, Score: r.Score.Value, Level: string(r.Score.Level),
		Policy: r.Policy.Name, PolicyHash: r.Policy.Digest, GeneratedAt: r.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
	})
	evidence := make(map[string]sources.Evidence, len(r.Evidence))
	for _, e := range r.Evidence {
		if _, dup := evidence[e.ID]; !dup {
			evidence[e.ID] = e
		}
	}
	points := sarifFindingPoints(r)
	rootSum := sha256.Sum256([]byte(r.Subject.PURL))
	rootKey := hex.EncodeToString(rootSum[:6])
	for _, f := range r.Findings {
		if !sarifOutcome(f.Outcome) {
			continue
		}
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: b.ruleIndex[f.Rule],
			Kind:      "fail",
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: sarifMessage(r, f)},
			PartialFingerprints: map[string]string{
				sarifFingerprintKey: f.ID + ":" + rootKey,
			},
			Properties: sarifResultProps{
				Outcome: string(f.Outcome), Severity: string(f.Severity), Category: string(f.Category),
				Finding: f.ID, Subject: f.Subject, Path: sarifStrings(f.Path), Assessed: r.Subject.PURL,
				Points: points[f.ID], Evidence: f.Evidence, Remediation: f.Remediation,
			},
		}
		if f.Outcome != risk.OutcomeFail {
			res.Kind, res.Level = "open", "none"
		}
		var locs []sarifLocation
		seen := map[string]bool{}
		for _, id := range f.Evidence {
			e, ok := evidence[id]
			if !ok {
				continue
			}
			pl, ok := b.physical(e.Origin.Locator, e.Attr("line"))
			if !ok {
				continue
			}
			key := pl.ArtifactLocation.URIBaseID + "\x00" + pl.ArtifactLocation.URI
			if pl.Region != nil {
				key += "\x00" + strconv.Itoa(pl.Region.StartLine)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			locs = append(locs, sarifLocation{
				PhysicalLocation: pl,
				Message:          &sarifText{Text: sarifEvidenceText(e)},
				Properties:       &sarifLocationProp{Evidence: e.ID, Locator: e.Origin.Locator, Digest: e.Origin.Digest},
			})
		}
		if len(locs) == 0 {
			locs = append(locs, b.subjectLocation(r, f.Subject))
		}
		res.Locations = locs[:1]
		for i, l := range locs[1:] {
			id := i + 1
			l.ID = &id
			res.RelatedLocations = append(res.RelatedLocations, l)
		}
		b.results = append(b.results, res)
	}
}

// sarifFindingPoints maps each finding ID to the points of the contribution
// that counts it; findings that scored nothing are absent.
func sarifFindingPoints(r *risk.Report) map[string]float64 {
	out := map[string]float64{}
	for _, c := range r.Score.Contributions {
		for _, id := range c.Findings {
			out[id] = c.Points
		}
	}
	return out
}

// sarifMessage is a result's text: the finding's message, prefixed for
// an unknown or error outcome, and the lineage chain when the risk is
// inherited from an ancestor.
func sarifMessage(r *risk.Report, f risk.Finding) string {
	msg := strings.TrimSpace(f.Message)
	if msg == "" {
		msg = f.Rule + " " + string(f.Outcome) + " for " + refOf(r, f.Subject)
	}
	switch f.Outcome {
	case risk.OutcomeUnknown:
		msg = "Unknown (evidence missing, counted as risk): " + msg
	case risk.OutcomeError:
		msg = "Error (the subject's files could not be evaluated, counted as risk): " + msg
	}
	if len(f.Path) > 1 {
		msg += "\nInherited through the lineage: " + pathText(r, f.Path)
	}
	return msg
}

// sarifEvidenceText describes one piece of evidence for a location message.
func sarifEvidenceText(e sources.Evidence) string {
	what := string(e.Kind)
	if field := e.Attr("field"); field != "" {
		what += " " + field
	}
	v := e.Value
	if len([]rune(v)) > sarifMaxEvidence {
		v = string([]rune(v)[:sarifMaxEvidence]) + "…"
	}
	s := fmt.Sprintf("%s %s: %q", e.ID, what, v)
	if e.Origin.Source != "" {
		s += " (read by " + e.Origin.Source + ")"
	}
	return s
}

// physical locates a locator: an http(s) URL relative to a base named
// after its host, a local path relative to %SRCROOT% when it is under the
// root, else as an absolute file:// URI. line, when a positive integer,
// becomes the region. Locators of any other form are not locatable.
func (b *sarifBuilder) physical(locator, line string) (sarifPhysical, bool) {
	var pl sarifPhysical
	switch {
	case strings.HasPrefix(locator, "https://") || strings.HasPrefix(locator, "http://"):
		u, err := url.Parse(locator)
		if err != nil || u.Host == "" || u.User != nil {
			return pl, false
		}
		base := strings.ToLower(u.Host)
		b.bases[base] = sarifArtifactLoc{URI: u.Scheme + "://" + u.Host + "/"}
		rel := &url.URL{Path: strings.TrimLeft(u.Path, "/"), RawQuery: u.RawQuery}
		uri := rel.String()
		if uri == "" || strings.HasPrefix(uri, "?") {
			uri = "./" + uri
		}
		pl.ArtifactLocation = sarifArtifactLoc{URI: uri, URIBaseID: base}
	case strings.HasPrefix(locator, "file://"):
		u, err := url.Parse(locator)
		if err != nil || u.Path == "" || (u.Host != "" && u.Host != "localhost") {
			return pl, false
		}
		pl.ArtifactLocation = b.fileLocation(filepath.FromSlash(u.Path))
	case filepath.IsAbs(locator) || strings.HasPrefix(locator, "/"):
		pl.ArtifactLocation = b.fileLocation(locator)
	default:
		return pl, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n > 0 {
		pl.Region = &sarifRegion{StartLine: n}
	}
	return pl, true
}

// fileLocation locates an absolute local path.
func (b *sarifBuilder) fileLocation(p string) sarifArtifactLoc {
	p = filepath.Clean(p)
	if b.root != "" {
		if rel, err := filepath.Rel(b.root, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			b.bases[sarifSrcRoot] = sarifArtifactLoc{URI: sarifDirURI(b.root)}
			if rel == "." {
				return sarifArtifactLoc{URI: "./", URIBaseID: sarifSrcRoot}
			}
			return sarifArtifactLoc{URI: sarifRelURI(filepath.ToSlash(rel)), URIBaseID: sarifSrcRoot}
		}
	}
	return sarifArtifactLoc{URI: sarifFileURI(p)}
}

// subjectLocation points at a subject itself when no evidence locates a
// finding: its Hub or GitHub page, or its folder. A subject with neither
// (a package) is located as the assessed subject is; as a last resort the
// subject ID becomes a relative reference, so every result has a
// physical location as GitHub requires.
func (b *sarifBuilder) subjectLocation(r *risk.Report, subject string) sarifLocation {
	for _, id := range []string{subject, r.Subject.PURL, r.Root().ID} {
		if u, ok := sarifSubjectURL(id); ok {
			if pl, ok := b.physical(u, ""); ok {
				return sarifLocation{PhysicalLocation: pl, Properties: &sarifLocationProp{Locator: u}}
			}
		}
	}
	rel := (&url.URL{Path: strings.ReplaceAll(subject, ":", "/")}).String()
	if rel == "" {
		rel = "./"
	}
	return sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: rel}},
		Properties: &sarifLocationProp{Locator: subject}}
}

// sarifSubjectURL returns where a subject ID can be looked at: the Hugging Face
// page of a Hub model or dataset (at its revision), the GitHub page of a
// repository, or the path of a local folder.
func sarifSubjectURL(id string) (string, bool) {
	switch {
	case strings.HasPrefix(id, "file://"):
		return id, true
	case strings.HasPrefix(id, "pkg:huggingface/"):
		rest, quals, _ := strings.Cut(strings.TrimPrefix(id, "pkg:huggingface/"), "?")
		name, rev, _ := strings.Cut(rest, "@")
		if name == "" {
			return "", false
		}
		u := "https://huggingface.co/"
		if q, err := url.ParseQuery(quals); err == nil && q.Get("repository_type") == "dataset" {
			u += "datasets/"
		}
		u += name
		if rev != "" {
			u += "/tree/" + rev
		}
		return u, true
	case strings.HasPrefix(id, "pkg:github/"):
		rest, _, _ := strings.Cut(strings.TrimPrefix(id, "pkg:github/"), "?")
		name, rev, _ := strings.Cut(rest, "@")
		if name == "" {
			return "", false
		}
		u := "https://github.com/" + name
		if rev != "" {
			u += "/tree/" + rev
		}
		return u, true
	}
	return "", false
}

// sarifRelURI escapes a slash-separated relative path as a URI reference.
func sarifRelURI(p string) string {
	u := (&url.URL{Path: p}).String()
	// A first segment with a colon would read as a scheme.
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}

// sarifFileURI is the file:// URI of an absolute path.
func sarifFileURI(p string) string {
	s := filepath.ToSlash(p)
	if !strings.HasPrefix(s, "/") {
		s = "/" + s // a Windows drive path
	}
	return (&url.URL{Scheme: "file", Path: path.Clean(s)}).String()
}

// sarifDirURI is the file:// URI of a directory, ending with a slash as SARIF
// requires of a base URI.
func sarifDirURI(p string) string {
	u := sarifFileURI(p)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func (b *sarifBuilder) run() sarifRun {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "pedigree", Version: b.version,
			InformationURI: sarifToolURI, Rules: b.rules}},
		Results: b.results,
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	if run.Results == nil {
		run.Results = []sarifResult{}
	}
	if len(b.bases) > 0 {
		run.OriginalURIBaseIDs = b.bases
	}
	if len(b.summaries) > 0 {
		run.Properties = map[string]any{"reports": b.summaries}
	}
	return run
}

func sarifOr(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func sarifStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
