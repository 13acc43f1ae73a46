package modelcard

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SyntaxError is a file that does not parse. Line and Col are 1-based
// positions in the whole file (for a card, the README, not the front
// matter alone); zero when unknown.
type SyntaxError struct {
	// File is the file's conventional name (README.md, config.json,
	// adapter_config.json, mergekit_config.yml). Callers that know the real
	// path may replace it.
	File string
	// Line is the line of the error, 0 when unknown.
	Line int
	// Col is the column (in bytes) of the error, 0 when unknown.
	Col int
	// Msg says what is wrong.
	Msg string
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// yamlLine matches the position yaml.v3 puts in its messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML parser, whose lines count from the
// first line of the YAML text, into a *SyntaxError whose lines count from
// the first line of file; firstLine is the line of file the YAML starts on.
func yamlError(file string, firstLine int, err error) *SyntaxError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			return &SyntaxError{File: file, Line: firstLine + n - 1, Msg: "yaml: " + m[2]}
		}
	}
	return &SyntaxError{File: file, Line: firstLine, Msg: msg}
}

// jsonError turns an error of encoding/json reading data into a
// *SyntaxError with the line and column of the offending byte.
func jsonError(file string, data []byte, err error) *SyntaxError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 {
		return &SyntaxError{File: file, Msg: err.Error()}
	}
	line, col := position(data, int(off))
	return &SyntaxError{File: file, Line: line, Col: col, Msg: err.Error()}
}

// position returns the 1-based line and column of the byte read last when
// off bytes of data have been read (the byte encoding/json complains about).
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	i := off - 1
	if i < 0 {
		i = 0
	}
	line, start := 1, 0
	for j := 0; j < i && j < len(data); j++ {
		if data[j] == '\n' {
			line++
			start = j + 1
		}
	}
	return line, i - start + 1
}
