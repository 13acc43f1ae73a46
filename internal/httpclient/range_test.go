package httpclient

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rangeContent is the resource the range servers serve.
var rangeContent = func() []byte {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}()

// serveContent answers with rangeContent, honouring Range headers.
func serveContent(w http.ResponseWriter, r *http.Request) {
	http.ServeContent(w, r, "weights.bin", time.Unix(0, 0), bytes.NewReader(rangeContent))
}

func TestGetRange(t *testing.T) {
	t.Parallel()
	srv := newScript(t, serveContent)
	c := newTestClient(t, Options{CacheDir: t.TempDir()})
	tests := []struct {
		name      string
		off, n    int64
		wantStart int64
		wantLen   int
	}{
		{"head", 0, 8, 0, 8},
		{"middle", 100, 300, 100, 300},
		{"exact tail", 990, 10, 990, 10},
		{"past the end", 990, 64, 990, 10},
		{"last byte", 999, 1, 999, 1},
		{"whole", 0, 1000, 0, 1000},
	}
	var total int64
	for _, tt := range tests {
		data, size, err := c.GetRange(t.Context(), srv.URL+"/f", tt.off, tt.n)
		if err != nil {
			t.Fatalf("%s: GetRange: %v", tt.name, err)
		}
		if size != int64(len(rangeContent)) {
			t.Errorf("%s: total = %d, want %d", tt.name, size, len(rangeContent))
		}
		if want := rangeContent[tt.wantStart : tt.wantStart+int64(tt.wantLen)]; !bytes.Equal(data, want) {
			t.Errorf("%s: got %d bytes, want %d bytes at %d", tt.name, len(data), tt.wantLen, tt.wantStart)
		}
		total += int64(tt.wantLen)
	}
	st := c.Stats()
	if diff := cmp.Diff(Stats{Requests: int64(len(tests)), RangeRequests: int64(len(tests)), RangeBytes: total}, st); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	// Each range answer is cached: a repeat is served from the disk, and
	// a range not asked before goes to the network.
	if files := cacheFiles(t, c.cache.dir); len(files) != len(tests) {
		t.Errorf("%d range answers cached, want %d", len(files), len(tests))
	}
	data, size, err := c.GetRange(t.Context(), srv.URL+"/f", tests[0].off, tests[0].n)
	if err != nil || size != int64(len(rangeContent)) || len(data) != tests[0].wantLen {
		t.Fatalf("cached repeat = %d bytes, total %d, %v", len(data), size, err)
	}
	if got := srv.hits.Load(); got != int64(len(tests)) {
		t.Errorf("server saw %d requests after a cached repeat, want %d", got, len(tests))
	}
	if _, _, err := c.GetRange(t.Context(), srv.URL+"/f", 1, 3); err != nil {
		t.Fatal(err)
	}
	if got := srv.hits.Load(); got != int64(len(tests))+1 {
		t.Errorf("server saw %d requests, want %d", got, len(tests)+1)
	}
}

func TestGetRangeServerIgnoresRange(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var written int
	// The whole body is far larger than the client would read: the client
	// must give up on the status alone.
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(64<<20))
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 32<<10)
		for range 2048 {
			n, err := w.Write(chunk)
			mu.Lock()
			written += n
			mu.Unlock()
			if err != nil {
				return
			}
		}
	})
	c := newTestClient(t, Options{})
	data, total, err := c.GetRange(t.Context(), srv.URL, 0, 100)
	if !errors.Is(err, ErrNoRange) || data != nil || total != -1 {
		t.Fatalf("GetRange = %d bytes, %d, %v; want ErrNoRange", len(data), total, err)
	}
	if st := c.Stats(); st.RangeBytes != 0 || st.RangeRequests != 1 || st.Retries != 0 {
		t.Errorf("Stats = %+v", st)
	}
	srv.Close() // waits for the handler
	mu.Lock()
	defer mu.Unlock()
	if written >= 64<<20 {
		t.Errorf("the server could write the whole %d byte body: the client read it", written)
	}
}

func TestGetRangeBadAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"wrong start", withHeaders(206, "0123456789", "Content-Range", "bytes 10-19/1000")},
		{"longer than asked", withHeaders(206, "0123456789abcdef", "Content-Range", "bytes 0-15/1000")},
		{"short before the end", withHeaders(206, "01234", "Content-Range", "bytes 0-4/1000")},
		{"short with unknown total", withHeaders(206, "01234", "Content-Range", "bytes 0-4/*")},
		{"no Content-Range", withHeaders(206, "0123456789")},
		{"garbage Content-Range", withHeaders(206, "0123456789", "Content-Range", "bytes=0-9")},
		{"end past total", withHeaders(206, "0123456789", "Content-Range", "bytes 0-9/5")},
		{"other unit", withHeaders(206, "0123456789", "Content-Range", "items 0-9/1000")},
		{"body longer than range", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Range", "bytes 0-9/1000")
			w.Header().Set("Content-Length", "12")
			w.WriteHeader(206)
			w.Write([]byte("0123456789ab"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tt.handler)
			c := newTestClient(t, Options{})
			data, _, err := c.GetRange(t.Context(), srv.URL, 0, 10)
			if !errors.Is(err, errBadRange) || data != nil {
				t.Fatalf("GetRange = %q, %v; want a mismatch error", data, err)
			}
			if got := srv.hits.Load(); got != 1 {
				t.Errorf("server saw %d requests, want 1 (a mismatch is not retried)", got)
			}
		})
	}
}

func TestGetRangeUnknownTotal(t *testing.T) {
	t.Parallel()
	srv := newScript(t, withHeaders(206, "0123456789", "Content-Range", "bytes 0-9/*"))
	c := newTestClient(t, Options{})
	data, total, err := c.GetRange(t.Context(), srv.URL, 0, 10)
	if err != nil || string(data) != "0123456789" || total != -1 {
		t.Fatalf("GetRange = %q, %d, %v; want the bytes and total -1", data, total, err)
	}
}

func TestGetRangeNotSatisfiable(t *testing.T) {
	t.Parallel()
	srv := newScript(t, serveContent)
	c := newTestClient(t, Options{})
	data, total, err := c.GetRange(t.Context(), srv.URL, 1000, 10)
	if !errors.Is(err, ErrRange) || data != nil || total != 1000 {
		t.Fatalf("GetRange past the end = %q, %d, %v; want ErrRange with total 1000", data, total, err)
	}
	bare := newScript(t, status(416, ""))
	if _, total, err := c.GetRange(t.Context(), bare.URL, 5, 10); !errors.Is(err, ErrRange) || total != -1 {
		t.Errorf("416 without Content-Range = %d, %v; want ErrRange with total -1", total, err)
	}
}

func TestGetRangeStatuses(t *testing.T) {
	t.Parallel()
	for _, code := range []int{404, 401, 403, 500} {
		srv := newScript(t, withHeaders(code, "no", "X-Error-Code", "EntryNotFound"))
		c := newTestClient(t, Options{MaxRetries: 1})
		_, _, err := c.GetRange(t.Context(), srv.URL+"/x", 0, 10)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != code || se.Header.Get("X-Error-Code") != "EntryNotFound" || se.URL != srv.URL+"/x" {
			t.Errorf("%d: GetRange error = %#v, want a StatusError", code, err)
		}
	}
}

func TestGetRangeRetriesTruncatedBody(t *testing.T) {
	t.Parallel()
	cut := func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/1000\r\nContent-Length: 10\r\n\r\n01234")
		buf.Flush()
		conn.Close()
	}
	srv := newScript(t, cut, serveContent)
	c := newTestClient(t, Options{})
	data, total, err := c.GetRange(t.Context(), srv.URL, 0, 10)
	if err != nil || !bytes.Equal(data, rangeContent[:10]) || total != 1000 {
		t.Fatalf("GetRange = %q, %d, %v; want the bytes after a retry", data, total, err)
	}
	st := c.Stats()
	st.Waited = 0 // the backoff's jitter
	if diff := cmp.Diff(Stats{Requests: 2, Retries: 1, RangeRequests: 1, RangeBytes: 10}, st); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

