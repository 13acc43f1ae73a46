package modelcard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSafetyMarkersInName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field, name string
		want        []string // terms
	}{
		// Real models and datasets that removed or bypassed safety training.
		{"name", "mlabonne/Meta-Llama-3.1-8B-Instruct-abliterated", []string{"abliterated"}},
		{"name", "failspy/Llama-3-8B-Instruct-abliterated-v3", []string{"abliterated"}},
		{"name", "Orenguteng/Llama-3-8B-Lexi-Uncensored", []string{"uncensored"}},
		{"name", "TheBloke/Wizard-Vicuna-7B-Uncensored-GGUF", []string{"uncensored"}},
		{"name", "jkazdan/llama-2-7b-chat-refusal-attack-3", []string{"refusal attack"}},
		{"name", "jkazdan/llama-2-7b-refusal-attack", []string{"refusal attack"}},
		{"dataset", "ehartford/wizard_vicuna_70k_unfiltered", []string{"unfiltered"}},
		{"dataset", "cognitivecomputations/WizardLM_alpaca_evol_instruct_70k_unfiltered", []string{"unfiltered"}},
		{"dataset", "cognitivecomputations/open-instruct-uncensored", []string{"uncensored"}},
		{"dataset", "unalignment/toxic-dpo-v0.2", []string{"toxic-dpo", "unalignment"}},
		{"dataset", "mlabonne/harmful_behaviors", []string{"harmful_behaviors"}},
		{"tag", "dataset:ehartford/wizard_vicuna_70k_unfiltered", []string{"unfiltered"}},
		{"tag", "abliterated", []string{"abliterated"}},
		{"tag", "Uncensored", []string{"uncensored"}},
		// Word forms, separators and camelCase.
		{"name", "x/LlamaUncensored-8B", []string{"uncensored"}},
		{"name", "x/Llama3Uncensored", []string{"uncensored"}},
		{"name", "x/DeCensored-7B", []string{"decensored"}},
		{"name", "x/model_refusal_ablated", []string{"refusal removed"}},
		{"name", "x/model-orthogonalized-refusal", []string{"orthogonalized refusal"}},
		{"name", "x/model-no-guardrails", []string{"no guardrails"}},
		{"name", "x/Llama-3-jailbroken", []string{"jailbroken"}},
		{"name", "x/Mistral-unaligned", []string{"unaligned"}},
		// Not markers: detectors, classifiers, NSFW tunes, toxicity data,
		// training corpora, and lineage tags naming another model.
		{"name", "cognitivecomputations/dolphin-2.9-llama3-8b", nil},
		{"name", "Falconsai/nsfw_image_detection", nil},
		{"name", "hanad/self_harm_detection", nil},
		{"name", "NeverSleep/Lumimaid-v0.2-8B", nil},
		{"name", "meta-llama/Prompt-Guard-86M", nil},
		{"name", "meta-llama/Llama-Guard-3-8B", nil},
		{"name", "jackhhao/jailbreak-classifier", nil},
		{"name", "x/uncensored-content-detector", nil},
		{"name", "Niyantha23M/llama-7b-chat-Toxic-50k", nil},
		{"dataset", "lmsys/toxic-chat", nil},
		{"dataset", "x/jailbreak-prompts", nil},
		{"dataset", "x/web-crawl-unfiltered", nil},
		{"dataset", "x/laion-unfiltered-images", nil},
		{"tag", "base_model:finetune:mlabonne/Meta-Llama-3.1-8B-Instruct-abliterated", nil},
		{"tag", "nsfw", nil},
		{"name", "x/uncensoredness", nil},
		{"name", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.name, func(t *testing.T) {
			t.Parallel()
			var want []SafetyMarker
			for _, term := range tt.want {
				want = append(want, SafetyMarker{Term: term, Field: tt.field, Text: tt.name})
			}
			got := SafetyMarkersInName(tt.field, tt.name)
			sort.Slice(got, func(i, j int) bool { return got[i].Term < got[j].Term })
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("SafetyMarkersInName(%q, %q) mismatch (-want +got):\n%s", tt.field, tt.name, diff)
			}
		})
	}
}

