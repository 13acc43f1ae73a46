package modelcard

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Conventional names of the repository files this package parses.
const (
	ConfigFile        = "config.json"
	AdapterConfigFile = "adapter_config.json"
	MergeConfigFile   = "mergekit_config.yml"
)

// Config is the part of a Transformers config.json that says what a model
// is and where it came from.
type Config struct {
	// Architectures are the model classes, as written.
	Architectures []string
	// ModelType is model_type ("llama", "mistral", ...).
	ModelType string
	// NameOrPath is _name_or_path: the id or path the weights were loaded
	// from when the config was saved; "" when absent.
	NameOrPath string
	// AutoMap lists the custom classes of auto_map, sorted by Auto class
	// and then in the order written. Loading them runs the repository's code.
	AutoMap []AutoMapEntry
	// Quantization describes quantization_config (or MLX's quantization);
	// nil when the weights are not declared quantized.
	Quantization *Quantization
	// TorchDtype is torch_dtype (or dtype): float16, bfloat16, ...
	TorchDtype string

	// The architecture dimensions below are read from the top level of the
	// file and, for a dimension the top level does not give, from the
	// text_config object of a multimodal configuration. Each has alternate
	// key names, tried in the order listed, for architectures that spell it
	// differently. A value of the wrong JSON type (a string, a boolean, a
	// fraction where a count is wanted) or out of range is ignored, so that
	// an absent or unusable value always reads as zero (or nil).

	// HiddenSize is hidden_size (n_embd, n_embed, d_model, dim).
	HiddenSize int
	// NumHiddenLayers is num_hidden_layers (n_layer, n_layers, num_layers).
	NumHiddenLayers int
	// NumAttentionHeads is num_attention_heads (n_head, n_heads, num_heads).
	NumAttentionHeads int
	// NumKeyValueHeads is num_key_value_heads (num_kv_heads, n_head_kv,
	// n_kv_heads, multi_query_group_num); zero when the file gives none,
	// which for most architectures means one per attention head.
	NumKeyValueHeads int
	// IntermediateSize is the width of the feed-forward layer:
	// intermediate_size (n_inner, d_ff, ffn_hidden_size, ffn_dim,
	// hidden_dim). hidden_dim is read here and not as the hidden size
	// because the configurations that use it (DistilBERT, Mistral's
	// params.json) give the model width as dim and the feed-forward width as
	// hidden_dim.
	IntermediateSize int
	// VocabSize is vocab_size (padded_vocab_size).
	VocabSize int
	// MaxPositionEmbeddings is max_position_embeddings (n_positions, n_ctx).
	MaxPositionEmbeddings int
	// RopeTheta is the rotary embedding base: rope_theta (rotary_emb_base,
	// or rope_parameters.rope_theta of newer files); zero when absent.
	RopeTheta float64
	// RopeScalingType is rope_scaling.rope_type, or rope_scaling.type in
	// older files (llama3, yarn, linear, dynamic, longrope, ...), or the
	// rope_type of rope_parameters when it is not "default"; "" when the
	// positions are not scaled.
	RopeScalingType string
	// HeadDim is head_dim, zero when the file gives none.
	HeadDim int
	// SlidingWindow is sliding_window, zero when absent or null.
	SlidingWindow int
	// TieWordEmbeddings is tie_word_embeddings; nil when absent.
	TieWordEmbeddings *bool
	// BosTokenID is bos_token_id; nil when absent.
	BosTokenID *int
	// EosTokenID is eos_token_id, or the first id when it is a list; nil
	// when absent.
	EosTokenID *int
}

// AutoMapEntry is one class of a config's auto_map.
type AutoMapEntry struct {
	// Class is the Auto class mapped: AutoConfig, AutoModelForCausalLM, ...
	Class string
	// Ref is the class reference as written: "modeling_x.MyModel" or, for
	// code in another repository, "org/repo--modeling_x.MyModel".
	Ref string
	// Repo is the repository of a reference to another repository
	// ("org/repo"), "" for code in the model's own repository.
	Repo string
}

// Quantization is a declared quantization of the weights.
type Quantization struct {
	// Method is the quantization method, lower-cased: gptq, awq,
	// bitsandbytes, mlx, fp8, ...; "unknown" when the config names none.
	Method string
	// Bits is the declared bit width, 0 when not given.
	Bits int
}

// ParseConfig parses a config.json. Fields of unexpected types are
// ignored; a file that is not a JSON object gives a *SyntaxError with the
// line and column of the problem. NaN and Infinity, which Python writes and
// reads, are accepted.
func ParseConfig(data []byte) (*Config, error) {
	top, err := jsonObject(ConfigFile, data)
	if err != nil {
		return nil, err
	}
	c := &Config{
		Architectures: jsonStrings(top["architectures"]),
		ModelType:     jsonString(top["model_type"]),
		NameOrPath:    jsonString(top["_name_or_path"]),
		TorchDtype:    jsonString(top["torch_dtype"]),
	}
	if c.TorchDtype == "" {
		c.TorchDtype = jsonString(top["dtype"])
	}
	c.AutoMap = autoMap(top["auto_map"])
	c.Quantization = quantization(top["quantization_config"], top["quantization"])
	readDimensions(c, top)
	return c, nil
}

