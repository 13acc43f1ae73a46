package modelcard

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

func TestInferRelation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		facts    RelationFacts
		rel      sources.Relation
		declared sources.Relation
		reason   string
		mislabel bool
	}{
		{"nothing", RelationFacts{Parents: 1}, sources.RelFinetune, "", "default", false},
		{"declared distillation", RelationFacts{Declared: "Distillation", Parents: 1}, sources.RelDistillation, sources.RelDistillation, "declared", false},
		{"unknown declaration", RelationFacts{Declared: "vibes", Parents: 1}, sources.RelFinetune, "", "default", false},
		{"lora declared finetune", RelationFacts{Declared: "finetune", Parents: 1, Adapter: true}, sources.RelAdapter, sources.RelFinetune, "adapter_config", true},
		{"adapter declared adapter", RelationFacts{Declared: "adapter", Adapter: true}, sources.RelAdapter, sources.RelAdapter, "adapter_config", false},
		{"several parents", RelationFacts{Parents: 3}, sources.RelMerge, "", "parents", false},
		{"gguf declared finetune", RelationFacts{Declared: "finetune", Parents: 1, Quantized: []string{"gguf"}}, sources.RelQuantized, sources.RelFinetune, "quantization", true},
		{"quantized merge config", RelationFacts{Parents: 1, Merge: true, Quantized: []string{"gguf"}}, sources.RelQuantized, "", "quantization", false},
		{"mergekit", RelationFacts{Parents: 1, Merge: true}, sources.RelMerge, "", "merge_config", false},
		{"declared adapter without files", RelationFacts{Declared: "adapter", Parents: 1}, sources.RelAdapter, sources.RelAdapter, "declared", false},
	}
	for _, tc := range tests {
		got := InferRelation(tc.facts)
		if got.Relation != tc.rel || got.Declared != tc.declared || got.Reason != tc.reason || got.Mislabeled() != tc.mislabel {
			t.Errorf("%s: InferRelation = %+v (mislabeled %v), want {%s %s %s} (mislabeled %v)",
				tc.name, got, got.Mislabeled(), tc.rel, tc.declared, tc.reason, tc.mislabel)
		}
	}
}

func TestQuantizedName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"model.Q4_K_M.gguf":        "gguf",
		"TheBloke/Llama-2-7B-GPTQ": "gptq",
		"org/model-AWQ":            "awq",
		"mlx-community/phi-2-4bit": "mlx",
		"model-exl2-4.0bpw":        "exl2",
		"org/model-bnb-4bit":       "bnb",
		"org/awqward-model":        "",
		"model.safetensors":        "",
	}
	for in, want := range tests {
		if got := QuantizedName(in); got != want {
			t.Errorf("QuantizedName(%q) = %q, want %q", in, got, want)
		}
	}
}
