package report

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"github.com/package-url/packageurl-go"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// CycloneDXOptions configures WriteCycloneDX.
type CycloneDXOptions struct {
	Rules []risk.Definition // nil means risk.Definitions()
}

// Property names of the pedigree namespace, as documented in
// docs/cyclonedx.md.
const (
	propFinding     = "pedigree:finding:"
	propRelation    = "pedigree:relation"
	propBOMRef      = "pedigree:bom-ref"
	propDeclared    = "pedigree:declared"
	propScore       = "pedigree:score"
	propLevel       = "pedigree:level"
	propLicClass    = "pedigree:license:class"
	hubURL          = "https://huggingface.co/"
	osvURL          = "https://osv.dev/vulnerability/"
	maxWholeHeadLen = 4096 // the sources digest files up to this size whole
	maxVersionLen   = 1024 // the schema's limit on a version
)

// spdxAfterCycloneDX16 lists SPDX ids of the license table that are newer
// than the SPDX list the CycloneDX 1.6 schema enumerates: they are written
// as SPDX expressions, which the schema does not restrict.
var spdxAfterCycloneDX16 = map[string]bool{"OpenMDW-1.0": true}

// version clips a version to the schema's limit.
func version(v string) string {
	if len(v) <= maxVersionLen {
		return v
	}
	return strings.ToValidUTF8(v[:maxVersionLen], "")
}

