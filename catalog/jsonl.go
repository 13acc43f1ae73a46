package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadJSONL reads a JSON Lines catalog: one JSON object a line, whose
// "ref" member (or, when there is none, "reference", "repo_id" or
// "model_id") is the reference to assess. Its other members that are
// strings, numbers or booleans become labels (a number as written); null,
// arrays and objects are left out. Blank lines, lines starting with '#',
// a CR before the line end and a UTF-8 byte order mark are skipped. Each
// entry's Where is "line N".
//
// A line that is not one JSON object, lacks a string reference, names a
// reference sources.ParseRef rejects (it does no I/O), or is longer than
// [MaxLineBytes] is an entry with an [*EntryError]; the other lines
// proceed. A reference naming the same subject as an earlier line is an
// entry with the error "duplicate of line N". ReadJSONL fails as a whole
// only when r cannot be read or the catalog is past [MaxBytes] or
// [MaxEntries].
func ReadJSONL(r io.Reader, name string) ([]Entry, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	return readJSONL(data, name)
}

func readJSONL(data []byte, name string) ([]Entry, error) {
	if err := checkLineCount(data, name); err != nil {
		return nil, err
	}
	c := &collector{name: name}
	err := lines(data, func(n int, line []byte) error {
		if len(line) > MaxLineBytes {
			return c.fail(n, longLine(len(line)), nil)
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			return nil
		}
		if !utf8.Valid(trimmed) {
			return c.fail(n, "not valid UTF-8; save the catalog as UTF-8", nil)
		}
		ref, labels, reason := jsonLine(trimmed)
		if reason != "" {
			return c.fail(n, reason, labels)
		}
		return c.add(n, ref, labels)
	})
	if err != nil {
		return nil, err
	}
	return c.result(), nil
}

// jsonLine reads one line's object: its reference and labels, or why it
// has none.
func jsonLine(line []byte) (ref string, labels map[string]string, reason string) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		return "", nil, jsonReason(err)
	}
	if obj == nil {
		return "", nil, "not a JSON object; write {\"ref\": \"hf:OWNER/NAME\"}"
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", nil, "more than one JSON value on the line; write one object a line"
	}
	key := ""
	for _, want := range refColumns {
		if _, ok := obj[want]; ok {
			key = want
			break
		}
	}
	for k, raw := range obj {
		if k == key {
			continue
		}
		if v, ok := labelValue(raw); ok {
			if labels == nil {
				labels = map[string]string{}
			}
			labels[k] = v
		}
	}
	if key == "" {
		return "", labels, "no \"ref\" member; write {\"ref\": \"hf:OWNER/NAME\", ...}"
	}
	if err := json.Unmarshal(obj[key], &ref); err != nil {
		return "", labels, fmt.Sprintf("%q is not a JSON string; write the reference as a string", key)
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", labels, fmt.Sprintf("empty %q; write the reference to assess", key)
	}
	return ref, labels, ""
}

// labelValue returns a string, number or boolean member as a label.
func labelValue(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case c == 't' || c == 'f':
		return string(raw), true
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), true
	}
	return "", false
}

// jsonReason describes a JSON error of one line.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "not JSON: " + syn.Error() + " at column " + strconv.FormatInt(syn.Offset, 10) + "; write one {\"ref\": ...} object a line"
	case errors.As(err, &typ):
		return "a JSON " + typ.Value + " where an object was expected; write {\"ref\": \"hf:OWNER/NAME\"}"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON object; write one whole {\"ref\": ...} object a line"
	}
	return "not JSON: " + err.Error()
}
