package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// HTMLOptions configures WriteHTML.
type HTMLOptions struct {
	// Rules gives the rules' titles and explanations; nil means
	// risk.Definitions().
	Rules []risk.Definition
}

//go:embed html/report.html.tmpl
var htmlTemplateText string

//go:embed html/report.css
var htmlCSS string

// htmlTemplate is parsed once; executing it is safe from several
// goroutines.
var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// WriteHTML writes reps as one self-contained HTML page: no scripts,
// fonts, images or stylesheets are loaded from anywhere, and the page
// needs no JavaScript. Each report shows its score and level, the lineage
// drawn as an inline SVG graph (subjects coloured by the worst severity
// failing on them and labelled with it, links labelled with their
// relation), the subjects of the lineage, the score per category, every
// contribution that adds up to the score, every finding with its
// evidence and where the evidence came from, and the sources that did not
// read their subject. With several reports, an index comes first.
//
// Everything taken from a report is escaped, and the output depends only
// on the reports and options, so the same input gives the same bytes.
// Nothing is written when rendering fails.
func WriteHTML(w io.Writer, reps []*risk.Report, opts HTMLOptions) error {
	if len(reps) == 0 {
		return fmt.Errorf("report: no reports to render as HTML; pass at least one report")
	}
	for i, r := range reps {
		if r == nil {
			return fmt.Errorf("report: report %d of %d is nil; pass only decoded reports", i+1, len(reps))
		}
	}
	defs := opts.Rules
	if defs == nil {
		var err error
		if defs, err = risk.Definitions(); err != nil {
			return fmt.Errorf("report: read the rule definitions: %w", err)
		}
	}
	byRule := make(map[string]risk.Definition, len(defs))
	for _, d := range defs {
		byRule[d.ID] = d
	}
	doc := htmlDoc{CSS: template.CSS(htmlCSS)}
	for i, r := range reps {
		doc.Reports = append(doc.Reports, newHTMLReport(r, i, byRule))
	}
	if len(reps) == 1 {
		doc.Title = "Pedigree report: " + doc.Reports[0].Ref
	} else {
		doc.Title = fmt.Sprintf("Pedigree reports: %d subjects", len(reps))
		doc.Index = doc.Reports
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, doc); err != nil {
		return fmt.Errorf("report: render HTML: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

// htmlDoc is the page.
type htmlDoc struct {
	Title   string
	CSS     template.CSS
	Index   []htmlReport // set when the page holds several reports
	Reports []htmlReport
}

// htmlReport is one report, its text made safe to show and its numbers
// formatted.
type htmlReport struct {
	Anchor                    string
	Ref, PURL, Kind, Revision string
	Score, LevelText          string
	Level                     string // CSS class suffix
	Policy, PolicyDigest      string
	PolicyFile                string
	Tool, GeneratedAt         string
	RootState                 string
	Failing                   int
	Graph                     htmlGraph
	Subjects                  []htmlSubject
	Categories                []htmlCategory
	Contributions             []htmlContribution
	ContributionTotal         string
	TotalDiffers              bool
	Outcomes                  []htmlOutcomeGroup
	FindingCounts             string
	Sources                   []htmlSource
	SourcesTotal              int
	Waivers                   []htmlWaiver
	Rules                     []htmlRule
}

type htmlSubject struct {
	Anchor, Ref, ID, Kind, Depth string
	Publisher, License           string
	State, Reason                string
	Fails                        []htmlFail
	Links                        []htmlLink
}

type htmlFail struct{ Rule, Severity, Class string }

type htmlLink struct{ Relation, Target, Anchor string }

type htmlCategory struct {
	Name, Value, Level, Class string
	Percent                   string
}

type htmlContribution struct {
	N                      int
	Points, Base           string
	Rule, Title, Category  string
	Outcome, OutcomeClass  string
	Subject, SubjectAnchor string
	Findings               []htmlRef
}

type htmlRef struct{ Anchor, Text string }

type htmlOutcomeGroup struct {
	Title    string
	Findings []htmlFinding
}

type htmlFinding struct {
	Anchor, ID              string
	Rule, Title, Category   string
	Severity, SeverityClass string
	Outcome, OutcomeClass   string
	Subject, SubjectAnchor  string
	Path                    []string
	Message, Remediation    string
	Waiver                  string
	Unread                  bool
	Points                  string
	Evidence                []htmlEvidence
	MissingEvidence         []string
}

type htmlEvidence struct {
	ID, Kind, Value string
	Attrs           []htmlAttr
	Source          string
	Locator, URL    string
	Digest          string
	Retrieved       string
}

type htmlAttr struct{ Key, Value string }

type htmlSource struct{ Source, Subject, State, Class, Reason string }

type htmlWaiver struct{ Rule, Subject, Reason, Expires, State string }

type htmlRule struct {
	ID, Category, Severity, Title, Why string
}

// Length limits for text taken from a report, so that a hostile or
// runaway value cannot swamp the page. The JSON report keeps the whole.
const (
	maxMessage  = 4000
	maxValue    = 600
	maxAttr     = 400
	maxReason   = 1000
	maxTooltip  = 600
	maxIDLength = 300
)

func newHTMLReport(r *risk.Report, i int, defs map[string]risk.Definition) htmlReport {
	anchor := "r" + strconv.Itoa(i+1)
	g := newLineageView(r)
	h := htmlReport{
		Anchor:       anchor,
		Ref:          clean(r.Subject.Ref, maxIDLength),
		PURL:         clean(r.Subject.PURL, maxIDLength),
		Kind:         clean(string(r.Subject.Kind), maxIDLength),
		Revision:     clean(r.Subject.Revision, maxIDLength),
		Score:        fmt.Sprintf("%.2f", r.Score.Value),
		LevelText:    strings.ToUpper(clean(string(r.Score.Level), maxIDLength)),
		Level:        levelClass(r.Score.Level),
		Policy:       clean(r.Policy.Name, maxIDLength),
		PolicyDigest: clean(r.Policy.Digest, maxIDLength),
		PolicyFile:   clean(r.Policy.File, maxIDLength),
		Tool:         clean(strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version), maxIDLength),
		SourcesTotal: len(r.Sources),
	}
	if h.Ref == "" {
		h.Ref = h.PURL
	}
	if !r.GeneratedAt.IsZero() {
		h.GeneratedAt = r.GeneratedAt.UTC().Format(time.RFC3339)
	}
	if root := r.Root(); len(r.Lineage.Nodes) > 0 && root.State != risk.NodeCollected {
		h.RootState = clean(string(root.State)+": "+root.Reason, maxReason)
	}
	subjectAnchor := func(id string) string {
		if k, ok := g.index[id]; ok {
			return anchor + "-s" + strconv.Itoa(k)
		}
		return ""
	}

	// Subjects of the lineage.
	for k, gn := range g.nodes {
		s := htmlSubject{
			Anchor: anchor + "-s" + strconv.Itoa(k),
			Ref:    clean(gn.ref(), maxIDLength),
			ID:     clean(gn.n.ID, maxIDLength),
			Kind:   clean(string(gn.n.Kind), maxIDLength),
			State:  clean(string(gn.n.State), maxIDLength),
			Reason: clean(gn.n.Reason, maxReason),
		}
		if _, listed := r.NodeByID(gn.n.ID); listed {
			s.Depth = strconv.Itoa(gn.n.Depth)
		} else {
			s.State = "unknown"
			s.Reason = "a link names this subject, but the lineage does not list it"
		}
		if p := gn.n.Publisher; p != nil {
			s.Publisher = clean(publisherText(p), maxIDLength)
		}
		if l := gn.n.License; l != nil {
			s.License = clean(l.ID+" ("+l.Class+")", maxIDLength)
		}
		for _, f := range gn.fails {
			s.Fails = append(s.Fails, htmlFail{Rule: clean(f.rule, maxIDLength), Severity: clean(string(f.severity), maxIDLength), Class: severityClass(f.severity)})
		}
		for _, e := range r.Lineage.Edges {
			if e.From == gn.n.ID {
				s.Links = append(s.Links, htmlLink{Relation: clean(relationLabel(e), maxIDLength),
					Target: clean(g.node(e.To).ref(), maxIDLength), Anchor: subjectAnchor(e.To)})
			}
		}
		h.Subjects = append(h.Subjects, s)
	}
	h.Graph = newHTMLGraph(g, anchor)

	// Scores.
	for _, c := range risk.Categories {
		cs := r.Score.Categories[c]
		h.Categories = append(h.Categories, htmlCategory{Name: string(c), Value: fmt.Sprintf("%.2f", cs.Value),
			Level: clean(string(cs.Level), maxIDLength), Class: levelClass(cs.Level),
			Percent: strconv.FormatFloat(min(100, max(0, round1(cs.Value))), 'f', -1, 64)})
	}
	findingAnchor := map[string]string{}
	for k, f := range r.Findings {
		if _, dup := findingAnchor[f.ID]; !dup {
			findingAnchor[f.ID] = anchor + "-f" + strconv.Itoa(k)
		}
	}
	points := map[string]float64{}
	cents := int64(0)
	for k, c := range r.Score.Contributions {
		hc := htmlContribution{N: k + 1, Points: fmt.Sprintf("%.2f", c.Points), Base: fmt.Sprintf("%.2f", c.Base),
			Rule: clean(c.Rule, maxIDLength), Title: clean(defs[c.Rule].Title, maxMessage),
			Category: clean(string(c.Category), maxIDLength), Outcome: clean(string(c.Outcome), maxIDLength),
			OutcomeClass: outcomeClass(c.Outcome), Subject: clean(refOf(r, c.Subject), maxIDLength),
			SubjectAnchor: subjectAnchor(c.Subject)}
		for _, id := range c.Findings {
			hc.Findings = append(hc.Findings, htmlRef{Anchor: findingAnchor[id], Text: clean(id, maxIDLength)})
			points[id] = c.Points
		}
		cents += int64(c.Points*100 + copysignHalf(c.Points))
		h.Contributions = append(h.Contributions, hc)
	}
	h.ContributionTotal = fmt.Sprintf("%.2f", float64(cents)/100)
	h.TotalDiffers = h.ContributionTotal != h.Score

	// Findings, grouped by outcome, worst first.
	evidence := map[string]sources.Evidence{}
	for _, e := range r.Evidence {
		if _, dup := evidence[e.ID]; !dup {
			evidence[e.ID] = e
		}
	}
	order := make([]int, len(r.Findings))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := r.Findings[order[a]], r.Findings[order[b]]
		if ra, rb := outcomeRank(fa.Outcome), outcomeRank(fb.Outcome); ra != rb {
			return ra < rb
		}
		return fa.Severity.Rank() > fb.Severity.Rank()
	})
	counts := map[risk.Outcome]int{}
	var groups []htmlOutcomeGroup
	for _, k := range order {
		f := r.Findings[k]
		counts[f.Outcome]++
		hf := htmlFinding{
			Anchor: anchor + "-f" + strconv.Itoa(k), ID: clean(f.ID, maxIDLength),
			Rule: clean(f.Rule, maxIDLength), Title: clean(defs[f.Rule].Title, maxMessage),
			Category: clean(string(f.Category), maxIDLength),
			Severity: clean(string(f.Severity), maxIDLength), SeverityClass: severityClass(f.Severity),
			Outcome: clean(string(f.Outcome), maxIDLength), OutcomeClass: outcomeClass(f.Outcome),
			Subject: clean(refOf(r, f.Subject), maxIDLength), SubjectAnchor: subjectAnchor(f.Subject),
			Message: clean(f.Message, maxMessage), Remediation: clean(f.Remediation, maxMessage),
			Unread: f.Unread,
		}
		if p, ok := points[f.ID]; ok {
			hf.Points = fmt.Sprintf("%.2f", p)
		}
		for _, id := range f.Path {
			hf.Path = append(hf.Path, clean(refOf(r, id), maxIDLength))
		}
		if wv := f.Waiver; wv != nil {
			hf.Waiver = clean(waiverText(*wv), maxMessage)
		}
		for _, id := range f.Evidence {
			e, ok := evidence[id]
			if !ok {
				hf.MissingEvidence = append(hf.MissingEvidence, clean(id, maxIDLength))
				continue
			}
			hf.Evidence = append(hf.Evidence, newHTMLEvidence(e))
		}
		title := outcomeTitle(f.Outcome)
		if len(groups) == 0 || groups[len(groups)-1].Title != title {
			groups = append(groups, htmlOutcomeGroup{Title: title})
		}
		groups[len(groups)-1].Findings = append(groups[len(groups)-1].Findings, hf)
	}
	for k := range groups {
		groups[k].Title += " (" + strconv.Itoa(len(groups[k].Findings)) + ")"
	}
	h.Outcomes = groups
	h.Failing = counts[risk.OutcomeFail]
	var parts []string
	for _, o := range outcomesInOrder() {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	h.FindingCounts = strings.Join(parts, ", ")

	// Sources that did not read their subject.
	for _, s := range r.Sources {
		if s.State == risk.StateSucceeded {
			continue
		}
		h.Sources = append(h.Sources, htmlSource{Source: clean(s.Source, maxIDLength), Subject: clean(refOf(r, s.Subject), maxIDLength),
			State: clean(string(s.State), maxIDLength), Class: sourceStateClass(s.State), Reason: clean(s.Reason, maxReason)})
	}
	for _, ws := range r.Policy.Waivers {
		hw := htmlWaiver{Rule: clean(ws.Rule, maxIDLength), Subject: clean(ws.Subject, maxIDLength),
			Reason: clean(ws.Reason, maxMessage), State: clean(ws.State, maxIDLength)}
		if !ws.Expires.IsZero() {
			hw.Expires = ws.Expires.UTC().Format("2006-01-02")
		}
		h.Waivers = append(h.Waivers, hw)
	}

	// The rules that scored or failed, explained.
	seen := map[string]bool{}
	var ids []string
	for _, c := range r.Score.Contributions {
		if !seen[c.Rule] {
			seen[c.Rule] = true
			ids = append(ids, c.Rule)
		}
	}
	for _, f := range r.Findings {
		if f.Outcome == risk.OutcomeFail && !seen[f.Rule] {
			seen[f.Rule] = true
			ids = append(ids, f.Rule)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		d, ok := defs[id]
		if !ok {
			continue
		}
		h.Rules = append(h.Rules, htmlRule{ID: clean(id, maxIDLength), Category: clean(string(d.Category), maxIDLength),
			Severity: clean(string(d.Severity), maxIDLength), Title: clean(d.Title, maxMessage), Why: clean(d.Why, maxMessage)})
	}
	return h
}

// copysignHalf returns ±0.5 with the sign of v, for rounding to cents.
func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func newHTMLEvidence(e sources.Evidence) htmlEvidence {
	he := htmlEvidence{ID: clean(e.ID, maxIDLength), Kind: clean(string(e.Kind), maxIDLength), Value: clean(e.Value, maxValue),
		Source: clean(e.Origin.Source, maxIDLength), Locator: clean(e.Origin.Locator, maxValue),
		Digest: clean(e.Origin.Digest, maxIDLength)}
	if webURL(e.Origin.Locator) {
		he.URL = e.Origin.Locator
	}
	if !e.Origin.RetrievedAt.IsZero() {
		he.Retrieved = e.Origin.RetrievedAt.UTC().Format(time.RFC3339)
	}
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		he.Attrs = append(he.Attrs, htmlAttr{Key: clean(k, maxIDLength), Value: clean(e.Attrs[k], maxAttr)})
	}
	return he
}

// webURL reports whether a locator is an http(s) URL, to be shown as a
// link; anything else (a local path, an embedded file) is shown as text.
func webURL(s string) bool {
	if len(s) > 4096 || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) || strings.ContainsAny(s, " \"'<>`") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func publisherText(p *risk.Publisher) string {
	s := p.Name
	if p.Country != "" {
		s += ", " + p.Country
	}
	if p.Type != "" {
		s += " (" + p.Type + ")"
	}
	return s
}

func waiverText(w risk.Waiver) string {
	s := "waived: " + w.Reason
	if !w.Expires.IsZero() {
		s += " (until " + w.Expires.UTC().Format("2006-01-02") + ")"
	}
	return s
}

func outcomesInOrder() []risk.Outcome {
	return []risk.Outcome{risk.OutcomeFail, risk.OutcomeError, risk.OutcomeUnknown, risk.OutcomeWaived, risk.OutcomePass, risk.OutcomeNotApplicable}
}

func outcomeRank(o risk.Outcome) int {
	for i, x := range outcomesInOrder() {
		if x == o {
			return i
		}
	}
	return len(outcomesInOrder())
}

func outcomeTitle(o risk.Outcome) string {
	switch o {
	case risk.OutcomeFail:
		return "Failing"
	case risk.OutcomeError:
		return "Broken files"
	case risk.OutcomeUnknown:
		return "Unknown: evidence missing"
	case risk.OutcomeWaived:
		return "Waived"
	case risk.OutcomePass:
		return "Passing"
	case risk.OutcomeNotApplicable:
		return "Not applicable"
	}
	return "Other outcomes"
}

// CSS classes come from fixed sets, never from report text.

func severityClass(s risk.Severity) string {
	if s.Rank() < 0 {
		return "sev-none"
	}
	return "sev-" + string(s)
}

func levelClass(l risk.Level) string {
	if l.Rank() < 0 {
		return "none"
	}
	return string(l)
}

func outcomeClass(o risk.Outcome) string {
	if outcomeRank(o) >= len(outcomesInOrder()) {
		return "out-other"
	}
	return "out-" + string(o)
}

func sourceStateClass(s risk.SourceState) string {
	switch s {
	case risk.StatePartial, risk.StateFailed, risk.StateSkipped:
		return "st-" + string(s)
	}
	return "st-other"
}

// clean makes report text safe to lay out: invalid UTF-8 becomes U+FFFD,
// control characters other than newline and tab become spaces, and text
// longer than limit runes is cut with a note of how much was left out.
// Escaping is left to html/template.
func clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return clip(s, limit)
}

