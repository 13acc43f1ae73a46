package artifact

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/bits"
	"sort"
	"strconv"
)

// maxSafetensorsHeader is the largest safetensors JSON header accepted
// (100 MiB), the limit of the reference implementation.
const maxSafetensorsHeader = 100 << 20

// safetensorsBits maps each dtype of the safetensors format to the bits
// one element takes.
var safetensorsBits = map[string]uint64{
	"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
	"I16": 16, "U16": 16, "F16": 16, "BF16": 16,
	"I32": 32, "U32": 32, "F32": 32,
	"I64": 64, "U64": 64, "F64": 64, "C64": 64,
	"F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}

// SafetensorsReport is what an inspection of a safetensors file found.
type SafetensorsReport struct {
	// HeaderSize is the declared length of the JSON header in bytes.
	HeaderSize int64
	// Tensors is the number of tensors the header describes.
	Tensors int
	// Parameters is the total number of elements of all tensors.
	Parameters int64
	// Dtypes lists the dtypes used, sorted.
	Dtypes []string
	// Metadata is the header's __metadata__ string map; nil without one.
	Metadata map[string]string
	// Malformed lists what is wrong with the file (a header length past
	// the file, invalid JSON, unknown dtypes, sizes that do not match
	// shapes, overlapping or uncovered offsets); empty when sound.
	Malformed []string
	// Truncated is true when the header is larger than the byte budget
	// and was not read.
	Truncated bool
}

// stTensor is one tensor's byte range in the data area.
type stTensor struct {
	name       string
	begin, end uint64
}

// InspectSafetensors inspects the safetensors file of size bytes readable
// through r, reading at most budget bytes: the 8-byte little-endian header
// length, then the JSON header, strictly checked. Tensor data is never
// read.
func InspectSafetensors(r io.ReaderAt, size, budget int64) *SafetensorsReport {
	rep := &SafetensorsReport{}
	var p problems
	defer func() { rep.Malformed = p.result() }()
	b := newBudgetReader(r, size, budget)
	if size < 8 {
		p.add("file is %d bytes, shorter than the 8-byte header length", size)
		return rep
	}
	lb, err := b.read(0, 8)
	if err != nil {
		rep.Truncated = errors.Is(err, errBudget)
		p.add("reading the header length: %v", err)
		return rep
	}
	n := binary.LittleEndian.Uint64(lb)
	switch {
	case n > maxSafetensorsHeader:
		p.add("header length %d exceeds the %d bytes allowed", n, maxSafetensorsHeader)
		return rep
	case n > uint64(size-8):
		p.add("header length %d runs past the end of the %d-byte file", n, size)
		return rep
	}
	rep.HeaderSize = int64(n)
	hdr, err := b.read(8, int64(n))
	if err != nil {
		if errors.Is(err, errBudget) {
			rep.Truncated = true
			p.add("the %d-byte header exceeds the read budget and was not read", n)
		} else {
			p.add("reading the header: %v", err)
		}
		return rep
	}
	dataSize := uint64(size) - 8 - n
	tensors := parseSafetensorsHeader(hdr, rep, &p)
	checkSafetensorsLayout(tensors, dataSize, &p)
	return rep
}

// parseSafetensorsHeader parses the JSON header into rep and returns the
// tensors' byte ranges.
func parseSafetensorsHeader(hdr []byte, rep *SafetensorsReport, p *problems) []stTensor {
	if len(hdr) == 0 || hdr[0] != '{' {
		p.add("header does not start with '{'")
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		p.add("header is not valid JSON: %v", err)
		return nil
	}
	seen := map[string]bool{}
	dtypes := map[string]bool{}
	var tensors []stTensor
	var params uint64
	paramsOverflow := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			p.add("header is not valid JSON at byte %d: %v", dec.InputOffset(), err)
			return nil
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			p.add("header is not valid JSON at byte %d: %v", dec.InputOffset(), err)
			return nil
		}
		if seen[name] {
			p.add("key %q appears more than once in the header", name)
			continue
		}
		seen[name] = true
		if name == "__metadata__" {
			var md map[string]json.RawMessage
			if err := json.Unmarshal(raw, &md); err != nil {
				p.add("__metadata__ is not an object: %v", err)
				continue
			}
			rep.Metadata = make(map[string]string, len(md))
			for k, v := range md {
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					p.add("__metadata__ value %q is not a string", k)
					continue
				}
				rep.Metadata[k] = s
			}
			continue
		}
		t, count, ok := parseSafetensorsTensor(name, raw, p)
		if !ok {
			continue
		}
		dtypes[t.dtype] = true
		tensors = append(tensors, stTensor{name: name, begin: t.begin, end: t.end})
		if params += count; params < count {
			paramsOverflow = true
		}
	}
	if _, err := dec.Token(); err != nil {
		p.add("header is not valid JSON: %v", err)
	}
	if rest := bytes.TrimRight(hdr[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		p.add("%d bytes of trailing data after the header's JSON object", len(rest))
	}
	rep.Tensors = len(tensors)
	if paramsOverflow || params > 1<<63-1 {
		p.add("total parameter count overflows 64 bits")
		params = 1<<63 - 1
	}
	rep.Parameters = int64(params)
	for d := range dtypes {
		rep.Dtypes = append(rep.Dtypes, d)
	}
	sort.Strings(rep.Dtypes)
	return tensors
}

