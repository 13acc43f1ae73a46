package artifact

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultPickleLimit is the byte budget of ScanPickle when its limit is
// not positive.
const DefaultPickleLimit = 64 << 20

// Bounds of the symbolic machine. They cap memory whatever the input
// claims: the stack, the mark stack and the memo hold at most
// maxStackEntries and maxMemoEntries values, a value keeps at most
// keepLong bytes of its string or bytes (keepShort once retainBudget
// bytes have been kept), and nested pickles are followed maxNestedDepth
// levels deep.
const (
	maxStackEntries   = 1_000_000
	maxMemoEntries    = 1_000_000
	keepShort         = 256
	keepLong          = 1 << 20
	retainBudget      = 16 << 20
	maxNestedDepth    = 4
	maxTupleItemsKept = 16
	highestProtocol   = 5
)

// Pickle opcodes (CPython Lib/pickletools.py).
const (
	opMARK            = '('
	opSTOP            = '.'
	opPOP             = '0'
	opPOPMARK         = '1'
	opDUP             = '2'
	opFLOAT           = 'F'
	opINT             = 'I'
	opBININT          = 'J'
	opBININT1         = 'K'
	opLONG            = 'L'
	opBININT2         = 'M'
	opNONE            = 'N'
	opPERSID          = 'P'
	opBINPERSID       = 'Q'
	opREDUCE          = 'R'
	opSTRING          = 'S'
	opBINSTRING       = 'T'
	opSHORTBINSTRING  = 'U'
	opUNICODE         = 'V'
	opBINUNICODE      = 'X'
	opAPPEND          = 'a'
	opBUILD           = 'b'
	opGLOBAL          = 'c'
	opDICT            = 'd'
	opEMPTYDICT       = '}'
	opAPPENDS         = 'e'
	opGET             = 'g'
	opBINGET          = 'h'
	opINST            = 'i'
	opLONGBINGET      = 'j'
	opLIST            = 'l'
	opEMPTYLIST       = ']'
	opOBJ             = 'o'
	opPUT             = 'p'
	opBINPUT          = 'q'
	opLONGBINPUT      = 'r'
	opSETITEM         = 's'
	opTUPLE           = 't'
	opEMPTYTUPLE      = ')'
	opSETITEMS        = 'u'
	opBINFLOAT        = 'G'
	opPROTO           = 0x80
	opNEWOBJ          = 0x81
	opEXT1            = 0x82
	opEXT2            = 0x83
	opEXT4            = 0x84
	opTUPLE1          = 0x85
	opTUPLE2          = 0x86
	opTUPLE3          = 0x87
	opNEWTRUE         = 0x88
	opNEWFALSE        = 0x89
	opLONG1           = 0x8a
	opLONG4           = 0x8b
	opBINBYTES        = 'B'
	opSHORTBINBYTES   = 'C'
	opSHORTBINUNICODE = 0x8c
	opBINUNICODE8     = 0x8d
	opBINBYTES8       = 0x8e
	opEMPTYSET        = 0x8f
	opADDITEMS        = 0x90
	opFROZENSET       = 0x91
	opNEWOBJEX        = 0x92
	opSTACKGLOBAL     = 0x93
	opMEMOIZE         = 0x94
	opFRAME           = 0x95
	opBYTEARRAY8      = 0x96
	opNEXTBUFFER      = 0x97
	opREADONLYBUFFER  = 0x98
)

