package modelcard

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update makes TestFingerprintsDocFresh rewrite docs/fingerprints.md
// instead of comparing with it:
// go test ./sources/modelcard -run TestFingerprintsDocFresh -update.
var update = flag.Bool("update", false, "rewrite generated files instead of comparing with them")

// fingerprints returns the embedded table or stops the test.
func fingerprints(t *testing.T) []Fingerprint {
	t.Helper()
	fps, err := Fingerprints()
	if err != nil {
		t.Fatalf("Fingerprints: %v", err)
	}
	return fps
}

func TestFingerprintsTable(t *testing.T) {
	t.Parallel()
	fps := fingerprints(t)
	if len(fps) < 40 {
		t.Errorf("the table has %d families, want at least 40", len(fps))
	}
	for _, fp := range fps {
		t.Run(fp.Family, func(t *testing.T) {
			if len(fp.Bases) == 0 || !strings.HasPrefix(fp.Source, "https://huggingface.co/"+fp.Bases[0]+"/") {
				t.Errorf("source %q is not the config.json of the first base %v", fp.Source, fp.Bases)
			}
			// The family's own published dimensions, as a configuration,
			// must match the family itself with every field.
			c := configFromMatch(fp.Match)
			got := MatchFingerprint([]Fingerprint{fp}, c)
			if len(got) != 1 || len(got[0].Fields) != matchCount(fp.Match) {
				t.Errorf("MatchFingerprint(own values) = %+v, want the family with %d fields", got, matchCount(fp.Match))
			}
		})
	}
	// A second call returns a fresh, equal table: nothing is shared.
	again := fingerprints(t)
	again[0].Match["hidden_size"] = "1"
	if diff := cmp.Diff(fps, fingerprints(t)); diff != "" {
		t.Errorf("Fingerprints changed after a caller modified its result (-before +after):\n%s", diff)
	}
}

// configFromMatch builds the configuration a fingerprint describes, taking
// the lower bound of a vocabulary range.
func configFromMatch(m map[string]string) *Config {
	n := func(k string) int {
		f := number(m[k])
		if f != f {
			return 0
		}
		return int(f)
	}
	c := &Config{
		ModelType: m["model_type"], HiddenSize: n("hidden_size"), NumHiddenLayers: n("num_hidden_layers"),
		NumAttentionHeads: n("num_attention_heads"), NumKeyValueHeads: n("num_key_value_heads"),
		IntermediateSize: n("intermediate_size"), HeadDim: n("head_dim"), VocabSize: n("vocab_size") + n("vocab_size_min"),
		MaxPositionEmbeddings: n("max_position_embeddings"), RopeScalingType: m["rope_scaling_type"],
		SlidingWindow: n("sliding_window"),
	}
	if v, ok := m["rope_theta"]; ok {
		c.RopeTheta = number(v)
	}
	if v, ok := m["tie_word_embeddings"]; ok {
		b := v == "true"
		c.TieWordEmbeddings = &b
	}
	for k, p := range map[string]**int{"bos_token_id": &c.BosTokenID, "eos_token_id": &c.EosTokenID} {
		if _, ok := m[k]; ok {
			id := n(k)
			*p = &id
		}
	}
	return c
}

// families returns the family names of matches.
func families(ms []FingerprintMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Family)
	}
	return out
}

