package modelcard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
)

// fact is evidence without its ID and origin time, for comparison.
type fact struct {
	Kind  sources.EvidenceKind
	Value string
	Attrs map[string]string
	File  string
}

func facts(ev []sources.Evidence) []fact {
	out := make([]fact, len(ev))
	for i, e := range ev {
		out[i] = fact{e.Kind, e.Value, e.Attrs, e.Origin.Locator[strings.LastIndex(e.Origin.Locator, "/")+1:]}
	}
	return out
}

// hubResolver resolves Hub ids and nothing else, as a Hub source does.
func hubResolver(ref string) (sources.Subject, bool) {
	if sources.ValidHubID(ref) {
		return sources.HubModel(ref, ""), true
	}
	return sources.Subject{}, false
}

func origin(file string) sources.Origin {
	return sources.Origin{Source: "test", Locator: "/models/m/" + file, Digest: sources.Digest([]byte(file)), RetrievedAt: time.Unix(1, 0)}
}

func mustCard(t *testing.T, s string) *Card {
	t.Helper()
	c, err := ParseCard([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmitAdapter(t *testing.T) {
	t.Parallel()
	subj := sources.HubModel("me/lora", "")
	in := Input{
		Subject: subj, Names: []string{"me/lora"}, Resolve: hubResolver,
		Card: mustCard(t, "---\nlicense: LLAMA2\nbase_model: meta-llama/Llama-2-7b-hf\nbase_model_relation: finetune\n"+
			"datasets: [org/data, 'some free text']\ntags: [lora, license:mit]\n---\nUse trust_remote_code=True\n"),
		CardOrigin:    origin("README.md"),
		Adapter:       &AdapterConfig{BaseModel: "meta-llama/Llama-2-7b-hf", PEFTType: "LORA", R: 8},
		AdapterOrigin: origin("adapter_config.json"),
		Config:        &Config{NameOrPath: "/content/llama-7b"},
		ConfigOrigin:  origin("config.json"),
	}
	ev, edges := Emit(in)

	wantFacts := []fact{
		{sources.KindCard, "present", nil, "README.md"},
		{sources.KindLicense, "llama2", map[string]string{"declared_in": "card"}, "README.md"},
		{sources.KindCardField, "finetune", map[string]string{"field": "base_model_relation"}, "README.md"},
		{sources.KindTag, "lora", nil, "README.md"},
		{sources.KindTag, "license:mit", nil, "README.md"},
		{sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", map[string]string{"declared_in": "card", "relation": "adapter", "declared_relation": "finetune", "relation_reason": "adapter_config"}, "README.md"},
		{sources.KindDataset, "org/data", map[string]string{"declared_in": "card"}, "README.md"},
		{sources.KindDataset, "some free text", map[string]string{"declared_in": "card"}, "README.md"},
		{sources.KindRemoteCode, "trust_remote_code=True", map[string]string{"declared_in": "card", "line": "8"}, "README.md"},
		{sources.KindConfig, "/content/llama-7b", map[string]string{"field": "_name_or_path"}, "config.json"},
		{sources.KindAdapter, "LORA", map[string]string{"base": "meta-llama/Llama-2-7b-hf", "r": "8"}, "adapter_config.json"},
		{sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", map[string]string{"declared_in": "adapter_config", "relation": "adapter", "relation_reason": "adapter_config"}, "adapter_config.json"},
		{sources.KindBaseModel, "/content/llama-7b", map[string]string{"declared_in": "config", "relation": "adapter", "relation_reason": "adapter_config"}, "config.json"},
	}
	if diff := cmp.Diff(wantFacts, facts(ev)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	byValue := func(kind sources.EvidenceKind, value, file string) string {
		for _, e := range ev {
			if e.Kind == kind && e.Value == value && strings.HasSuffix(e.Origin.Locator, file) {
				return e.ID
			}
		}
		t.Fatalf("no %s evidence %q from %s", kind, value, file)
		return ""
	}
	wantEdges := []sources.Edge{
		{From: subj.ID(), To: sources.HubModel("meta-llama/Llama-2-7b-hf", ""), Relation: sources.RelAdapter, Declared: true,
			Evidence: []string{
				byValue(sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "README.md"),
				byValue(sources.KindBaseModel, "meta-llama/Llama-2-7b-hf", "adapter_config.json"),
				byValue(sources.KindAdapter, "LORA", "adapter_config.json"),
			}, Origin: origin("README.md")},
		{From: subj.ID(), To: sources.HubDataset("org/data", ""), Relation: sources.RelTrainedOn, Declared: true,
			Evidence: []string{byValue(sources.KindDataset, "org/data", "README.md")}, Origin: origin("README.md")},
	}
	if diff := cmp.Diff(wantEdges, edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	for _, e := range ev {
		if want := sources.NewEvidence(e.Subject, e.Kind, e.Value, e.Attrs, e.Origin).ID; e.ID != want || e.Subject != subj.ID() {
			t.Errorf("evidence %+v: not built with NewEvidence for the subject", e)
		}
	}
}

func TestEmitUndeclared(t *testing.T) {
	t.Parallel()
	subj := sources.HubModel("me/merged", "")
	tests := []struct {
		name  string
		in    Input
		edges []string // "to relation declared"
	}{
		{
			name:  "config names another model",
			in:    Input{Config: &Config{NameOrPath: "org/base", ModelType: "llama"}, ConfigOrigin: origin("config.json")},
			edges: []string{"pkg:huggingface/org/base derived_from false"},
		},
		{
			name:  "config names the model itself",
			in:    Input{Names: []string{"merged"}, Config: &Config{NameOrPath: "someone/Merged"}, ConfigOrigin: origin("config.json")},
			edges: nil,
		},
		{
			name: "mergekit parents",
			in: Input{
				Card: &Card{BaseModels: []string{"org/a"}}, CardOrigin: origin("README.md"),
				Merge: &MergeConfig{Method: "slerp", Models: []string{"org/a", "org/b", "./local/path"}}, MergeOrigin: origin("mergekit_config.yml"),
			},
			edges: []string{"pkg:huggingface/org/a merge true", "pkg:huggingface/org/b merge false"},
		},
		{
			name: "quantized with config name",
			in: Input{
				Config: &Config{NameOrPath: "org/base", Quantization: &Quantization{Method: "awq"}}, ConfigOrigin: origin("config.json"),
			},
			edges: []string{"pkg:huggingface/org/base quantized false"},
		},
		{
			name: "two declared parents and gguf",
			in: Input{
				Card: &Card{BaseModels: []string{"org/a", "ORG/A", "org/b"}}, CardOrigin: origin("README.md"), Quantized: []string{"gguf"},
			},
			edges: []string{"pkg:huggingface/org/a merge true", "pkg:huggingface/ORG/A merge true", "pkg:huggingface/org/b merge true"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.Subject, tc.in.Resolve = subj, hubResolver
			ev, edges := Emit(tc.in)
			var got []string
			for _, e := range edges {
				got = append(got, strings.Join([]string{e.To.ID(), string(e.Relation), map[bool]string{true: "true", false: "false"}[e.Declared]}, " "))
				if len(e.Evidence) == 0 {
					t.Errorf("edge %+v rests on no evidence", e)
				}
			}
			if diff := cmp.Diff(tc.edges, got); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
			for _, e := range ev {
				if e.Kind == sources.KindBaseModel && e.Attr("declared_in") == "" {
					t.Errorf("base_model evidence %q without declared_in", e.Value)
				}
			}
		})
	}
}

func TestEmitLicenseFromTag(t *testing.T) {
	t.Parallel()
	ev, _ := Emit(Input{Subject: sources.HubModel("a/b", ""), Card: &Card{Tags: []string{"license:Apache-2.0", "x"}}, CardOrigin: origin("README.md")})
	var got []fact
	for _, f := range facts(ev) {
		if f.Kind == sources.KindLicense {
			got = append(got, f)
		}
	}
	want := []fact{{sources.KindLicense, "apache-2.0", map[string]string{"declared_in": "tag"}, "README.md"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("licenses (-want +got):\n%s", diff)
	}
}

func TestEmitRemoteCode(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]byte(`{"auto_map": {"AutoModel": "org/code--modeling_x.X"}}`))
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := Emit(Input{Subject: sources.HubModel("a/b", ""), Config: cfg, ConfigOrigin: origin("config.json")})
	want := []fact{
		{sources.KindConfig, "org/code--modeling_x.X", map[string]string{"field": "auto_map"}, "config.json"},
		{sources.KindRemoteCode, "org/code--modeling_x.X", map[string]string{"declared_in": "config", "class": "AutoModel", "repo": "org/code"}, "config.json"},
	}
	if diff := cmp.Diff(want, facts(ev)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
}

func TestFileError(t *testing.T) {
	t.Parallel()
	_, err := ParseCard([]byte("---\na: b: c\n---\n"))
	got := FileError("file:///m", "README.md", "card", err, origin("README.md"))
	want := map[string]string{"part": "card", "line": "2", "error": "README.md:2: yaml: mapping values are not allowed in this context"}
	if diff := cmp.Diff(want, got.Attrs); diff != "" || got.Kind != sources.KindFileError || got.Value != "README.md" {
		t.Errorf("FileError = %+v (-want +got attrs):\n%s", got, diff)
	}
	got = FileError("file:///m", "config.json", "config", errors.New("permission denied"), origin("config.json"))
	if got.Attr("line") != "" || got.Attr("error") != "permission denied" {
		t.Errorf("FileError(plain error) = %+v", got)
	}
}