// opNames names every valid opcode; "" marks an invalid byte.
var opNames = [256]string{
	opMARK: "MARK", opSTOP: "STOP", opPOP: "POP", opPOPMARK: "POP_MARK", opDUP: "DUP",
	opFLOAT: "FLOAT", opINT: "INT", opBININT: "BININT", opBININT1: "BININT1", opLONG: "LONG",
	opBININT2: "BININT2", opNONE: "NONE", opPERSID: "PERSID", opBINPERSID: "BINPERSID",
	opREDUCE: "REDUCE", opSTRING: "STRING", opBINSTRING: "BINSTRING",
	opSHORTBINSTRING: "SHORT_BINSTRING", opUNICODE: "UNICODE", opBINUNICODE: "BINUNICODE",
	opAPPEND: "APPEND", opBUILD: "BUILD", opGLOBAL: "GLOBAL", opDICT: "DICT",
	opEMPTYDICT: "EMPTY_DICT", opAPPENDS: "APPENDS", opGET: "GET", opBINGET: "BINGET",
	opINST: "INST", opLONGBINGET: "LONG_BINGET", opLIST: "LIST", opEMPTYLIST: "EMPTY_LIST",
	opOBJ: "OBJ", opPUT: "PUT", opBINPUT: "BINPUT", opLONGBINPUT: "LONG_BINPUT",
	opSETITEM: "SETITEM", opTUPLE: "TUPLE", opEMPTYTUPLE: "EMPTY_TUPLE", opSETITEMS: "SETITEMS",
	opBINFLOAT: "BINFLOAT", opPROTO: "PROTO", opNEWOBJ: "NEWOBJ", opEXT1: "EXT1",
	opEXT2: "EXT2", opEXT4: "EXT4", opTUPLE1: "TUPLE1", opTUPLE2: "TUPLE2", opTUPLE3: "TUPLE3",
	opNEWTRUE: "NEWTRUE", opNEWFALSE: "NEWFALSE", opLONG1: "LONG1", opLONG4: "LONG4",
	opBINBYTES: "BINBYTES", opSHORTBINBYTES: "SHORT_BINBYTES",
	opSHORTBINUNICODE: "SHORT_BINUNICODE", opBINUNICODE8: "BINUNICODE8",
	opBINBYTES8: "BINBYTES8", opEMPTYSET: "EMPTY_SET", opADDITEMS: "ADDITEMS",
	opFROZENSET: "FROZENSET", opNEWOBJEX: "NEWOBJ_EX", opSTACKGLOBAL: "STACK_GLOBAL",
	opMEMOIZE: "MEMOIZE", opFRAME: "FRAME", opBYTEARRAY8: "BYTEARRAY8",
	opNEXTBUFFER: "NEXT_BUFFER", opREADONLYBUFFER: "READONLY_BUFFER",
}

// kind is the type of a symbolic value.
type kind uint8

const (
	kUndef  kind = iota // an unset memo slot; never on the stack
	kOther              // any value the scanner does not track
	kText               // a str (UNICODE family)
	kBytes              // a bytes or bytearray
	kPyStr              // a Python 2 str (STRING family): text or bytes
	kTuple              // a tuple whose items are kept
	kGlobal             // an imported object
)

// value is one symbolic value of the stack or memo.
type value struct {
	// s is the text or bytes (possibly cut, see trunc), or the module of
	// a global.
	s string
	// name is the name of a global.
	name string
	// items are the items of a tuple.
	items []value
	kind  kind
	// trunc is true when s keeps only a prefix of the value.
	trunc bool
}

var otherValue = value{kind: kOther}

// malformedError is a stream defect found at an offset.
type malformedError struct {
	off int64
	msg string
}

func (e *malformedError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.msg) }

func malformed(off int64, format string, args ...any) error {
	return &malformedError{off: off, msg: fmt.Sprintf(format, args...)}
}

// errEnd is returned by the input when the data or the budget ends.
var errEnd = errors.New("end of data")

// readError is an I/O error of the reader being scanned.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// input reads at most limit bytes of a pickle through a buffer and
// knows the frame being read.
type input struct {
	br       *bufio.Reader
	orig     io.Reader
	pos      int64
	limit    int64
	frameEnd int64 // -1 outside a frame
	frameOff int64
	scratch  [8]byte
	buf      []byte // reused by data
}

func newInput(r io.Reader, limit int64) *input {
	return &input{
		br:       bufio.NewReaderSize(io.LimitReader(r, limit), 64<<10),
		orig:     r,
		limit:    limit,
		frameEnd: -1,
	}
}

func (in *input) wrapErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errEnd
	}
	return &readError{err: err}
}

// budgetExhausted reports whether reading stopped at the byte budget
// while the reader had more data.
func (in *input) budgetExhausted() (bool, error) {
	if in.pos < in.limit {
		return false, nil
	}
	// A reader that knows its size answers without a byte read past the
	// budget.
	if sr, ok := in.orig.(interface{ Size() int64 }); ok {
		return sr.Size() > in.limit, nil
	}
	var one [1]byte
	n, err := io.ReadFull(in.orig, one[:])
	if n == 1 {
		return true, nil
	}
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, &readError{err: err}
	}
	return false, nil
}

// checkFrame rejects a read of n bytes that would run past the current
// frame: an opcode must not straddle a frame boundary.
func (in *input) checkFrame(n uint64, op int64) error {
	if in.frameEnd >= 0 && n > uint64(in.frameEnd-in.pos) {
		return malformed(op, "the argument of this opcode runs past the end of the FRAME at offset %d (frame ends at offset %d)",
			in.frameOff, in.frameEnd)
	}
	return nil
}

