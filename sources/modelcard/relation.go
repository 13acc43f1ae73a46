package modelcard

import (
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// RelationFacts are what is known about a subject when deciding how it
// derives from its base models.
type RelationFacts struct {
	// Declared is the card's base_model_relation as written, "" when the
	// card declares none.
	Declared string
	// Parents is the number of distinct base models the card declares.
	Parents int
	// Adapter is true when the subject has an adapter_config.json.
	Adapter bool
	// Merge is true when the subject has a mergekit configuration.
	Merge bool
	// Quantized lists what marks the weights as quantized, such as
	// "quantization_config:gptq", "gguf" or "mlx"; empty when nothing does.
	Quantized []string
}

// Inference is a decided lineage relation and what it rests on.
type Inference struct {
	// Relation is the relation the files and the card support. It is the
	// relation of the subject's lineage edges.
	Relation sources.Relation
	// Declared is the relation the card declares, normalized; "" when the
	// card declares none or a value [sources.ParseRelation] does not know.
	Declared sources.Relation
	// Reason names what decided Relation: adapter_config, parents,
	// quantization, merge_config, declared or default.
	Reason string
}

// Mislabeled reports whether the card declares a relation that the files
// contradict.
func (in Inference) Mislabeled() bool {
	return in.Declared != "" && in.Declared != in.Relation
}

// InferRelation decides how a subject derives from its base models. Files
// win over declarations, because the Hub's own inference (and many cards)
// call every derivative a fine-tune:
//
//  1. an adapter_config.json makes an adapter;
//  2. several declared parents make a merge;
//  3. quantization facts make a quantization (a quantized merge declares its
//     one merged parent, and may carry the merge configuration along);
//  4. a mergekit configuration makes a merge;
//  5. otherwise the card's declaration, when it is one
//     [sources.ParseRelation] knows;
//  6. otherwise a fine-tune.
func InferRelation(f RelationFacts) Inference {
	declared, _ := sources.ParseRelation(f.Declared)
	in := Inference{Declared: declared}
	switch {
	case f.Adapter:
		in.Relation, in.Reason = sources.RelAdapter, "adapter_config"
	case f.Parents > 1:
		in.Relation, in.Reason = sources.RelMerge, "parents"
	case len(f.Quantized) > 0:
		in.Relation, in.Reason = sources.RelQuantized, "quantization"
	case f.Merge:
		in.Relation, in.Reason = sources.RelMerge, "merge_config"
	case declared != "":
		in.Relation, in.Reason = declared, "declared"
	default:
		in.Relation, in.Reason = sources.RelFinetune, "default"
	}
	return in
}

// QuantizedName reports which quantization format a file or repository
// name marks ("gguf", "gptq", "awq", "mlx", "exl2", "bnb"), or "" when none.
// Names are matched as words: "Llama-2-7B-GPTQ" and "model.Q4_K_M.gguf" are
// quantized, "awqward" is not.
func QuantizedName(name string) string {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".gguf") || strings.HasSuffix(lower, ".ggml") {
		return "gguf"
	}
	words := strings.FieldsFunc(lower, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for _, w := range words {
		switch w {
		case "gguf", "ggml":
			return "gguf"
		case "gptq", "awq", "mlx", "exl2":
			return w
		case "bnb":
			return "bnb"
		}
	}
	return ""
}
