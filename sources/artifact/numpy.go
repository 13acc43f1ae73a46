package artifact

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// maxNumpyHeader is the largest .npy header read; NumPy itself refuses
// headers past 10,000 bytes unless told otherwise.
const maxNumpyHeader = 1 << 20

// NumpyReport is what an inspection of a NumPy .npy array found.
type NumpyReport struct {
	// Version is the format version ("1.0", "2.0", "3.0").
	Version string
	// Descr is the dtype description ("<f4", "|O", or a structured
	// description as written).
	Descr string
	// Shape is the array's shape.
	Shape []int64
	// Object is true when the array (or a field of a structured array)
	// holds Python objects: the payload is then a pickle.
	Object bool
	// Pickle is the scan of the pickle payload of an object array; nil
	// otherwise.
	Pickle *PickleReport
	// Malformed lists what is wrong with the file; empty when sound.
	Malformed []string
	// Truncated is true when the byte budget ran out before the header or
	// the pickle payload was read whole.
	Truncated bool
}

// InspectNumpy inspects the NumPy .npy array of size bytes readable
// through r, reading at most budget bytes: the magic, the version, the
// header dict (descr, fortran_order, shape) and, for an object array, the
// pickle payload, which is passed to scan.
func InspectNumpy(r io.ReaderAt, size, budget int64, scan PickleScanner) *NumpyReport {
	b := newBudgetReader(r, size, budget)
	return inspectNumpyStream(io.NewSectionReader(b, 0, max(size, 0)), size, budget, scan)
}

// inspectNumpyStream inspects a .npy array read from r, whose size is
// size bytes (its declared size inside a zip), scanning at most limit bytes
// of an object array's pickle.
func inspectNumpyStream(r io.Reader, size, limit int64, scan PickleScanner) *NumpyReport {
	rep := &NumpyReport{}
	var p problems
	defer func() { rep.Malformed = p.result() }()
	fail := func(err error, what string) {
		switch {
		case errors.Is(err, errBudget):
			rep.Truncated = true
			p.add("%s: the read budget ran out", what)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			p.add("%s: file truncated", what)
		default:
			p.add("%s: %v", what, err)
		}
	}
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		fail(err, "reading the .npy magic")
		return rep
	}
	if string(pre[:6]) != "\x93NUMPY" {
		p.add("no .npy magic (\\x93NUMPY) at offset 0")
		return rep
	}
	major, minor := pre[6], pre[7]
	rep.Version = fmt.Sprintf("%d.%d", major, minor)
	var hlen uint64
	var headerStart int64
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			fail(err, "reading the .npy header length")
			return rep
		}
		hlen, headerStart = uint64(binary.LittleEndian.Uint16(pre[8:])), 10
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			fail(err, "reading the .npy header length")
			return rep
		}
		hlen, headerStart = uint64(binary.LittleEndian.Uint32(l[:])), 12
	default:
		p.add("unknown .npy format version %d.%d", major, minor)
		return rep
	}
	switch {
	case hlen > maxNumpyHeader:
		p.add("header length %d exceeds the %d bytes allowed", hlen, maxNumpyHeader)
		return rep
	case size >= 0 && hlen > uint64(max(size-headerStart, 0)):
		p.add("header length %d runs past the end of the %d-byte file", hlen, size)
		return rep
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		fail(err, "reading the .npy header")
		return rep
	}
	// Versions 1 and 2 are latin-1, version 3 UTF-8: the keys and values
	// that matter are ASCII either way.
	v, err := parsePyLiteral(string(hdr))
	if err != nil {
		p.add("header is not a Python literal: %v", err)
		return rep
	}
	d, ok := v.(map[string]any)
	if !ok {
		p.add("header is not a dict")
		return rep
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same file gives the same report
	for _, k := range keys {
		if k != "descr" && k != "fortran_order" && k != "shape" {
			p.add("header has unexpected key %q", k)
		}
	}
	if _, ok := d["fortran_order"].(bool); !ok {
		p.add("header field fortran_order is missing or not a bool")
	}
	count, shapeOK := numpyShape(d["shape"], rep, &p)
	itemSize := int64(-1)
	switch descr := d["descr"].(type) {
	case string:
		rep.Descr = descr
		rep.Object, itemSize = simpleDescr(descr, &p)
	case []any:
		rep.Descr = pyRepr(descr, 0)
		rep.Object = structuredObject(descr, 0)
	default:
		p.add("header field descr is missing or neither a string nor a list")
	}
	dataSize := size - headerStart - int64(hlen)
	if rep.Object {
		if scan == nil {
			return rep
		}
		pr, err := scan(bufio.NewReader(r), max(min(limit, dataSize), 0))
		if err != nil {
			fail(err, "scanning the object array's pickle")
		}
		rep.Pickle = pr
		if pr != nil && pr.Truncated {
			rep.Truncated = true
		}
		return rep
	}
	if shapeOK && itemSize > 0 && size >= 0 {
		hi, lo := bits.Mul64(count, uint64(itemSize))
		switch {
		case hi != 0 || lo > uint64(max(dataSize, 0)):
			p.add("shape %v of %d-byte items needs more than the %d data bytes present", rep.Shape, itemSize, dataSize)
		case lo < uint64(dataSize):
			p.add("%d bytes follow the array's %d data bytes", uint64(dataSize)-lo, lo)
		}
	}
	return rep
}

