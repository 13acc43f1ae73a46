package httpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestGetRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		maxRetries   int
		steps        []http.HandlerFunc
		wantStatus   int
		wantBody     string
		wantErr      error
		wantRequests int64
		wantRetries  int64
	}{
		{"5xx then success", 0, []http.HandlerFunc{status(500, "x"), status(502, "x"), status(200, "ok")}, 200, "ok", nil, 3, 2},
		{"503 after retries", 2, []http.HandlerFunc{status(503, "busy")}, 503, "busy", nil, 3, 2},
		{"429 after retries", 1, []http.HandlerFunc{status(429, "slow down")}, 429, "slow down", nil, 2, 1},
		{"501 not retried", 0, []http.HandlerFunc{status(501, "nope")}, 501, "nope", nil, 1, 0},
		{"404 not retried", 0, []http.HandlerFunc{status(404, "missing")}, 404, "missing", nil, 1, 0},
		{"401 not retried", 0, []http.HandlerFunc{status(401, "who")}, 401, "who", nil, 1, 0},
		{"no retries", -1, []http.HandlerFunc{status(500, "x"), status(200, "ok")}, 500, "x", nil, 1, 0},
		{"connection reset then success", 0, []http.HandlerFunc{reset, status(200, "ok")}, 200, "ok", nil, 2, 1},
		{"connection reset always", 2, []http.HandlerFunc{reset}, 0, "", ErrTransport, 3, 2},
		{"truncated body then success", 0, []http.HandlerFunc{truncated, status(200, "ok")}, 200, "ok", nil, 2, 1},
		{"truncated body always", 1, []http.HandlerFunc{truncated}, 0, "", io.ErrUnexpectedEOF, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tt.steps...)
			c := newTestClient(t, Options{MaxRetries: tt.maxRetries})
			resp, err := c.Get(t.Context(), srv.URL+"/x")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Get error = %v, want %v", err, tt.wantErr)
				}
				if errors.Is(tt.wantErr, io.ErrUnexpectedEOF) && !errors.Is(err, ErrTransport) {
					t.Errorf("truncated body error %v is not ErrTransport", err)
				}
			} else {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if resp.Status != tt.wantStatus || string(resp.Body) != tt.wantBody {
					t.Errorf("Get = %d %q, want %d %q", resp.Status, resp.Body, tt.wantStatus, tt.wantBody)
				}
			}
			st := c.Stats()
			if st.Requests != tt.wantRequests || st.Retries != tt.wantRetries {
				t.Errorf("Stats: %d requests, %d retries; want %d, %d", st.Requests, st.Retries, tt.wantRequests, tt.wantRetries)
			}
			if got := srv.hits.Load(); got != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

func TestGetHeadersAndResponse(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Repo-Commit", "abc")
		w.Write([]byte(`{}`))
	})
	c := newTestClient(t, Options{UserAgent: "pedigree/test", Token: "tok"})
	resp, err := c.Get(t.Context(), srv.URL+"/api/models/x")
	if err != nil {
		t.Fatal(err)
	}
	if ua := got.Get("User-Agent"); ua != "pedigree/test" {
		t.Errorf("User-Agent = %q", ua)
	}
	if a := got.Get("Authorization"); a != "" {
		t.Errorf("Authorization sent with empty TokenHosts: %q", a)
	}
	want := &Response{URL: srv.URL + "/api/models/x", FinalURL: srv.URL + "/api/models/x", Status: 200, Body: []byte(`{}`)}
	if diff := cmp.Diff(want, resp, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Header" }, cmp.Ignore())); diff != "" {
		t.Errorf("Response mismatch (-want +got):\n%s", diff)
	}
	if resp.Header.Get("X-Repo-Commit") != "abc" {
		t.Errorf("header X-Repo-Commit = %q", resp.Header.Get("X-Repo-Commit"))
	}
	st := c.Stats()
	if st.Bodies != 1 || st.Requests != 1 {
		t.Errorf("Stats = %+v, want 1 body, 1 request", st)
	}
}

func TestGetBadURL(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Options{})
	for _, u := range []string{"", "ftp://x/y", "/relative", "http://", "://bad"} {
		if _, err := c.Get(t.Context(), u); err == nil {
			t.Errorf("Get(%q) succeeded, want an error", u)
		}
	}
}

