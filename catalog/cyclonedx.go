package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/sources"
)

// Limits of ReadCycloneDX. A BOM past either is refused whole.
const (
	// MaxCycloneDXBytes is the largest BOM ReadCycloneDX reads: 64 MiB.
	MaxCycloneDXBytes = 64 << 20
	// MaxCycloneDXComponents is the most components, of any type and at any
	// depth, a BOM may hold: 1,000,000.
	MaxCycloneDXComponents = 1_000_000
)

// Component types that become entries.
const (
	typeModel = "machine-learning-model"
	typeData  = "data"
)

// isCycloneDXHead matches the bomFormat member of a CycloneDX JSON BOM.
var isCycloneDXHead = regexp.MustCompile(`"bomFormat"\s*:\s*"CycloneDX"`)

// IsCycloneDX reports whether the first bytes look like a CycloneDX JSON BOM (bomFormat "CycloneDX").
func IsCycloneDX(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && head[0] == '{' && isCycloneDXHead.Match(head)
}

// cdxComponent is the part of a CycloneDX component ReadCycloneDX reads.
type cdxComponent struct {
	Type               string `json:"type"`
	BOMRef             string `json:"bom-ref"`
	Name               string `json:"name"`
	Group              string `json:"group"`
	Version            string `json:"version"`
	PURL               string `json:"purl"`
	ExternalReferences []struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	} `json:"externalReferences"`
	Components json.RawMessage `json:"components"`
}

// reader walks one BOM.
type reader struct {
	name    string
	data    []byte
	entries []Entry
	count   int
}

// ReadCycloneDX reads a CycloneDX BOM (JSON, spec 1.4–1.6) and returns an entry for every
// machine-learning-model and data component, nested components included, in document order.
// name is the file name used in errors.
//
// The BOM's subject (metadata.component) comes first, then the components
// array, each component followed by its nested components. Components in
// pedigree (ancestors, variants) are not entries: assessing a model walks
// its lineage anyway. A component maps to a reference from its purl, else
// from a huggingface.co URL among its externalReferences (with the
// revision of a /tree/REV or /commit/REV URL), else from a file:// URL of a
// distribution reference (a local folder), else, for a
// machine-learning-model, from group/name when that is a Hub id (with the
// version when it is a commit SHA). A component that maps to none is an
// entry with Err naming it and the field to add. ReadCycloneDX reads at
// most MaxCycloneDXBytes and refuses a BOM of more than
// MaxCycloneDXComponents components; it fails as a whole only for a
// document that is not a CycloneDX JSON BOM of spec 1.4 to 1.6, naming the
// file and the line.
func ReadCycloneDX(r io.Reader, name string) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCycloneDXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > MaxCycloneDXBytes {
		return nil, fmt.Errorf("%s: larger than the %d MiB limit for a CycloneDX BOM; split the catalog", name, MaxCycloneDXBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	rd := &reader{name: name, data: data}
	var doc struct {
		BOMFormat   json.RawMessage `json:"bomFormat"`
		SpecVersion json.RawMessage `json:"specVersion"`
		Metadata    *struct {
			Component json.RawMessage `json:"component"`
		} `json:"metadata"`
		Components json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, rd.docError(err)
	}
	offsets := topLevelOffsets(data)
	var format string
	if json.Unmarshal(doc.BOMFormat, &format) != nil || format != "CycloneDX" {
		return nil, fmt.Errorf("%s:%s: not a CycloneDX BOM: bomFormat is %s, want \"CycloneDX\"", name, rd.lineOf(offsets["bomFormat"]), shown(doc.BOMFormat))
	}
	var spec string
	if json.Unmarshal(doc.SpecVersion, &spec) != nil || (spec != "1.4" && spec != "1.5" && spec != "1.6") {
		return nil, fmt.Errorf("%s:%s: CycloneDX specVersion %s is not supported; write the BOM as spec 1.4, 1.5 or 1.6", name, rd.lineOf(offsets["specVersion"]), shown(doc.SpecVersion))
	}
	if doc.Metadata != nil && len(doc.Metadata.Component) > 0 && string(doc.Metadata.Component) != "null" {
		if err := rd.component(doc.Metadata.Component, "metadata.component"); err != nil {
			return nil, err
		}
	}
	if err := rd.list(doc.Components, "components"); err != nil {
		return nil, err
	}
	return rd.entries, nil
}

// shown quotes a raw JSON value for an error, clipped; "absent" when empty.
func shown(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "absent"
	}
	s := string(raw)
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "..."
	}
	return strconv.Quote(s)
}

// docError describes a JSON error of the whole document with its line.
func (rd *reader) docError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s:%s: not JSON: %v", rd.name, rd.lineOf(syn.Offset), syn)
	case errors.As(err, &typ):
		return fmt.Errorf("%s:%s: not a CycloneDX BOM: %s is a JSON %s", rd.name, rd.lineOf(typ.Offset), fieldName(typ.Field), typ.Value)
	}
	return fmt.Errorf("%s: not JSON: %w", rd.name, err)
}

func fieldName(f string) string {
	if f == "" {
		return "the document"
	}
	return f
}

// lineOf returns "LINE:COLUMN" of a byte offset of the document, or "1"
// when the offset is unknown.
func (rd *reader) lineOf(off int64) string {
	if off <= 0 || off > int64(len(rd.data)) {
		return "1"
	}
	before := rd.data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// topLevelOffsets returns the offset of each member name of the top-level
// object of a valid JSON document.
func topLevelOffsets(data []byte) map[string]int64 {
	out := map[string]int64{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return out
	}
	for dec.More() {
		off := dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := t.(string)
		if _, ok := out[key]; !ok {
			out[key] = skipSpace(data, off)
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return out
		}
	}
	return out
}

// skipSpace returns the offset of the first byte at or after off that is
// neither space nor a comma.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off + 1
}

