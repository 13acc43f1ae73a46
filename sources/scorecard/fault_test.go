package scorecard

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/internal/httpfault"
	"github.com/pedigree-ai/pedigree/sources"
)

// TestFaults runs every fault of the suite against the Scorecard source:
// Collect gives the clean observation (transient faults, absorbed by the
// retries) or a classified *sources.Error naming the repository and the
// URL; it never hangs and never claims a result it could not read.
func TestFaults(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/ossf-scorecard.json")
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	subj := repoSubject(t, "github.com/ossf/scorecard")
	newFaultSource := func(t *testing.T, endpoint string) *Source {
		c, err := httpclient.New(httpclient.Options{Timeout: 300 * time.Millisecond, MaxRetries: 1,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetryAfter: time.Second, RateLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		return New(Options{Client: c, Endpoint: endpoint, Clock: func() time.Time { return fixedTime }})
	}
	clean := httpfault.Serve(t, httpfault.Fault{Name: "none", Wrap: func(h http.Handler) http.Handler { return h }}, api)
	want, err := newFaultSource(t, clean.URL).Collect(context.Background(), subj)
	if err != nil {
		t.Fatal(err)
	}
	// Locators name the endpoint: compare observations with it replaced.
	norm := func(obs *sources.Observation, endpoint string) *sources.Observation {
		if obs == nil {
			return nil
		}
		c := *obs
		c.Evidence = append([]sources.Evidence(nil), obs.Evidence...)
		for i := range c.Evidence {
			c.Evidence[i].Origin.Locator = strings.Replace(c.Evidence[i].Origin.Locator, endpoint, "ENDPOINT", 1)
			c.Evidence[i].ID = ""
		}
		return &c
	}
	want = norm(want, clean.URL)
	categories := map[string]string{
		"429-permanent":                  "rate_limited",
		"429-permanent-retry-after-long": "rate_limited",
		"truncated-json":                 "malformed",
		"html-login-page":                "malformed",
	}
	for _, f := range httpfault.All(httpfault.Options{Failures: 1, Stall: 5 * time.Second, Trickle: 50 * time.Millisecond, RetryAfter: "0"}) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			srv := httpfault.Serve(t, f, api)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			obs, err := newFaultSource(t, srv.URL).Collect(ctx, subj)
			if ctx.Err() != nil {
				t.Fatal("Collect did not return before the test's deadline")
			}
			if err == nil {
				if diff := cmp.Diff(want, norm(obs, srv.URL)); diff != "" {
					t.Errorf("Collect succeeded with an observation unlike the clean one (-clean +faulted):\n%s", diff)
				}
				if !f.Transient && !strings.HasPrefix(f.Name, "every-") {
					t.Errorf("a permanent fault gave a result")
				}
				t.Logf("fault %s: absorbed", f.Name)
				return
			}
			if f.Transient {
				t.Errorf("transient fault not absorbed: %v", err)
			}
			if obs != nil {
				t.Errorf("an observation came back with the error %v", err)
			}
			var se *sources.Error
			if !errors.As(err, &se) || se.Source != Name || !strings.Contains(err.Error(), "ossf/scorecard") || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error %q is not a *sources.Error naming the repository and the URL", err)
			}
			cat := sources.Category(err)
			if w, ok := categories[f.Name]; ok && cat != w {
				t.Errorf("category %s, want %s: %v", cat, w, err)
			}
			if cat == "canceled" {
				t.Errorf("a fault reads as a cancellation: %v", err)
			}
			t.Logf("fault %s: failed %s", f.Name, cat)
		})
	}
}
