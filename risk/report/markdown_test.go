package report

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
)

func renderMarkdown(t testing.TB, reps []*risk.Report, opts MarkdownOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, reps, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestMarkdownGolden(t *testing.T) {
	var all []*risk.Report
	for _, name := range sampleReports {
		r := loadReport(t, name)
		all = append(all, r)
		got := renderMarkdown(t, []*risk.Report{r}, MarkdownOptions{})
		checkMarkdownShape(t, name, got)
		checkGolden(t, "markdown/"+name+".md", []byte(got))
	}
	got := renderMarkdown(t, all, MarkdownOptions{})
	checkMarkdownShape(t, "all", got)
	if !strings.Contains(got, "| Subject | Risk | Score | Fail | Unknown or error |") {
		t.Error("several reports: no summary table")
	}
	checkGolden(t, "markdown/all.md", []byte(got))
}

// checkMarkdownShape checks what every rendering must hold: it fits a
// GitHub comment, and its collapsible sections and code fences are closed.
func checkMarkdownShape(t *testing.T, name, md string) {
	t.Helper()
	if len(md) > MarkdownLimit {
		t.Errorf("%s: %d bytes, over the %d limit", name, len(md), MarkdownLimit)
	}
	if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%s: %d <details> but %d </details>", name, o, c)
	}
	fences := 0
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			fences++
		}
	}
	if fences%2 != 0 {
		t.Errorf("%s: %d fence lines: one is not closed", name, fences)
	}
}

var mdItem = regexp.MustCompile(`(?m)^(\d+)\. (❌|❔) `)

// TestMarkdownFindingsOrder checks on every sample that failures come
// before unknowns and errors, and that TopFindings bounds the list.
func TestMarkdownFindingsOrder(t *testing.T) {
	for _, name := range sampleReports {
		r := loadReport(t, name)
		counts := mdCounts(r)
		total := counts[risk.OutcomeFail] + counts[risk.OutcomeUnknown] + counts[risk.OutcomeError]
		for _, top := range []int{1, 3, 100} {
			md := renderMarkdown(t, []*risk.Report{r}, MarkdownOptions{TopFindings: top})
			items := mdItem.FindAllStringSubmatch(md, -1)
			if want := min(top, total); len(items) != want {
				t.Errorf("%s top %d: %d findings listed, want %d", name, top, len(items), want)
			}
			seenOther := false
			for i, it := range items {
				if it[1] != fmt.Sprint(i+1) {
					t.Errorf("%s: item %d numbered %s", name, i+1, it[1])
				}
				if it[2] == "❔" {
					seenOther = true
				} else if seenOther {
					t.Errorf("%s top %d: a failure is listed after an unknown", name, top)
				}
			}
			if more := strings.Contains(md, "more finding(s)"); more != (total > top) {
				t.Errorf("%s top %d: 'more findings' note = %v with %d findings", name, top, more, total)
			}
		}
	}
}

// mdOutsideCode removes fenced blocks and inline code spans, which GitHub
// renders verbatim, leaving what Markdown would interpret.
func mdOutsideCode(md string) string {
	var out strings.Builder
	inFence := ""
	for _, l := range strings.Split(md, "\n") {
		if inFence != "" {
			if strings.TrimSpace(l) == inFence {
				inFence = ""
			}
			continue
		}
		if strings.HasPrefix(l, "```") {
			inFence = strings.TrimRight(l, "abcdefghijklmnopqrstuvwxyz")
			continue
		}
		for i := 0; i < len(l); {
			if l[i] == '\\' && i+1 < len(l) {
				out.WriteString(l[i : i+2])
				i += 2
				continue
			}
			if l[i] != '`' {
				out.WriteByte(l[i])
				i++
				continue
			}
			n := 0
			for i+n < len(l) && l[i+n] == '`' {
				n++
			}
			delim := strings.Repeat("`", n)
			end := -1
			for j := i + n; j < len(l); {
				k := strings.Index(l[j:], delim)
				if k < 0 {
					break
				}
				k += j
				if (k+n == len(l) || l[k+n] != '`') && (k == 0 || l[k-1] != '`') {
					end = k
					break
				}
				j = k + n
			}
			if end < 0 {
				out.WriteString(l[i:])
				break
			}
			out.WriteString("CODE")
			i = end + n
		}
		out.WriteByte('\n')
	}
	return out.String()
}

