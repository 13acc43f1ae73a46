package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/risk"
)

// MarkdownOptions configures WriteMarkdown.
type MarkdownOptions struct {
	Rules []risk.Definition // nil means risk.Definitions()
	// TopFindings is how many findings to list per report; 0 means 10.
	TopFindings int
}

// Markdown limits.
const (
	// MarkdownLimit is the most bytes WriteMarkdown writes: GitHub rejects
	// a pull-request comment longer than 65,536 characters, and a byte
	// count is never below the character count.
	MarkdownLimit = 65536
	// mdMaxField bounds one value quoted from a report (a message, a reason).
	mdMaxField = 600
	// mdMaxTreeLines bounds the lineage tree of one report.
	mdMaxTreeLines = 200
	// mdMaxSources bounds the source states listed for one report.
	mdMaxSources = 50
)

// WriteMarkdown writes reps as GitHub-flavoured Markdown for a
// pull-request comment. Each report gets a verdict line (level, score,
// subject and policy), a table of the score per category, its top findings
// (failures first, by the points they contribute, then unknowns and
// errors) with rule, severity, subject, lineage path and remediation, the
// lineage as a collapsible tree, and the sources that did not read their
// subject fully. Several reports are preceded by a summary table.
//
// Every string taken from a report is escaped, so a hostile model name or
// message cannot add markup, links, HTML or mentions. The output stays
// within [MarkdownLimit] bytes: what does not fit is left out whole (a
// finding, a tree, a report) and a note says so.
func WriteMarkdown(w io.Writer, reps []*risk.Report, opts MarkdownOptions) error {
	defs, err := ruleDefinitions(opts.Rules)
	if err != nil {
		return err
	}
	if opts.TopFindings <= 0 {
		opts.TopFindings = 10
	}
	for i, r := range reps {
		if r == nil {
			return fmt.Errorf("report: markdown: report %d is nil; pass only reports produced by an assessment or read by Decode", i+1)
		}
	}
	titles := make(map[string]string, len(defs))
	for _, d := range defs {
		titles[d.ID] = d.Title
	}

	doc := &mdDoc{}
	doc.add("", "## Pedigree supply-chain risk\n\n")
	if len(reps) == 0 {
		doc.add("", "No subject was assessed.\n")
	}
	if len(reps) > 1 {
		doc.add("", mdSummary(reps))
	}
	for _, r := range reps {
		mdReport(doc, r, titles, opts.TopFindings, len(reps) > 1)
	}
	_, err = io.WriteString(w, doc.render())
	if err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	return nil
}

// mdBlock is a self-contained piece of Markdown: leaving it out never
// breaks the markup around it.
type mdBlock struct {
	report string // the report it belongs to, for the truncation note
	text   string
}

type mdDoc struct{ blocks []mdBlock }

func (d *mdDoc) add(report, text string) {
	d.blocks = append(d.blocks, mdBlock{report: report, text: text})
}

// render joins the blocks that fit in MarkdownLimit, in order; at the
// first block that does not fit it stops and notes what was left out.
func (d *mdDoc) render() string {
	const noteRoom = 600
	var b strings.Builder
	for i, bl := range d.blocks {
		if b.Len()+len(bl.text) > MarkdownLimit-noteRoom {
			left := map[string]bool{}
			for _, rest := range d.blocks[i:] {
				if rest.report != "" {
					left[rest.report] = true
				}
			}
			msg := "the rest of the output"
			if bl.report != "" {
				msg = "the rest of the report on " + mdCode(bl.report)
				if n := len(left) - 1; n > 0 {
					msg += fmt.Sprintf(" and %d more report(s)", n)
				}
			}
			fmt.Fprintf(&b, "\n> [!WARNING]\n> Truncated to stay within GitHub's %d-character comment limit: %s is not shown. Render the report as JSON, SARIF or HTML for everything.\n", MarkdownLimit, msg)
			return b.String()
		}
		b.WriteString(bl.text)
	}
	return b.String()
}

