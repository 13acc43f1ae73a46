package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/catalog"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

// reportFormats are the output formats of score and render.
var reportFormats = []string{"text", "json", "markdown", "sarif", "html", "cyclonedx"}

// checkFormat returns a usage error for a format that is not one of
// reportFormats.
func checkFormat(format string) error {
	for _, f := range reportFormats {
		if f == format {
			return nil
		}
	}
	return usageErr("--format %q: want one of %s", format, strings.Join(reportFormats, ", "))
}

// renderReports writes reps in format. defs are the rule definitions of
// the engine that produced them (nil: the built-in ones); root is the
// directory SARIF makes local paths relative to. JSON is JSON Lines when
// lines is set, else one indented document per report.
func renderReports(w io.Writer, format string, reps []*risk.Report, defs []risk.Definition, root string, lines bool) error {
	switch format {
	case "json":
		for _, r := range reps {
			var err error
			if !lines {
				err = report.WriteJSON(w, r)
			} else {
				err = report.WriteJSONLine(w, r)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case "markdown":
		return report.WriteMarkdown(w, reps, report.MarkdownOptions{Rules: defs})
	case "sarif":
		return report.WriteSARIF(w, reps, report.SARIFOptions{Rules: defs, Root: root})
	case "html":
		return report.WriteHTML(w, reps, report.HTMLOptions{Rules: defs})
	case "cyclonedx":
		return report.WriteCycloneDX(w, reps, report.CycloneDXOptions{Rules: defs})
	}
	for i, r := range reps {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := report.WriteText(w, r, report.TextOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// definitions returns the definitions of an engine's rules.
func definitions(eng *risk.Engine) []risk.Definition {
	rules := eng.Rules()
	defs := make([]risk.Definition, len(rules))
	for i, r := range rules {
		defs[i] = r.Def
	}
	return defs
}

func (st *state) renderCommand() *cobra.Command {
	var format, output, failOn string
	cmd := &cobra.Command{
		Use:   "render FILE...",
		Short: "Render saved JSON reports in another format",
		Long: `Render saved reports again, in any format, without assessing anything.

FILE is a JSON report written by 'pedigree score --format json', or a JSON Lines
file of reports ('pedigree batch', or score with several references); "-" reads
standard input. All reports of all files are rendered together, in order.`,
		Example: `  pedigree score --format json -o report.json hf:meta-llama/Llama-2-7b-chat-hf
  pedigree render report.json --format html -o report.html
  pedigree render results.jsonl --format sarif -o pedigree.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			level, err := parseFailOn(failOn)
			if err != nil {
				return err
			}
			var reps []*risk.Report
			for _, name := range args {
				got, err := st.decodeFile(name)
				if err != nil {
					return err
				}
				reps = append(reps, got...)
			}
			if len(reps) == 0 {
				return usageErr("%s: no reports to render", strings.Join(args, ", "))
			}
			root, _ := os.Getwd()
			var buf bytes.Buffer
			if err := renderReports(&buf, format, reps, nil, root, len(reps) > 1); err != nil {
				return runtimeErr(err)
			}
			if err := st.writeOutput(output, buf.Bytes()); err != nil {
				return err
			}
			for _, r := range reps {
				if level != "" && r.Score.Level.AtLeast(level) {
					st.code = worst(st.code, ExitFailedOn)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: "+strings.Join(reportFormats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the output to this file instead of standard output")
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit with code 3 when a report's risk level reaches this level (low, medium, high, critical, or none)")
	return cmd
}

// parseFailOn reads a --fail-on level; "" and "none" give the zero level.
func parseFailOn(s string) (risk.Level, error) {
	if s == "" || s == "none" {
		return "", nil
	}
	l, err := risk.ParseLevel(s)
	if err != nil {
		return "", usageErr("--fail-on: %v", err)
	}
	return l, nil
}

// decodeFile reads the reports of one file ("-": standard input).
func (st *state) decodeFile(name string) ([]*risk.Report, error) {
	var r io.Reader
	if name == "-" {
		r = st.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErr("%v; give a JSON report written by 'pedigree score --format json'", err)
		}
		defer f.Close()
		r = f
	}
	reps, err := report.Decode(r)
	if err != nil {
		return nil, usageErr("%s: %v", name, err)
	}
	return reps, nil
}

// bomHead is how much of a file is read to tell a CycloneDX BOM.
const bomHead = 4096

// expandCatalogs replaces every argument that is a CycloneDX BOM file by
// the references of its model and dataset components. A component that
// names no usable reference is reported (with its position) and skipped;
// the others go on.
func (st *state) expandCatalogs(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil || fi.IsDir() {
			out = append(out, arg)
			continue
		}
		f, err := os.Open(arg)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		head := make([]byte, bomHead)
		n, _ := io.ReadFull(f, head)
		if !catalog.IsCycloneDX(head[:n]) {
			f.Close()
			out = append(out, arg)
			continue
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, runtimeErr(err)
		}
		entries, err := catalog.ReadCycloneDX(f, arg)
		f.Close()
		if err != nil {
			return nil, usageErr("%v", err)
		}
		found := 0
		for _, e := range entries {
			if e.Err != nil {
				st.fail(ExitUsage, e.Err)
				continue
			}
			out = append(out, e.Ref)
			found++
		}
		if found == 0 && len(entries) == 0 {
			st.fail(ExitUsage, errors.New(arg+": the BOM lists no machine-learning-model or data component to assess"))
		}
	}
	return out, nil
}
