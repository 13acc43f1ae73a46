package artifact

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInspectNumpy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		version   string
		descr     string
		shape     []int64
		object    bool
		imports   []string
		malformed []string
	}{
		{file: "arr.npy", version: "1.0", descr: "<f4", shape: []int64{2, 3}},
		{file: "arr_v2.npy", version: "2.0", descr: "<i8", shape: []int64{3}},
		{file: "obj.npy", version: "1.0", descr: "|O", shape: []int64{1}, object: true, imports: []string{"os.system"}},
		{file: "obj_structured.npy", version: "1.0", descr: "[('a', '<i4'), ('b', '|O')]", shape: []int64{1}, object: true, imports: []string{"collections.OrderedDict"}},
		{file: "npy_short_data.npy", version: "1.0", descr: "<f8", shape: []int64{1000, 1000}, malformed: []string{"needs more than the 16 data bytes present"}},
		{file: "npy_bad_header.npy", version: "1.0", malformed: []string{"header is not a Python literal"}},
		{file: "npy_huge_header.npy", version: "2.0", malformed: []string{"header length 4294967280 exceeds"}},
		{file: "npy_truncated.npy", version: "1.0", malformed: []string{"runs past the end of the 20-byte file"}},
		{file: "empty.bin", malformed: []string{"file truncated"}},
		{file: "gguf_ok.gguf", malformed: []string{"no .npy magic"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			got := InspectNumpy(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
			for _, w := range tt.malformed {
				if !hasReason(got.Malformed, w) {
					t.Errorf("Malformed = %q, want a reason containing %q", got.Malformed, w)
				}
			}
			if len(tt.malformed) == 0 && len(got.Malformed) != 0 {
				t.Errorf("Malformed = %q, want none", got.Malformed)
			}
			if got.Version != tt.version || got.Descr != tt.descr || got.Object != tt.object {
				t.Errorf("version, descr, object = %q, %q, %v; want %q, %q, %v", got.Version, got.Descr, got.Object, tt.version, tt.descr, tt.object)
			}
			if diff := cmp.Diff(tt.shape, got.Shape); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
			var imports []string
			if got.Pickle != nil {
				for _, im := range got.Pickle.Imports {
					imports = append(imports, im.Module+"."+im.Name)
				}
			}
			if diff := cmp.Diff(tt.imports, imports); diff != "" {
				t.Errorf("imports (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectNumpyBudget(t *testing.T) {
	t.Parallel()
	data := fixture(t, "obj.npy")
	cr := &countingReader{r: bytes.NewReader(data)}
	got := InspectNumpy(cr, int64(len(data)), 50, fakeScan)
	if n := cr.n.Load(); n > 50 {
		t.Errorf("read %d bytes with a budget of 50", n)
	}
	if !got.Truncated {
		t.Errorf("Truncated = false with a budget of 50, want true (malformed %q)", got.Malformed)
	}
}

func TestParsePyLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want any
		err  bool
	}{
		{in: "{'a': (1, 2,), 'b': [True, None], \"c\": 'x\\'y'}", want: map[string]any{"a": pyTuple{int64(1), int64(2)}, "b": []any{true, nil}, "c": "x'y"}},
		{in: "()", want: pyTuple(nil)},
		{in: "{'a': 1, 'a': 2}", err: true},
		{in: "{'a': 1", err: true},
		{in: "{1: 2}", err: true},
		{in: "[" + string(bytes.Repeat([]byte("["), 100)), err: true},
		{in: "99999999999999999999", err: true},
		{in: "{'a': os}", err: true},
		{in: "'abc", err: true},
		{in: "{} x", err: true},
	}
	for _, tt := range tests {
		got, err := parsePyLiteral(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parsePyLiteral(%q) error = %v, want error: %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.err && diff != "" {
			t.Errorf("parsePyLiteral(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
