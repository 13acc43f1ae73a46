package knowledge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

var fixedNow = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

func TestConformance(t *testing.T) {
	t.Parallel()
	cat := defaultCatalog(t)
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource: func(t *testing.T) sources.Source { return New(cat) },
		Known: []sources.Subject{
			sources.HubModel("meta-llama/Llama-2-7b-chat-hf", ""),
			sources.HubModel("TheBloke/Llama-2-7B-Chat-GGML", "main"),
			sources.HubModel("tsavage68/chat_600STEPS_1e8rate_SFT", ""),
			sources.HubModel("TitanML/gemma-7b-it", ""),
			sources.HubDataset("allenai/c4", ""),
			sources.HubModel("gpt2", ""),
		},
		Unsupported: sources.Subject{Kind: sources.SubjectPackage, Ref: "pkg:pypi/torch", PURL: "pkg:pypi/torch"},
	})
}

// fact is the part of an Evidence the Collect tests compare.
type fact struct {
	Kind    sources.EvidenceKind
	Value   string
	Attrs   map[string]string
	Locator string
}

func facts(obs *sources.Observation) []fact {
	var out []fact
	for _, e := range obs.Evidence {
		out = append(out, fact{e.Kind, e.Value, e.Attrs, e.Origin.Locator})
	}
	return out
}

func TestCollect(t *testing.T) {
	t.Parallel()
	src := New(defaultCatalog(t), WithClock(fixedClock))
	const emb = EmbeddedLocator
	meta := map[string]string{"declared_in": "knowledge", "name": "Meta Platforms, Inc.", "country": "US", "type": "company", "source": "https://en.wikipedia.org/wiki/Meta_Platforms"}
	unlisted := map[string]string{"declared_in": "knowledge", "type": "unlisted"}
	tests := []struct {
		name string
		subj sources.Subject
		want []fact
	}{{
		name: "listed owner, own naming",
		subj: sources.HubModel("meta-llama/Llama-2-7b-chat-hf", ""),
		want: []fact{{sources.KindPublisher, "meta-llama", meta, emb}},
	}, {
		name: "owner as written",
		subj: sources.HubModel("Meta-Llama/Llama-2-7b-chat-hf", ""),
		want: []fact{{sources.KindPublisher, "Meta-Llama", meta, emb}},
	}, {
		name: "re-publisher of another's naming",
		subj: sources.HubModel("TheBloke/Llama-2-7B-Chat-GGML", ""),
		want: []fact{
			{sources.KindPublisher, "TheBloke", map[string]string{"declared_in": "knowledge", "name": "Tom Jobbins", "type": "individual", "source": "https://huggingface.co/TheBloke"}, emb},
			{sources.KindNameMatch, "meta-llama", map[string]string{"pattern": "Llama-2-*", "name": "Meta Platforms, Inc.", "country": "US"}, emb},
		},
	}, {
		name: "unlisted owner, another's naming",
		subj: sources.HubModel("TitanML/gemma-7b-it", ""),
		want: []fact{
			{sources.KindPublisher, "TitanML", unlisted, emb},
			{sources.KindNameMatch, "google", map[string]string{"pattern": "gemma-*", "name": "Google LLC", "country": "US"}, emb},
		},
	}, {
		name: "unlisted owner, no naming",
		subj: sources.HubModel("tsavage68/chat_600STEPS_1e8rate_SFT", ""),
		want: []fact{{sources.KindPublisher, "tsavage68", unlisted, emb}},
	}, {
		name: "dataset: publisher only",
		subj: sources.HubDataset("someone/gemma-7b-data", ""),
		want: []fact{{sources.KindPublisher, "someone", unlisted, emb}},
	}, {
		name: "listed owner, another listed publisher's naming",
		subj: sources.HubModel("nvidia/Llama-2-7B-DMC-4x", ""),
		want: []fact{
			{sources.KindPublisher, "nvidia", map[string]string{"declared_in": "knowledge", "name": "NVIDIA Corporation", "country": "US", "type": "company", "source": "https://en.wikipedia.org/wiki/Nvidia"}, emb},
			{sources.KindNameMatch, "meta-llama", map[string]string{"pattern": "Llama-2-*", "name": "Meta Platforms, Inc.", "country": "US"}, emb},
		},
	}, {
		name: "second account of the matching publisher",
		subj: sources.HubModel("facebook/Llama-2-7b", ""),
		want: []fact{{sources.KindPublisher, "facebook", meta, emb}},
	}, {
		name: "bare name",
		subj: sources.HubModel("gpt2", ""),
		want: nil,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obs, err := src.Collect(context.Background(), tc.subj)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if obs.Subject != tc.subj {
				t.Errorf("observation subject = %+v, want %+v", obs.Subject, tc.subj)
			}
			if diff := cmp.Diff(tc.want, facts(obs)); diff != "" {
				t.Errorf("evidence (-want +got):\n%s", diff)
			}
			for _, e := range obs.Evidence {
				if e.Subject != tc.subj.ID() || !e.Origin.RetrievedAt.Equal(fixedNow) || e.Origin.Source != Name || e.Origin.Digest == "" {
					t.Errorf("evidence %s: subject %q origin %+v", e.ID, e.Subject, e.Origin)
				}
			}
		})
	}
}

