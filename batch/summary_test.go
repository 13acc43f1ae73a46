package batch

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// formatExt maps summary formats to golden file extensions.
var formatExt = map[string]string{"table": "txt", "csv": "csv", "markdown": "md", "html": "html"}

// sampleSummary summarizes the sample reports and one entry that could not
// be assessed.
func sampleSummary(t testing.TB, reps []*risk.Report, top int) *Summary {
	t.Helper()
	s := NewSummary(top)
	for _, r := range reps {
		s.Add(r)
	}
	s.AddFailed("hf:nobody/missing-model", "not_found: huggingface: get model nobody/missing-model: not found")
	return s
}

func TestSummaryGolden(t *testing.T) {
	s := sampleSummary(t, sampleReports(t), 5)
	for _, format := range SummaryFormats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSummary(&buf, s, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "summary."+formatExt[format])
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v; run go test ./batch -run TestSummaryGolden -update", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestSummaryCounts(t *testing.T) {
	reps := sampleReports(t)
	s := sampleSummary(t, reps, 100)
	if s.Total != len(reps)+1 || s.Assessed != len(reps) || s.Failed != 1 {
		t.Errorf("Total, Assessed, Failed = %d, %d, %d; want %d, %d, 1", s.Total, s.Assessed, s.Failed, len(reps)+1, len(reps))
	}
	wantLevels := map[risk.Level]int{}
	for _, r := range reps {
		wantLevels[r.Score.Level]++
	}
	if diff := cmp.Diff(wantLevels, s.ByLevel); diff != "" {
		t.Errorf("ByLevel (-want +got):\n%s", diff)
	}

	// Recompute every definition the plain way, over all reports at once.
	wantRules := map[string]RuleCount{}
	type anc struct {
		entries int
		centi   int64
	}
	wantAnc := map[string]*anc{}
	var wantRisk []SubjectScore
	for _, r := range reps {
		fails, unknowns := map[string]bool{}, map[string]bool{}
		for _, f := range r.Findings {
			if f.Outcome == risk.OutcomeFail {
				fails[f.Rule] = true
			}
			if f.Outcome == risk.OutcomeUnknown || f.Outcome == risk.OutcomeError {
				unknowns[f.Rule] = true
			}
		}
		for rule := range fails {
			c := wantRules[rule]
			c.Fail++
			wantRules[rule] = c
		}
		for rule := range unknowns {
			c := wantRules[rule]
			c.Unknown++
			wantRules[rule] = c
		}
		on := map[string]int64{}
		for _, c := range r.Score.Contributions {
			if c.Subject != r.Lineage.Nodes[0].ID {
				on[c.Subject] += centi(c.Points)
			}
		}
		for id, p := range on {
			if wantAnc[id] == nil {
				wantAnc[id] = &anc{}
			}
			wantAnc[id].entries++
			wantAnc[id].centi += p
		}
		wantRisk = append(wantRisk, SubjectScore{Ref: r.Subject.Ref, ID: r.Subject.PURL, Score: r.Score.Value,
			Level: r.Score.Level, TopRule: r.Score.Contributions[0].Rule})
	}
	if diff := cmp.Diff(wantRules, s.ByRule); diff != "" {
		t.Errorf("ByRule (-want +got):\n%s", diff)
	}
	sort.SliceStable(wantRisk, func(i, j int) bool { return riskier(wantRisk[i], wantRisk[j]) })
	if diff := cmp.Diff(wantRisk, s.Riskiest); diff != "" {
		t.Errorf("Riskiest (-want +got):\n%s", diff)
	}
	if len(s.Ancestors) != len(wantAnc) {
		t.Fatalf("%d ancestors; want %d", len(s.Ancestors), len(wantAnc))
	}
	for i, a := range s.Ancestors {
		w := wantAnc[a.ID]
		if w == nil || w.entries != a.Entries || float64(w.centi)/100 != a.Points {
			t.Errorf("ancestor %s: %d entries, %.2f points; want %+v", a.ID, a.Entries, a.Points, w)
		}
		if i > 0 && s.Ancestors[i-1].Points < a.Points {
			t.Errorf("ancestors not by points: %v before %v", s.Ancestors[i-1].Points, a.Points)
		}
		if a.Ref == "" || a.ID == "" {
			t.Errorf("ancestor %+v has no ref", a)
		}
	}
	// The local Llama 2 base is an ancestor of two samples; Meta's Llama 2
	// on the Hub carries its publisher.
	if !slices.ContainsFunc(s.Ancestors, func(a AncestorRisk) bool {
		return a.Ref == "../llama-2-7b-base" && a.Entries == 2
	}) {
		t.Errorf("the local Llama 2 base is not counted in two entries: %+v", s.Ancestors)
	}
	if !slices.ContainsFunc(s.Ancestors, func(a AncestorRisk) bool {
		return strings.HasPrefix(a.ID, "pkg:huggingface/meta-llama/") && a.Publisher == "Meta Platforms, Inc."
	}) {
		t.Errorf("no Llama 2 ancestor with its publisher: %+v", s.Ancestors)
	}
}

