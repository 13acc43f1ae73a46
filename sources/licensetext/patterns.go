package licensetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pattern recognises one AI model license by its distinctive phrases. The
// phrases are written as they appear in the license; they are compared after
// normalisation (see normalize), so case, punctuation, markdown and line
// wrapping do not matter.
type pattern struct {
	// id is the Hub style license id the pattern reports.
	id string
	// name is the human name of the license.
	name string
	// titles are phrases that on their own identify the license: its title,
	// or its version line. One is enough.
	titles []string
	// phrases are other distinctive phrases of the license text. Each one
	// found raises the confidence of a title match; minPhrases of them
	// identify the license without a title.
	phrases []string
	// shared are phrases the license shares with its relatives (other
	// versions, other Open RAIL licenses). Each one found raises the
	// confidence, but they never identify the license.
	shared []string
	// minPhrases is how many phrases (not counting shared ones) identify the
	// license when no title is present; 0 means a title is required.
	minPhrases int
}

// Confidence of pattern matches: a title alone gives titleConfidence, every
// phrase found adds its share of the rest up to 1; phrases alone give
// phraseConfidence plus their share of phraseSpan.
const (
	titleConfidence  = 0.8
	phraseConfidence = 0.6
	phraseSpan       = 0.3
)

// llamaPhrases are phrases shared by the Llama community licenses.
var llamaPhrases = []string{"Llama Materials", "700 million monthly active users", "Acceptable Use Policy"}

// railPhrases are phrases shared by the Open RAIL licenses.
var railPhrases = []string{
	"Use-based restrictions as referenced in paragraph 5 MUST be included as an enforceable provision",
	"Attachment A", "Use Restrictions", "Complementary Material",
}

