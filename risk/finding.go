package risk

import (
	"fmt"
	"strings"
)

// Category groups rules by the kind of risk they assess.
type Category string

// Categories.
const (
	CategoryOrigin       Category = "origin"
	CategoryLicense      Category = "license"
	CategoryModification Category = "modification"
	CategorySecurity     Category = "security"
	CategoryDependencies Category = "dependencies"
	CategoryTransparency Category = "transparency"
)

// Categories lists every category in report order.
var Categories = []Category{CategoryOrigin, CategoryLicense, CategoryModification, CategorySecurity, CategoryDependencies, CategoryTransparency}

// Severity is how much a failing finding matters.
type Severity string

// Severities, lowest first.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Points is what a failing finding of severity s is worth before weights.
func (s Severity) Points() float64 {
	switch s {
	case SeverityLow:
		return 5
	case SeverityMedium:
		return 15
	case SeverityHigh:
		return 35
	case SeverityCritical:
		return 70
	}
	return 0
}

// Rank orders severities: info 0 up to critical 4, and -1 for an unknown value.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return -1
}

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return v, nil
}

// Outcome is a rule's answer for one subject.
type Outcome string

// Outcomes.
const (
	// OutcomeFail: the risk the rule looks for is present.
	OutcomeFail Outcome = "fail"
	// OutcomePass: the rule had the evidence it needs and found no risk.
	OutcomePass Outcome = "pass"
	// OutcomeUnknown: the evidence the rule needs is missing. Missing
	// evidence is risk, and scores as a fraction of a failure.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeNotApplicable: the rule does not apply to this subject.
	OutcomeNotApplicable Outcome = "not_applicable"
	// OutcomeError: the subject's own files the rule needs are broken.
	// Scores as unknown.
	OutcomeError Outcome = "error"
	// OutcomeWaived: a policy waiver covers a failure or unknown.
	OutcomeWaived Outcome = "waived"
)

// Finding is one rule's verdict about one subject of the lineage.
type Finding struct {
	// ID identifies the finding within a report; it is derived from the
	// rule, subject and message, so it is stable across runs.
	ID string `json:"id"`
	// Rule is the rule ID.
	Rule string `json:"rule"`
	// Category is the rule's category.
	Category Category `json:"category"`
	// Severity is the rule's severity after policy overrides.
	Severity Severity `json:"severity"`
	// Outcome is the verdict.
	Outcome Outcome `json:"outcome"`
	// Subject is the ID of the subject that carries the risk.
	Subject string `json:"subject"`
	// Path is the lineage chain from the assessed subject to Subject, both
	// included; a single element when Subject is the assessed subject.
	Path []string `json:"path"`
	// Message says what was found, naming files, fields and values.
	Message string `json:"message"`
	// Evidence lists the IDs of the evidence the verdict rests on.
	Evidence []string `json:"evidence,omitempty"`
	// Remediation says what to do; set for fail, unknown and error outcomes.
	Remediation string `json:"remediation,omitempty"`
	// Waiver is the waiver that covers the finding, when Outcome is waived.
	Waiver *Waiver `json:"waiver,omitempty"`
	// Unread is true for an unknown the engine reports for a subject no
	// source could read. All of one subject's unread findings are one fact
	// (the subject could not be read), so they score once, together.
	Unread bool `json:"unread,omitempty"`
}
