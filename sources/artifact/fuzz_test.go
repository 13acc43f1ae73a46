package artifact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFormats adds the fixtures whose names end in one of exts to the
// seed corpus, each with a generous and a tight budget.
func seedFormats(f *testing.F, exts ...string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "formats", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		keep := false
		for _, e := range exts {
			keep = keep || strings.HasSuffix(name, e)
		}
		if !keep {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint32(1<<20))
		f.Add(data, uint32(len(data)/2))
	}
	f.Add([]byte{}, uint32(0))
}

// checkBudget fails when more than budget bytes were read.
func checkBudget(t *testing.T, cr *countingReader, budget int64) {
	t.Helper()
	if n := cr.n.Load(); n > budget {
		t.Fatalf("read %d bytes with a budget of %d", n, budget)
	}
}

func FuzzSafetensors(f *testing.F) {
	seedFormats(f, ".safetensors")
	f.Fuzz(func(t *testing.T, data []byte, budget uint32) {
		cr := &countingReader{r: bytes.NewReader(data)}
		InspectSafetensors(cr, int64(len(data)), int64(budget))
		checkBudget(t, cr, int64(budget))
	})
}

func FuzzGGUF(f *testing.F) {
	seedFormats(f, ".gguf")
	f.Fuzz(func(t *testing.T, data []byte, budget uint32) {
		cr := &countingReader{r: bytes.NewReader(data)}
		rep := InspectGGUF(cr, int64(len(data)), int64(budget))
		checkBudget(t, cr, int64(budget))
		ChatTemplateFindings(rep.ChatTemplate)
	})
}

func FuzzZip(f *testing.F) {
	seedFormats(f, ".pt", ".zip", ".keras", ".npz")
	f.Fuzz(func(t *testing.T, data []byte, budget uint32) {
		cr := &countingReader{r: bytes.NewReader(data)}
		z := InspectZip(cr, int64(len(data)), int64(budget), fakeScan)
		checkBudget(t, cr, int64(budget))
		cr = &countingReader{r: bytes.NewReader(data)}
		InspectKerasZip(z, cr, int64(budget))
		checkBudget(t, cr, int64(budget))
	})
}

func FuzzNumpy(f *testing.F) {
	seedFormats(f, ".npy")
	f.Fuzz(func(t *testing.T, data []byte, budget uint32) {
		cr := &countingReader{r: bytes.NewReader(data)}
		InspectNumpy(cr, int64(len(data)), int64(budget), fakeScan)
		checkBudget(t, cr, int64(budget))
	})
}

func FuzzH5(f *testing.F) {
	seedFormats(f, ".h5")
	f.Fuzz(func(t *testing.T, data []byte, budget uint32) {
		cr := &countingReader{r: bytes.NewReader(data)}
		InspectH5(cr, int64(len(data)), int64(budget))
		checkBudget(t, cr, int64(budget))
	})
}

func FuzzChatTemplate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "templates", "*.jinja"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("{{ ''.__class__ }}{% raw %}{{{% endraw %}{# x")
	f.Add("{% if %}{{ '")
	f.Fuzz(func(t *testing.T, tmpl string) {
		ChatTemplateFindings(tmpl)
	})
}