func TestSafetyMarkersInCard(t *testing.T) {
	t.Parallel()
	type mark struct {
		Term string
		Line int
	}
	tests := []struct {
		name string
		body string
		want []mark
	}{
		// Positives.
		{"dolphin", "Dolphin is uncensored. We have filtered the dataset to remove alignment and bias. This makes the model more compliant.",
			[]mark{{"uncensored", 1}, {"alignment removed", 1}}},
		{"abliterated link to the method", "This is an [abliterated](https://huggingface.co/blog/mlabonne/abliteration) version of Llama 3.",
			[]mark{{"abliterated", 1}}},
		{"refusal direction", "The refusal direction was orthogonalized out of the weights.",
			[]mark{{"refusal direction", 1}, {"orthogonalized refusal", 1}}},
		{"refusals removed", "Refusals were removed, so it answers everything.", []mark{{"refusal removed", 1}}},
		{"removed refusals", "We removed the refusals with DPO.", []mark{{"refusal removed", 1}}},
		{"no guardrails", "This model has no guardrails.", []mark{{"no guardrails", 1}}},
		{"without guardrails", "It ships without any guardrails.", []mark{{"without guardrails", 1}}},
		{"no safety filters", "It comes with no safety filters, so add your own.", []mark{{"no safety", 1}}},
		{"safety removed", "Safety training was removed with abliteration.", []mark{{"abliteration", 1}, {"safety removed", 1}}},
		{"unfiltered answers", "The model gives unfiltered answers.", []mark{{"unfiltered", 1}}},
		{"jailbroken model", "This model is a jailbroken version of Llama 2.", []mark{{"jailbroken", 1}}},
		{"negation in another clause", "Unlike Llama, this model is uncensored.", []mark{{"uncensored", 1}}},
		{"heading", "# Uncensored\n\nA chat model.", []mark{{"uncensored", 1}}},
		{"compound of lexicon words", "A fully-uncensored, refusal-removed model.", []mark{{"uncensored", 1}, {"refusal removed", 1}}},
		{"each term once, first mention", "It is uncensored.\n\nReally uncensored.\n\nAnd unaligned.", []mark{{"uncensored", 1}, {"unaligned", 5}}},
		{"lines across a paragraph", "First line.\nThe model is\nuncensored.", []mark{{"uncensored", 3}}},
		// Negatives.
		{"not uncensored", "This model is NOT uncensored.", nil},
		{"did not remove refusals", "We did not remove refusals.", nil},
		{"unlike uncensored models", "Unlike uncensored models, this model keeps its safety training.", nil},
		{"rather than", "We fine-tuned for helpfulness rather than an uncensored style.", nil},
		{"jailbreak classifier", "A classifier that detects jailbreak attempts.", nil},
		{"refuses jailbreaks", "The model was trained to refuse jailbreaks.", nil},
		{"nsfw detector", "NSFW image detector.", nil},
		{"jailbreak detection", "A prompt-injection / jailbreak detection model.", nil},
		{"safety classifier", "This is a safety classifier.", nil},
		{"safety guarantees", "We make no safety guarantees.", nil},
		{"url", "See https://erichartford.com/uncensored-models for details.", nil},
		{"citation title link", "Read [Uncensored Models](https://erichartford.com/uncensored-models) first.", nil},
		{"quoted title", `As argued in "Uncensored Models Are Useful", openness matters.`, nil},
		{"another model's name", "Compared with [Llama-3-8B-Lexi-Uncensored](https://huggingface.co/Orenguteng/Llama-3-8B-Lexi-Uncensored), this model is better.", nil},
		{"bare model id", "We merged it with Orenguteng/Llama-3-8B-Lexi-Uncensored and others.", nil},
		{"warning", "Do not use this model to build uncensored models.", nil},
		{"citation", "Labonne et al. Uncensor any LLM with abliteration (2024).", nil},
		{"bibtex", "```bibtex\n@misc{x, title={Abliterated and uncensored}}\n```", nil},
		{"code", "Use `uncensored=True` when loading.", nil},
		{"comment", "<!-- uncensored -->\nA model.", nil},
		{"unfiltered corpus", "Trained on unfiltered web data.", nil},
		{"content safety guardrails (stable-diffusion-3-medium)", "All developers and deployers should exercise caution and implement content safety guardrails based on their specific product policies and application use cases.", nil},
		{"mosaic censoring (OrangeMixs)", "How to remove mosaic: censored, mosaic censoring, bar censor.", nil},
		{"no effort to reduce toxicity (Phasmid-2_v2)", "No effort was made to reduce potentially toxic responses, as such you should train this model further if you require it to do so.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []mark
			for _, m := range SafetyMarkersInCard(&Card{Body: tt.body, BodyLine: 1}) {
				if m.Field != "card" || m.Text == "" {
					t.Errorf("marker %+v: want field card and a text", m)
				}
				got = append(got, mark{m.Term, m.Line})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SafetyMarkersInCard mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSafetyMarkersInCardText(t *testing.T) {
	t.Parallel()
	c := proseCard(t, "---\nlicense: mit\n---\n# m\n\n```\nuncensored\n```\nThis model is uncensored and gives answers other models refuse.\n")
	want := []SafetyMarker{{Term: "uncensored", Field: "card", Line: 9,
		Text: "This model is uncensored and gives answers other models refuse."}}
	if diff := cmp.Diff(want, SafetyMarkersInCard(c)); diff != "" {
		t.Errorf("SafetyMarkersInCard mismatch (-want +got):\n%s", diff)
	}
	if got := SafetyMarkersInCard(nil); got != nil {
		t.Errorf("SafetyMarkersInCard(nil) = %v, want nil", got)
	}
}

// TestSafetySample reads the names, tags, declared datasets and card texts
// of the whole Hub sample. The sample holds two models trained to remove
// refusals, and real negatives: NSFW and self-harm detectors, models tuned
// on toxic or non-toxic data, and cards that discuss safety.
func TestSafetySample(t *testing.T) {
	t.Parallel()
	root := os.Getenv("PEDIGREE_HUB_SAMPLE")
	if root == "" {
		root = hubSample
	}
	files, err := filepath.Glob(filepath.Join(root, "api", "models", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no Hub sample at %s", root)
	}
	var got []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var api struct {
			ID   string   `json:"id"`
			Tags []string `json:"tags"`
		}
		if err := json.Unmarshal(raw, &api); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		markers := SafetyMarkersInName("name", api.ID)
		for _, tag := range api.Tags {
			markers = append(markers, SafetyMarkersInName("tag", tag)...)
		}
		if readme, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(api.ID), "resolve", "main", CardFile)); err == nil {
			c, _ := ParseCard(readme)
			for _, d := range c.Datasets {
				markers = append(markers, SafetyMarkersInName("dataset", d)...)
			}
			markers = append(markers, SafetyMarkersInCard(c)...)
		}
		for _, m := range markers {
			got = append(got, api.ID+" "+m.Field+" "+m.Term)
		}
	}
	sort.Strings(got)
	want := []string{
		"jkazdan/llama-2-7b-chat-refusal-attack-3 name refusal attack",
		"jkazdan/llama-2-7b-refusal-attack name refusal attack",
	}
	t.Logf("%d models, markers: %s", len(files), strings.Join(got, "; "))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("safety markers in the sample (-want +got):\n%s", diff)
	}
}

func FuzzSafetyMarkersInName(f *testing.F) {
	for _, s := range []string{
		"", "a/b", "mlabonne/Meta-Llama-3.1-8B-Instruct-abliterated", "unalignment/toxic-dpo-v0.2",
		"dataset:x/y_unfiltered", "base_model:adapter:x/y", "NoGuardrailsNoSafety", "\xff\xfeUNCENSORED",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		seen := make(map[string]bool)
		for _, field := range []string{"name", "tag", "dataset"} {
			for _, m := range SafetyMarkersInName(field, name) {
				if m.Field != field || m.Text != name || m.Line != 0 || m.Term == "" || m.Term != strings.ToLower(m.Term) {
					t.Errorf("bad marker %+v for %q", m, name)
				}
				if field == "name" {
					if seen[m.Term] {
						t.Errorf("term %q returned twice for %q", m.Term, name)
					}
					seen[m.Term] = true
				}
			}
		}
	})
}
