package risk

import (
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// knownPublisher adds the catalog's facts about n's owner.
func knownPublisher(n *Node, account, name, country, typ string) sources.Evidence {
	return addEv(n, sources.KindPublisher, account, "declared_in", "knowledge", "name", name, "country", country, "type", typ, "source", "https://example.org/"+account)
}

func TestOriginJurisdiction(t *testing.T) {
	t.Parallel()
	concern := &Policy{Jurisdictions: []string{"CN", "RU"}, TrustedPublishers: []string{"trusted-org"}}
	runCheckCases(t, checkOriginJurisdiction, []checkCase{
		{"listed country fails", func() (*Input, *Node, []want) {
			n := hubNode("THUDM/glm-4-9b")
			e := knownPublisher(n, "THUDM", "Zhipu AI", "CN", "company")
			return &Input{Graph: graphOf([]*Node{n}), Policy: concern}, n, []want{{Outcome: OutcomeFail, Evidence: ids(e), Says: []string{"Zhipu AI", "China (CN)"}}}
		}},
		{"other country passes", func() (*Input, *Node, []want) {
			n := hubNode("mistralai/Mistral-7B-v0.1")
			e := knownPublisher(n, "mistralai", "Mistral AI", "FR", "company")
			return &Input{Graph: graphOf([]*Node{n}), Policy: concern}, n, []want{{Outcome: OutcomePass, Evidence: ids(e), Says: []string{"France (FR)"}}}
		}},
		{"unlisted account is unknown", func() (*Input, *Node, []want) {
			n := hubNode("someone/model")
			e := addEv(n, sources.KindPublisher, "someone", "declared_in", "knowledge", "type", "unlisted")
			return &Input{Graph: graphOf([]*Node{n}), Policy: concern}, n, []want{{Outcome: OutcomeUnknown, Evidence: ids(e)}}
		}},
		{"local folder is unknown", func() (*Input, *Node, []want) {
			n := localNode("/models/x")
			return &Input{Graph: graphOf([]*Node{n}), Policy: concern}, n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"trusted publisher passes", func() (*Input, *Node, []want) {
			n := hubNode("trusted-org/model")
			e := knownPublisher(n, "trusted-org", "Trusted", "CN", "company")
			return &Input{Graph: graphOf([]*Node{n}), Policy: concern}, n, []want{{Outcome: OutcomePass, Evidence: ids(e), Says: []string{"trusts"}}}
		}},
	})
}

func TestOriginUnknownPublisher(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	in := func(n *Node) *Input { return &Input{Graph: graphOf([]*Node{n}), Policy: &Policy{}, Now: now} }
	runCheckCases(t, checkOriginUnknownPublisher, []checkCase{
		{"known company passes", func() (*Input, *Node, []want) {
			n := hubNode("meta-llama/Llama-2-7b-hf")
			e := knownPublisher(n, "meta-llama", "Meta Platforms, Inc.", "US", "company")
			return in(n), n, []want{{Outcome: OutcomePass, Evidence: ids(e), Says: []string{"Meta Platforms"}}}
		}},
		{"known individual fails low with reputation", func() (*Input, *Node, []want) {
			n := hubNode("TheBloke/Llama-2-7B-GGUF")
			e := knownPublisher(n, "TheBloke", "Tom Jobbins", "GB", "individual")
			d := addEv(n, sources.KindRepo, "250000", "field", "downloads")
			return in(n), n, []want{{Outcome: OutcomeFail, Severity: SeverityLow, Evidence: ids(e, d), Says: []string{"an individual", "250000 downloads"}}}
		}},
		{"new obscure account fails high", func() (*Input, *Node, []want) {
			n := hubNode("x123/llama-fixed")
			u := addEv(n, sources.KindPublisher, "x123", "declared_in", "knowledge", "type", "unlisted")
			h := addEv(n, sources.KindPublisher, "x123", "declared_in", "hub", "type", "user")
			d := addEv(n, sources.KindRepo, "12", "field", "downloads")
			c := addEv(n, sources.KindRepo, "2026-10-20T00:00:00.000Z", "field", "created_at")
			return in(n), n, []want{{Outcome: OutcomeFail, Severity: SeverityHigh, Evidence: ids(u, h, d, c), Says: []string{"does not list"}}}
		}},
		{"unlisted organization fails low", func() (*Input, *Node, []want) {
			n := hubNode("small-lab/model")
			u := addEv(n, sources.KindPublisher, "small-lab", "declared_in", "knowledge", "type", "unlisted")
			h := addEv(n, sources.KindPublisher, "small-lab", "declared_in", "hub", "type", "org")
			return in(n), n, []want{{Outcome: OutcomeFail, Severity: SeverityLow, Evidence: ids(u, h), Says: []string{"organization"}}}
		}},
		{"unlisted account without Hub facts fails at the rule's severity", func() (*Input, *Node, []want) {
			n := hubNode("someone/model")
			u := addEv(n, sources.KindPublisher, "someone", "declared_in", "knowledge", "type", "unlisted")
			return in(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(u)}}
		}},
		{"local folder is unknown", func() (*Input, *Node, []want) {
			n := localNode("/models/x")
			return in(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
	})
}

func TestOriginReupload(t *testing.T) {
	t.Parallel()
	match := func(n *Node) sources.Evidence {
		return addEv(n, sources.KindNameMatch, "meta-llama", "pattern", "Llama-2-*", "name", "Meta Platforms, Inc.", "country", "US")
	}
	runCheckCases(t, checkOriginReupload, []checkCase{
		{"re-upload without lineage fails", func() (*Input, *Node, []want) {
			n := hubNode("joepramatha09/Llama-2-7b-chat-hf")
			m := match(n)
			u := addEv(n, sources.KindPublisher, "joepramatha09", "declared_in", "knowledge", "type", "unlisted")
			return inputFor(graphOf([]*Node{n})), n, []want{{Outcome: OutcomeFail, Evidence: ids(m, u), Says: []string{"Meta Platforms", "declares no base model"}}}
		}},
		{"declared base passes", func() (*Input, *Node, []want) {
			n := hubNode("someone/Llama-2-7b-chat-finetuned")
			base := hubNode("meta-llama/Llama-2-7b-chat-hf")
			m := match(n)
			b := addEv(n, sources.KindBaseModel, "meta-llama/Llama-2-7b-chat-hf", "declared_in", "card")
			return inputFor(graphOf([]*Node{n, base}, link(n, base, sources.RelFinetune, b))), n, []want{{Outcome: OutcomePass, Evidence: ids(m, b), Says: []string{"declares its base"}}}
		}},
		{"no match passes", func() (*Input, *Node, []want) {
			n := hubNode("someone/my-model")
			u := addEv(n, sources.KindPublisher, "someone", "declared_in", "knowledge", "type", "unlisted")
			return inputFor(graphOf([]*Node{n})), n, []want{{Outcome: OutcomePass, Evidence: ids(u)}}
		}},
		{"no facts is unknown", func() (*Input, *Node, []want) {
			n := hubNode("someone/my-model")
			return inputFor(graphOf([]*Node{n})), n, []want{{Outcome: OutcomeUnknown}}
		}},
		{"local folder is not applicable", func() (*Input, *Node, []want) {
			n := localNode("/models/Llama-2-7b-chat-hf")
			return inputFor(graphOf([]*Node{n})), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}
