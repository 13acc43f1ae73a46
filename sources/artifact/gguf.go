package artifact

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// GGUF limits.
const (
	// ggufChunk is how many bytes the GGUF reader fetches at a time.
	ggufChunk = 64 << 10
	// maxGGUFValue is the longest string value kept in GGUFReport.KV and
	// GGUFReport.ChatTemplate; longer ones are summarised.
	maxGGUFValue = 1 << 20
	// maxGGUFDepth bounds the nesting of arrays of arrays.
	maxGGUFDepth = 4
	// maxGGUFDims is the most dimensions a tensor may have.
	maxGGUFDims = 8
	// maxGGUFBaseModels is the most base models read from
	// general.base_model.count.
	maxGGUFBaseModels = 256
)

// GGUF value types.
const (
	ggufUint8 = iota
	ggufInt8
	ggufUint16
	ggufInt16
	ggufUint32
	ggufInt32
	ggufFloat32
	ggufBool
	ggufString
	ggufArray
	ggufUint64
	ggufInt64
	ggufFloat64
)

// ggufTypeNames names the GGUF value types.
var ggufTypeNames = []string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

// ggufFixedSize returns the size of a fixed-size value type, 0 for string,
// array and unknown types.
func ggufFixedSize(t uint32) int64 {
	switch t {
	case ggufUint8, ggufInt8, ggufBool:
		return 1
	case ggufUint16, ggufInt16:
		return 2
	case ggufUint32, ggufInt32, ggufFloat32:
		return 4
	case ggufUint64, ggufInt64, ggufFloat64:
		return 8
	}
	return 0
}

// GGUFBase is a base model a GGUF file's metadata names
// (general.base_model.N.*).
type GGUFBase struct {
	// Name, Organization and RepoURL are general.base_model.N.name,
	// .organization and .repo_url.
	Name, Organization, RepoURL string
}

// GGUFReport is what an inspection of a GGUF file found.
type GGUFReport struct {
	// Version is the format version (2 or 3 are read).
	Version uint32
	// BigEndian is true for a big-endian file.
	BigEndian bool
	// Tensors is the declared tensor count.
	Tensors uint64
	// TensorInfos is how many tensor infos were read and checked after
	// the metadata, within the budget.
	TensorInfos uint64
	// KV holds the general.* metadata keys: scalars formatted, strings as
	// they are (past 1 MiB summarised), arrays summarised.
	KV map[string]string
	// BaseModels are the base models general.base_model.* names.
	BaseModels []GGUFBase
	// ChatTemplate is tokenizer.chat_template; "" without one.
	ChatTemplate string
	// Unsupported says why a file was not read ("GGUF version 1 is not
	// supported"); "" when it was.
	Unsupported string
	// Malformed lists what is wrong with the file; empty when sound.
	Malformed []string
	// Truncated is true when the budget ran out before the metadata was
	// read whole.
	Truncated bool
}

// ggufCursor reads a GGUF file sequentially, in chunks, through a budget.
type ggufCursor struct {
	b      *budgetReader
	order  binary.ByteOrder
	off    int64
	buf    []byte
	bufOff int64
	err    error
}

// remaining returns the bytes left in the file after the cursor.
func (c *ggufCursor) remaining() int64 { return c.b.size - c.off }

// bytes returns the next n bytes (n <= ggufChunk or a kept string),
// advancing; nil after an error, which sticks.
func (c *ggufCursor) bytes(n int64) []byte {
	if c.err != nil {
		return nil
	}
	if n > c.remaining() {
		c.err = fmt.Errorf("need %d bytes at offset %d, only %d remain: %w", n, c.off, c.remaining(), errPastEnd)
		return nil
	}
	if c.off < c.bufOff || c.off+n > c.bufOff+int64(len(c.buf)) {
		want := min(max(n, ggufChunk), c.remaining())
		if want > c.b.left {
			want = max(n, c.b.left)
		}
		buf, err := c.b.read(c.off, want)
		if err != nil {
			c.err = fmt.Errorf("reading %d bytes at offset %d: %w", n, c.off, err)
			return nil
		}
		c.buf, c.bufOff = buf, c.off
	}
	p := c.buf[c.off-c.bufOff : c.off-c.bufOff+n]
	c.off += n
	return p
}

// skip advances past n bytes without reading them.
func (c *ggufCursor) skip(n uint64) {
	if c.err != nil {
		return
	}
	if n > uint64(c.remaining()) {
		c.err = fmt.Errorf("%d bytes to skip at offset %d, only %d remain: %w", n, c.off, c.remaining(), errPastEnd)
		return
	}
	c.off += int64(n)
}

func (c *ggufCursor) u32() uint32 {
	if p := c.bytes(4); p != nil {
		return c.order.Uint32(p)
	}
	return 0
}

