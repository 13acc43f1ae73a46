package batch

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

// SummaryFormats lists the formats WriteSummary writes.
func SummaryFormats() []string { return []string{"table", "csv", "markdown", "html"} }

// WriteSummary writes s to w in format: "table" (aligned text for a
// terminal), "csv" (one row per item, a section column saying which list
// it belongs to), "markdown" (GitHub-flavoured) or "html" (one
// self-contained page, no scripts). The same summary always gives the same
// bytes. Every string taken from reports is sanitized for the format:
// control and bidirectional-override characters are replaced, Markdown and
// HTML are escaped, and CSV text cells that a spreadsheet would run as a
// formula are prefixed with a quote.
func WriteSummary(w io.Writer, s *Summary, format string) error {
	if s == nil {
		return errors.New("batch: write summary: no summary; build one with NewSummary")
	}
	v := viewOf(s)
	var err error
	switch format {
	case "table":
		err = writeTable(w, v)
	case "csv":
		err = writeCSV(w, v)
	case "markdown":
		err = writeMarkdown(w, v)
	case "html":
		err = summaryPage.Execute(w, v)
	default:
		return fmt.Errorf("batch: unknown summary format %q; want one of %s", format, strings.Join(SummaryFormats(), ", "))
	}
	if err != nil {
		return fmt.Errorf("batch: write %s summary: %w", format, err)
	}
	return nil
}

// summaryView is a Summary ready to print: sorted, formatted, cleaned.
type summaryView struct {
	Total, Assessed, Failed int
	Top                     int
	Levels                  []levelRow
	Rules                   []ruleRow
	Riskiest                []riskRow
	Ancestors               []ancestorRow
	Failures                []Failure
	// MoreFailures is how many failed entries Failures leaves out.
	MoreFailures int
}

type levelRow struct {
	Level   string
	Entries int
	Share   string
}

type ruleRow struct {
	Rule, Title   string
	Fail, Unknown int
}

type riskRow struct {
	Rank                       int
	Ref, ID, Level, Score, Top string
}

type ancestorRow struct {
	Rank               int
	Ref, ID, Publisher string
	Entries            int
	Points             string
}

// levelOrder lists levels most severe first.
var levelOrder = []risk.Level{risk.LevelCritical, risk.LevelHigh, risk.LevelMedium, risk.LevelLow}

func viewOf(s *Summary) summaryView {
	v := summaryView{Total: s.Total, Assessed: s.Assessed, Failed: s.Failed, Top: s.top,
		MoreFailures: max(s.Failed-len(s.Failures), 0)}
	for _, l := range levelOrder {
		share := "-"
		if s.Assessed > 0 {
			share = strconv.FormatFloat(100*float64(s.ByLevel[l])/float64(s.Assessed), 'f', 1, 64) + "%"
		}
		v.Levels = append(v.Levels, levelRow{Level: string(l), Entries: s.ByLevel[l], Share: share})
	}
	titles := map[string]string{}
	if defs, err := risk.Definitions(); err == nil {
		for _, d := range defs {
			titles[d.ID] = d.Title
		}
	}
	for id, c := range s.ByRule {
		v.Rules = append(v.Rules, ruleRow{Rule: clean(id), Title: titles[id], Fail: c.Fail, Unknown: c.Unknown})
	}
	sort.Slice(v.Rules, func(i, j int) bool {
		a, b := v.Rules[i], v.Rules[j]
		if a.Fail != b.Fail {
			return a.Fail > b.Fail
		}
		if a.Unknown != b.Unknown {
			return a.Unknown > b.Unknown
		}
		return a.Rule < b.Rule
	})
	for i, r := range s.Riskiest {
		v.Riskiest = append(v.Riskiest, riskRow{Rank: i + 1, Ref: clean(orID(r.Ref, r.ID)), ID: clean(r.ID),
			Level: clean(string(r.Level)), Score: strconv.FormatFloat(r.Score, 'f', 2, 64), Top: clean(r.TopRule)})
	}
	for i, a := range s.Ancestors {
		v.Ancestors = append(v.Ancestors, ancestorRow{Rank: i + 1, Ref: clean(orID(a.Ref, a.ID)), ID: clean(a.ID),
			Publisher: clean(a.Publisher), Entries: a.Entries, Points: strconv.FormatFloat(a.Points, 'f', 2, 64)})
	}
	for _, f := range s.Failures {
		v.Failures = append(v.Failures, Failure{Key: clean(f.Key), Reason: clean(f.Reason)})
	}
	return v
}

