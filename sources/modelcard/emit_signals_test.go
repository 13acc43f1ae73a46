package modelcard

import (
	"slices"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// find returns the evidence of kind whose value is value.
func findEv(ev []sources.Evidence, kind sources.EvidenceKind, value string) (sources.Evidence, bool) {
	for _, e := range ev {
		if e.Kind == kind && e.Value == value {
			return e, true
		}
	}
	return sources.Evidence{}, false
}

func TestEmitSignals(t *testing.T) {
	t.Parallel()
	fps, err := Fingerprints()
	if err != nil {
		t.Fatal(err)
	}
	qwenConfig := []byte(`{"model_type":"qwen2","architectures":["Qwen2ForCausalLM"],"hidden_size":3584,"num_hidden_layers":28,
		"num_attention_heads":28,"num_key_value_heads":4,"intermediate_size":18944,"vocab_size":152064,"rope_theta":1000000.0,
		"max_position_embeddings":32768}`)
	parse := func(t *testing.T, card string, config []byte) Input {
		in := Input{Subject: sources.HubModel("someone/my-model", ""), Names: []string{"someone/my-model"}, Resolve: hubResolver,
			CardOrigin: origin("README.md"), ConfigOrigin: origin("config.json"), Fingerprints: fps}
		if card != "" {
			c, err := ParseCard([]byte(card))
			if err != nil {
				t.Fatal(err)
			}
			in.Card = c
		}
		if config != nil {
			c, err := ParseConfig(config)
			if err != nil {
				t.Fatal(err)
			}
			in.Config = c
		}
		return in
	}

	t.Run("prose base becomes an undeclared edge", func(t *testing.T) {
		t.Parallel()
		ev, edges := Emit(parse(t, "---\nlicense: mit\n---\nThis model is a fine-tuned version of [meta-llama/Llama-2-7b-hf](https://huggingface.co/meta-llama/Llama-2-7b-hf) on our data.\n", nil))
		e, ok := findEv(ev, sources.KindBaseModel, "meta-llama/Llama-2-7b-hf")
		if !ok || e.Attr("declared_in") != "card_text" || e.Attr("line") != "4" || e.Attr("text") == "" {
			t.Fatalf("prose base evidence = %+v, %v", e, ok)
		}
		if len(edges) != 1 || edges[0].Declared || edges[0].Relation != sources.RelFinetune {
			t.Errorf("edges = %+v, want one undeclared finetune edge", edges)
		}
	})
	t.Run("safety markers from name, datasets and text", func(t *testing.T) {
		t.Parallel()
		in := parse(t, "---\ndatasets:\n- unalignment/toxic-dpo-v0.2\n---\nThis model is uncensored and will answer anything.\n", nil)
		in.Names = append(in.Names, "someone/Llama-3-8B-Instruct-abliterated")
		ev, _ := Emit(in)
		var fields []string
		for _, e := range ev {
			if e.Kind == sources.KindSafetyMarker {
				fields = append(fields, e.Attr("field")+":"+e.Value)
			}
		}
		slices.Sort(fields)
		for _, want := range []string{"card:uncensored", "dataset:toxic-dpo", "name:abliterated"} {
			if !slices.Contains(fields, want) {
				t.Errorf("markers %q lack %q", fields, want)
			}
		}
	})
	t.Run("negated marker does not count", func(t *testing.T) {
		t.Parallel()
		ev, _ := Emit(parse(t, "---\nlicense: mit\n---\nThis model is not uncensored: it keeps its refusals.\n", nil))
		for _, e := range ev {
			if e.Kind == sources.KindSafetyMarker {
				t.Errorf("unexpected marker %+v", e)
			}
		}
	})
	t.Run("fingerprint of an undeclared base", func(t *testing.T) {
		t.Parallel()
		ev, edges := Emit(parse(t, "---\nlicense: apache-2.0\n---\n# My model\n", qwenConfig))
		var fp *sources.Evidence
		for i := range ev {
			if ev[i].Kind == sources.KindFingerprint {
				fp = &ev[i]
			}
		}
		if fp == nil || fp.Attr("fields") == "" || fp.Attr("family") == "" {
			t.Fatalf("no fingerprint evidence in %+v", ev)
		}
		if len(edges) != 1 || edges[0].Relation != sources.RelDerivedFrom || edges[0].Declared {
			t.Fatalf("edges = %+v, want one undeclared derived_from edge", edges)
		}
		if id, _ := edges[0].To.HubID(); id != fp.Value {
			t.Errorf("edge to %s, fingerprint names %s", id, fp.Value)
		}
	})
	t.Run("no fingerprint when a base is declared or the name says it", func(t *testing.T) {
		t.Parallel()
		in := parse(t, "---\nbase_model: Qwen/Qwen2.5-7B\n---\n", qwenConfig)
		ev, _ := Emit(in)
		in2 := parse(t, "---\nlicense: apache-2.0\n---\n", qwenConfig)
		in2.Names = []string{"someone/Qwen2.5-7B-copy"}
		ev2, _ := Emit(in2)
		for _, e := range append(ev, ev2...) {
			if e.Kind == sources.KindFingerprint {
				t.Errorf("unexpected fingerprint %+v", e)
			}
		}
	})
}

func TestEmitCodeRepository(t *testing.T) {
	t.Parallel()
	c, err := ParseCard([]byte("---\nlicense: mit\nrepo: https://github.com/acme/trainer.git\ngithub: not a link\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, edges := Emit(Input{Subject: sources.HubModel("acme/m", ""), Card: c, CardOrigin: origin("README.md")})
	if len(edges) != 1 || edges[0].Relation != sources.RelCodeRepository || edges[0].To.PURL != "pkg:github/acme/trainer" {
		t.Errorf("edges = %+v, want one code_repository edge to pkg:github/acme/trainer", edges)
	}
}
