package license

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hubIDs are the license ids the Hugging Face Hub accepts in card metadata.
var hubIDs = []string{
	"apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m",
	"bigscience-bloom-rail-1.0", "bigcode-openrail-m", "afl-3.0", "artistic-2.0", "bsl-1.0", "bsd",
	"bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0", "cc-by-2.0",
	"cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0", "cc-by-nc-2.0",
	"cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0",
	"cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cdla-sharing-1.0",
	"cdla-permissive-1.0", "cdla-permissive-2.0", "wtfpl", "ecl-2.0", "epl-1.0", "epl-2.0",
	"etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl", "gpl", "gpl-2.0", "gpl-3.0", "lgpl",
	"lgpl-2.1", "lgpl-3.0", "isc", "h-research", "intel-research", "lppl-1.3c", "ms-pl",
	"apple-ascl", "apple-amlr", "mpl-2.0", "odc-by", "odbl", "openrail++", "osl-3.0", "postgresql",
	"ofl-1.1", "ncsa", "unlicense", "zlib", "pddl", "lgpl-lr", "deepfloyd-if-license",
	"fair-noncommercial-research-license", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3",
	"llama4", "gemma",
}

func TestTableCoversHubIDs(t *testing.T) {
	t.Parallel()
	for _, id := range hubIDs {
		info := Lookup(id)
		if !info.Known || info.ID != id {
			t.Errorf("Lookup(%q) = {ID: %q, Known: %v}, want the known id %q", id, info.ID, info.Known, id)
		}
		if info.Class != Unknown && id != "cc" && info.Name == "" {
			t.Errorf("Lookup(%q) has no name", id)
		}
	}
	for _, id := range []string{"other", "unknown"} {
		if info := Lookup(id); info.Known || info.Class != Unknown || info.ID != id {
			t.Errorf("Lookup(%q) = %+v, want an unknown license with id %q", id, info, id)
		}
	}
}

func TestTableIsConsistent(t *testing.T) {
	t.Parallel()
	if len(indexCollisions) > 0 {
		t.Errorf("aliases claimed by two licenses: %v", indexCollisions)
	}
	valid := map[Class]bool{Permissive: true, WeakCopyleft: true, Copyleft: true, Restricted: true,
		NonCommercial: true, Proprietary: true, PublicDomain: true, Unknown: true}
	seen := map[string]bool{}
	for _, e := range table {
		if e.ID != strings.ToLower(e.ID) || e.ID == "" {
			t.Errorf("id %q is not a non-empty lower-case id", e.ID)
		}
		if seen[e.ID] {
			t.Errorf("id %q appears twice", e.ID)
		}
		seen[e.ID] = true
		if !valid[e.Class] {
			t.Errorf("%s: class %q is not a known class", e.ID, e.Class)
		}
		if e.Family == "" {
			t.Errorf("%s: no family", e.ID)
		}
		if e.Class == NonCommercial && e.Commercial || e.Class == Permissive && !e.Commercial {
			t.Errorf("%s: class %s contradicts Commercial %v", e.ID, e.Class, e.Commercial)
		}
		if (e.Class == Copyleft || e.Class == WeakCopyleft) && !e.ShareAlike {
			t.Errorf("%s: class %s without ShareAlike", e.ID, e.Class)
		}
		if e.URL != "" && !strings.HasPrefix(e.URL, "https://") {
			t.Errorf("%s: URL %q is not https", e.ID, e.URL)
		}
		if got := Normalize(e.ID); got != e.ID {
			t.Errorf("Normalize(%q) = %q, want it unchanged", e.ID, got)
		}
	}
	for from, tos := range compatible {
		for _, id := range append([]string{from}, tos...) {
			if !Lookup(id).Known {
				t.Errorf("compatible[%q] names unknown license %q", from, id)
			}
		}
	}
	for _, row := range linkTable {
		if !Lookup(row.id).Known {
			t.Errorf("link table maps %v to unknown license %q", row.fragments, row.id)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Apache-2.0", "apache-2.0"},
		{" APACHE_2.0 ", "apache-2.0"},
		{"MIT", "mit"},
		{"GPL-3.0-only", "gpl-3.0"},
		{"GPL-3.0-or-later", "gpl-3.0"},
		{"GPL-2.0+", "gpl-2.0"},
		{"LGPL-2.1-or-later", "lgpl-2.1"},
		{"CC-BY-NC-4.0", "cc-by-nc-4.0"},
		{"CC0-1.0", "cc0-1.0"},
		{"ODbL-1.0", "odbl"},
		{"LicenseRef-llama2", "llama2"},
		{"llama-3", "llama3"},
		{"Llama 3.1", "llama3.1"},
		{"llama3_2", "llama3.2"},
		{"openrail++", "openrail++"},
		{"OpenRAIL++-M", "openrail++"},
		{"openrail", "openrail"},
		{"Tongyi-Qianwen", "tongyi-qianwen"},
		{"Some-Custom-License", "some-custom-license"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want Info
	}{
		{"Apache-2.0", Info{ID: "apache-2.0", Name: "Apache License 2.0", Class: Permissive, Known: true, Commercial: true, Attribution: true, Family: "apache", URL: "https://www.apache.org/licenses/LICENSE-2.0"}},
		{"LLAMA2", Info{ID: "llama2", Name: "Llama 2 Community License Agreement", Class: Restricted, Known: true, Commercial: true, UseRestrictions: true, Attribution: true, ShareAlike: true, Family: "llama", URL: "https://ai.meta.com/llama/license/"}},
		{"cc-by-nc-4.0", Info{ID: "cc-by-nc-4.0", Name: "Creative Commons Attribution Non Commercial 4.0 International", Class: NonCommercial, Known: true, Attribution: true, Family: "cc", URL: "https://spdx.org/licenses/CC-BY-NC-4.0.html"}},
		{"Zero-Clause-Whatever", Info{ID: "zero-clause-whatever", Class: Unknown}},
		{"", Info{Class: Unknown}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Lookup(tc.id)); diff != "" {
				t.Errorf("Lookup(%q) mismatch (-want +got):\n%s", tc.id, diff)
			}
		})
	}
}

