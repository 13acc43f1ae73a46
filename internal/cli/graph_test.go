package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/internal/cli"
)

// graphLineages are real lineages of the bundled snapshot drawn in every
// graph format: an adapter chain laundering Llama 2's license with an
// unreadable training dataset, and a merge whose bases are mostly absent.
var graphLineages = []string{"linagora/Labess-7b-chat", "TencentARC/VideoPainter"}

// graphExt is the golden file extension of each graph format.
var graphExt = map[string]string{"tree": "txt", "dot": "dot", "mermaid": "mmd"}

func TestGraphGolden(t *testing.T) {
	t.Parallel()
	for _, id := range graphLineages {
		name := strings.ToLower(strings.ReplaceAll(id, "/", "--"))
		for _, format := range []string{"tree", "dot", "mermaid"} {
			t.Run(name+"."+format, func(t *testing.T) {
				t.Parallel()
				code, out, errOut := run(t, "graph", "--offline", demo, "--format", format, "hf:"+id)
				if code != cli.ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden(t, "graph/"+name+"."+graphExt[format], normalize(t, out))
			})
		}
	}
}

func TestGraphDefaultIsTree(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(models, "llama-2-7b-lora")
	code, out, errOut := run(t, "graph", dir)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, dir+"  [") || !strings.Contains(out, "\n├─ adapter  ../llama-2-7b-base  [") {
		t.Errorf("default output is not a tree starting at the folder:\n%s", out)
	}
}

// TestGraphAssessFlags checks that graph takes the assessing flags: with
// a depth of 1, the grandparent is skipped and nothing beyond it is read.
func TestGraphAssessFlags(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "graph", "--offline", demo, "--max-depth", "1", "hf:linagora/Labess-7b-chat")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "└─ finetune  hf:inceptionai/jais-adapted-7b  [") || !strings.Contains(out, "; skipped]\n") ||
		strings.Contains(out, "hf:meta-llama/Llama-2-7b") {
		t.Errorf("--max-depth 1 does not stop at the parents:\n%s", out)
	}
}

func TestGraphOutputFile(t *testing.T) {
	t.Parallel()
	args := []string{"graph", "--offline", demo, "--format", "mermaid", "hf:TencentARC/VideoPainter"}
	_, want, _ := run(t, args...)
	path := filepath.Join(t.TempDir(), "lineage.mmd")
	code, stdout, errOut := run(t, append(args, "-o", path)...)
	if code != cli.ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errOut)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want || !strings.HasPrefix(want, "flowchart TD\n") {
		t.Errorf("file holds %.200q, %v; want what standard output holds, %.200q", got, err, want)
	}
}

func TestGraphExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badPolicy := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badPolicy, []byte("version: 1\nfail_on: sometimes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	apache := filepath.Join(models, "llama-2-7b-chat-apache")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // substring
		drawn  bool   // a graph was printed
	}{
		{"ok", []string{"graph", apache, "--format", "dot"}, 0, "", true},
		{"fail-on is not a graph flag", []string{"graph", apache, "--fail-on", "low"}, 2, "unknown flag", false},
		{"no args", []string{"graph"}, 2, "accepts 1 arg(s), received 0", false},
		{"two refs", []string{"graph", apache, apache}, 2, "accepts 1 arg(s), received 2", false},
		{"bad format", []string{"graph", apache, "--format", "svg"}, 2, `--format "svg": want tree, dot, mermaid`, false},
		{"missing folder", []string{"graph", "./does-not-exist"}, 2, "does-not-exist: no such folder", false},
		{"missing Hub model", []string{"graph", "--offline", demo, "hf:nobody/no-such-model"}, 2, "hf:nobody/no-such-model", false},
		{"bad reference", []string{"graph", "hf:bad id"}, 2, "not a Hugging Face id", false},
		{"bad policy", []string{"graph", apache, "--policy", badPolicy}, 2, "bad.yaml:2", false},
		{"bad max-depth", []string{"graph", apache, "--max-depth", "0"}, 2, "--max-depth 0", false},
		{"unwritable output", []string{"graph", apache, "-o", filepath.Join(dir, "no-such-dir", "g.dot")}, 1, "no-such-dir", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.stderr)
			}
			if got := out != ""; got != tc.drawn {
				t.Errorf("graph printed = %v, want %v; stdout: %.200s", got, tc.drawn, out)
			}
		})
	}
}
