package catalog_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/catalog"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources"
)

func readFile(t *testing.T, path string) []catalog.Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := catalog.ReadCycloneDX(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestReadCycloneDXMLBOM(t *testing.T) {
	entries := readFile(t, filepath.Join("testdata", "ml-bom.cdx.json"))
	type row struct{ Ref, Where, Err string }
	var got []row
	for _, e := range entries {
		r := row{Ref: e.Ref, Where: e.Where}
		if e.Err != nil {
			r.Err = e.Err.Error()
			var ee *catalog.EntryError
			if !errors.As(e.Err, &ee) || ee.File != "ml-bom.cdx.json" || ee.Where != e.Where {
				t.Errorf("%s: error %v is not an EntryError naming the file and position", e.Where, e.Err)
			}
		}
		got = append(got, r)
	}
	want := []row{
		{Ref: "pkg:huggingface/acme-ai/support-assistant-7b@3f1c2b9a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a", Where: `metadata.component (bom-ref "chat-assistant")`},
		{Ref: "pkg:huggingface/meta-llama/Llama-2-7b-chat-hf@f5db02db724555f92da89c216ac04704f23d4590", Where: `components[0] (bom-ref "llama-2-7b-chat")`},
		{Ref: "hf:datasets/OpenAssistant/oasst1", Where: `components[0].components[1] (bom-ref "oasst1")`},
		{Ref: "hf:TheBloke/Llama-2-7B-Chat-GGML@76cd63c351ae389e1d4b91cab2cf470aab11864b", Where: `components[2] (bom-ref "ggml-quant")`},
		{Ref: "hf:mistralai/Mistral-7B-v0.1@26bca36bde8333b5d7f72e9ed20ccda6a618af24", Where: `components[3] (bom-ref "mistral")`},
		{Where: `components[4] (bom-ref "in-house")`, Err: `ml-bom.cdx.json: components[4] (bom-ref "in-house"): no reference to assess; add a purl (pkg:huggingface/OWNER/NAME@REV), an externalReference to its huggingface.co page, or group and name that form its Hub id (OWNER/NAME)`},
		{Where: `components[5] (bom-ref "eval-set")`, Err: `ml-bom.cdx.json: components[5] (bom-ref "eval-set"): no reference to assess; add a purl (pkg:huggingface/OWNER/NAME@REV?repository_type=dataset), an externalReference to its huggingface.co page`},
		{Where: `components[6] (bom-ref "bad-purl")`, Err: `ml-bom.cdx.json: components[6] (bom-ref "bad-purl"): no reference to assess; add a purl (pkg:huggingface/OWNER/NAME@REV), an externalReference to its huggingface.co page, or group and name that form its Hub id (OWNER/NAME); its purl is not usable: reference "pkg:huggingface/": not a valid Package URL: purl is missing name`},
		{Where: `components[7] (bom-ref "wrong-types")`, Err: `ml-bom.cdx.json: components[7] (bom-ref "wrong-types"): malformed component: name is a JSON array`},
		{Ref: "file:///srv/models/llama-2-7b-merge", Where: `components[8] (bom-ref "on-disk")`},
		{Ref: "hf:google/gemma-7b@ff6768d9368919a1f025a54f9f5aa0ee591730bb", Where: `components[9] (bom-ref "gemma")`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	for _, e := range entries {
		if e.Ref != "" {
			if _, err := sources.ParseRef(e.Ref); err != nil {
				t.Errorf("%s: ParseRef(%q): %v", e.Where, e.Ref, err)
			}
		}
	}
	if l := entries[1].Labels; l["bom-ref"] != "llama-2-7b-chat" || l["name"] != "meta-llama/Llama-2-7b-chat-hf" || l["type"] != "machine-learning-model" {
		t.Errorf("labels = %v", l)
	}
}

func TestReadCycloneDXDocumentErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"not JSON", "{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}", "bad.json:3:3: not JSON"},
		{"empty", "", "bad.json:1: not JSON"},
		{"array", "[1, 2]", "bad.json:1:1: not a CycloneDX BOM: the document is a JSON array"},
		{"SPDX", `{"spdxVersion": "SPDX-2.3"}`, `bad.json:1: not a CycloneDX BOM: bomFormat is absent`},
		{"other format", "{\n\"specVersion\": \"1.6\",\n  \"bomFormat\": \"SPDX\"}", `bad.json:3:3: not a CycloneDX BOM: bomFormat is "\"SPDX\""`},
		{"old spec", "{\"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.3\"}", `bad.json:2:2: CycloneDX specVersion "\"1.3\"" is not supported; write the BOM as spec 1.4, 1.5 or 1.6`},
		{"spec as number", `{"bomFormat": "CycloneDX", "specVersion": 1.6}`, `CycloneDX specVersion "1.6" is not supported`},
		{"components not a list", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": 3}`, "bad.json:1:62: not a CycloneDX BOM: metadata is a JSON number"},
	} {
		_, err := catalog.ReadCycloneDX(strings.NewReader(tc.doc), "bad.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestReadCycloneDXEntryErrorsProceed(t *testing.T) {
	doc := `{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
		"not an object",
		{"type": "machine-learning-model", "bom-ref": 7},
		{"type": "data", "name": "x", "components": "nope"},
		{"type": "machine-learning-model", "purl": "pkg:huggingface/org/m"}]}`
	entries, err := catalog.ReadCycloneDX(strings.NewReader(doc), "c.json")
	if err != nil {
		t.Fatal(err)
	}
	wants := []struct{ where, err, ref string }{
		{"components[0]", "not a JSON object", ""},
		{"components[1]", "malformed component: bom-ref is a JSON number", ""},
		{"components[2]", "no reference to assess", ""},
		{"components[2].components", "not a list of components", ""},
		{"components[3]", "", "pkg:huggingface/org/m"},
	}
	if len(entries) != len(wants) {
		t.Fatalf("%d entries, want %d: %+v", len(entries), len(wants), entries)
	}
	for i, w := range wants {
		e := entries[i]
		if e.Where != w.where || e.Ref != w.ref || (w.err == "") != (e.Err == nil) || e.Err != nil && !strings.Contains(e.Err.Error(), w.err) {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
	}
}

func TestReadCycloneDXLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB and a million components")
	}
	big := io.LimitReader(spaces{}, catalog.MaxCycloneDXBytes+1)
	if _, err := catalog.ReadCycloneDX(big, "big.json"); err == nil || !strings.Contains(err.Error(), "big.json: larger than the 64 MiB limit") {
		t.Errorf("oversized BOM: %v", err)
	}
	var b strings.Builder
	b.WriteString(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`)
	for i := 0; i <= catalog.MaxCycloneDXComponents; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{}`)
	}
	b.WriteString("]}")
	if _, err := catalog.ReadCycloneDX(strings.NewReader(b.String()), "many.json"); err == nil || !strings.Contains(err.Error(), "more than 1000000 components") {
		t.Errorf("too many components: %v", err)
	}
}

// spaces is an endless stream of spaces.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func TestReadCycloneDXReadError(t *testing.T) {
	if _, err := catalog.ReadCycloneDX(failReader{}, "x.json"); err == nil || !strings.Contains(err.Error(), "x.json: read: device gone") {
		t.Errorf("read error = %v", err)
	}
}

