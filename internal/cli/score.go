package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/all"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/knowledge"
)

// defaultTimeout is the default time limit of one assessed subject: far
// above what a lineage read within the Hub's rate limits takes, low enough
// that one stuck subject cannot hold a pipeline for hours.
const defaultTimeout = 10 * time.Minute

// assessFlags are the flags of every command that assesses.
type assessFlags struct {
	policy     string
	publishers string
	maxDepth   int
	maxNodes   int
	maxLinks   int
	timeout    time.Duration
	hub        hubFlags
}

func (f *assessFlags) register(cmd *cobra.Command) {
	f.hub.register(cmd)
	cmd.Flags().StringVar(&f.publishers, "publishers", "", "file of publisher facts that add to or override the built-in catalog (see docs/publishers.md)")
	cmd.Flags().StringVar(&f.policy, "policy", "", "policy file (YAML); default: the built-in policy (see 'pedigree policy init')")
	cmd.Flags().IntVar(&f.maxDepth, "max-depth", risk.DefaultMaxDepth, "how many links deep to walk the lineage")
	cmd.Flags().IntVar(&f.maxNodes, "max-nodes", risk.DefaultMaxNodes, "how many subjects one lineage may hold; links past it are reported, not followed")
	cmd.Flags().IntVar(&f.maxLinks, "max-links", risk.DefaultMaxEdges, "how many links of one subject to follow; the rest are reported, not followed")
	cmd.Flags().DurationVar(&f.timeout, "timeout", defaultTimeout, "time limit per assessed subject (0: none); what is not read by then is reported failed or skipped")
}