// clip cuts s to limit runes, saying how many were left out.
func clip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := 0
	for i := range s {
		if cut == limit {
			rest := utf8.RuneCountInString(s[i:])
			return s[:i] + fmt.Sprintf("… (%d more characters in the JSON report)", rest)
		}
		cut++
	}
	return s
}

// Drawing constants of the lineage graph, in pixels.
const (
	nodeMinW     = 150.0
	nodeMaxW     = 270.0
	nodePad      = 8.0
	nodeTitleSz  = 12.0
	nodeTextSz   = 11.0
	nodeLineH    = 15.0
	edgeLabelSz  = 10.0
	graphMaxWide = 1180.0
)

// htmlGraph is the lineage drawing of one report.
type htmlGraph struct {
	ID            string
	Width, Height string
	Nodes         []svgNode
	Edges         []svgEdge
	Desc          string
	Hidden        int // subjects folded into "+N more" boxes
}

type svgNode struct {
	X, Y, W, H   string
	Fill, Stroke string
	StrokeWidth  string
	Dash         string
	Class        string
	Href         string
	Title        string
	Lines        []svgText
}

type svgText struct {
	X, Y, Class, Text string
}

type svgEdge struct {
	D, Class, Marker string
	Title, Label     string
	LX, LY, LW, LRX  string
	TX, TY           string
}

