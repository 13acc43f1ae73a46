package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

func renderHTML(t testing.TB, reps ...*risk.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, reps, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	for _, name := range sampleReports {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "html/"+name+".html", []byte(renderHTML(t, loadReport(t, name))))
		})
	}
	t.Run("multi", func(t *testing.T) {
		got := renderHTML(t, loadReport(t, "local-pickle"), loadReport(t, "swapped-weights"))
		checkGolden(t, "html/multi.html", []byte(got))
	})
}

// svgBlocks returns every inline <svg> element of a page.
func svgBlocks(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for rest := page; ; {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			return out
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatalf("an <svg> element is not closed")
		}
		out = append(out, rest[i:i+j+len("</svg>")])
		rest = rest[i+j+len("</svg>"):]
	}
}

// checkSVG parses an SVG element as strict XML and returns how many
// elements of each class it holds (a "node sev-high" counts for both).
func checkSVG(t *testing.T, svg string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	classes := map[string]int{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 && (el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg") {
				t.Errorf("outer element %v, want svg in the SVG namespace", el.Name)
			}
			for _, a := range el.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("event handler attribute %s=%q in the SVG", a.Name.Local, a.Value)
				}
				if a.Name.Local == "class" {
					for _, c := range strings.Fields(a.Value) {
						classes[el.Name.Local+"."+c]++
					}
				}
			}
			if el.Name.Local == "script" || el.Name.Local == "foreignObject" {
				t.Errorf("<%s> inside the SVG", el.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Errorf("SVG ends at depth %d", depth)
	}
	return classes
}

func TestHTMLStructure(t *testing.T) {
	t.Parallel()
	for _, name := range sampleReports {
		t.Run(name, func(t *testing.T) {
			r := loadReport(t, name)
			page := renderHTML(t, r)
			svgs := svgBlocks(t, page)
			if len(svgs) != 1 {
				t.Fatalf("%d <svg> elements, want 1", len(svgs))
			}
			classes := checkSVG(t, svgs[0])
			if got, want := classes["g.node"], len(newLineageView(r).nodes); got != want {
				t.Errorf("%d subject boxes, want %d", got, want)
			}
			if got, want := classes["g.edge"], 2*len(r.Lineage.Edges); got != want {
				t.Errorf("%d edge groups (curve and label), want %d", got, want)
			}
			if got := classes["g.root"]; got != 1 {
				t.Errorf("%d boxes marked as the assessed subject, want 1", got)
			}
			for _, n := range newLineageView(r).nodes {
				if w := n.worst(); w != "" && classes["g.sev-"+string(w)] == 0 {
					t.Errorf("no box coloured %s for %s", w, n.n.ID)
				}
			}
			if got := strings.Count(page, `<article class="finding `); got != len(r.Findings) {
				t.Errorf("%d findings shown, want %d", got, len(r.Findings))
			}
			if got := strings.Count(page, `<tr id="r1-s`); got != len(newLineageView(r).nodes) {
				t.Errorf("%d subjects in the lineage table, want %d", got, len(newLineageView(r).nodes))
			}
			if got := strings.Count(page, `<td class="num">+`); got != len(r.Score.Contributions) {
				t.Errorf("%d contributions shown, want %d", got, len(r.Score.Contributions))
			}
			if len(r.Score.Contributions) > 0 && !strings.Contains(page, fmt.Sprintf(`<td class="num">%.2f</td><td colspan="6">total = score`, r.Score.Value)) {
				t.Errorf("the contributions' total is not shown as equal to the score %.2f", r.Score.Value)
			}
			for _, s := range r.Sources {
				if s.State != risk.StateSucceeded && !strings.Contains(page, `<span class="badge st-`+string(s.State)+`">`) {
					t.Errorf("source state %s of %s is not shown", s.State, s.Subject)
				}
			}
			checkSelfContained(t, page)
			if again := renderHTML(t, r); again != page {
				t.Error("two renderings of one report differ")
			}
		})
	}
}

// htmlTag matches a start tag of the page: report text is escaped, so
// every "<" followed by a letter starts a tag the template wrote.
var htmlTag = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)((?:[^>"]|"[^"]*")*)>`)

// htmlAttrRE matches an attribute of a start tag.
var htmlAttrRE = regexp.MustCompile(`([a-zA-Z:-]+)(?:="([^"]*)")?`)

// allowedTags are the elements the template writes.
var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "header": true, "nav": true,
	"section": true, "h1": true, "h2": true, "h3": true, "div": true, "span": true, "dl": true, "dt": true, "dd": true,
	"p": true, "b": true, "br": true, "code": true, "a": true, "table": true, "thead": true, "tbody": true, "tfoot": true,
	"tr": true, "th": true, "td": true, "figure": true, "figcaption": true, "article": true, "ul": true, "li": true,
	"svg": true, "desc": true, "defs": true, "marker": true, "path": true, "g": true, "rect": true, "text": true,
}