func TestGetRangeRedirectDropsToken(t *testing.T) {
	t.Parallel()
	const token = "hf_RANGE_t0ken_k2"
	type seen struct{ Auth, Range string }
	var mu sync.Mutex
	var log []seen
	record := func(r *http.Request) {
		mu.Lock()
		log = append(log, seen{r.Header.Get("Authorization"), r.Header.Get("Range")})
		mu.Unlock()
	}
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		serveContent(w, r)
	}))
	t.Cleanup(cdn.Close)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Redirect(w, r, cdn.URL+"/blob?sig=1", http.StatusFound)
	}))
	t.Cleanup(hub.Close)
	c := newTestClient(t, Options{Token: token, TokenHosts: []string{hub.Listener.Addr().String()}})
	data, total, err := c.GetRange(t.Context(), hub.URL+"/o/n/resolve/main/model.safetensors", 500, 20)
	if err != nil || !bytes.Equal(data, rangeContent[500:520]) || total != 1000 {
		t.Fatalf("GetRange = %q, %d, %v", data, total, err)
	}
	want := []seen{{"Bearer " + token, "bytes=500-519"}, {"", "bytes=500-519"}}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("requests seen mismatch (-want +got):\n%s", diff)
	}
}

func TestGetRangeRejectsBadArguments(t *testing.T) {
	t.Parallel()
	srv := newScript(t, serveContent)
	c := newTestClient(t, Options{MaxBodySize: 100})
	tests := []struct {
		name   string
		url    string
		off, n int64
		is     error
	}{
		{"negative offset", srv.URL, -1, 10, nil},
		{"zero length", srv.URL, 0, 0, nil},
		{"negative length", srv.URL, 0, -5, nil},
		{"overflow", srv.URL, 1<<63 - 10, 20, nil},
		{"over the body limit", srv.URL, 0, 101, ErrTooLarge},
		{"relative URL", "/f", 0, 10, nil},
	}
	for _, tt := range tests {
		_, _, err := c.GetRange(t.Context(), tt.url, tt.off, tt.n)
		if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: GetRange error = %v, want an error (is %v)", tt.name, err, tt.is)
		}
	}
	if got := srv.hits.Load(); got != 0 {
		t.Errorf("server saw %d requests, want none", got)
	}
}

func TestParseContentRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ContentRange
		ok   bool
	}{
		{"bytes 0-9/100", ContentRange{0, 9, 100}, true},
		{"bytes 0-9/*", ContentRange{0, 9, -1}, true},
		{"bytes */100", ContentRange{-1, -1, 100}, true},
		{"BYTES 5-5/6", ContentRange{5, 5, 6}, true},
		{"  bytes 1-2/3 ", ContentRange{1, 2, 3}, true},
		{"bytes 0-9223372036854775806/9223372036854775807", ContentRange{0, 1<<63 - 2, 1<<63 - 1}, true},
		{"bytes */*", ContentRange{}, false},
		{"bytes 9-0/100", ContentRange{}, false},
		{"bytes 0-100/100", ContentRange{}, false},
		{"bytes -1-9/100", ContentRange{}, false},
		{"bytes +1-9/100", ContentRange{}, false},
		{"bytes 0-9/100/7", ContentRange{}, false},
		{"bytes 0-9", ContentRange{}, false},
		{"bytes 0-9223372036854775808/*", ContentRange{}, false},
		{"bytes=0-9/100", ContentRange{}, false},
		{"items 0-9/100", ContentRange{}, false},
		{"bytes 0 -9/100", ContentRange{}, false},
		{"", ContentRange{}, false},
		{"bytes " + strings.Repeat("1", 200) + "-2/3", ContentRange{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseContentRange(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseContentRange(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{
		"bytes 0-9/100", "bytes 0-9/*", "bytes */100", "bytes */*", "bytes 9-0/10",
		"bytes 0-99999999999999999999/*", "bytes  1-2/3", "Bytes 0-0/1", "bytes -/", "bytes 1-/2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, ok := ParseContentRange(s)
		if !ok {
			return
		}
		if cr.Total < -1 {
			t.Fatalf("ParseContentRange(%q) total %d", s, cr.Total)
		}
		if cr.Start < 0 {
			if cr.Start != -1 || cr.End != -1 || cr.Total < 0 {
				t.Fatalf("ParseContentRange(%q) = %+v: an unsatisfied range needs a total", s, cr)
			}
		} else if cr.End < cr.Start || (cr.Total >= 0 && cr.End >= cr.Total) {
			t.Fatalf("ParseContentRange(%q) = %+v: inconsistent", s, cr)
		}
		again, ok := ParseContentRange(cr.String())
		if !ok || again != cr {
			t.Fatalf("ParseContentRange(%q) = %+v does not round-trip through %q", s, cr, cr.String())
		}
	})
}
