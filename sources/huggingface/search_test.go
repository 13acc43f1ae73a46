package huggingface_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// snapIDs are the models of the test snapshot, in id order (acme/old-name
// is the old id of acme/renamed-model, which the listing shows once).
var snapIDs = []string{"acme/base-7b", "acme/base-7b-chat", "acme/renamed-model", "lora/chat-lora",
	"merge/franken", "quant/franken-GGUF", "someone/swapped-weights"}

// newOnline returns an Online store reading hub with fast retries.
func newOnline(t *testing.T, hub *hubtest.Server, opts ...func(*huggingface.OnlineOptions)) *huggingface.Online {
	t.Helper()
	_, st := online(t, hub, opts...)
	return st
}

// collectSearch runs a search to its end.
func collectSearch(ctx context.Context, o *huggingface.Online, params url.Values, limit int) ([]huggingface.Listing, error) {
	var out []huggingface.Listing
	for l, err := range o.Search(ctx, params, limit) {
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
	return out, nil
}

func ids(ls []huggingface.Listing) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

func TestSearchPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		limit int
		want  []string
		pages int
	}{
		{"limit mid-page", 5, snapIDs[:5], 3},
		{"limit at a page end", 4, snapIDs[:4], 2},
		{"no limit", 0, snapIDs, 4},
		{"limit past the end", 50, snapIDs, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			hub.SetPageSize(2)
			o := newOnline(t, hub)
			got, err := collectSearch(context.Background(), o, nil, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("listed %v, want %v", ids(got), tc.want)
			}
			if n := hub.Requests()["/api/models"]; n != tc.pages {
				t.Errorf("%d listing requests, want %d", n, tc.pages)
			}
			for _, l := range got {
				var rec map[string]json.RawMessage
				if err := json.Unmarshal(l.Raw, &rec); err != nil {
					t.Fatalf("%s: record is not a JSON object: %v", l.ID, err)
				}
				if _, ok := rec["sha"]; !ok {
					t.Errorf("%s: record lacks the expanded sha: %s", l.ID, l.Raw)
				}
				if _, ok := rec["modelId"]; ok {
					t.Errorf("%s: record holds modelId, which was not asked for", l.ID)
				}
			}
		})
	}
}

func TestSearchQuery(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	var mu sync.Mutex
	var queries []url.Values
	real := hubtest.NewServer(t, snap)
	hub.Handle(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.Query())
		mu.Unlock()
		http.Redirect(w, r, real.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	})
	o := newOnline(t, hub)
	params := url.Values{"author": {"acme"}, "filter": {"region:us"}, "full": {"true"}, "expand": {"downloadsAllTime"}, "limit": {"7"}}
	got, err := collectSearch(context.Background(), o, params, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"acme/base-7b", "acme/base-7b-chat"}; !slices.Equal(ids(got), want) {
		t.Errorf("listed %v, want %v", ids(got), want)
	}
	if len(queries) != 1 {
		t.Fatalf("%d requests, want 1", len(queries))
	}
	q := queries[0]
	if !slices.Equal(q["expand"], huggingface.SearchFields) {
		t.Errorf("expand = %v, want %v", q["expand"], huggingface.SearchFields)
	}
	if q.Get("author") != "acme" || q.Get("filter") != "region:us" || q.Get("limit") != "2" || q.Has("full") {
		t.Errorf("query = %v; want author, filter, limit=2 and no full", q)
	}
	if params.Get("limit") != "7" || len(params["expand"]) != 1 {
		t.Errorf("Search changed the caller's params: %v", params)
	}
}

func TestSearchFieldsAreWhatTheSourceReads(t *testing.T) {
	t.Parallel()
	// Every JSON field of the repository info the source reads, but id
	// (always listed) and authorData (the listing cannot return it).
	want := []string{"author", "cardData", "config", "createdAt", "disabled", "downloads", "gated", "gguf",
		"lastModified", "library_name", "likes", "pipeline_tag", "private", "sha", "siblings", "tags"}
	got := slices.Clone(huggingface.SearchFields)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("SearchFields = %v, want %v", got, want)
	}
}

// pagedHandler serves three pages of fake records, with the Link header
// each page gets.
func pagedHandler(links func(host string, page int) string, calls *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		page := 1
		if c := r.URL.Query().Get("cursor"); c != "" {
			fmt.Sscanf(c, "p%d", &page)
		}
		if l := links(r.Host, page); l != "" {
			w.Header().Set("Link", l)
		}
		fmt.Fprintf(w, `[{"_id":"x","id":"o/m%d-a","sha":"%040d"},{"id":"o/m%d-b"}]`, page, page, page)
	}
}

func TestSearchLinkHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		links func(host string, page int) string
		want  []string
		err   string
	}{
		{
			name: "relative, absolute and among other links",
			links: func(host string, page int) string {
				switch page {
				case 1:
					return `</api/models?cursor=p2&limit=2>; rel="next"`
				case 2:
					return fmt.Sprintf(`<http://%s/api/models?cursor=p1>; rel="prev", <http://%s/api/models?cursor=p3&limit=2>; rel=next`, host, host)
				}
				return fmt.Sprintf(`<http://%s/api/models?cursor=p1>; rel="first"`, host)
			},
			want: []string{"o/m1-a", "o/m1-b", "o/m2-a", "o/m2-b", "o/m3-a", "o/m3-b"},
		},
		{
			name:  "another host",
			links: func(string, int) string { return `<https://evil.example/api/models?cursor=p2>; rel="next"` },
			want:  []string{"o/m1-a", "o/m1-b"},
			err:   "leaves the Hub's host",
		},
		{
			name:  "a loop",
			links: func(host string, page int) string { return `</api/models?cursor=p2>; rel="next"` },
			want:  []string{"o/m1-a", "o/m1-b", "o/m2-a", "o/m2-b"},
			err:   "leads back to a page already read",
		},
		{
			name:  "not http",
			links: func(string, int) string { return `<ftp://x/y>; rel="next"` },
			want:  []string{"o/m1-a", "o/m1-b"},
			err:   "not an http(s) URL",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			var calls atomic.Int32
			hub.Handle(pagedHandler(tc.links, &calls))
			got, err := collectSearch(context.Background(), newOnline(t, hub), nil, 0)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("listed %v, want %v", ids(got), tc.want)
			}
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, sources.ErrMalformed) {
				t.Errorf("error = %v, want ErrMalformed containing %q", err, tc.err)
			}
		})
	}
}

func TestSearchFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(calls *atomic.Int32) http.HandlerFunc
		want    []string
		sent    error  // a sentinel the error wraps; nil for none
		message string // the error contains it; "" for success
	}{
		{
			name: "429 with Retry-After, then success",
			handler: func(calls *atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if calls.Add(1) == 1 {
						w.Header().Set("Retry-After", "1")
						http.Error(w, "slow down", http.StatusTooManyRequests)
						return
					}
					w.Write([]byte(`[{"id":"o/m"}]`))
				}
			},
			want: []string{"o/m"},
		},
		{
			name: "429 past the wait cap",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "3600")
					http.Error(w, "slow down", http.StatusTooManyRequests)
				}
			},
			sent: sources.ErrRateLimited, message: "hub search, page 1",
		},
		{
			name: "500 on the second page",
			handler: func(calls *atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("cursor") == "" {
						w.Header().Set("Link", `</api/models?cursor=2>; rel="next"`)
						w.Write([]byte(`[{"id":"o/m"}]`))
						return
					}
					http.Error(w, "boom", http.StatusInternalServerError)
				}
			},
			want: []string{"o/m"}, message: "hub search, page 2: unavailable: HTTP 500",
		},
		{
			name: "not an array",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"error":"x"}`)) }
			},
			sent: sources.ErrMalformed, message: "not a JSON array of models",
		},
		{
			name: "a record without an id",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`[{"id":"o/m"},{"sha":"x"}]`)) }
			},
			want: []string{"o/m"}, sent: sources.ErrMalformed, message: "model 2: no id",
		},
		{
			name: "a hostile id",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`[{"id":"../../etc/passwd"}]`)) }
			},
			sent: sources.ErrMalformed, message: "is not a Hub model id",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			var calls atomic.Int32
			hub.Handle(tc.handler(&calls))
			o := newOnline(t, hub, func(o *huggingface.OnlineOptions) {
				// Retry-After is waited for in real time.
				o.Clock, o.MaxRetryAfter, o.MaxRetries = nil, 2*time.Second, 1
			})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := collectSearch(ctx, o, url.Values{"author": {"o"}}, 0)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("listed %v, want %v", ids(got), tc.want)
			}
			if tc.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error = %v, want one containing %q", err, tc.message)
			}
			if tc.sent != nil && !errors.Is(err, tc.sent) {
				t.Errorf("error %v does not wrap %v", err, tc.sent)
			}
		})
	}
}

func TestSearchCancel(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	hub.SetPageSize(2)
	o := newOnline(t, hub)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	var errs []error
	for l, err := range o.Search(ctx, nil, 0) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, l.ID)
		cancel()
	}
	// The first page was read before the cancel: both its models are
	// listed; the second page is not asked for.
	if want := snapIDs[:2]; !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("errors = %v, want one context.Canceled", errs)
	}
	if n := hub.Requests()["/api/models"]; n != 1 {
		t.Errorf("%d listing requests, want 1", n)
	}
}

func TestSearchStopsWhenTheCallerStops(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	hub.SetPageSize(2)
	o := newOnline(t, hub)
	n := 0
	for _, err := range o.Search(context.Background(), nil, 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	if r := hub.Requests()["/api/models"]; r != 2 {
		t.Errorf("%d listing requests after stopping in the second page, want 2", r)
	}
}

func TestHubtestListing(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, "../../testdata/hub")
	o := newOnline(t, hub)
	for _, tc := range []struct {
		params url.Values
		check  func(rec map[string]any) bool
	}{
		{url.Values{"author": {"TheBloke"}}, func(r map[string]any) bool { return r["author"] == "TheBloke" }},
		{url.Values{"search": {"llama-2"}}, func(r map[string]any) bool {
			return strings.Contains(strings.ToLower(r["id"].(string)), "llama-2")
		}},
		{url.Values{"filter": {"base_model:finetune:meta-llama/Llama-2-7b-chat-hf"}}, func(r map[string]any) bool {
			return slices.Contains(r["tags"].([]any), any("base_model:finetune:meta-llama/Llama-2-7b-chat-hf"))
		}},
		{url.Values{"pipeline_tag": {"text-generation"}, "sort": {"downloads"}}, func(r map[string]any) bool {
			return r["pipeline_tag"] == "text-generation"
		}},
	} {
		got, err := collectSearch(context.Background(), o, tc.params, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Errorf("%v: nothing listed", tc.params)
		}
		last := -1.0
		for _, l := range got {
			var rec map[string]any
			if err := json.Unmarshal(l.Raw, &rec); err != nil {
				t.Fatal(err)
			}
			if !tc.check(rec) {
				t.Errorf("%v: %s does not match", tc.params, l.ID)
			}
			if tc.params.Get("sort") == "downloads" {
				d := rec["downloads"].(float64)
				if last >= 0 && d > last {
					t.Errorf("%v: %s (%v downloads) after a model with %v", tc.params, l.ID, d, last)
				}
				last = d
			}
		}
	}
}
