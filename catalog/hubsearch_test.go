package catalog_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/catalog"
)

func TestParseHubSearch(t *testing.T) {
	for _, tc := range []struct {
		ref    string
		params url.Values
		limit  int
	}{
		{"hf-search:author=meta-llama", url.Values{"author": {"meta-llama"}}, 0},
		{"hf-search:filter=base_model:finetune:meta-llama/Llama-2-7b-hf&limit=200",
			url.Values{"filter": {"base_model:finetune:meta-llama/Llama-2-7b-hf"}}, 200},
		{"hf-search:search=llama&author=TheBloke&sort=downloads&limit=50",
			url.Values{"search": {"llama"}, "author": {"TheBloke"}, "sort": {"downloads"}}, 50},
		{"  hf-search:?filter=gguf&filter=license:mit&library=transformers&language=en&dataset=OpenAssistant/oasst1  ",
			url.Values{"filter": {"OpenAssistant/oasst1", "gguf", "license:mit", "en", "transformers"}}, 0},
		{"hf-search:dataset=dataset:a/b", url.Values{"filter": {"dataset:a/b"}}, 0},
		{"hf-search:pipeline_tag=text-generation&gated=false&sort=last_modified&direction=-1",
			url.Values{"pipeline_tag": {"text-generation"}, "gated": {"false"}, "sort": {"lastModified"}, "direction": {"-1"}}, 0},
		{"hf-search:sort=trending_score&limit=10", url.Values{"sort": {"trendingScore"}}, 10},
		{"hf-search:search=a%26b+c", url.Values{"search": {"a&b c"}}, 0},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			q, ok, err := catalog.ParseHubSearch(tc.ref)
			if err != nil || !ok {
				t.Fatalf("ParseHubSearch = %v, %v", ok, err)
			}
			// dataset: values get their prefix; compare the rest as sets in order
			want := tc.params
			if f := want["filter"]; len(f) > 0 && f[0] == "OpenAssistant/oasst1" {
				want = url.Values{"filter": {"dataset:OpenAssistant/oasst1", "gguf", "license:mit", "en", "transformers"}}
			}
			if d := cmp.Diff(want, q.Params); d != "" {
				t.Errorf("params (-want +got):\n%s", d)
			}
			if q.Limit != tc.limit {
				t.Errorf("limit = %d, want %d", q.Limit, tc.limit)
			}
		})
	}
}

func TestParseHubSearchNotASearch(t *testing.T) {
	for _, ref := range []string{"hf:a/b", "a/b", "HF-SEARCH:author=x", "hf-searchauthor=x", ""} {
		if q, ok, err := catalog.ParseHubSearch(ref); ok || err != nil || q.Params != nil {
			t.Errorf("ParseHubSearch(%q) = %v, %v, %v; want not a search", ref, q, ok, err)
		}
	}
}

func TestParseHubSearchErrors(t *testing.T) {
	for _, tc := range []struct{ ref, want string }{
		{"hf-search:", "an empty query"},
		{"hf-search:owner=x", `unknown key "owner"; use author, search, filter`},
		{"hf-search:author=x&full=true", `unknown key "full"`},
		{"hf-search:author=x&expand=sha", `unknown key "expand"`},
		{"hf-search:author=a&author=b", "author is given 2 times"},
		{"hf-search:author=", "author has no value"},
		{"hf-search:author=a/b", "without '/'"},
		{"hf-search:author=x&limit=0", "limit=0 is not a number of models from 1 to 1000000"},
		{"hf-search:author=x&limit=ten", "limit=ten"},
		{"hf-search:author=x&limit=1000001", "limit=1000001"},
		{"hf-search:author=x&sort=name", "sort=name is not a sort key"},
		{"hf-search:author=x&direction=1", "descending order only"},
		{"hf-search:gated=maybe", "gated=maybe"},
		{"hf-search:search=%zz", "not a query of KEY=VALUE pairs"},
		{"hf-search:author=x;y", "not a query of KEY=VALUE pairs"},
		{"hf-search:sort=downloads", "would list every model on the Hub"},
		{"hf-search:search=a%0ab", "control character"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			_, ok, err := catalog.ParseHubSearch(tc.ref)
			if !ok || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseHubSearch(%q) = %v, %v; want an error containing %q", tc.ref, ok, err, tc.want)
			}
			if !strings.Contains(err.Error(), `"hf-search:`) {
				t.Errorf("error %q does not name the query", err)
			}
		})
	}
}
