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

func TestParseConfigDimensions(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	id := func(n int) *int { return &n }
	tests := []struct {
		name string
		in   string
		want *Config
	}{
		{
			name: "llama 3.1",
			in: `{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
"num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256, "max_position_embeddings": 131072,
"rope_theta": 500000.0, "rope_scaling": {"factor": 8.0, "rope_type": "llama3"}, "tie_word_embeddings": false,
"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 128, "sliding_window": null}`,
			want: &Config{ModelType: "llama", HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32,
				NumKeyValueHeads: 8, IntermediateSize: 14336, VocabSize: 128256, MaxPositionEmbeddings: 131072,
				RopeTheta: 500000, RopeScalingType: "llama3", TieWordEmbeddings: &no, BosTokenID: id(128000),
				EosTokenID: id(128001), HeadDim: 128},
		},
		{
			name: "gpt-2 names",
			in:   `{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": null, "n_positions": 1024, "n_ctx": 2048, "vocab_size": 50257, "bos_token_id": 50256, "eos_token_id": 50256}`,
			want: &Config{ModelType: "gpt2", HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12,
				MaxPositionEmbeddings: 1024, VocabSize: 50257, BosTokenID: id(50256), EosTokenID: id(50256)},
		},
		{
			name: "t5 names",
			in:   `{"model_type": "t5", "d_model": 512, "num_layers": 6, "num_heads": 8, "d_ff": 2048, "vocab_size": 32128, "eos_token_id": 1}`,
			want: &Config{ModelType: "t5", HiddenSize: 512, NumHiddenLayers: 6, NumAttentionHeads: 8, IntermediateSize: 2048, VocabSize: 32128, EosTokenID: id(1)},
		},
		{
			name: "distilbert dim and hidden_dim",
			in:   `{"dim": 768, "hidden_dim": 3072, "n_layers": 6, "n_heads": 12, "vocab_size": 30522}`,
			want: &Config{HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 6, NumAttentionHeads: 12, VocabSize: 30522},
		},
		{
			name: "gpt-neox rotary base, falcon kv heads, old rope_scaling type",
			in:   `{"hidden_size": 4544, "num_kv_heads": 1, "rotary_emb_base": 10000, "rope_scaling": {"type": "yarn", "factor": 4}, "sliding_window": 4096}`,
			want: &Config{HiddenSize: 4544, NumKeyValueHeads: 1, RopeTheta: 10000, RopeScalingType: "yarn", SlidingWindow: 4096},
		},
		{
			name: "multimodal text_config fallback",
			in: `{"model_type": "llava", "vocab_size": 32064, "tie_word_embeddings": true,
"text_config": {"hidden_size": 4096, "num_hidden_layers": 32, "vocab_size": 32000, "rope_theta": 1e6, "tie_word_embeddings": false,
 "rope_scaling": {"rope_type": "linear"}, "bos_token_id": 1, "eos_token_id": [2]}}`,
			want: &Config{ModelType: "llava", VocabSize: 32064, HiddenSize: 4096, NumHiddenLayers: 32, RopeTheta: 1000000,
				TieWordEmbeddings: &yes, RopeScalingType: "linear", BosTokenID: id(1), EosTokenID: id(2)},
		},
		{
			name: "rope_parameters of newer files",
			in:   `{"rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"}}`,
			want: &Config{RopeTheta: 1000000},
		},
		{
			name: "rope_parameters with scaling",
			in:   `{"rope_parameters": {"rope_theta": 10000, "rope_type": "yarn"}}`,
			want: &Config{RopeTheta: 10000, RopeScalingType: "yarn"},
		},
		{
			name: "wrong types and ranges ignored",
			in: `{"hidden_size": "4096", "num_hidden_layers": 32.5, "num_attention_heads": -1, "num_key_value_heads": 0,
"intermediate_size": true, "vocab_size": 1e12, "max_position_embeddings": [4096], "rope_theta": NaN, "rope_scaling": "llama3",
"tie_word_embeddings": "false", "bos_token_id": -1, "eos_token_id": [], "head_dim": null, "text_config": [1]}`,
			want: &Config{},
		},
		{
			name: "canonical name wins over the alternate, top level over text_config",
			in:   `{"hidden_size": 64, "n_embd": 32, "text_config": {"hidden_size": 16, "n_layer": 3}}`,
			want: &Config{HiddenSize: 64, NumHiddenLayers: 3},
		},
		{
			name: "token id zero is present",
			in:   `{"bos_token_id": 0, "eos_token_id": 0.0}`,
			want: &Config{BosTokenID: id(0), EosTokenID: id(0)},
		},
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
