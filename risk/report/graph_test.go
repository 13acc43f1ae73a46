package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// smallReport is a three-subject lineage: an adapter of a base that fails
// two rules, and an undeclared parent that could not be read.
func smallReport() *risk.Report {
	root := "pkg:huggingface/acme/chat@1111111111111111111111111111111111111111"
	base := "pkg:huggingface/org/base@2222222222222222222222222222222222222222"
	gone := "pkg:huggingface/someone/gone"
	return &risk.Report{
		Subject: risk.SubjectInfo{Ref: "hf:acme/chat", PURL: root},
		Lineage: risk.Lineage{
			Nodes: []risk.LineageNode{
				{ID: root, Ref: "hf:acme/chat", Revision: "1111111111111111111111111111111111111111", State: risk.NodeCollected,
					Publisher: &risk.Publisher{Name: "Acme Corp", Account: "acme", Country: "US"},
					License:   &risk.NodeLicense{ID: "apache-2.0", Class: "permissive"}},
				{ID: base, Ref: "hf:org/base", Revision: "2222222222222222222222222222222222222222", Depth: 1, State: risk.NodePartial,
					Reason:    "offline: could not read the file tree",
					Publisher: &risk.Publisher{Name: "org"},
					License:   &risk.NodeLicense{ID: "cc-by-nc-4.0", Class: "noncommercial"}},
				{ID: gone, Ref: "hf:someone/gone", Depth: 1, State: risk.NodeFailed, Reason: "not_found: no such model"},
			},
			Edges: []risk.Edge{
				{From: root, To: base, Relation: sources.RelAdapter, Declared: true},
				{From: root, To: gone, Relation: sources.RelDerivedFrom},
			},
		},
		Findings: []risk.Finding{
			{Rule: "license-noncommercial", Severity: risk.SeverityHigh, Outcome: risk.OutcomeFail, Subject: base},
			{Rule: "origin-unknown-publisher", Severity: risk.SeverityMedium, Outcome: risk.OutcomeFail, Subject: base},
			{Rule: "license-noncommercial", Severity: risk.SeverityMedium, Outcome: risk.OutcomeFail, Subject: base},
			{Rule: "license-missing", Severity: risk.SeverityHigh, Outcome: risk.OutcomeUnknown, Subject: gone},
			{Rule: "license-conflict", Severity: risk.SeverityCritical, Outcome: risk.OutcomeWaived, Subject: root},
			{Rule: "card-missing", Severity: risk.SeverityLow, Outcome: risk.OutcomePass, Subject: root},
		},
	}
}

func TestWriteGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format GraphFormat
		want   string
	}{
		{GraphTree, `hf:acme/chat@111111111111  [license apache-2.0 (permissive); by Acme Corp, US]
├─ adapter  hf:org/base@222222222222  [license cc-by-nc-4.0 (noncommercial); by org; partial (offline)]  ! license-noncommercial, origin-unknown-publisher
└─ derived_from (undeclared)  hf:someone/gone  [failed (not_found)]
`},
		{GraphDOT, `digraph lineage {
	graph [label="Lineage of hf:acme/chat", labelloc=t, fontname="Helvetica"];
	node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];
	edge [fontname="Helvetica", fontsize=10];

	"pkg:huggingface/acme/chat@1111111111111111111111111111111111111111" [label="hf:acme/chat@111111111111\nlicense apache-2.0 (permissive)\nby Acme Corp, US", tooltip="pkg:huggingface/acme/chat@1111111111111111111111111111111111111111"];
	"pkg:huggingface/org/base@2222222222222222222222222222222222222222" [label="hf:org/base@222222222222\nlicense cc-by-nc-4.0 (noncommercial)\nby org\npartial (offline)\n! license-noncommercial, origin-unknown-publisher", tooltip="pkg:huggingface/org/base@2222222222222222222222222222222222222222\npartial: offline: could not read the file tree\nfails: license-noncommercial (high), origin-unknown-publisher (medium)", color="#b91c1c", fillcolor="#fecaca", penwidth=2, style="rounded,filled"];
	"pkg:huggingface/someone/gone" [label="hf:someone/gone\nfailed (not_found)", tooltip="pkg:huggingface/someone/gone\nfailed: not_found: no such model", style="rounded,dashed"];

	"pkg:huggingface/acme/chat@1111111111111111111111111111111111111111" -> "pkg:huggingface/org/base@2222222222222222222222222222222222222222" [label="adapter"];
	"pkg:huggingface/acme/chat@1111111111111111111111111111111111111111" -> "pkg:huggingface/someone/gone" [label="derived_from (undeclared)", style=dashed];
}
`},
		{GraphMermaid, `flowchart TD
	%% n0: pkg:huggingface/acme/chat@1111111111111111111111111111111111111111
	%% n1: pkg:huggingface/org/base@2222222222222222222222222222222222222222
	%% n2: pkg:huggingface/someone/gone
	n0["hf:acme/chat@111111111111<br/>license apache-2.0 (permissive)<br/>by Acme Corp, US"]
	n1["hf:org/base@222222222222<br/>license cc-by-nc-4.0 (noncommercial)<br/>by org<br/>partial (offline)<br/>! license-noncommercial, origin-unknown-publisher"]
	n2["hf:someone/gone<br/>failed (not_found)"]
	n0 -->|"adapter"| n1
	n0 -.->|"derived_from (undeclared)"| n2
	classDef fail_high fill:#fecaca,stroke:#b91c1c,stroke-width:2px,color:#000
	classDef unread stroke-dasharray:5 5
	class n1 fail_high
	class n2 unread
`},
	}
	for _, tc := range tests {
		t.Run(string(tc.format), func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := WriteGraph(&b, smallReport(), tc.format); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("WriteGraph(%s) (-want +got):\n%s", tc.format, diff)
			}
		})
	}
}

func TestWriteGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		r      *risk.Report
		format GraphFormat
		want   string
	}{
		{"unknown format", smallReport(), "svg", `unknown graph format "svg"`},
		{"no nodes", &risk.Report{}, GraphTree, "no nodes"},
		{"nil report", nil, GraphDOT, "no nodes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := WriteGraph(&bytes.Buffer{}, tc.r, tc.format)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WriteGraph = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteGraphReportsWriteErrors(t *testing.T) {
	t.Parallel()
	for _, f := range GraphFormats() {
		if err := WriteGraph(failingWriter{}, smallReport(), f); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: WriteGraph to a failing writer = %v", f, err)
		}
	}
}

func TestParseGraphFormat(t *testing.T) {
	t.Parallel()
	for _, f := range GraphFormats() {
		got, err := ParseGraphFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseGraphFormat(%q) = %q, %v", f, got, err)
		}
	}
	for _, s := range []string{"", "DOT", "svg", "tree "} {
		if _, err := ParseGraphFormat(s); err == nil {
			t.Errorf("ParseGraphFormat(%q) succeeded", s)
		}
	}
}