func (in *input) readByte() (byte, error) {
	b, err := in.br.ReadByte()
	if err != nil {
		return 0, in.wrapErr(err)
	}
	in.pos++
	return b, nil
}

func (in *input) peekByte() (byte, error) {
	p, err := in.br.Peek(1)
	if err != nil {
		return 0, in.wrapErr(err)
	}
	return p[0], nil
}

// fixed reads an n-byte (n <= 8) little-endian argument of the opcode at op.
func (in *input) fixed(n int, op int64) ([]byte, error) {
	if err := in.checkFrame(uint64(n), op); err != nil {
		return nil, err
	}
	b := in.scratch[:n]
	got, err := io.ReadFull(in.br, b)
	in.pos += int64(got)
	if err != nil {
		return nil, in.wrapErr(err)
	}
	return b, nil
}

// data reads an n-byte argument of the opcode at op, keeping at most
// keep bytes of it and discarding the rest without allocating it. The
// kept bytes are valid until the next call.
func (in *input) data(n uint64, keep int, op int64) ([]byte, bool, error) {
	if n > math.MaxInt64 {
		return nil, false, malformed(op, "length %d is negative or larger than any stream", n)
	}
	if err := in.checkFrame(n, op); err != nil {
		return nil, false, err
	}
	k := min(n, uint64(keep), uint64(max(in.limit-in.pos, 0)))
	if uint64(cap(in.buf)) < k {
		in.buf = make([]byte, k)
	}
	buf := in.buf[:k]
	got, err := io.ReadFull(in.br, buf)
	in.pos += int64(got)
	if err != nil {
		return nil, false, in.wrapErr(err)
	}
	rest := n - k
	for rest > 0 {
		chunk := int(min(rest, 1<<30))
		d, err := in.br.Discard(chunk)
		in.pos += int64(d)
		rest -= uint64(d)
		if err != nil {
			return nil, false, in.wrapErr(err)
		}
	}
	return buf, n > k, nil
}

// line reads a newline-terminated argument, keeping at most keepShort
// bytes of it; the newline is consumed and not returned.
func (in *input) line(op int64) ([]byte, bool, error) {
	var kept []byte
	trunc := false
	for {
		if in.frameEnd >= 0 && in.pos >= in.frameEnd {
			return nil, false, in.checkFrame(1, op)
		}
		b, err := in.readByte()
		if err != nil {
			return nil, false, err
		}
		if b == '\n' {
			return kept, trunc, nil
		}
		if len(kept) < keepShort {
			kept = append(kept, b)
		} else {
			trunc = true
		}
	}
}

// scanner is the symbolic unpickler of one pickle (and its concatenated
// successors).
type scanner struct {
	in       *input
	rep      *PickleReport
	depth    int
	stack    []value
	marks    []int
	memo     [][]value
	sparse   map[uint64]value
	memoN    int
	dense    int
	retained int64
	seen     map[[2]string]bool
}

// ScanPickle reads pickle streams from r without executing anything, at
// most limit bytes (limit <= 0: DefaultPickleLimit), and reports their
// imports and calls. Concatenated streams (STOP followed by more data
// starting with PROTO or a valid opcode) are scanned one after the
// other; when the first stream starts with PROTO, a following one must
// too, so that the raw tensor bytes after the pickles of a legacy
// torch.save file are not read as opcodes. An error is returned only for
// an I/O error of r other than io.EOF/io.ErrUnexpectedEOF; a malformed
// stream is reported in PickleReport.Malformed with the offset and what
// is wrong. Offsets of nested reports are relative to the embedded bytes.
func ScanPickle(r io.Reader, limit int64) (*PickleReport, error) {
	if limit <= 0 {
		limit = DefaultPickleLimit
	}
	return scan(r, limit, 0)
}

func scan(r io.Reader, limit int64, depth int) (*PickleReport, error) {
	s := &scanner{
		in:    newInput(r, limit),
		rep:   &PickleReport{},
		depth: depth,
		seen:  make(map[[2]string]bool),
	}
	err := s.run()
	s.rep.Bytes = s.in.pos
	var re *readError
	if errors.As(err, &re) {
		return nil, fmt.Errorf("read pickle at offset %d: %w", s.in.pos, re.err)
	}
	return s.rep, nil
}

