package artifact

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pickle", name))
	if err != nil {
		t.Fatalf("read fixture (regenerate with python3 testdata/gen_pickles.py): %v", err)
	}
	return b
}

func imp(module, name string, v Verdict, op string) Import {
	return Import{Module: module, Name: name, Verdict: v, Opcode: op}
}

func TestScanPickleFixtures(t *testing.T) {
	t.Parallel()
	builtinsP2 := []Import{
		imp("_codecs", "encode", Safe, "GLOBAL"),
		imp("__builtin__", "bytearray", Safe, "GLOBAL"),
		imp("__builtin__", "set", Safe, "GLOBAL"),
		imp("__builtin__", "frozenset", Safe, "GLOBAL"),
		imp("collections", "OrderedDict", Safe, "GLOBAL"),
	}
	osSystem := &PickleReport{Protocol: 2, Opcodes: 7, Bytes: 31, Streams: 1, Calls: 1,
		Imports: []Import{{Module: "os", Name: "system", Verdict: Dangerous, Opcode: "GLOBAL", Offset: 2}}}
	tests := []struct {
		file      string
		want      []Import
		protocol  int
		streams   int
		calls     int64
		malformed string
		nested    []*PickleReport
		worst     Verdict
	}{
		{file: "plain_p0.pkl", want: builtinsP2, protocol: 0, streams: 1, calls: 6, worst: Safe},
		{file: "plain_p1.pkl", want: builtinsP2, protocol: 0, streams: 1, calls: 6, worst: Safe},
		{file: "plain_p2.pkl", want: builtinsP2, protocol: 2, streams: 1, calls: 6, worst: Safe},
		{file: "plain_p3.pkl", want: []Import{
			imp("builtins", "bytearray", Safe, "GLOBAL"),
			imp("builtins", "set", Safe, "GLOBAL"),
			imp("builtins", "frozenset", Safe, "GLOBAL"),
			imp("collections", "OrderedDict", Safe, "GLOBAL"),
		}, protocol: 3, streams: 1, calls: 4, worst: Safe},
		{file: "plain_p4.pkl", want: []Import{
			imp("builtins", "bytearray", Safe, "STACK_GLOBAL"),
			imp("collections", "OrderedDict", Safe, "STACK_GLOBAL"),
		}, protocol: 4, streams: 1, calls: 2, worst: Safe},
		{file: "plain_p5.pkl", want: []Import{imp("collections", "OrderedDict", Safe, "STACK_GLOBAL")},
			protocol: 5, streams: 1, calls: 1, worst: Safe},
		{file: "buffers_p5.pkl", protocol: 5, streams: 1, worst: Safe},
		{file: "opcodes_p0.pkl", want: []Import{imp("collections", "OrderedDict", Safe, "GLOBAL")},
			streams: 1, calls: 1, worst: Safe},
		{file: "newobj_ex.pkl", want: []Import{imp("collections", "OrderedDict", Safe, "STACK_GLOBAL")},
			protocol: 4, streams: 1, calls: 1, worst: Safe},
		{file: "ext.pkl", want: []Import{
			imp("copyreg.extension", "1", Unknown, "EXT1"),
			imp("copyreg.extension", "258", Unknown, "EXT2"),
			imp("copyreg.extension", "65536", Unknown, "EXT4"),
		}, protocol: 2, streams: 1, worst: Unknown},
		{file: "torch_state_dict.pkl", want: []Import{
			imp("collections", "OrderedDict", Safe, "GLOBAL"),
			imp("torch._utils", "_rebuild_tensor_v2", Safe, "GLOBAL"),
			imp("torch", "FloatStorage", Safe, "GLOBAL"),
		}, protocol: 2, streams: 1, calls: 5, worst: Safe},
		{file: "numpy_array.pkl", want: []Import{
			imp("numpy.core.multiarray", "_reconstruct", Safe, "GLOBAL"),
			imp("numpy", "ndarray", Safe, "GLOBAL"),
			imp("_codecs", "encode", Safe, "GLOBAL"),
			imp("numpy", "dtype", Safe, "GLOBAL"),
		}, protocol: 2, streams: 1, calls: 5, worst: Safe},
		{file: "joblib_wrapper.pkl", want: []Import{
			imp("joblib.numpy_pickle", "NumpyArrayWrapper", Safe, "STACK_GLOBAL"),
			imp("numpy", "ndarray", Safe, "STACK_GLOBAL"),
			imp("numpy", "dtype", Safe, "STACK_GLOBAL"),
		}, protocol: 4, streams: 1, calls: 3, worst: Safe},
		{file: "os_system_global.pkl", want: []Import{imp("os", "system", Dangerous, "GLOBAL")},
			streams: 1, calls: 1, worst: Dangerous},
		{file: "stack_global_memo.pkl", want: []Import{imp("posix", "system", Dangerous, "STACK_GLOBAL")},
			protocol: 4, streams: 1, calls: 1, worst: Dangerous},
		{file: "stack_global_computed.pkl", want: []Import{
			imp("builtins", "str", Safe, "GLOBAL"),
			imp("<unresolved>", "system", Dangerous, "STACK_GLOBAL"),
		}, protocol: 4, streams: 1, calls: 1, worst: Dangerous},
		{file: "inst_eval.pkl", want: []Import{imp("builtins", "eval", Dangerous, "INST")},
			streams: 1, worst: Dangerous},
		{file: "builtins_exec.pkl", want: []Import{imp("__builtin__", "exec", Dangerous, "GLOBAL")},
			protocol: 2, streams: 1, calls: 1, worst: Dangerous},
		{file: "nested_loads.pkl", want: []Import{imp("_pickle", "loads", Dangerous, "GLOBAL")},
			protocol: 3, streams: 1, calls: 1, nested: []*PickleReport{osSystem}, worst: Dangerous},
		{file: "nested_codecs.pkl", want: []Import{
			imp("pickle", "loads", Dangerous, "GLOBAL"),
			imp("_codecs", "encode", Safe, "GLOBAL"),
		}, protocol: 2, streams: 1, calls: 2, nested: []*PickleReport{osSystem}, worst: Dangerous},
		{file: "getattr_chain.pkl", want: []Import{
			imp("builtins", "getattr", Dangerous, "GLOBAL"),
			imp("builtins", "__import__", Dangerous, "GLOBAL"),
		}, streams: 1, calls: 3, worst: Dangerous},
		{file: "functools_partial.pkl", want: []Import{
			imp("functools", "partial", Dangerous, "GLOBAL"),
			imp("os", "system", Dangerous, "GLOBAL"),
		}, protocol: 4, streams: 1, calls: 2, worst: Dangerous},
		{file: "concatenated.pkl", want: []Import{imp("os", "system", Dangerous, "GLOBAL")},
			protocol: 2, streams: 2, calls: 1, worst: Dangerous},
		{file: "deep_mark.pkl", streams: 1, worst: Safe},
		{file: "empty.pkl", malformed: "empty", worst: Safe},
		{file: "truncated.pkl", want: []Import{imp("collections", "OrderedDict", Safe, "GLOBAL")},
			protocol: 2, streams: 1, calls: 1, malformed: "offset 60: unexpected end of data", worst: Safe},
		{file: "invalid_opcode.pkl", protocol: 2, streams: 1, malformed: "offset 2: invalid opcode 0xff", worst: Safe},
		{file: "binbytes8_huge.pkl", protocol: 4, streams: 1, malformed: "offset 13: unexpected end of data", worst: Safe},
		{file: "frame_past_end.pkl", protocol: 4, streams: 1,
			malformed: "offset 13: STOP inside the FRAME at offset 2, which declares bytes up to offset 1011", worst: Safe},
		{file: "frame_straddle.pkl", protocol: 4, streams: 1,
			malformed: "offset 13: the argument of this opcode runs past the end of the FRAME at offset 2 (frame ends at offset 14)", worst: Safe},
		{file: "stack_underflow.pkl", protocol: 2, streams: 1,
			malformed: "offset 2: REDUCE needs 2 values on the stack: stack underflow", worst: Safe},
		{file: "memo_missing.pkl", protocol: 2, streams: 1, malformed: "offset 2: memo key 5 is not defined", worst: Safe},
		{file: "negative_length.pkl", protocol: 2, streams: 1,
			malformed: "offset 2: BINSTRING has a negative byte count -1", worst: Safe},
		{file: "bad_proto.pkl", streams: 1, malformed: "offset 0: unsupported pickle protocol 9 (highest is 5)", worst: Safe},
		{file: "no_stop.pkl", protocol: 2, streams: 1, malformed: "offset 3: unexpected end of data", worst: Safe},
	}
	ignore := cmpopts.IgnoreFields(Import{}, "Offset")
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data := readFixture(t, tc.file)
			rep, err := ScanPickle(bytes.NewReader(data), 0)
			if err != nil {
				t.Fatalf("ScanPickle: %v", err)
			}
			if diff := cmp.Diff(tc.want, rep.Imports, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("imports (-want +got):\n%s", diff)
			}
			if rep.Malformed != tc.malformed {
				t.Errorf("Malformed = %q, want %q", rep.Malformed, tc.malformed)
			}
			if rep.Protocol != tc.protocol || rep.Streams != tc.streams || rep.Calls != tc.calls {
				t.Errorf("protocol, streams, calls = %d, %d, %d; want %d, %d, %d",
					rep.Protocol, rep.Streams, rep.Calls, tc.protocol, tc.streams, tc.calls)
			}
			if tc.malformed == "" && rep.Bytes != int64(len(data)) && tc.file != "concatenated.pkl" {
				t.Errorf("Bytes = %d, want %d", rep.Bytes, len(data))
			}
			if rep.Truncated {
				t.Errorf("Truncated = true for a stream read to its end")
			}
			if diff := cmp.Diff(tc.nested, rep.Nested, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("nested (-want +got):\n%s", diff)
			}
			if got := rep.Worst(); got != tc.worst {
				t.Errorf("Worst() = %s, want %s", got, tc.worst)
			}
		})
	}
}

