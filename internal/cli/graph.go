package cli

import (
	"bytes"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

func (st *state) graphCommand() *cobra.Command {
	var (
		af     assessFlags
		format string
		output string
	)
	cmd := &cobra.Command{
		Use:   "graph REF",
		Short: "Assess a model and draw its lineage as a tree, DOT or Mermaid",
		Long: `Assess REF and draw its resolved lineage: every subject it derives from or
depends on, with its publisher, license and, when it could not be fully read,
its state, and every link with its relation. Links no metadata declares are
dashed; subjects on which rules fail are marked with those rules, colored by
the worst severity in DOT and Mermaid.

--format tree (the default) draws an indented tree for a terminal, dot writes
a Graphviz digraph (render it with 'dot -Tsvg'), mermaid a Mermaid flowchart
(GitHub and GitLab render it inside a mermaid code block). REF is read as by
'pedigree score', which takes the same flags for choosing sources and policy.`,
		Example: `  pedigree graph hf:linagora/Labess-7b-chat --offline testdata/hub
  pedigree graph ./my-model --format dot | dot -Tsvg -o lineage.svg
  pedigree graph hf:TencentARC/VideoPainter --format mermaid -o lineage.mmd`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseGraphFormat(format)
			if err != nil {
				return usageErr("--format %q: want %s", format, graphFormatNames())
			}
			eng, _, err := st.engine(af, args, nil)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			err = st.assessEach(cmd.Context(), eng, args, func(_ string, rep *risk.Report) error {
				if err := report.WriteGraph(&buf, rep, f); err != nil {
					return runtimeErr(err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if buf.Len() == 0 {
				// assessEach reported why there is nothing to draw.
				return nil
			}
			return st.writeOutput(output, buf.Bytes())
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&format, "format", string(report.GraphTree), "output format: "+graphFormatNames())
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the output to this file instead of standard output")
	return cmd
}

// graphFormatNames lists the graph formats for help and errors.
func graphFormatNames() string {
	var names []string
	for _, f := range report.GraphFormats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}
