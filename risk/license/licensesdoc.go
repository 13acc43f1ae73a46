package license

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Known returns every license in the package's table, in the table's order
// (grouped by class), with the aliases the table also accepts left out.
func Known() []Info {
	out := make([]Info, len(table))
	for i, e := range table {
		out[i] = e.Info
		out[i].Obligations = slices.Clone(e.Obligations)
	}
	return out
}

// WriteMarkdownTable renders the table of known licenses as the Markdown of
// the generated part of docs/licenses.md: one row per license with its id,
// name, class, obligations (with the user cap and naming notice where the
// license has them), family and URL, grouped by class from the least
// restrictive to the most. It returns the first write error.
func WriteMarkdownTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	known := Known()
	for _, c := range Classes() {
		var rows []Info
		for _, i := range known {
			if i.Class == c {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			continue
		}
		p("\n### `%s`\n\n", c)
		p("| id | name | obligations | family | text |\n|---|---|---|---|---|\n")
		for _, i := range rows {
			p("| `%s` | %s | %s | %s | %s |\n", i.ID, cell(i.Name), obligationCell(i), i.Family, urlCell(i.URL))
		}
	}
	return bw.Flush()
}

// obligationCell lists a license's obligations for the table, with the cap
// and naming notice in parentheses.
func obligationCell(i Info) string {
	if len(i.Obligations) == 0 {
		return "none"
	}
	parts := make([]string, len(i.Obligations))
	for k, o := range i.Obligations {
		parts[k] = "`" + string(o) + "`"
		switch {
		case o == ObligationUserCap && i.UserCap > 0:
			parts[k] += " (" + strings.TrimPrefix(i.Describe(o), "the ") + ")"
		case o == ObligationNaming && i.NamingNotice != "":
			parts[k] += ` ("` + i.NamingNotice + `")`
		}
	}
	return strings.Join(parts, ", ")
}

// cell escapes the characters that would break a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`).Replace(s)
}

// urlCell links a license text, or says it is not recorded.
func urlCell(u string) string {
	if u == "" {
		return "not recorded"
	}
	return "<" + u + ">"
}