func TestLookupClasses(t *testing.T) {
	t.Parallel()
	tests := map[string]Class{
		"mit": Permissive, "bsd-3-clause": Permissive, "cc-by-4.0": Permissive,
		"lgpl-3.0": WeakCopyleft, "mpl-2.0": WeakCopyleft, "odbl": WeakCopyleft,
		"gpl-3.0": Copyleft, "agpl-3.0": Copyleft, "cc-by-sa-4.0": Copyleft,
		"llama3.1": Restricted, "gemma": Restricted, "creativeml-openrail-m": Restricted,
		"tongyi-qianwen": Restricted, "deepseek": Restricted, "cc-by-nd-4.0": Restricted,
		"cc-by-nc-sa-4.0": NonCommercial, "qwen-research": NonCommercial, "mnpl": NonCommercial,
		"deepfloyd-if-license": NonCommercial, "apple-amlr": NonCommercial,
		"cc0-1.0": PublicDomain, "unlicense": PublicDomain, "pddl": PublicDomain,
		"private": Proprietary, "cc": Unknown, "other": Unknown,
	}
	for id, want := range tests {
		if got := Lookup(id).Class; got != want {
			t.Errorf("Lookup(%q).Class = %q, want %q", id, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		id, lname, link  string
		wantID           string
		wantClass        Class
		wantKnown        bool
		wantName         string // checked when not empty
		wantCommercialOK bool
	}{
		{name: "known id", id: "apache-2.0", wantID: "apache-2.0", wantClass: Permissive, wantKnown: true, wantCommercialOK: true},
		{name: "known id wins over name", id: "mit", lname: "llama2", wantID: "mit", wantClass: Permissive, wantKnown: true, wantCommercialOK: true},
		{name: "spdx id", id: "Apache-2.0", wantID: "apache-2.0", wantClass: Permissive, wantKnown: true, wantCommercialOK: true},
		{name: "other tongyi", id: "other", lname: "tongyi-qianwen", link: "https://huggingface.co/Qwen/Qwen1.5-7B/blob/main/LICENSE", wantID: "tongyi-qianwen", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "other qwen research", id: "other", lname: "qwen-research", wantID: "qwen-research", wantClass: NonCommercial, wantKnown: true},
		{name: "other deepseek", id: "other", lname: "deepseek", wantID: "deepseek", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "other deepseek license", id: "other", lname: "deepseek-license", wantID: "deepseek", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "llama3 title", id: "other", lname: "META LLAMA 3 COMMUNITY LICENSE AGREEMENT", wantID: "llama3", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "llama3.1 spelled", id: "other", lname: "llama-3.1-community-license", wantID: "llama3.1", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "llama3 link only", id: "other", link: "https://llama.meta.com/llama3/license/", wantID: "llama3", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "llama3.1 github link", id: "other", link: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE", wantID: "llama3.1", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "gemma terms", id: "other", lname: "gemma-terms-of-use", link: "https://ai.google.dev/gemma/terms", wantID: "gemma", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "gemma link", id: "other", link: "https://ai.google.dev/gemma/terms", wantID: "gemma", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "choosealicense gemma", id: "", link: "https://choosealicense.com/licenses/gemma/", wantID: "gemma", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "choosealicense apache", id: "other", link: "https://choosealicense.com/licenses/apache-2.0/", wantID: "apache-2.0", wantClass: Permissive, wantKnown: true, wantCommercialOK: true},
		{name: "creative commons link", id: "other", link: "https://creativecommons.org/licenses/by-nc-sa/4.0/", wantID: "cc-by-nc-sa-4.0", wantClass: NonCommercial, wantKnown: true},
		{name: "cc0 link", id: "other", link: "https://creativecommons.org/publicdomain/zero/1.0/", wantID: "cc0-1.0", wantClass: PublicDomain, wantKnown: true, wantCommercialOK: true},
		{name: "nvidia open model", id: "other", lname: "nvidia-open-model-license", link: "https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf", wantID: "nvidia-open-model-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "nvidia open model link", id: "other", link: "https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf", wantID: "nvidia-open-model-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "mistral research", id: "other", lname: "mrl", link: "https://mistral.ai/licenses/MRL-0.1.md", wantID: "mrl", wantClass: NonCommercial, wantKnown: true},
		{name: "mistral non-production link", id: "other", link: "https://mistral.ai/licences/MNPL-0.1.md", wantID: "mnpl", wantClass: NonCommercial, wantKnown: true},
		{name: "stability community", id: "other", lname: "stabilityai-ai-community", link: "LICENSE.md", wantID: "stabilityai-ai-community", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "stable video diffusion", id: "other", lname: "stable-video-diffusion-community", link: "LICENSE.md", wantID: "stabilityai-ai-community", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "microsoft research", id: "other", lname: "microsoft-research-license", wantID: "microsoft-research-license", wantClass: NonCommercial, wantKnown: true},
		{name: "intel research without id", lname: "intel-research-use-license", link: "LICENSE.md", wantID: "intel-research", wantClass: NonCommercial, wantKnown: true},
		{name: "cogvideox link", id: "other", link: "https://huggingface.co/THUDM/CogVideoX-5b/blob/main/LICENSE", wantID: "cogvideox-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "cogvideox name", lname: "cogvideox-license", wantID: "cogvideox-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "falcon", id: "other", lname: "falcon-llm-license", link: "https://falconllm.tii.ae/falcon-terms-and-conditions.html", wantID: "falcon-llm-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "yi", id: "other", lname: "yi-license", wantID: "yi-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "glm-4", id: "other", lname: "glm-4", wantID: "glm-4", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "deepseek model license link", id: "other", link: "https://github.com/deepseek-ai/DeepSeek-V2/blob/main/LICENSE-MODEL", wantID: "deepseek", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "deepseek code license link is not the model license", id: "other", link: "https://github.com/deepseek-ai/DeepSeek-R1/blob/main/LICENSE", wantID: "other", wantClass: Unknown, wantName: "https://github.com/deepseek-ai/DeepSeek-R1/blob/main/LICENSE"},
		{name: "private", id: "other", lname: "private", link: "LICENSE", wantID: "proprietary", wantClass: Proprietary, wantKnown: true},
		{name: "custom non-commercial", id: "other", lname: "non-commercial-license-dyna1", link: "https://github.com/WaymentSteeleLab/Dyna-1/blob/main/LICENSE.txt", wantID: "other", wantClass: NonCommercial, wantName: "non-commercial-license-dyna1"},
		{name: "other with nothing", id: "other", wantID: "other", wantClass: Unknown},
		{name: "other with unrecognised name", id: "other", lname: "acme-model-license", link: "LICENSE", wantID: "other", wantClass: Unknown, wantName: "acme-model-license"},
		{name: "unknown", id: "unknown", wantID: "unknown", wantClass: Unknown},
		{name: "nothing declared", wantID: "", wantClass: Unknown},
		{name: "generic link path", id: "other", link: "LICENSE", wantID: "other", wantClass: Unknown, wantName: "LICENSE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Resolve(tc.id, tc.lname, tc.link)
			if got.ID != tc.wantID || got.Class != tc.wantClass || got.Known != tc.wantKnown || got.Commercial != tc.wantCommercialOK {
				t.Errorf("Resolve(%q, %q, %q) = {ID: %q, Class: %q, Known: %v, Commercial: %v}, want {%q, %q, %v, %v}",
					tc.id, tc.lname, tc.link, got.ID, got.Class, got.Known, got.Commercial, tc.wantID, tc.wantClass, tc.wantKnown, tc.wantCommercialOK)
			}
			if tc.wantName != "" && got.Name != tc.wantName {
				t.Errorf("Resolve(%q, %q, %q).Name = %q, want %q", tc.id, tc.lname, tc.link, got.Name, tc.wantName)
			}
		})
	}
}

func TestConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ancestor, derivative string
		want                 bool
		wantIn               string // a word the explanation must contain
	}{
		{"llama2", "apache-2.0", true, "use restrictions"},
		{"gemma", "mit", true, "use restrictions"},
		{"cc-by-nc-4.0", "apache-2.0", true, "commercial"},
		{"apache-2.0", "mit", false, ""},
		{"llama2", "llama2", false, ""},
		{"gpl-3.0", "mit", true, "share-alike"},
		{"mit", "gpl-3.0", false, ""},
		{"llama2", "llama3", true, "own terms"},
		{"llama3", "llama3.1", true, "own terms"},
		{"llama3.1", "llama2", true, "own terms"},
		{"llama2", "openrail", true, "different family"},
		{"llama2", "cc-by-nc-4.0", true, "use restrictions"},
		{"llama2", "cc0-1.0", true, "use restrictions"},
		{"creativeml-openrail-m", "openrail++", false, ""},
		{"creativeml-openrail-m", "openrail", false, ""},
		{"bigscience-bloom-rail-1.0", "bigscience-openrail-m", false, ""},
		{"creativeml-openrail-m", "llama2", true, "different family"},
		{"creativeml-openrail-m", "mit", true, "use restrictions"},
		{"tongyi-qianwen", "qwen-research", false, ""},
		{"qwen-research", "tongyi-qianwen", true, "commercial"},
		{"tongyi-qianwen", "apache-2.0", true, "use restrictions"},
		{"deepseek", "mit", true, "use restrictions"},
		{"cc-by-nc-4.0", "cc-by-nc-sa-4.0", false, ""},
		{"cc-by-nc-sa-4.0", "cc-by-nc-4.0", true, "share-alike"},
		{"cc-by-sa-4.0", "cc-by-4.0", true, "share-alike"},
		{"cc-by-sa-3.0", "cc-by-sa-4.0", false, ""},
		{"cc-by-sa-4.0", "cc-by-sa-3.0", true, "own terms"},
		{"cc-by-nd-4.0", "cc-by-4.0", true, "derivatives"},
		{"cc-by-nc-nd-4.0", "cc-by-nc-4.0", true, "derivatives"},
		{"gpl-2.0", "gpl-3.0", false, ""},
		{"gpl-3.0", "gpl-2.0", true, "own terms"},
		{"gpl-3.0", "agpl-3.0", false, ""},
		{"lgpl-2.1", "apache-2.0", true, "share-alike"},
		{"mpl-2.0", "gpl-3.0", false, ""},
		{"mit", "cc0-1.0", true, "attribution"},
		{"apache-2.0", "llama2", false, ""},
		{"cc0-1.0", "mit", false, ""},
		{"proprietary", "mit", true, "derivatives"},
		{"mit", "other", false, ""},
		{"other", "mit", false, ""},
		{"cc", "mit", false, ""},
		{"llama2", "unknown", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.ancestor+"_"+tc.derivative, func(t *testing.T) {
			t.Parallel()
			got, why := Conflict(Lookup(tc.ancestor), Lookup(tc.derivative))
			if got != tc.want {
				t.Fatalf("Conflict(%s, %s) = %v (%q), want %v", tc.ancestor, tc.derivative, got, why, tc.want)
			}
			if !got {
				if why != "" {
					t.Errorf("Conflict(%s, %s) explains %q without a conflict", tc.ancestor, tc.derivative, why)
				}
				return
			}
			for _, want := range []string{tc.ancestor, tc.derivative, tc.wantIn} {
				if !strings.Contains(why, want) {
					t.Errorf("Conflict(%s, %s) explanation %q does not mention %q", tc.ancestor, tc.derivative, why, want)
				}
			}
			if strings.Count(why, ". ") > 0 || strings.HasSuffix(why, ".") {
				t.Errorf("explanation %q is not one sentence without a final period", why)
			}
		})
	}
}