func TestSummaryOrderAndTop(t *testing.T) {
	reps := sampleReports(t)
	for _, top := range []int{1, 2, 3} {
		want := sampleSummary(t, reps, 100)
		rev := slices.Clone(reps)
		slices.Reverse(rev)
		got := sampleSummary(t, rev, top)
		if got.Top() != top {
			t.Errorf("Top() = %d; want %d", got.Top(), top)
		}
		if diff := cmp.Diff(want.Riskiest[:top], got.Riskiest); diff != "" {
			t.Errorf("top %d riskiest, reports reversed (-want +got):\n%s", top, diff)
		}
		if diff := cmp.Diff(want.Ancestors[:top], got.Ancestors); diff != "" {
			t.Errorf("top %d ancestors, reports reversed (-want +got):\n%s", top, diff)
		}
	}
	if NewSummary(0).Top() != DefaultTop {
		t.Errorf("NewSummary(0).Top() = %d; want %d", NewSummary(0).Top(), DefaultTop)
	}

	// Failures keep the first keys whatever the order, and count them all.
	s := NewSummary(2)
	for _, k := range []string{"d", "b", "c", "a"} {
		s.AddFailed(k, "reason "+k)
	}
	if diff := cmp.Diff([]Failure{{"a", "reason a"}, {"b", "reason b"}}, s.Failures); diff != "" {
		t.Errorf("Failures (-want +got):\n%s", diff)
	}
	if s.Failed != 4 || s.Total != 4 {
		t.Errorf("Failed, Total = %d, %d; want 4, 4", s.Failed, s.Total)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, s, "table"); err != nil || !strings.Contains(buf.String(), "and 2 more") {
		t.Errorf("table of 4 failures listing 2 does not say the rest: %v\n%s", err, buf.String())
	}
}

func TestSummaryFailedRoot(t *testing.T) {
	s := NewSummary(3)
	s.Add(nil)
	s.Add(&risk.Report{Subject: risk.SubjectInfo{Ref: "hf:gone/model"}, Score: risk.Score{Value: 45, Level: risk.LevelMedium},
		Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: "pkg:huggingface/gone/model", State: risk.NodeFailed, Reason: "not_found: gone"}}}})
	want := &Summary{Total: 1, Failed: 1, Failures: []Failure{{"hf:gone/model", "not_found: gone"}}}
	if s.Total != want.Total || s.Failed != want.Failed || s.Assessed != 0 || len(s.ByLevel) != 0 || len(s.Riskiest) != 0 {
		t.Errorf("summary of a report whose subject failed: %+v", s)
	}
	if diff := cmp.Diff(want.Failures, s.Failures); diff != "" {
		t.Errorf("Failures (-want +got):\n%s", diff)
	}
}

func TestWriteSummaryUnknownFormat(t *testing.T) {
	err := WriteSummary(&bytes.Buffer{}, NewSummary(1), "pdf")
	if err == nil || !strings.Contains(err.Error(), `"pdf"`) || !strings.Contains(err.Error(), "table, csv, markdown, html") {
		t.Errorf("WriteSummary(pdf) = %v; want an error listing the formats", err)
	}
	if err := WriteSummary(&bytes.Buffer{}, nil, "table"); err == nil {
		t.Error("WriteSummary(nil summary) succeeded")
	}
}

// hostile are strings a catalog or a publisher could put in a report.
var hostile = []string{
	`<script>alert("x")</script>`,
	"line one\nline two\r\n| --- | injected |",
	"=HYPERLINK(\"http://evil.example\",\"click\")",
	"+cmd|' /C calc'!A0",
	"@everyone #1 [link](javascript:alert(1)) **bold** `code` ``` ~~strike~~",
	"\u202eevil\u2066reversed\u2069 \x00\x1b[31mred\x1b[0m",
	"\xff\xfe invalid utf-8",
	`"quotes", 'single' & ampersand \ backslash`,
	strings.Repeat("huge-", 20_000),
}

func hostileSummary() *Summary {
	s := NewSummary(len(hostile))
	for i, h := range hostile {
		root := fmt.Sprintf("pkg:huggingface/x/%d", i)
		anc := "pkg:huggingface/" + h
		s.Add(&risk.Report{
			Subject: risk.SubjectInfo{Ref: h, PURL: root},
			Score: risk.Score{Value: float64(i), Level: risk.Level(h), Contributions: []risk.Contribution{
				{Rule: h, Subject: root, Points: 1}, {Rule: "license-conflict", Subject: anc, Points: 1e300}}},
			Findings: []risk.Finding{{Rule: h, Outcome: risk.OutcomeFail}},
			Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: root, State: risk.NodeCollected},
				{ID: anc, Ref: h, Publisher: &risk.Publisher{Name: h}}}},
		})
		s.AddFailed(h, h)
	}
	return s
}