// autoMap reads an auto_map object: Auto class -> reference or list of
// references (a tokenizer's slow and fast classes, either possibly null).
func autoMap(raw json.RawMessage) []AutoMapEntry {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	classes := make([]string, 0, len(m))
	for k := range m {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	var out []AutoMapEntry
	for _, class := range classes {
		for _, ref := range jsonStrings(m[class]) {
			e := AutoMapEntry{Class: class, Ref: ref}
			if repo, _, ok := strings.Cut(ref, "--"); ok {
				e.Repo = repo
			}
			out = append(out, e)
		}
	}
	return out
}

// quantization reads quantization_config, or MLX's quantization object.
func quantization(qc, mlx json.RawMessage) *Quantization {
	var m map[string]json.RawMessage
	if len(qc) > 0 && json.Unmarshal(qc, &m) == nil && m != nil {
		q := &Quantization{Method: strings.ToLower(jsonString(m["quant_method"])), Bits: jsonInt(m["bits"])}
		if q.Method == "" {
			switch {
			case jsonString(m["load_in_4bit"]) == "true":
				q.Method, q.Bits = "bitsandbytes", 4
			case jsonString(m["load_in_8bit"]) == "true":
				q.Method, q.Bits = "bitsandbytes", 8
			default:
				q.Method = "unknown"
			}
		}
		return q
	}
	m = nil
	if len(mlx) > 0 && json.Unmarshal(mlx, &m) == nil && m != nil {
		return &Quantization{Method: "mlx", Bits: jsonInt(m["bits"])}
	}
	return nil
}

// AdapterConfig is a PEFT adapter_config.json.
type AdapterConfig struct {
	// BaseModel is base_model_name_or_path: the model the adapter applies to.
	BaseModel string
	// Revision is the base model's revision, "" when not given.
	Revision string
	// PEFTType is peft_type (LORA, IA3, ...), as written.
	PEFTType string
	// TaskType is task_type (CAUSAL_LM, ...), as written.
	TaskType string
	// R is the LoRA rank r, 0 when not given.
	R int
}

// ParseAdapterConfig parses a PEFT adapter_config.json. A file that is not a
// JSON object gives a *SyntaxError.
func ParseAdapterConfig(data []byte) (*AdapterConfig, error) {
	top, err := jsonObject(AdapterConfigFile, data)
	if err != nil {
		return nil, err
	}
	return &AdapterConfig{
		BaseModel: jsonString(top["base_model_name_or_path"]),
		Revision:  jsonString(top["revision"]),
		PEFTType:  jsonString(top["peft_type"]),
		TaskType:  jsonString(top["task_type"]),
		R:         jsonInt(top["r"]),
	}, nil
}

// jsonObject decodes data as a JSON object into its raw fields.
func jsonObject(file string, data []byte) (map[string]json.RawMessage, error) {
	if !json.Valid(data) {
		// Python's json writes NaN and Infinity and reads them back.
		clean, changed := pythonJSON(data)
		if !changed || !json.Valid(clean) {
			var v any
			return nil, jsonError(file, data, json.Unmarshal(data, &v))
		}
		data = clean
	}
	if i := firstNonSpace(data); i >= len(data) || data[i] != '{' {
		line, col := position(data, i+1)
		return nil, &SyntaxError{File: file, Line: line, Col: col, Msg: "want a JSON object of fields, got " + describe(data[i:])}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(file, data, err)
	}
	return top, nil
}

// firstNonSpace returns the index of the first byte of data that is not
// JSON white space, or len(data).
func firstNonSpace(data []byte) int {
	for i, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return len(data)
}

// pythonJSON returns data with the tokens NaN, Infinity and -Infinity
// outside strings replaced by 0 (padded to keep offsets), and whether any
// was. No field this package reads is a number that may be one of them.
func pythonJSON(data []byte) ([]byte, bool) {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		b := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		if b == '"' {
			inString = true
			continue
		}
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(data[i:], []byte(tok)) {
				if out == nil {
					out = bytes.Clone(data)
				}
				copy(out[i:], "0"+strings.Repeat(" ", len(tok)-1))
				i += len(tok) - 1
				break
			}
		}
	}
	return out, out != nil
}

// jsonString returns a JSON string's value, a number's or boolean's text,
// or "" for anything else.
func jsonString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if raw[0] == 't' || raw[0] == 'f' || json.Valid(raw) {
			return string(raw)
		}
	}
	return ""
}

// jsonStrings returns the non-empty strings of a JSON string or array,
// in order and without duplicates.
func jsonStrings(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	if raw[0] != '[' {
		if s := jsonString(raw); s != "" {
			return []string{s}
		}
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if s := jsonString(it); s != "" {
			out = append(out, s)
		}
	}
	return dedupe(out)
}