func TestConflictInferredClass(t *testing.T) {
	t.Parallel()
	custom := Resolve("other", "non-commercial-license-dyna1", "")
	if got, why := Conflict(custom, Lookup("apache-2.0")); !got {
		t.Errorf("a custom non-commercial ancestor and an apache-2.0 derivative: no conflict, want one")
	} else if !strings.Contains(why, "other") {
		t.Errorf("explanation %q does not name the ancestor", why)
	}
}

// TestHubSample resolves every license declaration in the recorded Hub
// sample and reports how many stay unrecognised. Only "other" or "unknown"
// with neither name nor link may stay unknown.
func TestHubSample(t *testing.T) {
	t.Parallel()
	root := "/work/shared/hub-sample/api/models"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("hub sample not available: %v", err)
	}
	type decl struct{ id, name, link string }
	counts := map[decl]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m struct {
			CardData struct {
				License     any    `json:"license"`
				LicenseName string `json:"license_name"`
				LicenseLink string `json:"license_link"`
			} `json:"cardData"`
		}
		if json.Unmarshal(b, &m) != nil {
			return nil
		}
		var ids []string
		switch v := m.CardData.License.(type) {
		case string:
			ids = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					ids = append(ids, s)
				}
			}
		}
		if len(ids) == 0 && m.CardData.LicenseName == "" && m.CardData.LicenseLink == "" {
			return nil
		}
		if len(ids) == 0 {
			ids = []string{""}
		}
		for _, id := range ids {
			counts[decl{id, m.CardData.LicenseName, m.CardData.LicenseLink}]++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	if len(counts) == 0 {
		t.Skip("hub sample holds no license declarations")
	}
	var total, unknown int
	var unknownDecls []string
	for d, n := range counts {
		total += n
		info := Resolve(d.id, d.name, d.link)
		if info.Class == Unknown {
			unknown += n
			unknownDecls = append(unknownDecls, d.id+"|"+d.name+"|"+d.link)
			if d.name != "" || d.link != "" || (d.id != "other" && d.id != "unknown") {
				t.Errorf("Resolve(%q, %q, %q) stays unknown", d.id, d.name, d.link)
			}
		}
	}
	sort.Strings(unknownDecls)
	t.Logf("hub sample: %d license declarations, %d unknown: %v", total, unknown, unknownDecls)
}

