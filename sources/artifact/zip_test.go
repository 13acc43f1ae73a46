package artifact

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeScan is a PickleScanner for the container tests: it reads the
// stream up to limit and reports an os.system import when it sees one.
func fakeScan(r io.Reader, limit int64) (*PickleReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit))
	rep := &PickleReport{Bytes: int64(len(data)), Streams: 1}
	if bytes.Contains(data, []byte("cos\nsystem\n")) {
		rep.Imports = append(rep.Imports, Import{Module: "os", Name: "system", Verdict: Dangerous, Opcode: "GLOBAL"})
	}
	if bytes.Contains(data, []byte("ccollections\nOrderedDict\n")) {
		rep.Imports = append(rep.Imports, Import{Module: "collections", Name: "OrderedDict", Verdict: Safe, Opcode: "GLOBAL"})
	}
	if int64(len(data)) == limit {
		var one [1]byte
		if n, _ := r.Read(one[:]); n > 0 {
			rep.Truncated = true
		}
	}
	return rep, err
}

// fixture reads a generated fixture.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "formats", name))
	if err != nil {
		t.Fatalf("reading fixture %s (regenerate with go run testdata/gen_formats.go): %v", name, err)
	}
	return data
}

// countingReaderAt counts the bytes read through it.
type countingReader struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// hasReason reports whether a reason of list contains want.
func hasReason(list []string, want string) bool {
	for _, r := range list {
		if strings.Contains(r, want) {
			return true
		}
	}
	return false
}

// imports lists the imports of the pickle reports, "entry: module.name".
func pickleImports(m map[string]*PickleReport) []string {
	var out []string
	for name, p := range m {
		for _, im := range p.Imports {
			out = append(out, name+": "+im.Module+"."+im.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestInspectZip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		kind      string
		entries   int
		imports   []string
		malformed []string // substrings, one reason each; none when empty
	}{
		{file: "pytorch.pt", kind: ZipPyTorch, entries: 5, imports: []string{"model/data.pkl: collections.OrderedDict"}},
		{file: "pytorch_zip64.pt", kind: ZipPyTorch, entries: 5, imports: []string{"model/data.pkl: collections.OrderedDict"}},
		{file: "pytorch_stdlib_deflate.pt", kind: ZipPyTorch, entries: 3, imports: []string{"archive/data.pkl: collections.OrderedDict"}},
		{file: "pytorch_evil.pt", kind: ZipPyTorch, entries: 3, imports: []string{"archive/data.pkl: os.system", "archive/extra.pkl: collections.OrderedDict"}},
		{file: "pytorch_truncated.pt", kind: ZipPlain, malformed: []string{"no zip end of central directory record"}},
		{file: "empty.bin", kind: ZipPlain, malformed: []string{"too short"}},
		{file: "zip_plain.zip", kind: ZipPlain, entries: 1},
		{file: "zip_traversal.zip", kind: ZipPlain, entries: 6, imports: []string{"../../etc/evil.pkl: collections.OrderedDict"}, malformed: []string{
			"path traversal", "absolute name", "NUL byte", "drive letter", "appears more than once",
		}},
		{file: "zip_huge_entry.zip", kind: ZipPyTorch, entries: 2, imports: []string{"archive/data.pkl: collections.OrderedDict"}, malformed: []string{
			"declares 1152921504606846976 uncompressed bytes", "zip bomb",
		}},
		{file: "zip_overlap_bomb.zip", kind: ZipPlain, entries: 200, malformed: []string{"overlap", "zip bomb"}},
		{file: "arrays.npz", kind: ZipNumpy, entries: 2, imports: []string{"obj.npy: os.system"}},
		{file: "lambda.keras", kind: ZipKeras, entries: 3},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			rep := InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
			if rep.Kind != tt.kind {
				t.Errorf("Kind = %q, want %q", rep.Kind, tt.kind)
			}
			if len(rep.Entries) != tt.entries {
				t.Errorf("%d entries, want %d", len(rep.Entries), tt.entries)
			}
			if diff := cmp.Diff(tt.imports, pickleImports(rep.Pickles)); diff != "" {
				t.Errorf("pickle imports (-want +got):\n%s", diff)
			}
			for _, w := range tt.malformed {
				if !hasReason(rep.Malformed, w) {
					t.Errorf("Malformed = %q, want a reason containing %q", rep.Malformed, w)
				}
			}
			if len(tt.malformed) == 0 && len(rep.Malformed) > 0 {
				t.Errorf("Malformed = %q, want none", rep.Malformed)
			}
		})
	}
}

func TestInspectZipBudget(t *testing.T) {
	t.Parallel()
	data := fixture(t, "pytorch.pt")
	tests := []struct {
		budget    int64
		truncated bool
	}{
		{budget: 10, truncated: true},
		{budget: int64(len(data)) - 1, truncated: true},
		{budget: 1 << 20, truncated: false},
	}
	for _, tt := range tests {
		cr := &countingReader{r: bytes.NewReader(data)}
		rep := InspectZip(cr, int64(len(data)), tt.budget, fakeScan)
		if got := cr.n.Load(); got > tt.budget {
			t.Errorf("budget %d: read %d bytes", tt.budget, got)
		}
		if rep.Truncated != tt.truncated {
			t.Errorf("budget %d: Truncated = %v, want %v (malformed %q)", tt.budget, rep.Truncated, tt.truncated, rep.Malformed)
		}
	}
}