// num formats a coordinate.
func num(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }

// nodeLines are the lines of text of a subject's box: its reference, its
// publisher, its license, the worst failing severity with the failing
// rules, and its state when it was not fully read.
func nodeLines(gn graphNode, listed bool) (lines []string, status []string) {
	title := gn.n.Ref
	if title == "" {
		title = gn.n.ID
	}
	lines = append(lines, plain(title))
	if p := gn.n.Publisher; p != nil {
		s := "by " + p.Name
		if p.Country != "" {
			s += " · " + p.Country
		}
		lines = append(lines, plain(s))
	}
	if l := gn.n.License; l != nil {
		lines = append(lines, plain(l.ID+" ("+l.Class+")"))
	}
	if w := gn.worst(); w != "" {
		rules := gn.rules()
		s := strings.ToUpper(string(w)) + ": " + rules[0]
		if len(rules) > 1 {
			s += " +" + strconv.Itoa(len(rules)-1)
		}
		status = append(status, plain(s))
	}
	switch {
	case !listed:
		status = append(status, "UNKNOWN: not in the lineage")
	case gn.unread():
		status = append(status, plain("UNREAD: "+gn.state()))
	case gn.state() != "":
		status = append(status, plain(gn.state()))
	}
	return lines, status
}

func newHTMLGraph(g *lineageView, anchor string) htmlGraph {
	hg := htmlGraph{ID: anchor}
	if len(g.nodes) == 0 {
		return hg
	}
	type boxText struct {
		lines, status []string
		w             float64
	}
	texts := make([]boxText, len(g.nodes))
	boxes := make([]layoutBox, len(g.nodes))
	outDeg := map[string]int{}
	for _, e := range g.r.Lineage.Edges {
		outDeg[e.From]++
	}
	for i, gn := range g.nodes {
		_, listed := g.r.NodeByID(gn.n.ID)
		lines, status := nodeLines(gn, listed)
		w := 0.0
		for k, l := range lines {
			sz, bold := nodeTextSz, false
			if k == 0 {
				sz, bold = nodeTitleSz, true
			}
			w = max(w, textWidth(l, sz, bold))
		}
		for _, l := range status {
			w = max(w, textWidth(l, nodeTextSz, true))
		}
		w = min(nodeMaxW, max(nodeMinW, w+2*nodePad))
		n := len(lines) + len(status)
		boxes[i] = layoutBox{W: w, H: 2*nodePad + float64(n)*nodeLineH, Priority: nodePriority(gn, outDeg[gn.n.ID])}
		texts[i] = boxText{lines, status, w}
	}
	var edges [][2]int
	for _, e := range g.r.Lineage.Edges {
		edges = append(edges, [2]int{g.index[e.From], g.index[e.To]})
	}
	root := 0
	if k, ok := g.index[g.r.Subject.PURL]; ok {
		root = k
	}
	labelW := func(k int) float64 {
		return textWidth(plain(relationLabel(g.r.Lineage.Edges[k])), edgeLabelSz, false) + 8
	}
	lay := layoutGraph(boxes, edges, root, layoutConfig{
		MaxWidth: graphMaxWide, NodeGap: 28, RowGap: 40, LayerGap: 76, Margin: 12, MaxRows: 2,
		MoreW: 170, MoreH: 2*nodePad + 3*nodeLineH, LabelW: labelW, LabelH: 14,
	})
	hg.Width, hg.Height = num(lay.Width), num(lay.Height)
	for _, pn := range lay.Nodes {
		var sn svgNode
		if pn.Index < 0 {
			sn = moreNode(g, pn, anchor)
			hg.Hidden += len(pn.Hidden)
		} else {
			sn = subjectNode(g, pn, texts[pn.Index].lines, texts[pn.Index].status, pn.Index == root, anchor)
		}
		hg.Nodes = append(hg.Nodes, sn)
	}
	for _, pe := range lay.Edges {
		hg.Edges = append(hg.Edges, svgEdgeOf(g, lay, pe, anchor))
	}
	hg.Desc = fmt.Sprintf("Lineage of %s: %d subjects, %d links.", plain(g.r.Subject.Ref), len(g.nodes), len(g.r.Lineage.Edges))
	return hg
}

