package license

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	"apple-ascl", "apple-amlr", "mpl-2.0", "odc-by", "odbl", "openmdw-1.0", "openrail++", "osl-3.0", "postgresql",
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
	valid := map[Class]bool{}
	for _, c := range Classes() {
		valid[c] = true
	}
	validObligation := map[Obligation]bool{}
	for _, o := range Obligations() {
		validObligation[o] = true
	}
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
			t.Errorf("%s: class %s without ObligationShareAlike", e.ID, e.Class)
		}
		for _, o := range e.Obligations {
			if !validObligation[o] {
				t.Errorf("%s: obligation %q is not a known obligation", e.ID, o)
			}
		}
		if !slices.IsSorted(e.Obligations) || len(slices.Compact(slices.Clone(e.Obligations))) != len(e.Obligations) {
			t.Errorf("%s: obligations %v are not sorted without duplicates", e.ID, e.Obligations)
		}
		if e.Class == NonCommercial && (!e.Has(ObligationNonCommercial) || e.Has(ObligationResearchOnly)) {
			t.Errorf("%s: non_commercial class needs non_commercial and not research_only obligations, has %v", e.ID, e.Obligations)
		}
		if e.Class == ResearchOnly && (!e.Has(ObligationNonCommercial) || !e.Has(ObligationResearchOnly)) {
			t.Errorf("%s: research_only class needs non_commercial and research_only obligations, has %v", e.ID, e.Obligations)
		}
		if e.Class == Restricted && !e.UseRestrictions && !e.NoDerivatives && !e.Has(ObligationPassOn) {
			t.Errorf("%s: open_weight_restricted without terms that travel: %v", e.ID, e.Obligations)
		}
		if e.Has(ObligationUserCap) != (e.UserCap > 0 && e.UserCapUnit != "") {
			t.Errorf("%s: user_cap obligation %v but cap %d %q", e.ID, e.Has(ObligationUserCap), e.UserCap, e.UserCapUnit)
		}
		if e.NamingNotice != "" && !e.Has(ObligationNaming) {
			t.Errorf("%s: naming notice %q without the naming obligation", e.ID, e.NamingNotice)
		}
		if e.Attribution != e.Has(ObligationAttribution) || e.ShareAlike != e.Has(ObligationShareAlike) || e.NoDerivatives != e.Has(ObligationNoDerivatives) {
			t.Errorf("%s: boolean fields disagree with obligations %v", e.ID, e.Obligations)
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
		{"Apache-2.0", Info{ID: "apache-2.0", Name: "Apache License 2.0", Class: Permissive, Known: true, Obligations: []Obligation{ObligationAttribution}, Commercial: true, Attribution: true, Family: "apache", URL: "https://www.apache.org/licenses/LICENSE-2.0"}},
		{"LLAMA2", Info{ID: "llama2", Name: "Llama 2 Community License Agreement", Class: Restricted, Known: true,
			Obligations: []Obligation{ObligationAcceptableUse, ObligationAttribution, ObligationFieldOfUse, ObligationPassOn, ObligationUserCap}, UserCap: 700_000_000, UserCapUnit: MonthlyActiveUsers,
			Commercial: true, UseRestrictions: true, Attribution: true, Family: "llama", URL: "https://ai.meta.com/llama/license/"}},
		{"cc-by-nc-4.0", Info{ID: "cc-by-nc-4.0", Name: "Creative Commons Attribution Non Commercial 4.0 International", Class: NonCommercial, Known: true, Obligations: []Obligation{ObligationAttribution, ObligationNonCommercial}, Attribution: true, Family: "cc", URL: "https://spdx.org/licenses/CC-BY-NC-4.0.html"}},
		{"CC0-1.0", Info{ID: "cc0-1.0", Name: "Creative Commons Zero v1.0 Universal", Class: Permissive, Known: true, Commercial: true, Family: "cc", URL: "https://spdx.org/licenses/CC0-1.0.html"}},
		{"Zero-Clause-Whatever", Info{ID: "zero-clause-whatever", Class: Unknown}},
		{"MIT OR", Info{ID: "mit or", Class: Unknown}},
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

// wantClass is the class of every license id the package knows, and of the
// Hub's "other" and "unknown".
var wantClass = map[string]Class{
	"apache-2.0": Permissive, "mit": Permissive, "mit-0": Permissive, "0bsd": Permissive, "afl-3.0": Permissive,
	"artistic-2.0": Permissive, "bsl-1.0": Permissive, "bsd": Permissive, "bsd-2-clause": Permissive,
	"bsd-3-clause": Permissive, "bsd-3-clause-clear": Permissive, "isc": Permissive, "ncsa": Permissive,
	"postgresql": Permissive, "zlib": Permissive, "x11": Permissive, "wtfpl": Permissive, "ecl-2.0": Permissive,
	"etalab-2.0": Permissive, "lppl-1.3c": Permissive, "cc-by-1.0": Permissive, "cc-by-2.0": Permissive,
	"cc-by-2.5": Permissive, "cc-by-3.0": Permissive, "cc-by-4.0": Permissive, "cdla-permissive-1.0": Permissive,
	"cdla-permissive-2.0": Permissive, "odc-by": Permissive, "apple-ascl": Permissive, "openmdw-1.0": Permissive,
	"cc0-1.0": Permissive, "unlicense": Permissive, "pddl": Permissive, "public-domain": Permissive,

	"lgpl": WeakCopyleft, "lgpl-2.1": WeakCopyleft, "lgpl-3.0": WeakCopyleft, "lgpl-lr": WeakCopyleft,
	"mpl-2.0": WeakCopyleft, "epl-1.0": WeakCopyleft, "epl-2.0": WeakCopyleft, "ms-pl": WeakCopyleft,
	"ofl-1.1": WeakCopyleft, "cdla-sharing-1.0": WeakCopyleft, "odbl": WeakCopyleft,

	"gpl": Copyleft, "gpl-2.0": Copyleft, "gpl-3.0": Copyleft, "agpl-3.0": Copyleft, "gfdl": Copyleft,
	"eupl-1.1": Copyleft, "eupl-1.2": Copyleft, "osl-3.0": Copyleft, "cc-by-sa-3.0": Copyleft, "cc-by-sa-4.0": Copyleft,

	"llama2": Restricted, "llama3": Restricted, "llama3.1": Restricted, "llama3.2": Restricted, "llama3.3": Restricted,
	"llama4": Restricted, "gemma": Restricted, "openrail": Restricted, "openrail++": Restricted,
	"creativeml-openrail-m": Restricted, "bigscience-openrail-m": Restricted, "bigscience-bloom-rail-1.0": Restricted,
	"bigcode-openrail-m": Restricted, "tongyi-qianwen": Restricted, "qwen": Restricted, "deepseek": Restricted,
	"yi-license": Restricted, "glm-4": Restricted, "chatglm": Restricted, "cogvlm2": Restricted,
	"cogvideox-license": Restricted, "internlm": Restricted, "baichuan": Restricted, "falcon-llm-license": Restricted,
	"falcon-180b-license": Restricted, "stabilityai-ai-community": Restricted, "nvidia-open-model-license": Restricted,
	"hyperclovax": Restricted, "kanana": Restricted, "jamba-open-model-license": Restricted, "ai2-impact": Restricted,
	"c-uda": Restricted, "cc-by-nd-4.0": Restricted,

	"cc-by-nc-2.0": NonCommercial, "cc-by-nc-3.0": NonCommercial, "cc-by-nc-4.0": NonCommercial,
	"cc-by-nc-sa-2.0": NonCommercial, "cc-by-nc-sa-3.0": NonCommercial, "cc-by-nc-sa-4.0": NonCommercial,
	"cc-by-nc-nd-3.0": NonCommercial, "cc-by-nc-nd-4.0": NonCommercial, "mnpl": NonCommercial,
	"stabilityai-nc-research-community": NonCommercial, "exaone": NonCommercial,

	"deepfloyd-if-license": ResearchOnly, "fair-noncommercial-research-license": ResearchOnly, "llama1": ResearchOnly,
	"opt-175b": ResearchOnly, "h-research": ResearchOnly, "intel-research": ResearchOnly, "apple-amlr": ResearchOnly,
	"microsoft-research-license": ResearchOnly, "qwen-research": ResearchOnly, "mrl": ResearchOnly,
	"nvidia-source-code-license": ResearchOnly,

	"proprietary": Proprietary,

	"cc": Unknown, "other": Unknown, "unknown": Unknown,
}

func TestEveryIDHasItsClass(t *testing.T) {
	t.Parallel()
	for id, want := range wantClass {
		if got := Lookup(id).Class; got != want {
			t.Errorf("Lookup(%q).Class = %q, want %q", id, got, want)
		}
	}
	for _, e := range table {
		if _, ok := wantClass[e.ID]; !ok {
			t.Errorf("license %q (class %s) has no expected class in the test", e.ID, e.Class)
		}
	}
	for _, id := range hubIDs {
		if _, ok := wantClass[id]; !ok {
			t.Errorf("Hub id %q has no expected class in the test", id)
		}
	}
}

func TestLookupAliases(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"private": "proprietary", "qwen": "qwen", "Qwen-License": "qwen", "tongyi-qianwen-license": "tongyi-qianwen",
		"falcon": "falcon-llm-license", "sai-nc-community": "stabilityai-nc-research-community",
		"nvidia-license": "nvidia-source-code-license", "llama-research": "llama1", "OPT-175B": "opt-175b",
		"jamba-open-model-license": "jamba-open-model-license", "ai2-impact-license": "ai2-impact",
		"LicenseRef-openrail-plus-plus": "openrail++", "LicenseRef-llama3.1": "llama3.1",
	}
	for in, want := range tests {
		if got := Lookup(in); got.ID != want || !got.Known {
			t.Errorf("Lookup(%q) = {ID: %q, Known: %v}, want known %q", in, got.ID, got.Known, want)
		}
	}
}

