package artifact

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestInspectGGUF(t *testing.T) {
	t.Parallel()
	okKV := map[string]string{
		"general.architecture": "llama", "general.name": "Tiny Llama Q4", "general.license": "apache-2.0",
		"general.organization": "example-org", "general.file_type": "15", "general.base_model.count": "1",
		"general.base_model.0.name": "Tiny Llama", "general.base_model.0.organization": "example-org",
		"general.base_model.0.repo_url": "https://huggingface.co/example-org/tiny-llama",
	}
	okBase := []GGUFBase{{Name: "Tiny Llama", Organization: "example-org", RepoURL: "https://huggingface.co/example-org/tiny-llama"}}
	tests := []struct {
		file      string
		want      GGUFReport
		template  bool // ChatTemplate is not empty
		malformed []string
	}{
		{file: "gguf_ok.gguf", want: GGUFReport{Version: 3, Tensors: 2, TensorInfos: 2, KV: okKV, BaseModels: okBase}, template: true},
		{file: "gguf_hostile_template.gguf", want: GGUFReport{Version: 3, Tensors: 2, TensorInfos: 2, KV: okKV, BaseModels: okBase}, template: true},
		{file: "gguf_truncated.gguf", want: GGUFReport{Version: 3, Tensors: 2, KV: map[string]string{
			"general.architecture": "llama", "general.name": "Tiny Llama Q4", "general.license": "apache-2.0",
		}}, malformed: []string{"runs past the end"}},
		{file: "gguf_v1.gguf", want: GGUFReport{Version: 1, Unsupported: "GGUF version 1 is not supported", KV: map[string]string{}}},
		{file: "gguf_string_array_bomb.gguf", want: GGUFReport{Version: 3, KV: map[string]string{}}, malformed: []string{"array of 4611686018427387904 string values"}},
		{file: "gguf_huge_string.gguf", want: GGUFReport{Version: 3, KV: map[string]string{}}, malformed: []string{"string of 1152921504606846976 bytes"}},
		{file: "gguf_huge_counts.gguf", want: GGUFReport{Version: 3, Tensors: 1 << 60, KV: map[string]string{}}, malformed: []string{"declares 1152921504606846976 tensors"}},
		{file: "gguf_bad_type.gguf", want: GGUFReport{Version: 3, KV: map[string]string{}}, malformed: []string{"unknown value type 99"}},
		{file: "empty.bin", want: GGUFReport{KV: map[string]string{}}, malformed: []string{"reading the magic and version"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			got := InspectGGUF(bytes.NewReader(data), int64(len(data)), 1<<20)
			for _, w := range tt.malformed {
				if !hasReason(got.Malformed, w) {
					t.Errorf("Malformed = %q, want a reason containing %q", got.Malformed, w)
				}
			}
			if len(tt.malformed) == 0 && len(got.Malformed) != 0 {
				t.Errorf("Malformed = %q, want none", got.Malformed)
			}
			if (got.ChatTemplate != "") != tt.template {
				t.Errorf("ChatTemplate = %q, want one: %v", got.ChatTemplate, tt.template)
			}
			got.Malformed, got.ChatTemplate = nil, ""
			if diff := cmp.Diff(&tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectGGUFTemplateFindings(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]bool{"gguf_ok.gguf": false, "gguf_hostile_template.gguf": true} {
		data := fixture(t, file)
		got := InspectGGUF(bytes.NewReader(data), int64(len(data)), 1<<20)
		if f := ChatTemplateFindings(got.ChatTemplate); (len(f) > 0) != want {
			t.Errorf("%s: ChatTemplateFindings = %q, want findings: %v", file, f, want)
		}
	}
}

func TestInspectGGUFBudget(t *testing.T) {
	t.Parallel()
	data := fixture(t, "gguf_ok.gguf")
	for _, budget := range []int64{0, 23, 24, 100, 500} {
		cr := &countingReader{r: bytes.NewReader(data)}
		got := InspectGGUF(cr, int64(len(data)), budget)
		if n := cr.n.Load(); n > budget {
			t.Errorf("budget %d: read %d bytes", budget, n)
		}
		if budget >= 8 && !got.Truncated {
			t.Errorf("budget %d: Truncated = false, want true", budget)
		}
		if len(got.Malformed) != 0 && budget >= 8 {
			t.Errorf("budget %d: Malformed = %q, want none", budget, got.Malformed)
		}
	}
}

func TestInspectGGUFBigEndian(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("GGUF")
	b.Write(binary.BigEndian.AppendUint32(nil, 3))
	b.Write(binary.BigEndian.AppendUint64(nil, 0))
	b.Write(binary.BigEndian.AppendUint64(nil, 1))
	b.Write(binary.BigEndian.AppendUint64(nil, 12))
	b.WriteString("general.name")
	b.Write(binary.BigEndian.AppendUint32(nil, 8))
	b.Write(binary.BigEndian.AppendUint64(nil, 1))
	b.WriteString("x")
	got := InspectGGUF(bytes.NewReader(b.Bytes()), int64(b.Len()), 1<<20)
	if !got.BigEndian || got.KV["general.name"] != "x" || len(got.Malformed) != 0 {
		t.Errorf("big-endian GGUF: %+v", got)
	}
}
