package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// cdxSchemaFiles maps the $id of each schema of testdata/schema/cyclonedx
// to its file.
var cdxSchemaFiles = map[string]string{
	"http://cyclonedx.org/schema/bom-1.6.schema.json":  "bom-1.6.schema.json",
	"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
	"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
}

// cdxSchema compiles the CycloneDX 1.6 JSON schema from testdata, offline,
// asserting formats.
func cdxSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for id, file := range cdxSchemaFiles {
		f, err := os.Open(filepath.Join("testdata", "schema", "cyclonedx", file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validateCDX checks that b is a CycloneDX 1.6 JSON document the schema
// accepts, and that its bom-refs are unique.
func validateCDX(t *testing.T, s *jsonschema.Schema, name string, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s: not valid CycloneDX 1.6: %v", name, err)
	}
	refs := map[string]int{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["bom-ref"].(string); ok {
				refs[r]++
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(inst)
	for r, n := range refs {
		if n > 1 {
			t.Errorf("%s: bom-ref %q appears %d times", name, r, n)
		}
	}
}

func writeCDX(t *testing.T, reps ...*risk.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, reps, CycloneDXOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeCDX(t *testing.T, b []byte) *cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(b), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	return &bom
}

// cdxMultiReports are the reports of the multi-report golden: two local
// lineages that share an ancestor, and a Hub lineage.
var cdxMultiReports = []string{"local-merge", "local-inference-code", "labess"}

func TestCycloneDXGolden(t *testing.T) {
	s := cdxSchema(t)
	for _, name := range sampleReports {
		t.Run(name, func(t *testing.T) {
			r := loadReport(t, name)
			got := writeCDX(t, r)
			checkGolden(t, "cyclonedx/"+name+".cdx.json", got)
			validateCDX(t, s, name, got)
			if again := writeCDX(t, r); !bytes.Equal(got, again) {
				t.Error("two renderings of the same report differ")
			}
		})
	}
	t.Run("multi", func(t *testing.T) {
		var reps []*risk.Report
		for _, n := range cdxMultiReports {
			reps = append(reps, loadReport(t, n))
		}
		got := writeCDX(t, reps...)
		checkGolden(t, "cyclonedx/multi.cdx.json", got)
		validateCDX(t, s, "multi", got)
	})
}

// TestCycloneDXGoldenFilesValid validates the golden files as stored, so a
// hand-edited golden cannot drift from the schema.
func TestCycloneDXGoldenFilesValid(t *testing.T) {
	s := cdxSchema(t)
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "cyclonedx", "*.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sampleReports) + 1; len(files) != want {
		t.Fatalf("%d CycloneDX goldens, want %d", len(files), want)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		validateCDX(t, s, f, b)
	}
}

func findComponent(bom *cdx.BOM, ref string) *cdx.Component {
	if m := bom.Metadata; m != nil && m.Component != nil && m.Component.BOMRef == ref {
		return m.Component
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			if (*bom.Components)[i].BOMRef == ref {
				return &(*bom.Components)[i]
			}
		}
	}
	return nil
}

func props(c *cdx.Component, name string) []string {
	var out []string
	if c == nil || c.Properties == nil {
		return nil
	}
	for _, p := range *c.Properties {
		if p.Name == name {
			out = append(out, p.Value)
		}
	}
	return out
}

func TestCycloneDXLineage(t *testing.T) {
	r := loadReport(t, "labess")
	bom := decodeCDX(t, writeCDX(t, r))
	root := bom.Metadata.Component
	if root == nil || root.BOMRef != r.Subject.PURL || root.Type != cdx.ComponentTypeMachineLearningModel {
		t.Fatalf("metadata.component = %+v, want the assessed model %s", root, r.Subject.PURL)
	}
	if root.PackageURL != r.Subject.PURL || root.Group != "linagora" || root.Name != "Labess-7b-chat" || root.Version != r.Subject.Revision {
		t.Errorf("root identity = %q %q %q %q", root.PackageURL, root.Group, root.Name, root.Version)
	}
	if bom.Metadata.Timestamp != r.GeneratedAt.UTC().Format(time.RFC3339) {
		t.Errorf("timestamp = %q, want %s", bom.Metadata.Timestamp, r.GeneratedAt)
	}
	tools := *bom.Metadata.Tools.Components
	if len(tools) != 1 || tools[0].Name != "pedigree" || tools[0].Version != r.Tool.Version {
		t.Errorf("tools = %+v", tools)
	}
	if got := props(root, "pedigree:score"); !slices.Equal(got, []string{"90.03"}) {
		t.Errorf("pedigree:score = %v", got)
	}
	if got := props(root, "pedigree:level"); !slices.Equal(got, []string{"critical"}) {
		t.Errorf("pedigree:level = %v", got)
	}
	// the chain Labess -> jais-adapted-7b-chat (adapter) -> jais-adapted-7b
	// (finetune) -> Llama-2-7b (finetune), nested in pedigree.ancestors
	want := []struct{ ref, rel string }{
		{"pkg:huggingface/inceptionai/jais-adapted-7b-chat@f2de64b06baedc5546928fbdea10fca517f7cbc7", "adapter"},
		{"pkg:huggingface/inceptionai/jais-adapted-7b@545d2e7ac149055348cc083bf67af1955b216262", "finetune"},
		{"pkg:huggingface/meta-llama/Llama-2-7b@69656aac4cb47911a639f5890ff35b41ceb82e98", "finetune"},
	}
	cur := root
	for _, w := range want {
		if cur.Pedigree == nil || cur.Pedigree.Ancestors == nil || len(*cur.Pedigree.Ancestors) != 1 {
			t.Fatalf("%s: pedigree.ancestors = %+v, want %s", cur.Name, cur.Pedigree, w.ref)
		}
		a := &(*cur.Pedigree.Ancestors)[0]
		if a.PackageURL != w.ref || a.BOMRef != "" || !slices.Equal(props(a, "pedigree:bom-ref"), []string{w.ref}) || !slices.Equal(props(a, "pedigree:relation"), []string{w.rel}) {
			t.Errorf("ancestor of %s = %+v, want %s (%s)", cur.Name, a, w.ref, w.rel)
		}
		top := findComponent(bom, w.ref)
		if top == nil {
			t.Fatalf("no top-level component %s", w.ref)
		}
		if !slices.Contains(props(top, "pedigree:relation"), w.rel) {
			t.Errorf("%s: relation properties %v lack %s", w.ref, props(top, "pedigree:relation"), w.rel)
		}
		cur = a
	}
	g42 := findComponent(bom, want[0].ref)
	if g42.Supplier == nil || g42.Supplier.Name != "G42" || g42.Supplier.Address == nil || g42.Supplier.Address.Country != "AE" ||
		!slices.Equal(props(g42, "pedigree:publisher:country"), []string{"AE"}) {
		t.Errorf("jais supplier = %+v", g42.Supplier)
	}
	// every derivative carries its own ancestors too
	if g42.Pedigree == nil || len(*g42.Pedigree.Ancestors) != 1 || (*g42.Pedigree.Ancestors)[0].PackageURL != want[1].ref {
		t.Errorf("jais-adapted-7b-chat pedigree = %+v", g42.Pedigree)
	}
	llama := findComponent(bom, want[2].ref)
	lic := (*llama.Licenses)[0].License
	if lic == nil || lic.ID != "" || lic.Name != "Llama 2 Community License Agreement" || (*lic.Properties)[0] != (cdx.Property{Name: "pedigree:license:class", Value: "open_weight_restricted"}) {
		t.Errorf("Llama 2 license = %+v", lic)
	}
	if lic := (*root.Licenses)[0].License; lic == nil || lic.ID != "Apache-2.0" {
		t.Errorf("Labess license = %+v, want SPDX Apache-2.0", lic)
	}
	ds := "pkg:huggingface/linagora/Tunisian_Derja_Dataset?repository_type=dataset"
	if c := findComponent(bom, ds); c == nil || c.Type != cdx.ComponentTypeData || !slices.Equal(props(c, "pedigree:relation"), []string{"trained_on"}) {
		t.Errorf("dataset component = %+v", c)
	}
	mp := root.ModelCard.ModelParameters
	if mp.Datasets == nil || len(*mp.Datasets) != 1 || (*mp.Datasets)[0].Ref != ds {
		t.Errorf("modelCard datasets = %+v", mp.Datasets)
	}
	var fails int
	for _, p := range *root.Properties {
		if rule, ok := strings.CutPrefix(p.Name, "pedigree:finding:"); ok {
			parts := strings.SplitN(p.Value, "/", 4)
			if len(parts) != 4 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "f-") || parts[3] == "" || rule == "" {
				t.Errorf("finding property %s = %q, want outcome/severity/id/message", p.Name, p.Value)
			}
			if parts[0] == "fail" {
				fails++
			}
		}
	}
	if fails == 0 {
		t.Error("no failing finding on the assessed model")
	}
}

func TestCycloneDXVulnerabilitiesAndDependencies(t *testing.T) {
	bom := decodeCDX(t, writeCDX(t, loadReport(t, "local-inference-code")))
	root := "file:///work/main/testdata/models/inference-code"
	if bom.Dependencies == nil || len(*bom.Dependencies) != 1 {
		t.Fatalf("dependencies = %+v", bom.Dependencies)
	}
	d := (*bom.Dependencies)[0]
	if d.Ref != root || !slices.Equal(*d.Dependencies, []string{"pkg:pypi/jinja2@2.10", "pkg:pypi/numpy@1.26.4", "pkg:pypi/requests@2.19.0"}) {
		t.Errorf("dependency = %+v %v", d, *d.Dependencies)
	}
	if c := findComponent(bom, "pkg:pypi/requests@2.19.0"); c == nil || c.Type != cdx.ComponentTypeLibrary || c.Name != "requests" || c.Version != "2.19.0" {
		t.Errorf("requests component = %+v", c)
	}
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) != 1 {
		t.Fatalf("vulnerabilities = %+v", bom.Vulnerabilities)
	}
	v := (*bom.Vulnerabilities)[0]
	if v.ID != "GHSA-x84v-xcm2-53pg" || v.Source.Name != "OSV" || (*v.Affects)[0].Ref != "pkg:pypi/requests@2.19.0" {
		t.Errorf("vulnerability = %+v", v)
	}
	rt := (*v.Ratings)[0]
	if rt.Severity != cdx.SeverityHigh || rt.Score == nil || *rt.Score != 7.5 || rt.Method != cdx.ScoringMethodCVSSv31 || !strings.HasPrefix(rt.Vector, "CVSS:3.1/") {
		t.Errorf("rating = %+v", rt)
	}
	if !strings.Contains(v.Recommendation, "2.20.0") || (*v.References)[0].ID != "CVE-2018-18074" {
		t.Errorf("recommendation %q, references %+v", v.Recommendation, v.References)
	}
}

