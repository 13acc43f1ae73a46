// Package cli implements the pedigree command: it maps flags to library
// options and results to exit codes, and holds no assessment logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
)

// Exit codes.
const (
	ExitOK       = 0 // success
	ExitError    = 1 // runtime error
	ExitUsage    = 2 // usage or configuration error, or a reference that does not exist
	ExitFailedOn = 3 // the assessed risk reached --fail-on
)

// Env is what the command takes from its surroundings. Tests set a fixed
// clock and tool version to get stable output.
type Env struct {
	// Clock is the time source; nil means time.Now.
	Clock func() time.Time
	// Tool names the program in reports; zero means the build's version.
	Tool risk.ToolInfo
	// Licenses is the license text classifier; nil means a new one.
	Licenses *licensetext.Classifier
	// Getenv looks up environment variables (HF_TOKEN, HF_ENDPOINT,
	// HF_HUB_OFFLINE, HF_HOME, ...); nil means os.Getenv.
	Getenv func(string) string
	// Stdin is read for the "-" file arguments; nil means os.Stdin.
	Stdin io.Reader
}

// Run runs the pedigree command with args (without the program name) and
// returns its exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunEnv(ctx, args, stdout, stderr, Env{})
}

// RunEnv is Run with an explicit environment.
func RunEnv(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) int {
	if env.Clock == nil {
		env.Clock = time.Now
	}
	st := &state{env: env, stdout: stdout, stderr: stderr, stdin: env.Stdin}
	if st.stdin == nil {
		st.stdin = os.Stdin
	}
	root := st.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := st.code
	if err != nil {
		var ee *exitError
		switch {
		case errors.As(err, &ee):
			if ee.err != nil {
				fmt.Fprintf(stderr, "pedigree: %v\n", ee.err)
			}
			code = worst(code, ee.code)
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(stderr, "pedigree: interrupted")
			code = worst(code, ExitError)
		default:
			// cobra's own errors: unknown command or flag, wrong arguments.
			fmt.Fprintf(stderr, "pedigree: %v\nRun 'pedigree help' for usage.\n", err)
			code = worst(code, ExitUsage)
		}
	}
	return code
}

// state is one run of the command.
type state struct {
	env    Env
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
	code   int // the exit code so far, for commands that go on after errors
}

// exitError carries an exit code; err is printed when not nil.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

func runtimeErr(err error) error { return &exitError{code: ExitError, err: err} }

// worst returns the exit code of higher priority: 2, then 1, then 3, then 0.
func worst(a, b int) int {
	rank := func(c int) int {
		switch c {
		case ExitUsage:
			return 3
		case ExitError:
			return 2
		case ExitFailedOn:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func (st *state) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "pedigree",
		Short: "Score the supply-chain risk of open-source AI models",
		Long: `Pedigree walks a model's lineage (fine-tunes, adapters, quantizations, merges,
training data), checks origin, license, modification history and security, and
explains every point of its risk score with the evidence behind it.

Exit codes: 0 success, 1 runtime error, 2 usage or configuration error (or a
reference that does not exist), 3 the risk reached --fail-on.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(st.scoreCommand(), st.batchCommand(), st.graphCommand(), st.snapshotCommand(), st.osvDBCommand(), st.rulesCommand(), st.explainCommand(), st.renderCommand(), st.policyCommand(), st.versionCommand())
	return root
}

func (st *state) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := st.tool()
			fmt.Fprintf(st.stdout, "%s %s (report schema %s)\n", t.Name, t.Version, risk.SchemaVersion)
			return nil
		},
	}
}

func (st *state) tool() risk.ToolInfo {
	if st.env.Tool != (risk.ToolInfo{}) {
		return st.env.Tool
	}
	return risk.DefaultTool()
}
