package cli

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/risk"
)

func (st *state) rulesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(st.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tCATEGORY\tSEVERITY\tSCOPE\tTITLE")
			for _, r := range risk.DefaultRules() {
				d := r.Def
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Category, d.Severity, d.Scope, d.Title)
			}
			if err := tw.Flush(); err != nil {
				return runtimeErr(err)
			}
			fmt.Fprintln(st.stdout, "\nRun 'pedigree explain RULE' for what a rule checks, why, and what to do.")
			return nil
		},
	}
}

func (st *state) explainCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "explain RULE",
		Short: "Explain one rule: what it checks, why it matters, what to do",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := strings.ToLower(strings.TrimSpace(args[0]))
			rules := risk.DefaultRules()
			for _, r := range rules {
				if r.Def.ID != id {
					continue
				}
				d := r.Def
				fmt.Fprintf(st.stdout, "%s: %s\n\n", d.ID, d.Title)
				fmt.Fprintf(st.stdout, "Category:  %s\nSeverity:  %s\nScope:     %s\n", d.Category, d.Severity, d.Scope)
				fmt.Fprintf(st.stdout, "Unknown:   worth %.0f%% of a failure when evidence is missing\n\n", d.Unknown()*100)
				fmt.Fprintf(st.stdout, "What it checks\n%s\n\n", indent(d.Checks))
				fmt.Fprintf(st.stdout, "Why it matters\n%s\n\n", indent(d.Why))
				fmt.Fprintf(st.stdout, "What to do\n%s\n", indent(d.Remediation))
				return nil
			}
			hint := ""
			if c := risk.ClosestRule(id, rules); c != "" {
				hint = "did you mean " + c + "? "
			}
			return usageErr("no rule %q; %s'pedigree rules' lists them all", args[0], hint)
		},
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

func (st *state) policyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write or check a policy file",
	}
	var output string
	var force bool
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write the default policy, commented, to standard output or a file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "-" && !force {
				if _, err := os.Stat(output); err == nil {
					return usageErr("%s exists; pass --force to overwrite it", output)
				}
			}
			return st.writeOutput(output, risk.DefaultPolicyYAML())
		},
	}
	initCmd.Flags().StringVarP(&output, "output", "o", "", "write the policy to this file")
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	lintCmd := &cobra.Command{
		Use:   "lint FILE",
		Short: "Check a policy file; exit 2 when it has errors",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := risk.LoadPolicy(args[0])
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			probs := p.Lint(ruleIDs(), st.env.Clock())
			errs := 0
			for _, pr := range probs {
				fmt.Fprintln(st.stdout, pr.String())
				if pr.Severity == "error" {
					errs++
				}
			}
			if errs > 0 {
				return &exitError{code: ExitUsage, err: fmt.Errorf("%s: %d error(s)", args[0], errs)}
			}
			fmt.Fprintf(st.stdout, "%s: ok (%d warning(s))\n", args[0], len(probs))
			return nil
		},
	}
	cmd.AddCommand(initCmd, lintCmd)
	return cmd
}
