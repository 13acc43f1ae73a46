package risk

import (
	"path/filepath"
	"time"
)

// Policy is the configuration of an assessment: rule weights and severity
// overrides, license lists, jurisdictions of concern, trusted publishers,
// thresholds and waivers. DefaultPolicy returns the built-in one; ParsePolicy
// reads a YAML file. A Policy is read-only once built and safe for
// concurrent use.
type Policy struct {
	// Version is the policy file format version (1).
	Version int `yaml:"version" json:"version"`
	// Name names the policy in reports.
	Name string `yaml:"name" json:"name"`
	// FailOn is the level at or above which the CLI exits with code 3.
	// Empty means never.
	FailOn Level `yaml:"fail_on" json:"fail_on,omitempty"`
	// Rules holds per-rule settings by rule ID.
	Rules map[string]RulePolicy `yaml:"rules" json:"rules,omitempty"`
	// Licenses are the allowed and denied license ids.
	Licenses LicensePolicy `yaml:"licenses" json:"licenses"`
	// Jurisdictions lists ISO 3166-1 alpha-2 country codes of concern.
	Jurisdictions []string `yaml:"jurisdictions" json:"jurisdictions,omitempty"`
	// TrustedPublishers lists publisher names (Hub organizations) trusted
	// as known origins.
	TrustedPublishers []string `yaml:"trusted_publishers" json:"trusted_publishers,omitempty"`
	// Publishers is the path of a publishers file (the format of
	// docs/publishers.md) whose entries add to or override the built-in
	// publisher catalog; relative to the policy file's folder. Empty for
	// none. The engine does not read it: the program that installs the
	// knowledge source does (see PublishersPath).
	Publishers string `yaml:"publishers" json:"publishers,omitempty"`
	// MaxLineageDepth is the longest derivation chain, in steps, that
	// lineage-depth allows.
	MaxLineageDepth int `yaml:"max_lineage_depth" json:"max_lineage_depth"`
	// MinScorecardScore is the OpenSSF Scorecard score below which
	// repo-scorecard-low fails.
	MinScorecardScore float64 `yaml:"min_scorecard_score" json:"min_scorecard_score"`
	// Waivers accept known risks.
	Waivers []Waiver `yaml:"waivers" json:"waivers,omitempty"`

	// Digest is "sha256:HEX" of the policy file (or of the built-in
	// default's text); set by ParsePolicy and DefaultPolicy.
	Digest string `yaml:"-" json:"-"`
	// File is the path the policy was read from; empty for the default.
	File string `yaml:"-" json:"-"`

	lines map[string]int // line of each dotted field path; set by ParsePolicy
}

// RulePolicy is the policy's setting for one rule.
type RulePolicy struct {
	// Weight multiplies the rule's points; nil means 1. Zero turns the
	// rule's contribution off while keeping its findings.
	Weight *float64 `yaml:"weight" json:"weight,omitempty"`
	// Severity overrides the rule's default severity when set.
	Severity Severity `yaml:"severity" json:"severity,omitempty"`
	// Disabled drops the rule's findings from reports altogether.
	Disabled bool `yaml:"disabled" json:"disabled,omitempty"`
}

// LicensePolicy lists license ids (as the Hub or SPDX writes them).
type LicensePolicy struct {
	Allow []string `yaml:"allow" json:"allow,omitempty"`
	Deny  []string `yaml:"deny" json:"deny,omitempty"`
}

// Waiver accepts the risk of one rule for one subject until a date.
type Waiver struct {
	// Rule is the rule ID waived.
	Rule string `yaml:"rule" json:"rule"`
	// Subject is the subject's ID, or its ref as written on the command
	// line or in a card (hf:OWNER/NAME matches every revision).
	Subject string `yaml:"subject" json:"subject"`
	// Reason says why the risk is accepted.
	Reason string `yaml:"reason" json:"reason"`
	// Expires is when the waiver stops applying; zero means never.
	Expires time.Time `yaml:"expires" json:"expires,omitempty"`
}

// Weight returns the weight of rule id (1 unless the policy sets it).
func (p *Policy) Weight(id string) float64 {
	if p != nil {
		if rp, ok := p.Rules[id]; ok && rp.Weight != nil {
			return *rp.Weight
		}
	}
	return 1
}

// PublishersPath returns the path of the policy's publishers file,
// resolved against the policy file's folder, or "" when it names none.
func (p *Policy) PublishersPath() string {
	if p == nil || p.Publishers == "" {
		return ""
	}
	if filepath.IsAbs(p.Publishers) || p.File == "" {
		return p.Publishers
	}
	return filepath.Join(filepath.Dir(p.File), p.Publishers)
}
