package artifact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// TestInspect judges whole files of every container through Inspect:
// benign files must come out clean, hostile ones with the right verdict.
func TestInspect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, format, verdict string
	}{
		{"formats/st_ok.safetensors", "safetensors", FileClean},
		{"formats/st_overlap.safetensors", "safetensors", FileMalformed},
		{"formats/st_huge_length.safetensors", "safetensors", FileMalformed},
		{"formats/gguf_ok.gguf", "gguf", FileClean},
		{"formats/gguf_hostile_template.gguf", "gguf", FileSuspiciousTemplate},
		{"formats/gguf_string_array_bomb.gguf", "gguf", FileMalformed},
		{"formats/gguf_v1.gguf", "gguf", FileUnread},
		{"formats/pytorch.pt", "zip", FileClean},
		{"formats/pytorch_evil.pt", "zip", FileDangerousImport},
		{"formats/zip_traversal.zip", "zip", FileMalformed},
		{"formats/zip_huge_entry.zip", "zip", FileMalformed},
		{"formats/obj.npy", "numpy", FileDangerousImport},
		{"formats/arr.npy", "numpy", FileClean},
		{"formats/lambda.keras", "keras", FileCode},
		{"formats/clean.keras", "keras", FileClean},
		{"pickle/torch_state_dict.pkl", "pickle", FileClean},
		{"pickle/os_system_global.pkl", "pickle", FileDangerousImport},
		{"pickle/nested_loads.pkl", "pickle", FileDangerousImport},
		{"pickle/invalid_opcode.pkl", "pickle", FileMalformed},
		{"pickle/empty.pkl", "pickle", FileMalformed},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			rep := Inspect(tc.format, f, fi.Size(), 0)
			if rep == nil {
				t.Fatal("no report")
			}
			if rep.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s (%v; malformed %q; imports %v)", rep.Verdict, tc.verdict, rep, rep.Malformed, rep.Imports)
			}
			if rep.BytesRead == 0 && fi.Size() > 0 || !strings.HasPrefix(rep.Digest, "sha256:") {
				t.Errorf("bytes read %d, digest %q", rep.BytesRead, rep.Digest)
			}
			evs := rep.Evidence("pkg:huggingface/o/n@x", filepath.Base(tc.file), fi.Size(), sources.Origin{Source: "test", Locator: "x"})
			if len(evs) == 0 || evs[0].Kind != sources.KindArtifact || evs[0].Value != rep.Verdict || evs[0].Origin.Digest != rep.Digest {
				t.Errorf("evidence %+v does not carry the verdict and digest", evs)
			}
		})
	}
}

// TestInspectBudget checks that a tiny budget gives a partial verdict, not
// a clean one.
func TestInspectBudget(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "pickle", "torch_state_dict.pkl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if fi.Size() < 64 {
		t.Skip("fixture too small to cut")
	}
	rep := Inspect("pickle", f, fi.Size(), 16)
	if rep.Verdict == FileClean {
		t.Errorf("a 16-byte budget judged the file clean: %v", rep)
	}
}

func TestInspectUnknownFormat(t *testing.T) {
	t.Parallel()
	if rep := Inspect("onnx", strings.NewReader("x"), 1, 0); rep != nil {
		t.Errorf("Inspect(onnx) = %v, want nil", rep)
	}
}
