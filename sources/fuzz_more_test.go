package sources

import (
	"strings"
	"testing"
)

// FuzzParseRelation feeds a card's base_model_relation values to
// ParseRelation: a relation it reads is a lineage relation and reads back
// as itself from its own name, in any case and with surrounding space.
func FuzzParseRelation(f *testing.F) {
	for _, s := range []string{"adapter", "merge", "quantized", "finetune", " Fine-Tune\n", "LoRA", "distilled",
		"", "derived_from", "İ", "ﬁnetune", "merge\x00", strings.Repeat("a", 1<<12)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseRelation(s)
		if !ok {
			if r != "" {
				t.Fatalf("ParseRelation(%q) = %q, false", s, r)
			}
			return
		}
		if !r.Lineage() {
			t.Fatalf("ParseRelation(%q) = %q, not a lineage relation", s, r)
		}
		for _, form := range []string{string(r), strings.ToUpper(string(r)), "\t" + string(r) + " "} {
			if back, ok := ParseRelation(form); !ok || back != r {
				t.Fatalf("ParseRelation(%q) = %q, %v; want %q", form, back, ok, r)
			}
		}
	})
}