// mdSummary is the table of several reports, one row each.
func mdSummary(reps []*risk.Report) string {
	var b strings.Builder
	b.WriteString("| Subject | Risk | Score | Fail | Unknown or error | Top reason |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | --- |\n")
	for _, r := range reps {
		counts := mdCounts(r)
		top := "none"
		if len(r.Score.Contributions) > 0 {
			c := r.Score.Contributions[0]
			top = mdCode(c.Rule) + " on " + mdCode(refOf(r, c.Subject))
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %d | %d | %s |\n", mdCode(r.Subject.Ref), mdLevel(r.Score.Level),
			r.Score.Value, counts[risk.OutcomeFail], counts[risk.OutcomeUnknown]+counts[risk.OutcomeError], top)
	}
	b.WriteString("\n")
	return b.String()
}

func mdCounts(r *risk.Report) map[risk.Outcome]int {
	counts := map[risk.Outcome]int{}
	for _, f := range r.Findings {
		counts[f.Outcome]++
	}
	return counts
}

// mdLevel is a level with a colored marker.
func mdLevel(l risk.Level) string {
	mark := map[risk.Level]string{risk.LevelLow: "🟢", risk.LevelMedium: "🟡", risk.LevelHigh: "🟠", risk.LevelCritical: "🔴"}[l]
	if mark == "" {
		mark = "⚪"
	}
	return mark + " **" + mdText(strings.ToUpper(string(l))) + "**"
}

// mdReport adds the blocks of one report.
func mdReport(doc *mdDoc, r *risk.Report, titles map[string]string, top int, several bool) {
	ref := r.Subject.Ref
	var b strings.Builder
	if several {
		fmt.Fprintf(&b, "---\n\n### %s\n\n", mdCode(ref))
	}
	fmt.Fprintf(&b, "%s risk: score **%.2f** / 100 for %s", mdLevel(r.Score.Level), r.Score.Value, mdCode(ref))
	if r.Subject.PURL != "" && r.Subject.PURL != ref {
		fmt.Fprintf(&b, " (%s)", mdCode(r.Subject.PURL))
	}
	b.WriteString(".\n\n")
	pol := "Policy " + mdCode(r.Policy.Name)
	if r.Policy.File != "" {
		pol += " from " + mdCode(r.Policy.File)
	}
	if d := r.Policy.Digest; d != "" {
		pol += " (" + mdCode(mdClip(d, 19)) + ")"
	}
	fmt.Fprintf(&b, "%s · pedigree %s · assessed %s\n\n", pol, mdCode(r.Tool.Version), r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	if root := r.Root(); root.State != "" && root.State != risk.NodeCollected {
		fmt.Fprintf(&b, "> [!NOTE]\n> The assessed subject was %s: %s\n\n", mdText(string(root.State)), mdText(mdClip(root.Reason, mdMaxField)))
	}
	counts := mdCounts(r)
	var parts []string
	for _, o := range []risk.Outcome{risk.OutcomeFail, risk.OutcomeUnknown, risk.OutcomeError, risk.OutcomeWaived, risk.OutcomePass, risk.OutcomeNotApplicable} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], strings.ReplaceAll(string(o), "_", " ")))
		}
	}
	if len(parts) > 0 {
		b.WriteString("Findings: " + strings.Join(parts, ", ") + ".\n\n")
	}
	doc.add(ref, b.String())
	doc.add(ref, mdCategories(r))
	mdFindings(doc, r, titles, top)
	doc.add(ref, mdLineage(r))
	if s := mdSources(r); s != "" {
		doc.add(ref, s)
	}
	if s := mdWaivers(r); s != "" {
		doc.add(ref, s)
	}
}

