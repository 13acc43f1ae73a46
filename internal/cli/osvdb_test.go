package cli_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOSVDBDownload(t *testing.T) {
	t.Parallel()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GHSA-x84v-xcm2-53pg.json")
	w.Write([]byte(`{"id":"GHSA-x84v-xcm2-53pg"}`))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/PyPI/all.zip":
			w.Write(zbuf.Bytes())
		case "/npm/all.zip":
			w.Write([]byte("not a zip"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()

	code, out, errOut := run(t, "osv-db", "download", "--base-url", srv.URL, dir, "PyPI")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, err := os.ReadFile(filepath.Join(dir, "osv-scalibr", "PyPI", "all.zip"))
	if err != nil || !bytes.Equal(got, zbuf.Bytes()) || !strings.Contains(out, "PyPI:") {
		t.Errorf("database not written: %v, %q", err, out)
	}

	for _, eco := range []string{"npm", "Go"} {
		code, _, errOut = run(t, "osv-db", "download", "--base-url", srv.URL, dir, eco)
		if code != 1 || !strings.Contains(errOut, eco) {
			t.Errorf("%s: exit %d, %q; want a runtime error naming it", eco, code, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "osv-scalibr", eco, "all.zip")); err == nil {
			t.Errorf("%s: a broken download was left in place", eco)
		}
	}
	if code, _, _ := run(t, "osv-db", "download", dir, "../x"); code != 2 {
		t.Errorf("bad ecosystem: exit %d, want 2", code)
	}
}
