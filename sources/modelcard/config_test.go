package modelcard

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want *Config
	}{
		{
			name: "remote code and gptq",
			in: `{"architectures": ["MyModel", "MyModel"], "model_type": "my", "_name_or_path": "org/base",
"auto_map": {"AutoModelForCausalLM": "modeling_my.MyModel", "AutoConfig": "org/code--configuration_my.MyConfig",
 "AutoTokenizer": ["tokenization_my.MyTokenizer", null]},
"quantization_config": {"quant_method": "GPTQ", "bits": 4}, "torch_dtype": "float16"}`,
			want: &Config{
				Architectures: []string{"MyModel"}, ModelType: "my", NameOrPath: "org/base", TorchDtype: "float16",
				AutoMap: []AutoMapEntry{
					{Class: "AutoConfig", Ref: "org/code--configuration_my.MyConfig", Repo: "org/code"},
					{Class: "AutoModelForCausalLM", Ref: "modeling_my.MyModel"},
					{Class: "AutoTokenizer", Ref: "tokenization_my.MyTokenizer"},
				},
				Quantization: &Quantization{Method: "gptq", Bits: 4},
			},
		},
		{
			name: "legacy bitsandbytes, python NaN, odd types",
			in:   `{"architectures": "X", "model_type": 3, "quantization_config": {"load_in_8bit": true}, "x": NaN, "y": -Infinity, "s": "NaN", "dtype": "bfloat16"}`,
			want: &Config{Architectures: []string{"X"}, ModelType: "3", TorchDtype: "bfloat16", Quantization: &Quantization{Method: "bitsandbytes", Bits: 8}},
		},
		{
			name: "mlx",
			in:   `{"quantization": {"group_size": 64, "bits": 4}, "auto_map": [1]}`,
			want: &Config{Quantization: &Quantization{Method: "mlx", Bits: 4}},
		},
		{name: "empty object", in: `{}`, want: &Config{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseConfig([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseConfig (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"bad value", "{\n  \"a\": 1,\n  \"model_type\": x\n}", "config.json:3:17: invalid character 'x' looking for beginning of value"},
		{"trailing comma", "{\"a\": 1,}", "config.json:1:9: invalid character '}' looking for beginning of object key string"},
		{"truncated", "{\"a\": ", "config.json:1:6: unexpected end of JSON input"},
		{"empty", "", "config.json:1:1: unexpected end of JSON input"},
		{"array", "\n [1, 2]", "config.json:2:2: want a JSON object of fields, got array"},
		{"null", "null", "config.json:1:1: want a JSON object of fields, got null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseConfig([]byte(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseConfig error = %v, want a *SyntaxError", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseAdapterConfig(t *testing.T) {
	t.Parallel()
	got, err := ParseAdapterConfig([]byte(`{"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA",
"task_type": "CAUSAL_LM", "r": 16.0, "revision": null, "target_modules": ["q_proj"]}`))
	if err != nil {
		t.Fatalf("ParseAdapterConfig: %v", err)
	}
	want := &AdapterConfig{BaseModel: "meta-llama/Llama-2-7b-hf", PEFTType: "LORA", TaskType: "CAUSAL_LM", R: 16}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseAdapterConfig (-want +got):\n%s", diff)
	}
	if _, err := ParseAdapterConfig([]byte(`{"r": }`)); err == nil || err.Error() != "adapter_config.json:1:7: invalid character '}' looking for beginning of value" {
		t.Errorf("ParseAdapterConfig(bad) error = %v", err)
	}
}

func TestParseMergeConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want *MergeConfig
	}{
		{
			name: "ties",
			in: "models:\n  - model: org/a\n    parameters: {density: 0.5}\n  - model: org/b+org/lora\n" +
				"merge_method: ties\nbase_model: org/base\nparameters:\n  normalize: true\ndtype: bfloat16\n",
			want: &MergeConfig{Method: "ties", BaseModel: "org/base", Dtype: "bfloat16", Models: []string{"org/a", "org/b", "org/lora", "org/base"}},
		},
		{
			name: "slices",
			in: "slices:\n  - sources:\n      - model: org/a\n        layer_range: [0, 32]\n      - model: org/b\n        layer_range: [0, 32]\n" +
				"  - sources:\n      - model: org/a\n        layer_range: [16, 32]\nmerge_method: slerp\nbase_model: org/a\n",
			want: &MergeConfig{Method: "slerp", BaseModel: "org/a", Models: []string{"org/a", "org/b"}},
		},
		{
			name: "moe and structured references",
			in: "base_model: {model: {path: org/base}, lora: {path: org/l}}\ngate_mode: hidden\nexperts:\n" +
				"  - source_model: org/x\n    positive_prompts: [code]\n  - source_model: org/y\n",
			want: &MergeConfig{Method: "moe", BaseModel: "org/base", Models: []string{"org/base", "org/l", "org/x", "org/y"}},
		},
		{name: "empty", in: "", want: &MergeConfig{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMergeConfig([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseMergeConfig: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMergeConfig (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParseMergeConfig([]byte("models:\n  - model: a\n bad: [")); err == nil {
		t.Error("ParseMergeConfig(bad YAML) = nil error")
	} else if se := (*SyntaxError)(nil); !errors.As(err, &se) || se.File != MergeConfigFile || se.Line == 0 {
		t.Errorf("ParseMergeConfig(bad YAML) error = %#v, want a *SyntaxError with a line", err)
	}
}