func TestGetTimeout(t *testing.T) {
	t.Parallel()
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	stallBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(200)
		w.Write([]byte("01234"))
		w.(http.Flusher).Flush()
		stall(w, r)
	}
	for name, h := range map[string]http.HandlerFunc{"headers": stall, "body": stallBody} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, h)
			c := newTestClient(t, Options{Timeout: 50 * time.Millisecond, MaxRetries: 1})
			start := time.Now()
			_, err := c.Get(t.Context(), srv.URL)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("Get error = %v, want ErrTimeout", err)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("per-attempt timeout %v reads as the caller's deadline", err)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("Get took %s", el)
			}
			if st := c.Stats(); st.Requests != 2 {
				t.Errorf("Requests = %d, want 2 (one retry)", st.Requests)
			}
		})
	}
}

func TestGetTooLarge(t *testing.T) {
	t.Parallel()
	const size = 50 << 20
	stream := func(declare bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if declare {
				w.Header().Set("Content-Length", strconv.Itoa(size))
			}
			chunk := make([]byte, 64<<10)
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}
	for name, h := range map[string]http.HandlerFunc{"chunked": stream(false), "content-length": stream(true)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, h)
			c := newTestClient(t, Options{MaxBodySize: 1 << 20})
			start := time.Now()
			_, err := c.Get(t.Context(), srv.URL)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Get error = %v, want ErrTooLarge", err)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("Get took %s", el)
			}
			if st := c.Stats(); st.Requests != 1 || st.Retries != 0 {
				t.Errorf("Stats = %+v, want one request and no retry", st)
			}
		})
	}
	t.Run("at the limit", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, status(200, "12345"))
		c := newTestClient(t, Options{MaxBodySize: 5})
		resp, err := c.Get(t.Context(), srv.URL)
		if err != nil || string(resp.Body) != "12345" {
			t.Fatalf("Get = %v, %v; want the 5-byte body", resp, err)
		}
	})
}

// redirectServer serves a redirect map: path -> (status, Location); other
// paths answer 200 with their path.
func redirectServer(t *testing.T, hops map[string][2]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := hops[r.URL.Path]; ok {
			code, _ := strconv.Atoi(h[0])
			w.Header().Set("Location", h[1])
			w.WriteHeader(code)
			return
		}
		w.Write([]byte(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGetRedirects(t *testing.T) {
	t.Parallel()
	var base string
	srv := redirectServer(t, map[string][2]string{
		"/a":    {"301", "/b"},
		"/b":    {"302", "c"}, // relative to /b
		"/c":    {"307", "/d?q=1"},
		"/d":    {"308", "/final#frag"},
		"/x":    {"302", "/y"},
		"/y":    {"302", "/x"},
		"/ftp":  {"302", "ftp://example.com/file"},
		"/none": {"302", ""},
	})
	base = srv.URL
	c := newTestClient(t, Options{})
	resp, err := c.Get(t.Context(), base+"/a")
	if err != nil {
		t.Fatal(err)
	}
	want := []Redirect{
		{From: base + "/a", To: base + "/b", Status: 301},
		{From: base + "/b", To: base + "/c", Status: 302},
		{From: base + "/c", To: base + "/d?q=1", Status: 307},
		{From: base + "/d?q=1", To: base + "/final", Status: 308},
	}
	if diff := cmp.Diff(want, resp.Redirects); diff != "" {
		t.Errorf("Redirects mismatch (-want +got):\n%s", diff)
	}
	if resp.FinalURL != base+"/final" || resp.URL != base+"/a" || string(resp.Body) != "/final" || resp.Status != 200 {
		t.Errorf("Response = %s -> %s %d %q", resp.URL, resp.FinalURL, resp.Status, resp.Body)
	}
	if st := c.Stats(); st.Requests != 5 {
		t.Errorf("Requests = %d, want 5 (each hop)", st.Requests)
	}

	for _, path := range []string{"/x", "/ftp"} {
		if _, err := c.Get(t.Context(), base+path); !errors.Is(err, ErrRedirect) {
			t.Errorf("Get(%s) error = %v, want ErrRedirect", path, err)
		}
	}
	short := newTestClient(t, Options{MaxRedirects: 2})
	if _, err := short.Get(t.Context(), base+"/a"); !errors.Is(err, ErrRedirect) {
		t.Errorf("4 hops with MaxRedirects 2: error = %v, want ErrRedirect", err)
	}
	none := newTestClient(t, Options{MaxRedirects: -1})
	resp, err = none.Get(t.Context(), base+"/a")
	if err != nil || resp.Status != 301 || resp.Header.Get("Location") != "/b" || len(resp.Redirects) != 0 {
		t.Errorf("MaxRedirects -1: Get = %+v, %v; want the 301 itself", resp, err)
	}
	resp, err = c.Get(t.Context(), base+"/none")
	if err != nil || resp.Status != 302 {
		t.Errorf("302 without Location: Get = %+v, %v; want the 302 itself", resp, err)
	}
}

func TestGetRedirectDropsToken(t *testing.T) {
	t.Parallel()
	const token = "hf_redirect_token"
	var mu sync.Mutex
	seen := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name+r.URL.Path] = r.Header.Get("Authorization")
			mu.Unlock()
		}
	}
	other := httptest.NewServer(record("other"))
	t.Cleanup(other.Close)
	var hub *httptest.Server
	hub = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			record("hub")(w, r)
			http.Redirect(w, r, "/same", http.StatusFound)
		case "/same":
			record("hub")(w, r)
			http.Redirect(w, r, other.URL+"/cdn", http.StatusFound)
		}
	}))
	t.Cleanup(hub.Close)
	c := newTestClient(t, Options{Token: token, TokenHosts: []string{hub.Listener.Addr().String()}})
	if _, err := c.Get(t.Context(), hub.URL+"/start"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"hub/start": "Bearer " + token, "hub/same": "Bearer " + token, "other/cdn": ""}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("Authorization per hop mismatch (-want +got):\n%s", diff)
	}
}

func TestGetServerRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("429 with Retry-After above the cap gives up at once", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, withHeaders(429, "", "Retry-After", "3600"))
		c := newTestClient(t, Options{MaxRetryAfter: time.Second})
		start := time.Now()
		_, err := c.Get(t.Context(), srv.URL+"/a")
		if !errors.Is(err, ErrRateLimited) {
			t.Fatalf("Get error = %v, want ErrRateLimited", err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("gave up after %s, want at once", el)
		}
		// The host stays paused: the next request is refused without a request.
		if _, err := c.Get(t.Context(), srv.URL+"/b"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("second Get error = %v, want ErrRateLimited", err)
		}
		if st := c.Stats(); st.Requests != 1 || st.Waited != 0 {
			t.Errorf("Stats = %+v, want 1 request and no wait", st)
		}
	})
	t.Run("503 with Retry-After above the cap gives up at once", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, withHeaders(503, "", "Retry-After", "120"))
		c := newTestClient(t, Options{MaxRetryAfter: time.Second})
		if _, err := c.Get(t.Context(), srv.URL); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("Get error = %v, want ErrRateLimited", err)
		}
	})
	t.Run("429 with RateLimit t is waited for", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, withHeaders(429, "", "RateLimit", `"api";r=0;t=1`), status(200, "ok"))
		c := newTestClient(t, Options{MaxRetryAfter: 2 * time.Second})
		start := time.Now()
		resp, err := c.Get(t.Context(), srv.URL)
		if err != nil || resp.Status != 200 {
			t.Fatalf("Get = %v, %v; want 200", resp, err)
		}
		if el := time.Since(start); el < 900*time.Millisecond {
			t.Errorf("retried after %s, want the server's 1s", el)
		}
		if st := c.Stats(); st.Retries != 1 || st.Waited < time.Second {
			t.Errorf("Stats = %+v, want 1 retry and >= 1s waited", st)
		}
	})
	t.Run("429 with RateLimit t above the cap gives up at once", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, withHeaders(429, "", "RateLimit", `"api";r=0;t=189`))
		c := newTestClient(t, Options{MaxRetryAfter: time.Second})
		if _, err := c.Get(t.Context(), srv.URL); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("Get error = %v, want ErrRateLimited", err)
		}
	})
	t.Run("success with r=0 pauses the host until t", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		srv := newScript(t, withHeaders(200, "ok", "RateLimit", `"api";r=0;t=120`), status(200, "ok"))
		c := newTestClient(t, Options{MaxRetryAfter: time.Second, Clock: clock.Now})
		if _, err := c.Get(t.Context(), srv.URL+"/1"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(t.Context(), srv.URL+"/2"); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("Get after r=0 = %v, want ErrRateLimited", err)
		}
		clock.Advance(121 * time.Second)
		if _, err := c.Get(t.Context(), srv.URL+"/3"); err != nil {
			t.Fatalf("Get after the reset: %v", err)
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("server saw %d requests, want 2", got)
		}
	})
	t.Run("RateLimit-Policy tightens the budget", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		srv := newScript(t, withHeaders(200, "ok", "RateLimit-Policy", `"fixed window";"api";q=2;w=3600`))
		c := newTestClient(t, Options{MaxRetryAfter: time.Second, Clock: clock.Now})
		for i := range 2 {
			if _, err := c.Get(t.Context(), srv.URL); err != nil {
				t.Fatalf("Get %d: %v", i, err)
			}
		}
		if _, err := c.Get(t.Context(), srv.URL); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("third Get = %v, want ErrRateLimited (server quota 2 per hour)", err)
		}
	})
}

