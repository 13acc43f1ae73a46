package huggingface_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
)

// remoteByte is the byte at offset i of every virtual file.
func remoteByte(i int64) byte { return byte(uint64(i)*2654435761>>13 ^ uint64(i)) }

// remoteBytes returns bytes [off, off+n) of a virtual file.
func remoteBytes(off, n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = remoteByte(off + int64(i))
	}
	return b
}

// virtualHub serves virtual files of any size without holding them: the
// Hub answers /o/n/resolve/SHA/FILE with a redirect to its CDN, and the CDN
// implements single byte ranges itself. It counts what the CDN sent.
type virtualHub struct {
	hub, cdn *httptest.Server
	size     atomic.Int64
	mode     atomic.Value // "", "ignore-range", "missing", "gated"
	requests atomic.Int64 // range answers of the CDN
	sent     atomic.Int64 // bytes of those answers
}

func newVirtualHub(t *testing.T, size int64) *virtualHub {
	t.Helper()
	v := &virtualHub{}
	v.size.Store(size)
	v.mode.Store("")
	v.cdn = httptest.NewServer(http.HandlerFunc(v.serveRange))
	t.Cleanup(v.cdn.Close)
	v.hub = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch v.mode.Load().(string) {
		case "missing":
			w.Header().Set("X-Error-Code", "EntryNotFound")
			w.WriteHeader(http.StatusNotFound)
			return
		case "gated":
			w.Header().Set("X-Error-Code", "GatedRepo")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !strings.Contains(r.URL.Path, "/resolve/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		http.Redirect(w, r, v.cdn.URL+"/xet"+r.URL.Path+"?sig=abc", http.StatusFound)
	}))
	t.Cleanup(v.hub.Close)
	return v
}

