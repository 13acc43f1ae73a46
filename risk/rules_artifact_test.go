package risk

import (
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

func TestPickleUnsafeImport(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkPickleUnsafeImport, []checkCase{
		{"dangerous import is critical", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "pytorch_model.bin", "format", "pickle_zip", "role", "weights")
			a := addEv(n, sources.KindArtifact, "dangerous_import", "file", "pytorch_model.bin", "format", "pickle_zip", "imports", "os.system:dangerous")
			return single(n), n, []want{{Outcome: OutcomeFail, Severity: SeverityCritical, Evidence: ids(a), Says: []string{"os.system:dangerous", "pytorch_model.bin"}}}
		}},
		{"unknown import is medium", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			a := addEv(n, sources.KindArtifact, "unknown_import", "file", "model.pkl", "format", "pickle", "imports", "sklearn.linear_model.LogisticRegression:unknown")
			return single(n), n, []want{{Outcome: OutcomeFail, Severity: SeverityMedium, Evidence: ids(a)}}
		}},
		{"clean pickles pass", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "pytorch_model.bin", "format", "pickle_zip", "role", "weights")
			a := addEv(n, sources.KindArtifact, "clean", "file", "pytorch_model.bin", "format", "pickle_zip")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(a)}}
		}},
		{"listed but not scanned is unknown", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "pytorch_model.bin", "format", "pickle", "detected_by", "extension", "role", "weights")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Says: []string{"pytorch_model.bin"}}}
		}},
		{"no pickles", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "model.safetensors", "format", "safetensors", "role", "weights")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
	})
}

func TestArtifactMalformed(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkArtifactMalformed, []checkCase{
		{"malformed header", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "model.safetensors", "format", "safetensors", "role", "weights")
			a := addEv(n, sources.KindArtifact, "malformed", "file", "model.safetensors", "format", "safetensors", "reason", "tensor w: data_offsets [0, 99999] past the data area")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(a), Says: []string{"past the data area"}}}
		}},
		{"extension lies", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			f := addEv(n, sources.KindFile, "model.safetensors", "format", "pickle", "detected_by", "magic", "extension_format", "safetensors", "role", "weights")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(f), Says: []string{"named as safetensors but its bytes are pickle"}}}
		}},
		{"well-formed", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			addEv(n, sources.KindFile, "model.safetensors", "format", "safetensors", "role", "weights")
			a := addEv(n, sources.KindArtifact, "clean", "file", "model.safetensors", "format", "safetensors")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(a)}}
		}},
		{"not inspected", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			w := addEv(n, sources.KindFile, "model.safetensors", "format", "safetensors", "detected_by", "extension", "role", "weights")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(w), Says: []string{"were not inspected"}}}
		}},
	})
}

func TestHubScanFlagged(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkHubScanFlagged, []checkCase{
		{"flagged, and Pedigree disagrees", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			s := addEv(n, sources.KindScan, "unsafe", "file", "pytorch_model.bin", "scanner", "hub")
			addEv(n, sources.KindArtifact, "clean", "file", "pytorch_model.bin")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(s), Says: []string{"unsafe", "Pedigree's own scan found nothing"}}}
		}},
		{"not flagged", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			s := addEv(n, sources.KindScan, "safe", "file", "model.safetensors", "scanner", "hub")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(s)}}
		}},
		{"no scans read", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			return single(n), n, []want{{Outcome: OutcomeUnknown}}
		}},
	})
}

func TestChatTemplateSuspicious(t *testing.T) {
	t.Parallel()
	runCheckCases(t, checkChatTemplateSuspicious, []checkCase{
		{"suspicious", func() (*Input, *Node, []want) {
			n := hubNode("org/model-GGUF")
			a := addEv(n, sources.KindArtifact, "suspicious_template", "file", "m.gguf", "format", "gguf", "reason", "chat template: a URL: https://evil.example")
			return single(n), n, []want{{Outcome: OutcomeFail, Evidence: ids(a), Says: []string{"evil.example"}}}
		}},
		{"clean", func() (*Input, *Node, []want) {
			n := hubNode("org/model-GGUF")
			a := addEv(n, sources.KindArtifact, "clean", "file", "m.gguf", "format", "gguf")
			return single(n), n, []want{{Outcome: OutcomePass, Evidence: ids(a)}}
		}},
		{"no gguf", func() (*Input, *Node, []want) {
			n := hubNode("org/model")
			return single(n), n, []want{{Outcome: OutcomeNotApplicable}}
		}},
		{"gguf listed, not inspected", func() (*Input, *Node, []want) {
			n := hubNode("org/model-GGUF")
			f := addEv(n, sources.KindFile, "m.Q4_K_M.gguf", "format", "gguf", "detected_by", "extension", "role", "weights")
			return single(n), n, []want{{Outcome: OutcomeUnknown, Evidence: ids(f)}}
		}},
	})
}