// run scans every stream and records a defect in the report; it returns
// only read errors.
func (s *scanner) run() error {
	first, err := s.in.peekByte()
	if err != nil {
		if err == errEnd {
			s.rep.Malformed = "empty"
			return nil
		}
		return err
	}
	startsWithProto := first == opPROTO
	for {
		s.rep.Streams++
		s.resetStream()
		err := s.stream()
		if err != nil {
			return s.record(err)
		}
		b, err := s.in.peekByte()
		if err == errEnd {
			more, err := s.in.budgetExhausted()
			if err != nil {
				return err
			}
			s.rep.Truncated = more
			return nil
		}
		if err != nil {
			return err
		}
		if opNames[b] == "" || (startsWithProto && b != opPROTO) {
			return nil
		}
	}
}

// record turns a stream error into the report's Malformed or Truncated.
func (s *scanner) record(err error) error {
	var me *malformedError
	switch {
	case errors.As(err, &me):
		s.rep.Malformed = me.Error()
		return nil
	case err == errEnd:
		more, rerr := s.in.budgetExhausted()
		if rerr != nil {
			return rerr
		}
		if more {
			s.rep.Truncated = true
			return nil
		}
		msg := "unexpected end of data"
		if s.in.frameEnd > s.in.pos {
			msg = fmt.Sprintf("data ends inside the FRAME at offset %d, which declares %d bytes up to offset %d",
				s.in.frameOff, s.in.frameEnd-s.in.frameOff-9, s.in.frameEnd)
		}
		s.rep.Malformed = fmt.Sprintf("offset %d: %s", s.in.pos, msg)
		return nil
	}
	return err
}

func (s *scanner) resetStream() {
	s.stack = s.stack[:0]
	s.marks = s.marks[:0]
	s.memo = nil
	s.sparse = nil
	s.memoN = 0
	s.dense = 0
	s.in.frameEnd = -1
}

// keepLimit is how many bytes of a string argument to keep.
func (s *scanner) keepLimit() int {
	if s.retained < retainBudget {
		return keepLong
	}
	return keepShort
}

func (s *scanner) push(off int64, v value) error {
	if len(s.stack)+len(s.marks) >= maxStackEntries {
		return malformed(off, "stack exceeds %d entries", maxStackEntries)
	}
	s.stack = append(s.stack, v)
	return nil
}

// floor is the index of the first stack entry above the last mark.
func (s *scanner) floor() int {
	if len(s.marks) == 0 {
		return 0
	}
	return s.marks[len(s.marks)-1]
}

// need checks that n values sit above the last mark.
func (s *scanner) need(n int, off int64, op byte) error {
	if len(s.stack)-s.floor() < n {
		return malformed(off, "%s needs %d values on the stack: stack underflow", opNames[op], n)
	}
	return nil
}

func (s *scanner) pop() value {
	v := s.stack[len(s.stack)-1]
	s.stack[len(s.stack)-1] = value{}
	s.stack = s.stack[:len(s.stack)-1]
	return v
}

// popMark removes the values above the last mark and the mark, and
// returns those values (valid until the next push).
func (s *scanner) popMark(off int64, op byte) ([]value, error) {
	if len(s.marks) == 0 {
		return nil, malformed(off, "%s without a MARK", opNames[op])
	}
	k := s.marks[len(s.marks)-1]
	s.marks = s.marks[:len(s.marks)-1]
	items := s.stack[k:]
	s.stack = s.stack[:k]
	return items, nil
}

// memoChunk is the number of memo slots allocated at once; slots are
// chunked so that growing the memo never copies it.
const memoChunk = 1024

// slot returns the dense memo slot of key, nil when key is not dense.
func (s *scanner) slot(key uint64) *value {
	if c := key / memoChunk; c < uint64(len(s.memo)) {
		return &s.memo[c][key%memoChunk]
	}
	return nil
}

