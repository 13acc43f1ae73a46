package huggingface_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// realHub holds real Hub records (the bundled demo snapshot).
const realHub = "../../testdata/hub"

// searchAll lists every model of hub.
func searchAll(t *testing.T, o *huggingface.Online, params url.Values) []huggingface.Listing {
	t.Helper()
	ls, err := collectSearch(context.Background(), o, params, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) == 0 {
		t.Fatal("nothing listed")
	}
	return ls
}

func TestPrefillAnswersTheInfoOnce(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	o := newOnline(t, hub)
	listed := searchAll(t, o, url.Values{"author": {"acme"}})
	p := huggingface.Prefill(o)
	for _, l := range listed {
		p.Add(l)
	}
	if p.Len() != 3 {
		t.Fatalf("Len = %d, want 3", p.Len())
	}
	src := huggingface.New(huggingface.WithStore(p), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
	ctx := context.Background()
	for _, l := range listed {
		info := "/api/models/" + l.ID
		obs, err := src.Collect(ctx, sources.HubModel(l.ID, ""))
		if err != nil || obs == nil {
			t.Fatalf("%s: Collect = %v, %v", l.ID, obs, err)
		}
		if n := hub.Requests()[info]; n != 0 {
			t.Errorf("%s: %d requests for %s, want 0", l.ID, n, info)
		}
		if _, err := src.Collect(ctx, sources.HubModel(l.ID, "")); err != nil {
			t.Fatal(err)
		}
		if n := hub.Requests()[info]; n != 1 {
			t.Errorf("%s: %d requests for %s after a second assessment, want 1", l.ID, n, info)
		}
	}
	if p.Len() != 0 || p.Hits() != 3 {
		t.Errorf("Len = %d, Hits = %d; want 0 and 3", p.Len(), p.Hits())
	}
}

// normalized is an observation as it compares between a prefilled and a
// plain assessment: the digests of the repository info's evidence differ,
// since they are of the bytes read (the listing record or the info).
func normalized(obs *sources.Observation, infoLocator string) *sources.Observation {
	if obs == nil {
		return nil
	}
	out := *obs
	out.Evidence = make([]sources.Evidence, len(obs.Evidence))
	for i, ev := range obs.Evidence {
		if ev.Origin.Locator == infoLocator {
			ev.Origin.Digest = ""
		}
		out.Evidence[i] = ev
	}
	out.Edges = make([]sources.Edge, len(obs.Edges))
	for i, e := range obs.Edges {
		if e.Origin.Locator == infoLocator {
			e.Origin.Digest = ""
		}
		out.Edges[i] = e
	}
	return &out
}

// TestPrefillSameEvidence assesses every model of real Hub records twice,
// through the repository info and through its listing record: the
// evidence, edges and errors are the same, located at the canonical
// repository-info URL.
func TestPrefillSameEvidence(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, realHub)
	hub.SetPageSize(40)
	o := newOnline(t, hub, func(o *huggingface.OnlineOptions) { o.RateLimit = -1 })
	listed := searchAll(t, o, nil)
	if len(listed) < 90 {
		t.Fatalf("listed %d models of the real records, want them all", len(listed))
	}
	plain := huggingface.New(huggingface.WithStore(o), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses), huggingface.WithInspection(0))
	p := huggingface.Prefill(o)
	prefilled := huggingface.New(huggingface.WithStore(p), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses), huggingface.WithInspection(0))
	ctx := context.Background()
	compared := 0
	for _, l := range listed {
		subj := sources.HubModel(l.ID, "")
		locator := huggingface.CanonicalBase + "/api/models/" + l.ID
		want, wantErr := plain.Collect(ctx, subj)
		p.Add(l)
		before := hub.Requests()["/api/models/"+l.ID]
		got, gotErr := prefilled.Collect(ctx, subj)
		if n := hub.Requests()["/api/models/"+l.ID]; n != before {
			t.Errorf("%s: the prefilled assessment asked for the repository info", l.ID)
		}
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
			t.Errorf("%s: error %v, want %v", l.ID, gotErr, wantErr)
		}
		if d := cmp.Diff(normalized(want, locator), normalized(got, locator)); d != "" {
			t.Errorf("%s: observation (-info +listing):\n%s", l.ID, d)
			continue
		}
		if got == nil {
			continue
		}
		located := false
		for _, ev := range got.Evidence {
			if ev.Origin.Locator == locator {
				located = true
				if ev.Kind == sources.KindRevision && ev.Origin.Digest != sources.Digest(l.Raw) {
					t.Errorf("%s: revision digest %s, want the listing record's", l.ID, ev.Origin.Digest)
				}
			}
		}
		if !located {
			t.Errorf("%s: no evidence located at %s", l.ID, locator)
		}
		compared++
	}
	if compared < 90 {
		t.Errorf("compared %d observations, want every listed model", compared)
	}
}

