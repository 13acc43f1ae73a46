package modelcard

import (
	"bufio"
	_ "embed" // the fingerprint table
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FingerprintsFile is the name of the embedded fingerprint table, used in
// its error messages.
const FingerprintsFile = "fingerprints.yaml"

//go:embed fingerprints.yaml
var fingerprintsYAML string

// minFingerprintFields is the number of fields a configuration must match
// for a family to count; hidden_size and vocab_size must be among them.
const minFingerprintFields = 5

// Fingerprint is the architecture of a known base-model family as its
// published config.json gives it: a configuration whose every Match field
// equals the table's is built the same way and at the same size.
type Fingerprint struct {
	// Family names the family and size ("Qwen2.5-7B").
	Family string
	// Bases are the canonical Hub ids of the family's models, the base model
	// first: the first is the base a match reports.
	Bases []string
	// Match maps the fields of [FingerprintFields] to the value the
	// configuration must have, as written in the table ("3584", "qwen2",
	// "1000000"). vocab_size_min and vocab_size_max, together, stand for a
	// range of vocab_size.
	Match map[string]string
	// Source is the URL of the config.json the values come from.
	Source string
}

// FingerprintMatch is a family whose fingerprint a configuration matches.
type FingerprintMatch struct {
	// Family is the matching family.
	Family string
	// Bases are the canonical Hub ids of the family, the base model first.
	Bases []string
	// Fields are the configuration fields that matched, in the order of
	// [FingerprintFields], as field=value with the configuration's value
	// ("hidden_size=3584", "vocab_size=32001").
	Fields []string
}

// fieldKind is the type of a fingerprint field's value.
type fieldKind int

const (
	kindText fieldKind = iota
	kindCount
	kindNumber
	kindBool
	kindID
)

// FingerprintFields returns the names of the fields a fingerprint may
// match, in the order matches report them. vocab_size_min and
// vocab_size_max bound vocab_size and are reported as vocab_size.
func FingerprintFields() []string {
	return []string{
		"model_type", "hidden_size", "num_hidden_layers", "num_attention_heads",
		"num_key_value_heads", "intermediate_size", "head_dim", "vocab_size",
		"vocab_size_min", "vocab_size_max", "max_position_embeddings", "rope_theta",
		"rope_scaling_type", "sliding_window", "tie_word_embeddings",
		"bos_token_id", "eos_token_id",
	}
}

// fingerprintField returns the kind of a fingerprint field and whether the
// name is one.
func fingerprintField(name string) (fieldKind, bool) {
	switch name {
	case "model_type", "rope_scaling_type":
		return kindText, true
	case "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
		"intermediate_size", "head_dim", "vocab_size", "vocab_size_min", "vocab_size_max",
		"max_position_embeddings", "sliding_window":
		return kindCount, true
	case "rope_theta":
		return kindNumber, true
	case "tie_word_embeddings":
		return kindBool, true
	case "bos_token_id", "eos_token_id":
		return kindID, true
	}
	return 0, false
}

// Fingerprints returns the embedded table of base-model fingerprints,
// parsed and validated afresh on each call, so callers may keep or change
// the result.
func Fingerprints() ([]Fingerprint, error) {
	return ParseFingerprints(FingerprintsFile, []byte(fingerprintsYAML))
}

// ParseFingerprints parses a fingerprint table: a YAML list of entries with
// the keys family, bases, match and source, all required. It is strict: an
// unknown or repeated key, a match field of the wrong form, a repeated
// family, or an entry that could never match (fewer than five match fields,
// or no hidden_size or vocab_size) is an error, a *SyntaxError naming file
// and line. An empty document is an empty table.
func ParseFingerprints(file string, data []byte) (fps []Fingerprint, err error) {
	defer func() {
		if r := recover(); r != nil {
			fps, err = nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("yaml: parser failed: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, 1, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := resolve(doc.Content[0])
	if root == nil || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		return nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, &SyntaxError{File: file, Line: root.Line,
			Msg: fmt.Sprintf("the table is a %s, want a list of entries such as \"- family: Qwen2.5-7B\"", kindName(root))}
	}
	p := fingerprintParser{file: file, seen: map[string]int{}}
	for _, n := range root.Content {
		fp, err := p.entry(resolve(n))
		if err != nil {
			return nil, err
		}
		fps = append(fps, fp)
	}
	return fps, nil
}

// fingerprintParser parses the entries of one table.
type fingerprintParser struct {
	file string
	// seen maps each family parsed so far to its line.
	seen map[string]int
}

// errorf returns a *SyntaxError at line n of the table.
func (p *fingerprintParser) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// entry parses one entry of the table.
func (p *fingerprintParser) entry(n *yaml.Node) (Fingerprint, error) {
	var fp Fingerprint
	if n == nil || n.Kind != yaml.MappingNode {
		return fp, p.errorf(n, "entry is a %s, want a mapping with family, bases, match and source", kindName(n))
	}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			return fp, p.errorf(n.Content[i], "entry key is a %s, want one of family, bases, match, source", kindName(k))
		}
		switch k.Value {
		case "family", "bases", "match", "source":
		default:
			return fp, p.errorf(k, "unknown key %q, want family, bases, match or source", k.Value)
		}
		if _, dup := keys[k.Value]; dup {
			return fp, p.errorf(k, "key %q repeated in the entry", k.Value)
		}
		keys[k.Value] = v
	}
	for _, k := range []string{"family", "bases", "match", "source"} {
		if keys[k] == nil {
			return fp, p.errorf(n, "entry has no %s", k)
		}
	}

	var err error
	if fp.Family, err = p.text(keys["family"], "family"); err != nil {
		return fp, err
	}
	if line, dup := p.seen[fp.Family]; dup {
		return fp, p.errorf(keys["family"], "family %q already defined on line %d", fp.Family, line)
	}
	p.seen[fp.Family] = keys["family"].Line
	if fp.Bases, err = p.bases(keys["bases"]); err != nil {
		return fp, err
	}
	if fp.Match, err = p.match(keys["match"], fp.Family); err != nil {
		return fp, err
	}
	if fp.Source, err = p.text(keys["source"], "source"); err != nil {
		return fp, err
	}
	if u, perr := url.Parse(fp.Source); perr != nil || u.Scheme != "https" || u.Host == "" {
		return fp, p.errorf(keys["source"], "source %q is not an https URL: give the URL of the config.json the values come from", fp.Source)
	}
	return fp, nil
}

// text returns the value of a non-empty scalar field.
func (p *fingerprintParser) text(n *yaml.Node, field string) (string, error) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errorf(n, "%s is a %s, want a single value", field, kindName(n))
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		return "", p.errorf(n, "%s is empty", field)
	}
	return s, nil
}