// checkSelfContained fails when the page would load anything (scripts,
// stylesheets, images, fonts, frames) or holds an element or attribute
// the template does not write, such as an event handler.
func checkSelfContained(t testing.TB, page string) {
	t.Helper()
	for _, m := range htmlTag.FindAllStringSubmatch(page, -1) {
		tag := strings.ToLower(m[1])
		if !allowedTags[tag] {
			t.Errorf("the page holds a <%s> element", tag)
		}
		for _, a := range htmlAttrRE.FindAllStringSubmatch(m[2], -1) {
			name, value := strings.ToLower(a[1]), a[2]
			switch {
			case strings.HasPrefix(name, "on"), name == "src", name == "srcset", name == "xlink:href", name == "action", name == "formaction":
				t.Errorf("<%s> has a %s attribute", tag, name)
			case name == "href" && !strings.HasPrefix(value, "#") && !strings.HasPrefix(value, "https://") && !strings.HasPrefix(value, "http://"):
				t.Errorf("<%s> links to %q", tag, value)
			case name == "style" && !regexp.MustCompile(`^width: [0-9.]+%$`).MatchString(value):
				t.Errorf("<%s> has the style %q", tag, value)
			}
		}
	}
	if strings.Contains(strings.ToLower(page), "@import") {
		t.Error("the page imports a stylesheet")
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("the page loads %s", m[0])
		}
	}
}

// TestHTMLEvidenceLinks shows web locators as links and local paths as
// text, with digests.
func TestHTMLEvidenceLinks(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, loadReport(t, "labess"))
	if !strings.Contains(page, `<a href="https://huggingface.co/api/models/linagora/Labess-7b-chat">https://huggingface.co/api/models/linagora/Labess-7b-chat</a>`) {
		t.Error("the Hub locator is not a link")
	}
	if !strings.Contains(page, `<code class="digest">sha256:471eb257419082de268b063e9eeaad50b290ff8e2320507d7b4dd947e15f3004</code>`) {
		t.Error("the evidence digest is not shown")
	}
	local := renderHTML(t, loadReport(t, "local-pickle"))
	if strings.Contains(local, `<a href="/work`) || strings.Contains(local, `href="file:`) {
		t.Error("a local path is a link")
	}
	if !strings.Contains(local, `<code>/work/main/testdata/models/pickle-only`) {
		t.Error("a local path is not shown as text")
	}
}

func TestWebURL(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"https://huggingface.co/api/models/a/b":      true,
		"http://example.com/x?y=1&z=2":               true,
		"/work/main/testdata/models/x/config.json":   false,
		"embedded:sources/knowledge/publishers.yaml": false,
		"javascript:alert(1)":                        false,
		"https://":                                   false,
		`https://example.com/"><script>alert(1)</x>`: false,
		"https://user:pw@example.com/":               false,
		"HTTPS://EXAMPLE.COM/A":                      true,
		"https://example.com/\nnext":                 false,
	} {
		if got := webURL(s); got != want {
			t.Errorf("webURL(%q) = %v, want %v", s, got, want)
		}
	}
}

