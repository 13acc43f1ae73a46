package local

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

var fixedNow = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

// sharedClassifier is shared by the tests, so that its corpus loads once.
var sharedClassifier = licensetext.New()

// safetensors returns a small valid safetensors file.
func safetensors() string {
	header := `{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`
	b := make([]byte, 8, 8+len(header)+4)
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	b = append(b, header...)
	return string(append(b, 0, 0, 0, 0))
}

const mitText = `MIT License

Copyright (c) 2024 Example

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`

// writeTree creates files (path -> content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fixtures builds the model folders the tests share under a new temporary
// folder and returns its path.
func fixtures(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	writeTree(t, filepath.Join(root, "base"), map[string]string{
		"README.md":         "---\nlicense: mit\ndatasets: [org/data]\n---\n# Base\n",
		"config.json":       `{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "_name_or_path": "base"}`,
		"LICENSE":           mitText,
		"model.safetensors": safetensors(),
	})
	writeTree(t, filepath.Join(root, "lora"), map[string]string{
		"README.md":                 "---\nbase_model: ../base\nbase_model_relation: finetune\nlicense: mit\n---\n",
		"adapter_config.json":       `{"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA", "r": 8}`,
		"adapter_model.safetensors": safetensors(),
	})
	writeTree(t, filepath.Join(root, "weights-only"), map[string]string{
		"pytorch_model.bin": "\x80\x02}q\x00.",
		"modeling_x.py":     "import os\n",
		".git/HEAD":         "ref: refs/heads/main\n",
	})
	writeTree(t, filepath.Join(root, "broken"), map[string]string{
		"README.md":   "---\nlicense: mit\nfoo: bar: baz\n---\n",
		"config.json": "{\n  \"model_type\": llama\n}",
		"model.gguf":  "GGUF\x03\x00\x00\x00",
	})
	writeTree(t, filepath.Join(root, "not-a-model"), map[string]string{"notes.txt": "hello"})
	return root
}

func subject(t testing.TB, path string) sources.Subject {
	t.Helper()
	s, err := sources.LocalFolder(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource: func(t *testing.T) sources.Source { return New(WithLicenseClassifier(sharedClassifier)) },
		Known: []sources.Subject{
			subject(t, filepath.Join(root, "base")), subject(t, filepath.Join(root, "lora")),
			subject(t, filepath.Join(root, "weights-only")), subject(t, filepath.Join(root, "broken")),
		},
		Missing:     subject(t, filepath.Join(root, "missing")),
		Unsupported: sources.HubModel("org/model", ""),
	})
}

// summary is evidence reduced to what the tests compare.
type summary struct {
	Kind  sources.EvidenceKind
	Value string
	Attrs map[string]string
}

func collect(t *testing.T, path string) *sources.Observation {
	t.Helper()
	obs, err := New(WithLicenseClassifier(sharedClassifier), WithClock(func() time.Time { return fixedNow })).Collect(context.Background(), subject(t, path))
	if err != nil {
		t.Fatalf("Collect(%s): %v", path, err)
	}
	return obs
}

func pick(obs *sources.Observation, kinds ...sources.EvidenceKind) []summary {
	var out []summary
	for _, e := range obs.Evidence {
		for _, k := range kinds {
			if e.Kind == k {
				a := e.Attrs
				if e.Kind == sources.KindLicense && a["declared_in"] == "file" {
					a = map[string]string{"declared_in": "file", "file": a["file"], "match": a["match"]}
				}
				out = append(out, summary{e.Kind, e.Value, a})
			}
		}
	}
	return out
}