func (c *ggufCursor) u64() uint64 {
	if p := c.bytes(8); p != nil {
		return c.order.Uint64(p)
	}
	return 0
}

// str reads a string; when keep is false or the string is longer than
// maxGGUFValue it is skipped and summarised.
func (c *ggufCursor) str(keep bool) string {
	n := c.u64()
	if c.err != nil {
		return ""
	}
	if n > uint64(c.remaining()) {
		c.err = fmt.Errorf("string of %d bytes at offset %d runs past the end of the file: %w", n, c.off-8, errPastEnd)
		return ""
	}
	if !keep || n > maxGGUFValue {
		c.skip(n)
		return fmt.Sprintf("<string of %d bytes>", n)
	}
	return string(c.bytes(int64(n)))
}

// InspectGGUF inspects the GGUF file of size bytes readable through r,
// reading at most budget bytes: the magic, version, tensor and metadata
// counts, every metadata key and value (arrays skipped without reading
// fixed-size elements), then as many tensor infos as the budget allows.
// Version 1 files are reported as unsupported.
func InspectGGUF(r io.ReaderAt, size, budget int64) *GGUFReport {
	rep := &GGUFReport{KV: map[string]string{}}
	var p problems
	defer func() { rep.Malformed = p.result() }()
	c := &ggufCursor{b: newBudgetReader(r, size, budget), order: binary.LittleEndian}
	head := c.bytes(8)
	if head == nil {
		ggufFail(c, rep, &p, "reading the magic and version")
		return rep
	}
	if string(head[:4]) != "GGUF" {
		p.add("no GGUF magic at offset 0")
		return rep
	}
	v := binary.LittleEndian.Uint32(head[4:])
	if v > 0xFFFF && binary.BigEndian.Uint32(head[4:]) <= 0xFFFF {
		c.order, rep.BigEndian, v = binary.BigEndian, true, binary.BigEndian.Uint32(head[4:])
	}
	rep.Version = v
	switch v {
	case 2, 3:
	case 1:
		rep.Unsupported = "GGUF version 1 is not supported"
		return rep
	default:
		p.add("unknown GGUF version %d", v)
		return rep
	}
	var kvs uint64
	rep.Tensors, kvs = c.u64(), c.u64()
	if c.err != nil {
		ggufFail(c, rep, &p, "reading the tensor and metadata counts")
		return rep
	}
	if rep.Tensors > uint64(size)/24 {
		p.add("declares %d tensors, more than the %d-byte file can describe", rep.Tensors, size)
		return rep
	}
	if kvs > uint64(c.remaining())/13 {
		p.add("declares %d metadata keys, more than the %d bytes left can hold", kvs, c.remaining())
		return rep
	}
	for i := uint64(0); i < kvs; i++ {
		start := c.off
		key := c.str(true)
		typ := c.u32()
		if c.err != nil {
			ggufFail(c, rep, &p, fmt.Sprintf("reading metadata key %d of %d at offset %d", i+1, kvs, start))
			return rep
		}
		keep := strings.HasPrefix(key, "general.") || key == "tokenizer.chat_template" || strings.HasPrefix(key, "tokenizer.chat_template.")
		val, ok := ggufValue(c, typ, keep, 0)
		if !ok {
			if c.err == nil {
				p.add("metadata key %q at offset %d has unknown value type %d", key, start, typ)
				return rep
			}
			ggufFail(c, rep, &p, fmt.Sprintf("reading the value of metadata key %q at offset %d", key, start))
			return rep
		}
		switch {
		case key == "tokenizer.chat_template":
			rep.ChatTemplate = val
		case keep:
			if _, dup := rep.KV[key]; dup {
				p.add("metadata key %q appears more than once", key)
			}
			rep.KV[key] = val
		}
	}
	rep.BaseModels = ggufBaseModels(rep.KV, &p)
	// Tensor infos: name, dimensions, type, offset. Read while the budget
	// lasts; running out here leaves the metadata complete.
	for i := uint64(0); i < rep.Tensors; i++ {
		if c.remaining() < 24 {
			p.add("tensor info %d of %d runs past the end of the file", i+1, rep.Tensors)
			return rep
		}
		start := c.off
		name := c.str(false)
		dims := c.u32()
		if c.err == nil && dims > maxGGUFDims {
			p.add("tensor info %d at offset %d declares %d dimensions, more than %d", i+1, start, dims, maxGGUFDims)
			return rep
		}
		c.skip(uint64(dims) * 8)
		c.u32()
		c.u64()
		if c.err != nil {
			if !errors.Is(c.err, errBudget) {
				p.add("tensor info %d (%s) at offset %d: %v", i+1, name, start, c.err)
			}
			return rep
		}
		rep.TensorInfos++
	}
	return rep
}

// ggufFail records the cursor's error: a budget exhaustion truncates the
// report, anything else is malformed.
func ggufFail(c *ggufCursor, rep *GGUFReport, p *problems, what string) {
	if errors.Is(c.err, errBudget) {
		rep.Truncated = true
		return
	}
	p.add("%s: %v", what, c.err)
}