// jsonInt returns a JSON number (or numeric string) as an int, truncating
// a fraction; 0 for anything else.
func jsonInt(raw json.RawMessage) int {
	s := jsonString(raw)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1<<31 || f < -(1<<31) {
		return 0
	}
	return int(f)
}

// describe names the JSON type of raw for messages.
func describe(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// readDimensions fills the architecture dimensions of c from the fields of
// a config.json, falling back to its text_config object.
func readDimensions(c *Config, top map[string]json.RawMessage) {
	var text map[string]json.RawMessage
	if raw := top["text_config"]; len(raw) > 0 && json.Unmarshal(raw, &text) != nil {
		text = nil
	}
	levels := []map[string]json.RawMessage{top, text}
	count := func(keys []string) int {
		for _, m := range levels {
			for _, k := range keys {
				if n, ok := jsonCount(m[k]); ok {
					return n
				}
			}
		}
		return 0
	}
	// Key names, canonical first.
	c.HiddenSize = count([]string{"hidden_size", "n_embd", "n_embed", "d_model", "dim"})
	c.NumHiddenLayers = count([]string{"num_hidden_layers", "n_layer", "n_layers", "num_layers"})
	c.NumAttentionHeads = count([]string{"num_attention_heads", "n_head", "n_heads", "num_heads"})
	c.NumKeyValueHeads = count([]string{"num_key_value_heads", "num_kv_heads", "n_head_kv", "n_kv_heads", "multi_query_group_num"})
	c.IntermediateSize = count([]string{"intermediate_size", "n_inner", "d_ff", "ffn_hidden_size", "ffn_dim", "hidden_dim"})
	c.VocabSize = count([]string{"vocab_size", "padded_vocab_size"})
	c.MaxPositionEmbeddings = count([]string{"max_position_embeddings", "n_positions", "n_ctx"})
	c.HeadDim = count([]string{"head_dim"})
	c.SlidingWindow = count([]string{"sliding_window"})

	for _, m := range levels {
		if c.RopeTheta == 0 {
			for _, k := range []string{"rope_theta", "rotary_emb_base"} {
				if f, ok := jsonPositive(m[k]); ok {
					c.RopeTheta = f
					break
				}
			}
		}
		if c.RopeScalingType == "" {
			c.RopeScalingType = ropeScalingType(m["rope_scaling"])
		}
		params := jsonFields(m["rope_parameters"])
		if c.RopeTheta == 0 {
			if f, ok := jsonPositive(params["rope_theta"]); ok {
				c.RopeTheta = f
			}
		}
		if c.RopeScalingType == "" {
			if t := jsonText(params["rope_type"]); t != "default" {
				c.RopeScalingType = t
			}
		}
		if c.TieWordEmbeddings == nil {
			c.TieWordEmbeddings = jsonBool(m["tie_word_embeddings"])
		}
		if c.BosTokenID == nil {
			c.BosTokenID = jsonTokenID(m["bos_token_id"])
		}
		if c.EosTokenID == nil {
			c.EosTokenID = jsonTokenID(m["eos_token_id"])
		}
	}
}

// ropeScalingType returns the rope_type (or, in older files, type) of a
// rope_scaling object, "" for null or anything else.
func ropeScalingType(raw json.RawMessage) string {
	m := jsonFields(raw)
	if t := jsonText(m["rope_type"]); t != "" {
		return t
	}
	return jsonText(m["type"])
}

// jsonFields decodes a JSON object into its raw fields; nil for anything
// else.
func jsonFields(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// jsonText returns the trimmed value of a JSON string, "" for anything
// else (numbers included).
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	return jsonString(raw)
}

// jsonNumber returns the value of a JSON number; false for anything else,
// numeric strings included.
func jsonNumber(raw json.RawMessage) (float64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// jsonCount returns a JSON number that is a whole number from 1 to 2^31-1;
// false for anything else.
func jsonCount(raw json.RawMessage) (int, bool) {
	f, ok := jsonNumber(raw)
	if !ok || f < 1 || f > math.MaxInt32 || f != math.Trunc(f) {
		return 0, false
	}
	return int(f), true
}

// jsonPositive returns a JSON number greater than zero; false for anything
// else.
func jsonPositive(raw json.RawMessage) (float64, bool) {
	f, ok := jsonNumber(raw)
	if !ok || f <= 0 {
		return 0, false
	}
	return f, true
}

// jsonBool returns a JSON boolean, nil for anything else.
func jsonBool(raw json.RawMessage) *bool {
	var b bool
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		b = true
	case "false":
	default:
		return nil
	}
	return &b
}

// jsonTokenID returns a token id: a whole JSON number from 0 to 2^31-1, or
// the first element of a list of them. nil for anything else.
func jsonTokenID(raw json.RawMessage) *int {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
			return nil
		}
		raw = items[0]
	}
	f, ok := jsonNumber(raw)
	if !ok || f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		return nil
	}
	id := int(f)
	return &id
}