func TestObligations(t *testing.T) {
	t.Parallel()
	o := func(obs ...Obligation) []Obligation { return normalizeObligations(obs) }
	tests := []struct {
		id   string
		want []Obligation
		cap  int64
	}{
		{"llama2", o(ObligationAttribution, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), 700_000_000},
		{"llama3", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), 700_000_000},
		{"llama3.1", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), 700_000_000},
		{"llama3.2", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), 700_000_000},
		{"llama3.3", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), 700_000_000},
		{"llama4", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), 700_000_000},
		{"gemma", o(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), 0},
		{"creativeml-openrail-m", o(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), 0},
		{"bigscience-bloom-rail-1.0", o(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), 0},
		{"openrail++", o(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), 0},
		{"tongyi-qianwen", o(ObligationAttribution, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), 100_000_000},
		{"qwen", o(ObligationAttribution, ObligationNaming, ObligationUserCap, ObligationPassOn), 100_000_000},
		{"qwen-research", o(ObligationAttribution, ObligationNaming, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly), 0},
		{"deepseek", o(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), 0},
		{"falcon-llm-license", o(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), 0},
		{"stabilityai-ai-community", o(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), 1_000_000},
		{"cc-by-nc-4.0", o(ObligationAttribution, ObligationNonCommercial), 0},
		{"cc-by-sa-4.0", o(ObligationAttribution, ObligationShareAlike, ObligationPassOn), 0},
		{"cc-by-nc-nd-4.0", o(ObligationAttribution, ObligationNonCommercial, ObligationNoDerivatives), 0},
		{"gpl-3.0", o(ObligationAttribution, ObligationShareAlike, ObligationPassOn), 0},
		{"agpl-3.0", o(ObligationAttribution, ObligationShareAlike, ObligationPassOn), 0},
		{"mit", o(ObligationAttribution), 0},
		{"cc0-1.0", nil, 0},
		{"unlicense", nil, 0},
		{"apple-amlr", o(ObligationAttribution, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly), 0},
	}
	for _, tc := range tests {
		info := Lookup(tc.id)
		if diff := cmp.Diff(tc.want, info.Obligations); diff != "" {
			t.Errorf("Lookup(%q).Obligations mismatch (-want +got):\n%s", tc.id, diff)
		}
		if info.UserCap != tc.cap {
			t.Errorf("Lookup(%q).UserCap = %d, want %d", tc.id, info.UserCap, tc.cap)
		}
		for _, ob := range tc.want {
			if !info.Has(ob) {
				t.Errorf("Lookup(%q).Has(%q) = false", tc.id, ob)
			}
		}
	}
	if Lookup("mit").Has(ObligationNonCommercial) {
		t.Error(`Lookup("mit").Has(non_commercial) = true`)
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	for _, o := range Obligations() {
		if d := Describe(o); !strings.HasPrefix(d, "the ") || strings.Contains(d, "_") || strings.Contains(d, `"`) {
			t.Errorf("Describe(%q) = %q, want a phrase in words", o, d)
		}
	}
	tests := []struct {
		id   string
		o    Obligation
		want string
	}{
		{"llama3.1", ObligationNaming, "the 'Built with Llama' naming duty"},
		{"llama3.1", ObligationUserCap, "the 700M monthly-active-user cap"},
		{"qwen", ObligationUserCap, "the 100M monthly-active-user cap"},
		{"baichuan", ObligationUserCap, "the 1M daily-active-user cap"},
		{"stabilityai-ai-community", ObligationUserCap, "the $1M annual-revenue cap"},
		{"stabilityai-ai-community", ObligationNaming, "the 'Powered by Stability AI' naming duty"},
		{"gemma", ObligationAcceptableUse, "the acceptable-use policy"},
		{"llama2", ObligationNaming, "the naming duty"},
	}
	for _, tc := range tests {
		if got := Lookup(tc.id).Describe(tc.o); got != tc.want {
			t.Errorf("Lookup(%q).Describe(%q) = %q, want %q", tc.id, tc.o, got, tc.want)
		}
	}
	if got := Describe("bogus"); got != `the "bogus" obligation` {
		t.Errorf("Describe(bogus) = %q", got)
	}
}