// bomNamespace is the UUID namespace of the serial numbers WriteCycloneDX
// derives (a UUID v5 of the reports' canonical JSON).
var bomNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x14, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// WriteCycloneDX writes reps as one CycloneDX 1.6 JSON BOM (an ML-BOM):
// every subject of every lineage is a component whose bom-ref is its
// lineage node ID, the lineage is in each model's pedigree.ancestors,
// package dependencies in dependencies, OSV advisories in vulnerabilities,
// and the score and findings are properties of the pedigree namespace.
// With one report the assessed subject is metadata.component; with several
// every assessed subject is a top-level component. The output is a
// function of the reports alone (the serial number is derived from their
// content), so the same reports give the same bytes. docs/cyclonedx.md
// describes the mapping.
func WriteCycloneDX(w io.Writer, reps []*risk.Report, opts CycloneDXOptions) error {
	if len(reps) == 0 {
		return errors.New("report: cyclonedx: no report to write")
	}
	for i, r := range reps {
		if r == nil {
			return fmt.Errorf("report: cyclonedx: report %d is nil", i+1)
		}
	}
	defs := opts.Rules
	if defs == nil {
		var err error
		if defs, err = risk.Definitions(); err != nil {
			return fmt.Errorf("report: cyclonedx: rule definitions: %w", err)
		}
	}
	b := newBOMBuilder(reps, defs)
	bom, err := b.build()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("report: cyclonedx: encode: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// bomBuilder gathers the lineages of several reports into one BOM.
type bomBuilder struct {
	reps  []*risk.Report
	rules map[string]risk.Definition

	nodes    map[string]risk.LineageNode // by ID, first report wins
	order    []string                    // node IDs, roots first, then in report order
	roots    []string                    // assessed subjects, in report order
	evidence map[string][]sources.Evidence
	edges    []risk.Edge
	out      map[string][]risk.Edge
	in       map[string][]risk.Edge
	props    map[string][]cdx.Property // report facts and findings by node ID
}

func newBOMBuilder(reps []*risk.Report, defs []risk.Definition) *bomBuilder {
	b := &bomBuilder{reps: reps, rules: map[string]risk.Definition{}, nodes: map[string]risk.LineageNode{},
		evidence: map[string][]sources.Evidence{}, out: map[string][]risk.Edge{}, in: map[string][]risk.Edge{},
		props: map[string][]cdx.Property{}}
	for _, d := range defs {
		b.rules[d.ID] = d
	}
	seenEv := map[string]bool{}
	seenEdge := map[[3]string]bool{}
	for _, r := range reps {
		root := r.Root().ID
		if root == "" {
			root = r.Subject.PURL
		}
		if !slices.Contains(b.roots, root) {
			b.roots = append(b.roots, root)
		}
		if _, ok := b.nodes[root]; !ok {
			n := r.Root()
			if n.ID == "" {
				n = risk.LineageNode{ID: root, Kind: r.Subject.Kind, Ref: r.Subject.Ref, Revision: r.Subject.Revision}
			}
			b.nodes[root] = n
		}
	}
	b.order = append(b.order, b.roots...)
	for _, r := range reps {
		for _, n := range r.Lineage.Nodes {
			if _, ok := b.nodes[n.ID]; !ok {
				b.nodes[n.ID] = n
				b.order = append(b.order, n.ID)
			}
		}
		for _, e := range r.Evidence {
			k := e.ID + "\x00" + e.Subject
			if seenEv[k] {
				continue
			}
			seenEv[k] = true
			b.evidence[e.Subject] = append(b.evidence[e.Subject], e)
		}
		for _, e := range r.Lineage.Edges {
			k := [3]string{e.From, e.To, string(e.Relation)}
			if seenEdge[k] {
				continue
			}
			seenEdge[k] = true
			b.edges = append(b.edges, e)
			b.out[e.From] = append(b.out[e.From], e)
			b.in[e.To] = append(b.in[e.To], e)
		}
	}
	for _, r := range reps {
		b.reportProps(r)
	}
	return b
}

// reportProps records the score of r on its assessed subject and each
// finding on the subject it is about.
func (b *bomBuilder) reportProps(r *risk.Report) {
	root := r.Root().ID
	if root == "" {
		root = r.Subject.PURL
	}
	add := func(id, name, value string) {
		if value == "" {
			return
		}
		p := cdx.Property{Name: name, Value: value}
		if !slices.Contains(b.props[id], p) {
			b.props[id] = append(b.props[id], p)
		}
	}
	add(root, propScore, strconv.FormatFloat(r.Score.Value, 'f', 2, 64))
	add(root, propLevel, string(r.Score.Level))
	for _, c := range risk.Categories {
		if cs, ok := r.Score.Categories[c]; ok {
			add(root, propScore+":"+string(c), strconv.FormatFloat(cs.Value, 'f', 2, 64))
			add(root, propLevel+":"+string(c), string(cs.Level))
		}
	}
	add(root, "pedigree:policy", r.Policy.Name)
	add(root, "pedigree:policy:digest", r.Policy.Digest)
	add(root, "pedigree:generated-at", r.GeneratedAt.UTC().Format(time.RFC3339Nano))
	for _, f := range r.Findings {
		if f.Outcome == risk.OutcomeNotApplicable {
			continue
		}
		id := f.Subject
		if _, ok := b.nodes[id]; !ok {
			id = root
		}
		msg := f.Message
		if msg == "" {
			msg = b.rules[f.Rule].Title
		}
		add(id, propFinding+f.Rule, fmt.Sprintf("%s/%s/%s/%s", f.Outcome, f.Severity, f.ID, msg))
	}
}

func (b *bomBuilder) build() (*cdx.BOM, error) {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	serial, err := serialNumber(b.reps)
	if err != nil {
		return nil, err
	}
	bom.SerialNumber = serial
	var latest time.Time
	var tools []cdx.Component
	for _, r := range b.reps {
		if r.GeneratedAt.After(latest) {
			latest = r.GeneratedAt
		}
		name := r.Tool.Name
		if name == "" {
			name = "pedigree"
		}
		t := cdx.Component{Type: cdx.ComponentTypeApplication, Name: name, Version: version(r.Tool.Version)}
		if !slices.ContainsFunc(tools, func(c cdx.Component) bool { return c.Name == t.Name && c.Version == t.Version }) {
			tools = append(tools, t)
		}
	}
	bom.Metadata = &cdx.Metadata{Tools: &cdx.ToolsChoice{Components: &tools}}
	if !latest.IsZero() {
		bom.Metadata.Timestamp = latest.UTC().Format(time.RFC3339)
	}
	var comps []cdx.Component
	for _, id := range b.order {
		c := b.component(id)
		if len(b.reps) == 1 && id == b.roots[0] {
			bom.Metadata.Component = &c
			continue
		}
		comps = append(comps, c)
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	if deps := b.dependencies(); len(deps) > 0 {
		bom.Dependencies = &deps
	}
	if vulns := b.vulnerabilities(); len(vulns) > 0 {
		bom.Vulnerabilities = &vulns
	}
	return bom, nil
}

// serialNumber derives a UUID v5 URN from the canonical JSON of reps.
func serialNumber(reps []*risk.Report) (string, error) {
	h := sha256.New()
	for _, r := range reps {
		js, err := json.Marshal(r)
		if err != nil {
			return "", fmt.Errorf("report: cyclonedx: encode report for the serial number: %w", err)
		}
		h.Write(js)
		h.Write([]byte{'\n'})
	}
	s := sha1.New()
	s.Write(bomNamespace[:])
	s.Write(h.Sum(nil))
	u := s.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// componentType maps a subject kind to a CycloneDX component type.
func componentType(k sources.SubjectKind) cdx.ComponentType {
	switch k {
	case sources.SubjectModel:
		return cdx.ComponentTypeMachineLearningModel
	case sources.SubjectDataset:
		return cdx.ComponentTypeData
	}
	return cdx.ComponentTypeLibrary
}

// identity returns the component's name, group, version and purl for a
// node.
func identity(n risk.LineageNode) (name, group, version, purl string) {
	if strings.HasPrefix(n.ID, "pkg:") {
		if pu, err := packageurl.FromString(n.ID); err == nil && pu.Name != "" {
			return pu.Name, pu.Namespace, pu.Version, n.ID
		}
	}
	if u, err := url.Parse(n.ID); err == nil && u.Scheme == "file" {
		if base := path.Base(u.Path); base != "" && base != "/" && base != "." {
			return base, "", n.Revision, ""
		}
	}
	name = n.Ref
	if name == "" {
		name = n.ID
	}
	return name, "", n.Revision, ""
}

// bare returns the identifying fields of node id's component.
func (b *bomBuilder) bare(id string) cdx.Component {
	n, ok := b.nodes[id]
	if !ok {
		n = risk.LineageNode{ID: id}
	}
	name, group, ver, purl := identity(n)
	return cdx.Component{Type: componentType(n.Kind), Name: name, Group: group, Version: version(ver), PackageURL: purl}
}

// component builds the full component of node id.
func (b *bomBuilder) component(id string) cdx.Component {
	n := b.nodes[id]
	c := b.bare(id)
	c.BOMRef = id
	evs := b.evidence[id]
	var props []cdx.Property
	add := func(name, value string) {
		if value != "" {
			props = append(props, cdx.Property{Name: name, Value: value})
		}
	}
	add("pedigree:kind", string(n.Kind))
	add("pedigree:ref", n.Ref)
	add("pedigree:state", string(n.State))
	add("pedigree:state:reason", n.Reason)
	if p := n.Publisher; p != nil && p.Name != "" {
		c.Publisher = p.Name
		c.Supplier = &cdx.OrganizationalEntity{Name: p.Name}
		if p.Country != "" {
			c.Supplier.Address = &cdx.PostalAddress{Country: p.Country}
		}
		if p.Account != "" && strings.HasPrefix(n.ID, "pkg:huggingface/") {
			c.Supplier.URL = &[]string{hubURL + url.PathEscape(p.Account)}
		}
		add("pedigree:publisher:account", p.Account)
		add("pedigree:publisher:country", p.Country)
		add("pedigree:publisher:type", p.Type)
	}
	if lic := nodeLicense(n, evs); lic != nil {
		c.Licenses = &cdx.Licenses{*lic}
	}
	var rels []string
	for _, e := range b.in[id] {
		if !slices.Contains(rels, string(e.Relation)) {
			rels = append(rels, string(e.Relation))
		}
	}
	sort.Strings(rels)
	for _, r := range rels {
		add(propRelation, r)
	}
	props = append(props, b.props[id]...)
	if len(props) > 0 {
		c.Properties = &props
	}
	if refs := b.externalRefs(n, evs); len(refs) > 0 {
		c.ExternalReferences = &refs
	}
	if files := fileComponents(evs); len(files) > 0 {
		c.Components = &files
	}
	if n.Kind == sources.SubjectModel {
		c.ModelCard = b.modelCard(id, evs)
	}
	if anc := b.ancestors(id, map[string]bool{id: true}); len(anc) > 0 {
		c.Pedigree = &cdx.Pedigree{Ancestors: &anc}
	}
	return c
}

// ancestors returns the models id derives from as pedigree components,
// each with its own ancestors. A model reached twice in one tree is
// expanded once; later copies name it without repeating its ancestors.
func (b *bomBuilder) ancestors(id string, expanded map[string]bool) []cdx.Component {
	var out []cdx.Component
	for _, e := range b.out[id] {
		if !e.Relation.Lineage() {
			continue
		}
		c := b.bare(e.To)
		c.Properties = &[]cdx.Property{
			{Name: propBOMRef, Value: e.To},
			{Name: propRelation, Value: string(e.Relation)},
			{Name: propDeclared, Value: strconv.FormatBool(e.Declared)},
		}
		if !expanded[e.To] {
			expanded[e.To] = true
			if anc := b.ancestors(e.To, expanded); len(anc) > 0 {
				c.Pedigree = &cdx.Pedigree{Ancestors: &anc}
			}
		}
		out = append(out, c)
	}
	return out
}

// nodeLicense returns the license of a node: its SPDX id when the
// license table knows it as an SPDX license, an SPDX expression for other
// SPDX ids and expressions, else its name; with the license class as a
// property.
func nodeLicense(n risk.LineageNode, evs []sources.Evidence) *cdx.LicenseChoice {
	if n.License == nil || n.License.ID == "" {
		return nil
	}
	info := license.Lookup(n.License.ID)
	props := &[]cdx.Property{{Name: propLicClass, Value: n.License.Class}}
	if id, ok := spdxID(n.License.ID); ok {
		if info.Known && !spdxAfterCycloneDX16[id] {
			return &cdx.LicenseChoice{License: &cdx.License{ID: id, Properties: props}}
		}
		return &cdx.LicenseChoice{Expression: id}
	}
	if strings.ContainsAny(n.License.ID, " ") && info.Known {
		return &cdx.LicenseChoice{Expression: n.License.ID}
	}
	l := &cdx.License{Name: info.Name, URL: info.URL, Properties: props}
	for _, e := range evs {
		if e.Kind != sources.KindLicense {
			continue
		}
		if l.Name == "" && e.Attr("name") != "" {
			l.Name = e.Attr("name")
		}
		if l.URL == "" && isHTTP(e.Attr("link")) {
			l.URL = e.Attr("link")
		}
	}
	if l.Name == "" {
		l.Name = n.License.ID
	}
	return &cdx.LicenseChoice{License: l}
}

// spdxID returns the canonical SPDX id of a single license id.
func spdxID(id string) (string, bool) {
	if ok, c := spdxlicenses.IsActiveLicense(id); ok {
		return c, true
	}
	if ok, c := spdxlicenses.IsDeprecatedLicense(id); ok {
		return c, true
	}
	return "", false
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n\"<>\\^`{|}")
}

// locatorURL returns a locator as a URL: http(s) URLs as they are,
// absolute paths as file:// URLs, other schemes (embedded:) as they are.
func locatorURL(loc string) string {
	switch {
	case loc == "" || strings.ContainsAny(loc, " \t\r\n\"<>\\^`{|}"):
		if strings.HasPrefix(loc, "/") && !strings.ContainsAny(loc, "\r\n") {
			return sources.FileURL(loc)
		}
		return ""
	case strings.HasPrefix(loc, "/"):
		return sources.FileURL(loc)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme == "" {
		return ""
	}
	return loc
}

// externalRefs lists the Hub pages of a node, its code repositories, its
// card and every locator its evidence was read from, with the digest of
// the bytes read.
func (b *bomBuilder) externalRefs(n risk.LineageNode, evs []sources.Evidence) []cdx.ExternalReference {
	var refs []cdx.ExternalReference
	if hubID, ok := (sources.Subject{PURL: strings.SplitN(n.ID, "@", 2)[0]}).HubID(); ok {
		_, quals, _ := strings.Cut(n.ID, "?")
		page := hubURL + hubID
		if strings.Contains(quals, "repository_type=dataset") {
			page = hubURL + "datasets/" + hubID
		}
		if sources.ValidHubID(hubID) {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeWebsite, URL: page})
			if n.Revision != "" && !strings.ContainsAny(n.Revision, "/?#") {
				refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: page + "/tree/" + url.PathEscape(n.Revision)})
			}
		}
	}
	if strings.HasPrefix(n.ID, "file://") && !strings.ContainsAny(n.ID, " \t\r\n\"<>\\^`{|}") {
		if u, err := url.Parse(n.ID); err == nil && u.Path != "" {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: n.ID, Comment: "local folder"})
		}
	}
	if strings.HasPrefix(n.ID, "pkg:github/") {
		if pu, err := packageurl.FromString(n.ID); err == nil {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: "https://github.com/" + url.PathEscape(pu.Namespace) + "/" + url.PathEscape(pu.Name)})
		}
	}
	for _, e := range b.out[n.ID] {
		if e.Relation != sources.RelCodeRepository || !strings.HasPrefix(e.To, "pkg:github/") {
			continue
		}
		if pu, err := packageurl.FromString(e.To); err == nil {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: "https://github.com/" + url.PathEscape(pu.Namespace) + "/" + url.PathEscape(pu.Name), Comment: "code repository (" + e.To + ")"})
		}
	}
	for _, e := range evs {
		if e.Kind == sources.KindCard && e.Value == "present" {
			if u := locatorURL(e.Origin.Locator); u != "" {
				refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeModelCard, URL: u, Hashes: digestHashes(e.Origin.Digest)})
			}
			break
		}
	}
	type key struct{ loc, digest string }
	kinds := map[key][]string{}
	var keys []key
	for _, e := range evs {
		u := locatorURL(e.Origin.Locator)
		if u == "" {
			continue
		}
		k := key{u, e.Origin.Digest}
		if _, ok := kinds[k]; !ok {
			keys = append(keys, k)
		}
		if !slices.Contains(kinds[k], string(e.Kind)) {
			kinds[k] = append(kinds[k], string(e.Kind))
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].loc != keys[j].loc {
			return keys[i].loc < keys[j].loc
		}
		return keys[i].digest < keys[j].digest
	})
	for _, k := range keys {
		ks := kinds[k]
		sort.Strings(ks)
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeEvidence, URL: k.loc, Hashes: digestHashes(k.digest),
			Comment: "evidence read: " + strings.Join(ks, ", ")})
	}
	return refs
}