// hostileHTMLReport fills every field a page shows with markup, quotes,
// control characters and very long text.
func hostileHTMLReport(s string) *risk.Report {
	r := hostileReport()
	evil := `"><script>alert(1)</script><img src=x onerror=alert(2)>` + s
	root := r.Lineage.Nodes[0].ID
	r.Subject = risk.SubjectInfo{Ref: evil, PURL: root, Kind: sources.SubjectKind(evil), Revision: evil}
	r.Tool = risk.ToolInfo{Name: evil, Version: evil}
	r.Policy = risk.PolicyInfo{Name: evil, Digest: evil, File: evil,
		Waivers: []risk.WaiverState{{Waiver: risk.Waiver{Rule: evil, Subject: evil, Reason: evil, Expires: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)}, State: evil}}}
	r.Score = risk.Score{Value: 42, Level: risk.Level(evil), Categories: map[risk.Category]risk.CategoryScore{risk.CategoryOrigin: {Value: 1e9, Level: risk.Level(evil)}},
		Contributions: []risk.Contribution{{Rule: evil, Category: risk.Category(evil), Subject: evil, Outcome: risk.Outcome(evil), Base: 42, Points: 42, Findings: []string{evil, "f-1"}}}}
	r.Lineage.Nodes[0].Ref = evil
	r.Lineage.Nodes[0].Publisher = &risk.Publisher{Name: evil, Country: evil, Type: evil}
	r.Lineage.Nodes[0].License = &risk.NodeLicense{ID: evil, Class: evil}
	r.Lineage.Nodes[0].Reason = evil
	r.Lineage.Nodes[0].Kind = sources.SubjectKind(evil)
	r.Lineage.Edges = append(r.Lineage.Edges, risk.Edge{From: root, To: r.Lineage.Nodes[2].ID, Relation: sources.Relation(evil)})
	huge := strings.Repeat("</title></text></svg><script>x</script>", 2000)
	r.Findings = append(r.Findings,
		risk.Finding{ID: "f-1", Rule: evil, Category: risk.Category(evil), Severity: risk.Severity(evil), Outcome: risk.OutcomeFail,
			Subject: root, Path: []string{root, evil}, Message: evil + "\n" + huge, Remediation: evil, Evidence: []string{"ev-1", "ev-2", evil},
			Waiver: &risk.Waiver{Reason: evil}},
		risk.Finding{ID: evil, Rule: "r", Severity: risk.SeverityHigh, Outcome: risk.Outcome(evil), Subject: evil})
	r.Evidence = []sources.Evidence{
		{ID: "ev-1", Subject: root, Kind: sources.EvidenceKind(evil), Value: huge, Attrs: map[string]string{evil: evil, "z": huge},
			Origin: sources.Origin{Source: evil, Locator: "javascript:alert(3)", Digest: evil}},
		{ID: "ev-2", Subject: root, Kind: "file", Value: evil,
			Origin: sources.Origin{Source: "hub", Locator: `https://example.com/"><script>alert(4)</script>`}},
	}
	r.Sources = []risk.SourceStatus{{Source: evil, Subject: evil, State: risk.SourceState(evil), Reason: evil}}
	return r
}

func TestHTMLHostileStrings(t *testing.T) {
	t.Parallel()
	r := hostileHTMLReport("\x00\x1b[31m\xff\u202e")
	page := renderHTML(t, r, r)
	checkSelfContained(t, page)
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile name is not shown escaped")
	}
	if strings.ContainsAny(page, "\x00\x1b") || strings.Contains(page, "\xff") {
		t.Error("control characters or invalid UTF-8 reach the page")
	}
	if !strings.Contains(page, "more characters in the JSON report") {
		t.Error("a huge message is not clipped")
	}
	if len(page) > 2<<20 {
		t.Errorf("the page is %d bytes: huge values are not clipped", len(page))
	}
	svgs := svgBlocks(t, page)
	if len(svgs) != 2 {
		t.Fatalf("%d <svg> elements, want 2", len(svgs))
	}
	for _, s := range svgs {
		checkSVG(t, s)
	}
	if strings.Count(page, `id="r1-arrow"`) != 1 || strings.Count(page, `id="r2-arrow"`) != 1 {
		t.Error("arrow markers of two reports share an id")
	}
	// Classes come from fixed sets, whatever the report says.
	for _, m := range regexp.MustCompile(`class="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !regexp.MustCompile(`^[a-z0-9_ -]*$`).MatchString(m[1]) {
			t.Errorf("class %q comes from report text", m[1])
		}
	}
}

// FuzzHTMLEscaping puts arbitrary text into every field of a report: the
// page must hold no markup from it and its SVG must stay well-formed XML.
func FuzzHTMLEscaping(f *testing.F) {
	for _, s := range []string{"", "<script>alert(1)</script>", `"'><svg onload=x>`, "]]><!--", "&amp;&#0;", "\x00\x01\n\r\t", "\xff\xfe", "模型\u202e", "</title>", "javascript:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := hostileHTMLReport(s)
		r.Lineage.Nodes[1].Ref = s
		r.Lineage.Edges[0].Relation = sources.Relation(s)
		page := renderHTML(t, r)
		for _, svg := range svgBlocks(t, page) {
			checkSVG(t, svg)
		}
		checkSelfContained(t, page)
	})
}