func (s *scanner) memoPut(key uint64, off int64) error {
	if len(s.stack) == s.floor() {
		return malformed(off, "memo store with an empty stack")
	}
	v := s.stack[len(s.stack)-1]
	p := s.slot(key)
	// A new chunk is allocated only when every dense slot is in use, so
	// sparse keys cannot make the memo allocate more than it holds.
	if p == nil && key/memoChunk == uint64(len(s.memo)) && s.dense == len(s.memo)*memoChunk {
		s.memo = append(s.memo, make([]value, memoChunk))
		p = s.slot(key)
	}
	switch {
	case p != nil:
		if p.kind == kUndef {
			s.memoN++
			s.dense++
		}
		*p = v
	default:
		if s.sparse == nil {
			s.sparse = make(map[uint64]value)
		}
		if _, ok := s.sparse[key]; !ok {
			s.memoN++
		}
		s.sparse[key] = v
	}
	if s.memoN > maxMemoEntries {
		return malformed(off, "memo exceeds %d entries", maxMemoEntries)
	}
	return nil
}

func (s *scanner) memoGet(key uint64, off int64) error {
	var v value
	if p := s.slot(key); p != nil {
		v = *p
	} else if s.sparse != nil {
		v = s.sparse[key]
	}
	if v.kind == kUndef {
		return malformed(off, "memo key %d is not defined", key)
	}
	return s.push(off, v)
}

func (s *scanner) addImport(module, name, op string, off int64, verdict Verdict) {
	key := [2]string{module, name}
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	s.rep.Imports = append(s.rep.Imports, Import{Module: module, Name: name, Verdict: verdict, Opcode: op, Offset: off})
}

// stringValue makes a value of kind k from kept bytes.
func (s *scanner) stringValue(k kind, b []byte, trunc bool) value {
	if len(b) > keepShort {
		s.retained += int64(len(b))
	}
	return value{kind: k, s: string(b), trunc: trunc}
}

// pushData reads an n-byte string or bytes argument and pushes it.
func (s *scanner) pushData(n uint64, k kind, off int64) error {
	b, trunc, err := s.in.data(n, s.keepLimit(), off)
	if err != nil {
		return err
	}
	return s.push(off, s.stringValue(k, b, trunc))
}

// lineInt reads a decimal line argument (GET, PUT).
func (s *scanner) lineInt(off int64, op byte) (uint64, error) {
	b, _, err := s.in.line(off)
	if err != nil {
		return 0, err
	}
	t := strings.TrimSpace(string(b))
	v, perr := strconv.ParseInt(t, 10, 64)
	if perr != nil || v < 0 {
		return 0, malformed(off, "%s argument %q is not a non-negative integer", opNames[op], t)
	}
	return uint64(v), nil
}

func (s *scanner) le(n int, off int64) (uint64, error) {
	b, err := s.in.fixed(n, off)
	if err != nil {
		return 0, err
	}
	var full [8]byte
	copy(full[:], b)
	return binary.LittleEndian.Uint64(full[:]), nil
}

