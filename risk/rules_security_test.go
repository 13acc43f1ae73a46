package risk

import (
	"fmt"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// weightFile adds a weight file of format f to n.
func weightFile(n *Node, path, f string) sources.Evidence {
	return addEv(n, sources.KindFile, path, "role", "weights", "format", f, "detected_by", "magic")
}

func TestPickleWeights(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkPickleWeights, []checkCase{
		{"only pickles", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "config.json", "role", "config", "format", "json")
			a := weightFile(n, "pytorch_model-00001-of-00002.bin", "pickle_zip")
			b := weightFile(n, "pytorch_model-00002-of-00002.bin", "pickle_zip")
			c := weightFile(n, "optimizer.pt", "pickle")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(a, b, c),
				Says: []string{"pytorch_model-00001-of-00002.bin (pickle_zip)", "optimizer.pt (pickle)"}}}
		}},
		{"pickle and safetensors", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			weightFile(n, "pytorch_model.bin", "pickle_zip")
			s := weightFile(n, "model.safetensors", "safetensors")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(s), Says: []string{"model.safetensors"}}}
		}},
		{"gguf only", func() (*Input, *Node, []want) {
			n := hubNode("org/model-GGUF")
			s := weightFile(n, "model.Q4_K_M.gguf", "gguf")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(s)}}
		}},
		{"adapter weights", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			addEv(n, sources.KindAdapter, "LORA", "base", "org/base")
			a := weightFile(n, "adapter_model.bin", "pickle_zip")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(a), Says: []string{"adapter weights", "adapter_model.bin"}}}
		}},
		{"pickle beside an unrecognised format", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			a := weightFile(n, "model.bin", "pickle_zip")
			b := addEv(n, sources.KindFile, "model.weights", "role", "weights", "detected_by", "extension")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(a, b), Says: []string{"unknown format, by extension"}}}
		}},
		{"no file list", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "unavailable")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"files but no weights", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "README.md", "role", "card", "format", "markdown")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"dataset", func() (*Input, *Node, []want) {
			n := hubDatasetNode("org/corpus")
			addEv(n, sources.KindFile, "data.pkl", "role", "weights", "format", "pickle")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"many pickles are listed up to a bound", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			var evs []sources.Evidence
			for i := range 12 {
				evs = append(evs, weightFile(n, fmt.Sprintf("part-%02d.bin", i), "pickle_zip"))
			}
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(evs...), Says: []string{"part-09.bin", "and 2 more"}}}
		}},
	})
}

func TestRemoteCode(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkRemoteCode, []checkCase{
		{"auto_map", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "AutoModelForCausalLM=modeling_x.XForCausalLM", "field", "auto_map")
			rc := addEv(n, sources.KindRemoteCode, "modeling_x.XForCausalLM", "declared_in", "config")
			py := addEv(n, sources.KindFile, "modeling_x.py", "role", "code", "format", "python")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(rc, py),
				Says: []string{"modeling_x.XForCausalLM (config)", "modeling_x.py"}}}
		}},
		{"auto_map config field without remote_code evidence", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			am := addEv(n, sources.KindConfig, "AutoModel=m.M", "field", "auto_map")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(am), Says: []string{"auto_map AutoModel=m.M"}}}
		}},
		{"python file only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "LlamaForCausalLM", "field", "architectures")
			py := addEv(n, sources.KindFile, "handler.py", "role", "code", "format", "python")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(py), Says: []string{"handler.py"}}}
		}},
		{"clean config and files", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "LlamaForCausalLM", "field", "architectures")
			weightFile(n, "model.safetensors", "safetensors")
			return single(n), n, []want{{Outcome: OutcomePass}}
		}},
		{"config only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "llama", "field", "model_type")
			return single(n), n, []want{{Outcome: OutcomePass, Says: []string{"file list was not read"}}}
		}},
		{"file list only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			weightFile(n, "model.safetensors", "safetensors")
			return single(n), n, []want{{Outcome: OutcomePass}}
		}},
		{"broken config", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			weightFile(n, "model.safetensors", "safetensors")
			fe := addEv(n, sources.KindFileError, "config.json", "part", "config", "error", "unexpected end of JSON input")
			return single(n), n, []want{{Outcome: OutcomeError, Evidence: ids(fe), Says: []string{"config.json: unexpected end"}}}
		}},
		{"broken config but python files", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFileError, "config.json", "part", "config", "error", "bad")
			py := addEv(n, sources.KindFile, "modeling.py", "role", "code", "format", "python")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(py)}}
		}},
		{"nothing read", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"code repository", func() (*Input, *Node, []want) {
			s, _ := sources.ParseRef("github.com/org/repo")
			n := &Node{ID: s.ID(), Subject: s, State: NodeCollected}
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestRemoteCodeScriptsInSubfolders(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkRemoteCode, []checkCase{
		{"example scripts do not run on load", func() (*Input, *Node, []want) {
			n := hubNode("google/gemma-7b")
			addEv(n, sources.KindConfig, "gemma", "field", "model_type")
			f := addEv(n, sources.KindFile, "examples/example_sft_qlora.py", "format", "python", "role", "code")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(f), Says: []string{"does not run"}}}
		}},
		{"a top-level module does", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "custom", "field", "model_type")
			f := addEv(n, sources.KindFile, "modeling_custom.py", "format", "python", "role", "code")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(f)}}
		}},
	})
}