// mdCategories is the table of the score per category: the documented
// categories in order, then any other the report holds, by name.
func mdCategories(r *risk.Report) string {
	var b strings.Builder
	b.WriteString("| Category | Score | Level |\n| --- | ---: | --- |\n")
	cats := append([]risk.Category(nil), risk.Categories...)
	known := map[risk.Category]bool{}
	for _, c := range cats {
		known[c] = true
	}
	var extra []risk.Category
	for c := range r.Score.Categories {
		if !known[c] {
			extra = append(extra, c)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	for _, c := range append(cats, extra...) {
		cs, ok := r.Score.Categories[c]
		if !ok {
			cs = risk.CategoryScore{Level: risk.LevelLow}
		}
		fmt.Fprintf(&b, "| %s | %.2f | %s |\n", mdText(string(c)), cs.Value, mdText(string(cs.Level)))
	}
	b.WriteString("\n")
	return b.String()
}

// mdFindings adds the top findings: failures first, by the points their
// contribution adds, then unknowns and errors the same way; ties by
// severity, rule, subject and ID.
func mdFindings(doc *mdDoc, r *risk.Report, titles map[string]string, top int) {
	ref := r.Subject.Ref
	points := sarifFindingPoints(r)
	var list []risk.Finding
	for _, f := range r.Findings {
		if sarifOutcome(f.Outcome) {
			list = append(list, f)
		}
	}
	group := func(o risk.Outcome) int {
		if o == risk.OutcomeFail {
			return 0
		}
		return 1
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ga, gb := group(a.Outcome), group(b.Outcome); ga != gb {
			return ga < gb
		}
		if points[a.ID] != points[b.ID] {
			return points[a.ID] > points[b.ID]
		}
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.ID < b.ID
	})
	if len(list) == 0 {
		doc.add(ref, "#### Top findings\n\nNone: no rule failed or lacked evidence.\n\n")
		return
	}
	doc.add(ref, "#### Top findings\n\n")
	for i, f := range list {
		if i == top {
			doc.add(ref, fmt.Sprintf("%d more finding(s) to look at are in the JSON, SARIF and HTML reports.\n\n", len(list)-i))
			break
		}
		var b strings.Builder
		mark := "❌ **fail**"
		if f.Outcome != risk.OutcomeFail {
			mark = "❔ **" + mdText(string(f.Outcome)) + "**"
		}
		fmt.Fprintf(&b, "%d. %s %s", i+1, mark, mdCode(f.Rule))
		if t := titles[f.Rule]; t != "" {
			b.WriteString(": " + mdText(t))
		}
		fmt.Fprintf(&b, " (%s", mdText(string(f.Severity)))
		if p, ok := points[f.ID]; ok {
			fmt.Fprintf(&b, ", +%.2f points", p)
		}
		fmt.Fprintf(&b, ") on %s\n", mdCode(refOf(r, f.Subject)))
		// Nested lines start at the item's content column.
		indent := strings.Repeat(" ", len(fmt.Sprint(i+1))+2)
		if msg := strings.TrimSpace(f.Message); msg != "" {
			fmt.Fprintf(&b, "%s- %s\n", indent, mdText(mdClip(msg, mdMaxField)))
		}
		if len(f.Path) > 1 {
			refs := make([]string, len(f.Path))
			for j, id := range f.Path {
				refs[j] = mdCode(refOf(r, id))
			}
			fmt.Fprintf(&b, "%s- Path: %s\n", indent, strings.Join(refs, " → "))
		}
		if rem := strings.TrimSpace(f.Remediation); rem != "" {
			fmt.Fprintf(&b, "%s- Remediation: %s\n", indent, mdText(mdClip(rem, mdMaxField)))
		}
		if i == len(list)-1 || i == top-1 {
			b.WriteString("\n")
		}
		doc.add(ref, b.String())
	}
}

// mdLineage is the lineage as a tree in a collapsed section. The tree is
// plain text in a code fence longer than any backtick run it holds.
func mdLineage(r *risk.Report) string {
	if len(r.Lineage.Nodes) == 0 {
		return ""
	}
	var tree strings.Builder
	g := newLineageView(r)
	writeTree(&textWriter{w: &tree}, r, "", g.treeLabel)
	lines := strings.Split(strings.TrimRight(tree.String(), "\n"), "\n")
	if len(lines) > mdMaxTreeLines {
		more := len(lines) - mdMaxTreeLines
		lines = append(lines[:mdMaxTreeLines], fmt.Sprintf("... %d more line(s) in the JSON report", more))
	}
	for i, l := range lines {
		lines[i] = mdNoBidi(mdClip(l, 2*mdMaxField))
	}
	body := strings.Join(lines, "\n")
	fence := strings.Repeat("`", max(3, mdLongestRun(body, '`')+1))
	return fmt.Sprintf("<details><summary>Lineage (%d subjects, %d links)</summary>\n\n%stext\n%s\n%s\n\n</details>\n\n",
		len(r.Lineage.Nodes), len(r.Lineage.Edges), fence, body, fence)
}

// mdSources is the table of the sources that did not read their subject
// fully; empty when every source succeeded.
func mdSources(r *risk.Report) string {
	var rows []risk.SourceStatus
	for _, s := range r.Sources {
		if s.State != risk.StateSucceeded {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("#### Sources that did not read everything\n\n| Source | Subject | State | Reason |\n| --- | --- | --- | --- |\n")
	for i, s := range rows {
		if i == mdMaxSources {
			fmt.Fprintf(&b, "\n%d more in the JSON report.\n", len(rows)-i)
			break
		}
		src := s.Source
		if src == "" {
			src = "(none)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(src), mdCode(refOf(r, s.Subject)), mdText(string(s.State)), mdText(mdClip(s.Reason, mdMaxField)))
	}
	b.WriteString("\n")
	return b.String()
}

// mdWaivers lists the policy's waivers that were not used.
func mdWaivers(r *risk.Report) string {
	var b strings.Builder
	for _, ws := range r.Policy.Waivers {
		if ws.State == "used" {
			continue
		}
		fmt.Fprintf(&b, "- Waiver of %s for %s is %s: %s\n", mdCode(ws.Rule), mdCode(ws.Subject), mdText(ws.State), mdText(mdClip(ws.Reason, mdMaxField)))
	}
	if b.Len() == 0 {
		return ""
	}
	return "#### Waivers\n\n" + b.String() + "\n"
}

// mdClip shortens s to at most n runes, marking the cut.
func mdClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// MarkdownText escapes s for Markdown prose or a table cell the way the
// Markdown report does (see mdText), for other writers of Markdown.
func MarkdownText(s string) string { return mdText(s) }

// MarkdownCode writes s as an inline code span the way the Markdown report
// does (see mdCode), for other writers of Markdown.
func MarkdownCode(s string) string { return mdCode(s) }

// mdText escapes report text for Markdown prose and table cells: control
// characters (newlines too) become spaces, invalid UTF-8 becomes U+FFFD,
// the ASCII punctuation that Markdown or GitHub give a meaning inside a
// line is backslash-escaped (emphasis, code, links, tables, math, and the
// colon and dot of autolinks), < > & become entities, @ and # are followed
// by a zero-width space so no mention or issue reference is made, and
// bidirectional overrides are replaced. Callers never start a line with
// escaped text, so block markers (- + = at a line start) need no escape.
func mdText(s string) string {
	s = plain(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@', '#':
			b.WriteRune(r)
			b.WriteString("&#8203;")
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '.', '!', '|', '~', ':', '^', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode writes s as an inline code span, which GitHub renders verbatim
// (no links, mentions or HTML): the delimiter is one backtick longer than
// any run of backticks in s, pipes are escaped for tables, and control
// characters become spaces.
func mdCode(s string) string {
	s = mdNoBidi(mdClip(plain(s), mdMaxField))
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := strings.Repeat("`", mdLongestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdLongestRun is the length of the longest run of c in s.
func mdLongestRun(s string, c byte) int {
	longest, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			longest = max(longest, cur)
		} else {
			cur = 0
		}
	}
	return longest
}

// mdNoBidi replaces the bidirectional embedding, override and isolate
// characters, which could make text read differently from what it is.
func mdNoBidi(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
			return '\uFFFD'
		}
		return r
	}, s)
}
