package httpclient

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTokenHygiene(t *testing.T) {
	t.Parallel()
	const token = "hf_CANARY_t0ken_Zq8Xv3"
	var mu sync.Mutex
	auth := map[string][]string{} // server name -> Authorization values seen
	record := func(name string, r *http.Request) {
		mu.Lock()
		auth[name] = append(auth[name], r.Header.Get("Authorization"))
		mu.Unlock()
	}
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("cdn", r)
		w.Write([]byte("weights"))
	}))
	t.Cleanup(cdn.Close)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("hub", r)
		switch r.URL.Path {
		case "/api/models/gated/model":
			// A gated resource answered because the token was sent; the
			// server echoes the token in a header to tempt the cache.
			w.Header().Set("X-Debug-Auth", r.Header.Get("Authorization"))
			w.Header().Set("ETag", `"g1"`)
			w.Write([]byte(`{"gated":"auto"}`))
		case "/resolve":
			http.Redirect(w, r, cdn.URL+"/file", http.StatusFound)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
		case "/reset":
			reset(w, r)
		case "/limited":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/loop":
			http.Redirect(w, r, "/loop2", http.StatusFound)
		case "/loop2":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	t.Cleanup(hub.Close)

	logs := &lockedBuffer{}
	dir := t.TempDir()
	c := newTestClient(t, Options{
		Token:         token,
		TokenHosts:    []string{hub.Listener.Addr().String()},
		CacheDir:      dir,
		MaxRetries:    1,
		MaxRetryAfter: time.Second,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})

	var errs []error
	for _, path := range []string{"/api/models/gated/model", "/resolve", "/missing", "/broken", "/reset", "/loop"} {
		resp, err := c.Get(t.Context(), hub.URL+path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if path == "/api/models/gated/model" && (resp.Status != 200 || string(resp.Body) != `{"gated":"auto"}`) {
			t.Errorf("gated Get = %d %q", resp.Status, resp.Body)
		}
	}
	// Served again from the cache: the gated answer was cacheable.
	resp, err := c.Get(t.Context(), hub.URL+"/api/models/gated/model")
	if err != nil || !resp.FromCache {
		t.Errorf("gated resource not served from the cache: %+v, %v", resp, err)
	}
	if strings.Contains(resp.Header.Get("X-Debug-Auth"), token) {
		t.Error("token served back from the cache")
	}
	// URLs with user information are redacted.
	if _, err := c.Get(t.Context(), strings.Replace(hub.URL, "http://", "http://alice:s3cretpass@", 1)+"/reset"); err != nil {
		errs = append(errs, err)
	}
	if !errors.Is(errs[len(errs)-1], ErrTransport) {
		t.Errorf("user:pass reset error = %v, want ErrTransport", errs[len(errs)-1])
	}
	// Last, as it pauses the host for an hour.
	if _, err := c.Get(t.Context(), hub.URL+"/limited"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("/limited error = %v, want ErrRateLimited", err)
	} else {
		errs = append(errs, err)
	}
	if len(errs) != 4 {
		t.Fatalf("expected errors from /reset, /loop, the user:pass URL and /limited, got %v", errs)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "s3cretpass") {
			t.Errorf("error leaks a secret: %v", err)
		}
	}

	out := logs.String()
	if !strings.Contains(out, "http attempt") {
		t.Fatalf("no debug records captured:\n%s", out)
	}
	if strings.Contains(out, token) {
		t.Errorf("log output contains the token:\n%s", out)
	}
	if strings.Contains(out, "s3cretpass") || strings.Contains(out, "alice") {
		t.Errorf("log output contains URL user information:\n%s", out)
	}
	for _, f := range cacheFiles(t, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(token)) {
			t.Errorf("cache file %s contains the token", f)
		}
		if bytes.Contains(data, []byte("s3cretpass")) {
			t.Errorf("cache file %s contains a URL password", f)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, a := range auth["cdn"] {
		if a != "" {
			t.Errorf("token sent to a host outside TokenHosts: %q", a)
		}
	}
	if len(auth["hub"]) == 0 {
		t.Fatal("hub saw no requests")
	}
	for i, a := range auth["hub"] {
		if a != "Bearer "+token && !strings.HasPrefix(a, "Basic ") {
			t.Errorf("hub request %d carried Authorization %q, want the bearer token", i, a)
		}
	}
}

func TestTokenHostMatching(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Options{Token: "t", TokenHosts: []string{"HuggingFace.co", "127.0.0.1:8080", "[::1]:9000"}})
	tests := []struct {
		url  string
		want bool
	}{
		{"https://huggingface.co/api/models/x", true},
		{"https://huggingface.co:443/x", true},
		{"http://huggingface.co/x", true},
		{"https://huggingface.co:8443/x", false},
		{"https://cdn-lfs.huggingface.co/x", false},
		{"https://huggingface.co.evil.example/x", false},
		{"http://127.0.0.1:8080/x", true},
		{"http://127.0.0.1:8081/x", false},
		{"http://[::1]:9000/x", true},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.url)
		if got := c.tokenAllowed(u); got != tt.want {
			t.Errorf("tokenAllowed(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
	none := newTestClient(t, Options{Token: "t"})
	if none.tokenAllowed(mustParse(t, "https://huggingface.co/x")) {
		t.Error("token allowed with empty TokenHosts")
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	const secret = "hf_SECRET_in_option"
	tests := []struct {
		name    string
		o       Options
		wantSub string
	}{
		{"negative timeout", Options{Timeout: -time.Second}, "Timeout"},
		{"negative wait min", Options{RetryWaitMin: -1}, "RetryWaitMin"},
		{"min above max", Options{RetryWaitMin: time.Minute, RetryWaitMax: time.Second}, "RetryWaitMax"},
		{"negative max retry after", Options{MaxRetryAfter: -1}, "MaxRetryAfter"},
		{"negative window", Options{RateWindow: -1}, "RateWindow"},
		{"negative body size", Options{MaxBodySize: -1}, "MaxBodySize"},
		{"token with newline", Options{Token: secret + "\n"}, "Token"},
		{"user agent with newline", Options{UserAgent: "a\r\nX-Evil: 1"}, "UserAgent"},
		{"token host with scheme", Options{TokenHosts: []string{"https://huggingface.co"}}, "TokenHosts[0]"},
		{"empty token host", Options{TokenHosts: []string{"huggingface.co", ""}}, "TokenHosts[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.o)
			if err == nil {
				t.Fatalf("New(%s) succeeded", tt.name)
			}
			if !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("error %q does not name %s", err, tt.wantSub)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the token", err)
			}
		})
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatalf("New with zero Options: %v", err)
	}
	if c.timeout != DefaultTimeout || c.maxRetries != DefaultMaxRetries || c.maxBodySize != DefaultMaxBodySize ||
		c.maxRedirects != DefaultMaxRedirects || c.cacheTTL != DefaultCacheTTL || c.limiter.limit != DefaultRateLimit ||
		c.limiter.window != DefaultRateWindow || c.userAgent != DefaultUserAgent || c.maxRetryAfter != DefaultMaxRetryAfter ||
		c.retryWaitMin != DefaultRetryWaitMin || c.retryWaitMax != DefaultRetryWaitMax || c.cache != nil {
		t.Errorf("zero Options did not take the defaults: %+v", c)
	}
	// A small RetryWaitMax with the default minimum is not an error.
	if _, err := New(Options{RetryWaitMax: 100 * time.Millisecond}); err != nil {
		t.Errorf("New with RetryWaitMax below the default minimum: %v", err)
	}
}

func TestScrubSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{`Get "https://bob:pw@h/x": EOF`, `Get "https://REDACTED@h/x": EOF`},
		{"token tok123 in text", "token [REDACTED] in text"},
		{"two http://a@h and https://b:c@g/p", "two http://REDACTED@h and https://REDACTED@g/p"},
		{"mail user@example.com is left", "mail user@example.com is left"},
	}
	for _, tt := range tests {
		if got := scrubSecrets(tt.in, "tok123"); got != tt.want {
			t.Errorf("scrubSecrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostTransport answers requests by URL without any network, recording the
// Authorization header each URL received.
type hostTransport struct {
	mu     sync.Mutex
	routes map[string]string // URL -> redirect Location ("" = 200)
	auth   map[string]string
}

func (h *hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.auth[r.URL.String()] = r.Header.Get("Authorization")
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}
	if loc := h.routes[r.URL.String()]; loc != "" {
		resp.StatusCode = http.StatusFound
		resp.Header.Set("Location", loc)
	}
	return resp, nil
}

func TestTokenDroppedOnDowngradeAndForeignHost(t *testing.T) {
	t.Parallel()
	tr := &hostTransport{auth: map[string]string{}, routes: map[string]string{
		"https://huggingface.co/a":     "http://huggingface.co/b",
		"https://huggingface.co/c":     "https://cdn.example/d",
		"https://cdn.example/d":        "https://huggingface.co/e", // back to a token host: still dropped
		"https://huggingface.co/start": "/same",
	}}
	c := newTestClient(t, Options{Token: "tok", TokenHosts: []string{"huggingface.co"}, Transport: tr})
	for _, u := range []string{"https://huggingface.co/a", "https://huggingface.co/c", "https://huggingface.co/start", "http://huggingface.co/plain"} {
		if _, err := c.Get(t.Context(), u); err != nil {
			t.Fatalf("Get(%s): %v", u, err)
		}
	}
	want := map[string]string{
		"https://huggingface.co/a":     "Bearer tok",
		"http://huggingface.co/b":      "",
		"https://huggingface.co/c":     "Bearer tok",
		"https://cdn.example/d":        "",
		"https://huggingface.co/e":     "",
		"https://huggingface.co/start": "Bearer tok",
		"https://huggingface.co/same":  "Bearer tok",
		"http://huggingface.co/plain":  "Bearer tok", // an http endpoint the caller chose
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if diff := cmp.Diff(want, tr.auth); diff != "" {
		t.Errorf("Authorization per URL mismatch (-want +got):\n%s", diff)
	}
}
