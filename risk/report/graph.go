package report

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/risk"
)

// GraphFormat names a drawing of a report's lineage: see [WriteGraph].
type GraphFormat string

// Graph formats.
const (
	// GraphTree draws the lineage as an indented tree for a terminal, as
	// the text report does.
	GraphTree GraphFormat = "tree"
	// GraphDOT writes a Graphviz digraph ("dot -Tsvg" renders it).
	GraphDOT GraphFormat = "dot"
	// GraphMermaid writes a Mermaid flowchart, which GitHub, GitLab and
	// many wikis render inside a ```mermaid fenced block.
	GraphMermaid GraphFormat = "mermaid"
)

// GraphFormats returns every graph format, in the order documented.
func GraphFormats() []GraphFormat { return []GraphFormat{GraphTree, GraphDOT, GraphMermaid} }

// ParseGraphFormat reads a graph format name.
func ParseGraphFormat(s string) (GraphFormat, error) {
	for _, f := range GraphFormats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown graph format %q: want tree, dot or mermaid", s)
}

// WriteGraph draws the lineage of r in format f.
//
// Every subject shows its reference (with the revision shortened), its
// publisher (name and country) and license (ID and class) when known, and
// its state when it was not fully collected. Every link is labelled with
// its relation; links no metadata declares are dashed (marked
// "(undeclared)" in a tree). Subjects that carry findings with outcome
// fail are marked with the failing rule IDs, worst severity first: a "!"
// in a tree, a border and fill colored by the worst severity (and a
// tooltip naming the rules) in DOT, a class fail_<severity> in Mermaid.
// In DOT and Mermaid, links point from a subject to what it derives from.
//
// Subjects are drawn in the report's node order and links in its edge
// order, so the output is deterministic. WriteGraph fails for an unknown
// format or a report whose lineage has no nodes.
func WriteGraph(w io.Writer, r *risk.Report, f GraphFormat) error {
	if r == nil || len(r.Lineage.Nodes) == 0 {
		return fmt.Errorf("report: the report's lineage has no nodes; draw a report produced by an assessment")
	}
	g := newLineageView(r)
	tw := &textWriter{w: w}
	switch f {
	case GraphTree:
		writeTree(tw, r, "", g.treeLabel)
	case GraphDOT:
		g.writeDOT(tw)
	case GraphMermaid:
		g.writeMermaid(tw)
	default:
		return fmt.Errorf("report: unknown graph format %q: want tree, dot or mermaid", f)
	}
	return tw.err
}

// failMark is a rule that fails on a subject, at its worst severity there.
type failMark struct {
	rule     string
	severity risk.Severity
}

// graphNode is one subject to draw.
type graphNode struct {
	n     risk.LineageNode
	fails []failMark // worst severity first, then by rule
}

// lineageView indexes a report's lineage for drawing: every node once, in
// report order, followed by any edge endpoint the nodes do not list.
type lineageView struct {
	r     *risk.Report
	nodes []graphNode
	index map[string]int
}

func newLineageView(r *risk.Report) *lineageView {
	g := &lineageView{r: r, index: map[string]int{}}
	add := func(n risk.LineageNode) {
		if _, ok := g.index[n.ID]; ok {
			return
		}
		g.index[n.ID] = len(g.nodes)
		g.nodes = append(g.nodes, graphNode{n: n})
	}
	for _, n := range r.Lineage.Nodes {
		add(n)
	}
	for _, e := range r.Lineage.Edges {
		add(risk.LineageNode{ID: e.From, Ref: e.From})
		add(risk.LineageNode{ID: e.To, Ref: e.To})
	}
	worst := map[string]map[string]risk.Severity{}
	for _, f := range r.Findings {
		if f.Outcome != risk.OutcomeFail {
			continue
		}
		if worst[f.Subject] == nil {
			worst[f.Subject] = map[string]risk.Severity{}
		}
		if s, ok := worst[f.Subject][f.Rule]; !ok || f.Severity.Rank() > s.Rank() {
			worst[f.Subject][f.Rule] = f.Severity
		}
	}
	for i := range g.nodes {
		for rule, sev := range worst[g.nodes[i].n.ID] {
			g.nodes[i].fails = append(g.nodes[i].fails, failMark{rule: rule, severity: sev})
		}
		fails := g.nodes[i].fails
		sort.Slice(fails, func(a, b int) bool {
			if ra, rb := fails[a].severity.Rank(), fails[b].severity.Rank(); ra != rb {
				return ra > rb
			}
			return fails[a].rule < fails[b].rule
		})
	}
	return g
}