func TestPrefillRecordsIntoASnapshot(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	o := newOnline(t, hub)
	listed := searchAll(t, o, url.Values{"search": {"base-7b-chat"}})
	dir := t.TempDir()
	rec, err := huggingface.Record(o, dir)
	if err != nil {
		t.Fatal(err)
	}
	p := huggingface.Prefill(rec)
	p.Add(listed[0])
	src := huggingface.New(huggingface.WithStore(p), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
	if _, err := src.Collect(context.Background(), chat); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"api/models/acme/base-7b-chat.json", "api/models/acme/base-7b-chat/revision/d5bf4540b6d1e21af80692bedc1efa1e5a8b2f80.json"} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Errorf("snapshot lacks %s: %v", f, err)
		} else if string(data) != string(listed[0].Raw) {
			t.Errorf("%s holds %s, want the listing record", f, data)
		}
	}
	// The snapshot replays the same observation offline.
	d, err := huggingface.Snapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := huggingface.New(huggingface.WithStore(d), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses)).Collect(context.Background(), chat); err != nil {
		t.Errorf("replay: %v", err)
	}
}

// countingStore counts the requests that reach it.
type countingStore struct {
	mu    sync.Mutex
	paths map[string]int
}

func (c *countingStore) Get(_ context.Context, r huggingface.Request) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := r.Path
	if r.Query != "" {
		key += "?" + r.Query
	}
	c.paths[key]++
	return []byte(`{"id":"from/next"}`), nil
}