// nodePriority ranks subjects for a crowded layer: failing ones first
// (worst first), then unread ones, then those with links of their own.
func nodePriority(gn graphNode, outDeg int) int {
	p := 0
	if w := gn.worst(); w != "" {
		p += 100 + 10*max(0, w.Rank())
	}
	if gn.unread() {
		p += 50
	}
	if outDeg > 0 {
		p += 20
	}
	return p
}

// nodeTextLines places a box's lines of text.
func nodeTextLines(pn placedNode, lines, status []string, w float64) []svgText {
	var out []svgText
	y := pn.Y + nodePad + 11
	x := num(pn.X + nodePad)
	for k, l := range lines {
		cls, sz, bold := "t", nodeTextSz, false
		if k == 0 {
			cls, sz, bold = "h", nodeTitleSz, true
		}
		out = append(out, svgText{X: x, Y: num(y), Class: cls, Text: truncateText(l, w-2*nodePad, sz, bold)})
		y += nodeLineH
	}
	for _, l := range status {
		out = append(out, svgText{X: x, Y: num(y), Class: "s", Text: truncateText(l, w-2*nodePad, nodeTextSz, true)})
		y += nodeLineH
	}
	return out
}

func subjectNode(g *lineageView, pn placedNode, lines, status []string, root bool, anchor string) svgNode {
	gn := g.nodes[pn.Index]
	_, listed := g.r.NodeByID(gn.n.ID)
	sn := svgNode{X: num(pn.X), Y: num(pn.Y), W: num(pn.W), H: num(pn.H), Fill: "#ffffff", Stroke: "#475569", StrokeWidth: "1.5",
		Class: "node", Href: "#" + anchor + "-s" + strconv.Itoa(pn.Index)}
	if stroke, fill, ok := severityColors(gn.worst()); ok {
		sn.Fill, sn.Stroke, sn.StrokeWidth = fill, stroke, "2"
		sn.Class += " " + severityClass(gn.worst())
	} else {
		sn.Class += " sev-none"
	}
	if gn.unread() || !listed {
		sn.Dash = "6 4"
		sn.Class += " unread"
		if gn.worst() == "" {
			sn.Fill, sn.Stroke = "#f1f5f9", "#64748b"
		}
	}
	if root {
		sn.StrokeWidth = "3.5"
		sn.Class += " root"
	}
	sn.Lines = nodeTextLines(pn, lines, status, pn.W)

	tip := []string{plain(gn.n.ID)}
	if gn.n.Ref != "" && gn.n.Ref != gn.n.ID {
		tip = append(tip, plain(gn.ref()))
	}
	if p := gn.n.Publisher; p != nil {
		tip = append(tip, plain("publisher: "+publisherText(p)))
	}
	if l := gn.n.License; l != nil {
		tip = append(tip, plain("license: "+l.ID+" ("+l.Class+")"))
	}
	if gn.n.State != "" && gn.n.State != risk.NodeCollected {
		tip = append(tip, plain(string(gn.n.State)+": "+gn.n.Reason))
	}
	for _, f := range gn.fails {
		tip = append(tip, plain("fails "+f.rule+" ("+string(f.severity)+")"))
	}
	sn.Title = clip(strings.Join(tip, "\n"), maxTooltip*2)
	return sn
}