func TestCollectMergedCatalog(t *testing.T) {
	t.Parallel()
	over := parseOK(t, `
- accounts: [tsavage68]
  name: T. Savage
  type: individual
  source: https://example.com/tsavage68
`)
	src := New(defaultCatalog(t).Merge(over), WithClock(fixedClock))
	obs, err := src.Collect(context.Background(), sources.HubModel("tsavage68/chat_600STEPS_1e8rate_SFT", ""))
	if err != nil {
		t.Fatal(err)
	}
	want := []fact{{sources.KindPublisher, "tsavage68", map[string]string{"declared_in": "knowledge", "name": "T. Savage", "type": "individual", "source": "https://example.com/tsavage68"}, "test.yaml"}}
	if diff := cmp.Diff(want, facts(obs)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if got, want := obs.Evidence[0].Origin.Digest, over.Digest(); got != want {
		t.Errorf("digest = %q, want the override file's %q", got, want)
	}
}

func TestCollectNilCatalog(t *testing.T) {
	t.Parallel()
	obs, err := New(nil, WithClock(nil)).Collect(context.Background(), sources.HubModel("meta-llama/Llama-2-7b-hf", ""))
	if err != nil {
		t.Fatal(err)
	}
	want := []fact{{sources.KindPublisher, "meta-llama", map[string]string{"declared_in": "knowledge", "type": "unlisted"}, EmptyLocator}}
	if diff := cmp.Diff(want, facts(obs)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if obs.Evidence[0].Origin.RetrievedAt.IsZero() {
		t.Error("WithClock(nil) left no clock")
	}
}

func TestSupports(t *testing.T) {
	t.Parallel()
	src := New(nil)
	local, err := sources.LocalFolder("/tmp/model", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		subj sources.Subject
		want bool
	}{
		{sources.HubModel("meta-llama/Llama-2-7b-hf", ""), true},
		{sources.HubDataset("allenai/c4", "main"), true},
		{sources.HubModel("gpt2", ""), true},
		{sources.HubModel("a/b/c", ""), false},
		{sources.HubModel("../etc", ""), false},
		{local, false},
		{sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/org/repo"}, false},
		{sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:huggingface/org/model"}, false},
	}
	for _, tc := range tests {
		if got := src.Supports(tc.subj); got != tc.want {
			t.Errorf("Supports(%s) = %v, want %v", tc.subj.ID(), got, tc.want)
		}
	}
	if _, err := src.Collect(context.Background(), local); !errors.Is(err, sources.ErrUnsupported) {
		t.Errorf("Collect(local folder) = %v, want an error wrapping ErrUnsupported", err)
	}
}
