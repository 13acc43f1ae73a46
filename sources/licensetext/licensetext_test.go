package licensetext

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pedigree-ai/pedigree/risk/license"
)

// shared is one Classifier for the tests, so that the license corpus is
// loaded once.
var shared = New()

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading test license: %v", err)
	}
	return b
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file       string
		wantID     string
		wantMethod string
		minConf    float64
	}{
		{"apache-2.0.txt", "apache-2.0", MethodClassifier, 0.9},
		{"mit.txt", "mit", MethodClassifier, 0.9},
		{"llama2.txt", "llama2", MethodPattern, 0.9},
		{"llama3.txt", "llama3", MethodPattern, 0.9},
		{"llama3.1.md", "llama3.1", MethodPattern, 0.85},
		{"gemma.md", "gemma", MethodPattern, 0.9},
		{"creativeml-openrail-m.txt", "creativeml-openrail-m", MethodPattern, 0.9},
		{"tongyi-qianwen.txt", "tongyi-qianwen", MethodPattern, 0.9},
		{"gibberish.txt", "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got := shared.Classify(readTestdata(t, tc.file))
			if got.ID != tc.wantID || got.Method != tc.wantMethod {
				t.Fatalf("Classify(%s) = %+v, want id %q by %q", tc.file, got, tc.wantID, tc.wantMethod)
			}
			if tc.wantID == "" {
				if diff := cmp.Diff(Match{}, got); diff != "" {
					t.Errorf("Classify(%s) of an unrecognised text is not the zero Match (-want +got):\n%s", tc.file, diff)
				}
				return
			}
			if got.Confidence < tc.minConf || got.Confidence > 1 {
				t.Errorf("Classify(%s).Confidence = %v, want within [%v, 1]", tc.file, got.Confidence, tc.minConf)
			}
			if got.Name == "" {
				t.Errorf("Classify(%s) has no name", tc.file)
			}
		})
	}
}

func TestZeroClassifier(t *testing.T) {
	t.Parallel()
	var c Classifier
	if got := c.Classify(readTestdata(t, "llama2.txt")); got.ID != "llama2" {
		t.Errorf("zero Classifier: Classify(llama2.txt) = %+v, want llama2", got)
	}
}