func TestPrefillOnlyAnswersTheInfo(t *testing.T) {
	t.Parallel()
	next := &countingStore{paths: map[string]int{}}
	p := huggingface.Prefill(next)
	p.Add(huggingface.Listing{ID: "Acme/M", Raw: []byte(`{"id":"Acme/M"}`)})
	p.Add(huggingface.Listing{ID: "../x", Raw: []byte(`{}`)}) // ignored
	p.Add(huggingface.Listing{ID: "a/empty"})                 // ignored
	ctx := context.Background()
	for _, r := range []huggingface.Request{
		{Path: "api/models/acme/m/revision/main"},
		{Path: "api/models/acme/m/tree/abc", Query: "recursive=true&expand=true"},
		{Path: "api/models/acme/m", Query: "expand=x"},
		{Path: "api/datasets/acme/m"},
		{Path: "acme/m/resolve/main/README.md"},
		{Path: "api/models/a/empty"},
	} {
		body, err := p.Get(ctx, r)
		if err != nil || string(body) != `{"id":"from/next"}` {
			t.Errorf("%+v: got %s, %v; want the next store's answer", r, body, err)
		}
	}
	if p.Len() != 1 {
		t.Fatalf("Len = %d, want 1", p.Len())
	}
	body, err := p.Get(ctx, huggingface.Request{Path: "api/models/acme/m"}) // ids match case-insensitively
	if err != nil || string(body) != `{"id":"Acme/M"}` {
		t.Errorf("got %s, %v; want the listing record", body, err)
	}
	if next.paths["api/models/acme/m"] != 0 {
		t.Error("the prefilled request reached the next store")
	}
	if _, err := p.Get(ctx, huggingface.Request{Path: "api/models/acme/m"}); err != nil || next.paths["api/models/acme/m"] != 1 {
		t.Errorf("the second request did not reach the next store: %v, %v", err, next.paths)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Get(canceled, huggingface.Request{Path: "api/models/x/y"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context = %v", err)
	}
}

func TestPrefillIsBounded(t *testing.T) {
	t.Parallel()
	next := &countingStore{paths: map[string]int{}}
	p := huggingface.Prefill(next)
	ctx := context.Background()
	// Records used as they come keep nothing.
	for i := range 3 * huggingface.MaxPrefilled {
		id := fmt.Sprintf("o/m%d", i)
		p.Add(huggingface.Listing{ID: id, Raw: []byte(`{}`)})
		if _, err := p.Get(ctx, huggingface.Request{Path: "api/models/" + id}); err != nil {
			t.Fatal(err)
		}
	}
	if p.Len() != 0 || len(next.paths) != 0 {
		t.Fatalf("Len = %d, %d requests reached next; want 0 and 0", p.Len(), len(next.paths))
	}
	// Records never asked for are dropped, the oldest first.
	for i := range huggingface.MaxPrefilled + 10 {
		p.Add(huggingface.Listing{ID: fmt.Sprintf("o/n%d", i), Raw: []byte(`{}`)})
	}
	if p.Len() != huggingface.MaxPrefilled {
		t.Errorf("Len = %d, want %d", p.Len(), huggingface.MaxPrefilled)
	}
	p.Get(ctx, huggingface.Request{Path: "api/models/o/n0"})
	p.Get(ctx, huggingface.Request{Path: "api/models/o/n10"})
	if next.paths["api/models/o/n0"] != 1 || next.paths["api/models/o/n10"] != 0 {
		t.Errorf("requests that reached next: %v; want the oldest only", next.paths)
	}
}

func TestPrefillConcurrent(t *testing.T) {
	t.Parallel()
	next := &countingStore{paths: map[string]int{}}
	p := huggingface.Prefill(next)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("o/w%d-%d", w, i)
				p.Add(huggingface.Listing{ID: id, Raw: []byte(`{"id":"` + id + `"}`)})
				body, err := p.Get(context.Background(), huggingface.Request{Path: "api/models/" + id})
				if err != nil || string(body) != `{"id":"`+id+`"}` {
					t.Errorf("%s: %s, %v", id, body, err)
				}
			}
		})
	}
	wg.Wait()
	if p.Hits() != 1600 || len(next.paths) != 0 {
		t.Errorf("Hits = %d, %d requests reached next; want 1600 and 0", p.Hits(), len(next.paths))
	}
}

func TestPrefillForwardsRemoteFiles(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	o := newOnline(t, hub)
	p := huggingface.Prefill(o)
	if got, ok := p.Online(); !ok || got != o {
		t.Fatalf("Online() = %v, %v", got, ok)
	}
	if p.Unwrap() != huggingface.Store(o) {
		t.Error("Unwrap does not return the wrapped store")
	}
	f, err := p.OpenFile(context.Background(), "acme/base-7b/resolve/bcb0c536b4a056c69d7e683bd66773f52c3bdbe7/config.json", -1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if n, err := f.ReadAt(buf, 0); n != 1 || buf[0] != '{' {
		t.Errorf("ReadAt = %d, %v, %q", n, err, buf)
	}
	d, err := huggingface.Snapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := huggingface.Prefill(d).OpenFile(context.Background(), "a/b/resolve/main/x", -1, 1<<20); !errors.Is(err, sources.ErrUnsupported) {
		t.Errorf("OpenFile over a snapshot = %v, want ErrUnsupported", err)
	}
	if err := huggingface.Prefill(d).Write("api/models/a/b", []byte("{}")); err != nil {
		t.Errorf("Write over a store that does not record = %v, want nil", err)
	}
}