// list reads a JSON array of components at where.
func (rd *reader) list(raw json.RawMessage, where string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		rd.entries = append(rd.entries, Entry{Where: where, Err: &EntryError{File: rd.name, Where: where, Reason: "not a list of components"}})
		return nil
	}
	for i, item := range items {
		if err := rd.component(item, fmt.Sprintf("%s[%d]", where, i)); err != nil {
			return err
		}
	}
	return nil
}

// component reads one component at where, then its nested components.
func (rd *reader) component(raw json.RawMessage, where string) error {
	rd.count++
	if rd.count > MaxCycloneDXComponents {
		return fmt.Errorf("%s: more than %d components; split the catalog", rd.name, MaxCycloneDXComponents)
	}
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] != '{' {
		rd.entries = append(rd.entries, Entry{Where: where, Err: &EntryError{File: rd.name, Where: where, Reason: "not a JSON object"}})
		return nil
	}
	var c cdxComponent
	// a field of the wrong type stops nothing: the others, and the nested
	// components, are still read
	decodeErr := json.Unmarshal(raw, &c)
	path := where
	if c.BOMRef != "" {
		where += " (bom-ref " + strconv.Quote(clip(c.BOMRef)) + ")"
	}
	if c.Type == typeModel || c.Type == typeData {
		e := Entry{Where: where, Labels: labels(c)}
		if decodeErr != nil {
			e.Err = &EntryError{File: rd.name, Where: where, Reason: "malformed component: " + typeErrorText(decodeErr)}
		} else if ref, reason := refOf(c); ref != "" {
			e.Ref = ref
		} else {
			e.Err = &EntryError{File: rd.name, Where: where, Reason: reason}
		}
		rd.entries = append(rd.entries, e)
	}
	return rd.list(c.Components, path+".components")
}

// typeErrorText says which field of a component has the wrong JSON type.
func typeErrorText(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%s is a JSON %s", fieldName(typ.Field), typ.Value)
	}
	return "not a component object"
}

// clip shortens a string for a position or label.
func clip(s string) string {
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

// labels returns the labels of a component: bom-ref, name (group/name)
// and type.
func labels(c cdxComponent) map[string]string {
	m := map[string]string{"type": c.Type}
	if c.BOMRef != "" {
		m["bom-ref"] = c.BOMRef
	}
	name := c.Name
	if c.Group != "" && name != "" {
		name = c.Group + "/" + name
	}
	if name != "" {
		m["name"] = name
	}
	if c.Version != "" {
		m["version"] = c.Version
	}
	return m
}

var commitSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// refOf maps a component to a reference, or says what to add.
func refOf(c cdxComponent) (ref, reason string) {
	var purlErr string
	if p := strings.TrimSpace(c.PURL); p != "" {
		if _, err := sources.ParseRef(p); err == nil && strings.HasPrefix(p, "pkg:") {
			return p, ""
		} else if err != nil {
			purlErr = "; its purl is not usable: " + err.Error()
		} else {
			purlErr = "; its purl does not start with pkg:"
		}
	}
	if ref := hubRef(c); ref != "" {
		return ref, ""
	}
	for _, er := range c.ExternalReferences {
		if er.Type != "distribution" || !strings.HasPrefix(er.URL, "file://") {
			continue
		}
		if _, err := sources.ParseRef(er.URL); err == nil {
			return er.URL, ""
		}
	}
	if c.Type == typeModel {
		id := c.Name
		if c.Group != "" {
			id = c.Group + "/" + c.Name
		}
		if strings.Contains(id, "/") && sources.ValidHubID(id) {
			ref := "hf:" + id
			if commitSHA.MatchString(c.Version) {
				ref += "@" + c.Version
			}
			return ref, ""
		}
	}
	what := "a purl (pkg:huggingface/OWNER/NAME@REV), an externalReference to its huggingface.co page"
	if c.Type == typeModel {
		what += ", or group and name that form its Hub id (OWNER/NAME)"
	} else {
		what = strings.Replace(what, "pkg:huggingface/OWNER/NAME@REV", "pkg:huggingface/OWNER/NAME@REV?repository_type=dataset", 1)
	}
	return "", "no reference to assess; add " + what + purlErr
}

// hubRef returns the hf: reference of the first huggingface.co model or
// dataset URL of a component's external references, with the revision of
// any of its URLs that names one.
func hubRef(c cdxComponent) string {
	var first sources.Subject
	for _, er := range c.ExternalReferences {
		u, err := url.Parse(strings.TrimSpace(er.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			continue
		}
		host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
		if host != "huggingface.co" && host != "hf.co" {
			continue
		}
		p := strings.TrimPrefix(u.Path, "/")
		if p == "" || strings.HasPrefix(p, "api/") || strings.HasPrefix(p, "spaces/") {
			continue
		}
		s, err := sources.ParseRef("https://huggingface.co/" + p)
		if err != nil {
			continue
		}
		switch {
		case first.IsZero():
			first = s
		case s.PURL == first.PURL && first.Revision == "" && s.Revision != "":
			first.Revision = s.Revision
		}
	}
	if first.IsZero() {
		return ""
	}
	id, _ := first.HubID()
	ref := "hf:" + id
	if first.Kind == sources.SubjectDataset {
		ref = "hf:datasets/" + id
	}
	if first.Revision != "" {
		ref += "@" + first.Revision
	}
	if _, err := sources.ParseRef(ref); err != nil {
		return ""
	}
	return ref
}