// patterns is the table of AI model licenses. When several patterns match,
// the most confident wins and, at equal confidence, the earlier one: specific
// licenses come before the generic ones they share phrases with.
var patterns = []pattern{
	{id: "llama2", name: "Llama 2 Community License Agreement",
		titles:  []string{"LLAMA 2 COMMUNITY LICENSE AGREEMENT", "Llama 2 is licensed under the LLAMA 2 Community License"},
		phrases: []string{"Llama 2 version release date", `"Llama 2" means the foundational large language models`, "Llama 2 Acceptable Use Policy", "ai.meta.com/llama/use-policy"}, shared: llamaPhrases, minPhrases: 2},
	{id: "llama3", name: "Meta Llama 3 Community License Agreement",
		titles:  []string{"META LLAMA 3 COMMUNITY LICENSE AGREEMENT", "Meta Llama 3 Version Release Date", "Meta Llama 3 is licensed under the Meta Llama 3 Community License"},
		phrases: []string{`"Meta Llama 3" means the foundational large language models`, "Built with Meta Llama 3", "llama.meta.com/llama3/use-policy"}, shared: llamaPhrases, minPhrases: 2},
	{id: "llama3.1", name: "Llama 3.1 Community License Agreement",
		titles:  []string{"LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", "Llama 3.1 Version Release Date", "Llama 3.1 is licensed under the Llama 3.1 Community License"},
		phrases: []string{`"Llama 3.1" means the foundational large language models`, "llama.meta.com/llama3_1/use-policy"}, shared: append([]string{"Built with Llama"}, llamaPhrases...), minPhrases: 2},
	{id: "llama3.2", name: "Llama 3.2 Community License Agreement",
		titles:  []string{"LLAMA 3.2 COMMUNITY LICENSE AGREEMENT", "Llama 3.2 Version Release Date", "Llama 3.2 is licensed under the Llama 3.2 Community License"},
		phrases: []string{`"Llama 3.2" means the foundational large language models`, "llama.com/llama3_2/use-policy"}, shared: append([]string{"Built with Llama"}, llamaPhrases...), minPhrases: 2},
	{id: "llama3.3", name: "Llama 3.3 Community License Agreement",
		titles:  []string{"LLAMA 3.3 COMMUNITY LICENSE AGREEMENT", "Llama 3.3 Version Release Date", "Llama 3.3 is licensed under the Llama 3.3 Community License"},
		phrases: []string{`"Llama 3.3" means the foundational large language models`, "llama.com/llama3_3/use-policy"}, shared: append([]string{"Built with Llama"}, llamaPhrases...), minPhrases: 2},
	{id: "llama4", name: "Llama 4 Community License Agreement",
		titles:  []string{"LLAMA 4 COMMUNITY LICENSE AGREEMENT", "Llama 4 Version Effective Date", "Llama 4 is licensed under the Llama 4 Community License"},
		phrases: []string{`"Llama 4" means the foundational large language models`, "llama.com/llama4/use-policy"}, shared: append([]string{"Built with Llama"}, llamaPhrases...), minPhrases: 2},
	{id: "gemma", name: "Gemma Terms of Use",
		titles:  []string{"Gemma Terms of Use", "ai.google.dev/gemma/terms"},
		phrases: []string{"Gemma Prohibited Use Policy", "ai.google.dev/gemma/prohibited_use_policy", "Model Derivatives", "Hosted Service", `"Gemma" means the set of machine learning language models`, "Google may update Gemma from time to time"}, minPhrases: 3},
	{id: "openrail++", name: "CreativeML Open RAIL++-M License",
		titles:  []string{"CreativeML Open RAIL++-M License", "Open RAIL++-M License"},
		phrases: []string{"dated November 24, 2022"}, shared: railPhrases},
	{id: "creativeml-openrail-m", name: "CreativeML Open RAIL-M License",
		titles:  []string{"CreativeML Open RAIL-M"},
		phrases: []string{"dated August 22, 2022", "Stable Diffusion"}, shared: railPhrases},
	{id: "bigcode-openrail-m", name: "BigCode Open RAIL-M v1 License Agreement",
		titles:  []string{"BigCode Open RAIL-M v1 License Agreement", "BigCode OpenRAIL-M"},
		phrases: []string{"BigCode"}, shared: railPhrases},
	{id: "bigscience-bloom-rail-1.0", name: "BigScience BLOOM RAIL License v1.0",
		titles:  []string{"BigScience RAIL License v1.0", "BigScience BLOOM RAIL License", "BLOOM RAIL License v1.0"},
		phrases: []string{"BLOOM", "BigScience"}, shared: railPhrases},
	{id: "bigscience-openrail-m", name: "BigScience Open RAIL-M License",
		titles:  []string{"BigScience Open RAIL-M License", "BigScience OpenRAIL-M"},
		phrases: []string{"BigScience"}, shared: railPhrases},
	{id: "deepseek", name: "DeepSeek License Agreement",
		titles:  []string{"DEEPSEEK LICENSE AGREEMENT"},
		phrases: []string{"Version 1.0, 23 October 2023", "Copyright (c) 2023 DeepSeek", "Section I: PREAMBLE", "DeepSeek"}},
	{id: "openrail", name: "Open RAIL License",
		titles:  []string{"Open RAIL-M License", "OpenRAIL-M License", "Responsible AI License"},
		phrases: railPhrases, minPhrases: 3},
	{id: "qwen-research", name: "Qwen Research License Agreement",
		titles:  []string{"Qwen RESEARCH LICENSE AGREEMENT", "Tongyi Qianwen RESEARCH LICENSE AGREEMENT"},
		phrases: []string{"Alibaba Cloud", "non-commercial", "Release Date", "Qwen"}},
	{id: "tongyi-qianwen", name: "Tongyi Qianwen License Agreement",
		titles:  []string{"Tongyi Qianwen LICENSE AGREEMENT", "Qwen LICENSE AGREEMENT"},
		phrases: []string{"Alibaba Cloud", "100 million monthly active users", "Release Date", "Built with Qwen"}},
	{id: "falcon-180b-license", name: "Falcon 180B TII License",
		titles:  []string{"Falcon 180B TII License"},
		phrases: []string{"Technology Innovation Institute", "Hosting Use", "Acceptable Use Policy"}},
	{id: "falcon-llm-license", name: "TII Falcon License",
		titles:  []string{"TII Falcon License", "TII Falcon LLM License", "TII Falcon-LLM License", "Falcon 2 11B TII License", "Falcon LLM License"},
		phrases: []string{"Technology Innovation Institute", "Acceptable Use Policy", "falconllm.tii.ae"}},
	{id: "mnpl", name: "Mistral AI Non-Production License",
		titles:  []string{"Mistral AI Non-Production License"},
		phrases: []string{"Mistral AI", "Non-Production Environment", "Derivatives"}},
	{id: "mrl", name: "Mistral AI Research License",
		titles:  []string{"Mistral AI Research License"},
		phrases: []string{"Mistral AI", "Research Purposes", "Derivatives"}},
	{id: "stabilityai-nc-research-community", name: "Stability AI Non-Commercial Research Community License Agreement",
		titles:  []string{"STABILITY AI NON-COMMERCIAL RESEARCH COMMUNITY LICENSE AGREEMENT", "STABLE VIDEO DIFFUSION NON-COMMERCIAL COMMUNITY LICENSE AGREEMENT"},
		phrases: []string{"Stability AI", "Non-Commercial Uses", "Research Purpose"}},
	{id: "stabilityai-ai-community", name: "Stability AI Community License Agreement",
		titles:  []string{"STABILITY AI COMMUNITY LICENSE AGREEMENT"},
		phrases: []string{"Stability AI", "Annual Revenue", "stability.ai/enterprise", "Powered by Stability AI"}},
	{id: "microsoft-research-license", name: "Microsoft Research License Terms",
		titles:  []string{"MICROSOFT RESEARCH LICENSE TERMS", "Microsoft Research License Agreement"},
		phrases: []string{"non-commercial", "research purposes", "Microsoft"}},
	{id: "apple-amlr", name: "Apple Machine Learning Research Model License",
		titles:  []string{"Apple Machine Learning Research Model License", "Apple Machine Learning Research Model is licensed under"},
		phrases: []string{"Research Purposes", "Apple"}},
	{id: "apple-ascl", name: "Apple Sample Code License",
		titles:  []string{"Apple Sample Code License"},
		phrases: []string{"This Apple software is supplied to you by Apple Inc.", "in consideration of your agreement to the following terms", "the Apple Software"}, minPhrases: 2},
	{id: "nvidia-open-model-license", name: "NVIDIA Open Model License Agreement",
		titles:  []string{"NVIDIA Open Model License Agreement", "NVIDIA Open Model License"},
		phrases: []string{"NVIDIA", "Derivative Models", "Trustworthy AI", "Guardrail"}},
	{id: "nvidia-source-code-license", name: "NVIDIA Source Code License",
		titles:  []string{"NVIDIA Source Code License"},
		phrases: []string{"NVIDIA", "non-commercially", "research or evaluation purposes only"}},
	{id: "yi-license", name: "Yi Series Models Community License Agreement",
		titles:  []string{"Yi Series Models Community License Agreement", "Yi Series Models License Agreement"},
		phrases: []string{"01.AI", "Yi Series Models"}},
	{id: "baichuan", name: "Baichuan 2 Community License",
		titles:  []string{"Community License for Baichuan 2 Model", "Community License for Baichuan2 Model", "Baichuan 2 模型社区许可协议", "Baichuan-7B 模型许可协议", "Community License for Baichuan-13B Model"},
		phrases: []string{"Baichuan", "百川"}},
	{id: "internlm", name: "InternLM Model License",
		titles:  []string{"InternLM Model License", "InternLM License Agreement"},
		phrases: []string{"InternLM", "Shanghai AI Laboratory"}},
	{id: "glm-4", name: "GLM-4 Model License",
		titles:  []string{"The glm-4-9b License", "The GLM-4 License", "GLM-4 Model License"},
		phrases: []string{"Zhipu", "THUDM", "GLM"}},
	{id: "chatglm", name: "ChatGLM Model License",
		titles:  []string{"The ChatGLM-6B License", "The ChatGLM2-6B License", "The ChatGLM3-6B License", "ChatGLM Model License"},
		phrases: []string{"Zhipu", "THUDM", "ChatGLM"}},
	{id: "cogvlm2", name: "CogVLM2 License",
		titles:  []string{"The CogVLM2 License", "CogVLM2 License"},
		phrases: []string{"Zhipu", "THUDM", "CogVLM2"}},
	{id: "cogvideox-license", name: "CogVideoX License",
		titles:  []string{"The CogVideoX License", "CogVideoX License"},
		phrases: []string{"Zhipu", "THUDM", "CogVideoX"}},
	{id: "ai2-impact", name: "AI2 ImpACT License",
		titles:  []string{"AI2 ImpACT License", "ImpACT License"},
		phrases: []string{"Allen Institute for AI", "Low Risk Artifacts", "Derivative Impact Report"}},
	{id: "deepfloyd-if-license", name: "DeepFloyd IF License Agreement",
		titles:  []string{"DEEPFLOYD IF LICENSE AGREEMENT"},
		phrases: []string{"Stability AI", "DeepFloyd", "non-commercial"}},
	{id: "fair-noncommercial-research-license", name: "FAIR Noncommercial Research License",
		titles:  []string{"FAIR Noncommercial Research License"},
		phrases: []string{"Noncommercial Research Uses", "Research Materials", "Meta"}},
	{id: "exaone", name: "EXAONE AI Model License Agreement",
		titles:  []string{"EXAONE AI Model License Agreement"},
		phrases: []string{"LG AI Research", "non-commercial", "EXAONE"}},
	{id: "hyperclovax", name: "HyperCLOVA X SEED Model License Agreement",
		titles:  []string{"HyperCLOVA X SEED Model License Agreement"},
		phrases: []string{"NAVER", "HyperCLOVA X"}},
	{id: "jamba-open-model-license", name: "Jamba Open Model License Agreement",
		titles:  []string{"Jamba Open Model License Agreement", "Jamba Open Model License"},
		phrases: []string{"AI21", "Jamba"}},
}

