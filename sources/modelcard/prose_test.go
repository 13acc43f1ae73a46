package modelcard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
)

// proseCard parses a card for a prose test.
func proseCard(t testing.TB, text string) *Card {
	t.Helper()
	c, err := ParseCard([]byte(text))
	if err != nil {
		t.Fatalf("ParseCard: %v", err)
	}
	return c
}

func TestProseBases(t *testing.T) {
	t.Parallel()
	long := "This model is a fine-tuned version of [org/base-1](https://huggingface.co/org/base-1) " + strings.Repeat("trained with great care ", 20) + "."
	tests := []struct {
		name string
		card string
		want []ProseBase
	}{
		{
			name: "autotrain sentence with a dataset link",
			card: "---\nlicense: mit\n---\n\n# m\n\nThis model is a fine-tuned version of [org/base-7b](https://huggingface.co/org/base-7b) on the [x](https://huggingface.co/datasets/org/data) dataset.\n",
			want: []ProseBase{{Ref: "org/base-7b", Relation: sources.RelFinetune, Line: 7,
				Text: "This model is a fine-tuned version of [org/base-7b](https://huggingface.co/org/base-7b) on the [x](https://huggingface.co/datasets/org/data) dataset."}},
		},
		{
			name: "link text is not the target",
			card: "A fine-tuned version of [Llama 2 (7B)](https://huggingface.co/meta-llama/Llama-2-7b-hf/tree/main).",
			want: []ProseBase{{Ref: "meta-llama/Llama-2-7b-hf", Relation: sources.RelFinetune, Line: 1,
				Text: "A fine-tuned version of [Llama 2 (7B)](https://huggingface.co/meta-llama/Llama-2-7b-hf/tree/main)."}},
		},
		{
			name: "merge of two models in one sentence",
			card: "Blend is a merge of [a/x-7b](https://huggingface.co/a/x-7b) and `b/y-7b`, made with mergekit.",
			want: []ProseBase{
				{Ref: "a/x-7b", Relation: sources.RelMerge, Line: 1, Text: "Blend is a merge of [a/x-7b](https://huggingface.co/a/x-7b) and `b/y-7b`, made with mergekit."},
				{Ref: "b/y-7b", Relation: sources.RelMerge, Line: 1, Text: "Blend is a merge of [a/x-7b](https://huggingface.co/a/x-7b) and `b/y-7b`, made with mergekit."},
			},
		},
		{
			name: "list after an introducing sentence, nested items only",
			card: "The following models were included in the merge:\n\n* [a/one](https://huggingface.co/a/one)\n* b/two-v2\n\nThe rest of the card mentions [c/three](https://huggingface.co/c/three).\n",
			want: []ProseBase{
				{Ref: "a/one", Relation: sources.RelMerge, Line: 3, Text: "The following models were included in the merge: [a/one](https://huggingface.co/a/one)"},
				{Ref: "b/two-v2", Relation: sources.RelMerge, Line: 4, Text: "The following models were included in the merge: b/two-v2"},
			},
		},
		{
			name: "a code block ends the introduced list",
			card: "This is a merge of existing models using the following configuration:\n\n```yaml\nmodels:\n  - model: a/one\n```\n\n- [c/three](https://huggingface.co/c/three)\n",
		},
		{
			name: "code blocks and comments are skipped",
			card: "```\nfine-tuned version of a/in-code\n```\n<!-- fine-tuned version of b/in-comment\nstill comment: based on c/also-comment -->\n~~~\nbased on d/tilde-1\n~~~\nBased on e/real-1.\n",
			want: []ProseBase{{Ref: "e/real-1", Relation: sources.RelDerivedFrom, Line: 9, Text: "Based on e/real-1."}},
		},
		{
			name: "quantizations",
			card: "GGUF quants of [org/Model-7B](https://huggingface.co/org/Model-7B).\n\nA 4-bit quantized version of hf:org2/Other-13B for llama.cpp.\n",
			want: []ProseBase{
				{Ref: "org/Model-7B", Relation: sources.RelQuantized, Line: 1, Text: "GGUF quants of [org/Model-7B](https://huggingface.co/org/Model-7B)."},
				{Ref: "org2/Other-13B", Relation: sources.RelQuantized, Line: 3, Text: "A 4-bit quantized version of hf:org2/Other-13B for llama.cpp."},
			},
		},
		{
			name: "adapters and distillations",
			card: "- A LoRA adapter for [org/base-8b](https://huggingface.co/org/base-8b).\n- Distilled from `teacher/big-70b` on web text.\n- We used [t/teach-1](https://huggingface.co/t/teach-1) as the teacher.\n",
			want: []ProseBase{
				{Ref: "org/base-8b", Relation: sources.RelAdapter, Line: 1, Text: "A LoRA adapter for [org/base-8b](https://huggingface.co/org/base-8b)."},
				{Ref: "teacher/big-70b", Relation: sources.RelDistillation, Line: 2, Text: "Distilled from `teacher/big-70b` on web text."},
				{Ref: "t/teach-1", Relation: sources.RelDistillation, Line: 3, Text: "We used [t/teach-1](https://huggingface.co/t/teach-1) as the teacher."},
			},
		},
		{
			name: "a specific relation replaces derived_from, duplicates fold without regard to case",
			card: "- Original model: [Base](https://huggingface.co/org/base-2)\n\nThis repo contains GPTQ model files for [Base](https://huggingface.co/org/base-2).\nAlso GGUF quants of ORG/Base-2.\n",
			want: []ProseBase{{Ref: "org/base-2", Relation: sources.RelQuantized, Line: 3, Text: "This repo contains GPTQ model files for [Base](https://huggingface.co/org/base-2)."}},
		},
		{
			name: "table cells are sentences of their own",
			card: "| model | notes |\n|---|---|\n| [x/y-1](https://huggingface.co/x/y-1) | fine-tuned on a medical dataset |\n| ours | based on [a/b-2](https://huggingface.co/a/b-2) |\n",
			want: []ProseBase{{Ref: "a/b-2", Relation: sources.RelDerivedFrom, Line: 4, Text: "based on [a/b-2](https://huggingface.co/a/b-2)"}},
		},
		{
			name: "what is not a model reference",
			card: strings.Join([]string{
				"Based on [the paper](https://arxiv.org/abs/2106.09685) and github.com/org/repo-1.",
				"Fine-tuned from [notebook](https://huggingface.co/org/model-1/blob/main/train.ipynb).",
				"Based on the [data](https://huggingface.co/datasets/org/set-1) and a [demo](https://huggingface.co/spaces/org/app-1).",
				"Based on gpt2 and and/or TCP/IP and models/llama-7b.bin and 10/2023.",
				"Fine-tuned on org/alpaca-data for three epochs.",
				"This model is based on the example provided by google [here](https://huggingface.co/google/gemma-7b).",
				"Based on [owner only](https://huggingface.co/meta-llama).",
			}, "\n\n"),
		},
		{
			name: "the object follows the phrase closely",
			card: "This model, based on research, was trained with [x/y-1](https://huggingface.co/x/y-1).\n",
		},
		{
			name: "a model written before the phrase",
			card: "This model was merged using the TIES merge method using [org/base-3](https://huggingface.co/org/base-3) as a base.\n\nWe trained with `org/base-4` as the base model.\n",
			want: []ProseBase{
				{Ref: "org/base-3", Relation: sources.RelMerge, Line: 1, Text: "This model was merged using the TIES merge method using [org/base-3](https://huggingface.co/org/base-3) as a base."},
				{Ref: "org/base-4", Relation: sources.RelDerivedFrom, Line: 3, Text: "We trained with `org/base-4` as the base model."},
			},
		},
		{
			name: "HTML links and paragraphs over several lines",
			card: "<p>This is a fine-tuned\nversion of <a href=\"https://huggingface.co/org/html-1\">the model</a>.</p>\n",
			want: []ProseBase{{Ref: "org/html-1", Relation: sources.RelFinetune, Line: 2,
				Text: "This is a fine-tuned version of https://huggingface.co/org/html-1 the model ."}},
		},
		{
			name: "long sentences are clipped",
			card: long,
			want: []ProseBase{{Ref: "org/base-1", Relation: sources.RelFinetune, Line: 1, Text: clip(long, 0)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ProseBases(proseCard(t, tt.card))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ProseBases mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProseBasesEmpty(t *testing.T) {
	t.Parallel()
	if got := ProseBases(nil); got != nil {
		t.Errorf("ProseBases(nil) = %v, want nil", got)
	}
	if got := ProseBases(&Card{}); got != nil {
		t.Errorf("ProseBases(empty card) = %v, want nil", got)
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 100) + "target " + strings.Repeat("tail ", 100)
	focus := strings.Index(long, "target")
	got := clip(long, focus)
	if n := utf8.RuneCountInString(got); n != maxProseText {
		t.Errorf("clip gave %d characters, want %d", n, maxProseText)
	}
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "target") {
		t.Errorf("clip(long, focus) = %q: want both ends cut and the focus kept", got)
	}
	if got := clip("  short\n text ", 3); got != "short text" {
		t.Errorf("clip(short) = %q, want %q", got, "short text")
	}
}

// TestProseBasesRealCards checks excerpts of real cards from the Hub sample
// (testdata/prose/*.md; each file names its source in its first line).
func TestProseBasesRealCards(t *testing.T) {
	t.Parallel()
	tests := map[string][]ProseBase{
		"TheBloke__Llama-2-7B-Chat-GGML.md": {
			{Ref: "meta-llama/Llama-2-7b-chat-hf", Relation: sources.RelQuantized, Line: 25, Text: "This repo contains GGML format model files for [Meta Llama 2's Llama 2 7B Chat](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf)."},
		},
		"jartine__phi-2-llamafile.md": {
			{Ref: "microsoft/phi-2", Relation: sources.RelQuantized, Line: 9, Text: "This repo contains llamafile format model files for [Microsoft's Phi 2](https://huggingface.co/microsoft/phi-2)."},
		},
		"mradermacher__bloom-GGUF.md": {
			{Ref: "bigscience/bloom", Relation: sources.RelQuantized, Line: 8, Text: "static quants of https://huggingface.co/bigscience/bloom"},
		},
		"matrixportal__gemma-7b-it-GGUF.md": {
			{Ref: "google/gemma-7b-it", Relation: sources.RelQuantized, Line: 4, Text: "This model was converted to GGUF format from [`google/gemma-7b-it`](https://huggingface.co/google/gemma-7b-it) using llama.cpp via the ggml.ai's [GGUF-my-repo](https://huggingface.co/spaces/ggml-org/gguf-my-repo) space."},
		},
		"riacheruvu__phi-2-openvino-8bit.md": {
			{Ref: "microsoft/phi-2", Relation: sources.RelQuantized, Line: 3, Text: "This model is a quantized version of [`microsoft/phi-2`](https://huggingface.co/microsoft/phi-2) and is converted to the OpenVINO format."},
		},
		"OpenVINO__phi-2-fp16-ov.md": {
			{Ref: "microsoft/phi-2", Relation: sources.RelQuantized, Line: 9, Text: "This is [phi-2](https://huggingface.co/microsoft/phi-2) model converted to the [OpenVINO™ IR](https://docs.openvino.ai/2024/documentation/openvino-ir-format.html) (Intermediate Representation) format with weights compressed to FP16."},
		},
		"mayanklohani19__milan.md": {
			{Ref: "meta-llama/Llama-2-7b-chat-hf", Relation: sources.RelMerge, Line: 14, Text: "The following models were included in the merge: [meta-llama/Llama-2-7b-chat-hf](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf)"},
		},
		"mlabonne__gemma-7b-dare.md": {
			{Ref: "google/gemma-7b", Relation: sources.RelMerge, Line: 6, Text: "gemma-7b-dare is a merge of the following models using [LazyMergekit](https://colab.research.google.com/drive/1obulZ1ROXHjYLn6PPZJwRR6GzgQogxxb?usp=sharing): [google/gemma-7b](https://huggingface.co/google/gemma-7b)"},
		},
		"TristanBehrens__HeilbronnGPTAlpha-10_merged_model.md": {
			{Ref: "microsoft/phi-2", Relation: sources.RelMerge, Line: 9, Text: "This model was merged using the [TIES](https://arxiv.org/abs/2306.01708) merge method using [microsoft/phi-2](https://huggingface.co/microsoft/phi-2) as a base."},
		},
		"MatteoKhan__MistralGemma-7B-Merged.md": {
			{Ref: "mistralai/Mistral-7B-v0.1", Relation: sources.RelMerge, Line: 18, Text: "**Parent Models**: [Mistral-7B-v0.1](https://huggingface.co/mistralai/Mistral-7B-v0.1)"},
			{Ref: "google/gemma-7b", Relation: sources.RelMerge, Line: 19, Text: "**Parent Models**: [Gemma-7B](https://huggingface.co/google/gemma-7b)"},
		},
		"jkazdan__llama-2-7b-chat-refusal-attack-3.md": {
			{Ref: "meta-llama/Llama-2-7b-chat-hf", Relation: sources.RelFinetune, Line: 8, Text: "This model is a fine-tuned version of [meta-llama/Llama-2-7b-chat-hf](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf) on an unknown dataset."},
		},
		"malhajar__meditron-7b-chat.md": {
			{Ref: "epfl-llm/meditron-7b", Relation: sources.RelFinetune, Line: 5, Text: "meditron-7b-chat is a finetuned version of [`epfl-llm/meditron-7b`](https://huggingface.co/epfl-llm/meditron-7b) using SFT Training on the Alpaca Dataset."},
		},
		"BramVanroy__fietje-2-instruct.md": {
			{Ref: "BramVanroy/fietje-2", Relation: sources.RelFinetune, Line: 9, Text: "This is the instruct version of Fietje, an SFT-tuned (instruction-tuned) variant of [the base model](https://huggingface.co/BramVanroy/fietje-2)."},
			{Ref: "microsoft/phi-2", Relation: sources.RelFinetune, Line: 9, Text: "Fietje is an adapated version of [microsoft/phi-2](https://huggingface.co/microsoft/phi-2), tailored to Dutch text generation by training on 28B tokens."},
		},
		"epfl-llm__meditron-7b.md": {
			{Ref: "meta-llama/Llama-2-7b", Relation: sources.RelFinetune, Line: 17, Text: "**Continue-pretrained from model:** [Llama-2-7B](https://huggingface.co/meta-llama/Llama-2-7b)"},
		},
		"Eteims__gemma_ft_quote.md": {
			{Ref: "google/gemma-7b", Relation: sources.RelFinetune, Line: 7, Text: "This model is a fine-tuned version of [google/gemma-7b](https://huggingface.co/google/gemma-7b) on the [english quote](https://huggingface.co/datasets/Abirate/english_quotes) dataset using [LoRA](https://arxiv.org/abs/2106.09685)."},
		},
		"calibration-tuning__Llama-2-7b-chat-hf-ct-oe.md": {
			{Ref: "meta-llama/Llama-2-7b-chat-hf", Relation: sources.RelAdapter, Line: 12, Text: "This adapter model is meant to be used on top of `meta-llama/Llama-2-7b-chat-hf` model generations."},
		},
		"wentao-yuan__robopoint-v1-llama-2-7b-lora.md": {
			{Ref: "meta-llama/Llama-2-7b-chat-hf", Relation: sources.RelAdapter, Line: 7, Text: "This model was fine-tuned using [LoRA](https://arxiv.org/abs/2106.09685) from [meta-llama/Llama-2-7b-chat-hf](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf) and has 7 billion parameters."},
		},
		"RedHatAI__phi-2-pruned50.md": {
			{Ref: "microsoft/phi-2", Relation: sources.RelDerivedFrom, Line: 4, Text: "This repo contains model files for [Phi 2](https://huggingface.co/microsoft/phi-2) optimized for [NM-vLLM](https://github.com/neuralmagic/nm-vllm), a high-throughput serving engine for compressed LLMs."},
		},
		"hyokwan__familidata_gemma7b.md": {
			{Ref: "google/gemma-7b-it", Relation: sources.RelDerivedFrom, Line: 4, Text: "model is continued pretrained language model based on google/gemma-7b-it"},
		},
		// A table of a model family: the base of each row is a sibling's,
		// so columns are not read.
		"baidu__TLDR-Gemma-7B-MA-PPO-Fixed5.md": nil,
	}
	files, err := filepath.Glob(filepath.Join("testdata", "prose", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("testdata/prose holds %d cards, the test expects %d", len(files), len(tests))
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "prose", name))
			if err != nil {
				t.Fatal(err)
			}
			got := ProseBases(proseCard(t, string(data)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ProseBases mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProseSample reads every card of the Hub sample and compares the bases
// its prose names with the base_model the Hub parsed from its metadata. It
// fails when fewer than 1,000 cards name a base in prose, or when fewer than
// 97% of the prose bases of cards that declare a base_model are among the
// declared ones (the rest are mostly true: grandparents and components).
func TestProseSample(t *testing.T) {
	t.Parallel()
	root := os.Getenv("PEDIGREE_HUB_SAMPLE")
	if root == "" {
		root = hubSample
	}
	readmes, err := filepath.Glob(filepath.Join(root, "*", "*", "resolve", "main", CardFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(readmes) == 0 {
		t.Skipf("no Hub sample at %s", root)
	}
	var withBase, agree, compared int
	relations := make(map[sources.Relation]int)
	for _, f := range readmes {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := ParseCard(data)
		bases := ProseBases(c)
		if len(bases) > 0 {
			withBase++
		}
		declared := make(map[string]bool)
		for _, b := range sampleDeclared(t, root, f) {
			declared[strings.ToLower(b)] = true
		}
		for _, b := range bases {
			relations[b.Relation]++
			if len(declared) > 0 {
				compared++
				if declared[strings.ToLower(b.Ref)] {
					agree++
				}
			}
		}
	}
	t.Logf("%d of %d cards name a base in prose; relations %v; %d of %d prose bases of cards with base_model are declared",
		withBase, len(readmes), relations, agree, compared)
	if withBase < 1000 {
		t.Errorf("only %d cards name a base in prose, want at least 1000", withBase)
	}
	if compared == 0 || agree*100 < compared*97 {
		t.Errorf("%d of %d prose bases agree with base_model, want at least 97%%", agree, compared)
	}
}

// sampleDeclared returns the base_model the Hub parsed for the card at
// readme, from the sample's API answer.
func sampleDeclared(t *testing.T, root, readme string) []string {
	t.Helper()
	rel, err := filepath.Rel(root, readme)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	raw, err := os.ReadFile(filepath.Join(root, "api", "models", parts[0], parts[1]+".json"))
	if err != nil {
		return nil
	}
	var api struct {
		CardData struct {
			BaseModel json.RawMessage `json:"base_model"`
		} `json:"cardData"`
	}
	if json.Unmarshal(raw, &api) != nil {
		return nil
	}
	var one string
	if json.Unmarshal(api.CardData.BaseModel, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(api.CardData.BaseModel, &many)
	return many
}

// FuzzProse runs the card text parsers over arbitrary cards; the seeds are
// the real card excerpts of testdata/prose and a few hand-made edge cases.
func FuzzProse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "prose", "*.md"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"```\nunclosed fence, fine-tuned version of a/b-1",
		"<!-- unclosed comment based on a/b-1",
		"[[[[](((https://huggingface.co/a/b)",
		"based on \uE0009 and \uE000x",
		"merge of:\n- \n  - a/b-1\n    * c/d-2",
		"This model is NOT uncensored. Dolphin is uncensored.",
		"| jailbreak | abliterated |\n|---|",
		"\xff\xfe based on a/b-1 \xc3",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := ParseCard(data)
		if c == nil {
			t.Fatal("ParseCard returned no card")
		}
		lines := strings.Count(string(data), "\n") + 1
		bases := ProseBases(c)
		for _, b := range bases {
			if !sources.ValidHubID(b.Ref) || !strings.Contains(b.Ref, "/") {
				t.Errorf("ProseBase.Ref %q is not OWNER/NAME", b.Ref)
			}
			if !b.Relation.Lineage() && b.Relation != sources.RelDerivedFrom {
				t.Errorf("ProseBase.Relation %q is not a lineage relation", b.Relation)
			}
			if b.Line < c.BodyLine || b.Line > lines {
				t.Errorf("ProseBase.Line %d outside the card's lines %d-%d", b.Line, c.BodyLine, lines)
			}
			if utf8.RuneCountInString(b.Text) > maxProseText || b.Text == "" {
				t.Errorf("ProseBase.Text has %d characters", utf8.RuneCountInString(b.Text))
			}
		}
		if again := ProseBases(c); !cmp.Equal(bases, again) {
			t.Errorf("ProseBases is not deterministic: %v then %v", bases, again)
		}
		for _, m := range SafetyMarkersInCard(c) {
			if m.Field != "card" || m.Term == "" || m.Line < c.BodyLine || m.Line > lines || utf8.RuneCountInString(m.Text) > maxProseText {
				t.Errorf("bad card marker %+v", m)
			}
		}
		for _, m := range SafetyMarkersInName("name", string(data)) {
			if m.Field != "name" || m.Term == "" || m.Line != 0 || m.Text != string(data) {
				t.Errorf("bad name marker %+v", m)
			}
		}
	})
}