func orID(ref, id string) string {
	if ref != "" {
		return ref
	}
	return id
}

// clean replaces control characters, bidirectional controls (which can
// make text read differently from what it is) and invalid UTF-8 with
// U+FFFD, so a hostile string cannot break a line, a cell or the reading
// order.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == '\uFFFD' || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate shortens s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n-1 {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// Cell limits: the table keeps columns readable, Markdown keeps a comment
// within what code hosts accept.
const (
	tableMaxCell    = 80
	markdownMaxCell = 600
)

func writeTable(w io.Writer, v summaryView) error {
	bw := bufio.NewWriter(w)
	c := func(s string) string { return truncate(s, tableMaxCell) }
	section := func(title string, header string, rows [][]string) {
		fmt.Fprintf(bw, "\n%s\n", title)
		if len(rows) == 0 {
			fmt.Fprintln(bw, "  none")
			return
		}
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, header)
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
	}
	fmt.Fprintf(bw, "Batch summary: %d entries, %d assessed, %d failed\n", v.Total, v.Assessed, v.Failed)

	var rows [][]string
	for _, l := range v.Levels {
		rows = append(rows, []string{l.Level, strconv.Itoa(l.Entries), l.Share})
	}
	section("Levels", "LEVEL\tENTRIES\tSHARE", rows)

	rows = nil
	for _, r := range v.Rules {
		rows = append(rows, []string{c(r.Rule), strconv.Itoa(r.Fail), strconv.Itoa(r.Unknown), c(r.Title)})
	}
	section("Rules (entries with a failing or unknown finding)", "RULE\tFAIL\tUNKNOWN\tTITLE", rows)

	rows = nil
	for _, r := range v.Riskiest {
		rows = append(rows, []string{strconv.Itoa(r.Rank), r.Score, r.Level, c(r.Top), c(r.Ref)})
	}
	section(fmt.Sprintf("Riskiest entries (top %d)", v.Top), "#\tSCORE\tLEVEL\tTOP RULE\tENTRY", rows)

	rows = nil
	for _, a := range v.Ancestors {
		rows = append(rows, []string{strconv.Itoa(a.Rank), a.Points, strconv.Itoa(a.Entries), c(a.Publisher), c(a.Ref)})
	}
	section(fmt.Sprintf("Ancestors carrying inherited risk (top %d by points)", v.Top), "#\tPOINTS\tENTRIES\tPUBLISHER\tANCESTOR", rows)

	rows = nil
	for _, f := range v.Failures {
		rows = append(rows, []string{c(f.Key), c(f.Reason)})
	}
	section(fmt.Sprintf("Failed entries (%d)", v.Failed), "ENTRY\tREASON", rows)
	if v.MoreFailures > 0 {
		fmt.Fprintf(bw, "  and %d more\n", v.MoreFailures)
	}
	return bw.Flush()
}

// csvHeader is the header of the CSV summary; each section fills the
// columns that apply to it (see docs/batch-internals.md).
var csvHeader = []string{"section", "rank", "name", "id", "publisher", "level", "score", "fail", "unknown", "entries", "points", "detail"}

func writeCSV(w io.Writer, v summaryView) error {
	cw := csv.NewWriter(w)
	row := func(section, rank, name, id, publisher, level, score, fail, unknown, entries, points, detail string) {
		cw.Write([]string{section, rank, csvText(name), csvText(id), csvText(publisher), level, score, fail, unknown, entries, points, csvText(detail)})
	}
	cw.Write(csvHeader)
	itoa := strconv.Itoa
	row("totals", "", "entries", "", "", "", "", "", "", itoa(v.Total), "", "")
	row("totals", "", "assessed", "", "", "", "", "", "", itoa(v.Assessed), "", "")
	row("totals", "", "failed", "", "", "", "", "", "", itoa(v.Failed), "", "")
	for _, l := range v.Levels {
		row("level", "", l.Level, "", "", l.Level, "", "", "", itoa(l.Entries), "", "")
	}
	for _, r := range v.Rules {
		row("rule", "", r.Rule, "", "", "", "", itoa(r.Fail), itoa(r.Unknown), "", "", r.Title)
	}
	for _, r := range v.Riskiest {
		row("riskiest", itoa(r.Rank), r.Ref, r.ID, "", r.Level, r.Score, "", "", "", "", r.Top)
	}
	for _, a := range v.Ancestors {
		row("ancestor", itoa(a.Rank), a.Ref, a.ID, a.Publisher, "", "", "", "", itoa(a.Entries), a.Points, "")
	}
	for _, f := range v.Failures {
		row("failed", "", f.Key, "", "", "", "", "", "", "", "", f.Reason)
	}
	cw.Flush()
	return cw.Error()
}

