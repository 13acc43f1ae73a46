package huggingface_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// TestMillionFileRepository serves a model whose file tree lists 1,000,000
// files, 1,000 per page: the source reads a bounded number of pages, and
// says that the file list is incomplete instead of passing off the pages
// it read as the whole tree.
func TestMillionFileRepository(t *testing.T) {
	t.Parallel()
	const files, perPage = 1_000_000, 1000
	hub := hubtest.NewServer(t, snap)
	real := hubtest.NewServer(t, snap)
	var pages atomic.Int32
	hub.Handle(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/acme/base-7b/tree/") {
			http.Redirect(w, r, real.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		pages.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		entries := make([]map[string]any, perPage)
		for i := range entries {
			n := page*perPage + i
			entries[i] = map[string]any{"type": "file", "path": fmt.Sprintf("shards/part-%07d.bin", n), "size": 1, "oid": fmt.Sprintf("%040d", n)}
		}
		if (page+1)*perPage < files {
			q := r.URL.Query()
			q.Set("cursor", strconv.Itoa(page+1))
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(entries)
	})
	src, _ := online(t, hub)
	obs, err := src.Collect(context.Background(), base)
	if obs == nil {
		t.Fatalf("Collect: no observation: %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "more than 200 pages") {
		t.Errorf("Collect error = %v; want the listing's cut named", err)
	}
	if got := pages.Load(); got > 200 {
		t.Errorf("%d tree pages requested; the limit is 200", got)
	}
	cut := false
	for _, ev := range obs.Evidence {
		if ev.Kind == sources.KindFileError && ev.Attr("part") == "inventory" {
			cut = true
		}
	}
	if !cut {
		t.Error("no file_error says the file list is incomplete")
	}
}