func TestIsCycloneDX(t *testing.T) {
	for head, want := range map[string]bool{
		`{"bomFormat": "CycloneDX", "specVersion": "1.6"`:                                        true,
		"\xef\xbb\xbf\n {\n  \"bomFormat\" :\n \"CycloneDX\"":                                    true,
		`{"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat":"CycloneDX"`: true,
		`{"spdxVersion": "SPDX-2.3"}`:                                                            false,
		`hf:meta-llama/Llama-2-7b`:                                                               false,
		`["bomFormat", "CycloneDX"]`:                                                             false,
		``:                                                                                       false,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.6">`:                                      false,
	} {
		if got := catalog.IsCycloneDX([]byte(head)); got != want {
			t.Errorf("IsCycloneDX(%q) = %v, want %v", head, got, want)
		}
	}
}

var sampleReports = []string{"labess", "thebloke-ggml", "gemmalpaca", "swapped-weights", "local-merge", "local-pickle", "local-inference-code"}

func loadReports(t testing.TB, names ...string) []*risk.Report {
	t.Helper()
	var out []*risk.Report
	for _, n := range names {
		f, err := os.Open(filepath.Join("..", "risk", "report", "testdata", "reports", n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		reps, err := report.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, reps...)
	}
	return out
}

// TestReadCycloneDXRoundTrip reads back what WriteCycloneDX writes: the
// assessed subject comes first, and every model and dataset of the
// lineage has an entry whose reference is the same subject.
func TestReadCycloneDXRoundTrip(t *testing.T) {
	for _, name := range append(sampleReports, "multi") {
		t.Run(name, func(t *testing.T) {
			names := []string{name}
			if name == "multi" {
				names = sampleReports
			}
			reps := loadReports(t, names...)
			var buf bytes.Buffer
			if err := report.WriteCycloneDX(&buf, reps, report.CycloneDXOptions{}); err != nil {
				t.Fatal(err)
			}
			if !catalog.IsCycloneDX(buf.Bytes()[:min(buf.Len(), 512)]) {
				t.Error("IsCycloneDX is false for WriteCycloneDX output")
			}
			entries, err := catalog.ReadCycloneDX(&buf, name+".cdx.json")
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			var order []string
			for _, e := range entries {
				if e.Err != nil {
					t.Errorf("%s: %v", e.Where, e.Err)
					continue
				}
				s, err := sources.ParseRef(e.Ref)
				if err != nil {
					t.Errorf("%s: %v", e.Where, err)
					continue
				}
				ids[s.ID()] = true
				order = append(order, s.ID())
				if e.Labels["bom-ref"] != s.ID() {
					t.Errorf("%s: ref %s reads as %s, bom-ref label %q", e.Where, e.Ref, s.ID(), e.Labels["bom-ref"])
				}
			}
			for i, r := range reps {
				if i >= len(order) || order[i] != r.Subject.PURL {
					t.Errorf("entry %d is not the assessed subject %s", i, r.Subject.PURL)
				}
				for _, n := range r.Lineage.Nodes {
					if (n.Kind == sources.SubjectModel || n.Kind == sources.SubjectDataset) && !ids[n.ID] {
						t.Errorf("no entry for %s %s", n.Kind, n.ID)
					}
				}
			}
		})
	}
}

// FuzzReadCycloneDX checks that no input panics ReadCycloneDX and that
// every entry has a position and either a reference ParseRef accepts or an
// error.
func FuzzReadCycloneDX(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	goldens, _ := filepath.Glob(filepath.Join("..", "risk", "report", "testdata", "golden", "cyclonedx", "*.json"))
	for _, p := range append(seeds, goldens...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"data","externalReferences":[{"url":"https://huggingface.co/datasets/a/b/commit/x%zz"}]}]}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"machine-learning-model","name":"a/b","version":"` + strings.Repeat("a", 40) + `"}}}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"components":[{"components":[{"type":"machine-learning-model","purl":"pkg:pypi/x@1"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := catalog.ReadCycloneDX(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for _, e := range entries {
			if e.Where == "" {
				t.Errorf("entry without a position: %+v", e)
			}
			if (e.Ref == "") == (e.Err == nil) {
				t.Errorf("%s: want exactly one of Ref and Err: %+v", e.Where, e)
			}
			if e.Ref != "" {
				if _, err := sources.ParseRef(e.Ref); err != nil {
					t.Errorf("%s: ParseRef(%q): %v", e.Where, e.Ref, err)
				}
			}
		}
	})
}
