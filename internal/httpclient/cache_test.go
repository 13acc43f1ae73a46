package httpclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// validatingServer serves body with an ETag and Last-Modified, answering
// 304 to a matching If-None-Match. It records the conditional headers.
type validatingServer struct {
	*script
	etag     atomic.Value // string
	body     atomic.Value // string
	mu       sync.Mutex
	lastCond []string // If-None-Match, If-Modified-Since of the last request
}

func newValidatingServer(t *testing.T) *validatingServer {
	t.Helper()
	v := &validatingServer{}
	v.etag.Store(`"v1"`)
	v.body.Store("body v1")
	v.script = newScript(t, func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		v.lastCond = []string{r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")}
		v.mu.Unlock()
		etag := v.etag.Load().(string)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Sun, 01 Mar 2026 10:00:00 GMT")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session=abc")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte(v.body.Load().(string)))
	})
	return v
}

func (v *validatingServer) cond() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lastCond
}

func TestCacheFreshHitAcrossClients(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := newValidatingServer(t)
	first := newTestClient(t, Options{CacheDir: dir})
	resp, err := first.Get(t.Context(), srv.URL+"/m")
	if err != nil || resp.FromCache || string(resp.Body) != "body v1" {
		t.Fatalf("cold Get = %+v, %v", resp, err)
	}
	if st := first.Stats(); st.Bodies != 1 || st.Requests != 1 {
		t.Errorf("cold Stats = %+v", st)
	}

	// A warm re-run, as a new process would do it.
	warm := newTestClient(t, Options{CacheDir: dir})
	resp, err = warm.Get(t.Context(), srv.URL+"/m")
	if err != nil {
		t.Fatal(err)
	}
	want := &Response{URL: srv.URL + "/m", FinalURL: srv.URL + "/m", Status: 200, Body: []byte("body v1"), FromCache: true,
		Header: http.Header{
			"Etag":           {`"v1"`},
			"Last-Modified":  {"Sun, 01 Mar 2026 10:00:00 GMT"},
			"Content-Type":   {"application/json"},
			"Content-Length": {"7"},
			"Date":           resp.Header["Date"],
		}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("warm Response mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{CacheHits: 1}, warm.Stats()); diff != "" {
		t.Errorf("warm Stats mismatch (-want +got):\n%s", diff)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}

	// The entry sits at dir/xx/sha256(URL).
	sum := sha256.Sum256([]byte(srv.URL + "/m"))
	key := hex.EncodeToString(sum[:])
	if _, err := os.Stat(filepath.Join(dir, key[:2], key)); err != nil {
		t.Errorf("cache file not keyed by the URL digest: %v", err)
	}
}

func TestCacheRevalidation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newValidatingServer(t)
	c := newTestClient(t, Options{CacheDir: t.TempDir(), CacheTTL: time.Hour, Clock: clock.Now})
	if _, err := c.Get(t.Context(), srv.URL); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	resp, err := c.Get(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.FromCache || resp.Status != 200 || string(resp.Body) != "body v1" {
		t.Errorf("revalidated Response = %d %q from cache %v; want 200 from the cache", resp.Status, resp.Body, resp.FromCache)
	}
	if diff := cmp.Diff([]string{`"v1"`, "Sun, 01 Mar 2026 10:00:00 GMT"}, srv.cond()); diff != "" {
		t.Errorf("conditional headers mismatch (-want +got):\n%s", diff)
	}
	// The 304 refreshed the entry: it is fresh again.
	clock.Advance(30 * time.Minute)
	if _, err := c.Get(t.Context(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Stats{Requests: 2, Bodies: 1, NotModified: 1, CacheHits: 1}, c.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}

	// A changed resource replaces the entry.
	srv.etag.Store(`"v2"`)
	srv.body.Store("body v2")
	clock.Advance(2 * time.Hour)
	resp, err = c.Get(t.Context(), srv.URL)
	if err != nil || resp.FromCache || string(resp.Body) != "body v2" {
		t.Fatalf("Get after change = %+v, %v; want the new body from the network", resp, err)
	}
	resp, err = c.Get(t.Context(), srv.URL)
	if err != nil || !resp.FromCache || string(resp.Body) != "body v2" || resp.Header.Get("ETag") != `"v2"` {
		t.Fatalf("Get after replacement = %+v, %v; want the new body from the cache", resp, err)
	}
}

func TestCacheAlwaysRevalidate(t *testing.T) {
	t.Parallel()
	srv := newValidatingServer(t)
	c := newTestClient(t, Options{CacheDir: t.TempDir(), CacheTTL: -1})
	for range 3 {
		if _, err := c.Get(t.Context(), srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(Stats{Requests: 3, Bodies: 1, NotModified: 2}, c.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

func TestCacheSkipsErrorStatuses(t *testing.T) {
	t.Parallel()
	for _, code := range []int{404, 401, 500, 429} {
		srv := newScript(t, status(code, "no"))
		dir := t.TempDir()
		c := newTestClient(t, Options{CacheDir: dir, MaxRetries: -1})
		for range 2 {
			resp, err := c.Get(t.Context(), srv.URL)
			if err != nil || resp.Status != code || resp.FromCache {
				t.Fatalf("%d: Get = %+v, %v", code, resp, err)
			}
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("%d: server saw %d requests, want 2 (never cached)", code, got)
		}
		if files := cacheFiles(t, dir); len(files) != 0 {
			t.Errorf("%d: cache holds %v", code, files)
		}
	}
}

func TestCacheCorruptEntries(t *testing.T) {
	t.Parallel()
	corruptions := map[string]func([]byte) []byte{
		"garbage":         func([]byte) []byte { return []byte("not a cache entry at all") },
		"empty":           func([]byte) []byte { return nil },
		"truncated body":  func(b []byte) []byte { return b[:len(b)-2] },
		"truncated meta":  func(b []byte) []byte { return b[:len(cacheMagic)+10] },
		"flipped body":    func(b []byte) []byte { c := bytes.Clone(b); c[len(c)-1] ^= 1; return c },
		"bad json":        func(b []byte) []byte { return append([]byte(cacheMagic+"{\n"), b[len(cacheMagic):]...) },
		"other url entry": func(b []byte) []byte { return bytes.Replace(b, []byte(`"url":"http`), []byte(`"url":"xttp`), 1) },
	}
	for name, corrupt := range corruptions {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			srv := newScript(t, status(200, "payload"))
			c := newTestClient(t, Options{CacheDir: dir})
			if _, err := c.Get(t.Context(), srv.URL); err != nil {
				t.Fatal(err)
			}
			path := c.cache.path(srv.URL)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, corrupt(data), 0o600); err != nil {
				t.Fatal(err)
			}
			resp, err := c.Get(t.Context(), srv.URL)
			if err != nil || resp.FromCache || string(resp.Body) != "payload" {
				t.Fatalf("Get over a corrupt entry = %+v, %v; want a network answer", resp, err)
			}
			again, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decodeEntry(again); err != nil {
				t.Errorf("corrupt entry not overwritten: %v", err)
			}
		})
	}
}

func TestCacheConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := newValidatingServer(t)
	clients := []*Client{newTestClient(t, Options{CacheDir: dir, CacheTTL: -1}), newTestClient(t, Options{CacheDir: dir, CacheTTL: -1})}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			resp, err := clients[i%2].Get(t.Context(), srv.URL)
			if err != nil || string(resp.Body) != "body v1" {
				t.Errorf("Get = %+v, %v", resp, err)
			}
		})
	}
	wg.Wait()
	for _, f := range cacheFiles(t, dir) {
		if filepath.Base(f)[0] == '.' {
			t.Errorf("temporary file left behind: %s", f)
		}
	}
}

