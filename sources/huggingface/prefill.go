package huggingface

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pedigree-ai/pedigree/sources"
)

// MaxPrefilled bounds how many listing records a [Prefilled] holds at
// once. Past it, the oldest record not yet asked for is dropped: its
// model's info is then read from the next store, as without prefilling.
const MaxPrefilled = 4096

// Prefilled is a [Store] that answers the repository-info request of a
// listed model (api/models/ID, with no revision) from its listing record,
// once, without a request, and passes every other read to the store it
// wraps. It is safe for concurrent use.
//
// A listing record carries the same fields as the repository info for
// everything the source reads except the account details (authorData),
// which the Hub's listing does not return; the evidence is located at the
// canonical repository-info URL either way, and its digest is that of the
// listing record.
type Prefilled struct {
	next Store

	mu      sync.Mutex
	records map[string]pending // lower-case id -> record
	order   []queued           // ids in the order added, for dropping the oldest
	seq     uint64
	hits    atomic.Int64
}

// pending is a record waiting to be asked for.
type pending struct {
	raw []byte
	seq uint64
}

// queued is an id in the order records were added.
type queued struct {
	key string
	seq uint64
}

// Prefill wraps next so that the repository-info request of each model
// added with [Prefilled.Add] is answered from its listing record, once;
// memory stays flat over a long catalog because a record is forgotten when
// it is used, and at most [MaxPrefilled] wait.
func Prefill(next Store) *Prefilled {
	return &Prefilled{next: next, records: map[string]pending{}}
}

// Add holds l's record for the next request of its model's repository
// info. A record whose ID is not a Hub id, or that is empty, is ignored;
// adding a model again replaces its record.
func (p *Prefilled) Add(l Listing) {
	if !sources.ValidHubID(l.ID) || len(l.Raw) == 0 {
		return
	}
	key := strings.ToLower(l.ID)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.records[key] = pending{raw: l.Raw, seq: p.seq}
	p.order = append(p.order, queued{key, p.seq})
	for len(p.records) > MaxPrefilled && len(p.order) > 0 {
		q := p.order[0]
		p.order = p.order[1:]
		if r, ok := p.records[q.key]; ok && r.seq == q.seq {
			delete(p.records, q.key)
		}
	}
	if len(p.order) > 2*len(p.records)+64 {
		// Records taken by Get leave their place in the order behind;
		// drop those places so the order does not grow with the catalog.
		live := p.order[:0]
		for _, q := range p.order {
			if r, ok := p.records[q.key]; ok && r.seq == q.seq {
				live = append(live, q)
			}
		}
		clear(p.order[len(live):])
		p.order = live
	}
}

// Len returns how many records wait to be asked for.
func (p *Prefilled) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.records)
}

// Hits returns how many requests were answered from listing records.
func (p *Prefilled) Hits() int64 { return p.hits.Load() }

// Get implements [Store]. The request for api/models/ID (no query, no
// revision) of a model added and not yet asked for is answered with its
// listing record, which is then forgotten; when the wrapped store records
// (a [Recorder]), the record is written under the request's path too, so
// that the snapshot holds it. Every other request goes to the wrapped
// store.
func (p *Prefilled) Get(ctx context.Context, r Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if raw, ok := p.take(r); ok {
		p.hits.Add(1)
		if rec, ok := p.next.(recordAlias); ok {
			for _, path := range append([]string{r.Path}, r.Alternates...) {
				if err := rec.Write(path, raw); err != nil {
					return nil, err
				}
			}
		}
		return raw, nil
	}
	return p.next.Get(ctx, r)
}

// take removes and returns the record answering r, if any.
func (p *Prefilled) take(r Request) ([]byte, bool) {
	id, ok := strings.CutPrefix(r.Path, "api/models/")
	if !ok || r.Query != "" || !sources.ValidHubID(id) {
		return nil, false
	}
	key := strings.ToLower(id)
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.records[key]
	if !ok {
		return nil, false
	}
	delete(p.records, key)
	return rec.raw, true
}

// Write records body as the answer to path when the wrapped store records
// (a [Recorder]), and does nothing otherwise. It lets the source file a
// repository info under the commit it names, as it does with a recorder
// it is given directly.
func (p *Prefilled) Write(path string, body []byte) error {
	if rec, ok := p.next.(recordAlias); ok {
		return rec.Write(path, body)
	}
	return nil
}

// OpenFile opens a repository file for ranged reads through the wrapped
// store when that is an [*Online] store (or wraps one), as
// [Online.OpenFile] does; with any other store it fails, wrapping
// [sources.ErrUnsupported].
func (p *Prefilled) OpenFile(ctx context.Context, path string, size int64, budget int64) (*RemoteFile, error) {
	if o, ok := p.Online(); ok {
		return o.OpenFile(ctx, path, size, budget)
	}
	return nil, fmt.Errorf("%w: %s: the wrapped store does not read the Hub over HTTP", sources.ErrUnsupported, path)
}

// Online returns the [*Online] store under the wrappers, if any.
func (p *Prefilled) Online() (*Online, bool) {
	st := p.next
	for range 16 {
		switch s := st.(type) {
		case *Online:
			return s, true
		case interface{ Unwrap() Store }:
			st = s.Unwrap()
		default:
			return nil, false
		}
	}
	return nil, false
}

// Unwrap returns the wrapped store.
func (p *Prefilled) Unwrap() Store { return p.next }
