package risk

import (
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// Scope says which subjects of a lineage a rule is asked about.
type Scope string

// Scopes.
const (
	// ScopeSubject: only the assessed subject. Used for risks that are not
	// inherited, such as a pickle file the derivative does not ship.
	ScopeSubject Scope = "subject"
	// ScopeLineage: the assessed subject and every model it derives from;
	// a finding about an ancestor is inherited with its path. For an
	// ancestor no source could read, the engine reports unknown without
	// asking the rule.
	ScopeLineage Scope = "lineage"
	// ScopeGraph: the rule is asked once, about the whole graph, and names
	// the subjects its results are about.
	ScopeGraph Scope = "graph"
)

// Definition describes a rule. Definitions are data, embedded from
// rules.yaml; docs/rules.md, `pedigree rules` and `pedigree explain` are
// generated from them.
type Definition struct {
	// ID is the rule's stable identifier (license-conflict).
	ID string `yaml:"id" json:"id"`
	// Category groups the rule.
	Category Category `yaml:"category" json:"category"`
	// Severity is the default severity of a failure; a policy may override it.
	Severity Severity `yaml:"severity" json:"severity"`
	// Scope says which subjects the rule is asked about.
	Scope Scope `yaml:"scope" json:"scope"`
	// Title is a one-line summary.
	Title string `yaml:"title" json:"title"`
	// Checks says what the rule looks at and when it fails.
	Checks string `yaml:"checks" json:"checks"`
	// Why says why it matters.
	Why string `yaml:"why" json:"why"`
	// Remediation says what to do about a failure.
	Remediation string `yaml:"remediation" json:"remediation"`
	// UnknownFraction is the part of a failure's points an unknown (or
	// error) outcome is worth; nil means the default of one half.
	UnknownFraction *float64 `yaml:"unknown_fraction,omitempty" json:"unknown_fraction,omitempty"`
	// ChecksUnread, for a lineage rule, asks the check about ancestors no
	// source could read as well, with what supplementary sources said of
	// them (a gated base's publisher is known from the catalog). An unknown
	// answer gives way to the engine's own unknown for the unread subject.
	ChecksUnread bool `yaml:"checks_unread,omitempty" json:"checks_unread,omitempty"`
}

// Unknown returns the fraction of a failure an unknown outcome is worth.
func (d Definition) Unknown() float64 {
	if d.UnknownFraction == nil {
		return 0.5
	}
	return *d.UnknownFraction
}

// Result is one answer of a rule's check. The engine turns results into
// findings, adding the rule's category, severity, path and remediation.
type Result struct {
	// Subject is the ID of the subject the result is about. Empty means the
	// node the check was asked about.
	Subject string
	// Outcome is the verdict.
	Outcome Outcome
	// Message says what was found.
	Message string
	// Evidence lists the IDs of the evidence the verdict rests on.
	Evidence []string
	// Path overrides the path from the root (a cycle's loop, say). Nil
	// means the graph's shortest path to Subject.
	Path []string
	// Severity overrides the definition's severity when set (a license
	// conflict with a non-commercial ancestor is worse than an attribution
	// slip). A policy's severity override still wins.
	Severity Severity

	unread bool // set by the engine for a subject no source could read
}

// Check is the logic of a rule: a pure function of the input and one node
// (the root for subject and graph scope). It does no I/O and reads no clock.
type Check func(in *Input, n *Node) []Result

// Rule pairs a definition with its check.
type Rule struct {
	Def   Definition
	Check Check
}

// Input is what a check may look at.
type Input struct {
	// Graph is the lineage graph.
	Graph *Graph
	// Policy is the policy in force.
	Policy *Policy
	// Now is the assessment time, from the engine's clock.
	Now time.Time
}

// Evidence returns the IDs of evs.
func evidenceIDs(evs ...sources.Evidence) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}