// digestHashes turns "sha256:HEX" into a CycloneDX hash list; nil for
// anything else.
func digestHashes(d string) *[]cdx.Hash {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || !isSHA256Hex(h) {
		return nil
	}
	return &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// fileSHA256 returns the SHA-256 of the whole file a file evidence
// describes, when the evidence carries it: the Hub's LFS object id, or an
// origin digest that covers the whole file (a file read whole: one no
// larger than the 4 KiB the sources read of every file, outside the zip
// formats whose directory is read too, or a text file the local source
// reads whole). Digests of a file's first bytes are not file hashes and
// give "".
func fileSHA256(e sources.Evidence) string {
	if h := strings.ToLower(e.Attr("lfs_sha256")); isSHA256Hex(h) {
		return h
	}
	h, ok := strings.CutPrefix(e.Origin.Digest, "sha256:")
	if !ok || !isSHA256Hex(h) || e.Value == "" {
		return ""
	}
	loc := strings.ReplaceAll(e.Origin.Locator, "\\", "/")
	if loc != e.Value && !strings.HasSuffix(loc, "/"+e.Value) {
		return ""
	}
	size, err := strconv.ParseInt(e.Attr("size"), 10, 64)
	if err != nil || size < 0 {
		return ""
	}
	switch e.Attr("format") {
	case "zip", "pickle_zip", "keras", "numpy", "lfs_pointer":
		return ""
	case "json", "yaml", "markdown", "text", "python":
		if e.Origin.Source == "local" && e.Attr("role") != "weights" && size <= 16<<20 {
			return h
		}
	}
	if size <= maxWholeHeadLen {
		return h
	}
	return ""
}

// fileComponents lists the files of a subject that carry a hash of their
// whole content or an artifact inspection verdict, as file components.
func fileComponents(evs []sources.Evidence) []cdx.Component {
	idx := map[string]int{}
	var out []cdx.Component
	get := func(name string) *cdx.Component {
		if i, ok := idx[name]; ok {
			return &out[i]
		}
		idx[name] = len(out)
		out = append(out, cdx.Component{Type: cdx.ComponentTypeFile, Name: name})
		return &out[len(out)-1]
	}
	addProp := func(c *cdx.Component, name, value string) {
		if value == "" {
			return
		}
		if c.Properties == nil {
			c.Properties = &[]cdx.Property{}
		}
		*c.Properties = append(*c.Properties, cdx.Property{Name: name, Value: value})
	}
	for _, e := range evs {
		if e.Kind != sources.KindFile || e.Value == "" {
			continue
		}
		h := fileSHA256(e)
		if h == "" {
			continue
		}
		c := get(e.Value)
		if c.Hashes == nil {
			c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
			addProp(c, "pedigree:file:format", e.Attr("format"))
			addProp(c, "pedigree:file:role", e.Attr("role"))
			addProp(c, "pedigree:file:size", e.Attr("size"))
		}
	}
	for _, e := range evs {
		if e.Kind != sources.KindArtifact || e.Attr("file") == "" {
			continue
		}
		c := get(e.Attr("file"))
		addProp(c, "pedigree:artifact", e.Value)
		addProp(c, "pedigree:artifact:format", e.Attr("format"))
		addProp(c, "pedigree:artifact:reason", e.Attr("reason"))
		addProp(c, "pedigree:artifact:imports", e.Attr("imports"))
		addProp(c, "pedigree:artifact:parameters", e.Attr("parameters"))
	}
	return out
}

// modelCard returns what is known of a model's card: its task, its
// architecture, the datasets it was trained on and the training approach
// its tags name; nil when nothing is known.
func (b *bomBuilder) modelCard(id string, evs []sources.Evidence) *cdx.MLModelCard {
	var mp cdx.MLModelParameters
	for _, e := range evs {
		switch {
		case e.Kind == sources.KindCardField && e.Attr("field") == "pipeline_tag",
			e.Kind == sources.KindRepo && e.Attr("field") == "pipeline_tag":
			if mp.Task == "" {
				mp.Task = e.Value
			}
		case e.Kind == sources.KindConfig && e.Attr("field") == "model_type":
			if mp.ArchitectureFamily == "" {
				mp.ArchitectureFamily = e.Value
			}
		case e.Kind == sources.KindConfig && e.Attr("field") == "architectures":
			if mp.ModelArchitecture == "" {
				mp.ModelArchitecture = e.Value
			}
		case e.Kind == sources.KindTag:
			if t := approachOfTag(e.Value); t != "" && mp.Approach == nil {
				mp.Approach = &cdx.MLModelParametersApproach{Type: t}
			}
		}
	}
	if mp.Task == "reinforcement-learning" && mp.Approach == nil {
		mp.Approach = &cdx.MLModelParametersApproach{Type: cdx.MLModelParametersApproachTypeReinforcementLearning}
	}
	var ds []cdx.MLDatasetChoice
	for _, e := range b.out[id] {
		if e.Relation == sources.RelTrainedOn {
			ds = append(ds, cdx.MLDatasetChoice{Ref: e.To})
		}
	}
	if len(ds) > 0 {
		mp.Datasets = &ds
	}
	if mp == (cdx.MLModelParameters{}) {
		return nil
	}
	return &cdx.MLModelCard{ModelParameters: &mp}
}

// approachOfTag maps the Hub tags that name a training method to a
// CycloneDX approach type.
func approachOfTag(tag string) cdx.MLModelParametersApproachType {
	switch strings.ToLower(tag) {
	case "sft":
		return cdx.MLModelParametersApproachTypeSupervised
	case "rlhf", "ppo", "reinforcement-learning":
		return cdx.MLModelParametersApproachTypeReinforcementLearning
	}
	return ""
}

// dependencies lists the software packages each subject depends on.
func (b *bomBuilder) dependencies() []cdx.Dependency {
	var out []cdx.Dependency
	for _, id := range b.order {
		var on []string
		for _, e := range b.out[id] {
			if e.Relation == sources.RelDependsOn && !slices.Contains(on, e.To) {
				on = append(on, e.To)
			}
		}
		if len(on) > 0 {
			out = append(out, cdx.Dependency{Ref: id, Dependencies: &on})
		}
	}
	return out
}

// vulnerabilities lists the OSV advisories of the vulnerability evidence,
// one per advisory and affected package.
func (b *bomBuilder) vulnerabilities() []cdx.Vulnerability {
	var out []cdx.Vulnerability
	seen := map[[2]string]bool{}
	for _, id := range b.order {
		for _, e := range b.evidence[id] {
			if e.Kind != sources.KindVulnerability || e.Value == "" {
				continue
			}
			ref := e.Subject
			if _, ok := b.nodes[ref]; !ok {
				if p := e.Attr("package"); p != "" {
					ref = p
				}
			}
			if seen[[2]string{e.Value, ref}] {
				continue
			}
			seen[[2]string{e.Value, ref}] = true
			out = append(out, b.vulnerability(e, ref))
		}
	}
	return out
}

func (b *bomBuilder) vulnerability(e sources.Evidence, ref string) cdx.Vulnerability {
	osv := &cdx.Source{Name: "OSV", URL: osvURL + url.PathEscape(e.Value)}
	v := cdx.Vulnerability{ID: e.Value, Source: osv, Description: e.Attr("summary")}
	rating := cdx.VulnerabilityRating{Source: osv, Severity: cvssSeverity(e.Attr("severity"))}
	if s, err := strconv.ParseFloat(e.Attr("score"), 64); err == nil && s >= 0 && s <= 10 {
		rating.Score = &s
	}
	var vectors []string
	for _, vec := range strings.Split(e.Attr("cvss"), ",") {
		if vec = strings.TrimSpace(vec); vec != "" {
			vectors = append(vectors, vec)
		}
	}
	if len(vectors) > 0 {
		rating.Vector, rating.Method = vectors[0], cvssMethod(vectors[0])
	}
	ratings := []cdx.VulnerabilityRating{rating}
	for _, vec := range vectors[min(1, len(vectors)):] {
		ratings = append(ratings, cdx.VulnerabilityRating{Source: osv, Vector: vec, Method: cvssMethod(vec)})
	}
	if rating.Severity != "" || rating.Score != nil || rating.Vector != "" {
		v.Ratings = &ratings
	}
	var aliases []cdx.VulnerabilityReference
	for _, a := range strings.Split(e.Attr("aliases"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			aliases = append(aliases, cdx.VulnerabilityReference{ID: a, Source: aliasSource(a)})
		}
	}
	if len(aliases) > 0 {
		v.References = &aliases
	}
	pkg := ref
	if n, ok := b.nodes[ref]; ok && n.Ref != "" {
		pkg = n.Ref
	}
	if fixed := strings.TrimSpace(e.Attr("fixed")); fixed != "" {
		v.Recommendation = fmt.Sprintf("Upgrade %s to a fixed version: %s.", pkg, strings.ReplaceAll(fixed, ",", ", "))
	} else if d, ok := b.rules["dependency-vulnerable"]; ok && d.Remediation != "" {
		v.Recommendation = "No fixed version is known. " + strings.TrimSpace(d.Remediation)
	}
	affected := cdx.Affects{Ref: ref}
	if n, ok := b.nodes[ref]; ok && n.Revision != "" {
		affected.Range = &[]cdx.AffectedVersions{{Version: version(n.Revision), Status: cdx.VulnerabilityStatusAffected}}
	}
	v.Affects = &[]cdx.Affects{affected}
	v.Properties = &[]cdx.Property{{Name: "pedigree:evidence", Value: e.ID}}
	return v
}

// cvssSeverity maps an OSV severity rating to a CycloneDX severity.
func cvssSeverity(s string) cdx.Severity {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "CRITICAL":
		return cdx.SeverityCritical
	case "HIGH":
		return cdx.SeverityHigh
	case "MODERATE", "MEDIUM":
		return cdx.SeverityMedium
	case "LOW":
		return cdx.SeverityLow
	case "":
		return ""
	}
	return cdx.SeverityUnknown
}

// cvssMethod names the CVSS version of a vector.
func cvssMethod(vec string) cdx.ScoringMethod {
	switch {
	case strings.HasPrefix(vec, "CVSS:4."):
		return cdx.ScoringMethodCVSSv4
	case strings.HasPrefix(vec, "CVSS:3.1"):
		return cdx.ScoringMethodCVSSv31
	case strings.HasPrefix(vec, "CVSS:3."):
		return cdx.ScoringMethodCVSSv3
	case strings.HasPrefix(vec, "AV:"):
		return cdx.ScoringMethodCVSSv2
	}
	return cdx.ScoringMethodOther
}

// aliasSource names the database of an advisory alias.
func aliasSource(id string) *cdx.Source {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return &cdx.Source{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + url.PathEscape(id)}
	case strings.HasPrefix(id, "GHSA-"):
		return &cdx.Source{Name: "GitHub", URL: "https://github.com/advisories/" + url.PathEscape(id)}
	}
	return &cdx.Source{Name: "OSV", URL: osvURL + url.PathEscape(id)}
}
