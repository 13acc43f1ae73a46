package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
)

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// decodeReport parses one JSON report of the CLI.
func decodeReport(t *testing.T, out string) *risk.Report {
	t.Helper()
	var r risk.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%.2000s", err, out)
	}
	return &r
}

// TestAdversarialHugeCard scores a folder whose card is 50 MB: the card is
// refused at the size limit, and every verdict that rests on it is an error
// or unknown, never a pass.
func TestAdversarialHugeCard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var card bytes.Buffer
	card.WriteString("---\nlicense: mit\nbase_model: org/base\n---\n")
	line := strings.Repeat("All work and no play makes a model card a dull card. ", 20) + "\n"
	for card.Len() < 50<<20 {
		card.WriteString(line)
	}
	must(t, os.WriteFile(filepath.Join(dir, "README.md"), card.Bytes(), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}`), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "model.safetensors"), safetensorsBytes(), 0o600))

	code, out, stderr := run(t, "score", "--format", "json", dir)
	if code == 0 && out == "" {
		t.Fatalf("no report; stderr:\n%s", stderr)
	}
	r := decodeReport(t, out)
	cardErr := false
	for _, ev := range r.Evidence {
		if ev.Kind == "file_error" && ev.Attrs["part"] == "card" && strings.Contains(ev.Attrs["error"], "over the 16777216 byte limit") {
			cardErr = true
		}
	}
	if !cardErr {
		t.Errorf("no file_error says the card is over the size limit")
	}
	for _, f := range r.Findings {
		switch f.Rule {
		case "license-missing", "card-missing", "datasets-undeclared", "lineage-mislabeled", "origin-reupload", "lineage-unresolvable":
			if f.Outcome == risk.OutcomePass {
				t.Errorf("%s passed on a card that was not read: %s", f.Rule, f.Message)
			}
		}
	}
}

// safetensorsBytes returns a minimal valid safetensors file.
func safetensorsBytes() []byte {
	header := `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
	var b bytes.Buffer
	n := uint64(len(header))
	for i := range 8 {
		b.WriteByte(byte(n >> (8 * i)))
	}
	b.WriteString(header)
	b.Write([]byte{0, 0, 0, 0})
	return b.Bytes()
}

// TestAdversarialFolderOverTheFileLimit scores a folder with more files
// than the inventory limit and a pickle among the files left out: the
// verdicts that rest on the file list are unknown, not passes.
func TestAdversarialFolderOverTheFileLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 100,001 files")
	}
	t.Parallel()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("---\nlicense: mit\n---\n# m\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "llama"}`), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "a.safetensors"), safetensorsBytes(), 0o600))
	for d := range 101 {
		sub := filepath.Join(dir, fmt.Sprintf("shard%03d", d))
		must(t, os.Mkdir(sub, 0o700))
		for f := range 1000 {
			must(t, os.WriteFile(filepath.Join(sub, fmt.Sprintf("part%03d.txt", f)), nil, 0o600))
		}
	}
	// Past the limit: a pickle the inventory does not reach.
	must(t, os.WriteFile(filepath.Join(dir, "shard100", "pytorch_model.bin"), []byte("\x80\x02}q\x00."), 0o600))
	code, out, stderr := run(t, "score", "--format", "json", dir)
	if out == "" {
		t.Fatalf("exit %d, no report; stderr:\n%s", code, stderr)
	}
	r := decodeReport(t, out)
	limited := false
	for _, ev := range r.Evidence {
		if ev.Kind == "file_error" && ev.Attrs["part"] == "inventory" {
			limited = true
		}
	}
	if !limited {
		t.Fatal("no file_error says the inventory was cut")
	}
	for _, f := range r.Findings {
		if f.Rule == "pickle-weights" && f.Outcome != risk.OutcomeUnknown {
			t.Errorf("pickle-weights is %s on an incomplete file list: %s", f.Outcome, f.Message)
		}
	}
}

// TestLimitsFlags checks the limit flags end to end: a time limit that
// passes at once gives a report that says so, and out-of-range values are
// usage errors.
func TestLimitsFlags(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, "score", "--offline", "../../testdata/hub", "--timeout", "1ns", "--format", "json", "hf:linagora/Labess-7b-chat")
	if code != 0 {
		t.Fatalf("--timeout 1ns: exit %d, stderr:\n%s", code, stderr)
	}
	r := decodeReport(t, out)
	if root := r.Root(); root.State != risk.NodeFailed || !strings.Contains(root.Reason, "time limit of 1ns passed (raise --timeout)") {
		t.Errorf("root %s %q; want failed at the time limit", root.State, root.Reason)
	}
	if r.Score.Level != risk.LevelCritical {
		t.Errorf("a subject not read in time scored %v %s", r.Score.Value, r.Score.Level)
	}

	code, out, _ = run(t, "score", "--offline", "../../testdata/hub", "--max-links", "1", "--format", "json", "hf:linagora/Labess-7b-chat")
	if code != 0 {
		t.Fatalf("--max-links 1: exit %d", code)
	}
	if root := decodeReport(t, out).Root(); root.Unfollowed == 0 || !strings.Contains(root.Reason, "at most 1 links per subject") {
		t.Errorf("--max-links 1: root %+v; want unfollowed links reported", root)
	}

	for _, args := range [][]string{{"--max-depth", "101"}, {"--max-depth", "0"}, {"--max-nodes", "0"}, {"--max-links", "-1"}, {"--timeout", "-1s"}} {
		code, _, stderr := run(t, append(append([]string{"score", "--offline", "../../testdata/hub"}, args...), "hf:linagora/Labess-7b-chat")...)
		if code != 2 || !strings.Contains(stderr, args[0]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the flag", args, code, stderr)
		}
	}
}