// node returns the drawing of the subject id; a subject the lineage does
// not know is drawn by its ID alone.
func (g *lineageView) node(id string) graphNode {
	if i, ok := g.index[id]; ok {
		return g.nodes[i]
	}
	return graphNode{n: risk.LineageNode{ID: id, Ref: id}}
}

// ref is the subject's reference as drawn.
func (gn graphNode) ref() string {
	if gn.n.Ref == "" {
		return gn.n.ID
	}
	return nodeRef(gn.n)
}

// worst is the worst severity of the rules failing on the subject; empty
// when none fails.
func (gn graphNode) worst() risk.Severity {
	if len(gn.fails) == 0 {
		return ""
	}
	return gn.fails[0].severity
}

// rules lists the failing rule IDs, worst first.
func (gn graphNode) rules() []string {
	out := make([]string, len(gn.fails))
	for i, f := range gn.fails {
		out[i] = f.rule
	}
	return out
}

// unread reports whether the subject's own data could not be read at all.
func (gn graphNode) unread() bool {
	return gn.n.State == risk.NodeFailed || gn.n.State == risk.NodeSkipped
}

// reasonCategory matches the error category a node's reason starts with.
var reasonCategory = regexp.MustCompile(`^([a-z][a-z_]*): `)

// state describes a subject that was not fully collected by its state and
// the category of the reason ("failed (not_found)"); empty when it was.
func (gn graphNode) state() string {
	if gn.n.State == "" || gn.n.State == risk.NodeCollected {
		return ""
	}
	if m := reasonCategory.FindStringSubmatch(gn.n.Reason); m != nil {
		return string(gn.n.State) + " (" + m[1] + ")"
	}
	return string(gn.n.State)
}

// lines are the lines of a subject's label in DOT and Mermaid.
func (gn graphNode) lines() []string {
	lines := append([]string{gn.ref()}, nodeFacts(gn.n)...)
	if s := gn.state(); s != "" {
		lines = append(lines, s)
	}
	if len(gn.fails) > 0 {
		lines = append(lines, "! "+strings.Join(gn.rules(), ", "))
	}
	return lines
}

// treeLabel draws a subject on one line of a tree.
func (g *lineageView) treeLabel(id string) string {
	gn := g.node(id)
	var b strings.Builder
	b.WriteString(gn.ref())
	facts := nodeFacts(gn.n)
	if s := gn.state(); s != "" {
		facts = append(facts, s)
	}
	if len(facts) > 0 {
		b.WriteString("  [" + strings.Join(facts, "; ") + "]")
	}
	if len(gn.fails) > 0 {
		b.WriteString("  ! " + strings.Join(gn.rules(), ", "))
	}
	return plain(b.String())
}

// relationLabel is an edge's label: its relation, and whether it is
// undeclared.
func relationLabel(e risk.Edge) string {
	if e.Declared {
		return string(e.Relation)
	}
	return string(e.Relation) + " (undeclared)"
}

// severityColors returns the border and fill colors of a subject whose
// worst failing severity is s, and false for no or an unknown severity.
func severityColors(s risk.Severity) (stroke, fill string, ok bool) {
	switch s {
	case risk.SeverityCritical:
		return "#7f1d1d", "#fca5a5", true
	case risk.SeverityHigh:
		return "#b91c1c", "#fecaca", true
	case risk.SeverityMedium:
		return "#c2410c", "#fed7aa", true
	case risk.SeverityLow:
		return "#a16207", "#fef08a", true
	case risk.SeverityInfo:
		return "#1d4ed8", "#dbeafe", true
	}
	return "", "", false
}

// severitiesWorstFirst lists the severities, critical first.
func severitiesWorstFirst() []risk.Severity {
	return []risk.Severity{risk.SeverityCritical, risk.SeverityHigh, risk.SeverityMedium, risk.SeverityLow, risk.SeverityInfo}
}