// compiledPattern is a pattern with its phrases normalised.
type compiledPattern struct {
	pattern
	titles, phrases, shared []string
}

// compile normalises the phrases of every pattern.
func compile(ps []pattern) []compiledPattern {
	out := make([]compiledPattern, 0, len(ps))
	for _, p := range ps {
		c := compiledPattern{pattern: p}
		for _, t := range p.titles {
			c.titles = append(c.titles, normalize(t))
		}
		for _, ph := range p.phrases {
			c.phrases = append(c.phrases, normalize(ph))
		}
		for _, ph := range p.shared {
			c.shared = append(c.shared, normalize(ph))
		}
		out = append(out, c)
	}
	return out
}

// compiled is the normalised pattern table. It is built when the package is
// initialised and only read afterwards.
var compiled = compile(patterns)

// normalize lower-cases s and turns every run of characters other than
// letters, digits and '+' into one space. A '.' between two digits is kept,
// so that "Llama 3.1" does not read as "Llama 3 1".
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading spaces
	var prev rune
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+'):
			b.WriteByte(byte(r))
			space = false
		case r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
			space = false
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '.' && prev >= '0' && prev <= '9' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteByte('.')
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
		prev = r
	}
	return strings.TrimRight(b.String(), " ")
}

// matchPattern recognises the AI model licenses of the pattern table in
// data, returning the most confident match.
func matchPattern(data []byte) (Match, bool) {
	text := normalize(string(data))
	var best Match
	for _, p := range compiled {
		conf := p.confidence(text)
		if conf > best.Confidence {
			best = Match{ID: p.id, Name: p.name, Confidence: conf, Method: MethodPattern}
		}
	}
	return best, best.ID != ""
}