func TestCacheStoresRedirects(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := redirectServer(t, map[string][2]string{"/r": {"302", "/target"}})
	c := newTestClient(t, Options{CacheDir: dir})
	first, err := c.Get(t.Context(), srv.URL+"/r")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Get(t.Context(), srv.URL+"/r")
	if err != nil {
		t.Fatal(err)
	}
	if !second.FromCache || second.FinalURL != first.FinalURL || !cmp.Equal(first.Redirects, second.Redirects) {
		t.Errorf("cached Response = %+v, want the stored final URL and hops of %+v", second, first)
	}
}

func TestNewCacheDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{CacheDir: filepath.Join(file, "sub")}); err == nil {
		t.Error("New with a CacheDir under a file succeeded")
	}
	nested := filepath.Join(t.TempDir(), "a", "b")
	if _, err := New(Options{CacheDir: nested}); err != nil {
		t.Errorf("New with a missing nested CacheDir: %v", err)
	}
	if fi, err := os.Stat(nested); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("CacheDir created as %v, %v; want mode 0700", fi, err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	got, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, "pedigree", "http"); got != want {
		t.Errorf("DefaultCacheDir = %q, want %q", got, want)
	}
}

// cacheFiles lists every file under dir.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func FuzzDecodeEntry(f *testing.F) {
	valid, err := encodeEntry(&cacheEntry{
		meta: cacheMeta{URL: "https://h/x", FinalURL: "https://h/y", Status: 200, ETag: `"e"`,
			Header: map[string][]string{"Content-Type": {"text/plain"}}, StoredAt: time.Unix(1, 0).UTC()},
		body: []byte("hello"),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(cacheMagic))
	f.Add([]byte(cacheMagic + "{}\n"))
	f.Add([]byte(cacheMagic + `{"status":200,"stored_at":"2026-01-01T00:00:00Z","size":-1}` + "\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(data)
		if err != nil {
			return
		}
		if e.meta.Status < 200 || e.meta.Status > 299 || int64(len(e.body)) != e.meta.Size {
			t.Fatalf("decodeEntry accepted an inconsistent entry: %+v", e.meta)
		}
		again, err := encodeEntry(e)
		if err != nil {
			t.Fatalf("encodeEntry of a decoded entry: %v", err)
		}
		e2, err := decodeEntry(again)
		if err != nil || !bytes.Equal(e2.body, e.body) {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
	})
}