// serveRange answers one "bytes=A-B" or "bytes=A-" range of the virtual file.
func (v *virtualHub) serveRange(w http.ResponseWriter, r *http.Request) {
	size := v.size.Load()
	spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	if v.mode.Load().(string) == "ignore-range" || !ok {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		return // the body is never wanted
	}
	a, b, _ := strings.Cut(spec, "-")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if b == "" {
		end, err2 = size-1, nil
	}
	if err1 != nil || err2 != nil || end < start {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if start >= size {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	end = min(end, size-1)
	n := end - start + 1
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusPartialContent)
	w.Write(remoteBytes(start, n))
	v.requests.Add(1)
	v.sent.Add(n)
}

// store returns an Online store for v's Hub.
func (v *virtualHub) store(t *testing.T) *huggingface.Online {
	t.Helper()
	o, err := huggingface.NewOnline(huggingface.OnlineOptions{
		Endpoint:     v.hub.URL,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		MaxRetries:   1,
		RateLimit:    -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

const remotePath = "o/n/resolve/0123456789abcdef0123456789abcdef01234567/model.safetensors"

func TestRemoteFileReadAt(t *testing.T) {
	t.Parallel()
	const size = 4*huggingface.RemoteBlockSize + 1234
	const bs = huggingface.RemoteBlockSize
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("size known %v", known), func(t *testing.T) {
			t.Parallel()
			v := newVirtualHub(t, size)
			given := int64(-1)
			if known {
				given = size
			}
			f, err := v.store(t).OpenFile(t.Context(), remotePath, given, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			if f.Size() != size {
				t.Fatalf("Size = %d, want %d", f.Size(), size)
			}
			tests := []struct {
				name    string
				off     int64
				n       int
				wantN   int
				wantEOF bool
			}{
				{"head", 0, 8, 8, false},
				{"across a boundary", bs - 6, 20, 20, false},
				{"three blocks", bs - 1, bs + 2, bs + 2, false},
				{"up to the end", size - 10, 10, 10, false},
				{"past the end", size - 10, 30, 10, true},
				{"at the end", size, 5, 0, true},
				{"far past the end", size + 5*bs, 5, 0, true},
				{"whole file and more", 0, size + 100, size, true},
			}
			for _, tt := range tests {
				p := make([]byte, tt.n)
				n, err := f.ReadAt(p, tt.off)
				if n != tt.wantN || (err == io.EOF) != tt.wantEOF || (err != nil && err != io.EOF) {
					t.Errorf("%s: ReadAt = %d, %v; want %d bytes, EOF %v", tt.name, n, err, tt.wantN, tt.wantEOF)
					continue
				}
				if !bytes.Equal(p[:n], remoteBytes(tt.off, int64(n))) {
					t.Errorf("%s: wrong bytes", tt.name)
				}
			}
			if got := f.Fetched(); got != size {
				t.Errorf("Fetched = %d, want %d (each block once)", got, size)
			}
			before := v.requests.Load()
			p := make([]byte, 100)
			if _, err := f.ReadAt(p, 3*bs-50); err != nil {
				t.Fatal(err)
			}
			if v.requests.Load() != before || f.Fetched() != size {
				t.Error("a cached block was fetched again")
			}
		})
	}
}

func TestRemoteFileEmpty(t *testing.T) {
	t.Parallel()
	v := newVirtualHub(t, 0)
	for _, given := range []int64{0, -1} {
		f, err := v.store(t).OpenFile(t.Context(), remotePath, given, 1<<20)
		if err != nil {
			t.Fatalf("size %d: %v", given, err)
		}
		if n, err := f.ReadAt(make([]byte, 4), 0); n != 0 || err != io.EOF || f.Size() != 0 {
			t.Errorf("size %d: ReadAt = %d, %v, Size %d; want 0, EOF, 0", given, n, err, f.Size())
		}
	}
}

func TestRemoteFileBudget(t *testing.T) {
	t.Parallel()
	const bs = huggingface.RemoteBlockSize
	v := newVirtualHub(t, 10*bs)
	f, err := v.store(t).OpenFile(t.Context(), remotePath, 10*bs, 2*bs)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 16)
	if _, err := f.ReadAt(p, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(p, bs+8); err != nil {
		t.Fatal(err)
	}
	// A third block is over the budget.
	if n, err := f.ReadAt(p, 5*bs); n != 0 || !errors.Is(err, huggingface.ErrBudget) {
		t.Errorf("ReadAt of a third block = %d, %v; want 0, ErrBudget", n, err)
	}
	// A read running from cached into missing blocks returns the cached part.
	big := make([]byte, bs)
	n, err := f.ReadAt(big, 2*bs-100)
	if n != 100 || !errors.Is(err, huggingface.ErrBudget) || !bytes.Equal(big[:n], remoteBytes(2*bs-100, 100)) {
		t.Errorf("ReadAt across the budget = %d, %v; want the 100 cached bytes and ErrBudget", n, err)
	}
	// Cached blocks stay readable.
	if n, err := f.ReadAt(big, 0); n != bs || err != nil {
		t.Errorf("ReadAt of a cached block = %d, %v", n, err)
	}
	if got := f.Fetched(); got != 2*bs {
		t.Errorf("Fetched = %d, want %d", got, 2*bs)
	}
	if got := v.sent.Load(); got != 2*bs {
		t.Errorf("server sent %d bytes, want %d", got, 2*bs)
	}
}

func TestRemoteFileConcurrent(t *testing.T) {
	t.Parallel()
	const bs = huggingface.RemoteBlockSize
	const size = 12*bs + 77
	v := newVirtualHub(t, size)
	f, err := v.store(t).OpenFile(t.Context(), remotePath, size, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 32 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 20 {
				off := rng.Int64N(size)
				p := make([]byte, 1+rng.IntN(3*bs))
				n, err := f.ReadAt(p, off)
				if err != nil && err != io.EOF {
					errs <- err
					return
				}
				if want := min(int64(len(p)), size-off); int64(n) != want || !bytes.Equal(p[:n], remoteBytes(off, int64(n))) {
					errs <- fmt.Errorf("ReadAt(%d bytes at %d) = %d bytes, wrong", len(p), off, n)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every block was downloaded at most once.
	if got := v.sent.Load(); got != f.Fetched() || got > size {
		t.Errorf("server sent %d bytes, Fetched = %d, file size %d: a block was fetched twice", got, f.Fetched(), size)
	}
}

// TestRemoteFileLargeFile reads what a weight inspector reads of a 10 GB
// file (a safetensors header at the start, a zip end record and central
// directory at the end) and checks that it costs a few blocks.
func TestRemoteFileLargeFile(t *testing.T) {
	t.Parallel()
	const size = 10 << 30
	v := newVirtualHub(t, size)
	f, err := v.store(t).OpenFile(t.Context(), remotePath, size, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	reads := []struct {
		name string
		off  int64
		n    int64
	}{
		{"header length", 0, 8},
		{"JSON header", 8, 100_000},
		{"end of central directory", size - 22, 22},
		{"end record search window", size - 22 - 65535, 65535 + 22},
		{"central directory", size - 22 - 65535 - 300_000, 300_000},
	}
	for _, r := range reads {
		p := make([]byte, r.n)
		n, err := f.ReadAt(p, r.off)
		if err != nil || int64(n) != r.n || !bytes.Equal(p, remoteBytes(r.off, r.n)) {
			t.Fatalf("%s: ReadAt = %d, %v", r.name, n, err)
		}
	}
	fetched, requests := f.Fetched(), v.requests.Load()
	t.Logf("10 GiB file: header + central directory fetched %d bytes (%d blocks) in %d range requests", fetched, fetched/huggingface.RemoteBlockSize, requests)
	if fetched > 10*huggingface.RemoteBlockSize || requests > 6 {
		t.Errorf("reading the header and the tail cost %d bytes in %d requests, want at most 10 blocks in 6 requests", fetched, requests)
	}
}

func TestRemoteFileErrors(t *testing.T) {
	t.Parallel()
	const bs = huggingface.RemoteBlockSize
	tests := []struct {
		name  string
		mode  string
		given int64
		is    error
	}{
		{"missing", "missing", -1, sources.ErrNotFound},
		{"gated", "gated", -1, sources.ErrUnauthorized},
		{"no ranges", "ignore-range", -1, httpclient.ErrNoRange},
		{"stale size", "", 3 * bs, sources.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVirtualHub(t, 5*bs)
			v.mode.Store(tt.mode)
			f, err := v.store(t).OpenFile(t.Context(), remotePath, tt.given, 1<<20)
			if err == nil {
				_, err = f.ReadAt(make([]byte, 10), 0)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestRemoteFileOpenRejects(t *testing.T) {
	t.Parallel()
	v := newVirtualHub(t, 100)
	o := v.store(t)
	for _, tt := range []struct {
		path         string
		size, budget int64
	}{
		{"api/models/o/n", -1, 100},
		{"o/n/../../etc/passwd", -1, 100},
		{"/o/n/resolve/x/f", -1, 100},
		{"o/n/raw/x/f", -1, 100},
		{remotePath, -1, 0},
		{remotePath, -2, 100},
	} {
		if _, err := o.OpenFile(t.Context(), tt.path, tt.size, tt.budget); err == nil {
			t.Errorf("OpenFile(%q, %d, %d) succeeded", tt.path, tt.size, tt.budget)
		}
	}
	if got := v.requests.Load(); got != 0 {
		t.Errorf("%d requests sent for rejected opens", got)
	}
}

func TestDirOpenFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	write := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Acme/Tiny/resolve/abc/model.safetensors", "weights!")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "Acme", "Tiny", "resolve", "abc", "escape.bin")); err != nil {
		t.Fatal(err)
	}
	d, err := huggingface.Snapshot(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"Acme/Tiny/resolve/abc/model.safetensors", "acme/tiny/resolve/abc/model.safetensors"} {
		f, size, err := d.OpenFile(p)
		if err != nil {
			t.Fatalf("OpenFile(%q): %v", p, err)
		}
		body, err := io.ReadAll(f)
		f.Close()
		if err != nil || string(body) != "weights!" || size != 8 {
			t.Errorf("OpenFile(%q) = %q, %d bytes, %v", p, body, size, err)
		}
	}
	tests := []struct {
		path string
		is   []error
	}{
		{"Acme/Tiny/resolve/abc/missing.bin", []error{sources.ErrNotFound, sources.ErrOffline}},
		{"Acme/Tiny/resolve/abc", []error{sources.ErrNotFound, sources.ErrOffline}},
		{"Acme/Tiny/resolve/abc/escape.bin", nil},
		{"Acme/../../x", []error{sources.ErrMalformed}},
		{"api/models/Acme/Tiny", []error{sources.ErrMalformed}},
	}
	for _, tt := range tests {
		f, _, err := d.OpenFile(tt.path)
		if err == nil {
			f.Close()
			t.Errorf("OpenFile(%q) succeeded", tt.path)
			continue
		}
		for _, is := range tt.is {
			if !errors.Is(err, is) {
				t.Errorf("OpenFile(%q) error = %v, want %v", tt.path, err, is)
			}
		}
	}
}
