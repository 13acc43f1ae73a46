package catalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadCSV reads a CSV catalog: a header row, then one subject a row. The
// reference is in the column named "ref" (or, when there is none,
// "reference", "repo_id" or "model_id"; names are matched
// case-insensitively); every other non-empty column becomes a label named
// by its header. Fields may be quoted ("a, b" holds a comma; "" is a
// quote), span lines when quoted, and lines may end in CRLF; a UTF-8 byte
// order mark, blank lines and lines starting with '#' are skipped. A name
// ending in .tsv reads tab-separated values instead. Each entry's Where
// is "line N", the line its row starts on.
//
// A row that is not well-formed CSV, has more fields than the header, has
// an empty reference, names a reference sources.ParseRef rejects (it does
// no I/O), or is longer than [MaxLineBytes] is an entry with an
// [*EntryError]; the other rows proceed (an unterminated quote runs to the
// end of the file, as CSV reads it). A reference naming the same subject
// as an earlier row is an entry with the error "duplicate of line N".
// ReadCSV fails as a whole when r cannot be read, the catalog is past
// [MaxBytes] or [MaxEntries], or the header is missing, malformed, names
// a column twice or has no reference column.
func ReadCSV(r io.Reader, name string) ([]Entry, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	comma := ','
	if strings.HasSuffix(strings.ToLower(name), ".tsv") {
		comma = '\t'
	}
	return readCSV(data, name, comma)
}

func readCSV(data []byte, name string, comma rune) ([]Entry, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: empty CSV catalog; write a header row with a \"ref\" column, then one reference a row", name)
	case err != nil:
		return nil, fmt.Errorf("%s: header row: %v; write a header row with a \"ref\" column", name, err)
	}
	hline, _ := cr.FieldPos(0)
	cols, refCol, err := csvColumns(header, name, hline)
	if err != nil {
		return nil, err
	}
	c := &collector{name: name}
	for {
		start := cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		size := int(cr.InputOffset() - start)
		if err != nil {
			var pe *csv.ParseError
			n := 0
			reason := err.Error()
			if errors.As(err, &pe) {
				n, reason = pe.StartLine, fmt.Sprintf("malformed CSV row (%v at line %d, column %d); quote fields that hold %s or quotes, doubling the quotes inside", pe.Err, pe.Line, pe.Column, separatorName(comma))
			}
			if ferr := c.fail(n, reason, nil); ferr != nil {
				return nil, ferr
			}
			continue
		}
		n, _ := cr.FieldPos(0)
		if err := csvRow(c, n, size, rec, cols, refCol, comma); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

// separatorName names the field separator in messages.
func separatorName(comma rune) string {
	if comma == '\t' {
		return "tabs"
	}
	return "commas"
}

// csvColumns reads the header: the label name of each column and the
// index of the reference column.
func csvColumns(header []string, name string, line int) ([]string, int, error) {
	cols := make([]string, len(header))
	seen := map[string]int{}
	for i, h := range header {
		h = strings.ToValidUTF8(strings.TrimSpace(h), "\uFFFD")
		if h == "" {
			h = "column " + strconv.Itoa(i+1)
		}
		key := strings.ToLower(h)
		if j, dup := seen[key]; dup {
			return nil, 0, fmt.Errorf("%s:%d: the header names column %q twice (columns %d and %d); give each column its own name", name, line, h, j+1, i+1)
		}
		seen[key] = i
		cols[i] = h
	}
	for _, want := range refColumns {
		if i, ok := seen[want]; ok {
			return cols, i, nil
		}
	}
	shown := make([]string, 0, len(cols))
	for _, h := range cols {
		shown = append(shown, strconv.Quote(clip(h)))
	}
	return nil, 0, fmt.Errorf("%s:%d: no reference column in the header (%s); name the column of references \"ref\" (or reference, repo_id, model_id)", name, line, strings.Join(shown, ", "))
}

// csvRow adds the entry of one well-formed row.
func csvRow(c *collector, n, size int, rec, cols []string, refCol int, comma rune) error {
	if size > MaxLineBytes {
		return c.fail(n, fmt.Sprintf("row of %d bytes is longer than the %d MiB limit for a catalog line; shorten it", size, MaxLineBytes>>20), nil)
	}
	empty := true
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	var labels map[string]string
	for i, f := range rec {
		if i == refCol || i >= len(cols) {
			continue
		}
		if v := strings.TrimSpace(f); v != "" {
			if labels == nil {
				labels = map[string]string{}
			}
			labels[cols[i]] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	if len(rec) > len(cols) {
		return c.fail(n, fmt.Sprintf("%d fields where the header has %d; quote fields that hold %s", len(rec), len(cols), separatorName(comma)), labels)
	}
	ref := ""
	if refCol < len(rec) {
		ref = strings.TrimSpace(rec[refCol])
	}
	if ref == "" {
		return c.fail(n, fmt.Sprintf("empty %q column; write the reference to assess there", cols[refCol]), labels)
	}
	return c.add(n, ref, labels)
}
