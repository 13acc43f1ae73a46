package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
)

func (st *state) snapshotCommand() *cobra.Command {
	var (
		af  assessFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "snapshot REF... --out DIR",
		Short: "Record what assessing REFs reads from the Hub into an offline snapshot",
		Long: `Assess each REF, walking its whole lineage, and write every Hub answer read
on the way (repository info, file trees, commits, cards and configuration
files) into DIR, laid out as the Hub's URL paths. Files are written under the
commit each reference resolved to and under the branch asked for (main when
none), so that

  pedigree score --offline DIR REF

reproduces the online report without the network, apart from timestamps.
Local folders are assessed but not recorded, and the local Hugging Face cache
is not used, so that every file comes from the Hub and lands in the snapshot.
With --offline SRC the snapshot is cut from another snapshot instead of the Hub.`,
		Example: `  pedigree snapshot hf:TheBloke/Llama-2-7B-Chat-GGUF --out ./snap
  pedigree score --offline ./snap hf:TheBloke/Llama-2-7B-Chat-GGUF`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("--out: give the directory to write the snapshot to")
			}
			var rec *huggingface.Recorder
			wrap := func(s huggingface.Store) (huggingface.Store, error) {
				if s == nil {
					return nil, usageErr("snapshot needs the Hub or an --offline snapshot to read from, and HF_HUB_OFFLINE is set")
				}
				r, err := huggingface.Record(s, out)
				if err != nil {
					return nil, usageErr("--out: %v", err)
				}
				rec = r
				return r, nil
			}
			eng, _, err := st.engine(af, args, wrap)
			if err != nil {
				return err
			}
			err = st.assessEach(cmd.Context(), eng, args, func(arg string, rep *risk.Report) error {
				for _, s := range rep.Sources {
					if s.State == risk.StateFailed || s.State == risk.StatePartial {
						fmt.Fprintf(st.stderr, "pedigree: %s: %s %s: %s\n", arg, s.Source, s.Subject, s.Reason)
					}
				}
				fmt.Fprintf(st.stdout, "%s: %d subjects in its lineage\n", arg, len(rep.Lineage.Nodes))
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(st.stdout, "wrote %d files to %s\n", rec.Written(), out)
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the snapshot to (created if missing)")
	return cmd
}
