package knowledge

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// defaultCatalog parses the built-in catalog or stops the test.
func defaultCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("Default(): %v", err)
	}
	return c
}

func TestLookup(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	tests := []struct {
		account, country, typ string
	}{
		{"meta-llama", "US", TypeCompany},
		{"facebook", "US", TypeCompany},
		{"google", "US", TypeCompany},
		{"google-bert", "US", TypeCompany},
		{"google-t5", "US", TypeCompany},
		{"microsoft", "US", TypeCompany},
		{"nvidia", "US", TypeCompany},
		{"openai", "US", TypeCompany},
		{"xai-org", "US", TypeCompany},
		{"apple", "US", TypeCompany},
		{"ibm-granite", "US", TypeCompany},
		{"Salesforce", "US", TypeCompany},
		{"databricks", "US", TypeCompany},
		{"Snowflake", "US", TypeCompany},
		{"NousResearch", "US", TypeCompany},
		{"amazon", "US", TypeCompany},
		{"Intel", "US", TypeCompany},
		{"OpenVINO", "US", TypeCompany},
		{"RedHatAI", "US", TypeCompany},
		{"neuralmagic", "US", TypeCompany},
		{"allenai", "US", TypeNonprofit},
		{"EleutherAI", "US", TypeNonprofit},
		{"huggingface", "US", TypeCompany},
		{"HuggingFaceH4", "US", TypeCompany},
		{"HuggingFaceTB", "US", TypeCompany},
		{"HuggingFaceFW", "US", TypeCompany},
		{"HuggingFaceM4", "US", TypeCompany},
		{"lmsys", "US", TypeAcademic},
		{"StanfordAIMI", "US", TypeAcademic},
		{"stanford-crfm", "US", TypeAcademic},
		{"arcee-ai", "US", TypeCompany},
		{"EvolutionaryScale", "US", TypeCompany},
		{"wandb", "US", TypeCompany},
		{"unsloth", "US", TypeCompany},
		{"bigscience", "", TypeCommunity},
		{"mistralai", "FR", TypeCompany},
		{"linagora", "FR", TypeCompany},
		{"tiiuae", "AE", TypeGovernment},
		{"inceptionai", "AE", TypeCompany},
		{"core42", "AE", TypeCompany},
		{"Qwen", "CN", TypeCompany},
		{"Alibaba-NLP", "CN", TypeCompany},
		{"alibaba-pai", "CN", TypeCompany},
		{"Alibaba-Research-Intelligence-Computing", "CN", TypeCompany},
		{"deepseek-ai", "CN", TypeCompany},
		{"THUDM", "CN", TypeCompany},
		{"zai-org", "CN", TypeCompany},
		{"01-ai", "CN", TypeCompany},
		{"baichuan-inc", "CN", TypeCompany},
		{"internlm", "CN", TypeGovernment},
		{"OpenGVLab", "CN", TypeGovernment},
		{"moonshotai", "CN", TypeCompany},
		{"MiniMaxAI", "CN", TypeCompany},
		{"BAAI", "CN", TypeNonprofit},
		{"tencent", "CN", TypeCompany},
		{"TencentARC", "CN", TypeCompany},
		{"Tencent-Hunyuan", "CN", TypeCompany},
		{"baidu", "CN", TypeCompany},
		{"PaddlePaddle", "CN", TypeCompany},
		{"PaddleMIX", "CN", TypeCompany},
		{"ByteDance", "CN", TypeCompany},
		{"ByteDance-Seed", "CN", TypeCompany},
		{"bytedance-research", "CN", TypeCompany},
		{"openbmb", "CN", TypeCompany},
		{"zjunlp", "CN", TypeAcademic},
		{"LGAI-EXAONE", "KR", TypeCompany},
		{"upstage", "KR", TypeCompany},
		{"naver", "KR", TypeCompany},
		{"naver-hyperclovax", "KR", TypeCompany},
		{"kakaobrain", "KR", TypeCompany},
		{"skt", "KR", TypeCompany},
		{"dmis-lab", "KR", TypeAcademic},
		{"CohereForAI", "CA", TypeCompany},
		{"CohereLabs", "CA", TypeCompany},
		{"Cohere", "CA", TypeCompany},
		{"ai21labs", "IL", TypeCompany},
		{"stabilityai", "GB", TypeCompany},
		{"ai-forever", "RU", TypeCompany},
		{"yandex", "RU", TypeCompany},
		{"rinna", "JP", TypeCompany},
		{"cyberagent", "JP", TypeCompany},
		{"elyza", "JP", TypeCompany},
		{"llm-jp", "JP", TypeAcademic},
		{"shisa-ai", "JP", TypeCompany},
		{"aleph-alpha", "DE", TypeCompany},
		{"jinaai", "DE", TypeCompany},
		{"deepset", "DE", TypeCompany},
		{"DFKI", "DE", TypeNonprofit},
		{"sarvamai", "IN", TypeCompany},
		{"ai4bharat", "IN", TypeAcademic},
		{"m3rg-iitd", "IN", TypeAcademic},
		{"epfl-llm", "CH", TypeAcademic},
		{"aisingapore", "SG", TypeGovernment},
		{"pucpr-br", "BR", TypeAcademic},
		{"mlx-community", "", TypeCommunity},
		{"lmstudio-community", "", TypeCommunity},
		{"sentence-transformers", "", TypeCommunity},
		{"masakhane", "", TypeCommunity},
		{"TheBloke", "", TypeIndividual},
		{"bartowski", "", TypeIndividual},
		{"mradermacher", "", TypeIndividual},
		// Accounts are matched case-insensitively.
		{"META-LLAMA", "US", TypeCompany},
		{"qwen", "CN", TypeCompany},
		{"thudm", "CN", TypeCompany},
	}
	for _, tc := range tests {
		t.Run(tc.account, func(t *testing.T) {
			t.Parallel()
			p, ok := c.Lookup(tc.account)
			if !ok {
				t.Fatalf("Lookup(%q) found no entry", tc.account)
			}
			if p.Country != tc.country || p.Type != tc.typ {
				t.Errorf("Lookup(%q) = country %q type %q, want %q %q", tc.account, p.Country, p.Type, tc.country, tc.typ)
			}
			if !p.HasAccount(tc.account) {
				t.Errorf("Lookup(%q) returned an entry without that account: %v", tc.account, p.Accounts)
			}
			if p.Locator != EmbeddedLocator || !strings.HasPrefix(p.Digest, "sha256:") {
				t.Errorf("Lookup(%q) origin = %q %q, want %q and a sha256 digest", tc.account, p.Locator, p.Digest, EmbeddedLocator)
			}
		})
	}
}

