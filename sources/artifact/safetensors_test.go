package artifact

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInspectSafetensors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		want      SafetensorsReport // Malformed is checked by substring
		malformed []string
	}{
		{file: "st_ok.safetensors", want: SafetensorsReport{HeaderSize: 144, Tensors: 2, Parameters: 10, Dtypes: []string{"BF16", "F32"}, Metadata: map[string]string{"format": "pt"}}},
		{file: "st_overlap.safetensors", want: SafetensorsReport{HeaderSize: 112, Tensors: 2, Parameters: 6, Dtypes: []string{"F32"}},
			malformed: []string{`tensor "b" (bytes [8, 16)) overlaps tensor "a"`}},
		{file: "st_gap.safetensors", want: SafetensorsReport{HeaderSize: 56, Tensors: 1, Parameters: 4, Dtypes: []string{"U8"}},
			malformed: []string{`bytes [0, 4) of the data area belong to no tensor`, `bytes [8, 12) at the end`}},
		{file: "st_bad_tensors.safetensors", want: SafetensorsReport{HeaderSize: 312, Tensors: 2, Parameters: 4, Dtypes: []string{"F32", "U8"}},
			malformed: []string{`3 elements of F32 need 12 bytes, data_offsets span 8`, `unknown dtype "Q9"`, `shape dimension 0 (-1)`, `unknown field "extra"`, `overflows 64 bits`}},
		{file: "st_huge_length.safetensors", malformed: []string{"header length 1152921504606846976 exceeds"}},
		{file: "st_truncated.safetensors", malformed: []string{"runs past the end of the 30-byte file"}},
		{file: "st_nested.safetensors", want: SafetensorsReport{HeaderSize: 40008}, malformed: []string{"not valid JSON"}},
		{file: "st_not_json.safetensors", want: SafetensorsReport{HeaderSize: 16}, malformed: []string{"not valid JSON"}},
		{file: "st_metadata_nonstring.safetensors", want: SafetensorsReport{HeaderSize: 80, Tensors: 1, Parameters: 1, Dtypes: []string{"U8"}, Metadata: map[string]string{}},
			malformed: []string{`__metadata__ value "n" is not a string`}},
		{file: "empty.bin", malformed: []string{"shorter than the 8-byte header length"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			got := InspectSafetensors(bytes.NewReader(data), int64(len(data)), 1<<20)
			for _, w := range tt.malformed {
				if !hasReason(got.Malformed, w) {
					t.Errorf("Malformed = %q, want a reason containing %q", got.Malformed, w)
				}
			}
			if len(tt.malformed) == 0 && len(got.Malformed) != 0 {
				t.Errorf("Malformed = %q, want none", got.Malformed)
			}
			got.Malformed = nil
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectSafetensorsBudget(t *testing.T) {
	t.Parallel()
	data := fixture(t, "st_ok.safetensors")
	cr := &countingReader{r: bytes.NewReader(data)}
	got := InspectSafetensors(cr, int64(len(data)), 100)
	if !got.Truncated || got.Tensors != 0 {
		t.Errorf("with a 100-byte budget: Truncated = %v, Tensors = %d; want true, 0", got.Truncated, got.Tensors)
	}
	if n := cr.n.Load(); n > 100 {
		t.Errorf("read %d bytes with a budget of 100", n)
	}
	got = InspectSafetensors(bytes.NewReader(data), int64(len(data)), int64(len(data)))
	if got.Truncated || got.Tensors != 2 {
		t.Errorf("with the whole file as budget: Truncated = %v, Tensors = %d; want false, 2", got.Truncated, got.Tensors)
	}
}

func TestInspectSafetensorsDuplicateKey(t *testing.T) {
	t.Parallel()
	hdr := `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`
	data := append(append([]byte{byte(len(hdr)), 0, 0, 0, 0, 0, 0, 0}, hdr...), 0)
	got := InspectSafetensors(bytes.NewReader(data), int64(len(data)), 1<<20)
	if !hasReason(got.Malformed, `key "a" appears more than once`) {
		t.Errorf("Malformed = %q, want a duplicate key", got.Malformed)
	}
}

func TestSafetensorsSubByteDtype(t *testing.T) {
	t.Parallel()
	hdr := `{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`
	data := append(append([]byte{byte(len(hdr)), 0, 0, 0, 0, 0, 0, 0}, hdr...), 0, 0)
	got := InspectSafetensors(bytes.NewReader(data), int64(len(data)), 1<<20)
	if !hasReason(got.Malformed, "3 elements of F4 need 1.500 bytes") {
		t.Errorf("Malformed = %q, want a fractional size", got.Malformed)
	}
}