func FuzzResolve(f *testing.F) {
	for _, s := range [][3]string{
		{"other", "tongyi-qianwen", "https://huggingface.co/Qwen/Qwen1.5-7B/blob/main/LICENSE"},
		{"other", "META LLAMA 3 COMMUNITY LICENSE AGREEMENT", ""},
		{"", "", "https://choosealicense.com/licenses/gemma/"},
		{"GPL-3.0-or-later", "", ""},
		{"other", "non-commercial-license-dyna1", "https://creativecommons.org/licenses/by-nc/4.0/"},
		{"openrail++", "", "://"},
		{"licenseref-+", "the-meta-license", "x:///?#"},
		{"", "\xff\xfe", "https://"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, id, name, link string) {
		info := Resolve(id, name, link)
		if info.Known && info.Class == "" {
			t.Fatalf("Resolve(%q, %q, %q): known license without a class", id, name, link)
		}
		if info.Known && Lookup(info.ID).ID != info.ID {
			t.Fatalf("Resolve(%q, %q, %q) = %q, which Lookup does not return unchanged", id, name, link, info.ID)
		}
		if !info.Known && info.Class != Unknown && info.Class != NonCommercial && info.Class != Proprietary {
			t.Fatalf("Resolve(%q, %q, %q): unknown license with class %q", id, name, link, info.Class)
		}
		if got := Normalize(Normalize(id)); got != Normalize(id) {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", id, Normalize(id), got)
		}
		ok, why := Conflict(info, Lookup("apache-2.0"))
		if ok != (why != "") {
			t.Fatalf("Conflict returned %v with explanation %q", ok, why)
		}
	})
}