// moreNode draws the box that stands for the subjects a crowded layer
// could not show, coloured by the worst severity failing among them.
func moreNode(g *lineageView, pn placedNode, anchor string) svgNode {
	kinds := map[string]int{}
	var worst risk.Severity
	var refs []string
	for _, k := range pn.Hidden {
		gn := g.nodes[k]
		kind := string(gn.n.Kind)
		if kind == "" {
			kind = "subject"
		}
		kinds[kind]++
		if w := gn.worst(); w != "" && w.Rank() > worst.Rank() {
			worst = w
		}
		if len(refs) < 40 {
			refs = append(refs, plain(gn.ref()))
		}
	}
	if len(pn.Hidden) > len(refs) {
		refs = append(refs, fmt.Sprintf("… and %d more", len(pn.Hidden)-len(refs)))
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%d %s", kinds[k], plain(k)))
	}
	sn := svgNode{X: num(pn.X), Y: num(pn.Y), W: num(pn.W), H: num(pn.H), Fill: "#f8fafc", Stroke: "#94a3b8", StrokeWidth: "1.5",
		Dash: "2 3", Class: "node more", Href: "#" + anchor + "-lineage-table"}
	status := []string{"listed in the table below"}
	if stroke, fill, ok := severityColors(worst); ok {
		sn.Fill, sn.Stroke = fill, stroke
		sn.Class += " " + severityClass(worst)
		status = []string{"worst: " + strings.ToUpper(string(worst))}
	}
	lines := []string{fmt.Sprintf("+%d more", len(pn.Hidden)), strings.Join(parts, ", ")}
	sn.Lines = nodeTextLines(pn, lines, status, pn.W)
	sn.Title = clip(strings.Join(refs, "\n"), maxTooltip*4)
	return sn
}