func TestClassRestrictiveness(t *testing.T) {
	t.Parallel()
	classes := Classes()
	for i, c := range classes[:len(classes)-1] {
		if c.Restrictiveness() != i {
			t.Errorf("%s.Restrictiveness() = %d, want %d", c, c.Restrictiveness(), i)
		}
	}
	if Unknown.Restrictiveness() != -1 || Class("public_domain").Restrictiveness() != -1 {
		t.Error("unknown classes must have restrictiveness -1")
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
		{name: "other qwen research", id: "other", lname: "qwen-research", wantID: "qwen-research", wantClass: ResearchOnly, wantKnown: true},
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
		{name: "cc0 link", id: "other", link: "https://creativecommons.org/publicdomain/zero/1.0/", wantID: "cc0-1.0", wantClass: Permissive, wantKnown: true, wantCommercialOK: true},
		{name: "nvidia open model", id: "other", lname: "nvidia-open-model-license", link: "https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf", wantID: "nvidia-open-model-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "nvidia open model link", id: "other", link: "https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf", wantID: "nvidia-open-model-license", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "mistral research", id: "other", lname: "mrl", link: "https://mistral.ai/licenses/MRL-0.1.md", wantID: "mrl", wantClass: ResearchOnly, wantKnown: true},
		{name: "mistral non-production link", id: "other", link: "https://mistral.ai/licences/MNPL-0.1.md", wantID: "mnpl", wantClass: NonCommercial, wantKnown: true},
		{name: "stability community", id: "other", lname: "stabilityai-ai-community", link: "LICENSE.md", wantID: "stabilityai-ai-community", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "stable video diffusion", id: "other", lname: "stable-video-diffusion-community", link: "LICENSE.md", wantID: "stabilityai-ai-community", wantClass: Restricted, wantKnown: true, wantCommercialOK: true},
		{name: "microsoft research", id: "other", lname: "microsoft-research-license", wantID: "microsoft-research-license", wantClass: ResearchOnly, wantKnown: true},
		{name: "intel research without id", lname: "intel-research-use-license", link: "LICENSE.md", wantID: "intel-research", wantClass: ResearchOnly, wantKnown: true},
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

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ancestor, derivative string
		want                 bool
		dropped              []Obligation
		wantIn               string // words the reason must contain
	}{
		// Lineages recorded in the Hub sample.
		{"llama2", "apache-2.0", true, []Obligation{ObligationAcceptableUse, ObligationFieldOfUse, ObligationPassOn, ObligationUserCap}, "the acceptable-use policy"}, // Arjs/Llama-2-7b-chatbot-finetune
		{"llama2", "mit", true, []Obligation{ObligationAcceptableUse, ObligationFieldOfUse, ObligationPassOn, ObligationUserCap}, "the 700M monthly-active-user cap"}, // zjunlp/OneGen-SelfRAG-Llama2-7B
		{"llama2", "llama3.1", true, []Obligation{ObligationFieldOfUse}, "field-of-use"},                                                                              // quarkymatter/Llama-2-7b-chat-PolicyPro
		{"gemma", "apache-2.0", true, []Obligation{ObligationAcceptableUse, ObligationPassOn}, "the acceptable-use policy"},                                           // somosnlp/gemma-7b-it-legal-refugiados-es
		{"gemma", "cc-by-nc-4.0", true, []Obligation{ObligationAcceptableUse, ObligationPassOn}, "own terms"},                                                         // OpenLLM-Ro/RoGemma-7b-Instruct
		{"cc-by-nc-4.0", "cc-by-nc-4.0", false, nil, ""},                                                                                                              // OpenLLM-Ro/RoGemma-7b-Instruct-DPO
		{"mit", "apache-2.0", false, nil, ""}, // Amu/orpo-phi2
		{"stabilityai-ai-community", "mit", true, []Obligation{ObligationAcceptableUse, ObligationNaming, ObligationPassOn, ObligationUserCap}, "Powered by Stability AI"}, // vdo/pyramid-flow-sd3
		{"stabilityai-ai-community", "proprietary", true, []Obligation{ObligationAcceptableUse, ObligationAttribution, ObligationNaming, ObligationPassOn}, "own terms"},   // Dreyyt/Analog_Madness_Realistic_model
		{"bigscience-bloom-rail-1.0", "bigscience-bloom-rail-1.0", false, nil, ""},                                                                                         // mradermacher/bloom-GGUF
		{"apache-2.0", "artistic-2.0", false, nil, ""}, // umersattar/girl

		// Llama 3 family.
		{"llama3", "llama3", false, nil, ""},
		{"llama3", "apache-2.0", true, []Obligation{ObligationAcceptableUse, ObligationFieldOfUse, ObligationNaming, ObligationPassOn, ObligationUserCap}, "the 'Built with Meta Llama 3' naming duty"},
		{"llama3.1", "apache-2.0", true, []Obligation{ObligationAcceptableUse, ObligationNaming, ObligationPassOn, ObligationUserCap}, "the 'Built with Llama' naming duty"},
		{"llama3", "llama3.1", true, []Obligation{ObligationFieldOfUse}, "field-of-use"},
		{"llama3.1", "llama3.2", false, nil, ""},
		{"llama3.1", "llama2", true, []Obligation{ObligationNaming}, "naming"},
		{"llama2", "openrail", true, []Obligation{ObligationAcceptableUse, ObligationUserCap}, "own terms"},
		{"llama2", "cc-by-nc-4.0", true, []Obligation{ObligationAcceptableUse, ObligationFieldOfUse, ObligationPassOn}, "own terms"},
		{"llama2", "cc0-1.0", true, []Obligation{ObligationAcceptableUse, ObligationAttribution, ObligationFieldOfUse, ObligationPassOn, ObligationUserCap}, "attribution"},

		// Non-commercial and research-only ancestors.
		{"cc-by-nc-4.0", "apache-2.0", true, []Obligation{ObligationNonCommercial}, "the ban on commercial use"},
		{"cc-by-nc-4.0", "cc-by-nc-sa-4.0", false, nil, ""},
		{"cc-by-nc-sa-4.0", "cc-by-nc-4.0", true, []Obligation{ObligationPassOn, ObligationShareAlike}, "share-alike"},
		{"qwen-research", "qwen", true, []Obligation{ObligationNonCommercial, ObligationResearchOnly}, "research-only"},
		{"qwen", "qwen-research", false, nil, ""},
		{"tongyi-qianwen", "qwen-research", true, []Obligation{ObligationFieldOfUse}, "field-of-use"},
		{"tongyi-qianwen", "apache-2.0", true, []Obligation{ObligationFieldOfUse, ObligationPassOn, ObligationUserCap}, "the 100M monthly-active-user cap"},
		{"apple-amlr", "cc-by-nc-4.0", true, []Obligation{ObligationPassOn, ObligationResearchOnly}, "research-only"},
		{"cc-by-nc-4.0", "apple-amlr", false, nil, ""},

		// Open RAIL and other restricted families.
		{"creativeml-openrail-m", "openrail++", false, nil, ""},
		{"creativeml-openrail-m", "openrail", false, nil, ""},
		{"bigscience-bloom-rail-1.0", "bigscience-openrail-m", false, nil, ""},
		{"creativeml-openrail-m", "llama2", true, nil, "different family"},
		{"creativeml-openrail-m", "mit", true, []Obligation{ObligationFieldOfUse, ObligationPassOn}, "field-of-use"},
		{"deepseek", "mit", true, []Obligation{ObligationFieldOfUse, ObligationPassOn}, "field-of-use"},

		// Copyleft, no-derivatives, attribution.
		{"cc-by-sa-4.0", "cc-by-4.0", true, []Obligation{ObligationPassOn, ObligationShareAlike}, "share-alike"},
		{"cc-by-sa-3.0", "cc-by-sa-4.0", false, nil, ""},
		{"cc-by-sa-4.0", "cc-by-sa-3.0", true, []Obligation{ObligationShareAlike}, "share-alike"},
		{"gpl-3.0", "mit", true, []Obligation{ObligationPassOn, ObligationShareAlike}, "the duty to pass the license on"},
		{"mit", "gpl-3.0", false, nil, ""},
		{"gpl-2.0", "gpl-3.0", false, nil, ""},
		{"gpl-3.0", "gpl-2.0", true, []Obligation{ObligationShareAlike}, "share-alike"},
		{"gpl-3.0", "agpl-3.0", false, nil, ""},
		{"lgpl-2.1", "apache-2.0", true, []Obligation{ObligationPassOn, ObligationShareAlike}, "share-alike"},
		{"mpl-2.0", "gpl-3.0", false, nil, ""},
		{"cc-by-nd-4.0", "cc-by-4.0", true, []Obligation{ObligationNoDerivatives}, "does not allow distributing derivatives"},
		{"cc-by-nc-nd-4.0", "cc-by-nc-4.0", true, []Obligation{ObligationNoDerivatives}, "derivatives"},
		{"cc-by-nc-nd-4.0", "mit", true, []Obligation{ObligationNoDerivatives, ObligationNonCommercial}, "also drops the ban on commercial use"},
		{"proprietary", "mit", true, []Obligation{ObligationNoDerivatives, ObligationNonCommercial}, "derivatives"},
		{"mit", "cc0-1.0", true, []Obligation{ObligationAttribution}, "the attribution duty"},
		{"apache-2.0", "llama2", false, nil, ""},
		{"cc0-1.0", "mit", false, nil, ""},
		{"unlicense", "proprietary", false, nil, ""},

		// Unknown on either side.
		{"mit", "other", false, nil, ""},
		{"other", "mit", false, nil, ""},
		{"cc", "mit", false, nil, ""},
		{"llama2", "unknown", false, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.ancestor+"_"+tc.derivative, func(t *testing.T) {
			t.Parallel()
			got := Check(Lookup(tc.ancestor), Lookup(tc.derivative))
			if got.Conflict != tc.want {
				t.Fatalf("Check(%s, %s) = %+v, want conflict %v", tc.ancestor, tc.derivative, got, tc.want)
			}
			if diff := cmp.Diff(tc.dropped, got.Dropped); diff != "" {
				t.Errorf("Check(%s, %s).Dropped mismatch (-want +got):\n%s", tc.ancestor, tc.derivative, diff)
			}
			ok, why := Conflict(Lookup(tc.ancestor), Lookup(tc.derivative))
			if ok != got.Conflict || why != got.Reason {
				t.Errorf("Conflict(%s, %s) = %v, %q; Check gives %v, %q", tc.ancestor, tc.derivative, ok, why, got.Conflict, got.Reason)
			}
			if !got.Conflict {
				if got.Reason != "" {
					t.Errorf("Check(%s, %s) explains %q without a conflict", tc.ancestor, tc.derivative, got.Reason)
				}
				return
			}
			for _, want := range []string{tc.ancestor, tc.derivative, tc.wantIn} {
				if !strings.Contains(got.Reason, want) {
					t.Errorf("Check(%s, %s) reason %q does not mention %q", tc.ancestor, tc.derivative, got.Reason, want)
				}
			}
			if strings.Contains(got.Reason, ". ") || strings.HasSuffix(got.Reason, ".") {
				t.Errorf("reason %q is not one sentence without a final period", got.Reason)
			}
		})
	}
}

func TestCheckFamilies(t *testing.T) {
	t.Parallel()
	// A restricted ancestor relicensed under another family's agreement that
	// happens to keep every obligation still conflicts.
	got := Check(Lookup("gemma"), Lookup("llama3.1"))
	if !got.Conflict || got.Dropped != nil || !strings.Contains(got.Reason, "different family") {
		t.Errorf("Check(gemma, llama3.1) = %+v, want a family conflict without dropped obligations", got)
	}
	got = Check(Lookup("deepseek"), Lookup("bigscience-openrail-m"))
	if !got.Conflict || !strings.Contains(got.Reason, "different family") {
		t.Errorf("Check(deepseek, bigscience-openrail-m) = %+v, want a family conflict", got)
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
		if !info.Known && info.Class != Unknown && info.Class != NonCommercial && info.Class != ResearchOnly && info.Class != Proprietary && !isExpression(id) {
			t.Fatalf("Resolve(%q, %q, %q): unknown license with class %q", id, name, link, info.Class)
		}
		if got := Normalize(Normalize(id)); got != Normalize(id) {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", id, Normalize(id), got)
		}
		r := Check(info, Lookup("apache-2.0"))
		if r.Conflict != (r.Reason != "") || !r.Conflict && len(r.Dropped) > 0 {
			t.Fatalf("Check returned %+v", r)
		}
	})
}
