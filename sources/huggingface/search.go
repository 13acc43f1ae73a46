package huggingface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// Listing is one model of a listing page, in the shape of GET
// /api/models/{id}: with the fields the source reads from a model's
// repository info (see [SearchFields]), so that it can stand in for that
// request ([Prefill]).
type Listing struct {
	// ID is the model's Hub id, OWNER/NAME, as the Hub spells it.
	ID string
	// Raw is the model's JSON record as the Hub sent it.
	Raw []byte
}

// SearchFields are the fields each listed model is asked for (the Hub's
// expand parameter): every field of the repository info the source reads.
// The Hub's listing cannot return authorData, so a prefilled publisher
// lacks the account's type and display name.
var SearchFields = []string{
	"author", "cardData", "config", "createdAt", "disabled", "downloads", "gated", "gguf",
	"lastModified", "library_name", "likes", "pipeline_tag", "private", "sha", "siblings", "tags",
}

// searchPageSize is the page size asked of the Hub. Records carry their
// file lists, configurations and card metadata, so pages stay well under
// the client's body limit.
const searchPageSize = 100

// searchReserved are the listing parameters Search sets itself: the
// fields (expand; full, config and cardData cannot be combined with it),
// the page size and the cursor.
var searchReserved = []string{"expand", "expand[]", "full", "config", "cardData", "limit", "cursor"}

// Search lists the models params matches through GET /api/models, in the
// Hub's order, following the Link rel="next" cursor pages, until limit
// models were listed (0: no limit) or the listing ends.
//
// params are the Hub's listing parameters (author, search, filter,
// pipeline_tag, gated, sort, direction); Search asks for [SearchFields]
// with expand and sets the page size and cursor itself, so those
// parameters in params are ignored. Each page is one request of the
// store's HTTP client, with its retries, rate limit and token; a
// next-page link leading off the endpoint's host, or back to a page
// already read, is an error.
//
// The sequence yields each model with a nil error; on a failure (a
// refused or failed request, a page that is not a JSON array of models,
// a canceled ctx) it yields the error, wrapping the sentinel of its kind
// as [Online.Get] does, and ends.
func (o *Online) Search(ctx context.Context, params url.Values, limit int) iter.Seq2[Listing, error] {
	return func(yield func(Listing, error) bool) {
		q := url.Values{}
		for k, vs := range params {
			q[k] = append([]string(nil), vs...)
		}
		for _, k := range searchReserved {
			q.Del(k)
		}
		q["expand"] = append([]string(nil), SearchFields...)
		size := searchPageSize
		if limit > 0 && limit < size {
			size = limit
		}
		q.Set("limit", strconv.Itoa(size))
		u := o.endpoint + "/api/models?" + q.Encode()
		host := ""
		if eu, err := url.Parse(o.endpoint); err == nil {
			host = strings.ToLower(eu.Host)
		}
		seen := map[string]bool{}
		listed := 0
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(Listing{}, err)
				return
			}
			seen[u] = true
			items, next, err := o.searchPage(ctx, u)
			if err != nil {
				yield(Listing{}, fmt.Errorf("hub search, page %d: %w", page, err))
				return
			}
			for i, raw := range items {
				id, err := listedID(raw)
				if err != nil {
					yield(Listing{}, fmt.Errorf("%w: hub search, page %d (%s), model %d: %v", sources.ErrMalformed, page, u, i+1, err))
					return
				}
				if !yield(Listing{ID: id, Raw: bytes.Clone(raw)}, nil) {
					return
				}
				listed++
				if limit > 0 && listed >= limit {
					return
				}
			}
			if next == "" {
				return
			}
			nu, err := url.Parse(next)
			switch {
			case err != nil || (nu.Scheme != "http" && nu.Scheme != "https"):
				yield(Listing{}, fmt.Errorf("%w: hub search, page %d: the next-page link %q is not an http(s) URL", sources.ErrMalformed, page, next))
				return
			case strings.ToLower(nu.Host) != host:
				yield(Listing{}, fmt.Errorf("%w: hub search, page %d: the next-page link %s leaves the Hub's host %s; not followed", sources.ErrMalformed, page, next, host))
				return
			case seen[next]:
				yield(Listing{}, fmt.Errorf("%w: hub search, page %d: the next-page link %s leads back to a page already read", sources.ErrMalformed, page, next))
				return
			}
			u = next
		}
	}
}

// searchPage reads one listing page: its records and the absolute URL of
// the next page, "" for none.
func (o *Online) searchPage(ctx context.Context, u string) ([]json.RawMessage, string, error) {
	resp, err := o.client.Get(ctx, u)
	if err != nil {
		return nil, "", classifyTransport(err)
	}
	if err := statusError(resp); err != nil {
		return nil, "", err
	}
	var items []json.RawMessage
	if err := decode(resp.Body, &items); err != nil {
		return nil, "", fmt.Errorf("%w: %s: not a JSON array of models: %v", sources.ErrMalformed, resp.URL, err)
	}
	next := nextLink(resp.Header.Values("Link"))
	if next != "" {
		next = resolveLink(resp.FinalURL, next)
	}
	return items, next, nil
}

// listedID reads the id of one listed record.
func listedID(raw json.RawMessage) (string, error) {
	var rec struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", errors.New("not a JSON object with a string id")
	}
	if rec.ID == nil {
		return "", errors.New("no id")
	}
	if !sources.ValidHubID(*rec.ID) {
		return "", fmt.Errorf("id %q is not a Hub model id (OWNER/NAME)", clipID(*rec.ID))
	}
	return *rec.ID, nil
}

// clipID shortens a hostile id for a message.
func clipID(s string) string {
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}