func TestCycloneDXFileHashes(t *testing.T) {
	bom := decodeCDX(t, writeCDX(t, loadReport(t, "local-merge")))
	base := findComponent(bom, "file:///work/main/testdata/models/llama-2-7b-base")
	if base == nil || base.Components == nil {
		t.Fatalf("llama-2-7b-base = %+v", base)
	}
	var got *cdx.Component
	for i := range *base.Components {
		if (*base.Components)[i].Name == "model.safetensors" {
			got = &(*base.Components)[i]
		}
	}
	// the whole file's digest (sha256sum testdata/models/llama-2-7b-base/model.safetensors),
	// not the digest of the 96 header bytes the artifact inspector read
	want := "00fa7c413f2c7d42f37984d3509988451d0ae8e6bcc26741c2d71749da1942a2"
	if got == nil || got.Type != cdx.ComponentTypeFile || got.Hashes == nil || (*got.Hashes)[0] != (cdx.Hash{Algorithm: cdx.HashAlgoSHA256, Value: want}) {
		t.Fatalf("model.safetensors = %+v", got)
	}
	if !slices.Equal(props(got, "pedigree:artifact"), []string{"clean"}) {
		t.Errorf("artifact verdict = %v", props(got, "pedigree:artifact"))
	}
	// a merge: both parents are ancestors, and the shared base is expanded once
	merge := bom.Metadata.Component
	anc := *merge.Pedigree.Ancestors
	if len(anc) != 2 || props(&anc[0], "pedigree:relation")[0] != "merge" || props(&anc[1], "pedigree:relation")[0] != "merge" {
		t.Fatalf("merge ancestors = %+v", anc)
	}
	for _, a := range anc {
		if a.Pedigree == nil || len(*a.Pedigree.Ancestors) != 1 || props(&(*a.Pedigree.Ancestors)[0], "pedigree:bom-ref")[0] != base.BOMRef {
			t.Errorf("parent %s: pedigree %+v, want the shared base", a.Name, a.Pedigree)
		}
	}

	hub := decodeCDX(t, writeCDX(t, loadReport(t, "swapped-weights")))
	var lfs string
	for _, f := range *hub.Metadata.Component.Components {
		if f.Name == "model.safetensors" && f.Hashes != nil {
			lfs = (*f.Hashes)[0].Value
		}
	}
	if lfs != "45d7f3aa114248e7ba8e996d897f38fd669e6f98fd032c46ff691fef7b759105" {
		t.Errorf("Hub LFS sha256 = %q", lfs)
	}
}

