package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/internal/httpfault"
)

// TestOSVDBDownloadFaults runs every fault of the suite against the OSV
// database download: it either writes the complete archive (a transient
// fault the client's retries absorb before the body) or fails naming the
// URL, and never leaves a file, whole or truncated, at the destination.
func TestOSVDBDownloadFaults(t *testing.T) {
	t.Parallel()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GHSA-x84v-xcm2-53pg.json")
	w.Write([]byte(`{"id":"GHSA-x84v-xcm2-53pg"}`))
	zw.Close()
	archive := zbuf.Bytes()
	bucket := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		w.Write(archive)
	})
	for _, f := range httpfault.All(httpfault.Options{Failures: 1, Stall: 5 * time.Second, Trickle: 50 * time.Millisecond, RetryAfter: "0"}) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httpfault.Serve(t, f, bucket)
			c, err := httpclient.New(httpclient.Options{Timeout: 300 * time.Millisecond, MaxRetries: 1,
				RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetryAfter: time.Second, RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "osv-scalibr", "PyPI", "all.zip")
			url := srv.URL + "/PyPI/all.zip"
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			n, err := downloadOSVDB(ctx, c.StandardClient(), url, dest, osvDBStallTimeout)
			if ctx.Err() != nil {
				t.Fatal("the download did not end before the test's deadline")
			}
			got, rerr := os.ReadFile(dest)
			if err == nil {
				if rerr != nil || !bytes.Equal(got, archive) || n != int64(len(archive)) {
					t.Errorf("download succeeded with %d bytes, file %d bytes (%v); want the whole archive", n, len(got), rerr)
				}
				t.Logf("fault %s: absorbed", f.Name)
				return
			}
			if rerr == nil {
				t.Errorf("the failed download left %d bytes at %s", len(got), dest)
			}
			// A failure before the body names the URL. One while reading
			// the body comes back as the reader's error ("unexpected EOF");
			// the command names the ecosystem around it.
			inBody := strings.HasPrefix(f.Name, "reset-mid-body") || strings.HasPrefix(f.Name, "truncated-content-length") || strings.HasPrefix(f.Name, "slow-loris")
			if !inBody && !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error %q does not name the URL", err)
			}
			entries, _ := os.ReadDir(filepath.Dir(dest))
			if len(entries) > 0 {
				t.Errorf("the failed download left %d temporary files", len(entries))
			}
			t.Logf("fault %s: failed: %v", f.Name, err)
		})
	}
}

// TestOSVDBDownloadStall checks the watchdog: a download whose attempt may
// take hours still ends when no byte arrives for the stall time, with an
// error naming the URL and what was received.
func TestOSVDBDownloadStall(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("PK"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	c, err := httpclient.New(httpclient.Options{Timeout: time.Hour, MaxRetries: 1, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "osv-scalibr", "PyPI", "all.zip")
	_, err = downloadOSVDB(context.Background(), c.StandardClient(), srv.URL+"/PyPI/all.zip", dest, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no data for 100ms after 2 bytes") || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("err = %v; want the stall named with the URL", err)
	}
	if _, serr := os.Stat(dest); serr == nil {
		t.Error("a stalled download left a file at the destination")
	}
}

// httptestServer starts a test server closed at the end of the test.
func httptestServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