func TestGetClientBudget(t *testing.T) {
	t.Parallel()
	t.Run("wait above MaxRetryAfter fails at once", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock()
		srv := newScript(t, status(200, "ok"))
		c := newTestClient(t, Options{RateLimit: 2, RateWindow: time.Minute, MaxRetryAfter: time.Second, Clock: clock.Now})
		for i := range 2 {
			if _, err := c.Get(t.Context(), srv.URL); err != nil {
				t.Fatalf("Get %d: %v", i, err)
			}
		}
		start := time.Now()
		if _, err := c.Get(t.Context(), srv.URL); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("third Get = %v, want ErrRateLimited", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("refusal took %s", el)
		}
		clock.Advance(time.Minute)
		if _, err := c.Get(t.Context(), srv.URL); err != nil {
			t.Fatalf("Get in the next window: %v", err)
		}
		if st := c.Stats(); st.Requests != 3 {
			t.Errorf("Requests = %d, want 3", st.Requests)
		}
	})
	t.Run("shared across goroutines and waited for", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, status(200, "ok"))
		c := newTestClient(t, Options{RateLimit: 2, RateWindow: 150 * time.Millisecond, MaxRetryAfter: time.Second})
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Go(func() {
				_, err := c.Get(t.Context(), srv.URL)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("Get: %v", err)
			}
		}
		// 5 requests at 2 per window need three windows.
		if el := time.Since(start); el < 250*time.Millisecond {
			t.Errorf("5 requests took %s, want at least two windows", el)
		}
		if st := c.Stats(); st.Waited <= 0 || st.Requests != 5 {
			t.Errorf("Stats = %+v, want 5 requests and some wait", st)
		}
	})
	t.Run("context ends the wait", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, status(200, "ok"))
		c := newTestClient(t, Options{RateLimit: 1, RateWindow: time.Hour, MaxRetryAfter: 2 * time.Hour})
		if _, err := c.Get(t.Context(), srv.URL); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := c.Get(ctx, srv.URL); err != context.DeadlineExceeded {
			t.Fatalf("Get = %v, want context.DeadlineExceeded as is", err)
		}
	})
	t.Run("unlimited", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, status(200, "ok"))
		c := newTestClient(t, Options{RateLimit: -1, MaxRetryAfter: time.Millisecond})
		for i := range 20 {
			if _, err := c.Get(t.Context(), srv.URL); err != nil {
				t.Fatalf("Get %d: %v", i, err)
			}
		}
	})
}

func TestGetContext(t *testing.T) {
	t.Parallel()
	t.Run("canceled before", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, status(200, "ok"))
		c := newTestClient(t, Options{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := c.Get(ctx, srv.URL); err != context.Canceled {
			t.Errorf("Get = %v, want context.Canceled", err)
		}
		if st := c.Stats(); st.Requests != 0 {
			t.Errorf("Requests = %d, want 0", st.Requests)
		}
	})
	t.Run("canceled during a server-requested wait", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, withHeaders(429, "", "Retry-After", "30"))
		c := newTestClient(t, Options{MaxRetryAfter: time.Minute})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		if _, err := c.Get(ctx, srv.URL); err != context.Canceled {
			t.Errorf("Get = %v, want context.Canceled", err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("cancellation took %s", el)
		}
	})
	t.Run("canceled during a slow answer", func(t *testing.T) {
		t.Parallel()
		srv := newScript(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c := newTestClient(t, Options{})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := c.Get(ctx, srv.URL); err != context.DeadlineExceeded {
			t.Errorf("Get = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestGetConcurrentStats(t *testing.T) {
	t.Parallel()
	srv := newScript(t, status(200, "ok"))
	c := newTestClient(t, Options{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := c.Get(t.Context(), srv.URL); err != nil {
				t.Error(err)
			}
			_ = c.Stats()
		})
	}
	wg.Wait()
	if st := c.Stats(); st.Requests != 16 || st.Bodies != 16 {
		t.Errorf("Stats = %+v, want 16 requests and bodies", st)
	}
}

func TestErrorMessagesNameTheOption(t *testing.T) {
	t.Parallel()
	srv := newScript(t, withHeaders(429, "", "Retry-After", "3600"))
	c := newTestClient(t, Options{MaxRetryAfter: time.Second})
	_, err := c.Get(t.Context(), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "MaxRetryAfter") {
		t.Errorf("error %v does not name MaxRetryAfter", err)
	}
}
