package httpfault_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpfault"
)

// body is the real handler's answer.
var body = []byte(`{"id":"acme/base-7b","sha":"0123456789abcdef0123456789abcdef01234567","tags":["a","b","c"]}`)

func real() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// fetch makes one request and reports whether it got the real answer
// intact; it never waits longer than the client's timeout.
func fetch(c *http.Client, url string) (ok bool, what string) {
	resp, err := c.Get(url)
	if err != nil {
		return false, "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, "body: " + err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return false, resp.Status
	}
	if !bytes.Equal(b, body) {
		return false, "other body: " + string(b[:min(len(b), 40)])
	}
	return true, "real answer"
}

// TestEveryFault checks each fault of All against a real handler: a
// transient fault spoils the first request of a URL and lets the second
// through; a permanent one spoils both; the server closes without waiting
// for stalled requests.
func TestEveryFault(t *testing.T) {
	t.Parallel()
	faults := httpfault.All(httpfault.Options{Stall: 2 * time.Second, Trickle: 100 * time.Millisecond, RetryAfter: "0"})
	names := httpfault.Names(faults)
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			t.Errorf("fault name %q is used twice", n)
		}
	}
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(f.Wrap(real()))
			defer srv.Close()
			// No keep-alive: net/http retries a GET whose reused connection
			// closes before any answer, which would hide the reset.
			c := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
			var got []bool
			var whats []string
			for i := range 3 {
				// EveryNth counts requests across URLs: the third is
				// spoiled, the first two are not.
				url := srv.URL + "/api/models/acme/base-7b"
				if strings.HasPrefix(f.Name, "every-") {
					url += "?n=" + string(rune('0'+i))
				}
				ok, what := fetch(c, url)
				got, whats = append(got, ok), append(whats, what)
			}
			var want []bool
			switch {
			case strings.HasPrefix(f.Name, "every-3rd-"):
				want = []bool{true, true, false}
			case f.Transient:
				want = []bool{false, true, true}
			default:
				want = []bool{false, false, false}
			}
			if !slices.Equal(got, want) {
				t.Errorf("real answers %v, want %v: %q", got, want, whats)
			}
		})
	}
}

// TestOnly spoils one endpoint and leaves the others alone.
func TestOnly(t *testing.T) {
	t.Parallel()
	f := httpfault.Only("tree", func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/tree/") },
		httpfault.All(httpfault.Options{})[2]) // reset-before-headers
	if f.Name != "reset-before-headers@tree" || !f.Transient {
		t.Errorf("fault = %q transient %v", f.Name, f.Transient)
	}
	srv := httptest.NewServer(f.Wrap(real()))
	defer srv.Close()
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if ok, what := fetch(c, srv.URL+"/api/models/a/b"); !ok {
		t.Errorf("an endpoint outside the selection: %s", what)
	}
	if ok, _ := fetch(c, srv.URL+"/api/models/a/b/tree/main"); ok {
		t.Error("the selected endpoint was not spoiled")
	}
	if ok, what := fetch(c, srv.URL+"/api/models/a/b/tree/main"); !ok {
		t.Errorf("the selected endpoint did not recover: %s", what)
	}
}

// TestLoginPage checks the captive-portal answer looks like one.
func TestLoginPage(t *testing.T) {
	t.Parallel()
	var f httpfault.Fault
	for _, x := range httpfault.All(httpfault.Options{}) {
		if x.Name == "html-login-page" {
			f = x
		}
	}
	srv := httptest.NewServer(f.Wrap(real()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || string(b) != httpfault.LoginPage {
		t.Errorf("got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}
