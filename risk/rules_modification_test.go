package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

func TestSafetyRemoved(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkSafetyRemoved, []checkCase{
		{"abliterated name", func() (*Input, *Node, []want) {
			n := hubNode("mlabonne/Meta-Llama-3.1-8B-Instruct-abliterated")
			m := addEv(n, sources.KindSafetyMarker, "abliterated", "field", "name", "text", "mlabonne/Meta-Llama-3.1-8B-Instruct-abliterated")
			addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(m), Says: []string{`"abliterated" in name`}}}
		}},
		{"marker on a training dataset", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("unalignment/toxic-dpo-v0.2")
			addEv(m, sources.KindCard, "present")
			mk := addEv(d, sources.KindSafetyMarker, "toxic-dpo", "field", "name", "text", "unalignment/toxic-dpo-v0.2")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomeFail, Evidence: ids(mk)}}
		}},
		{"clean card", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "present")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(c)}}
		}},
		{"unread training dataset is unknown", func() (*Input, *Node, []want) {
			// The dataset's own name, card and tags were not read, so its
			// markers are unknown: never a pass.
			m := hubNode("org/model")
			d := unread(hubDatasetNode("anon/chats"), NodeFailed, "not_found: gone")
			addEv(m, sources.KindCard, "present")
			g := trainedOn(m, d)
			return inputFor(g), m, []want{{Outcome: OutcomeUnknown, Severity: SeverityLow, Evidence: edgeEvidence(g.Out(m.ID)...),
				Says: []string{"hf:datasets/anon/chats (failed: not_found: gone)"}}}
		}},
		{"a marker found wins over an unread dataset", func() (*Input, *Node, []want) {
			m := hubNode("org/model-uncensored")
			d := unread(hubDatasetNode("anon/chats"), NodeSkipped, "offline")
			mk := addEv(m, sources.KindSafetyMarker, "uncensored", "field", "name", "text", "org/model-uncensored")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomeFail, Evidence: ids(mk)}}
		}},
		{"read training dataset without marker passes", func() (*Input, *Node, []want) {
			m, d := hubNode("org/model"), hubDatasetNode("org/chats")
			c := addEv(m, sources.KindCard, "present")
			addEv(d, sources.KindCard, "present")
			return inputFor(trainedOn(m, d)), m, []want{{Outcome: OutcomePass, Evidence: ids(c)}}
		}},
		{"unreadable card is unknown", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c := addEv(n, sources.KindCard, "unavailable")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(c)}}
		}},
	})
}

func TestLineageMislabeled(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkLineageMislabeled, []checkCase{
		{"adapter declared as finetune", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "card", "relation", "adapter", "declared_relation", "finetune", "relation_reason", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(b), Says: []string{"declares it a finetune", "adapter_config.json", "an adapter"}}}
		}},
		{"quantization declared as finetune", func() (*Input, *Node, []want) {
			n := hubNode("org/model-GGUF")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "card", "relation", "quantized", "declared_relation", "finetune", "relation_reason", "quantization")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(b), Says: []string{"quantized"}}}
		}},
		{"new_version names its own base", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "card", "relation", "finetune", "relation_reason", "default")
			nv := addEv(n, sources.KindCardField, "org/base", "field", "new_version")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(nv, b), Says: []string{"new_version"}}}
		}},
		{"consistent", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			b := addEv(n, sources.KindBaseModel, "org/base", "declared_in", "card", "relation", "adapter", "declared_relation", "adapter", "relation_reason", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(b)}}
		}},
		{"no declaration", func() (*Input, *Node, []want) {
			n := hubNode("org/lora")
			addEv(n, sources.KindBaseModel, "org/base", "declared_in", "card", "relation", "adapter", "relation_reason", "adapter_config")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestHistoryWeightsChanged(t *testing.T) {
	t.Parallel()
	const first, later = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	runCheckCases(t, checkHistoryWeightsChanged, []checkCase{
		{"weights swapped after release", func() (*Input, *Node, []want) {
			n := hubNode("someone/model")
			c1 := addEv(n, sources.KindCommit, first, "authors", "someone", "date", "2024-01-01T00:00:00.000Z", "title", "Upload model")
			c2 := addEv(n, sources.KindCommit, later, "authors", "someone", "date", "2024-06-01T00:00:00.000Z", "title", "Update weights")
			f := addEv(n, sources.KindFile, "model.safetensors", "role", "weights", "format", "safetensors", "last_commit", later, "last_commit_date", "2024-06-01T00:00:00.000Z")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c1, f, c2), Says: []string{"changed after its first release on 2024-01-01", "model.safetensors", "by someone"}}}
		}},
		{"weights committed by another account in a user repository", func() (*Input, *Node, []want) {
			n := hubNode("someone/model")
			h := addEv(n, sources.KindPublisher, "someone", "declared_in", "hub", "type", "user")
			_ = h
			c1 := addEv(n, sources.KindCommit, first, "authors", "intruder", "date", "2024-01-01T00:00:00.000Z")
			f := addEv(n, sources.KindFile, "model.safetensors", "role", "weights", "last_commit", first, "last_commit_date", "2024-01-01T00:00:00.000Z")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(c1, f), Says: []string{"other than the publisher", "intruder"}}}
		}},
		{"unchanged", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			c1 := addEv(n, sources.KindCommit, first, "authors", "x", "date", "2024-01-01T00:00:00.000Z")
			f := addEv(n, sources.KindFile, "model.safetensors", "role", "weights", "last_commit", first, "last_commit_date", "2024-01-02T00:00:00.000Z")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(c1, f)}}
		}},
		{"no tree is unknown", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			w := addEv(n, sources.KindFile, "model.safetensors", "role", "weights", "detected_by", "extension")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(w)}}
		}},
		{"a configuration without a file list is unknown", func() (*Input, *Node, []want) {
			// config.json was read but the file list was not: nothing says
			// the repository has no weights.
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "llama", "field", "model_type")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Says: []string{"was not read"}}}
		}},
		{"a file list without weights is not applicable", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindConfig, "llama", "field", "model_type")
			addEv(n, sources.KindFile, "README.md", "role", "card", "format", "markdown")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"local folder", func() (*Input, *Node, []want) {
			n := localNode("/m/x")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestHistoryUnpinned(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	runCheckCases(t, checkHistoryUnpinned, []checkCase{
		{"branch of a moving repository", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			r := addEv(n, sources.KindRevision, sha, "requested", "main")
			c1 := addEv(n, sources.KindCommit, "c1", "date", "2024-01-01T00:00:00.000Z")
			c2 := addEv(n, sources.KindCommit, "c2", "date", "2024-03-01T00:00:00.000Z")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(r, c1, c2), Says: []string{"pin hf:org/model@" + sha}}}
		}},
		{"pinned", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			r := addEv(n, sources.KindRevision, sha, "requested", sha)
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(r)}}
		}},
		{"single commit", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			r := addEv(n, sources.KindRevision, sha, "requested", "main")
			c1 := addEv(n, sources.KindCommit, "c1", "date", "2024-01-01T00:00:00.000Z")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(r, c1)}}
		}},
		{"dates only", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			r := addEv(n, sources.KindRevision, sha, "requested", "main")
			c := addEv(n, sources.KindRepo, "2024-01-01T00:00:00.000Z", "field", "created_at")
			m := addEv(n, sources.KindRepo, "2024-05-01T00:00:00.000Z", "field", "last_modified")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(r, c, m)}}
		}},
		{"no history", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			r := addEv(n, sources.KindRevision, sha, "requested", "main")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(r)}}
		}},
	})
}