func TestClassifyEmpty(t *testing.T) {
	t.Parallel()
	c := New()
	for _, in := range [][]byte{nil, {}} {
		if diff := cmp.Diff(Match{}, c.Classify(in)); diff != "" {
			t.Errorf("Classify(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
}

// TestPatternsRobust checks that layout does not matter: line wrapping,
// case, markdown and a license quoted in YAML front matter.
func TestPatternsRobust(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"wrapped title", "### LLAMA 2 COMMUNITY\n   LICENSE\tAGREEMENT\n", "llama2"},
		{"lower case", "meta llama 3 community license agreement", "llama3"},
		{"markdown bold", "**Llama 3.2** Version Release Date: September 25, 2024", "llama3.2"},
		{"3.3 title", "LLAMA 3.3 COMMUNITY LICENSE AGREEMENT\nLlama 3.3 Version Release Date: December 6, 2024", "llama3.3"},
		{"4 title", "LLAMA 4 COMMUNITY LICENSE AGREEMENT\nLlama 4 Version Effective Date: April 5, 2025", "llama4"},
		{"llama 3.1 is not llama 3", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", "llama3.1"},
		{"yaml quoted gemma", "extra_gated_prompt: >-\n  # Gemma Terms of Use\n\n  \"Gemma\" means the set of\n  machine learning language models", "gemma"},
		{"openrail++", "CreativeML Open RAIL++-M License\ndated November 24, 2022", "openrail++"},
		{"bloom rail", "BigScience RAIL License v1.0\ndated May 19, 2022", "bigscience-bloom-rail-1.0"},
		{"bigscience openrail", "BigScience Open RAIL-M License", "bigscience-openrail-m"},
		{"qwen research", "Qwen RESEARCH LICENSE AGREEMENT\nQwen RESEARCH LICENSE AGREEMENT Release Date: September 19, 2024", "qwen-research"},
		{"qwen", "Qwen LICENSE AGREEMENT\nQwen LICENSE AGREEMENT Release Date: September 19, 2024", "tongyi-qianwen"},
		{"deepseek", "DEEPSEEK LICENSE AGREEMENT\nVersion 1.0, 23 October 2023\nCopyright (c) 2023 DeepSeek", "deepseek"},
		{"falcon", "TII Falcon License\nVersion 2.0\nTechnology Innovation Institute", "falcon-llm-license"},
		{"falcon 180b", "Falcon 180B TII License Version 1.0", "falcon-180b-license"},
		{"mistral research", "# Mistral AI Research License\nIf You want to use a Mistral Model", "mrl"},
		{"mistral non-production", "Mistral AI Non-Production License", "mnpl"},
		{"stability community", "STABILITY AI COMMUNITY LICENSE AGREEMENT\nLast Updated: July 5, 2024", "stabilityai-ai-community"},
		{"stability nc", "STABILITY AI NON-COMMERCIAL RESEARCH COMMUNITY LICENSE AGREEMENT", "stabilityai-nc-research-community"},
		{"microsoft research", "MICROSOFT RESEARCH LICENSE TERMS", "microsoft-research-license"},
		{"apple ascl", "IMPORTANT: This Apple software is supplied to you by Apple Inc. (\"Apple\") in consideration of your agreement to the following terms", "apple-ascl"},
		{"nvidia open model", "NVIDIA Open Model License Agreement\nLast Modified: June 16, 2024", "nvidia-open-model-license"},
		{"yi", "Yi Series Models Community License Agreement", "yi-license"},
		{"baichuan", "Baichuan 2 模型社区许可协议", "baichuan"},
		{"glm-4", "The glm-4-9b License", "glm-4"},
		{"chatglm", "The ChatGLM3-6B License", "chatglm"},
		{"cogvideox", "The CogVideoX License", "cogvideox-license"},
		{"ai2 impact", "AI2 ImpACT License - Low Risk Artifacts (\"LR Agreement\")", "ai2-impact"},
		{"deepfloyd", "DEEPFLOYD IF LICENSE AGREEMENT", "deepfloyd-if-license"},
		{"internlm", "InternLM Model License", "internlm"},
		{"llama phrases without title", "Llama 2 version release date ... \"Llama 2\" means the foundational large language models ... Llama Materials", "llama2"},
		{"shared llama phrases only", "the Llama Materials ... greater than 700 million monthly active users ... Acceptable Use Policy", ""},
		{"mention of llama 3 in prose", "We compared against Llama 3 and Gemma.", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := matchPattern([]byte(tc.text))
			if got.ID != tc.want || ok != (tc.want != "") {
				t.Errorf("matchPattern(%q) = %+v, %v, want id %q", tc.text, got, ok, tc.want)
			}
		})
	}
}

// TestPatternIDsAreKnownLicenses checks that every id the classifier can
// report is one the license package knows.
func TestPatternIDsAreKnownLicenses(t *testing.T) {
	t.Parallel()
	for _, p := range patterns {
		if info := license.Lookup(p.id); !info.Known || info.ID != p.id {
			t.Errorf("pattern id %q is not a known license id (Lookup gives %q, known %v)", p.id, info.ID, info.Known)
		}
		if len(p.titles) == 0 {
			t.Errorf("pattern %q has no title", p.id)
		}
		if p.minPhrases > len(p.phrases) {
			t.Errorf("pattern %q needs %d phrases but has %d", p.id, p.minPhrases, len(p.phrases))
		}
	}
	for spdx, id := range hubIDs {
		if !license.Lookup(id).Known {
			t.Errorf("hubIDs[%q] = %q is not a known license id", spdx, id)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  LLAMA 3.1  Community\n\tLicense ", "llama 3.1 community license"},
		{"**Gemma** _Terms_ of Use.", "gemma terms of use"},
		{"RAIL++-M", "rail++ m"},
		{"version 1.0.", "version 1.0"},
		{"end. 3", "end 3"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClassifyCaches(t *testing.T) {
	t.Parallel()
	c := New()
	data := readTestdata(t, "llama2.txt")
	first := c.Classify(data)
	c.mu.Lock()
	n := len(c.cache)
	c.mu.Unlock()
	if n != 1 {
		t.Fatalf("cache holds %d entries after one classification, want 1", n)
	}
	if diff := cmp.Diff(first, c.Classify(append([]byte(nil), data...))); diff != "" {
		t.Errorf("second Classify of the same text differs (-first +second):\n%s", diff)
	}
	// A cached result is returned as is, without classifying again.
	key := digest(data)
	c.mu.Lock()
	c.cache[key] = Match{ID: "cached", Method: MethodPattern}
	c.mu.Unlock()
	if got := c.Classify(data); got.ID != "cached" {
		t.Errorf("Classify did not return the cached match: %+v", got)
	}
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	c := New()
	for i := range cacheSize + 10 {
		c.remember(digest([]byte(strings.Repeat("x", i+1))), Match{})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cache) != cacheSize || len(c.order) != cacheSize {
		t.Errorf("cache holds %d entries (%d in order), want %d", len(c.cache), len(c.order), cacheSize)
	}
	if _, ok := c.cache[digest([]byte("x"))]; ok {
		t.Errorf("the oldest entry was not evicted")
	}
}

// TestClassifyConcurrent classifies from several goroutines at once; with
// the other parallel tests it also races the lazy loading of the corpus.
func TestClassifyConcurrent(t *testing.T) {
	t.Parallel()
	c := shared
	files := []string{"llama2.txt", "mit.txt", "gemma.md", "gibberish.txt"}
	texts := make([][]byte, len(files))
	want := make([]Match, len(files))
	for i, f := range files {
		texts[i] = readTestdata(t, f)
	}
	var wg sync.WaitGroup
	got := make([][]Match, 8)
	for g := range got {
		got[g] = make([]Match, len(texts))
		wg.Go(func() {
			for i, text := range texts {
				got[g][i] = c.Classify(text)
			}
		})
	}
	wg.Wait()
	for i, text := range texts {
		want[i] = c.Classify(text)
	}
	for g := range got {
		if diff := cmp.Diff(want, got[g], cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Errorf("goroutine %d saw different matches (-want +got):\n%s", g, diff)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, name := range []string{"llama2.txt", "mit.txt", "gemma.md", "creativeml-openrail-m.txt", "gibberish.txt"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(""))
	f.Add([]byte("\xff\xfe LLAMA 3.\x001 COMMUNITY LICENSE AGREEMENT ..3.."))
	f.Add([]byte("RAIL++-M ++ ... 1.2.3"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		got := shared.Classify(data)
		if got.Confidence < 0 || got.Confidence > 1 {
			t.Fatalf("confidence %v outside [0, 1]", got.Confidence)
		}
		if (got.ID == "") != (got.Method == "") {
			t.Fatalf("match %+v has an id without a method or a method without an id", got)
		}
		if got.ID != "" && got.Method != MethodPattern && got.Method != MethodClassifier {
			t.Fatalf("match %+v has an unknown method", got)
		}
		if again := shared.Classify(data); again != got {
			t.Fatalf("classifying the same text twice gave %+v then %+v", got, again)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	apache := readTestdata(b, "apache-2.0.txt")
	llama := readTestdata(b, "llama2.txt")
	c := New()
	c.Classify(apache) // load the corpus outside the measurements
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			c.Classify(apache)
		}
	})
	b.Run("uncached/classifier", func(b *testing.B) {
		for b.Loop() {
			c.classify(apache)
		}
	})
	b.Run("uncached/pattern", func(b *testing.B) {
		for b.Loop() {
			c.classify(llama)
		}
	})
}

func BenchmarkNew(b *testing.B) {
	mit := readTestdata(b, "mit.txt")
	for b.Loop() {
		New().Classify(mit) // first use loads the corpus
	}
}
