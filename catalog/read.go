package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// Limits of the catalog readers. A catalog past MaxBytes or MaxEntries is
// refused whole; a line past MaxLineBytes is an entry with an error and the
// other lines proceed.
const (
	// MaxBytes is the largest catalog read: 64 MiB.
	MaxBytes = 64 << 20
	// MaxEntries is the most entries a catalog may hold: 1,000,000.
	MaxEntries = 1_000_000
	// MaxLineBytes is the longest line (or CSV record) read: 1 MiB.
	MaxLineBytes = 1 << 20
)

// refColumns are the names, in order of preference, of the CSV column or
// JSON Lines field that holds the reference. Matched case-insensitively.
var refColumns = []string{"ref", "reference", "repo_id", "model_id"}

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte("\xef\xbb\xbf")

// Read reads a catalog, telling its format by its content and name:
//
//   - a CycloneDX JSON BOM (bomFormat "CycloneDX"): [ReadCycloneDX];
//   - JSON Lines when the first line that is neither blank nor a '#'
//     comment starts with '{': [ReadJSONL];
//   - CSV when name ends in .csv, tab-separated values when it ends in
//     .tsv, or either when the first line is a header naming a reference
//     column (ref, reference, repo_id or model_id) beside other columns:
//     [ReadCSV];
//   - else a list of references, one a line: [ReadText].
//
// name is the catalog's name in errors ("models.csv", "standard input").
// Entries whose reference names the same subject as an earlier entry
// carry an error naming the first, so that no subject is assessed twice.
// Read fails as a whole only when the catalog cannot be read, is past
// [MaxBytes] or [MaxEntries], is a JSON document that is not a BOM, or is
// a CSV file without a reference column.
func Read(r io.Reader, name string) ([]Entry, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	if IsCycloneDX(body) {
		entries, err := ReadCycloneDX(bytes.NewReader(body), name)
		if err != nil {
			return nil, err
		}
		return dedupe(entries, name), nil
	}
	first, n := firstLine(body)
	switch {
	case strings.HasPrefix(first, "{"):
		if json.Valid(body) && !json.Valid([]byte(first)) {
			return nil, fmt.Errorf("%s: a JSON document that is not a CycloneDX BOM (no \"bomFormat\": \"CycloneDX\"); write a BOM, or JSON Lines with one {\"ref\": ...} object a line", name)
		}
		return readJSONL(body, name)
	case strings.HasPrefix(first, "["):
		return nil, fmt.Errorf("%s:%d: a JSON array is not a catalog; write JSON Lines, one {\"ref\": ...} object a line", name, n)
	}
	switch ext := strings.ToLower(path.Ext(name)); {
	case ext == ".csv":
		return readCSV(body, name, ',')
	case ext == ".tsv":
		return readCSV(body, name, '\t')
	}
	if comma, ok := csvHeader(first); ok {
		return readCSV(body, name, comma)
	}
	return readText(body, name)
}

// readAll reads at most MaxBytes of r.
func readAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s: larger than the %d MiB limit for a catalog; split it into smaller catalogs", name, MaxBytes>>20)
	}
	return data, nil
}

// firstLine returns the first line of data that is neither blank nor a
// '#' comment, trimmed, and its line number; "" when there is none. It
// looks at no more than the first MaxLineBytes of a line.
func firstLine(data []byte) (string, int) {
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) > MaxLineBytes {
			line = line[:MaxLineBytes]
		}
		s := strings.TrimSpace(string(line))
		if s != "" && !strings.HasPrefix(s, "#") {
			return s, n
		}
	}
	return "", 0
}

// csvHeader reports whether line is a CSV (or TSV) header: it has more
// than one column and one of them is a reference column.
func csvHeader(line string) (rune, bool) {
	for _, comma := range []rune{',', '\t'} {
		if !strings.ContainsRune(line, comma) {
			continue
		}
		for _, f := range strings.Split(line, string(comma)) {
			f = strings.ToLower(strings.Trim(strings.TrimSpace(f), `"`))
			for _, c := range refColumns {
				if f == c {
					return comma, true
				}
			}
		}
	}
	return 0, false
}