// TestHTMLWideLineage draws a model with 60 packages: the crowded layer is
// folded into a "+N more" box, and the table still lists every package.
func TestHTMLWideLineage(t *testing.T) {
	t.Parallel()
	root := "file:///models/app"
	r := &risk.Report{Subject: risk.SubjectInfo{Ref: "./app", PURL: root},
		Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: root, Ref: "./app", State: risk.NodeCollected}}}}
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("pkg:pypi/package-%02d@1.0.%d", i, i)
		r.Lineage.Nodes = append(r.Lineage.Nodes, risk.LineageNode{ID: id, Ref: id, Kind: "package", Depth: 1, State: risk.NodeCollected})
		r.Lineage.Edges = append(r.Lineage.Edges, risk.Edge{From: root, To: id, Relation: sources.RelDependsOn, Declared: true})
	}
	vuln := "pkg:pypi/package-55@1.0.55"
	r.Findings = []risk.Finding{{ID: "f-1", Rule: "dependency-vulnerable", Severity: risk.SeverityCritical, Outcome: risk.OutcomeFail, Subject: vuln, Path: []string{root, vuln}}}
	page := renderHTML(t, r)
	svgs := svgBlocks(t, page)
	classes := checkSVG(t, svgs[0])
	if classes["g.more"] != 1 {
		t.Fatalf("%d +N more boxes, want 1", classes["g.more"])
	}
	shown := classes["g.node"] - 1 - 1 // without the root and the +N more box
	m := regexp.MustCompile(`>(?:\+|&#43;)(\d+) more<`).FindStringSubmatch(page)
	if m == nil || m[1] != fmt.Sprint(60-shown) {
		t.Errorf("+N more box says %v, want +%d", m, 60-shown)
	}
	if classes["g.sev-critical"] != 1 {
		t.Error("the failing package is not drawn")
	}
	if got := strings.Count(page, `<tr id="r1-s`); got != 61 {
		t.Errorf("%d subjects in the table, want 61", got)
	}
	if !strings.Contains(page, "subjects of crowded layers are folded") {
		t.Error("the caption does not explain the folded subjects")
	}
}

func TestWriteHTMLErrors(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteHTML(&b, nil, HTMLOptions{}); err == nil || !strings.Contains(err.Error(), "no reports") {
		t.Errorf("no reports: %v", err)
	}
	if err := WriteHTML(&b, []*risk.Report{smallReport(), nil}, HTMLOptions{}); err == nil || !strings.Contains(err.Error(), "report 2 of 2 is nil") {
		t.Errorf("nil report: %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("%d bytes written on error", b.Len())
	}
	// An empty report renders: there is nothing to draw, and it says so.
	if err := WriteHTML(&b, []*risk.Report{{}}, HTMLOptions{}); err != nil || !strings.Contains(b.String(), "lineage lists no subjects") {
		t.Errorf("empty report: %v", err)
	}
}

// shortWriter fails once limit bytes have been written.
type shortWriter struct {
	limit, n int
}

var errDiskFull = errors.New("disk full")

func (w *shortWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n = w.limit
		return k, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestWriteHTMLReportsWriteErrors(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{0, 100, 10000} {
		err := WriteHTML(&shortWriter{limit: limit}, []*risk.Report{smallReport()}, HTMLOptions{})
		if !errors.Is(err, errDiskFull) {
			t.Errorf("limit %d: error %v, want one wrapping %v", limit, err, errDiskFull)
		}
	}
}

// TestHTMLRuleDefinitions uses the rules given in the options for titles.
func TestHTMLRuleDefinitions(t *testing.T) {
	t.Parallel()
	r := smallReport()
	r.Score.Contributions = []risk.Contribution{{Rule: "license-noncommercial", Subject: r.Lineage.Nodes[1].ID, Outcome: risk.OutcomeFail, Points: 35, Base: 35}}
	r.Score.Value = 35
	var b bytes.Buffer
	defs := []risk.Definition{{ID: "license-noncommercial", Title: "A title <from> the options", Why: "because", Category: risk.CategoryLicense, Severity: risk.SeverityHigh}}
	if err := WriteHTML(&b, []*risk.Report{r}, HTMLOptions{Rules: defs}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "A title &lt;from&gt; the options") || !strings.Contains(b.String(), "because") {
		t.Error("the rule title from the options is not shown")
	}
	page := renderHTML(t, r)
	all, err := risk.Definitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		if d.ID == "license-noncommercial" && !strings.Contains(page, escapeText(d.Title)) {
			t.Errorf("the built-in title %q is not shown", d.Title)
		}
	}
}

// escapeText escapes text the way html/template does in HTML text.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}