func TestLookupUnlisted(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	for _, account := range []string{"", "someone-unknown", "meta-llama/Llama-2-7b-hf", "tsavage68"} {
		if p, ok := c.Lookup(account); ok {
			t.Errorf("Lookup(%q) = %v, want no entry", account, p.Accounts)
		}
	}
	var nilCatalog *Catalog
	if _, ok := nilCatalog.Lookup("meta-llama"); ok {
		t.Error("Lookup on a nil catalog found an entry")
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	p, _ := c.Lookup("meta-llama")
	p.Accounts[0] = "changed"
	p.Models[0] = "changed"
	again, _ := c.Lookup("meta-llama")
	if again.Accounts[0] != "meta-llama" || again.Models[0] == "changed" {
		t.Errorf("changing a looked-up entry changed the catalog: %v %v", again.Accounts, again.Models)
	}
}

func TestMatchModel(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	tests := []struct {
		name, wantAccount, wantPattern string
	}{
		{"Llama-2-7b-chat-hf", "meta-llama", "Llama-2-*"},
		{"llama-2-7b-chat-hf", "meta-llama", "Llama-2-*"},
		{"Meta-Llama-3-8B-Instruct", "meta-llama", "Meta-Llama-3*"},
		{"Llama-3.1-8B", "meta-llama", "Llama-3*"},
		{"Llama-2-7B-Chat-GGML", "meta-llama", "Llama-2-*"},
		{"TheBloke/Llama-2-7B-Chat-GGML", "meta-llama", "Llama-2-*"},
		{"gemma-7b", "google", "gemma-*"},
		{"Gemma-7b-sft-ultrachat", "google", "gemma-*"},
		{"flan-t5-large", "google", "flan-t5-*"},
		{"phi-2", "microsoft", "phi-*"},
		{"Phi-3-mini-4k-instruct", "microsoft", "phi-*"},
		{"Qwen2.5-7B", "Qwen", "Qwen*"},
		{"Mistral-7B-v0.1", "mistralai", "Mistral-*"},
		{"Mixtral-8x7B-Instruct-v0.1", "mistralai", "Mixtral-*"},
		{"DeepSeek-R1-Distill-Qwen-7B", "deepseek-ai", "DeepSeek-*"},
		{"chatglm3-6b", "THUDM", "chatglm*"},
		{"CogVideoX-5b", "THUDM", "CogVideoX*"},
		{"Yi-34B", "01-ai", "Yi-*"},
		{"Baichuan2-13B-Chat", "baichuan-inc", "Baichuan*"},
		{"internlm2-chat-7b", "internlm", "internlm*"},
		{"falcon-7b", "tiiuae", "falcon-*"},
		{"c4ai-command-r-v01", "CohereForAI", "c4ai-*"},
		{"Jamba-v0.1", "ai21labs", "Jamba-*"},
		{"stable-diffusion-3-medium", "stabilityai", "stable-diffusion-3*"},
		{"stablelm-2-1_6b", "stabilityai", "stablelm-*"},
		{"OLMo-7B", "allenai", "OLMo*"},
		{"pythia-1b", "EleutherAI", "pythia-*"},
		{"gpt-neox-20b", "EleutherAI", "gpt-neox-*"},
		{"gpt-j-6b", "EleutherAI", "gpt-j-*"},
		{"bloom", "bigscience", "bloom"},
		{"bloomz-7b1", "bigscience", "bloomz*"},
		{"granite-3.0-8b-instruct", "ibm", "granite-*"},
		{"OpenELM-270M", "apple", "OpenELM*"},
		{"EXAONE-3.5-7.8B-Instruct", "LGAI-EXAONE", "EXAONE-*"},
		{"SOLAR-10.7B-v1.0", "upstage", "SOLAR-*"},
		{"jais-adapted-7b", "inceptionai", "jais-*"},
		{"meditron-7b", "epfl-llm", "meditron-*"},
		// The longest pattern wins: NVIDIA's naming over Meta's.
		{"Llama-3.1-Nemotron-70B-Instruct-HF", "nvidia", "*nemotron*"},
		{"Mistral-NeMo-Minitron-8B-Base", "nvidia", "*minitron*"},
		{"Llama-3.1-Swallow-8B-Instruct-v0.1", "tokyotech-llm", "*swallow*"},
		{"TinySwallow-1.5B", "SakanaAI", "TinySwallow-*"},
		{"my-model", "", ""},
		{"llava-gemma-7b", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, pattern, ok := c.MatchModel(tc.name)
			got := ""
			if ok {
				got = p.Accounts[0]
			}
			if got != tc.wantAccount || pattern != tc.wantPattern {
				t.Errorf("MatchModel(%q) = %q %q, want %q %q", tc.name, got, pattern, tc.wantAccount, tc.wantPattern)
			}
		})
	}
}