func TestMatchFingerprintRealConfigs(t *testing.T) {
	t.Parallel()
	fps := fingerprints(t)
	tests := []struct {
		file string
		want []string // every matching family, in order
	}{
		{"llama-3.1-8b.json", []string{"Llama-3.1-8B"}},
		{"llama-3.2-3b.json", []string{"Llama-3.2-3B"}},
		{"qwen2.5-3b.json", []string{"Qwen2.5-3B"}},
		// Qwen2-7B publishes the same dimensions as Qwen2.5-7B.
		{"qwen2.5-7b.json", []string{"Qwen2.5-7B", "Qwen2-7B"}},
		{"qwen2.5-14b.json", []string{"Qwen2.5-14B"}},
		{"qwen2.5-32b.json", []string{"Qwen2.5-32B"}},
		{"qwen2-0.5b.json", []string{"Qwen2.5-0.5B", "Qwen2-0.5B"}},
		{"qwen3-8b.json", []string{"Qwen3-8B"}},
		{"qwen3-30b-a3b.json", []string{"Qwen3-30B-A3B"}},
		{"phi-2.json", []string{"Phi-2"}},
		{"mistral-nemo-base-2407.json", []string{"Mistral-Nemo-12B"}},
		{"mixtral-8x7b-v0.1.json", []string{"Mixtral-8x7B"}},
		{"gemma-2-9b.json", []string{"Gemma-2-9B"}},
		{"gpt2.json", []string{"GPT-2"}},
		{"deepseek-v2-lite.json", []string{"DeepSeek-V2-Lite"}},
		{"deepseek-r1-distill-qwen-1.5b.json", []string{"DeepSeek-R1-Distill-Qwen-1.5B"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "configs", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseConfig(data)
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			got := MatchFingerprint(fps, c)
			if diff := cmp.Diff(tc.want, families(got)); diff != "" {
				t.Errorf("matching families (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchFingerprint(t *testing.T) {
	t.Parallel()
	fps := fingerprints(t)
	// Llama-2-7b-chat-hf's config.json with one token added, as fine-tunes
	// that add a padding token save it.
	llama2FT := `{"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
"hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 4096,
"model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
"pretraining_tp": 1, "rms_norm_eps": 1e-06, "rope_scaling": null, "tie_word_embeddings": false,
"torch_dtype": "float16", "transformers_version": "4.32.0.dev0", "use_cache": true, "vocab_size": 32001}`
	tests := []struct {
		name string
		in   string
		want []FingerprintMatch
	}{
		{
			name: "Llama-2-7B fine-tune with an added token",
			in:   llama2FT,
			want: []FingerprintMatch{{
				Family: "Llama-2-7B", Bases: []string{"meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf"},
				Fields: []string{"model_type=llama", "hidden_size=4096", "num_hidden_layers=32",
					"num_attention_heads=32", "intermediate_size=11008", "vocab_size=32001"},
			}},
		},
		{
			name: "Qwen2.5-7B dimensions with rope_theta written as 1e6",
			in: `{"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
"num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064, "rope_theta": 1e6}`,
			want: []FingerprintMatch{
				{Family: "Qwen2.5-7B", Bases: []string{"Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B-Instruct"},
					Fields: []string{"model_type=qwen2", "hidden_size=3584", "num_hidden_layers=28", "num_attention_heads=28",
						"num_key_value_heads=4", "intermediate_size=18944", "vocab_size=152064", "rope_theta=1000000"}},
				{Family: "Qwen2-7B", Bases: []string{"Qwen/Qwen2-7B", "Qwen/Qwen2-7B-Instruct"},
					Fields: []string{"model_type=qwen2", "hidden_size=3584", "num_hidden_layers=28", "num_attention_heads=28",
						"num_key_value_heads=4", "intermediate_size=18944", "vocab_size=152064", "rope_theta=1000000"}},
			},
		},
		{name: "only model_type and hidden_size", in: `{"model_type": "llama", "hidden_size": 4096}`},
		{name: "empty", in: `{}`},
		{
			name: "vocabulary grown past the range",
			in:   strings.Replace(llama2FT, `"vocab_size": 32001`, `"vocab_size": 48000`, 1),
		},
		{
			name: "dimensions as strings are ignored",
			in:   strings.Replace(llama2FT, `"hidden_size": 4096`, `"hidden_size": "4096"`, 1),
		},
		{
			name: "one dimension differs",
			in:   strings.Replace(llama2FT, `"num_hidden_layers": 32`, `"num_hidden_layers": 48`, 1),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseConfig([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if diff := cmp.Diff(tc.want, MatchFingerprint(fps, c)); diff != "" {
				t.Errorf("MatchFingerprint (-want +got):\n%s", diff)
			}
		})
	}
	if got := MatchFingerprint(fps, nil); got != nil {
		t.Errorf("MatchFingerprint(nil config) = %v, want nil", got)
	}
}

func TestMatchFingerprintOrder(t *testing.T) {
	t.Parallel()
	base := map[string]string{"model_type": "m", "hidden_size": "8", "num_hidden_layers": "2",
		"num_attention_heads": "2", "vocab_size": "100"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	fps := []Fingerprint{
		{Family: "A", Bases: []string{"o/a"}, Match: with(nil)},
		{Family: "B", Bases: []string{"o/b"}, Match: with(map[string]string{"rope_theta": "1e4", "eos_token_id": "2"})},
		{Family: "C", Bases: []string{"o/c"}, Match: with(map[string]string{"rope_theta": "10000.0"})},
		{Family: "D", Bases: []string{"o/d"}, Match: with(map[string]string{"tie_word_embeddings": "true"})},
		{Family: "E", Bases: []string{"o/e"}, Match: with(map[string]string{"max_position_embeddings": "64"})},
		{Family: "F", Bases: []string{"o/f"}, Match: map[string]string{"model_type": "m", "hidden_size": "8", "num_hidden_layers": "2", "num_attention_heads": "2"}},
		{Family: "G", Bases: []string{"o/g"}, Match: with(map[string]string{"vocab_size_max": "200"})},
	}
	c, err := ParseConfig([]byte(`{"model_type": "m", "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
"vocab_size": 100, "rope_theta": 10000, "eos_token_id": [2, 7], "tie_word_embeddings": false}`))
	if err != nil {
		t.Fatal(err)
	}
	got := MatchFingerprint(fps, c)
	if diff := cmp.Diff([]string{"B", "C", "A"}, families(got)); diff != "" {
		t.Errorf("families (-want +got):\n%s", diff)
	}
	want := []string{"model_type=m", "hidden_size=8", "num_hidden_layers=2", "num_attention_heads=2", "vocab_size=100", "rope_theta=10000", "eos_token_id=2"}
	if diff := cmp.Diff(want, got[0].Fields); diff != "" {
		t.Errorf("fields of B (-want +got):\n%s", diff)
	}
	got[0].Bases[0] = "changed"
	if fps[1].Bases[0] != "o/b" {
		t.Error("a match shares its Bases with the table")
	}
}

func TestParseFingerprintsErrors(t *testing.T) {
	t.Parallel()
	const good = "- family: X-1B\n  bases: [org/x-1b]\n  match:\n    model_type: x\n    hidden_size: 8\n" +
		"    num_hidden_layers: 2\n    num_attention_heads: 2\n    vocab_size: 100\n  source: https://huggingface.co/org/x-1b/blob/main/config.json\n"
	tests := []struct{ name, in, want string }{
		{"not a list", "family: x\n", "t.yaml:1: the table is a mapping, want a list of entries such as \"- family: Qwen2.5-7B\""},
		{"bad yaml", "- family: [\n", "t.yaml:1: yaml: did not find expected node content"},
		{"entry not a mapping", "- 3\n", "t.yaml:1: entry is a single value, want a mapping with family, bases, match and source"},
		{"unknown key", strings.Replace(good, "  source:", "  sauce: 1\n  source:", 1), "t.yaml:9: unknown key \"sauce\", want family, bases, match or source"},
		{"repeated key", strings.Replace(good, "  source:", "  family: Y\n  source:", 1), "t.yaml:9: key \"family\" repeated in the entry"},
		{"missing source", strings.SplitAfter(good, "vocab_size: 100\n")[0], "t.yaml:1: entry has no source"},
		{"repeated family", good + good, "t.yaml:10: family \"X-1B\" already defined on line 1"},
		{"base not a hub id", strings.Replace(good, "org/x-1b]", "x-1b]", 1), "t.yaml:2: base \"x-1b\" is not a Hub id of the form owner/name"},
		{"no bases", strings.Replace(good, "[org/x-1b]", "[]", 1), "t.yaml:2: bases is a list, want a non-empty list of Hub ids such as [Qwen/Qwen2.5-7B]"},
		{"unknown field", strings.Replace(good, "    vocab_size: 100", "    vocab_size: 100\n    n_embd: 8", 1), "t.yaml:9: unknown match field \"n_embd\", want one of " + strings.Join(FingerprintFields(), ", ")},
		{"repeated field", strings.Replace(good, "    vocab_size: 100", "    vocab_size: 100\n    hidden_size: 8", 1), "t.yaml:9: match field \"hidden_size\" repeated"},
		{"fractional count", strings.Replace(good, "hidden_size: 8", "hidden_size: 8.5", 1), "t.yaml:5: match field hidden_size: \"8.5\" is not a whole number from 1"},
		{"zero count", strings.Replace(good, "hidden_size: 8", "hidden_size: 0", 1), "t.yaml:5: match field hidden_size: \"0\" is not a whole number from 1"},
		{"bad bool", strings.Replace(good, "vocab_size: 100", "vocab_size: 100\n    tie_word_embeddings: yes", 1), "t.yaml:9: match field tie_word_embeddings: \"yes\" is not true or false"},
		{"bad theta", strings.Replace(good, "vocab_size: 100", "vocab_size: 100\n    rope_theta: -1", 1), "t.yaml:9: match field rope_theta: \"-1\" is not a number above 0"},
		{"list value", strings.Replace(good, "model_type: x", "model_type: [x]", 1), "t.yaml:4: model_type is a list, want a single value"},
		{"too few fields", strings.Replace(good, "    num_attention_heads: 2\n", "", 1), "t.yaml:4: X-1B: match has 4 fields, want at least 5 so that a partial configuration cannot match"},
		{"no hidden size", strings.Replace(good, "hidden_size: 8", "head_dim: 8", 1), "t.yaml:4: X-1B: match needs hidden_size"},
		{"no vocab", strings.Replace(good, "vocab_size: 100", "max_position_embeddings: 100", 1), "t.yaml:4: X-1B: match needs vocab_size (or vocab_size_min and vocab_size_max)"},
		{"vocab and range", strings.Replace(good, "vocab_size: 100", "vocab_size: 100\n    vocab_size_min: 90\n    vocab_size_max: 110", 1), "t.yaml:4: X-1B: give vocab_size or vocab_size_min and vocab_size_max, not both"},
		{"half range", strings.Replace(good, "vocab_size: 100", "vocab_size_min: 100", 1), "t.yaml:4: X-1B: vocab_size_min and vocab_size_max go together"},
		{"inverted range", strings.Replace(good, "vocab_size: 100", "vocab_size_min: 100\n    vocab_size_max: 90", 1), "t.yaml:4: X-1B: vocab_size_min 100 is above vocab_size_max 90"},
		{"source not https", strings.Replace(good, "https://", "http://", 1), "t.yaml:9: source \"http://huggingface.co/org/x-1b/blob/main/config.json\" is not an https URL: give the URL of the config.json the values come from"},
		{"empty family", strings.Replace(good, "family: X-1B", "family: \"\"", 1), "t.yaml:1: family is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFingerprints("t.yaml", []byte(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseFingerprints error = %v, want a *SyntaxError", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error = %q\nwant    %q", got, tc.want)
			}
		})
	}
	fps, err := ParseFingerprints("t.yaml", []byte(good))
	if err != nil {
		t.Fatalf("ParseFingerprints(good): %v", err)
	}
	want := []Fingerprint{{Family: "X-1B", Bases: []string{"org/x-1b"}, Source: "https://huggingface.co/org/x-1b/blob/main/config.json",
		Match: map[string]string{"model_type": "x", "hidden_size": "8", "num_hidden_layers": "2", "num_attention_heads": "2", "vocab_size": "100"}}}
	if diff := cmp.Diff(want, fps); diff != "" {
		t.Errorf("ParseFingerprints(good) (-want +got):\n%s", diff)
	}
	for _, empty := range []string{"", "# nothing\n", "~\n"} {
		if fps, err := ParseFingerprints("t.yaml", []byte(empty)); err != nil || fps != nil {
			t.Errorf("ParseFingerprints(%q) = %v, %v, want an empty table", empty, fps, err)
		}
	}
}

func TestFingerprintsDocFresh(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteFingerprintsMarkdown(&b, fingerprints(t)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "fingerprints.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sources/modelcard -run TestFingerprintsDocFresh -update)", err)
	}
	if diff := cmp.Diff(string(have), b.String()); diff != "" {
		t.Errorf("docs/fingerprints.md is stale; run go test ./sources/modelcard -run TestFingerprintsDocFresh -update (-file +generated):\n%s", diff)
	}
}

func FuzzParseFingerprints(f *testing.F) {
	f.Add([]byte(fingerprintsYAML))
	f.Add([]byte("- family: X\n  bases: [o/x]\n  match: {model_type: x, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, vocab_size_min: 1, vocab_size_max: 9}\n  source: https://h/x\n"))
	f.Add([]byte("- &a {family: X}\n- *a\n"))
	f.Add([]byte("- family: X\n  match: {hidden_size: 1e400}\n"))
	f.Add([]byte("{}"))
	f.Add([]byte("- [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fps, err := ParseFingerprints("f.yaml", data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		for _, fp := range fps {
			if fp.Family == "" || len(fp.Bases) == 0 || fp.Source == "" || matchCount(fp.Match) < minFingerprintFields {
				t.Fatalf("accepted an invalid entry %+v", fp)
			}
			// Every accepted entry matches its own values.
			if got := MatchFingerprint([]Fingerprint{fp}, configFromMatch(fp.Match)); len(got) != 1 {
				t.Fatalf("entry %+v does not match its own values: %+v", fp, got)
			}
		}
	})
}