// numpyShape reads the header's shape tuple into rep and returns the
// element count; ok is false when the shape is invalid or overflows.
func numpyShape(v any, rep *NumpyReport, p *problems) (count uint64, ok bool) {
	t, isTuple := v.(pyTuple)
	if !isTuple {
		p.add("header field shape is missing or not a tuple")
		return 0, false
	}
	count, ok = 1, true
	for i, x := range t {
		n, isInt := x.(int64)
		if !isInt || n < 0 {
			p.add("shape dimension %d is not a non-negative integer", i)
			return 0, false
		}
		rep.Shape = append(rep.Shape, n)
		hi, lo := bits.Mul64(count, uint64(n))
		if hi != 0 {
			p.add("shape %v overflows 64 bits", t)
			return 0, false
		}
		count = lo
	}
	return count, ok
}

// simpleDescr parses a simple dtype string ("<f4", "|O", "<U10") and
// returns whether it is the object dtype and its item size (-1 unknown).
func simpleDescr(descr string, p *problems) (object bool, itemSize int64) {
	s := strings.TrimLeft(descr, "<>|=")
	if s == "" {
		p.add("descr %q names no type", descr)
		return false, -1
	}
	kind, digits := s[0], s[1:]
	if kind == 'O' {
		return true, -1
	}
	if !strings.ContainsRune("?bBhHiIlLqQpPefdgFDGSaUVMmiuftc", rune(kind)) {
		p.add("descr %q has an unknown type code %q", descr, kind)
		return false, -1
	}
	if digits == "" || strings.ContainsAny(digits, "[(") {
		return false, -1
	}
	n, err := strconv.ParseInt(digits, 10, 32)
	if err != nil || n < 0 {
		return false, -1
	}
	if kind == 'U' {
		n *= 4
	}
	return false, n
}

// structuredObject reports whether a structured dtype description
// ([('name', descr, shape?), ...]) has an object field.
func structuredObject(fields []any, depth int) bool {
	if depth > 8 {
		return false
	}
	for _, f := range fields {
		t, ok := f.(pyTuple)
		if !ok || len(t) < 2 {
			continue
		}
		switch d := t[1].(type) {
		case string:
			if strings.TrimLeft(d, "<>|=") == "O" || strings.HasPrefix(strings.TrimLeft(d, "<>|="), "O") {
				return true
			}
		case []any:
			if structuredObject(d, depth+1) {
				return true
			}
		}
	}
	return false
}

// pyTuple is a Python tuple in a parsed literal.
type pyTuple []any

// maxPyDepth bounds the nesting of a parsed Python literal.
const maxPyDepth = 32

// parsePyLiteral parses the Python literal a .npy header holds: dicts,
// lists, tuples, strings, integers, True, False and None.
func parsePyLiteral(s string) (any, error) {
	ps := &pyParser{s: s}
	v, err := ps.value(0)
	if err != nil {
		return nil, err
	}
	ps.space()
	if ps.i != len(ps.s) {
		return nil, fmt.Errorf("unexpected %q at byte %d after the literal", ps.s[ps.i], ps.i)
	}
	return v, nil
}

