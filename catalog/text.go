package catalog

import (
	"io"
	"strings"
	"unicode/utf8"
)

// ReadText reads a list of references, one a line: hf:OWNER/NAME[@REV],
// huggingface.co URLs, purls, folder paths, or anything else
// sources.ParseRef accepts. Blank lines and comments are skipped: a line
// whose first non-blank character is '#', and the rest of a line from a
// '#' preceded by a space or tab. Surrounding spaces, a CR before the line
// end and a UTF-8 byte order mark are ignored. Each entry's Where is
// "line N".
//
// A line that is not a reference ParseRef accepts (it does no I/O: a
// folder is not checked to exist), is not valid UTF-8, or is longer than
// [MaxLineBytes] is an entry with an [*EntryError]; the other lines
// proceed. A reference naming the same subject as an earlier line is an
// entry with the error "duplicate of line N". ReadText fails as a whole
// only when r cannot be read or the list is past [MaxBytes] or
// [MaxEntries].
func ReadText(r io.Reader, name string) ([]Entry, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	return readText(data, name)
}

func readText(data []byte, name string) ([]Entry, error) {
	if err := checkLineCount(data, name); err != nil {
		return nil, err
	}
	c := &collector{name: name}
	err := lines(data, func(n int, line []byte) error {
		if len(line) > MaxLineBytes {
			return c.fail(n, longLine(len(line)), nil)
		}
		if !utf8.Valid(line) {
			return c.fail(n, "not valid UTF-8; save the catalog as UTF-8", nil)
		}
		ref := stripComment(string(line))
		if ref == "" {
			return nil
		}
		return c.add(n, ref, nil)
	})
	if err != nil {
		return nil, err
	}
	return c.result(), nil
}

// stripComment removes a whole-line comment or a trailing " #" comment
// and the spaces around what is left.
func stripComment(line string) string {
	s := strings.TrimSpace(line)
	if strings.HasPrefix(s, "#") {
		return ""
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			s = s[:i]
			break
		}
	}
	return strings.TrimSpace(s)
}
