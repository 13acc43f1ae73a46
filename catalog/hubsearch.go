package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// HubSearchPrefix starts a reference that is a query of the Hugging Face
// Hub's model listing rather than one subject: hf-search:KEY=VALUE&...
const HubSearchPrefix = "hf-search:"

// HubQuery is a query of the Hub's model listing (GET /api/models).
type HubQuery struct {
	// Params are the listing's query parameters, under the Hub's names:
	// author, search, filter (repeated), pipeline_tag, gated, sort and
	// direction. The fields each listed model carries are the lister's
	// to ask for, not the query's.
	Params url.Values
	// Limit is the most models to list; 0 lists every model the query
	// matches.
	Limit int
}

// hubKey describes one key of an hf-search query.
type hubKey struct {
	param    string // the Hub's parameter; "" for limit
	repeated bool   // may be given more than once
	prefix   string // prepended to a filter value that lacks it
	narrows  bool   // selects a part of the Hub, not all of it
}

// hubKeys are the keys an hf-search query accepts.
var hubKeys = map[string]hubKey{
	"author":       {param: "author", narrows: true},
	"search":       {param: "search", narrows: true},
	"filter":       {param: "filter", repeated: true, narrows: true},
	"library":      {param: "filter", repeated: true, narrows: true},
	"language":     {param: "filter", repeated: true, narrows: true},
	"dataset":      {param: "filter", repeated: true, prefix: "dataset:", narrows: true},
	"pipeline_tag": {param: "pipeline_tag", narrows: true},
	"gated":        {param: "gated", narrows: true},
	"sort":         {param: "sort"},
	"direction":    {param: "direction"},
	"limit":        {},
}

// hubKeyList names the accepted keys in errors.
const hubKeyList = "author, search, filter, library, language, dataset, pipeline_tag, gated, sort, direction, limit"

// hubSorts maps the accepted sort keys to the Hub's, as huggingface_hub
// does.
var hubSorts = map[string]string{
	"downloads": "downloads", "likes": "likes",
	"createdAt": "createdAt", "created_at": "createdAt",
	"lastModified": "lastModified", "last_modified": "lastModified",
	"trendingScore": "trendingScore", "trending_score": "trendingScore",
}

// ParseHubSearch reads an hf-search: reference, a query of the Hub's model
// listing written as URL query parameters after the prefix:
//
//	hf-search:author=meta-llama
//	hf-search:filter=base_model:finetune:meta-llama/Llama-2-7b-hf&limit=200
//	hf-search:search=llama&author=TheBloke&sort=downloads&limit=50
//
// It reports false, with no error, when ref does not start with
// hf-search:. The keys are:
//
//	author=OWNER          models of this user or organization
//	search=TEXT           models whose id contains TEXT
//	filter=TAG            models carrying the Hub tag TAG (repeatable; all must match),
//	                      e.g. base_model:finetune:OWNER/NAME, gguf, license:mit
//	library=NAME          a library tag (a filter), e.g. transformers, peft
//	language=CODE         a language tag (a filter), e.g. en
//	dataset=OWNER/NAME    models trained on the dataset (the filter dataset:OWNER/NAME)
//	pipeline_tag=TASK     models of the task, e.g. text-generation
//	gated=true|false      only gated, or only non-gated, models
//	sort=KEY              downloads, likes, createdAt, lastModified or trendingScore
//	                      (the Hub sorts in descending order)
//	direction=-1          descending order, the only one the Hub offers
//	limit=N               list at most N models (1 to MaxEntries)
//
// Values are URL-encoded ("%26" for '&'). A query must narrow the listing
// with one of author, search, filter, library, language, dataset,
// pipeline_tag or gated, or bound it with limit: the Hub holds millions
// of models. The errors name the key that is wrong and what to write.
func ParseHubSearch(ref string) (HubQuery, bool, error) {
	ref = strings.TrimSpace(ref)
	rest, ok := strings.CutPrefix(ref, HubSearchPrefix)
	if !ok {
		return HubQuery{}, false, nil
	}
	fail := func(format string, args ...any) (HubQuery, bool, error) {
		return HubQuery{}, true, fmt.Errorf("%s: %s", strconv.Quote(clip(ref)), fmt.Sprintf(format, args...))
	}
	rest = strings.TrimPrefix(rest, "?")
	if strings.TrimSpace(rest) == "" {
		return fail("an empty query; write hf-search:author=OWNER, hf-search:filter=TAG or hf-search:search=TEXT (with &limit=N)")
	}
	values, err := url.ParseQuery(rest)
	if err != nil {
		return fail("not a query of KEY=VALUE pairs joined by '&' (%v); URL-encode special characters, '&' as %%26", err)
	}
	q := HubQuery{Params: url.Values{}}
	narrowed := false
	for _, key := range slices.Sorted(maps.Keys(values)) {
		vals := values[key]
		k, known := hubKeys[key]
		if !known {
			return fail("unknown key %q; use %s", clip(key), hubKeyList)
		}
		if !k.repeated && len(vals) > 1 {
			return fail("%s is given %d times; give it once", key, len(vals))
		}
		for _, v := range vals {
			v = strings.TrimSpace(v)
			if v == "" {
				return fail("%s has no value; write %s=VALUE or leave it out", key, key)
			}
			if strings.ContainsAny(v, "\x00\r\n") {
				return fail("%s holds a control character", key)
			}
			switch key {
			case "limit":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > MaxEntries {
					return fail("limit=%s is not a number of models from 1 to %d", clip(v), MaxEntries)
				}
				q.Limit = n
				continue
			case "sort":
				s, ok := hubSorts[v]
				if !ok {
					return fail("sort=%s is not a sort key; use downloads, likes, createdAt, lastModified or trendingScore", clip(v))
				}
				v = s
			case "direction":
				if v != "-1" {
					return fail("direction=%s: the Hub sorts in descending order only; write direction=-1 or leave it out", clip(v))
				}
			case "gated":
				if v != "true" && v != "false" {
					return fail("gated=%s: write gated=true or gated=false", clip(v))
				}
			case "author":
				if strings.Contains(v, "/") {
					return fail("author=%s: an author is a user or organization name, without '/'; to list one model, give hf:OWNER/NAME", clip(v))
				}
			}
			if k.prefix != "" && !strings.HasPrefix(v, k.prefix) {
				v = k.prefix + v
			}
			q.Params.Add(k.param, v)
		}
		narrowed = narrowed || k.narrows
	}
	if !narrowed && q.Limit == 0 {
		return fail("the query would list every model on the Hub; narrow it with author=, search= or filter=, or bound it with limit=N")
	}
	return q, true, nil
}