func TestMarkdownHostile(t *testing.T) {
	r := hostileRenderReport()
	for _, reps := range [][]*risk.Report{{r}, {r, r}} {
		md := renderMarkdown(t, reps, MarkdownOptions{TopFindings: 5})
		checkMarkdownShape(t, "hostile", md)
		if again := renderMarkdown(t, reps, MarkdownOptions{TopFindings: 5}); again != md {
			t.Error("two renderings of one report differ")
		}
		for _, bad := range []string{"\x00", "\x1b", "\r", "\u202e", "\xff"} {
			if strings.Contains(md, bad) {
				t.Errorf("output holds %q", bad)
			}
		}
		prose := mdOutsideCode(md)
		for _, tag := range []string{"<details>", "<summary>", "</summary>", "</details>"} {
			prose = strings.ReplaceAll(prose, tag, "")
		}
		for _, l := range strings.Split(prose, "\n") {
			if strings.HasPrefix(l, "> [!") {
				continue
			}
			l = strings.TrimPrefix(l, "> ")
			if strings.ContainsAny(l, "<>") {
				t.Errorf("raw angle bracket outside code: %q", l)
			}
			if regexp.MustCompile(`(^|[^\\])[\[\]]`).MatchString(l) {
				t.Errorf("unescaped bracket outside code: %q", l)
			}
			if regexp.MustCompile(`@[A-Za-z0-9]`).MatchString(l) {
				t.Errorf("a mention outside code: %q", l)
			}
			if strings.HasPrefix(l, "|") {
				cells := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1))
				if cells != 5 && cells != 4 && cells != 7 {
					t.Errorf("table row with %d unescaped pipes: %q", cells, l)
				}
			}
		}
	}
}

func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":                `a\|b`,
		"<img src=x>":        "&lt;img src=x&gt;",
		"[x](http://e)":      `\[x\]\(http\://e\)`,
		"@team #12":          "@&#8203;team #&#8203;12",
		"line\nbreak":        "line break",
		"*a* _b_ ~c~ $x$ \\": `\*a\* \_b\_ \~c\~ \$x\$ \\`,
		"rtl\u202eevil":      "rtl\uFFFDevil",
		"1. list":            `1\. list`,
		"\xff":               "\uFFFD",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"hf:a/b":      "`hf:a/b`",
		"a`b":         "``a`b``",
		"`x`":         "`` `x` ``",
		"a|b":         "`a\\|b`",
		"x\ny":        "`x y`",
		"":            "(empty)",
		"<script>@me": "`<script>@me`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMarkdownTruncation renders more than a comment holds: the output
// stays under the limit, ends with the note, and leaves no section open.
func TestMarkdownTruncation(t *testing.T) {
	var samples, reps []*risk.Report
	for _, name := range sampleReports {
		samples = append(samples, loadReport(t, name))
	}
	for range 30 {
		reps = append(reps, samples...)
	}
	md := renderMarkdown(t, reps, MarkdownOptions{TopFindings: 1000})
	checkMarkdownShape(t, "many", md)
	if !strings.Contains(md, "Truncated to stay within GitHub's 65536-character comment limit") {
		t.Error("no truncation note")
	}
	if len(md) < MarkdownLimit/2 {
		t.Errorf("only %d bytes: truncation left out far too much", len(md))
	}
}

func TestMarkdownEmptyAndNil(t *testing.T) {
	if md := renderMarkdown(t, nil, MarkdownOptions{}); !strings.Contains(md, "No subject was assessed") {
		t.Errorf("empty: %q", md)
	}
	if err := WriteMarkdown(&bytes.Buffer{}, []*risk.Report{loadReport(t, "labess"), nil}, MarkdownOptions{}); err == nil || !strings.Contains(err.Error(), "report 2 is nil") {
		t.Errorf("nil report: err = %v", err)
	}
}

func TestMarkdownWriteError(t *testing.T) {
	err := WriteMarkdown(sarifFailWriter{}, []*risk.Report{loadReport(t, "labess")}, MarkdownOptions{})
	if !errors.Is(err, errSARIFWrite) {
		t.Errorf("err = %v, want the writer's error", err)
	}
}