// stream scans one pickle up to its STOP.
func (s *scanner) stream() error {
	in := s.in
	for {
		off := in.pos
		if in.frameEnd >= 0 && off >= in.frameEnd {
			in.frameEnd = -1
		}
		op, err := in.readByte()
		if err != nil {
			return err
		}
		s.rep.Opcodes++
		if opNames[op] == "" {
			return malformed(off, "invalid opcode 0x%02x", op)
		}
		switch op {
		case opSTOP:
			if err := s.need(1, off, op); err != nil {
				return err
			}
			if in.frameEnd > in.pos {
				return malformed(off, "STOP inside the FRAME at offset %d, which declares bytes up to offset %d", in.frameOff, in.frameEnd)
			}
			return nil
		case opMARK:
			if len(s.stack)+len(s.marks) >= maxStackEntries {
				return malformed(off, "stack exceeds %d entries", maxStackEntries)
			}
			s.marks = append(s.marks, len(s.stack))
		case opPOP:
			if len(s.stack) > s.floor() {
				s.pop()
			} else if _, err := s.popMark(off, op); err != nil {
				return malformed(off, "POP on an empty stack: stack underflow")
			}
		case opPOPMARK:
			if _, err := s.popMark(off, op); err != nil {
				return err
			}
		case opDUP:
			if err := s.need(1, off, op); err != nil {
				return err
			}
			if err := s.push(off, s.stack[len(s.stack)-1]); err != nil {
				return err
			}
		case opFLOAT, opINT, opLONG:
			if _, _, err := in.line(off); err != nil {
				return err
			}
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opBININT, opBININT1, opBININT2, opBINFLOAT:
			if _, err := in.fixed(argSize(op), off); err != nil {
				return err
			}
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opLONG1, opLONG4:
			var n uint64
			if op == opLONG1 {
				n, err = s.le(1, off)
			} else {
				n, err = s.le(4, off)
				if err == nil && int32(n) < 0 {
					return malformed(off, "LONG4 has a negative byte count %d", int32(n))
				}
			}
			if err != nil {
				return err
			}
			if _, _, err := in.data(n, 0, off); err != nil {
				return err
			}
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opNONE, opNEWTRUE, opNEWFALSE, opEMPTYDICT, opEMPTYLIST, opEMPTYSET, opNEXTBUFFER:
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opEMPTYTUPLE:
			if err := s.push(off, value{kind: kTuple}); err != nil {
				return err
			}
		case opPERSID:
			if _, _, err := in.line(off); err != nil {
				return err
			}
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opBINPERSID, opREADONLYBUFFER:
			if err := s.need(1, off, op); err != nil {
				return err
			}
			s.stack[len(s.stack)-1] = otherValue
		case opSTRING:
			b, trunc, err := in.line(off)
			if err != nil {
				return err
			}
			txt, ok := unquotePy(b, trunc)
			if !ok {
				return malformed(off, "STRING argument is not a quoted string")
			}
			if err := s.push(off, s.stringValue(kPyStr, []byte(txt), trunc)); err != nil {
				return err
			}
		case opUNICODE:
			b, trunc, err := in.line(off)
			if err != nil {
				return err
			}
			if err := s.push(off, s.stringValue(kText, []byte(decodeRawUnicodeEscape(b)), trunc)); err != nil {
				return err
			}
		case opBINSTRING:
			n, err := s.le(4, off)
			if err != nil {
				return err
			}
			if int32(n) < 0 {
				return malformed(off, "BINSTRING has a negative byte count %d", int32(n))
			}
			if err := s.pushData(n, kPyStr, off); err != nil {
				return err
			}
		case opSHORTBINSTRING, opSHORTBINBYTES, opSHORTBINUNICODE:
			n, err := s.le(1, off)
			if err != nil {
				return err
			}
			if err := s.pushData(n, dataKind(op), off); err != nil {
				return err
			}
		case opBINUNICODE, opBINBYTES:
			n, err := s.le(4, off)
			if err != nil {
				return err
			}
			if err := s.pushData(n, dataKind(op), off); err != nil {
				return err
			}
		case opBINUNICODE8, opBINBYTES8, opBYTEARRAY8:
			n, err := s.le(8, off)
			if err != nil {
				return err
			}
			if err := s.pushData(n, dataKind(op), off); err != nil {
				return err
			}
		case opAPPEND:
			if err := s.need(2, off, op); err != nil {
				return err
			}
			s.pop()
		case opBUILD:
			if err := s.need(2, off, op); err != nil {
				return err
			}
			s.pop()
			s.stack[len(s.stack)-1] = otherValue
			s.rep.Calls++
		case opSETITEM:
			if err := s.need(3, off, op); err != nil {
				return err
			}
			s.pop()
			s.pop()
		case opAPPENDS, opSETITEMS, opADDITEMS:
			items, err := s.popMark(off, op)
			if err != nil {
				return err
			}
			if op == opSETITEMS && len(items)%2 != 0 {
				return malformed(off, "SETITEMS with an odd number (%d) of keys and values", len(items))
			}
			if err := s.need(1, off, op); err != nil {
				return err
			}
		case opDICT, opLIST, opFROZENSET:
			items, err := s.popMark(off, op)
			if err != nil {
				return err
			}
			if op == opDICT && len(items)%2 != 0 {
				return malformed(off, "DICT with an odd number (%d) of keys and values", len(items))
			}
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opTUPLE:
			items, err := s.popMark(off, op)
			if err != nil {
				return err
			}
			if err := s.push(off, makeTuple(items)); err != nil {
				return err
			}
		case opTUPLE1, opTUPLE2, opTUPLE3:
			n := int(op-opTUPLE1) + 1
			if err := s.need(n, off, op); err != nil {
				return err
			}
			t := makeTuple(s.stack[len(s.stack)-n:])
			for range n {
				s.pop()
			}
			if err := s.push(off, t); err != nil {
				return err
			}
		case opGLOBAL, opINST:
			mod, _, err := in.line(off)
			if err != nil {
				return err
			}
			name, _, err := in.line(off)
			if err != nil {
				return err
			}
			m, n := string(mod), string(name)
			s.addImport(m, n, opNames[op], off, Classify(m, n))
			if op == opINST {
				if _, err := s.popMark(off, op); err != nil {
					return err
				}
				if err := s.push(off, otherValue); err != nil {
					return err
				}
				continue
			}
			if err := s.push(off, value{kind: kGlobal, s: m, name: n}); err != nil {
				return err
			}
		case opSTACKGLOBAL:
			if err := s.need(2, off, op); err != nil {
				return err
			}
			nv := s.pop()
			mv := s.pop()
			if isText(mv) && isText(nv) {
				s.addImport(mv.s, nv.s, opNames[op], off, Classify(mv.s, nv.s))
				if err := s.push(off, value{kind: kGlobal, s: mv.s, name: nv.s}); err != nil {
					return err
				}
				continue
			}
			// A module or name computed by the stream itself: no pickler
			// writes this, so it is treated as an evasion attempt.
			s.addImport(describe(mv), describe(nv), opNames[op], off, Dangerous)
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opREDUCE:
			if err := s.need(2, off, op); err != nil {
				return err
			}
			args := s.pop()
			fn := s.pop()
			s.rep.Calls++
			res, err := s.reduce(fn, args)
			if err != nil {
				return err
			}
			if err := s.push(off, res); err != nil {
				return err
			}
		case opNEWOBJ:
			if err := s.need(2, off, op); err != nil {
				return err
			}
			s.pop()
			s.stack[len(s.stack)-1] = otherValue
			s.rep.Calls++
		case opNEWOBJEX:
			if err := s.need(3, off, op); err != nil {
				return err
			}
			s.pop()
			s.pop()
			s.stack[len(s.stack)-1] = otherValue
			s.rep.Calls++
		case opOBJ:
			items, err := s.popMark(off, op)
			if err != nil {
				return err
			}
			if len(items) == 0 {
				return malformed(off, "OBJ without a class: stack underflow")
			}
			s.rep.Calls++
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		case opGET:
			k, err := s.lineInt(off, op)
			if err != nil {
				return err
			}
			if err := s.memoGet(k, off); err != nil {
				return err
			}
		case opBINGET, opLONGBINGET:
			k, err := s.le(argSize(op), off)
			if err != nil {
				return err
			}
			if err := s.memoGet(k, off); err != nil {
				return err
			}
		case opPUT:
			k, err := s.lineInt(off, op)
			if err != nil {
				return err
			}
			if err := s.memoPut(k, off); err != nil {
				return err
			}
		case opBINPUT, opLONGBINPUT:
			k, err := s.le(argSize(op), off)
			if err != nil {
				return err
			}
			if err := s.memoPut(k, off); err != nil {
				return err
			}
		case opMEMOIZE:
			if err := s.memoPut(uint64(s.memoN), off); err != nil {
				return err
			}
		case opPROTO:
			v, err := s.le(1, off)
			if err != nil {
				return err
			}
			if v > highestProtocol {
				return malformed(off, "unsupported pickle protocol %d (highest is %d)", v, highestProtocol)
			}
			s.rep.Protocol = max(s.rep.Protocol, int(v))
		case opFRAME:
			n, err := s.le(8, off)
			if err != nil {
				return err
			}
			if in.frameEnd >= 0 {
				return malformed(off, "FRAME inside the FRAME at offset %d", in.frameOff)
			}
			if n > math.MaxInt64-uint64(in.pos) {
				return malformed(off, "FRAME length %d is negative or larger than any stream", n)
			}
			in.frameOff = off
			in.frameEnd = in.pos + int64(n)
		case opEXT1, opEXT2, opEXT4:
			code, err := s.le(argSize(op), off)
			if err != nil {
				return err
			}
			c := int64(code)
			if op == opEXT4 {
				c = int64(int32(code))
			}
			if c <= 0 {
				return malformed(off, "%s code %d is not positive", opNames[op], c)
			}
			s.addImport("copyreg.extension", strconv.FormatInt(c, 10), opNames[op], off, Unknown)
			if err := s.push(off, otherValue); err != nil {
				return err
			}
		default:
			return malformed(off, "invalid opcode 0x%02x", op)
		}
	}
}