func TestSummaryHostile(t *testing.T) {
	s := hostileSummary()
	out := map[string]string{}
	for _, format := range SummaryFormats() {
		var buf bytes.Buffer
		if err := WriteSummary(&buf, s, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out[format] = buf.String()
		if !utf8.ValidString(out[format]) {
			t.Errorf("%s: output is not valid UTF-8", format)
		}
		for _, bad := range []string{"\u202e", "\u2066", "\x00", "\x1b"} {
			if strings.Contains(out[format], bad) {
				t.Errorf("%s: output contains %q", format, bad)
			}
		}
	}

	// HTML: no markup from the strings, only text.
	for _, bad := range []string{"<script", "href", "<b>", `"x")`} {
		if strings.Contains(out["html"], bad) {
			t.Errorf("html: output contains %q", bad)
		}
	}
	// Markdown: outside code spans (rendered verbatim), no markup, links,
	// mentions or HTML.
	text := outsideCodeSpans(out["markdown"])
	for _, bad := range []string{"<script", "](javascript", "**bold**", "@everyone", "~~strike~~"} {
		if strings.Contains(text, bad) {
			t.Errorf("markdown: text outside code spans contains %q", bad)
		}
	}

	// Markdown: every table row is one line with the table's cell count.
	for _, line := range strings.Split(out["markdown"], "\n") {
		if !strings.HasPrefix(line, "|") {
			if strings.Contains(line, "injected") || strings.Contains(line, "line two") {
				t.Errorf("markdown: a hostile string broke out of its cell: %q", truncate(line, 200))
			}
			continue
		}
		if cells := len(strings.Split(strings.ReplaceAll(line, `\|`, ""), "|")); cells < 4 || cells > 7 {
			t.Errorf("markdown: row with %d cells: %q", cells-2, truncate(line, 200))
		}
	}

	// CSV: parses back, one record per item, formulas neutralized.
	records, err := csv.NewReader(strings.NewReader(out["csv"])).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse back: %v", err)
	}
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("csv: cell starts a formula: %q", truncate(cell, 80))
			}
		}
	}
	if want := 1 + 3 + 4 + len(s.ByRule) + len(s.Riskiest) + len(s.Ancestors) + len(s.Failures); len(records) != want {
		t.Errorf("csv has %d records; want %d", len(records), want)
	}

	// Table: no line is longer than its cells allow.
	for _, line := range strings.Split(out["table"], "\n") {
		if n := utf8.RuneCountInString(line); n > 5*tableMaxCell+50 {
			t.Errorf("table: line of %d characters", n)
		}
	}
	if strings.Count(out["table"], "\n") > 200 {
		t.Errorf("table: %d lines for %d hostile strings", strings.Count(out["table"], "\n"), len(hostile))
	}
}

func TestMarkdownEscapes(t *testing.T) {
	tests := []struct{ in, code, text string }{
		{"a|b", "`a\\|b`", `a\|b`},
		{"x`y", "``x`y``", "x\\`y"},
		{"`edge`", "`` `edge` ``", "\\`edge\\`"},
		{"<b>&", "`<b>&`", "&lt;b&gt;&amp;"},
		{"@user", "`@user`", "@&#8203;user"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := mdCode(tc.in); got != tc.code {
			t.Errorf("mdCode(%q) = %q; want %q", tc.in, got, tc.code)
		}
		if got := report.MarkdownText(tc.in); got != tc.text {
			t.Errorf("MarkdownText(%q) = %q; want %q", tc.in, got, tc.text)
		}
	}
	if got := clean("a\nb\u202ec\xffd"); got != "a\uFFFDb\uFFFDc\uFFFDd" {
		t.Errorf("clean = %q", got)
	}
	if got := truncate("αβγδε", 3); got != "αβ…" {
		t.Errorf("truncate = %q; want αβ…", got)
	}
	if got := truncate("αβγ", 3); got != "αβγ" {
		t.Errorf("truncate = %q; want αβγ", got)
	}
}

// outsideCodeSpans returns md without its inline code spans, line by line
// (a table row keeps its spans within the line).
func outsideCodeSpans(md string) string {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		lines[i] = lineOutsideCodeSpans(l)
	}
	return strings.Join(lines, "\n")
}

func lineOutsideCodeSpans(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] == '\\' && i+1 < len(md) {
			b.WriteString(md[i : i+2])
			i += 2
			continue
		}
		if md[i] != '`' {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		fence := md[i : i+n]
		end := -1
		for j := i + n; j < len(md); {
			k := strings.Index(md[j:], fence)
			if k < 0 {
				break
			}
			k += j
			m := 0
			for k+m < len(md) && md[k+m] == '`' {
				m++
			}
			if m == n {
				end = k + n
				break
			}
			j = k + m
		}
		if end < 0 {
			b.WriteString(md[i:])
			break
		}
		i = end
	}
	return b.String()
}