// stTensorInfo is a tensor entry's checked fields.
type stTensorInfo struct {
	dtype      string
	begin, end uint64
}

// parseSafetensorsTensor checks one tensor entry and returns its fields
// and element count; ok is false when it is malformed.
func parseSafetensorsTensor(name string, raw json.RawMessage, p *problems) (t stTensorInfo, count uint64, ok bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		p.add("tensor %q is not an object", name)
		return t, 0, false
	}
	for k := range fields {
		if k != "dtype" && k != "shape" && k != "data_offsets" {
			p.add("tensor %q has unknown field %q", name, k)
		}
	}
	var shape, offsets []json.Number
	dtOK := json.Unmarshal(fields["dtype"], &t.dtype) == nil && fields["dtype"] != nil
	shOK := json.Unmarshal(fields["shape"], &shape) == nil && fields["shape"] != nil && shape != nil
	offOK := json.Unmarshal(fields["data_offsets"], &offsets) == nil && len(offsets) == 2
	switch {
	case !dtOK:
		p.add("tensor %q: dtype is missing or not a string", name)
		return t, 0, false
	case !shOK:
		p.add("tensor %q: shape is missing or not a list of integers", name)
		return t, 0, false
	case !offOK:
		p.add("tensor %q: data_offsets is missing or not a pair of integers", name)
		return t, 0, false
	}
	bitsPer, known := safetensorsBits[t.dtype]
	if !known {
		p.add("tensor %q: unknown dtype %q", name, t.dtype)
		return t, 0, false
	}
	count = 1
	for i, d := range shape {
		n, err := strconv.ParseUint(string(d), 10, 64)
		if err != nil {
			p.add("tensor %q: shape dimension %d (%s) is not a non-negative integer", name, i, d)
			return t, 0, false
		}
		hi, lo := bits.Mul64(count, n)
		if hi != 0 {
			p.add("tensor %q: shape %v overflows 64 bits", name, shape)
			return t, 0, false
		}
		count = lo
	}
	var err1, err2 error
	t.begin, err1 = strconv.ParseUint(string(offsets[0]), 10, 64)
	t.end, err2 = strconv.ParseUint(string(offsets[1]), 10, 64)
	if err1 != nil || err2 != nil || t.end < t.begin {
		p.add("tensor %q: data_offsets %v are not an ordered pair of non-negative integers", name, offsets)
		return t, 0, false
	}
	hi, lo := bits.Mul64(count, bitsPer)
	if hi != 0 || lo%8 != 0 || lo/8 != t.end-t.begin {
		p.add("tensor %q: %d elements of %s need %s bytes, data_offsets span %d", name, count, t.dtype, byteCount(hi, lo), t.end-t.begin)
		return t, count, true
	}
	return t, count, true
}

// byteCount formats a 128-bit bit count as a byte count.
func byteCount(hi, lo uint64) string {
	if hi != 0 {
		return "more than 2^61"
	}
	if lo%8 != 0 {
		return strconv.FormatUint(lo/8, 10) + "." + strconv.FormatUint(lo%8*125, 10)
	}
	return strconv.FormatUint(lo/8, 10)
}

// checkSafetensorsLayout reports tensors past the data area, overlaps
// between tensors and bytes of the data area no tensor covers.
func checkSafetensorsLayout(tensors []stTensor, dataSize uint64, p *problems) {
	sort.SliceStable(tensors, func(i, j int) bool {
		if tensors[i].begin != tensors[j].begin {
			return tensors[i].begin < tensors[j].begin
		}
		return tensors[i].end < tensors[j].end
	})
	var cur uint64
	prev := ""
	for _, t := range tensors {
		if t.end > dataSize {
			p.add("tensor %q: data_offsets [%d, %d] run past the %d-byte data area", t.name, t.begin, t.end, dataSize)
		}
		switch {
		case t.begin > cur:
			p.add("bytes [%d, %d) of the data area belong to no tensor (gap before %q)", cur, t.begin, t.name)
		case t.begin < cur && t.end > t.begin:
			p.add("tensor %q (bytes [%d, %d)) overlaps tensor %q", t.name, t.begin, t.end, prev)
		}
		if t.end > cur {
			cur, prev = t.end, t.name
		}
	}
	if cur < dataSize {
		p.add("bytes [%d, %d) at the end of the data area belong to no tensor", cur, dataSize)
	}
}