// bases parses the list of canonical Hub ids.
func (p *fingerprintParser) bases(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "bases is a %s, want a non-empty list of Hub ids such as [Qwen/Qwen2.5-7B]", kindName(n))
	}
	var out []string
	for _, c := range n.Content {
		c = resolve(c)
		id, err := p.text(c, "base")
		if err != nil {
			return nil, err
		}
		owner, name, ok := strings.Cut(id, "/")
		if !ok || owner == "" || name == "" || strings.ContainsAny(name, "/ \t") || strings.ContainsAny(owner, " \t") {
			return nil, p.errorf(c, "base %q is not a Hub id of the form owner/name", id)
		}
		if slices.Contains(out, id) {
			return nil, p.errorf(c, "base %q repeated", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// match parses and checks the match mapping of family.
func (p *fingerprintParser) match(n *yaml.Node, family string) (map[string]string, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "match is a %s, want a mapping of config.json fields such as \"hidden_size: 3584\"", kindName(n))
	}
	m := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, p.errorf(n.Content[i], "match key is a %s, want a field name", kindName(k))
		}
		kind, ok := fingerprintField(k.Value)
		if !ok {
			return nil, p.errorf(k, "unknown match field %q, want one of %s", k.Value, strings.Join(FingerprintFields(), ", "))
		}
		if _, dup := m[k.Value]; dup {
			return nil, p.errorf(k, "match field %q repeated", k.Value)
		}
		val, err := p.text(v, k.Value)
		if err != nil {
			return nil, err
		}
		if msg := checkValue(kind, val); msg != "" {
			return nil, p.errorf(v, "match field %s: %q is not %s", k.Value, val, msg)
		}
		m[k.Value] = val
	}
	_, exact := m["vocab_size"]
	lo, hasLo := m["vocab_size_min"]
	hi, hasHi := m["vocab_size_max"]
	switch {
	case exact && (hasLo || hasHi):
		return nil, p.errorf(n, "%s: give vocab_size or vocab_size_min and vocab_size_max, not both", family)
	case hasLo != hasHi:
		return nil, p.errorf(n, "%s: vocab_size_min and vocab_size_max go together", family)
	case hasLo && number(lo) > number(hi):
		return nil, p.errorf(n, "%s: vocab_size_min %s is above vocab_size_max %s", family, lo, hi)
	case !exact && !hasLo:
		return nil, p.errorf(n, "%s: match needs vocab_size (or vocab_size_min and vocab_size_max)", family)
	}
	if _, ok := m["hidden_size"]; !ok {
		return nil, p.errorf(n, "%s: match needs hidden_size", family)
	}
	if fields := matchCount(m); fields < minFingerprintFields {
		return nil, p.errorf(n, "%s: match has %d fields, want at least %d so that a partial configuration cannot match", family, fields, minFingerprintFields)
	}
	return m, nil
}

