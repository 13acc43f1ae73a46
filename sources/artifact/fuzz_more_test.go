package artifact

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// inspectFormats are the formats Inspect reads, as the detector names them.
var inspectFormats = []string{"safetensors", "gguf", "pickle", "pickle_zip", "zip", "keras", "numpy", "h5"}

// fixtureFormat is the format a fixture in testdata/formats is detected as.
func fixtureFormat(name string) int {
	ext := filepath.Ext(name)
	for i, f := range inspectFormats {
		switch {
		case ext == ".safetensors" && f == "safetensors",
			ext == ".gguf" && f == "gguf",
			ext == ".pt" && f == "pickle_zip",
			ext == ".zip" && f == "zip",
			ext == ".keras" && f == "keras",
			(ext == ".npy" || ext == ".npz") && f == "numpy",
			ext == ".h5" && f == "h5":
			return i
		}
	}
	return 2 // pickle: empty.bin and the rest
}

// FuzzInspect feeds arbitrary bytes, as any format, to Inspect, the entry
// point the sources call for every weight file: it reads at most its
// budget, reports what it read, and gives the same report twice.
func FuzzInspect(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "formats", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures in testdata/formats: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		i := uint8(fixtureFormat(name))
		f.Add(data, i, uint32(1<<20))
		f.Add(data, i, uint32(len(data)/3))
	}
	f.Add([]byte("\x80\x02cos\nsystem\n(S'id'\ntR."), uint8(2), uint32(0))
	f.Add([]byte("PK\x05\x06"+strings.Repeat("\x00", 18)), uint8(5), uint32(64))
	f.Fuzz(func(t *testing.T, data []byte, format uint8, budget uint32) {
		name := inspectFormats[int(format)%len(inspectFormats)]
		cr := &countingReader{r: bytes.NewReader(data)}
		rep := Inspect(name, cr, int64(len(data)), int64(budget))
		if rep == nil {
			t.Fatalf("Inspect(%q) = nil for a format it reads", name)
		}
		limit := int64(budget)
		if limit <= 0 {
			limit = DefaultBudget
		}
		if n := cr.n.Load(); n > limit || rep.BytesRead != n {
			t.Fatalf("Inspect(%q) read %d bytes, reported %d, budget %d", name, n, rep.BytesRead, limit)
		}
		if rep.Verdict == "" || !strings.HasPrefix(rep.Digest, "sha256:") || len(rep.Digest) != len("sha256:")+64 {
			t.Fatalf("Inspect(%q): verdict %q, digest %q", name, rep.Verdict, rep.Digest)
		}
		for _, m := range rep.Malformed {
			if m == "" {
				t.Fatalf("Inspect(%q): empty malformed note in %q", name, rep.Malformed)
			}
		}
		again := Inspect(name, bytes.NewReader(data), int64(len(data)), int64(budget))
		if !reflect.DeepEqual(rep, again) {
			t.Fatalf("Inspect(%q) differs between two runs:\n%+v\n%+v", name, rep, again)
		}
	})
}
