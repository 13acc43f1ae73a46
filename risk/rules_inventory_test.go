package risk

import (
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// TestNeedsFilesIncompleteInventory checks that a verdict resting on the
// file list is not a pass when the list is incomplete.
func TestNeedsFilesIncompleteInventory(t *testing.T) {
	t.Parallel()
	check := needsFiles(checkPickleWeights)
	clean := hubNode("org/m")
	addEv(clean, sources.KindFile, "model.safetensors", "role", "weights", "format", "safetensors")
	if got := check(single(clean), clean); len(got) != 1 || got[0].Outcome != OutcomePass {
		t.Fatalf("complete list: %+v, want a pass", got)
	}

	cut := hubNode("org/huge")
	addEv(cut, sources.KindFile, "model.safetensors", "role", "weights", "format", "safetensors")
	inv := addEv(cut, sources.KindFileError, ".", "part", "inventory", "error", "the folder has more than 100000 files; the rest were not inventoried")
	got := check(single(cut), cut)
	if len(got) != 1 || got[0].Outcome != OutcomeUnknown || !strings.Contains(got[0].Message, "more than 100000 files") {
		t.Fatalf("incomplete list: %+v, want unknown naming the limit", got)
	}
	if !strings.Contains(strings.Join(got[0].Evidence, " "), inv.ID) {
		t.Errorf("the unknown does not cite the inventory error: %v", got[0].Evidence)
	}

	pickled := hubNode("org/pickled")
	addEv(pickled, sources.KindFile, "pytorch_model.bin", "role", "weights", "format", "pickle_zip")
	addEv(pickled, sources.KindFileError, ".", "part", "inventory", "error", "listing cut")
	if got := check(single(pickled), pickled); len(got) != 1 || got[0].Outcome != OutcomeFail {
		t.Errorf("a failure with an incomplete list: %+v, want the failure kept", got)
	}

	ds := hubDatasetNode("org/data")
	addEv(ds, sources.KindFileError, ".", "part", "inventory", "error", "listing cut")
	if got := check(single(ds), ds); len(got) != 1 || got[0].Outcome != OutcomeNotApplicable {
		t.Errorf("a dataset: %+v, want not applicable", got)
	}
}
