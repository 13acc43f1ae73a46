package local

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// zipOf returns a zip archive holding empty entries of the given names.
func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		if _, err := w.Create(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestInspect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		data []byte
		want Detection
	}{
		{"safetensors", "model.safetensors", []byte(safetensors()), Detection{FormatSafetensors, ByMagic, ""}},
		{"safetensors length past end", "model.safetensors", []byte("\xff\x00\x00\x00\x00\x00\x00\x00{}"), Detection{FormatSafetensors, ByExtension, ""}},
		{"pickle named safetensors", "model.safetensors", []byte("\x80\x04\x95"), Detection{FormatPickle, ByMagic, FormatSafetensors}},
		{"pickle protocol 2", "x.pkl", []byte("\x80\x02}q\x00."), Detection{FormatPickle, ByMagic, ""}},
		{"pickle protocol 0", "x.pkl", []byte("cos\nsystem\n(S'ls'\ntR."), Detection{FormatPickle, ByMagic, ""}},
		{"protocol 0 needs a pickle extension", "notes.txt", []byte("cos\nsystem\n"), Detection{FormatText, ByExtension, ""}},
		{"pytorch zip", "pytorch_model.bin", zipOf(t, "archive/data.pkl", "archive/data/0"), Detection{FormatPickleZip, ByMagic, ""}},
		{"pytorch zip named pt", "x.pt", zipOf(t, "x/data.pkl"), Detection{FormatPickleZip, ByMagic, ""}},
		{"keras", "model.keras", zipOf(t, "config.json", "model.weights.h5"), Detection{FormatKeras, ByMagic, ""}},
		{"npz", "arrays.npz", zipOf(t, "a.npy", "b.npy"), Detection{FormatNumpy, ByMagic, ""}},
		{"plain zip", "bundle.zip", zipOf(t, "readme.txt"), Detection{FormatZip, ByMagic, ""}},
		{"pytorch zip named safetensors", "model.safetensors", zipOf(t, "a/data.pkl"), Detection{FormatPickleZip, ByMagic, FormatSafetensors}},
		{"gguf", "m.Q4_K_M.gguf", []byte("GGUF\x03\x00\x00\x00"), Detection{FormatGGUF, ByMagic, ""}},
		{"h5", "tf_model.h5", []byte("\x89HDF\r\n\x1a\n\x00"), Detection{FormatH5, ByMagic, ""}},
		{"npy", "a.npy", []byte("\x93NUMPY\x01\x00"), Detection{FormatNumpy, ByMagic, ""}},
		{"onnx", "model.onnx", []byte("\x08\x07\x12\x07pytorch"), Detection{FormatONNX, ByMagic, ""}},
		{"onnx by name only", "model.onnx", []byte("garbage"), Detection{FormatONNX, ByExtension, ""}},
		{"lfs pointer", "model.safetensors", []byte("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10\n"), Detection{FormatLFSPointer, ByMagic, FormatSafetensors}},
		{"python", "modeling_x.py", []byte("import torch\n"), Detection{FormatPython, ByExtension, ""}},
		{"unknown", "LICENSE", []byte("text"), Detection{FormatUnknown, "", ""}},
		{"empty", "empty.bin", nil, Detection{FormatPickle, ByExtension, ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := inspect(tc.file, bytes.NewReader(tc.data), int64(len(tc.data)))
			if err != nil {
				t.Fatalf("inspect: %v", err)
			}
			if diff := cmp.Diff(tc.want, got.Detection); diff != "" {
				t.Errorf("inspect(%s) (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

func TestRole(t *testing.T) {
	t.Parallel()
	tests := []struct{ rel, format, want string }{
		{"model.safetensors", FormatSafetensors, "weights"},
		{"model.safetensors", FormatLFSPointer, "weights"},
		{"modeling_x.py", FormatPython, "code"},
		{"README.md", FormatMarkdown, "card"},
		{"docs/README.md", FormatMarkdown, "other"},
		{"LICENSE.txt", FormatText, "license"},
		{"tokenizer.json", FormatJSON, "config"},
		{"generation_config.json", FormatJSON, "config"},
		{"mergekit_config.yml", FormatYAML, "config"},
		{"tokenizer.model", FormatUnknown, "config"},
		{"results.json", FormatJSON, "other"},
	}
	for _, tc := range tests {
		if got := role(tc.rel, tc.format); got != tc.want {
			t.Errorf("role(%q, %q) = %q, want %q", tc.rel, tc.format, got, tc.want)
		}
	}
}

func FuzzDetectFormat(f *testing.F) {
	f.Add("model.safetensors", []byte(safetensors()))
	f.Add("x.pkl", []byte("cos\nsystem\n(S'ls'\ntR."))
	f.Add("x.bin", []byte("\x80\x02}q\x00."))
	f.Add("pytorch_model.bin", zipOf(f, "archive/data.pkl"))
	f.Add("model.keras", zipOf(f, "config.json"))
	f.Add("m.gguf", []byte("GGUF"))
	f.Add("model.onnx", []byte("\x08\x07"))
	f.Add("broken.zip", []byte("PK\x03\x04\x00\x00"))
	f.Add("empty.zip", []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		d := DetectFormat(name, data, int64(len(data)))
		if d.Format == "" {
			t.Fatal("DetectFormat returned an empty format")
		}
		in, err := inspect(name, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("inspect: %v", err)
		}
		if in.Format == "" || in.digest == "" || (in.DetectedBy == ByMagic) != (d.DetectedBy == ByMagic) {
			t.Fatalf("inspect = %+v, DetectFormat = %+v: inconsistent", in, d)
		}
		if len(in.head) > headSize {
			t.Fatalf("read %d bytes of head, more than %d", len(in.head), headSize)
		}
	})
}