// confidence scores how well the normalised text matches p: 0 when it does
// not.
func (p compiledPattern) confidence(text string) float64 {
	title := false
	for _, t := range p.titles {
		if containsWords(text, t) {
			title = true
			break
		}
	}
	found, foundShared := count(text, p.phrases), count(text, p.shared)
	share := 0.0
	if n := len(p.phrases) + len(p.shared); n > 0 {
		share = float64(found+foundShared) / float64(n)
	}
	switch {
	case title && len(p.phrases)+len(p.shared) == 0:
		return 1
	case title:
		return titleConfidence + (1-titleConfidence)*share
	case p.minPhrases > 0 && found >= p.minPhrases:
		return phraseConfidence + phraseSpan*share
	}
	return 0
}

// count returns how many of the phrases text contains.
func count(text string, phrases []string) int {
	n := 0
	for _, ph := range phrases {
		if containsWords(text, ph) {
			n++
		}
	}
	return n
}

// containsWords reports whether the normalised text contains the normalised
// phrase as whole words: preceded and followed by a space or an end of text.
func containsWords(text, phrase string) bool {
	if phrase == "" {
		return false
	}
	for start := 0; start <= len(text)-len(phrase); {
		i := strings.Index(text[start:], phrase)
		if i < 0 {
			return false
		}
		i += start
		end := i + len(phrase)
		if (i == 0 || text[i-1] == ' ') && (end == len(text) || text[end] == ' ') {
			return true
		}
		start = i + 1
	}
	return false
}