// lines splits data into lines for the line-based readers, calling fn with
// each line's number and content (without the line end, CR included). It
// stops when fn returns an error.
func lines(data []byte, fn func(n int, line []byte) error) error {
	data = bytes.TrimPrefix(data, utf8BOM)
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if err := fn(n, bytes.TrimSuffix(line, []byte{'\r'})); err != nil {
			return err
		}
	}
	return nil
}

// checkLineCount fails, before any entry is made, when data has more
// lines that are neither blank nor '#' comments than a catalog may hold
// entries.
func checkLineCount(data []byte, name string) error {
	if bytes.Count(data, []byte{'\n'}) < MaxEntries {
		return nil
	}
	n := 0
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			n++
		}
	}
	if n > MaxEntries {
		return fmt.Errorf("%s: %d entries, more than the %d a catalog may hold; split it into smaller catalogs", name, n, MaxEntries)
	}
	return nil
}

// collector gathers the entries of a line-based catalog.
type collector struct {
	name    string
	entries []Entry
}

// add appends an entry for the reference ref at line n, checking that
// sources.ParseRef accepts it (it does no I/O). It fails when the catalog
// holds too many entries.
func (c *collector) add(n int, ref string, labels map[string]string) error {
	where := "line " + strconv.Itoa(n)
	e := Entry{Ref: ref, Where: where, Labels: labels}
	if reason := checkRef(ref); reason != "" {
		e.Ref, e.Err = "", &EntryError{File: c.name, Where: where, Reason: reason}
	}
	return c.append(e)
}

// fail appends an entry at line n that carries an error.
func (c *collector) fail(n int, reason string, labels map[string]string) error {
	where := "line " + strconv.Itoa(n)
	return c.append(Entry{Where: where, Labels: labels, Err: &EntryError{File: c.name, Where: where, Reason: reason}})
}

func (c *collector) append(e Entry) error {
	if len(c.entries) >= MaxEntries {
		return fmt.Errorf("%s: more than the %d entries a catalog may hold; split it into smaller catalogs", c.name, MaxEntries)
	}
	c.entries = append(c.entries, e)
	return nil
}

// result returns the entries with duplicates marked.
func (c *collector) result() []Entry { return dedupe(c.entries, c.name) }

// longLine is the reason of a line past MaxLineBytes.
func longLine(size int) string {
	return fmt.Sprintf("line of %d bytes is longer than the %d MiB limit for a catalog line; shorten it", size, MaxLineBytes>>20)
}

// checkRef returns why ref cannot be assessed, or "" when it can.
func checkRef(ref string) string {
	if ref == "" {
		return "empty reference; write hf:OWNER/NAME, a huggingface.co URL, a purl (pkg:...) or a folder path (./dir)"
	}
	if strings.HasPrefix(ref, HubSearchPrefix) {
		return "an hf-search: query is a catalog of its own; give it as the catalog instead of a line of one"
	}
	if _, err := sources.ParseRef(ref); err != nil {
		return err.Error() + "; write hf:OWNER/NAME, a huggingface.co URL, a purl (pkg:...) or a folder path (./dir)"
	}
	return ""
}

// subjectKey is the identity of a reference for finding duplicates: the
// subject it names, with Hub ids compared case-insensitively as the Hub
// does. It is "" for a reference that does not parse.
func subjectKey(ref string) string {
	s, err := sources.ParseRef(ref)
	if err != nil {
		return ""
	}
	if _, ok := s.HubID(); ok {
		return strings.ToLower(s.PURL) + "@" + s.Revision
	}
	return s.ID()
}

// dedupe marks each entry whose reference names the same subject as an
// earlier entry with an error naming the first; the first is kept.
func dedupe(entries []Entry, name string) []Entry {
	first := make(map[string]string, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.Err != nil || e.Ref == "" {
			continue
		}
		key := subjectKey(e.Ref)
		if key == "" {
			continue
		}
		if where, dup := first[key]; dup {
			e.Ref = ""
			e.Err = &EntryError{File: name, Where: e.Where, Reason: "duplicate of " + where + "; each subject is assessed once"}
			continue
		}
		first[key] = e.Where
	}
	return entries
}