func TestInspectZipEntries(t *testing.T) {
	t.Parallel()
	data := fixture(t, "pytorch.pt")
	rep := InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
	want := []ZipEntry{
		{Name: "model/data.pkl", CompressedSize: 34, Size: 34, Offset: 0},
		{Name: "model/byteorder", CompressedSize: 6, Size: 6, Offset: 78},
	}
	if diff := cmp.Diff(want, rep.Entries[:2], cmp.AllowUnexported(ZipEntry{})); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestBadZipName(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"archive/data.pkl": false, "a/../b": true, "..": true, "..\\x": true, "/etc/passwd": true,
		"\\x": true, "c:x": true, "a\x00": true, "": true, "..a/b..": false,
	}
	for name, bad := range tests {
		if got := badZipName(name) != ""; got != bad {
			t.Errorf("badZipName(%q) = %q, want bad=%v", name, badZipName(name), bad)
		}
	}
}

// sparseTorchZip writes a PyTorch-shaped zip of about size bytes to a file
// in dir: a small data.pkl first, one stored tensor blob whose content is
// a hole (no disk used) and the central directory at the end.
func sparseTorchZip(tb testing.TB, dir string, size int64) string {
	tb.Helper()
	pkl := []byte("\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01.")
	name := filepath.Join(dir, "sparse.pt")
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	le := binary.LittleEndian
	local := func(name string, n uint32) []byte {
		h := make([]byte, 30, 30+len(name))
		copy(h, "PK\x03\x04")
		le.PutUint16(h[4:], 20)
		le.PutUint32(h[18:], n)
		le.PutUint32(h[22:], n)
		le.PutUint16(h[26:], uint16(len(name)))
		return append(h, name...)
	}
	central := func(name string, n, off uint32) []byte {
		h := make([]byte, 46, 46+len(name))
		copy(h, "PK\x01\x02")
		le.PutUint16(h[4:], 20)
		le.PutUint16(h[6:], 20)
		le.PutUint32(h[20:], n)
		le.PutUint32(h[24:], n)
		le.PutUint16(h[28:], uint16(len(name)))
		le.PutUint32(h[42:], off)
		return append(h, name...)
	}
	var head bytes.Buffer
	head.Write(local("archive/data.pkl", uint32(len(pkl))))
	head.Write(pkl)
	blobOff := uint32(head.Len())
	blobHeader := local("archive/data/0", 0)
	blobSize := uint32(size) - uint32(head.Len()) - uint32(len(blobHeader)) - 200
	head.Write(local("archive/data/0", blobSize))
	if _, err := f.Write(head.Bytes()); err != nil {
		tb.Fatal(err)
	}
	cdOff := int64(head.Len()) + int64(blobSize)
	var cd bytes.Buffer
	cd.Write(central("archive/data.pkl", uint32(len(pkl)), 0))
	cd.Write(central("archive/data/0", blobSize, blobOff))
	eocd := make([]byte, 22)
	copy(eocd, "PK\x05\x06")
	le.PutUint16(eocd[8:], 2)
	le.PutUint16(eocd[10:], 2)
	le.PutUint32(eocd[12:], uint32(cd.Len()))
	le.PutUint32(eocd[16:], uint32(cdOff))
	cd.Write(eocd)
	if _, err := f.WriteAt(cd.Bytes(), cdOff); err != nil {
		tb.Fatal(err)
	}
	return name
}

func BenchmarkInspectPyTorchZip(b *testing.B) {
	name := sparseTorchZip(b, b.TempDir(), 1<<30)
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	var read int64
	for b.Loop() {
		cr := &countingReader{r: f}
		rep := InspectZip(cr, info.Size(), 64<<20, ScanPickle)
		if rep.Kind != ZipPyTorch || len(rep.Pickles) != 1 || len(rep.Malformed) != 0 {
			b.Fatalf("report: kind %q, %d pickles, malformed %q", rep.Kind, len(rep.Pickles), rep.Malformed)
		}
		read = cr.n.Load()
	}
	b.ReportMetric(float64(read), "bytes-read/op")
	b.ReportMetric(float64(info.Size()), "file-bytes")
}

func TestSparseTorchZip(t *testing.T) {
	t.Parallel()
	name := sparseTorchZip(t, t.TempDir(), 1<<20)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rep := InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
	if diff := cmp.Diff([]string{"archive/data.pkl: collections.OrderedDict"}, pickleImports(rep.Pickles)); diff != "" || len(rep.Malformed) != 0 {
		t.Errorf("imports (-want +got):\n%s\nmalformed %q", diff, rep.Malformed)
	}
}

func TestInspectZipInflateBudget(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range 10 {
		f, err := w.Create(fmt.Sprintf("archive/%d.pkl", i))
		if err != nil {
			t.Fatal(err)
		}
		f.Write(make([]byte, 1<<20))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	const budget = 3 << 19
	rep := InspectZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), budget, fakeScan)
	var scanned int64
	for _, p := range rep.Pickles {
		scanned += p.Bytes
	}
	if scanned > budget || !rep.Truncated {
		t.Errorf("scanned %d inflated bytes with a budget of %d, Truncated = %v; want at most the budget, truncated", scanned, budget, rep.Truncated)
	}
}