// reduce is the symbolic result of calling fn with args; it scans nested
// pickles handed to a loads-like callable.
func (s *scanner) reduce(fn, args value) (value, error) {
	if fn.kind != kGlobal || args.kind != kTuple {
		return otherValue, nil
	}
	switch {
	case isNestedLoader(fn.s, fn.name):
		for _, a := range args.items {
			if a.kind != kBytes && a.kind != kPyStr {
				continue
			}
			if s.depth+1 > maxNestedDepth {
				break
			}
			var r io.Reader = strings.NewReader(a.s)
			if a.trunc {
				// The kept prefix is followed by more data: a scan that
				// reaches its end is truncated, not malformed.
				r = io.MultiReader(r, bytes.NewReader([]byte{0}))
			}
			nested, err := scan(r, int64(len(a.s)), s.depth+1)
			if err != nil {
				return value{}, err
			}
			s.rep.Nested = append(s.rep.Nested, nested)
			break
		}
	case isBytesEncoder(fn.s, fn.name):
		if len(args.items) >= 1 && args.items[0].kind == kText {
			enc := "utf8"
			if len(args.items) >= 2 && isText(args.items[1]) {
				enc = normalizeEncoding(args.items[1].s)
			}
			if b, ok := encodeText(args.items[0].s, enc); ok {
				return value{kind: kBytes, s: b, trunc: args.items[0].trunc}, nil
			}
		}
	}
	return otherValue, nil
}

