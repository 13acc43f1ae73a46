package catalog_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/catalog"
	"github.com/pedigree-ai/pedigree/sources"
)

// seedCatalogs adds the test catalogs and a few hostile inputs to a
// fuzz corpus.
func seedCatalogs(f *testing.F) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "\ufeff", "\r\n", "#", "ref\n\"", "ref,ref\n", "{", "{}\n[]", "{\"ref\":{}}",
		"hf:a/b\nhf:a/b", "ref\n\"a\nb\"\n", "\x00", "hf:a/b #c", "ref\thf\n", `{"ref":"hf:a/b","x":1e999}`} {
		f.Add([]byte(s))
	}
}

// checkEntries checks what every reader promises of its entries.
func checkEntries(t *testing.T, name string, entries []catalog.Entry) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Where == "" {
			t.Errorf("entry %+v has no position", e)
		}
		if e.Err != nil {
			var ee *catalog.EntryError
			if !errors.As(e.Err, &ee) || ee.File != name {
				t.Errorf("%s: error %v is not an EntryError naming %s", e.Where, e.Err, name)
			}
			if e.Ref != "" {
				t.Errorf("%s: entry with an error has ref %q", e.Where, e.Ref)
			}
			continue
		}
		s, err := sources.ParseRef(e.Ref)
		if err != nil {
			t.Errorf("%s: ref %q is not one ParseRef accepts: %v", e.Where, e.Ref, err)
			continue
		}
		key := strings.ToLower(s.ID())
		if seen[key] && s.Path == "" {
			t.Errorf("%s: ref %q names a subject already listed", e.Where, e.Ref)
		}
		seen[key] = true
		if name == "a.csv" {
			for k, v := range e.Labels {
				if !utf8.ValidString(k) || !utf8.ValidString(v) {
					t.Errorf("%s: label %q=%q is not UTF-8", e.Where, k, v)
				}
			}
		}
	}
}

func fuzzReader(f *testing.F, name string, read func([]byte) ([]catalog.Entry, error)) {
	seedCatalogs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := read(data)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error")
			}
			return
		}
		checkEntries(t, name, entries)
	})
}

func FuzzReadText(f *testing.F) {
	fuzzReader(f, "a.txt", func(b []byte) ([]catalog.Entry, error) { return catalog.ReadText(bytes.NewReader(b), "a.txt") })
}

func FuzzReadCSV(f *testing.F) {
	fuzzReader(f, "a.csv", func(b []byte) ([]catalog.Entry, error) { return catalog.ReadCSV(bytes.NewReader(b), "a.csv") })
}

func FuzzReadJSONL(f *testing.F) {
	fuzzReader(f, "a.jsonl", func(b []byte) ([]catalog.Entry, error) { return catalog.ReadJSONL(bytes.NewReader(b), "a.jsonl") })
}

func FuzzRead(f *testing.F) {
	fuzzReader(f, "a", func(b []byte) ([]catalog.Entry, error) { return catalog.Read(bytes.NewReader(b), "a") })
}

func FuzzParseHubSearch(f *testing.F) {
	for _, s := range []string{"hf-search:author=x", "hf-search:filter=a&filter=b&limit=3", "hf-search:", "hf-search:%", "hf:a/b",
		"hf-search:sort=downloads&direction=-1&limit=1", "hf-search:dataset=a/b&gated=true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		q, ok, err := catalog.ParseHubSearch(ref)
		if !strings.HasPrefix(strings.TrimSpace(ref), catalog.HubSearchPrefix) {
			if ok || err != nil {
				t.Fatalf("not a search, got %v, %v", ok, err)
			}
			return
		}
		if !ok {
			t.Fatal("a search read as none")
		}
		if err != nil {
			return
		}
		if q.Limit < 0 || q.Limit > catalog.MaxEntries {
			t.Errorf("limit %d out of range", q.Limit)
		}
		for k := range q.Params {
			switch k {
			case "author", "search", "filter", "pipeline_tag", "gated", "sort", "direction":
			default:
				t.Errorf("parameter %q is not one of the Hub's listing parameters", k)
			}
		}
	})
}