func TestFileSHA256(t *testing.T) {
	ev := func(value, source, loc, digest string, attrs ...string) sources.Evidence {
		return sources.NewEvidence("s", sources.KindFile, value, sources.Attrs(attrs...), sources.Origin{Source: source, Locator: loc, Digest: digest})
	}
	h := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name string
		e    sources.Evidence
		want string
	}{
		{"lfs", ev("w.bin", "huggingface", "https://huggingface.co/api/models/a/b/tree/x", "sha256:"+strings.Repeat("00", 32), "lfs_sha256", h), h},
		{"small file read whole", ev("m.safetensors", "local", "/m/m.safetensors", "sha256:"+h, "size", "112", "format", "safetensors"), h},
		{"large weights: header only", ev("m.safetensors", "local", "/m/m.safetensors", "sha256:"+h, "size", "5000", "format", "safetensors", "role", "weights"), ""},
		{"zip reads its directory", ev("p.bin", "local", "/m/p.bin", "sha256:"+h, "size", "643", "format", "pickle_zip"), ""},
		{"local text read whole", ev("README.md", "local", "/m/README.md", "sha256:"+h, "size", "20090", "format", "markdown", "role", "card"), h},
		{"cache text: header only", ev("README.md", "huggingface", "/c/README.md", "sha256:"+h, "size", "20090", "format", "markdown"), ""},
		{"digest of an API listing", ev("x.md", "huggingface", "https://huggingface.co/api/models/a/b", "sha256:"+h, "size", "10"), ""},
		{"no size", ev("x.md", "local", "/m/x.md", "sha256:"+h), ""},
		{"bad digest", ev("x.md", "local", "/m/x.md", "sha256:zz", "size", "1"), ""},
	} {
		if got := fileSHA256(tc.e); got != tc.want {
			t.Errorf("%s: fileSHA256 = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCycloneDXMulti(t *testing.T) {
	var reps []*risk.Report
	for _, n := range cdxMultiReports {
		reps = append(reps, loadReport(t, n))
	}
	bom := decodeCDX(t, writeCDX(t, reps...))
	if bom.Metadata.Component != nil {
		t.Errorf("metadata.component = %+v, want none with several reports", bom.Metadata.Component)
	}
	comps := *bom.Components
	for i, r := range reps {
		if comps[i].BOMRef != r.Subject.PURL || len(props(&comps[i], "pedigree:score")) != 1 {
			t.Errorf("component %d = %s, want the assessed subject %s with its score", i, comps[i].BOMRef, r.Subject.PURL)
		}
	}
	n := 0
	for _, c := range comps {
		if c.BOMRef == "file:///work/main/testdata/models/llama-2-7b-base" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the shared base appears %d times, want once", n)
	}
	one := decodeCDX(t, writeCDX(t, reps[0]))
	if one.SerialNumber == bom.SerialNumber {
		t.Error("different report sets share a serial number")
	}
}

// cdxHostileReport is a report whose every string an attacker could choose is
// hostile: quotes, markup, newlines, control characters, unicode, huge.
func cdxHostileReport() *risk.Report {
	h := "\"'<script>alert(1)</script>\n\r\t\x00\u202e\U0001F600 & \\ %s ]]> " + strings.Repeat("é", 1<<16)
	id := "pkg:huggingface/evil/model@abc"
	pkg := "pkg:pypi/evil%22pkg@1.0"
	return &risk.Report{
		SchemaVersion: risk.SchemaVersion, Tool: risk.ToolInfo{Name: "pedigree", Version: h},
		Subject:     risk.SubjectInfo{Ref: h, PURL: id, Kind: sources.SubjectModel, Revision: "abc"},
		GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Policy:      risk.PolicyInfo{Name: h, Digest: h},
		Score:       risk.Score{Value: 12.5, Level: risk.LevelLow},
		Lineage: risk.Lineage{
			Nodes: []risk.LineageNode{
				{ID: id, Kind: sources.SubjectModel, Ref: h, Revision: "abc", State: risk.NodePartial, Reason: h,
					Publisher: &risk.Publisher{Name: h, Account: h, Country: h, Type: h},
					License:   &risk.NodeLicense{ID: h, Class: h}},
				{ID: "file:///evil/" + h, Kind: sources.SubjectModel, Ref: h},
				{ID: pkg, Kind: sources.SubjectPackage, Ref: h, Revision: h},
				{ID: h, Kind: sources.SubjectDataset, Ref: h},
			},
			Edges: []risk.Edge{
				{From: id, To: "file:///evil/" + h, Relation: sources.RelFinetune},
				{From: id, To: pkg, Relation: sources.RelDependsOn},
				{From: id, To: h, Relation: sources.RelTrainedOn},
				{From: "file:///evil/" + h, To: id, Relation: sources.RelMerge},
			},
		},
		Findings: []risk.Finding{{ID: "f-1", Rule: h, Severity: risk.SeverityHigh, Outcome: risk.OutcomeFail, Subject: id, Message: h}},
		Evidence: []sources.Evidence{
			sources.NewEvidence(id, sources.KindFile, h, sources.Attrs("size", "1", "lfs_sha256", h), sources.Origin{Source: h, Locator: h, Digest: h}),
			sources.NewEvidence(id, sources.KindArtifact, h, sources.Attrs("file", h, "reason", h), sources.Origin{Source: "local", Locator: "/x/" + h}),
			sources.NewEvidence(id, sources.KindCardField, h, sources.Attrs("field", "pipeline_tag"), sources.Origin{Source: "x", Locator: "https://huggingface.co/" + h}),
			sources.NewEvidence(id, sources.KindLicense, h, sources.Attrs("name", h, "link", "javascript:alert(1)"), sources.Origin{Source: "x", Locator: "embedded:" + h}),
			sources.NewEvidence(pkg, sources.KindVulnerability, h, sources.Attrs("score", "NaN", "severity", h, "cvss", h+","+h, "aliases", h, "fixed", h), sources.Origin{Source: "osv", Locator: h}),
		},
	}
}

func TestCycloneDXHostile(t *testing.T) {
	r := cdxHostileReport()
	got := writeCDX(t, r)
	validateCDX(t, cdxSchema(t), "hostile", got)
	if bytes.Contains(got, []byte("<script>")) && !json.Valid(got) {
		t.Error("hostile strings broke the JSON")
	}
	bom := decodeCDX(t, got)
	if bom.Metadata.Component.Properties == nil || !slices.Contains(props(bom.Metadata.Component, "pedigree:ref"), r.Subject.Ref) {
		t.Error("the hostile reference does not round-trip through the JSON")
	}
	if again := writeCDX(t, r); !bytes.Equal(got, again) {
		t.Error("renderings differ")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCycloneDXErrors(t *testing.T) {
	r := loadReport(t, "local-pickle")
	if err := WriteCycloneDX(failWriter{}, []*risk.Report{r}, CycloneDXOptions{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error = %v, want disk full", err)
	}
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, nil, CycloneDXOptions{}); err == nil {
		t.Error("no reports: no error")
	}
	if err := WriteCycloneDX(&buf, []*risk.Report{r, nil}, CycloneDXOptions{}); err == nil || !strings.Contains(err.Error(), "report 2") {
		t.Errorf("nil report: %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes on error", buf.Len())
	}
}

// TestCycloneDXLicenseIDsInSchema checks that every license of the table
// WriteCycloneDX writes as an SPDX license id is one the CycloneDX 1.6
// schema lists, so no BOM fails validation for a license id.
func TestCycloneDXLicenseIDsInSchema(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "schema", "cyclonedx", "spdx.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Enum []string }
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, info := range license.Known() {
		id, ok := spdxID(info.ID)
		if !ok {
			continue
		}
		n++
		if !slices.Contains(s.Enum, id) && !spdxAfterCycloneDX16[id] {
			t.Errorf("license %s is written as SPDX id %s, which the CycloneDX 1.6 schema does not list", info.ID, id)
		}
	}
	for id := range spdxAfterCycloneDX16 {
		if slices.Contains(s.Enum, id) {
			t.Errorf("%s is listed by the schema; drop it from spdxAfterCycloneDX16", id)
		}
	}
	if n < 10 {
		t.Errorf("only %d SPDX licenses in the table", n)
	}
}
