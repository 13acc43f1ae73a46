package osv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/internal/httpfault"
	"github.com/pedigree-ai/pedigree/sources"
)

// TestFaults runs the faults of the suite against an online scan, through
// the HTTP client the CLI gives the source (httpclient's StandardClient):
// a transient fault is absorbed by the client's retries and the
// observation equals a clean scan's; a corrupted answer fails the scan
// with an error naming the package, never an empty observation that would
// read as "no known vulnerability". Permanent transport faults and 5xx are
// left out: osv.dev's own client then sleeps 1 + 4 + 9 s (plus jitter)
// between its attempts, which no context interrupts.
func TestFaults(t *testing.T) {
	record, err := os.ReadFile(filepath.Join("testdata", "records", "GHSA-x84v-xcm2-53pg.json"))
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/querybatch":
			fmt.Fprint(w, `{"results":[{"vulns":[{"id":"GHSA-x84v-xcm2-53pg","modified":"2021-09-21T22:17:45Z"}]}]}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/vulns/GHSA-x84v-xcm2-53pg":
			w.Write(record)
		default:
			http.NotFound(w, r)
		}
	})
	subj := pkg("pkg:pypi/requests", "2.19.0")
	collect := func(t *testing.T, f httpfault.Fault) (*sources.Observation, error) {
		srv := httpfault.Serve(t, f, api)
		c, err := httpclient.New(httpclient.Options{Timeout: 300 * time.Millisecond, MaxRetries: 1,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetryAfter: time.Second, RateLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		hc := c.StandardClient()
		hc.Transport = faultRewrite{srv: srv.URL, base: hc.Transport}
		s, err := New(Options{HTTPClient: hc, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		obs, err := s.Collect(ctx, subj)
		if ctx.Err() != nil {
			t.Fatal("Collect did not return before the test's deadline")
		}
		return obs, err
	}
	want, err := collect(t, httpfault.Fault{Name: "none", Wrap: func(h http.Handler) http.Handler { return h }})
	if err != nil || len(want.Evidence) != 1 {
		t.Fatalf("clean scan: %v, %+v", err, want)
	}
	for _, f := range httpfault.All(httpfault.Options{Failures: 1, Stall: 5 * time.Second, Trickle: 50 * time.Millisecond, RetryAfter: "0"}) {
		body := f.Name == "truncated-json" || f.Name == "html-login-page"
		// Faults in a body osv.dev's client reads are not retried by the
		// transport, which has handed the response over.
		inBody := strings.HasPrefix(f.Name, "reset-mid-body") || strings.HasPrefix(f.Name, "truncated-content-length") || strings.HasPrefix(f.Name, "slow-loris")
		if !(f.Transient && !inBody) && !body {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			obs, err := collect(t, f)
			if f.Transient {
				if err != nil {
					t.Fatalf("transient fault not absorbed: %v", err)
				}
				if diff := cmp.Diff(want, obs); diff != "" {
					t.Errorf("observation unlike the clean one (-clean +faulted):\n%s", diff)
				}
				t.Logf("fault %s: absorbed", f.Name)
				return
			}
			if err == nil || obs != nil {
				t.Fatalf("Collect = %+v, %v; want a failure", obs, err)
			}
			if !strings.Contains(err.Error(), "pkg:pypi/requests") || sources.Category(err) == "canceled" {
				t.Errorf("error %q does not name the package, or reads as a cancellation", err)
			}
			t.Logf("fault %s: failed %s", f.Name, sources.Category(err))
		})
	}
}

// faultRewrite sends every request to the OSV API to srv instead, through
// base (the client under test), keeping the request's URL otherwise.
type faultRewrite struct {
	srv  string
	base http.RoundTripper
}

func (r faultRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	u, err := url.Parse(r.srv)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, u.Host
	return r.base.RoundTrip(out)
}