// matchCount is the number of fields m matches, a vocabulary range
// counting as one.
func matchCount(m map[string]string) int {
	n := len(m)
	if _, ok := m["vocab_size_max"]; ok {
		n--
	}
	return n
}

// checkValue returns "" when s is a valid value of kind, or what it should
// be.
func checkValue(kind fieldKind, s string) string {
	switch kind {
	case kindCount, kindID:
		f, err := strconv.ParseFloat(s, 64)
		low := 1.0
		if kind == kindID {
			low = 0
		}
		if err != nil || f != math.Trunc(f) || f < low || f > math.MaxInt32 {
			if kind == kindID {
				return "a whole number from 0"
			}
			return "a whole number from 1"
		}
	case kindNumber:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return "a number above 0"
		}
	case kindBool:
		if s != "true" && s != "false" {
			return "true or false"
		}
	}
	return ""
}

// number parses a value checkValue accepted.
func number(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// configField returns the value of a fingerprint field in c: its number
// (for numeric fields) or text, and whether c gives the field at all.
func configField(c *Config, name string) (num float64, text string, ok bool) {
	count := func(n int) (float64, string, bool) {
		return float64(n), strconv.Itoa(n), n > 0
	}
	switch name {
	case "model_type":
		return 0, c.ModelType, c.ModelType != ""
	case "rope_scaling_type":
		return 0, c.RopeScalingType, c.RopeScalingType != ""
	case "hidden_size":
		return count(c.HiddenSize)
	case "num_hidden_layers":
		return count(c.NumHiddenLayers)
	case "num_attention_heads":
		return count(c.NumAttentionHeads)
	case "num_key_value_heads":
		return count(c.NumKeyValueHeads)
	case "intermediate_size":
		return count(c.IntermediateSize)
	case "head_dim":
		return count(c.HeadDim)
	case "vocab_size", "vocab_size_min", "vocab_size_max":
		return count(c.VocabSize)
	case "max_position_embeddings":
		return count(c.MaxPositionEmbeddings)
	case "sliding_window":
		return count(c.SlidingWindow)
	case "rope_theta":
		return c.RopeTheta, strconv.FormatFloat(c.RopeTheta, 'f', -1, 64), c.RopeTheta > 0
	case "tie_word_embeddings":
		if c.TieWordEmbeddings == nil {
			return 0, "", false
		}
		return 0, strconv.FormatBool(*c.TieWordEmbeddings), true
	case "bos_token_id":
		if c.BosTokenID == nil {
			return 0, "", false
		}
		return float64(*c.BosTokenID), strconv.Itoa(*c.BosTokenID), true
	case "eos_token_id":
		if c.EosTokenID == nil {
			return 0, "", false
		}
		return float64(*c.EosTokenID), strconv.Itoa(*c.EosTokenID), true
	}
	return 0, "", false
}

// matchFingerprint returns the fields of c that fp matches, or false when a
// match field is absent from c or differs.
func matchFingerprint(fp Fingerprint, c *Config) ([]string, bool) {
	var fields []string
	for _, name := range FingerprintFields() {
		want, listed := fp.Match[name]
		if !listed {
			continue
		}
		kind, known := fingerprintField(name)
		num, text, ok := configField(c, name)
		if !known || !ok {
			return nil, false
		}
		switch {
		case name == "vocab_size_min":
			if num < number(want) {
				return nil, false
			}
			if hi, ok := fp.Match["vocab_size_max"]; !ok || num > number(hi) {
				return nil, false
			}
			fields = append(fields, "vocab_size="+text)
			continue
		case name == "vocab_size_max":
			if _, ok := fp.Match["vocab_size_min"]; !ok {
				return nil, false // a bound alone is not a valid fingerprint
			}
			continue // checked with vocab_size_min
		case kind == kindText || kind == kindBool:
			if text != want {
				return nil, false
			}
		default:
			if num != number(want) {
				return nil, false
			}
		}
		fields = append(fields, name+"="+text)
	}
	return fields, true
}

// MatchFingerprint returns the families of fps whose every match field
// equals the configuration's value. Numbers compare numerically (a table's
// 1e6 equals a configuration's 1000000.0); a field the configuration does
// not give never matches. A family needs at least five matched fields,
// hidden_size and vocab_size among them, to count, so a partial
// configuration matches nothing. The most specific families (most fields
// matched) come first, ties in the order of fps. It returns nil for a nil
// configuration.
func MatchFingerprint(fps []Fingerprint, c *Config) []FingerprintMatch {
	if c == nil {
		return nil
	}
	var out []FingerprintMatch
	for _, fp := range fps {
		fields, ok := matchFingerprint(fp, c)
		if !ok || len(fields) < minFingerprintFields || len(fp.Bases) == 0 {
			continue
		}
		if !hasField(fields, "hidden_size") || !hasField(fields, "vocab_size") {
			continue
		}
		out = append(out, FingerprintMatch{Family: fp.Family, Bases: slices.Clone(fp.Bases), Fields: fields})
	}
	slices.SortStableFunc(out, func(a, b FingerprintMatch) int { return len(b.Fields) - len(a.Fields) })
	return out
}

// hasField reports whether fields has an entry for name.
func hasField(fields []string, name string) bool {
	return slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(f, name+"=") })
}