// argSize is the size of the fixed-width argument of op.
func argSize(op byte) int {
	switch op {
	case opBININT1, opBINGET, opBINPUT, opEXT1:
		return 1
	case opBININT2, opEXT2:
		return 2
	case opBININT, opLONGBINGET, opLONGBINPUT, opEXT4:
		return 4
	}
	return 8
}

func dataKind(op byte) kind {
	switch op {
	case opSHORTBINUNICODE, opBINUNICODE, opBINUNICODE8:
		return kText
	case opSHORTBINSTRING, opBINSTRING:
		return kPyStr
	}
	return kBytes
}

func isText(v value) bool { return v.kind == kText || v.kind == kPyStr }

// describe names an operand of STACK_GLOBAL that is not a string.
func describe(v value) string {
	if isText(v) {
		return v.s
	}
	return "<unresolved>"
}

// makeTuple keeps the items of a small tuple for REDUCE; a larger one
// is opaque.
func makeTuple(items []value) value {
	if len(items) > maxTupleItemsKept {
		return value{kind: kTuple}
	}
	return value{kind: kTuple, items: append([]value(nil), items...)}
}

// encodeText is codecs.encode(text, enc) for the codecs pickles use.
func encodeText(text, enc string) (string, bool) {
	switch enc {
	case "utf8":
		return text, true
	case "latin1", "iso88591", "l1", "ascii":
		out := make([]byte, 0, len(text))
		for _, r := range text {
			if r > 0xff || (enc == "ascii" && r > 0x7f) {
				return "", false
			}
			out = append(out, byte(r))
		}
		return string(out), true
	}
	return "", false
}

// unquotePy decodes the argument of STRING: a Python 2 str repr in
// single or double quotes with backslash escapes. A cut argument (trunc)
// need not end with its quote.
func unquotePy(b []byte, trunc bool) (string, bool) {
	if len(b) < 1 || (b[0] != '\'' && b[0] != '"') {
		return "", false
	}
	q := b[0]
	body := b[1:]
	if !trunc {
		if len(body) < 1 || body[len(body)-1] != q {
			return "", false
		}
		body = body[:len(body)-1]
	}
	var out []byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			out = append(out, c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, j := 0, i
			for ; j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7'; j++ {
				v = v*8 + int(body[j]-'0')
			}
			out = append(out, byte(v))
			i = j - 1
		case 'x':
			if i+2 < len(body) {
				if v, err := strconv.ParseUint(string(body[i+1:i+3]), 16, 8); err == nil {
					out = append(out, byte(v))
					i += 2
					continue
				}
			}
			out = append(out, '\\', e)
		case '\\', '\'', '"':
			out = append(out, e)
		default:
			out = append(out, '\\', e)
		}
	}
	return string(out), true
}

// decodeRawUnicodeEscape decodes the argument of UNICODE
// (raw-unicode-escape: Latin-1 bytes with \uXXXX and \UXXXXXXXX).
func decodeRawUnicodeEscape(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == 'u' || b[i+1] == 'U') {
			n := 4
			if b[i+1] == 'U' {
				n = 8
			}
			if i+2+n <= len(b) {
				if v, err := strconv.ParseUint(string(b[i+2:i+2+n]), 16, 32); err == nil && v <= utf8.MaxRune {
					sb.WriteRune(rune(v))
					i += 1 + n
					continue
				}
			}
		}
		sb.WriteRune(rune(b[i]))
	}
	return sb.String()
}