func TestScanPickleOffsets(t *testing.T) {
	t.Parallel()
	rep, err := ScanPickle(bytes.NewReader(readFixture(t, "functools_partial.pkl")), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Import{
		{Module: "functools", Name: "partial", Verdict: Dangerous, Opcode: "GLOBAL", Offset: 2},
		{Module: "os", Name: "system", Verdict: Dangerous, Opcode: "GLOBAL", Offset: 21},
	}
	if diff := cmp.Diff(want, rep.Imports); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
}

func TestScanPickleConcatenatedStopsAtTrailingData(t *testing.T) {
	t.Parallel()
	data := readFixture(t, "concatenated.pkl")
	rep, err := ScanPickle(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Bytes != int64(len(data)-2) {
		t.Errorf("Bytes = %d, want %d (the two trailing bytes are not a pickle)", rep.Bytes, len(data)-2)
	}
	// A protocol 0 stream may be followed by any opcode.
	p0 := append(append([]byte{}, readFixture(t, "os_system_global.pkl")...), []byte("N.")...)
	rep, err = ScanPickle(bytes.NewReader(p0), 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Streams != 2 || rep.Malformed != "" {
		t.Errorf("Streams, Malformed = %d, %q; want 2, \"\"", rep.Streams, rep.Malformed)
	}
}

func TestScanPickleBudget(t *testing.T) {
	t.Parallel()
	data := readFixture(t, "torch_state_dict.pkl")
	tests := []struct {
		name      string
		limit     int64
		truncated bool
		malformed string
	}{
		{name: "budget ends inside the stream", limit: 60, truncated: true},
		{name: "budget ends at the STOP", limit: int64(len(data))},
		{name: "budget larger than the stream", limit: 1 << 20},
		{name: "budget of one byte", limit: 1, truncated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := ScanPickle(bytes.NewReader(data), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Truncated != tc.truncated || rep.Malformed != tc.malformed {
				t.Errorf("Truncated, Malformed = %v, %q; want %v, %q", rep.Truncated, rep.Malformed, tc.truncated, tc.malformed)
			}
			if rep.Bytes > tc.limit {
				t.Errorf("Bytes = %d, more than the limit %d", rep.Bytes, tc.limit)
			}
		})
	}
	// Trailing data after the last stream, with the budget ending right
	// after the STOP, is reported as truncated.
	more := append(append([]byte{}, data...), data...)
	rep, err := ScanPickle(bytes.NewReader(more), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Truncated || rep.Streams != 1 {
		t.Errorf("Truncated, Streams = %v, %d; want true, 1", rep.Truncated, rep.Streams)
	}
}

func TestScanPickleBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      []byte
		malformed string
	}{
		{name: "marks past the stack cap", data: bytes.Repeat([]byte{opMARK}, maxStackEntries+1),
			malformed: "offset 1000000: stack exceeds 1000000 entries"},
		{name: "pushes past the stack cap", data: bytes.Repeat([]byte{opNONE}, maxStackEntries+1),
			malformed: "offset 1000000: stack exceeds 1000000 entries"},
		{name: "memo past the cap", data: append([]byte{opNONE}, bytes.Repeat([]byte{opMEMOIZE}, maxMemoEntries+1)...),
			malformed: "offset 1000001: memo exceeds 1000000 entries"},
		{name: "FRAME length of 2^64-1", data: []byte("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xffN."),
			malformed: "offset 2: FRAME length 18446744073709551615 is negative or larger than any stream"},
		{name: "BINUNICODE8 length of 2^63", data: []byte("\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x80"),
			malformed: "offset 2: length 9223372036854775808 is negative or larger than any stream"},
		{name: "LONG4 negative length", data: []byte("\x80\x02\x8b\xff\xff\xff\xff."),
			malformed: "offset 2: LONG4 has a negative byte count -1"},
		{name: "FRAME inside a FRAME", data: []byte("\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00\x95\x01\x00\x00\x00\x00\x00\x00\x00N."),
			malformed: "offset 11: FRAME inside the FRAME at offset 2"},
		{name: "POP_MARK without MARK", data: []byte("N1."), malformed: "offset 1: POP_MARK without a MARK"},
		{name: "odd SETITEMS", data: []byte("}(Nu."), malformed: "offset 3: SETITEMS with an odd number (1) of keys and values"},
		{name: "bad PUT", data: []byte("Np-1\n."), malformed: "offset 1: PUT argument \"-1\" is not a non-negative integer"},
		{name: "unquoted STRING", data: []byte("Sabc\n."), malformed: "offset 0: STRING argument is not a quoted string"},
		{name: "EXT4 non-positive", data: []byte("\x84\x00\x00\x00\x00."), malformed: "offset 0: EXT4 code 0 is not positive"},
		{name: "STOP on empty stack", data: []byte("."), malformed: "offset 0: STOP needs 1 values on the stack: stack underflow"},
		{name: "unterminated GLOBAL", data: []byte("cos\nsys"), malformed: "offset 7: unexpected end of data"},
		{name: "frame ends early", data: []byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N"),
			malformed: "offset 12: data ends inside the FRAME at offset 2, which declares 16 bytes up to offset 27"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := ScanPickle(bytes.NewReader(tc.data), 0)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Malformed != tc.malformed {
				t.Errorf("Malformed = %q, want %q", rep.Malformed, tc.malformed)
			}
		})
	}
}

func TestScanPickleNestedDepthLimit(t *testing.T) {
	t.Parallel()
	p := []byte("cos\nsystem\n(S'id'\ntR.")
	for range maxNestedDepth + 2 {
		var b bytes.Buffer
		b.WriteString("\x80\x03c_pickle\nloads\nB")
		n := len(p)
		b.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
		b.Write(p)
		b.WriteString("\x85R.")
		p = b.Bytes()
	}
	rep, err := ScanPickle(bytes.NewReader(p), 0)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for r := rep; len(r.Nested) > 0; r = r.Nested[0] {
		depth++
	}
	if depth != maxNestedDepth {
		t.Errorf("nested depth = %d, want %d", depth, maxNestedDepth)
	}
}

func TestScanPickleLongBytesNested(t *testing.T) {
	t.Parallel()
	// A nested pickle longer than the kept prefix is scanned up to that
	// prefix and reported as truncated.
	inner := append([]byte("\x80\x02cos\nsystem\n"), bytes.Repeat([]byte("N0"), keepLong)...)
	inner = append(inner, '.')
	var b bytes.Buffer
	b.WriteString("\x80\x03c_pickle\nloads\nB")
	n := len(inner)
	b.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	b.Write(inner)
	b.WriteString("\x85R.")
	rep, err := ScanPickle(bytes.NewReader(b.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Nested) != 1 {
		t.Fatalf("Nested = %d reports, want 1", len(rep.Nested))
	}
	nr := rep.Nested[0]
	if !nr.Truncated || nr.Malformed != "" || len(nr.Imports) != 1 || nr.Imports[0].Verdict != Dangerous {
		t.Errorf("nested = %+v; want truncated with a dangerous os.system", nr)
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestScanPickleReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("\x80\x02"), failingReader{boom})
	if _, err := ScanPickle(r, 0); !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
	r = io.MultiReader(strings.NewReader("\x80\x02N"), failingReader{io.ErrUnexpectedEOF})
	rep, err := ScanPickle(r, 0)
	if err != nil || rep.Malformed != "offset 3: unexpected end of data" {
		t.Errorf("ScanPickle = %+v, %v; want a malformed report", rep, err)
	}
}

func FuzzScanPickle(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "pickle", "*.pkl"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:4096]
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 16
		rep, err := ScanPickle(bytes.NewReader(data), limit)
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		if rep.Bytes > limit || rep.Bytes > int64(len(data)) {
			t.Fatalf("Bytes = %d past the limit or the data (%d)", rep.Bytes, len(data))
		}
		if rep.Malformed != "" && rep.Truncated {
			t.Fatalf("both Malformed %q and Truncated", rep.Malformed)
		}
	})
}
