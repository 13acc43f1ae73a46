package modelcard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hubSample is a partial offline snapshot of the Hub: api/models/OWNER/NAME.json
// and OWNER/NAME/resolve/main/README.md of about a thousand models.
const hubSample = "../../../shared/hub-sample"

// TestHubSample parses every README of the sample snapshot and compares the
// license, base models and datasets with the Hub's own parse of the same
// card (cardData in the API answer). The Hub reads YAML with another parser,
// so a few disagreements are expected; the test fails below 98% agreement
// or on any parse error of a card the Hub parsed.
func TestHubSample(t *testing.T) {
	t.Parallel()
	root := os.Getenv("PEDIGREE_HUB_SAMPLE")
	if root == "" {
		root = hubSample
	}
	apiDir := filepath.Join(root, "api", "models")
	if _, err := os.Stat(apiDir); err != nil {
		t.Skipf("no Hub sample at %s: %v", root, err)
	}
	files, err := filepath.Glob(filepath.Join(apiDir, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cards, agree int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var api struct {
			ID       string                     `json:"id"`
			CardData map[string]json.RawMessage `json:"cardData"`
		}
		if err := json.Unmarshal(raw, &api); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		readme, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(api.ID), "resolve", "main", "README.md"))
		if os.IsNotExist(err) {
			continue // listed by the Hub but not in the sample
		} else if err != nil {
			t.Fatal(err)
		}
		cards++
		c, err := ParseCard(readme)
		if err != nil {
			if api.CardData != nil {
				t.Errorf("%s: %v (the Hub parsed this card)", api.ID, err)
			}
			continue
		}
		var diffs []string
		cmpField := func(name string, got []string, lower bool) {
			want := jsonStrings(api.CardData[name])
			if lower {
				want, got = lowerAll(want), lowerAll(got)
			}
			if strings.Join(want, "\x00") != strings.Join(got, "\x00") {
				diffs = append(diffs, name+": hub "+strings.Join(want, ",")+" ours "+strings.Join(got, ","))
			}
		}
		cmpField("license", c.License, true)
		cmpField("base_model", c.BaseModels, false)
		cmpField("datasets", c.Datasets, false)
		if len(diffs) == 0 {
			agree++
		} else {
			t.Logf("%s: %s", api.ID, strings.Join(diffs, "; "))
		}
	}
	if cards == 0 {
		t.Skip("the Hub sample holds no card")
	}
	rate := float64(agree) / float64(cards)
	t.Logf("license, base_model and datasets agree with the Hub's parse for %d of %d cards (%.2f%%)", agree, cards, 100*rate)
	if rate < 0.98 {
		t.Errorf("agreement %.2f%% is below 98%%", 100*rate)
	}
}