// pyParser is the state of parsePyLiteral.
type pyParser struct {
	s string
	i int
}

func (ps *pyParser) space() {
	for ps.i < len(ps.s) && strings.IndexByte(" \t\n\r", ps.s[ps.i]) >= 0 {
		ps.i++
	}
}

func (ps *pyParser) value(depth int) (any, error) {
	if depth > maxPyDepth {
		return nil, fmt.Errorf("nested deeper than %d at byte %d", maxPyDepth, ps.i)
	}
	ps.space()
	if ps.i >= len(ps.s) {
		return nil, fmt.Errorf("unexpected end at byte %d", ps.i)
	}
	switch c := ps.s[ps.i]; {
	case c == '{':
		ps.i++
		m := map[string]any{}
		for {
			ps.space()
			if ps.i < len(ps.s) && ps.s[ps.i] == '}' {
				ps.i++
				return m, nil
			}
			k, err := ps.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("dict key at byte %d is not a string", ps.i)
			}
			ps.space()
			if ps.i >= len(ps.s) || ps.s[ps.i] != ':' {
				return nil, fmt.Errorf("expected ':' at byte %d", ps.i)
			}
			ps.i++
			v, err := ps.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, dup := m[ks]; dup {
				return nil, fmt.Errorf("duplicate key %q", ks)
			}
			m[ks] = v
			if err := ps.sep('}'); err != nil {
				return nil, err
			}
		}
	case c == '[' || c == '(':
		end := byte(']')
		if c == '(' {
			end = ')'
		}
		ps.i++
		var items []any
		for {
			ps.space()
			if ps.i < len(ps.s) && ps.s[ps.i] == end {
				ps.i++
				if c == '(' {
					return pyTuple(items), nil
				}
				return items, nil
			}
			v, err := ps.value(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			if err := ps.sep(end); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		return ps.str(c)
	case c == '-' || c >= '0' && c <= '9':
		j := ps.i + 1
		for j < len(ps.s) && (ps.s[j] >= '0' && ps.s[j] <= '9' || ps.s[j] == 'L') {
			j++
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(ps.s[ps.i:j], "L"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer at byte %d: %v", ps.i, err)
		}
		ps.i = j
		return n, nil
	}
	for _, kw := range []struct {
		w string
		v any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(ps.s[ps.i:], kw.w) {
			ps.i += len(kw.w)
			return kw.v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q at byte %d", ps.s[ps.i], ps.i)
}

// sep consumes a ',' or stops before end.
func (ps *pyParser) sep(end byte) error {
	ps.space()
	if ps.i < len(ps.s) && ps.s[ps.i] == ',' {
		ps.i++
		return nil
	}
	if ps.i < len(ps.s) && ps.s[ps.i] == end {
		return nil
	}
	return fmt.Errorf("expected ',' or %q at byte %d", end, ps.i)
}

// str parses a quoted string with simple backslash escapes.
func (ps *pyParser) str(q byte) (string, error) {
	start := ps.i
	ps.i++
	var sb strings.Builder
	for ps.i < len(ps.s) {
		c := ps.s[ps.i]
		switch {
		case c == q:
			ps.i++
			return sb.String(), nil
		case c == '\\' && ps.i+1 < len(ps.s):
			sb.WriteByte(ps.s[ps.i+1])
			ps.i += 2
		default:
			sb.WriteByte(c)
			ps.i++
		}
	}
	return "", fmt.Errorf("unterminated string starting at byte %d", start)
}

// pyRepr formats a parsed Python literal the way Python prints it.
func pyRepr(v any, depth int) string {
	if depth > maxPyDepth {
		return "..."
	}
	join := func(items []any) string {
		parts := make([]string, len(items))
		for i, x := range items {
			parts[i] = pyRepr(x, depth+1)
		}
		return strings.Join(parts, ", ")
	}
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "\\'") + "'"
	case pyTuple:
		if len(x) == 1 {
			return "(" + join(x) + ",)"
		}
		return "(" + join(x) + ")"
	case []any:
		return "[" + join(x) + "]"
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}