// csvText guards a text cell against formula injection: a cell that starts
// with a character spreadsheets read as a formula gets a leading quote.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeMarkdown(w io.Writer, v summaryView) error {
	bw := bufio.NewWriter(w)
	t := func(s string) string { return report.MarkdownText(truncate(s, markdownMaxCell)) }
	code := func(s string) string { return mdCode(truncate(s, markdownMaxCell)) }
	fmt.Fprintf(bw, "# Batch summary\n\n**%d** entries: **%d** assessed, **%d** failed.\n", v.Total, v.Assessed, v.Failed)

	fmt.Fprintf(bw, "\n## Levels\n\n| Level | Entries | Share |\n|---|--:|--:|\n")
	for _, l := range v.Levels {
		fmt.Fprintf(bw, "| %s | %d | %s |\n", l.Level, l.Entries, l.Share)
	}

	fmt.Fprintf(bw, "\n## Rules\n\nEntries with at least one failing or unknown finding of the rule, on the subject or an ancestor.\n\n")
	if len(v.Rules) == 0 {
		fmt.Fprintln(bw, "None.")
	} else {
		fmt.Fprintf(bw, "| Rule | Fail | Unknown | Title |\n|---|--:|--:|---|\n")
		for _, r := range v.Rules {
			fmt.Fprintf(bw, "| %s | %d | %d | %s |\n", code(r.Rule), r.Fail, r.Unknown, t(r.Title))
		}
	}

	fmt.Fprintf(bw, "\n## Riskiest entries (top %d)\n\n", v.Top)
	if len(v.Riskiest) == 0 {
		fmt.Fprintln(bw, "None.")
	} else {
		fmt.Fprintf(bw, "| # | Score | Level | Entry | Top rule |\n|--:|--:|---|---|---|\n")
		for _, r := range v.Riskiest {
			fmt.Fprintf(bw, "| %d | %s | %s | %s | %s |\n", r.Rank, r.Score, t(r.Level), code(r.Ref), code(r.Top))
		}
	}

	fmt.Fprintf(bw, "\n## Ancestors carrying inherited risk (top %d by points)\n\n", v.Top)
	if len(v.Ancestors) == 0 {
		fmt.Fprintln(bw, "None.")
	} else {
		fmt.Fprintf(bw, "| # | Points | Entries | Ancestor | Publisher |\n|--:|--:|--:|---|---|\n")
		for _, a := range v.Ancestors {
			fmt.Fprintf(bw, "| %d | %s | %d | %s | %s |\n", a.Rank, a.Points, a.Entries, code(a.Ref), t(a.Publisher))
		}
	}

	fmt.Fprintf(bw, "\n## Failed entries (%d)\n\n", v.Failed)
	if len(v.Failures) == 0 {
		fmt.Fprintln(bw, "None.")
	} else {
		fmt.Fprintf(bw, "| Entry | Reason |\n|---|---|\n")
		for _, f := range v.Failures {
			fmt.Fprintf(bw, "| %s | %s |\n", code(f.Key), t(f.Reason))
		}
		if v.MoreFailures > 0 {
			fmt.Fprintf(bw, "\nAnd %d more.\n", v.MoreFailures)
		}
	}
	return bw.Flush()
}

// mdCode writes s as an inline code span of the Markdown report; empty s
// is written as empty.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return report.MarkdownCode(s)
}

//go:embed summary.html.tmpl
var summaryHTML string

var summaryPage = template.Must(template.New("summary").Parse(summaryHTML))