// hostileReport is a lineage whose IDs, references and facts hold every
// character that could break DOT or Mermaid quoting, an edge to a subject
// the nodes do not list, a cycle and a repeated node.
func hostileReport() *risk.Report {
	ids := []string{
		`pkg:huggingface/a/"quoted"@rev?x=1&y=2`,
		`file:///models/back\slash\`,
		"pkg:huggingface/b/new\nline\x00nul\xffbad",
		`pkg:huggingface/c/ends-in-backslash-quote\"`,
		`pkg:huggingface/c/ends-in-backslash-quote\\"`,
	}
	r := &risk.Report{Subject: risk.SubjectInfo{Ref: `hf:a/"quoted"`}}
	for i, id := range ids {
		r.Lineage.Nodes = append(r.Lineage.Nodes, risk.LineageNode{ID: id, Ref: `ref [` + id + `] {x} | <b> & #35; ` + "`md`",
			State: risk.NodeSkipped, Reason: "no_source: " + id,
			Publisher: &risk.Publisher{Name: `Evil "Corp"\`, Country: "X]"},
			License:   &risk.NodeLicense{ID: `other"`, Class: `c|d`}})
		if i > 0 {
			r.Lineage.Edges = append(r.Lineage.Edges, risk.Edge{From: ids[i-1], To: id, Relation: "merge", Declared: i%2 == 0})
		}
	}
	r.Lineage.Nodes = append(r.Lineage.Nodes, r.Lineage.Nodes[1])
	r.Lineage.Edges = append(r.Lineage.Edges,
		risk.Edge{From: ids[4], To: ids[0], Relation: `"weird\ relation|`},
		risk.Edge{From: ids[0], To: `pkg:huggingface/not/listed"\`, Relation: "finetune", Declared: true})
	r.Findings = []risk.Finding{{Rule: `rule"\x`, Severity: risk.SeverityCritical, Outcome: risk.OutcomeFail, Subject: ids[1]}}
	return r
}

// dotToken is a token of a DOT file: a quoted string (its raw content,
// between the quotes) or a bare word or punctuation.
type dotToken struct {
	text   string
	quoted bool
}

// lexDOT splits DOT text into tokens. Inside a quoted string, \" and \\
// are read as pairs, as Graphviz does, so neither ends the string. It
// fails on an unterminated string, or a raw control character or invalid
// UTF-8 inside one.
func lexDOT(s string) ([]dotToken, error) {
	var toks []dotToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] < 0x20 || s[j] == 0x7f {
					return nil, fmt.Errorf("raw control byte %#x in a string at %d", s[j], j)
				}
				if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
					j++
				}
			}
			if j == len(s) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			raw := s[i+1 : j]
			if !utf8.ValidString(raw) {
				return nil, fmt.Errorf("invalid UTF-8 in string at %d", i)
			}
			toks = append(toks, dotToken{text: raw, quoted: true})
			i = j + 1
		case strings.HasPrefix(s[i:], "->"):
			toks = append(toks, dotToken{text: "->"})
			i += 2
		case strings.ContainsRune("{}[]=,;", rune(c)):
			toks = append(toks, dotToken{text: string(c)})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\"{}[]=,;", rune(s[j])) && !strings.HasPrefix(s[j:], "->") {
				j++
			}
			toks = append(toks, dotToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// decodeDOT reads the raw content of a quoted string: \" is a quote and
// \\ a backslash, as Graphviz reads escString attributes (label, tooltip);
// with hex, \xHH is the byte dotID wrote for a control character or an
// invalid byte. Other sequences (such as the \n line break) are kept.
func decodeDOT(raw string, hex bool) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			switch n := raw[i+1]; {
			case n == '"' || n == '\\':
				b.WriteByte(n)
				i++
				continue
			case hex && n == 'x' && i+3 < len(raw):
				if v, err := strconv.ParseUint(raw[i+2:i+4], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 3
					continue
				}
			}
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// dotGraph is what parseDOT read: node IDs with their attributes, in the
// order declared, and edges.
type dotGraph struct {
	nodes map[string]map[string]string
	order []string
	edges [][2]string
}

// parseDOT parses one digraph of the shape WriteGraph writes, strictly:
// braces and brackets balance, every statement ends with ';', every ID is
// quoted, and attribute lists are name=value pairs separated by commas.
func parseDOT(s string) (*dotGraph, error) {
	toks, err := lexDOT(s)
	if err != nil {
		return nil, err
	}
	if len(toks) < 3 || toks[0].text != "digraph" || toks[2].text != "{" || toks[len(toks)-1].text != "}" {
		return nil, errors.New("not one digraph { ... }")
	}
	depth := 0
	for _, t := range toks {
		if t.quoted {
			continue
		}
		switch t.text {
		case "{", "[":
			depth++
		case "}", "]":
			depth--
		}
		if depth < 0 {
			return nil, errors.New("unbalanced braces or brackets")
		}
	}
	if depth != 0 {
		return nil, errors.New("unbalanced braces or brackets")
	}
	g := &dotGraph{nodes: map[string]map[string]string{}}
	body := toks[3 : len(toks)-1]
	for len(body) > 0 {
		end := 0
		for end < len(body) && !(body[end].text == ";" && !body[end].quoted) {
			end++
		}
		if end == len(body) {
			return nil, fmt.Errorf("statement without ';': %v", body)
		}
		stmt := body[:end]
		body = body[end+1:]
		attrs := map[string]string{}
		if k := indexTok(stmt, "["); k >= 0 {
			list := stmt[k+1 : len(stmt)-1]
			if stmt[len(stmt)-1].text != "]" {
				return nil, fmt.Errorf("attribute list not closed: %v", stmt)
			}
			for len(list) > 0 {
				if len(list) < 3 || list[1].text != "=" {
					return nil, fmt.Errorf("bad attribute in %v", stmt)
				}
				attrs[list[0].text] = decodeDOT(list[2].text, false)
				list = list[3:]
				if len(list) > 0 {
					if list[0].text != "," {
						return nil, fmt.Errorf("attributes not separated by ',' in %v", stmt)
					}
					list = list[1:]
				}
			}
			stmt = stmt[:k]
		}
		switch {
		case len(stmt) == 1 && !stmt[0].quoted && (stmt[0].text == "graph" || stmt[0].text == "node" || stmt[0].text == "edge"):
		case len(stmt) == 1 && stmt[0].quoted:
			id := decodeDOT(stmt[0].text, true)
			if _, dup := g.nodes[id]; dup {
				return nil, fmt.Errorf("node %q declared twice", id)
			}
			g.nodes[id] = attrs
			g.order = append(g.order, id)
		case len(stmt) == 3 && stmt[0].quoted && stmt[1].text == "->" && !stmt[1].quoted && stmt[2].quoted:
			g.edges = append(g.edges, [2]string{decodeDOT(stmt[0].text, true), decodeDOT(stmt[2].text, true)})
		default:
			return nil, fmt.Errorf("unexpected statement %v (IDs must be quoted)", stmt)
		}
	}
	return g, nil
}

func indexTok(toks []dotToken, s string) int {
	for i, t := range toks {
		if !t.quoted && t.text == s {
			return i
		}
	}
	return -1
}

func TestDOTStructure(t *testing.T) {
	t.Parallel()
	r := hostileReport()
	var b bytes.Buffer
	if err := WriteGraph(&b, r, GraphDOT); err != nil {
		t.Fatal(err)
	}
	g, err := parseDOT(b.String())
	if err != nil {
		t.Fatalf("DOT does not parse: %v\n%s", err, b.String())
	}
	// Every subject is declared once, in report order, under its own ID;
	// the endpoint the nodes do not list is declared after them.
	var want []string
	seen := map[string]bool{}
	for _, n := range r.Lineage.Nodes {
		if !seen[n.ID] {
			seen[n.ID] = true
			want = append(want, n.ID)
		}
	}
	want = append(want, `pkg:huggingface/not/listed"\`)
	if diff := cmp.Diff(want, g.order); diff != "" {
		t.Errorf("declared nodes (-want +got):\n%s", diff)
	}
	if len(g.edges) != len(r.Lineage.Edges) {
		t.Errorf("%d edges, want %d", len(g.edges), len(r.Lineage.Edges))
	}
	for i, e := range g.edges {
		for _, end := range e {
			if _, ok := g.nodes[end]; !ok {
				t.Errorf("edge %d: endpoint %q is not declared", i, end)
			}
		}
		if from, to := e[0], e[1]; from != r.Lineage.Edges[i].From || to != r.Lineage.Edges[i].To {
			t.Errorf("edge %d: %q -> %q, want %q -> %q", i, from, to, r.Lineage.Edges[i].From, r.Lineage.Edges[i].To)
		}
	}
	// Labels read back as written: quotes and backslashes survive, and a
	// newline appears only as the \n line break DOT labels use.
	first := g.nodes[g.order[0]]
	wantLabel := `ref [pkg:huggingface/a/"quoted"@rev?x=1&y=2] {x} | <b> & #35; ` + "`md`" +
		`\nlicense other" (c|d)\nby Evil "Corp"\, X]\nskipped (no_source)`
	if first["label"] != wantLabel {
		t.Errorf("label of the first node:\n got %q\nwant %q", first["label"], wantLabel)
	}
	second := g.nodes[g.order[1]]
	if second["fillcolor"] != "#fca5a5" || !strings.Contains(second["tooltip"], `fails: rule"\x (critical)`) {
		t.Errorf("failing node: fill %q, tooltip %q", second["fillcolor"], second["tooltip"])
	}
	runDot(t, b.Bytes())
}

// TestGoldenDOTRenders renders the CLI's golden DOT drawings of real
// lineages with Graphviz, when it is installed.
func TestGoldenDOTRenders(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "graph", "*.dot"))
	if len(files) == 0 {
		t.Fatal("no golden DOT files in testdata/golden/graph")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		runDot(t, b)
	}
}

// runDot renders DOT with Graphviz when it is installed, and fails on any
// error or warning it prints.
func runDot(t *testing.T, dot []byte) {
	t.Helper()
	path, err := exec.LookPath("dot")
	if err != nil {
		t.Log("Graphviz dot is not installed; skipping the render check")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 || !bytes.Contains(out, []byte("<svg")) {
		t.Errorf("dot -Tsvg: %v\n%s", err, stderr.String())
	}
}

// mermaidNode is a node line of the flowchart: n<i>["label"].
var (
	mermaidNode    = regexp.MustCompile(`^\tn(\d+)\["([^"]*)"\]$`)
	mermaidEdge    = regexp.MustCompile(`^\tn(\d+) (-->|-\.->)\|"([^"|]*)"\| n(\d+)$`)
	mermaidComment = regexp.MustCompile(`^\t%% n\d+: [^\x00-\x1f]*$`)
	mermaidClass   = regexp.MustCompile(`^\t(classDef (fail_(critical|high|medium|low|info)|unread) [a-z:#0-9, -]+|class n\d+ (fail_(critical|high|medium|low|info)|unread))$`)
)

func TestMermaidStructure(t *testing.T) {
	t.Parallel()
	r := hostileReport()
	var b bytes.Buffer
	if err := WriteGraph(&b, r, GraphMermaid); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if lines[0] != "flowchart TD" {
		t.Fatalf("first line %q", lines[0])
	}
	declared := map[string]bool{}
	edges := 0
	for _, l := range lines[1:] {
		switch {
		case mermaidComment.MatchString(l):
		case mermaidNode.MatchString(l):
			m := mermaidNode.FindStringSubmatch(l)
			declared[m[1]] = true
			for _, label := range strings.Split(m[2], "<br/>") {
				if strings.ContainsAny(label, "\"[]{}|<>`&") {
					t.Errorf("label of n%s holds a character Mermaid reads: %q", m[1], label)
				}
				if strings.Contains(regexp.MustCompile(`#([a-z]+|[0-9]+);`).ReplaceAllString(label, ""), "#") {
					t.Errorf("label of n%s holds a # that is not an entity: %q", m[1], label)
				}
			}
		case mermaidEdge.MatchString(l):
			m := mermaidEdge.FindStringSubmatch(l)
			for _, end := range []string{m[1], m[4]} {
				if !declared[end] {
					t.Errorf("edge %q: n%s not declared before it", l, end)
				}
			}
			undeclared := !r.Lineage.Edges[edges].Declared
			if dashed := m[2] == "-.->"; dashed != undeclared {
				t.Errorf("edge %q: dashed %v, want %v", l, dashed, undeclared)
			}
			edges++
		case mermaidClass.MatchString(l):
		default:
			t.Errorf("line %q is not a node, edge, class or comment", l)
		}
	}
	if len(declared) != 6 || edges != len(r.Lineage.Edges) {
		t.Errorf("%d nodes and %d edges, want 6 and %d", len(declared), edges, len(r.Lineage.Edges))
	}
	if !strings.Contains(b.String(), "\tclass n1 fail_critical\n") {
		t.Errorf("the failing node has no fail_critical class:\n%s", b.String())
	}
}

func TestMermaidText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hf:org/name@abc", "hf:org/name@abc"},
		{`say "hi"`, "say #quot;hi#quot;"},
		{"a[b]c{d}e|f", "a#91;b#93;c#123;d#125;e#124;f"},
		{"<script>&amp;", "#lt;script#gt;#amp;amp;"},
		{"#quot; stays text", "#35;quot; stays text"},
		{"`**md**`", "#96;**md**#96;"},
		{"line\nbreak\ttab", "line break tab"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"(parentheses) are fine", "(parentheses) are fine"},
	}
	for _, tc := range tests {
		if got := mermaidText(tc.in); got != tc.want {
			t.Errorf("mermaidText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDOTQuoting(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, id, label string }{
		{"plain", `"plain"`, `"plain"`},
		{`a"b`, `"a\"b"`, `"a\"b"`},
		{`ends\`, `"ends\\"`, `"ends\\"`},
		{"two\nlines", `"two\x0Alines"`, `"two\nlines"`},
		{"bad\xffbyte", `"bad\xFFbyte"`, "\"bad\uFFFDbyte\""},
		{"tab\tand\x00nul", `"tab\x09and\x00nul"`, `"tab and nul"`},
	}
	for _, tc := range tests {
		if got := dotID(tc.in); got != tc.id {
			t.Errorf("dotID(%q) = %s, want %s", tc.in, got, tc.id)
		}
		if got := dotString(tc.in); got != tc.label {
			t.Errorf("dotString(%q) = %s, want %s", tc.in, got, tc.label)
		}
	}
}

// FuzzGraphEscaping checks that any subject ID, reference and relation
// give a DOT graph that parses with every node under its own ID and a
// Mermaid flowchart whose lines all have the expected shape.
func FuzzGraphEscaping(f *testing.F) {
	for _, s := range []string{"", `"`, `\`, `\"`, "a\nb", "\xff", "]|[", "#35;", "<br/>", "`", "pkg:huggingface/a/b@c?d=e"} {
		f.Add(s, s, "finetune")
	}
	f.Fuzz(func(t *testing.T, id, ref, relation string) {
		other := id + "/base"
		r := &risk.Report{Lineage: risk.Lineage{
			Nodes: []risk.LineageNode{{ID: id, Ref: ref}, {ID: other, Ref: ref, State: risk.NodeFailed, Reason: ref}},
			Edges: []risk.Edge{{From: id, To: other, Relation: sources.Relation(relation)}},
		}}
		var dot bytes.Buffer
		if err := WriteGraph(&dot, r, GraphDOT); err != nil {
			t.Fatal(err)
		}
		g, err := parseDOT(dot.String())
		if err != nil {
			t.Fatalf("DOT does not parse: %v\n%s", err, dot.String())
		}
		if len(g.order) != 2 || g.order[0] != id || g.order[1] != other || len(g.edges) != 1 {
			t.Fatalf("nodes %q, edges %q for IDs %q, %q", g.order, g.edges, id, other)
		}
		var mmd bytes.Buffer
		if err := WriteGraph(&mmd, r, GraphMermaid); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(mmd.String(), "\n"), "\n")[1:] {
			if !mermaidComment.MatchString(l) && !mermaidNode.MatchString(l) && !mermaidEdge.MatchString(l) && !mermaidClass.MatchString(l) {
				t.Fatalf("Mermaid line %q has an unexpected shape", l)
			}
		}
		var tree bytes.Buffer
		if err := WriteGraph(&tree, r, GraphTree); err != nil {
			t.Fatal(err)
		}
		if strings.Count(tree.String(), "\n") != 2 {
			t.Fatalf("tree of two subjects is not two lines:\n%s", tree.String())
		}
	})
}
