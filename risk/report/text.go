package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
)

// TextOptions tune the text rendering.
type TextOptions struct {
	// TopReasons is how many contributions to explain; 0 means 10.
	TopReasons int
}

// WriteText writes r for a person at a terminal: the score and level, the
// lineage as a tree, the assessed subject's weight files with their
// inspection verdicts, the score per category, and the top reasons with the
// path through which each was inherited.
func WriteText(w io.Writer, r *risk.Report, opts TextOptions) error {
	if opts.TopReasons <= 0 {
		opts.TopReasons = 10
	}
	tw := &textWriter{w: w}
	root := r.Root()
	tw.printf("Pedigree report for %s\n", r.Subject.Ref)
	tw.printf("  subject  %s\n", r.Subject.PURL)
	tw.printf("  score    %.2f / 100  %s\n", r.Score.Value, strings.ToUpper(string(r.Score.Level)))
	pol := r.Policy.Name
	if r.Policy.File != "" {
		pol += " (" + r.Policy.File + ")"
	}
	tw.printf("  policy   %s\n", pol)
	if root.State != risk.NodeCollected {
		tw.printf("  state    %s: %s\n", root.State, root.Reason)
	}

	tw.printf("\nLineage\n")
	writeTree(tw, r, "  ", func(id string) string { return nodeText(r, id) })

	writeWeightFiles(tw, r, root.ID)

	tw.printf("\nRisk by category\n")
	for _, c := range risk.Categories {
		cs := r.Score.Categories[c]
		tw.printf("  %-13s %6.2f  %s\n", c, cs.Value, cs.Level)
	}

	byID := map[string]risk.Finding{}
	for _, f := range r.Findings {
		byID[f.ID] = f
	}
	tw.printf("\nTop reasons\n")
	if len(r.Score.Contributions) == 0 {
		tw.printf("  none: no rule failed or lacked evidence\n")
	}
	for i, c := range r.Score.Contributions {
		if i == opts.TopReasons {
			tw.printf("  ... %d more in the JSON report\n", len(r.Score.Contributions)-i)
			break
		}
		f := byID[firstOr(c.Findings)]
		tw.printf("  %2d. +%5.2f  %s  %s, %s  on %s\n", i+1, c.Points, c.Rule, f.Severity, c.Outcome, refOf(r, c.Subject))
		tw.printf("             %s\n", f.Message)
		if len(f.Path) > 1 {
			tw.printf("             via %s\n", pathText(r, f.Path))
		}
	}

	counts := map[risk.Outcome]int{}
	for _, f := range r.Findings {
		counts[f.Outcome]++
	}
	var parts []string
	for _, o := range []risk.Outcome{risk.OutcomeFail, risk.OutcomeUnknown, risk.OutcomeError, risk.OutcomeWaived, risk.OutcomePass, risk.OutcomeNotApplicable} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	tw.printf("\nFindings: %s\n", strings.Join(parts, ", "))
	for _, ws := range r.Policy.Waivers {
		if ws.State != "used" {
			tw.printf("Waiver %s for %s is %s\n", ws.Rule, ws.Subject, ws.State)
		}
	}
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// refOf returns the user-facing reference of a subject ID.
func refOf(r *risk.Report, id string) string {
	if n, ok := r.NodeByID(id); ok && n.Ref != "" {
		return n.Ref
	}
	return id
}

func pathText(r *risk.Report, path []string) string {
	parts := make([]string, len(path))
	for i, id := range path {
		parts[i] = refOf(r, id)
	}
	return strings.Join(parts, " -> ")
}

// writeTree draws the lineage from the root, following edges, each line
// starting with indent and each subject drawn by label; a subject reached
// again is named but not expanded, and a loop is marked.
func writeTree(tw *textWriter, r *risk.Report, indent string, label func(id string) string) {
	out := map[string][]risk.Edge{}
	for _, e := range r.Lineage.Edges {
		out[e.From] = append(out[e.From], e)
	}
	for k := range out {
		sort.SliceStable(out[k], func(i, j int) bool { return out[k][i].Relation < out[k][j].Relation })
	}
	expanded := map[string]bool{}
	var walk func(id, prefix string, onPath map[string]bool)
	walk = func(id, prefix string, onPath map[string]bool) {
		expanded[id] = true
		edges := out[id]
		for i, e := range edges {
			last := i == len(edges)-1
			branch, indent := "├─ ", "│  "
			if last {
				branch, indent = "└─ ", "   "
			}
			rel := plain(string(e.Relation))
			if !e.Declared {
				rel += " (undeclared)"
			}
			tail := ""
			switch {
			case onPath[e.To]:
				tail = "  (cycle)"
			case expanded[e.To]:
				tail = "  (see above)"
			}
			tw.printf("%s%s%s  %s%s\n", prefix, branch, rel, label(e.To), tail)
			if tail == "" {
				onPath[e.To] = true
				walk(e.To, prefix+indent, onPath)
				delete(onPath, e.To)
			}
		}
	}
	root := r.Root()
	tw.printf("%s%s\n", indent, label(root.ID))
	walk(root.ID, indent, map[string]bool{root.ID: true})
}

func nodeText(r *risk.Report, id string) string {
	n, ok := r.NodeByID(id)
	if !ok {
		return id
	}
	var b strings.Builder
	b.WriteString(nodeRef(n))
	facts := nodeFacts(n)
	if n.State != risk.NodeCollected {
		facts = append(facts, string(n.State)+": "+n.Reason)
	}
	if len(facts) > 0 {
		b.WriteString("  [" + strings.Join(facts, "; ") + "]")
	}
	return b.String()
}

// nodeRef is a node's user-facing reference with its revision shortened.
func nodeRef(n risk.LineageNode) string {
	if n.Revision != "" && !strings.Contains(n.Ref, "@") {
		return n.Ref + "@" + short(n.Revision)
	}
	return n.Ref
}

// nodeFacts describes a node's license and publisher, when known.
func nodeFacts(n risk.LineageNode) []string {
	var facts []string
	if n.License != nil {
		facts = append(facts, "license "+n.License.ID+" ("+n.License.Class+")")
	}
	if n.Publisher != nil {
		p := "by " + n.Publisher.Name
		if n.Publisher.Country != "" {
			p += ", " + n.Publisher.Country
		}
		facts = append(facts, p)
	}
	return facts
}

func short(rev string) string {
	if len(rev) == 40 {
		return rev[:12]
	}
	return rev
}

// maxWeightFiles bounds the weight files the text report lists.
const maxWeightFiles = 20

// writeWeightFiles lists the weight files of the subject id: name, format,
// size, the inspection verdict and the digest of the bytes inspected.
func writeWeightFiles(tw *textWriter, r *risk.Report, id string) {
	verdicts := map[string]sources.Evidence{}
	var files []sources.Evidence
	for _, e := range r.Evidence {
		if e.Subject != id {
			continue
		}
		switch {
		case e.Kind == sources.KindArtifact:
			verdicts[e.Attr("file")] = e
		case e.Kind == sources.KindFile && e.Attr("role") == "weights":
			files = append(files, e)
		}
	}
	if len(files) == 0 {
		return
	}
	tw.printf("\nWeight files\n")
	for i, f := range files {
		if i == maxWeightFiles {
			tw.printf("  ... %d more in the JSON report\n", len(files)-i)
			break
		}
		size := f.Attr("size")
		if size == "" {
			size = "?"
		}
		verdict, digest := "not inspected", ""
		if v, ok := verdicts[f.Value]; ok {
			verdict = v.Value
			if im := v.Attr("imports"); im != "" {
				verdict += " (" + strings.ReplaceAll(im, ",", ", ") + ")"
			}
			if d := v.Origin.Digest; len(d) > 19 {
				digest = "  " + d[:19]
			}
		}
		tw.printf("  %s  %s, %s bytes  %s%s\n", plain(f.Value), plain(f.Attr("format")), plain(size), plain(verdict), digest)
	}
}