func svgEdgeOf(g *lineageView, lay *graphLayout, pe placedEdge, anchor string) svgEdge {
	p := pe.P
	se := svgEdge{
		D: "M" + num(p[0].X) + " " + num(p[0].Y) + " C" + num(p[1].X) + " " + num(p[1].Y) + " " +
			num(p[2].X) + " " + num(p[2].Y) + " " + num(p[3].X) + " " + num(p[3].Y),
		Class: "edge", Marker: "url(#" + anchor + "-arrow)",
	}
	declared := true
	var rels []string
	seen := map[string]bool{}
	for _, k := range pe.Edges {
		e := g.r.Lineage.Edges[k]
		declared = declared && e.Declared
		if l := plain(relationLabel(e)); !seen[l] {
			seen[l] = true
			rels = append(rels, l)
		}
	}
	if !declared {
		se.Class += " undeclared"
	}
	if pe.Kind == edgeBack || pe.Kind == edgeSelf {
		se.Class += " back"
		se.Marker = "url(#" + anchor + "-arrow-back)"
	}
	label := strings.Join(rels, ", ")
	if len(pe.Edges) > 1 {
		label += " ×" + strconv.Itoa(len(pe.Edges))
	}
	label = truncateText(label, 200, edgeLabelSz, false)
	w := textWidth(label, edgeLabelSz, false) + 8
	se.Label = label
	se.LX, se.LY, se.LW, se.LRX = num(pe.Label.X-w/2), num(pe.Label.Y-7), num(w), "3"
	se.TX, se.TY = num(pe.Label.X), num(pe.Label.Y+3.5)
	from, to := lay.Nodes[pe.From], lay.Nodes[pe.To]
	name := func(pn placedNode) string {
		if pn.Index < 0 {
			return fmt.Sprintf("+%d more", len(pn.Hidden))
		}
		return plain(g.nodes[pn.Index].ref())
	}
	kind := ""
	switch pe.Kind {
	case edgeBack:
		kind = " (points back up: a cycle or a link to a shallower subject)"
	case edgeSelf:
		kind = " (a subject linked to itself)"
	}
	se.Title = clip(name(from)+" → "+name(to)+": "+strings.Join(rels, ", ")+kind, maxTooltip)
	return se
}
