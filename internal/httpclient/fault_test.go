package httpclient_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/internal/httpfault"
)

// faultBody is the real answer of the faulted server.
var faultBody = []byte(`{"id":"acme/base-7b","sha":"0123456789abcdef0123456789abcdef01234567","siblings":[{"rfilename":"README.md"}]}`)

func faultReal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(faultBody)
	})
}

// faultOptions are the faults of the client suite: one spoiled request per
// URL for the transient ones, stalls well past the client's timeout.
var faultOptions = httpfault.Options{Failures: 1, Stall: 5 * time.Second, Trickle: 100 * time.Millisecond, RetryAfter: "1"}

// faultClient is a client with a short timeout and two retries.
func faultClient(t *testing.T) *httpclient.Client {
	t.Helper()
	c, err := httpclient.New(httpclient.Options{
		Timeout: 300 * time.Millisecond, MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		MaxRetryAfter: time.Second, RateLimit: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGetFaults runs every fault against Client.Get. A transient fault is
// absorbed by the retries (the real answer comes back); a permanent one
// comes back as the final status or as a classified error naming the URL.
// A body the transport cannot tell from a real one (cut with a matching
// Content-Length, an HTML page with 200) comes back as it is: the sources
// check what they read.
func TestGetFaults(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"hang-permanent":                     "ErrTimeout",
		"reset-before-headers-permanent":     "ErrTransport",
		"reset-mid-body-permanent":           "ErrTransport",
		"429-permanent":                      "429",
		"429-permanent-retry-after-long":     "ErrRateLimited",
		"500-permanent":                      "500",
		"502-permanent":                      "502",
		"503-permanent":                      "503",
		"truncated-content-length-permanent": "ErrTransport",
		"truncated-json":                     "200 spoiled",
		"html-login-page":                    "200 spoiled",
		"slow-loris-permanent":               "ErrTimeout",
	}
	for _, f := range httpfault.All(faultOptions) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httpfault.Serve(t, f, faultReal())
			c := faultClient(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			url := srv.URL + "/api/models/acme/base-7b"
			resp, err := c.Get(ctx, url)
			if ctx.Err() != nil {
				t.Fatal("Get did not return before the test's deadline")
			}
			got := outcome(resp, err)
			expect := want[f.Name]
			// A fault on every third request spoils one attempt of a
			// sequential client: the retry gets through.
			if f.Transient || strings.HasPrefix(f.Name, "every-") {
				expect = "absorbed"
			}
			if got != expect {
				t.Errorf("outcome %s, want %s (error %v)", got, expect, err)
			}
			if err != nil && !strings.Contains(err.Error(), url) {
				t.Errorf("error %q does not name the URL %s", err, url)
			}
			t.Logf("fault %s: %s", f.Name, got)
		})
	}
}

// outcome names what Get gave.
func outcome(resp *httpclient.Response, err error) string {
	switch {
	case errors.Is(err, httpclient.ErrTimeout):
		return "ErrTimeout"
	case errors.Is(err, httpclient.ErrTransport):
		return "ErrTransport"
	case errors.Is(err, httpclient.ErrRateLimited):
		return "ErrRateLimited"
	case err != nil:
		return "unclassified: " + err.Error()
	case resp.Status == http.StatusOK && bytes.Equal(resp.Body, faultBody):
		return "absorbed"
	case resp.Status == http.StatusOK:
		return "200 spoiled"
	}
	return http.StatusText(resp.Status)[:0] + itoa(resp.Status)
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestGetFaultContext checks that the caller's deadline wins over a fault
// that would hold the request longer: Get returns the context's error as
// it is.
func TestGetFaultContext(t *testing.T) {
	t.Parallel()
	for _, f := range httpfault.All(faultOptions) {
		if f.Name != "hang-permanent" && f.Name != "slow-loris-permanent" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httpfault.Serve(t, f, faultReal())
			c, err := httpclient.New(httpclient.Options{Timeout: 10 * time.Second, MaxRetries: 2, RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err = c.Get(ctx, srv.URL+"/x")
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, httpclient.ErrTimeout) {
				t.Errorf("Get = %v, want the context's deadline", err)
			}
		})
	}
}

// TestStandardClientFaults runs every fault against StandardClient, the
// client handed to libraries that read bodies themselves: transient faults
// before the body are absorbed; otherwise the request or the reading of
// its body fails, or the final status comes back, and nothing blocks past
// the timeout.
func TestStandardClientFaults(t *testing.T) {
	t.Parallel()
	for _, f := range httpfault.All(faultOptions) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httpfault.Serve(t, f, faultReal())
			hc := faultClient(t).StandardClient()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/vulns/X", nil)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			resp, err := hc.Do(req)
			if err == nil {
				b, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case rerr != nil:
					got = "body error"
				case resp.StatusCode == http.StatusOK && bytes.Equal(b, faultBody):
					got = "absorbed"
				case resp.StatusCode == http.StatusOK:
					got = "200 spoiled"
				default:
					got = itoa(resp.StatusCode)
				}
			} else {
				got = "request error"
			}
			if ctx.Err() != nil {
				t.Fatal("the request did not end before the test's deadline")
			}
			// Faults in the body are seen by the library reading it, not
			// retried: the transport has handed the response over.
			bodyFault := strings.HasPrefix(f.Name, "reset-mid-body") || strings.HasPrefix(f.Name, "truncated-content-length") || strings.HasPrefix(f.Name, "slow-loris")
			switch {
			case (f.Transient || strings.HasPrefix(f.Name, "every-")) && !bodyFault:
				if got != "absorbed" {
					t.Errorf("outcome %s, want absorbed", got)
				}
			case bodyFault:
				if got != "body error" {
					t.Errorf("outcome %s, want body error", got)
				}
			case got == "absorbed":
				t.Errorf("a permanent fault gave the real answer")
			}
			t.Logf("fault %s: %s", f.Name, got)
		})
	}
}
