package risk

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteRulesMarkdown renders rule definitions as the Markdown of
// docs/rules.md: a table of contents grouped by category, in report order,
// then one section per rule with its ID, category, severity, scope, title,
// what it checks, why it matters and what to do. Rules keep the order of
// defs within their category. It returns the first write error.
func WriteRulesMarkdown(w io.Writer, defs []Definition) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# Rules\n\n")
	p("<!-- Generated from risk/rules.yaml by `go test ./risk -run TestRulesDocFresh -update`. Do not edit. -->\n\n")
	p("Every finding in a Pedigree report comes from one of these rules. A rule's severity is the\n")
	p("default severity of a failure; a policy may override it. Its scope says which subjects it is\n")
	p("asked about: `subject` only the assessed subject, `lineage` the subject and every model it\n")
	p("derives from (a finding about an ancestor is inherited with its path), `graph` the whole\n")
	p("lineage at once. An outcome `unknown` or `error` scores as a fraction of a failure: one half\n")
	p("unless the rule says otherwise.\n\n")

	// Categories in report order, then any others in order of appearance.
	cats := slices.Clone(Categories)
	for _, d := range defs {
		if !slices.Contains(cats, d.Category) {
			cats = append(cats, d.Category)
		}
	}
	byCat := map[Category][]Definition{}
	for _, d := range defs {
		byCat[d.Category] = append(byCat[d.Category], d)
	}
	cats = slices.DeleteFunc(cats, func(c Category) bool { return len(byCat[c]) == 0 })

	p("## Contents\n\n")
	for _, c := range cats {
		p("- %s\n", categoryTitle(c))
		for _, d := range byCat[c] {
			p("  - [`%s`](#%s): %s\n", d.ID, d.ID, oneLine(d.Title))
		}
	}
	for _, c := range cats {
		p("\n## %s\n", categoryTitle(c))
		for _, d := range byCat[c] {
			p("\n### %s\n\n", d.ID)
			p("%s\n\n", oneLine(d.Title))
			p("| category | severity | scope | unknown counts as |\n|---|---|---|---|\n")
			p("| %s | %s | %s | %s |\n\n", d.Category, d.Severity, d.Scope, fraction(d.Unknown()))
			p("**Checks.** %s\n\n", paragraph(d.Checks))
			p("**Why it matters.** %s\n\n", paragraph(d.Why))
			p("**Remediation.** %s\n", paragraph(d.Remediation))
		}
	}
	return bw.Flush()
}

// categoryTitle is the heading of a category.
func categoryTitle(c Category) string {
	s := string(c)
	if s == "" {
		return "Uncategorised"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// oneLine joins the lines of s with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// paragraph keeps the blank-line paragraph breaks of s and joins the rest.
func paragraph(s string) string {
	paras := strings.Split(strings.TrimSpace(s), "\n\n")
	for i, para := range paras {
		paras[i] = oneLine(para)
	}
	return strings.Join(paras, "\n\n")
}

// fraction says what part of a failure an unknown outcome is worth.
func fraction(f float64) string {
	switch f {
	case 0.5:
		return "half a failure"
	case 1:
		return "a whole failure"
	case 0:
		return "nothing"
	}
	return fmt.Sprintf("%g%% of a failure", f*100)
}
