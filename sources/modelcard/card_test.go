package modelcard

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want *Card
	}{
		{
			name: "typical",
			in: "---\nlicense: Apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\nbase_model_relation: adapter\n" +
				"datasets:\n- org/data\n- org/data\n- ''\ntags: [peft, lora]\nlanguage: en\npipeline_tag: text-generation\n" +
				"library_name: peft\nnew_version: org/v2\nmodel-index:\n- name: my-model\n  results: []\n---\n# Title\n",
			want: &Card{
				License: []string{"Apache-2.0"}, BaseModels: []string{"meta-llama/Llama-2-7b-hf"}, BaseModelRelation: "adapter",
				Datasets: []string{"org/data"}, Tags: []string{"peft", "lora"}, Languages: []string{"en"},
				PipelineTag: "text-generation", LibraryName: "peft", NewVersion: "org/v2", ModelName: "my-model",
				HasMetadata: true, MetadataLine: 2, Body: "# Title\n", BodyLine: 18,
			},
		},
		{
			name: "messy values",
			in:   "\ufeff\r\n\r\n---\r\nlicense: [mit]\r\nbase_model: null\r\ndatasets: 42\r\nlanguage: [en, fr, en]\r\nlicense_name: true\r\nmodel_name: x\r\n---\r\nbody\r\n",
			want: &Card{
				License: []string{"mit"}, Datasets: []string{"42"}, Languages: []string{"en", "fr"}, LicenseName: "true",
				ModelName: "x", HasMetadata: true, MetadataLine: 4, Body: "body\r\n", BodyLine: 11,
			},
		},
		{
			name: "several bases and anchors",
			in:   "---\nbase_model:\n- &a org/a\n- org/b\n- *a\nunknown_field: {deep: [1, 2]}\n---\n",
			want: &Card{BaseModels: []string{"org/a", "org/b"}, HasMetadata: true, MetadataLine: 2, BodyLine: 8},
		},
		{
			name: "no front matter",
			in:   "# Model\n\nmodel = AutoModel.from_pretrained(x, trust_remote_code=True)\n",
			want: &Card{Body: "# Model\n\nmodel = AutoModel.from_pretrained(x, trust_remote_code=True)\n", BodyLine: 1, RemoteCodeLine: 3},
		},
		{
			name: "unclosed front matter is markdown",
			in:   "---\nlicense: mit\n",
			want: &Card{Body: "---\nlicense: mit\n", BodyLine: 1},
		},
		{
			name: "empty front matter",
			in:   "---\n---\ntext",
			want: &Card{HasMetadata: true, MetadataLine: 2, Body: "text", BodyLine: 3},
		},
		{
			name: "empty input",
			in:   "",
			want: &Card{BodyLine: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCard([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseCard: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseCard (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCardErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{
			name: "mapping value in scalar",
			in:   "\n---\nlicense: mit\ntags:\n- a\nbase_model: org/a\nfoo: bar: baz\n---\nbody\n",
			want: "README.md:7: yaml: mapping values are not allowed in this context",
		},
		{
			name: "list at top",
			in:   "---\n- a\n- b\n---\n",
			want: `README.md:2: yaml: metadata is a list, want a mapping of fields such as "license: mit"`,
		},
		{
			name: "tab indentation",
			in:   "---\nlicense: mit\ntags:\n\t- a\n---\n",
			want: "README.md:4: yaml: found character that cannot start any token",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCard([]byte(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseCard error = %v, want a *SyntaxError", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			if c == nil || !c.HasMetadata || c.License != nil {
				t.Errorf("card = %+v, want the card without metadata", c)
			}
		})
	}
}