// WriteFingerprintsMarkdown renders a fingerprint table as the Markdown of
// docs/fingerprints.md: what is matched and how, the limits of the method,
// then one row per family in table order. It returns the first write
// error.
func WriteFingerprintsMarkdown(w io.Writer, fps []Fingerprint) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# Architecture fingerprints\n\n")
	p("<!-- Generated from sources/modelcard/fingerprints.yaml by `go test ./sources/modelcard -run TestFingerprintsDocFresh -update`. Do not edit. -->\n\n")
	p("A model's config.json says how the network is built: its width, depth, attention heads,\n")
	p("feed-forward width, vocabulary and position encoding. A fine-tune, a quantization or a\n")
	p("re-upload keeps all of them, so a config.json that gives exactly the dimensions of a\n")
	p("known base model is evidence that the model derives from it, even when its card names\n")
	p("no base. Pedigree keeps a table of the published dimensions of %d base-model families\n", len(fps))
	p("that derivatives are commonly built on, and compares every config.json it reads with it.\n\n")

	p("## What is matched\n\n")
	p("Each entry lists config.json fields and the value its base model publishes. A\n")
	p("configuration matches an entry when it gives every listed field and each value is equal;\n")
	p("numbers compare as numbers, so `1e6` equals `1000000.0`. A field the configuration does\n")
	p("not give never matches. An entry counts only when at least %d fields match, `hidden_size`\n", minFingerprintFields)
	p("and `vocab_size` among them, so a partial configuration matches nothing.\n\n")
	p("The fields are read from the top level of config.json and, for a multimodal model, from\n")
	p("its `text_config`, under the names different architectures use:\n\n")
	p("| field | also read from |\n|---|---|\n")
	p("| `hidden_size` | `n_embd`, `n_embed`, `d_model`, `dim` |\n")
	p("| `num_hidden_layers` | `n_layer`, `n_layers`, `num_layers` |\n")
	p("| `num_attention_heads` | `n_head`, `n_heads`, `num_heads` |\n")
	p("| `num_key_value_heads` | `num_kv_heads`, `n_head_kv`, `n_kv_heads`, `multi_query_group_num` |\n")
	p("| `intermediate_size` | `n_inner`, `d_ff`, `ffn_hidden_size`, `ffn_dim`, `hidden_dim` |\n")
	p("| `vocab_size` | `padded_vocab_size` |\n")
	p("| `max_position_embeddings` | `n_positions`, `n_ctx` |\n")
	p("| `rope_theta` | `rotary_emb_base`, `rope_parameters.rope_theta` |\n")
	p("| `rope_scaling_type` | `rope_scaling.rope_type`, `rope_scaling.type`, `rope_parameters.rope_type` (unless `default`) |\n")
	p("| `eos_token_id` | the first id when the field is a list |\n\n")
	p("`model_type`, `head_dim`, `sliding_window`, `tie_word_embeddings` and `bos_token_id` are\n")
	p("read as named. A value of the wrong JSON type (a count written as a string, a fraction\n")
	p("where a count is wanted) is ignored, as if the field were absent.\n\n")

	p("## Vocabulary ranges\n\n")
	p("Fine-tunes often add a few tokens (a padding token, chat markers), so that a Llama-2\n")
	p("derivative has 32001 or 32002 entries where Llama-2 has 32000. Families whose derivatives\n")
	p("commonly do this give `vocab_size_min` and `vocab_size_max` instead of `vocab_size`; a\n")
	p("vocabulary inside the range matches, and the match reports the configuration's own\n")
	p("`vocab_size`. The range counts as one field.\n\n")

	p("## How a match is reported\n\n")
	p("Matches are ordered most specific first (most fields matched), then in table order. For a\n")
	p("subject that declares no base model and whose files name none, the first match becomes a\n")
	p("`fingerprint` evidence: its value is the family's first base, and its attributes name the\n")
	p("family, every candidate base and the fields that matched (`hidden_size=3584`, ...). When\n")
	p("exactly one family matches, the subject is linked to that base by an undeclared\n")
	p("`derived_from` edge, which `lineage-undeclared` reports. When several families share the\n")
	p("fingerprint no edge is drawn: the evidence lists the candidates and a reviewer decides.\n")
	p("A subject published by the owner of a candidate base is that owner's own model of the\n")
	p("architecture and is not reported.\n\n")

	p("## Limits\n\n")
	p("- A fingerprint says \"same architecture and size\". A model trained from scratch to the\n")
	p("  same design has it too (LLaMA-1 7B and Llama-2-7B do; so do Qwen2 and Qwen2.5 at\n")
	p("  several sizes). That is why the evidence is an undeclared `derived_from`, never a\n")
	p("  declared fine-tune, and why `lineage-undeclared` asks the publisher to declare the base\n")
	p("  rather than concluding which one it is.\n")
	p("- Families that share every published dimension are listed separately and both match;\n")
	p("  where a field tells them apart (Llama-3-8B and Llama-3.1-8B differ in\n")
	p("  `max_position_embeddings` and `rope_scaling`; DeepSeek-R1-Distill-Qwen in `rope_theta`)\n")
	p("  the entries list it.\n")
	p("- A derivative that changes a listed field (a context extension that raises\n")
	p("  `max_position_embeddings`, a vocabulary grown past a range, layers pruned or stacked)\n")
	p("  matches nothing: the absence of a match is not evidence of an original model.\n")
	p("- Configurations written by older or foreign code for the same weights (Phi-2's\n")
	p("  `phi-msft`, Falcon's `RefinedWebModel`, OLMo's `hf_olmo`) use other field names or\n")
	p("  model types and do not match.\n")
	p("- The table holds what was verified against a published config.json; families are left\n")
	p("  out rather than guessed.\n\n")

	p("## Table\n\n")
	p("| family | bases | match | source |\n|---|---|---|---|\n")
	for _, fp := range fps {
		var fields []string
		for _, name := range FingerprintFields() {
			if v, ok := fp.Match[name]; ok {
				fields = append(fields, fmt.Sprintf("`%s: %s`", name, v))
			}
		}
		bases := make([]string, len(fp.Bases))
		for i, b := range fp.Bases {
			bases[i] = "`" + b + "`"
		}
		p("| %s | %s | %s | [config.json](%s) |\n", cell(fp.Family), strings.Join(bases, "<br>"), strings.Join(fields, " "), fp.Source)
	}
	return bw.Flush()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}
