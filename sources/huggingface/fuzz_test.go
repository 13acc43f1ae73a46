package huggingface

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles adds every JSON file of the test snapshot to a fuzz corpus.
func seedFiles(f *testing.F) {
	f.Helper()
	filepath.WalkDir(filepath.Join("testdata", "snap", "api"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	for _, s := range []string{"", "null", "{}", "[]", `{"gated":"manual","sha":123}`, `[{"type":"file","size":"x"}]`,
		`{"cardData":{"base_model":["a/b",{"x":1}]},"siblings":[{"rfilename":null}]}`, "\ufeff{}", `{"id":`} {
		f.Add([]byte(s))
	}
}

// FuzzParseAPI feeds arbitrary bytes to the parsers of the Hub's API
// answers: they must return a value or an error, never panic, and an
// error must say where the body went wrong.
func FuzzParseAPI(f *testing.F) {
	seedFiles(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if ri, err := parseRepoInfo(data); err == nil {
			gatedValue(ri.Gated)
			for _, tag := range ri.Tags {
				baseModelTag(tag)
			}
		} else if err.Error() == "" {
			t.Error("empty error")
		}
		if _, err := parseTree(data); err != nil && err.Error() == "" {
			t.Error("empty error")
		}
		if _, err := parseCommits(data); err != nil && err.Error() == "" {
			t.Error("empty error")
		}
	})
}

// FuzzSnapshotFile checks that no request path maps outside a snapshot.
func FuzzSnapshotFile(f *testing.F) {
	for _, s := range []string{"api/models/a/b", "a/b/resolve/main/README.md", "../etc/passwd", "a//b", "/abs", `a\..\b`, "a/./b", "api/x/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, ok := SnapshotFile(p)
		if !ok {
			return
		}
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel)))
		if clean != rel || strings.HasPrefix(clean, "../") || clean == ".." || filepath.IsAbs(rel) {
			t.Errorf("SnapshotFile(%q) = %q, which leaves the snapshot or is not clean", p, rel)
		}
	})
}

// FuzzNextLink checks the Link header reader on arbitrary values.
func FuzzNextLink(f *testing.F) {
	for _, s := range []string{`<https://huggingface.co/api/models/a/b/tree/main?cursor=x>; rel="next"`, `<a>; rel=next, <b>; rel="prev"`, `<`, `>;rel="next"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got := nextLink([]string{v}); got != "" && !strings.Contains(v, got) {
			t.Errorf("nextLink(%q) = %q, not a part of the header", v, got)
		}
	})
}