func TestCollectBase(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	obs := collect(t, filepath.Join(root, "base"))
	want := []summary{
		{sources.KindFile, "LICENSE", map[string]string{"format": "unknown", "role": "license", "size": "1064"}},
		{sources.KindFile, "README.md", map[string]string{"format": "markdown", "detected_by": "extension", "role": "card", "size": "49"}},
		{sources.KindFile, "config.json", map[string]string{"format": "json", "detected_by": "extension", "role": "config", "size": "87"}},
		{sources.KindFile, "model.safetensors", map[string]string{"format": "safetensors", "detected_by": "magic", "role": "weights", "size": "66"}},
		{sources.KindCard, "present", nil},
		{sources.KindLicense, "mit", map[string]string{"declared_in": "card"}},
		{sources.KindLicense, "mit", map[string]string{"declared_in": "file", "file": "LICENSE", "match": "classifier"}},
	}
	if diff := cmp.Diff(want, pick(obs, sources.KindFile, sources.KindCard, sources.KindLicense)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	// _name_or_path "base" is the folder itself: no base model, no lineage edge.
	if got := pick(obs, sources.KindBaseModel); got != nil {
		t.Errorf("base_model evidence = %+v, want none", got)
	}
	if len(obs.Edges) != 1 || obs.Edges[0].Relation != sources.RelTrainedOn || obs.Edges[0].To != sources.HubDataset("org/data", "") {
		t.Errorf("edges = %+v, want one trained_on edge to org/data", obs.Edges)
	}
	for _, e := range obs.Evidence {
		if e.Kind == sources.KindFile && e.Value == "model.safetensors" && e.Origin.Digest != sources.Digest([]byte(safetensors())) {
			t.Errorf("safetensors digest = %s, want that of the whole (small) file", e.Origin.Digest)
		}
		if !e.Origin.RetrievedAt.Equal(fixedNow) {
			t.Errorf("RetrievedAt = %v, want the clock's %v", e.Origin.RetrievedAt, fixedNow)
		}
	}
}

func TestCollectLineage(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	obs := collect(t, filepath.Join(root, "lora"))
	base := subject(t, filepath.Join(root, "base"))
	base.Ref = "../base"
	var got []sources.Edge
	for _, e := range obs.Edges {
		e.Evidence, e.Origin = nil, sources.Origin{}
		got = append(got, e)
	}
	from := subject(t, filepath.Join(root, "lora")).ID()
	want := []sources.Edge{
		{From: from, To: base, Relation: sources.RelAdapter, Declared: true},
		{From: from, To: sources.HubModel("meta-llama/Llama-2-7b-hf", ""), Relation: sources.RelAdapter, Declared: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	for _, s := range pick(obs, sources.KindBaseModel) {
		if s.Attrs["declared_in"] == "card" && (s.Attrs["declared_relation"] != "finetune" || s.Attrs["relation"] != "adapter") {
			t.Errorf("card base_model attrs = %v, want declared_relation finetune and relation adapter", s.Attrs)
		}
	}
}

func TestCollectBrokenFiles(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	obs := collect(t, filepath.Join(root, "broken"))
	want := []summary{
		{sources.KindFileError, "README.md", map[string]string{"part": "card", "line": "3", "error": "README.md:3: yaml: mapping values are not allowed in this context"}},
		{sources.KindFileError, "config.json", map[string]string{"part": "config", "line": "2", "error": "config.json:2:17: invalid character 'l' looking for beginning of value"}},
	}
	if diff := cmp.Diff(want, pick(obs, sources.KindFileError)); diff != "" {
		t.Errorf("file errors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]summary{{sources.KindCard, "present", nil}}, pick(obs, sources.KindCard)); diff != "" {
		t.Errorf("card (-want +got):\n%s", diff)
	}
}

func TestCollectInventory(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	outside := writeTree(t, filepath.Join(root, "elsewhere"), map[string]string{"secret.bin": "\x80\x04secret"})
	dir := filepath.Join(root, "weights-only")
	if err := os.Symlink(filepath.Join(outside, "secret.bin"), filepath.Join(dir, "linked.bin")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	if err := os.Symlink("pytorch_model.bin", filepath.Join(dir, "alias.pt")); err != nil {
		t.Fatal(err)
	}
	obs := collect(t, dir)
	want := []summary{
		{sources.KindFile, "alias.pt", map[string]string{"format": "pickle", "detected_by": "magic", "role": "weights", "size": "6"}},
		{sources.KindFile, "linked.bin", map[string]string{"format": "unknown", "role": "other", "size": "0", "symlink": "outside"}},
		{sources.KindFile, "modeling_x.py", map[string]string{"format": "python", "detected_by": "extension", "role": "code", "size": "10"}},
		{sources.KindFile, "pytorch_model.bin", map[string]string{"format": "pickle", "detected_by": "magic", "role": "weights", "size": "6"}},
		{sources.KindCard, "absent", nil},
	}
	if diff := cmp.Diff(want, pick(obs, sources.KindFile, sources.KindCard)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	for _, e := range obs.Evidence {
		if e.Value == "alias.pt" && (e.Origin.Locator != filepath.Join(dir, "alias.pt") || e.Origin.Digest != sources.Digest([]byte("\x80\x02}q\x00."))) {
			t.Errorf("alias.pt origin = %+v, want the link's path and the digest of its target's bytes", e.Origin)
		}
		if e.Value == "linked.bin" && e.Origin.Digest != "" {
			t.Errorf("linked.bin was read (digest %s); links out of the folder must not be", e.Origin.Digest)
		}
	}
}

func TestCollectMaxFiles(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	src := New(WithMaxFiles(2), WithLicenseClassifier(sharedClassifier))
	obs, err := src.Collect(context.Background(), subject(t, filepath.Join(root, "base")))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var files int
	var limited bool
	for _, e := range obs.Evidence {
		files += map[bool]int{true: 1}[e.Kind == sources.KindFile]
		limited = limited || e.Kind == sources.KindFileError && e.Attr("part") == "inventory"
	}
	if files != 2 || !limited {
		t.Errorf("with WithMaxFiles(2): %d file evidence, limit reported %v; want 2 and true", files, limited)
	}
}

func TestCollectErrors(t *testing.T) {
	t.Parallel()
	root := fixtures(t)
	tests := []struct {
		name string
		path string
		want error
		msg  string
	}{
		{"missing", filepath.Join(root, "missing"), sources.ErrNotFound, "no such file"},
		{"file", filepath.Join(root, "base", "LICENSE"), sources.ErrUnsupported, "is a file, not a folder"},
		{"not a model", filepath.Join(root, "not-a-model"), sources.ErrUnsupported, "not a model folder: no README.md, config.json or weight files in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obs, err := New().Collect(context.Background(), subject(t, tc.path))
			var se *sources.Error
			if obs != nil || !errors.Is(err, tc.want) || !errors.As(err, &se) || se.Source != "local" || se.Op != "read folder" {
				t.Fatalf("Collect = %v, %v; want a local *sources.Error wrapping %v", obs, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
	t.Run("permission", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("permissions do not apply to root")
		}
		dir := writeTree(t, t.TempDir(), map[string]string{"m/README.md": "# x"})
		locked := filepath.Join(dir, "m")
		if err := os.Chmod(locked, 0o000); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
		_, err := New().Collect(context.Background(), subject(t, locked))
		if !errors.Is(err, sources.ErrUnauthorized) {
			t.Errorf("Collect(unreadable) = %v, want ErrUnauthorized", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := New().Collect(ctx, subject(t, filepath.Join(root, "base"))); !errors.Is(err, context.Canceled) {
			t.Errorf("Collect(canceled) = %v, want context.Canceled", err)
		}
	})
}

func TestSupports(t *testing.T) {
	t.Parallel()
	s := New()
	if s.Name() != "local" || !s.Supports(sources.Subject{Kind: sources.SubjectModel, Path: "/x"}) || s.Supports(sources.HubModel("a/b", "")) {
		t.Error("Name or Supports wrong")
	}
}

func BenchmarkCollect(b *testing.B) {
	root := fixtures(b)
	src := New()
	subj := subject(b, filepath.Join(root, "base"))
	ctx := context.Background()
	if _, err := src.Collect(ctx, subj); err != nil { // warm the license cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Collect(ctx, subj); err != nil {
			b.Fatal(err)
		}
	}
}