func TestMatchModelTieKeepsFileOrder(t *testing.T) {
	t.Parallel()
	c := parseOK(t, `
- accounts: [first]
  name: First
  type: individual
  source: https://example.com/first
  models: ["abc-*"]
- accounts: [second]
  name: Second
  type: individual
  source: https://example.com/second
  models: ["*-xyz"]
`)
	for range 5 {
		p, pattern, ok := c.MatchModel("abc-xyz")
		if !ok || p.Accounts[0] != "first" || pattern != "abc-*" {
			t.Fatalf("MatchModel(abc-xyz) = %v %q %v, want first abc-*", p.Accounts, pattern, ok)
		}
	}
}

// parseOK parses src as a catalog named test.yaml or stops the test.
func parseOK(t testing.TB, src string) *Catalog {
	t.Helper()
	c, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// accountsOf lists the first account of each entry of c, in order.
func accountsOf(c *Catalog) []string {
	var out []string
	for _, p := range c.Publishers() {
		out = append(out, strings.Join(p.Accounts, "+"))
	}
	return out
}

func TestMerge(t *testing.T) {
	t.Parallel()
	base := parseOK(t, `
- accounts: [acme, acme-labs]
  name: Acme Corp.
  country: US
  type: company
  source: https://example.com/acme
  models: ["acme-*"]
- accounts: [globex]
  name: Globex
  country: FR
  type: company
  source: https://example.com/globex
- accounts: [initech]
  name: Initech
  country: CN
  type: company
  source: https://example.com/initech
`)
	over, err := Parse("/home/user/publishers.yaml", []byte(`
- accounts: [ACME-LABS]
  name: Acme Labs GmbH
  country: DE
  type: company
  source: https://example.com/acme-labs
- accounts: [hooli]
  name: Hooli
  country: US
  type: company
  source: https://example.com/hooli
`))
	if err != nil {
		t.Fatal(err)
	}
	merged := base.Merge(over)

	if diff := cmp.Diff([]string{"ACME-LABS", "globex", "initech", "hooli"}, accountsOf(merged)); diff != "" {
		t.Errorf("merged entries (-want +got):\n%s", diff)
	}
	p, ok := merged.Lookup("acme-labs")
	if !ok || p.Country != "DE" || p.Locator != "/home/user/publishers.yaml" {
		t.Errorf("Lookup(acme-labs) = %+v, %v; want the override from /home/user/publishers.yaml", p, ok)
	}
	if _, ok := merged.Lookup("acme"); ok {
		t.Error("Lookup(acme) found an entry; the override replaces the whole entry sharing an account")
	}
	if _, _, ok := merged.MatchModel("acme-7b"); ok {
		t.Error("MatchModel(acme-7b) matched a pattern of the replaced entry")
	}
	if p, ok := merged.Lookup("globex"); !ok || p.Locator != "test.yaml" {
		t.Errorf("Lookup(globex) = %+v, %v; want the base entry", p, ok)
	}
	if merged.Locator() != "test.yaml" || merged.Digest() != base.Digest() {
		t.Errorf("merged catalog locator %q digest %q, want the base's", merged.Locator(), merged.Digest())
	}
	// Neither input changed.
	if diff := cmp.Diff([]string{"acme+acme-labs", "globex", "initech"}, accountsOf(base)); diff != "" {
		t.Errorf("base changed (-want +got):\n%s", diff)
	}
	var empty *Catalog
	if diff := cmp.Diff(accountsOf(over), accountsOf(empty.Merge(over))); diff != "" {
		t.Errorf("nil.Merge(over) differs from over (-want +got):\n%s", diff)
	}
	if got := empty.Merge(over).Locator(); got != "/home/user/publishers.yaml" {
		t.Errorf("nil.Merge(over).Locator() = %q, want over's", got)
	}
	if diff := cmp.Diff(accountsOf(base), accountsOf(base.Merge(nil))); diff != "" {
		t.Errorf("base.Merge(nil) differs from base (-want +got):\n%s", diff)
	}
}

func TestMergeOverDefault(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	over := parseOK(t, `
- accounts: [mistralai]
  name: Mistral AI (override)
  country: FR
  type: company
  source: https://example.com/mistral
`)
	merged := c.Merge(over)
	if got, want := len(merged.Publishers()), len(c.Publishers()); got != want {
		t.Errorf("merged catalog has %d entries, want %d", got, want)
	}
	if p, _ := merged.Lookup("mistralai"); p.Name != "Mistral AI (override)" {
		t.Errorf("Lookup(mistralai).Name = %q, want the override", p.Name)
	}
	if _, _, ok := merged.MatchModel("Mistral-7B-v0.1"); ok {
		t.Error("MatchModel(Mistral-7B-v0.1) still matches; the override lists no models")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "publishers.yaml")
	src := "- accounts: [acme]\n  name: Acme\n  country: US\n  type: company\n  source: https://example.com\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(file)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	p, ok := c.Lookup("acme")
	if !ok || p.Locator != file || p.Digest != "sha256:"+sha256Hex(src) {
		t.Errorf("Lookup(acme) = %+v, %v; want locator %s and the file's digest", p, ok, file)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing) = %v, want an error naming the file", err)
	}
	// A file over the size limit is refused without being read whole (a
	// sparse file: its size costs no disk).
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(huge); err == nil || !strings.Contains(err.Error(), "huge.yaml is larger than") {
		t.Errorf("Load(4 GiB file) = %v, want an error naming the file and the limit", err)
	}
}