func (st *state) scoreCommand() *cobra.Command {
	var (
		af     assessFlags
		format string
		output string
		failOn string
	)
	cmd := &cobra.Command{
		Use:   "score REF...",
		Short: "Assess models and print their risk reports",
		Long: `Assess each REF and print its risk report.

REF is a local model folder (./dir, /abs/dir, file:DIR), a Hugging Face model
(hf:OWNER/NAME[@REV], https://huggingface.co/OWNER/NAME), a Hugging Face dataset
(hf:datasets/OWNER/NAME), a package (pkg:TYPE/NAME@VERSION) or a code repository
(github.com/OWNER/REPO). A folder that exists on disk wins over a Hub id of the
same spelling.

REF may also be a CycloneDX BOM (JSON): its machine-learning-model and data
components are assessed.

--format picks the output: text (default), json (one indented report; JSON Lines
for several references), markdown (for pull-request comments), sarif (SARIF 2.1.0
for code scanning), html (one self-contained page with the lineage drawn) or
cyclonedx (a CycloneDX 1.6 ML-BOM). 'pedigree render' renders a saved JSON
report again in any of them.`,
		Example: `  pedigree score ./my-model
  pedigree score testdata/models/llama-2-7b-chat-apache --format json -o report.json
  pedigree score ./my-model --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			level, err := parseFailOn(failOn)
			if err != nil {
				return err
			}
			refs, err := st.expandCatalogs(args)
			if err != nil {
				return err
			}
			eng, pol, err := st.engine(af, refs, nil)
			if err != nil {
				return err
			}
			if failOn == "" {
				level = pol.FailOn
			}
			var reps []*risk.Report
			reached := false
			err = st.assessEach(cmd.Context(), eng, refs, func(_ string, rep *risk.Report) error {
				reps = append(reps, rep)
				if rep.Score.Level.AtLeast(level) {
					reached = true
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(reps) > 0 {
				root, _ := os.Getwd()
				var buf bytes.Buffer
				if err := renderReports(&buf, format, reps, definitions(eng), root, len(refs) > 1); err != nil {
					return runtimeErr(err)
				}
				if err := st.writeOutput(output, buf.Bytes()); err != nil {
					return err
				}
			}
			if reached {
				st.code = worst(st.code, ExitFailedOn)
			}
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: "+strings.Join(reportFormats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the output to this file instead of standard output")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit with code 3 when the risk level reaches this level (low, medium, high, critical, or none); default: the policy's fail_on")
	return cmd
}

// assessEach assesses each reference in args and hands every report to
// use. A reference that cannot be parsed, or whose subject does not exist,
// is a usage error and one that cannot be assessed a runtime error; both
// are recorded and the other references go on. Cancellation, and an error
// use returns, stop the run.
func (st *state) assessEach(ctx context.Context, eng *risk.Engine, args []string, use func(arg string, rep *risk.Report) error) error {
	for _, arg := range args {
		subj, err := resolveRef(arg)
		if err != nil {
			st.fail(ExitUsage, err)
			continue
		}
		rep, err := eng.Assess(ctx, subj)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			st.fail(ExitError, err)
			continue
		}
		if err := rootMissing(rep); err != nil {
			st.fail(ExitUsage, fmt.Errorf("%s: %v", arg, err))
			continue
		}
		if err := use(arg, rep); err != nil {
			return err
		}
	}
	return nil
}

// fail records a per-reference error and its exit code, and goes on.
func (st *state) fail(code int, err error) {
	fmt.Fprintf(st.stderr, "pedigree: %v\n", err)
	st.code = worst(st.code, code)
}

// engine builds the engine from the assess flags for assessing refs (the
// references a local code checkout is linked to). wrap, when not nil,
// wraps the Hub store (to record what is read).
func (st *state) engine(af assessFlags, refs []string, wrap func(huggingface.Store) (huggingface.Store, error), more ...risk.Option) (*risk.Engine, *risk.Policy, error) {
	pol := risk.DefaultPolicy()
	if af.policy != "" {
		p, err := risk.LoadPolicy(af.policy)
		if err != nil {
			return nil, nil, &exitError{code: ExitUsage, err: err}
		}
		pol = p
	}
	if af.maxDepth < 1 || af.maxDepth > risk.MaxDepthLimit {
		return nil, nil, usageErr("--max-depth %d: need 1 to %d", af.maxDepth, risk.MaxDepthLimit)
	}
	if af.maxNodes < 1 {
		return nil, nil, usageErr("--max-nodes %d: need at least 1", af.maxNodes)
	}
	if af.maxLinks < 1 {
		return nil, nil, usageErr("--max-links %d: need at least 1", af.maxLinks)
	}
	if af.timeout < 0 {
		return nil, nil, usageErr("--timeout %s: need 0 (no limit) or more", af.timeout)
	}
	probs := pol.Lint(ruleIDs(), st.env.Clock())
	bad := false
	for _, p := range probs {
		fmt.Fprintf(st.stderr, "pedigree: %s\n", p)
		if p.Severity == "error" {
			bad = true
		}
	}
	if bad {
		return nil, nil, &exitError{code: ExitUsage, err: errors.New("the policy has errors; fix them or check it with 'pedigree policy lint'")}
	}
	h, err := st.hub(af.hub)
	if err != nil {
		return nil, nil, err
	}
	if wrap != nil {
		// What is recorded must come from the store: files read from the
		// local Hugging Face cache would be missing from the record.
		h.cache = nil
		if h.store, err = wrap(h.store); err != nil {
			return nil, nil, err
		}
	}
	cat, err := publishers(pol, af.publishers)
	if err != nil {
		return nil, nil, err
	}
	budget := af.hub.inspectBudget
	if budget == 0 {
		budget = -1 // off
	}
	extra, err := st.networkSources(af.hub, h)
	if err != nil {
		return nil, nil, err
	}
	local, err := st.checkoutSources(af.hub, h, refs)
	if err != nil {
		return nil, nil, err
	}
	extra = append(extra, local...)
	srcs, err := all.Sources(all.Options{Clock: st.env.Clock, Licenses: st.env.Licenses,
		HubStore: h.store, HubCache: h.cache, Publishers: cat, HubInspectBudget: budget, Extra: extra})
	if err != nil {
		return nil, nil, runtimeErr(err)
	}
	opts := []risk.Option{
		risk.WithSources(srcs...),
		risk.WithPolicy(pol),
		risk.WithClock(st.env.Clock),
		risk.WithMaxDepth(af.maxDepth),
		risk.WithLimits(risk.Limits{Nodes: af.maxNodes, Edges: af.maxLinks, Timeout: af.timeout}),
		risk.WithTool(st.tool()),
	}
	eng, err := risk.New(append(opts, more...)...)
	if err != nil {
		return nil, nil, runtimeErr(err)
	}
	return eng, pol, nil
}

// publishers builds the publisher catalog: the built-in one, then the
// policy's publishers file, then the --publishers file, later entries
// overriding earlier ones for the same accounts.
func publishers(pol *risk.Policy, flagFile string) (*knowledge.Catalog, error) {
	cat, err := knowledge.Default()
	if err != nil {
		return nil, runtimeErr(err)
	}
	for _, f := range []struct{ path, from string }{{pol.PublishersPath(), "the policy's publishers"}, {flagFile, "--publishers"}} {
		if f.path == "" {
			continue
		}
		over, err := knowledge.Load(f.path)
		if err != nil {
			return nil, usageErr("%s: %v", f.from, err)
		}
		cat = cat.Merge(over)
	}
	return cat, nil
}

func ruleIDs() []string {
	var ids []string
	for _, r := range risk.DefaultRules() {
		ids = append(ids, r.Def.ID)
	}
	return ids
}

// resolveRef reads a command-line reference. A folder that exists wins
// over a Hub id of the same spelling; a local reference must exist.
func resolveRef(arg string) (sources.Subject, error) {
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() && !strings.Contains(arg, "://") {
		return sources.LocalFolder(arg, arg)
	}
	s, err := sources.ParseRef(arg)
	if err != nil {
		return sources.Subject{}, err
	}
	if s.Local() {
		fi, err := os.Stat(s.Path)
		switch {
		case err != nil:
			return sources.Subject{}, fmt.Errorf("%s: no such folder; give the path of a model folder", arg)
		case !fi.IsDir():
			return sources.Subject{}, fmt.Errorf("%s: is a file, not a model folder; give the folder that holds README.md and config.json", arg)
		}
	}
	return s, nil
}

// rootMissing returns an error when the assessed subject itself could not
// be read because it does not exist or is not a model.
func rootMissing(r *risk.Report) error {
	root := r.Root()
	if root.State != risk.NodeFailed {
		return nil
	}
	for _, cat := range []string{"not_found", "unsupported"} {
		if strings.HasPrefix(root.Reason, cat+":") {
			msg := strings.TrimPrefix(root.Reason, cat+": ")
			return errors.New(msg)
		}
	}
	return nil
}

// writeOutput writes b to path (atomically, through a temporary file in the
// same folder) or to standard output when path is empty.
func (st *state) writeOutput(path string, b []byte) error {
	return st.writeOutputStream(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