// ggufValue reads a value of type typ and formats it; ok is false on an
// unknown type or a read error (in c.err).
func ggufValue(c *ggufCursor, typ uint32, keep bool, depth int) (string, bool) {
	switch typ {
	case ggufString:
		s := c.str(keep)
		return s, c.err == nil
	case ggufArray:
		if depth >= maxGGUFDepth {
			c.err = fmt.Errorf("arrays nested deeper than %d at offset %d: %w", maxGGUFDepth, c.off, errPastEnd)
			return "", false
		}
		et, n := c.u32(), c.u64()
		if c.err != nil {
			return "", false
		}
		if int(et) >= len(ggufTypeNames) {
			c.err = fmt.Errorf("array of unknown element type %d at offset %d: %w", et, c.off-12, errPastEnd)
			return "", false
		}
		if sz := ggufFixedSize(et); sz > 0 {
			hi, lo := bits.Mul64(n, uint64(sz))
			if hi != 0 || lo > uint64(c.remaining()) {
				c.err = fmt.Errorf("array of %d %s values at offset %d runs past the end of the file: %w", n, ggufTypeNames[et], c.off-12, errPastEnd)
				return "", false
			}
			c.skip(lo)
		} else {
			minSize := uint64(8) // a string's length, an array's type and count
			if et == ggufArray {
				minSize = 12
			}
			if n > uint64(c.remaining())/minSize {
				c.err = fmt.Errorf("array of %d %s values at offset %d runs past the end of the file: %w", n, ggufTypeNames[et], c.off-12, errPastEnd)
				return "", false
			}
			for j := uint64(0); j < n; j++ {
				if _, ok := ggufValue(c, et, false, depth+1); !ok {
					return "", false
				}
			}
		}
		return fmt.Sprintf("[%d %s]", n, ggufTypeNames[et]), true
	}
	sz := ggufFixedSize(typ)
	if sz == 0 {
		return "", false
	}
	b := c.bytes(sz)
	if b == nil {
		return "", false
	}
	o := c.order
	switch typ {
	case ggufUint8:
		return strconv.FormatUint(uint64(b[0]), 10), true
	case ggufInt8:
		return strconv.FormatInt(int64(int8(b[0])), 10), true
	case ggufBool:
		return strconv.FormatBool(b[0] != 0), true
	case ggufUint16:
		return strconv.FormatUint(uint64(o.Uint16(b)), 10), true
	case ggufInt16:
		return strconv.FormatInt(int64(int16(o.Uint16(b))), 10), true
	case ggufUint32:
		return strconv.FormatUint(uint64(o.Uint32(b)), 10), true
	case ggufInt32:
		return strconv.FormatInt(int64(int32(o.Uint32(b))), 10), true
	case ggufFloat32:
		return strconv.FormatFloat(float64(math.Float32frombits(o.Uint32(b))), 'g', -1, 32), true
	case ggufUint64:
		return strconv.FormatUint(o.Uint64(b), 10), true
	case ggufInt64:
		return strconv.FormatInt(int64(o.Uint64(b)), 10), true
	default: // ggufFloat64
		return strconv.FormatFloat(math.Float64frombits(o.Uint64(b)), 'g', -1, 64), true
	}
}

// ggufBaseModels collects general.base_model.N.* for N below
// general.base_model.count, and any other N the keys name.
func ggufBaseModels(kv map[string]string, p *problems) []GGUFBase {
	idx := map[uint64]bool{}
	if s, ok := kv["general.base_model.count"]; ok {
		n, err := strconv.ParseUint(s, 10, 64)
		switch {
		case err != nil:
			p.add("general.base_model.count %q is not a count", s)
		case n > maxGGUFBaseModels:
			p.add("general.base_model.count %d exceeds the %d read", n, maxGGUFBaseModels)
			n = maxGGUFBaseModels
			fallthrough
		default:
			for i := uint64(0); i < n; i++ {
				idx[i] = true
			}
		}
	}
	for k := range kv {
		rest, ok := strings.CutPrefix(k, "general.base_model.")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, ".")
		if n, err := strconv.ParseUint(num, 10, 64); ok && err == nil && len(idx) < maxGGUFBaseModels {
			idx[n] = true
		}
	}
	order := make([]uint64, 0, len(idx))
	for i := range idx {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return order[a] < order[b] })
	var out []GGUFBase
	for _, i := range order {
		pre := "general.base_model." + strconv.FormatUint(i, 10) + "."
		b := GGUFBase{Name: kv[pre+"name"], Organization: kv[pre+"organization"], RepoURL: kv[pre+"repo_url"]}
		if b != (GGUFBase{}) {
			out = append(out, b)
		}
	}
	return out
}