// TestEmbeddedCatalog checks every entry of the built-in catalog.
func TestEmbeddedCatalog(t *testing.T) {
	t.Parallel()
	c := defaultCatalog(t)
	pubs := c.Publishers()
	if len(pubs) < 100 {
		t.Errorf("the built-in catalog has %d entries, want at least 100", len(pubs))
	}
	countries := map[string]bool{}
	for _, p := range pubs {
		what := strings.Join(p.Accounts, ",")
		if p.Name == "" || len(p.Accounts) == 0 {
			t.Errorf("%s: missing name or accounts", what)
		}
		if p.Country != "" && !validCountry(p.Country) {
			t.Errorf("%s: country %q is not an assigned ISO 3166-1 alpha-2 code", what, p.Country)
		}
		if p.Country == "" && p.Type != TypeIndividual && p.Type != TypeCommunity {
			t.Errorf("%s: an organization of type %s needs a country", what, p.Type)
		}
		countries[p.Country] = true
		switch p.Type {
		case TypeCompany, TypeAcademic, TypeNonprofit, TypeGovernment, TypeCommunity, TypeIndividual:
		default:
			t.Errorf("%s: type %q is not a publisher type", what, p.Type)
		}
		if u, err := url.Parse(p.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			t.Errorf("%s: source %q is not an http(s) URL", what, p.Source)
		}
		for _, pat := range p.Models {
			if msg := checkPattern(pat); msg != "" {
				t.Errorf("%s: models pattern %q %s", what, pat, msg)
			}
			// A name spelled by the pattern itself (wildcards as "x") must be
			// matched to this publisher, not claimed by a longer pattern of
			// another one.
			if strings.ContainsAny(pat, "[\\") {
				continue
			}
			sample := strings.NewReplacer("*", "x", "?", "x").Replace(pat)
			if owner, got, ok := c.MatchModel(sample); !ok || !owner.HasAccount(p.Accounts[0]) {
				t.Errorf("%s: %q, spelled by its pattern %q, matches %v (pattern %q) instead", what, sample, pat, owner.Accounts, got)
			}
		}
	}
	for _, want := range []string{"US", "CN", "FR", "AE", "GB", "CA", "KR", "JP", "DE", "IL", "IN", "RU", "CH", "SG"} {
		if !countries[want] {
			t.Errorf("no entry in country %s", want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{
		"US": true, "CN": true, "GB": true, "AE": true, "ZW": true, "AD": true,
		"UK": false, "us": false, "EU": false, "XK": true, "": false, "USA": false, "D": false, "S ": false,
	} {
		if got := validCountry(code); got != want {
			t.Errorf("validCountry(%q) = %v, want %v", code, got, want)
		}
	}
}