func (g *lineageView) writeDOT(tw *textWriter) {
	tw.printf("digraph lineage {\n")
	tw.printf("\tgraph [label=%s, labelloc=t, fontname=\"Helvetica\"];\n", dotString("Lineage of "+plain(g.r.Subject.Ref)))
	tw.printf("\tnode [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n")
	tw.printf("\tedge [fontname=\"Helvetica\", fontsize=10];\n\n")
	for _, gn := range g.nodes {
		lines := gn.lines()
		for i := range lines {
			lines[i] = plain(lines[i])
		}
		attrs := []string{"label=" + dotString(strings.Join(lines, "\n"))}
		attrs = append(attrs, "tooltip="+dotString(gn.tooltip()))
		style := []string{"rounded"}
		if gn.unread() {
			style = append(style, "dashed")
		}
		if stroke, fill, ok := severityColors(gn.worst()); ok {
			style = append(style, "filled")
			attrs = append(attrs, "color="+dotString(stroke), "fillcolor="+dotString(fill), "penwidth=2")
		}
		if len(style) > 1 {
			attrs = append(attrs, "style="+dotString(strings.Join(style, ",")))
		}
		tw.printf("\t%s [%s];\n", dotID(gn.n.ID), strings.Join(attrs, ", "))
	}
	if len(g.r.Lineage.Edges) > 0 {
		tw.printf("\n")
	}
	for _, e := range g.r.Lineage.Edges {
		attrs := []string{"label=" + dotString(plain(relationLabel(e)))}
		if !e.Declared {
			attrs = append(attrs, "style=dashed")
		}
		tw.printf("\t%s -> %s [%s];\n", dotID(e.From), dotID(e.To), strings.Join(attrs, ", "))
	}
	tw.printf("}\n")
}

// tooltip is a subject's DOT tooltip: its ID, why it was not fully
// collected, and the rules that fail on it with their severities.
func (gn graphNode) tooltip() string {
	lines := []string{plain(gn.n.ID)}
	if gn.n.State != "" && gn.n.State != risk.NodeCollected {
		lines = append(lines, plain(string(gn.n.State)+": "+gn.n.Reason))
	}
	if len(gn.fails) > 0 {
		parts := make([]string, len(gn.fails))
		for i, f := range gn.fails {
			parts[i] = plain(f.rule + " (" + string(f.severity) + ")")
		}
		lines = append(lines, "fails: "+strings.Join(parts, ", "))
	}
	return strings.Join(lines, "\n")
}

// dotID quotes a node ID for DOT. Backslashes and quotes are escaped, and
// control characters and invalid UTF-8 bytes are written as \xHH, so
// distinct IDs stay distinct and no ID can end the string early.
func dotID(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case unicode.IsControl(r):
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, `\x%02X`, c)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// dotString quotes text for a DOT attribute whose value is an escString
// (label, tooltip): backslashes and quotes are escaped, so the text shows
// as written, newlines become \n line breaks, and other control characters
// and invalid UTF-8 are made plain.
func dotString(s string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = esc.Replace(plain(l))
	}
	return `"` + strings.Join(lines, `\n`) + `"`
}

// plain makes text safe to print: invalid UTF-8 becomes U+FFFD and control
// characters become spaces.
func plain(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func (g *lineageView) writeMermaid(tw *textWriter) {
	tw.printf("flowchart TD\n")
	for i, gn := range g.nodes {
		tw.printf("\t%%%% n%d: %s\n", i, plain(gn.n.ID))
	}
	for i, gn := range g.nodes {
		lines := gn.lines()
		for j := range lines {
			lines[j] = mermaidText(lines[j])
		}
		tw.printf("\tn%d[\"%s\"]\n", i, strings.Join(lines, "<br/>"))
	}
	for _, e := range g.r.Lineage.Edges {
		arrow := "-->"
		if !e.Declared {
			arrow = "-.->"
		}
		tw.printf("\tn%d %s|\"%s\"| n%d\n", g.index[e.From], arrow, mermaidText(relationLabel(e)), g.index[e.To])
	}
	used := map[string]bool{}
	var classes []string
	for i, gn := range g.nodes {
		if s := gn.worst(); s != "" {
			if _, _, ok := severityColors(s); ok {
				classes = append(classes, fmt.Sprintf("\tclass n%d fail_%s\n", i, s))
				used["fail_"+string(s)] = true
			}
		}
		if gn.unread() {
			classes = append(classes, fmt.Sprintf("\tclass n%d unread\n", i))
			used["unread"] = true
		}
	}
	for _, s := range severitiesWorstFirst() {
		if name := "fail_" + string(s); used[name] {
			stroke, fill, _ := severityColors(s)
			tw.printf("\tclassDef %s fill:%s,stroke:%s,stroke-width:2px,color:#000\n", name, fill, stroke)
		}
	}
	if used["unread"] {
		tw.printf("\tclassDef unread stroke-dasharray:5 5\n")
	}
	for _, c := range classes {
		tw.printf("%s", c)
	}
}

// mermaidText escapes text for a quoted Mermaid label with Mermaid's
// entity codes: quotes, the entity marker #, HTML markup (<, >, &),
// brackets, braces, pipes and backticks cannot end the label or be read
// as markup. Control characters become spaces.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range plain(s) {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '&':
			b.WriteString("#amp;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '#', '[', ']', '{', '}', '|', '`':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
