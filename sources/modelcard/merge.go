package modelcard

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// MergeConfig is a mergekit configuration (mergekit_config.yml, or the YAML
// given to mergekit-yaml or mergekit-moe).
type MergeConfig struct {
	// Method is merge_method (linear, slerp, ties, dare_ties, passthrough,
	// ...); "moe" for a mergekit-moe configuration, which names none.
	Method string
	// BaseModel is base_model, "" when not given.
	BaseModel string
	// Models are every distinct model the configuration names, in the order
	// written: base_model, models[].model, slices[].sources[].model and
	// experts[].source_model. A reference "model+lora" names both.
	Models []string
	// Dtype is dtype, "" when not given.
	Dtype string
}

// ParseMergeConfig parses a mergekit YAML configuration. A file that does
// not parse, or is not a mapping, gives a *SyntaxError.
func ParseMergeConfig(data []byte) (*MergeConfig, error) {
	m, err := parseYAML(MergeConfigFile, 1, data)
	if err != nil {
		return nil, err
	}
	mc := &MergeConfig{}
	add := func(n *yaml.Node) { mc.Models = append(mc.Models, modelRefs(n)...) }
	fields(m, func(key string, v *yaml.Node) {
		switch key {
		case "merge_method":
			mc.Method = scalar(v)
		case "base_model":
			mc.BaseModel = first(modelNode(v))
			add(v)
		case "dtype":
			mc.Dtype = scalar(v)
		case "models":
			eachItem(v, func(it *yaml.Node) { add(lookup(it, "model")) })
		case "slices":
			eachItem(v, func(slice *yaml.Node) {
				eachItem(lookup(slice, "sources"), func(src *yaml.Node) { add(lookup(src, "model")) })
			})
		case "experts":
			eachItem(v, func(it *yaml.Node) { add(lookup(it, "source_model")) })
			if mc.Method == "" {
				mc.Method = "moe"
			}
		}
	})
	if base, _, ok := strings.Cut(mc.BaseModel, "+"); ok {
		mc.BaseModel = strings.TrimSpace(base)
	}
	mc.Models = dedupe(mc.Models)
	return mc, nil
}

// eachItem calls fn for each item of a list node.
func eachItem(n *yaml.Node, fn func(*yaml.Node)) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return
	}
	for _, it := range n.Content {
		fn(resolve(it))
	}
}

// modelNode returns the node naming a model: n itself when it is a scalar,
// or the path of a structured reference ({model: {path: X}, lora: ...} or
// {path: X}).
func modelNode(n *yaml.Node) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	if p := lookup(n, "path"); p != nil {
		return p
	}
	if inner := resolve(lookup(n, "model")); inner != nil && inner.Kind == yaml.MappingNode {
		return lookup(inner, "path")
	}
	return nil
}

// modelRefs returns the models a model reference names: "org/a" names one,
// "org/a+org/lora" a model and the LoRA applied to it, and a structured
// reference its model's and LoRA's paths.
func modelRefs(n *yaml.Node) []string {
	n = resolve(n)
	if n == nil {
		return nil
	}
	var out []string
	for _, s := range strs(modelNode(n)) {
		for _, part := range strings.Split(s, "+") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	if n.Kind == yaml.MappingNode {
		out = append(out, strs(modelNode(lookup(n, "lora")))...)
	}
	return out
}
