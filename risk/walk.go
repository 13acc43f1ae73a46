package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// collected is what the sources said about one subject.
type collected struct {
	subject  sources.Subject // as resolved
	state    NodeState
	reason   string
	evidence []sources.Evidence
	edges    []sources.Edge
	statuses []SourceStatus
}

// errTimeLimit is the cause of an assessment's context ending at
// Limits.Timeout.
var errTimeLimit = errors.New("the assessment's time limit passed")

// timedOut reports whether ctx ended at the assessment's time limit.
func timedOut(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errTimeLimit) }

// stragglerGrace is how long a walk whose time is up still waits for
// sources to return; a source that ignores its context is abandoned.
const stragglerGrace = time.Second

// walk collects s and everything it links to, breadth first, level by
// level, each level's subjects in parallel up to the engine's concurrency.
// It follows at most the engine's limits of links per subject and subjects
// per graph, counting the links it leaves in Node.Unfollowed. When ctx ends
// at the time limit, the walk stops and returns what it has, the subjects
// not read failed or skipped; when ctx ends otherwise, it returns ctx's error.
func (e *Engine) walk(ctx context.Context, root sources.Subject) (*Graph, error) {
	type pending struct {
		subject sources.Subject
		depth   int
	}
	var (
		nodes   []*Node
		edges   []Edge
		byKey   = map[string]*Node{} // requested ID -> node
		byID    = map[string]*Node{} // resolved ID -> node
		seenE   = map[[3]string]bool{}
		level   = []pending{{root, 0}}
		queued  = map[string]bool{root.ID(): true}
		expired bool
		// nodes that reached the edge limit (else the node limit)
		edgeLimited = map[*Node]bool{}
	)
	for len(level) > 0 {
		results := make([]*collected, len(level))
		var todo []int
		for i, p := range level {
			switch {
			case expired:
				results[i] = &collected{subject: p.subject, state: NodeSkipped, reason: e.timeLimitReason("not read")}
			case p.depth > e.maxDepth:
				results[i] = &collected{subject: p.subject, state: NodeSkipped,
					reason: fmt.Sprintf("beyond the walk's depth limit of %d edges (raise --max-depth)", e.maxDepth)}
			default:
				todo = append(todo, i)
			}
		}
		subjects := make([]sources.Subject, len(level))
		for i, p := range level {
			subjects[i] = p.subject
		}
		e.collectAll(ctx, subjects, todo, results)
		if err := ctx.Err(); err != nil && !expired {
			if !timedOut(ctx) {
				return nil, err
			}
			expired = true
			for _, i := range todo {
				if c := results[i]; c.state != NodeCollected {
					results[i] = e.timedOutCopy(c)
				}
			}
		}
		var next []pending
		follow := make([][]sources.Edge, len(level))
		for i, p := range level {
			c := results[i]
			id := c.subject.ID()
			n := byID[id]
			if n == nil {
				n = &Node{ID: id, Subject: c.subject, State: c.state, Reason: c.reason, Depth: p.depth,
					Evidence: c.evidence, Sources: c.statuses}
				byID[id] = n
				nodes = append(nodes, n)
			}
			byKey[p.subject.ID()] = n
			targets := map[string]bool{}
			dropped := 0
			for _, se := range lineageFirst(c.edges) {
				key := se.To.ID()
				if !targets[key] {
					if len(targets) >= e.limits.Edges {
						dropped++
						continue
					}
					if !queued[key] {
						if len(queued) >= e.limits.Nodes {
							dropped++
							continue
						}
						queued[key] = true
						next = append(next, pending{se.To, p.depth + 1})
					}
					targets[key] = true
				}
				follow[i] = append(follow[i], se)
			}
			n.Unfollowed += dropped
			if dropped > 0 && len(targets) >= e.limits.Edges {
				edgeLimited[n] = true
			}
		}
		// Edges are added once every target of this level's nodes is
		// known by its requested ID; targets resolve in the next level.
		for i := range level {
			from := byID[results[i].subject.ID()].ID
			for _, se := range follow[i] {
				k := [3]string{from, se.To.ID(), string(se.Relation)}
				if seenE[k] {
					continue
				}
				seenE[k] = true
				edges = append(edges, Edge{From: from, To: se.To.ID(), Relation: se.Relation,
					Declared: se.Declared, Evidence: se.Evidence})
			}
		}
		level = next
	}
	e.markUnfollowed(nodes, edgeLimited)
	// Edge targets were requested IDs; point them at the resolved nodes.
	for i := range edges {
		if n := byKey[edges[i].To]; n != nil {
			edges[i].To = n.ID
		}
	}
	g := NewGraph(byKey[root.ID()].ID, nodes, dedupeEdges(edges))
	for _, n := range nodes {
		if p := g.Path(n.ID); len(p) > 0 {
			n.Depth = len(p) - 1
		}
	}
	return g, nil
}

// collectAll collects subjects[i] into results[i] for every i of todo, in
// parallel. It returns when all are done, or, once ctx is done, after at
// most stragglerGrace; a subject whose sources have not returned by then
// is failed.
func (e *Engine) collectAll(ctx context.Context, subjects []sources.Subject, todo []int, results []*collected) {
	type done struct {
		i int
		c *collected
	}
	// Buffered so that an abandoned collection can still finish.
	ch := make(chan done, len(todo))
	for _, i := range todo {
		go func() { ch <- done{i, e.collect(ctx, subjects[i])} }()
	}
	var grace <-chan time.Time
	for got := 0; got < len(todo); {
		select {
		case d := <-ch:
			results[d.i] = d.c
			got++
		case <-ctx.Done():
			if grace == nil {
				t := time.NewTimer(stragglerGrace)
				defer t.Stop()
				grace = t.C
			}
		case <-grace:
			for _, i := range todo {
				if results[i] == nil {
					results[i] = &collected{subject: subjects[i], state: NodeFailed,
						reason: "its sources did not return in time and were abandoned"}
				}
			}
			return
		}
	}
}

// lineageFirst returns edges with the lineage links (a model's ancestors)
// before the others, each group in its order, so that the edge limit keeps
// them first.
func lineageFirst(edges []sources.Edge) []sources.Edge {
	if !slices.ContainsFunc(edges, func(se sources.Edge) bool { return !se.Relation.Lineage() }) {
		return edges
	}
	out := make([]sources.Edge, 0, len(edges))
	for _, pass := range []bool{true, false} {
		for _, se := range edges {
			if se.Relation.Lineage() == pass {
				out = append(out, se)
			}
		}
	}
	return out
}

// markUnfollowed records on the nodes that links were left out of the
// graph: their count, and the limit in their reason.
func (e *Engine) markUnfollowed(nodes []*Node, edgeLimited map[*Node]bool) {
	for _, n := range nodes {
		if n.Unfollowed == 0 {
			continue
		}
		why := fmt.Sprintf("the walk's limit of %d subjects per lineage was reached", e.limits.Nodes)
		if edgeLimited[n] {
			why = fmt.Sprintf("the walk follows at most %d links per subject", e.limits.Edges)
		}
		msg := fmt.Sprintf("%d links not followed: %s", n.Unfollowed, why)
		if n.State == NodeCollected {
			n.State = NodePartial
		}
		if n.Reason == "" {
			n.Reason = msg
		} else {
			n.Reason += "; " + msg
		}
	}
}

// timeLimitReason says that the time limit stopped what.
func (e *Engine) timeLimitReason(what string) string {
	return fmt.Sprintf("%s: the assessment's time limit of %s passed (raise --timeout)", what, e.limits.Timeout)
}

// timedOutCopy returns a copy of c, which the time limit cut short, with a
// reason that says so.
func (e *Engine) timedOutCopy(c *collected) *collected {
	cp := *c
	what := "not read"
	if c.state == NodePartial {
		what = "read in part"
	}
	cp.reason = e.timeLimitReason(what)
	if c.reason != "" && !strings.Contains(c.reason, "canceled") && !strings.Contains(c.reason, "deadline exceeded") {
		cp.reason += " (" + c.reason + ")"
	}
	return &cp
}

// dedupeEdges drops edges that became duplicates when requested IDs were
// replaced by resolved ones.
func dedupeEdges(edges []Edge) []Edge {
	seen := map[[3]string]bool{}
	out := edges[:0]
	for _, e := range edges {
		k := [3]string{e.From, e.To, string(e.Relation)}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// collect returns what the sources say about s, from the cache when an
// earlier walk of this engine read it.
func (e *Engine) collect(ctx context.Context, s sources.Subject) *collected {
	key := s.ID()
	ent, owner := e.cache.get(key)
	if !owner {
		select {
		case <-ent.done:
			if ent.val != nil {
				return ent.val
			}
			// The owner was cancelled; read it ourselves.
		case <-ctx.Done():
			return &collected{subject: s, state: NodeFailed, reason: "canceled"}
		}
		return e.read(ctx, s)
	}
	c := e.read(ctx, s)
	if ctx.Err() != nil {
		e.cache.abandon(key, ent)
		return c
	}
	e.cache.put(key, ent, c)
	return c
}

// read asks every source that serves s, one after the other (the walk
// runs subjects in parallel), and merges what they say.
func (e *Engine) read(ctx context.Context, s sources.Subject) *collected {
	srcs := e.mux.For(s)
	c := &collected{subject: s}
	if len(srcs) == 0 {
		c.state = NodeSkipped
		c.reason = fmt.Sprintf("no installed source can read %s", s)
		c.statuses = []SourceStatus{{Subject: s.ID(), State: StateSkipped, Reason: c.reason}}
		return c
	}
	// Only sources that are not supplementary decide whether s was read,
	// unless no other source serves it.
	decides := func(src sources.Source) bool { return !sources.IsSupplementary(src) }
	if !slices.ContainsFunc(srcs, decides) {
		decides = func(sources.Source) bool { return true }
	}
	resolved := false
	var ok, failed int
	var reasons []string
	for _, src := range srcs {
		primary := decides(src)
		select {
		case e.sem <- struct{}{}:
		case <-ctx.Done():
			c.state, c.reason = NodeFailed, "canceled"
			return c
		}
		obs, err := collectSafely(ctx, src, s)
		<-e.sem
		st := SourceStatus{Source: src.Name(), Subject: s.ID(), State: StateSucceeded}
		switch {
		case err != nil && obs != nil:
			st.State, st.Reason = StatePartial, sources.Category(err)+": "+err.Error()
		case err != nil:
			st.State, st.Reason = StateFailed, sources.Category(err)+": "+err.Error()
		}
		e.log.Debug("collect", "source", src.Name(), "subject", s.ID(), "state", st.State, "reason", st.Reason)
		if st.State == StateFailed {
			if primary {
				failed++
			}
			reasons = append(reasons, st.Reason)
		} else {
			if primary {
				ok++
			}
			if st.State == StatePartial {
				reasons = append(reasons, st.Reason)
			}
			if !resolved && obs.Subject.Revision != "" && sameIdentity(obs.Subject, s) {
				c.subject.Revision = obs.Subject.Revision
				resolved = true
			}
			c.evidence = append(c.evidence, obs.Evidence...)
			c.edges = append(c.edges, obs.Edges...)
		}
		c.statuses = append(c.statuses, st)
	}
	switch {
	case ok == 0:
		c.state = NodeFailed
	case failed > 0 || len(reasons) > 0:
		c.state = NodePartial
	default:
		c.state = NodeCollected
	}
	if len(reasons) > 0 {
		c.reason = reasons[0]
	}
	if len(c.evidence) > e.limits.Evidence {
		c.state = NodeFailed
		c.reason = fmt.Sprintf("its sources gave %d pieces of evidence, more than the limit of %d per subject; none is kept, since the rest could hide what a part shows", len(c.evidence), e.limits.Evidence)
		c.evidence, c.edges = nil, nil
		return c
	}
	// Evidence is re-attributed to the resolved subject so that IDs in
	// reports agree; edges start at it.
	id := c.subject.ID()
	if id != s.ID() {
		for i, ev := range c.evidence {
			if ev.Subject == s.ID() {
				c.evidence[i] = sources.NewEvidence(id, ev.Kind, ev.Value, ev.Attrs, ev.Origin)
				remapEvidence(c.edges, ev.ID, c.evidence[i].ID)
			}
		}
	}
	for i := range c.edges {
		c.edges[i].From = id
	}
	return c
}

func remapEvidence(edges []sources.Edge, from, to string) {
	for i := range edges {
		for j, id := range edges[i].Evidence {
			if id == from {
				// The slice may be shared with the source: copy before writing.
				ev := append([]string(nil), edges[i].Evidence...)
				ev[j] = to
				edges[i].Evidence = ev
			}
		}
	}
}

// sameIdentity reports whether a source's resolved subject is the subject
// asked for (a source may only fill in the revision).
func sameIdentity(a, b sources.Subject) bool {
	return a.Kind == b.Kind && a.PURL == b.PURL && a.Path == b.Path
}

// collectSafely calls src.Collect, turning a panic in a source into an
// error so that one broken source cannot take down a batch.
func collectSafely(ctx context.Context, src sources.Source, s sources.Subject) (obs *sources.Observation, err error) {
	defer func() {
		if r := recover(); r != nil {
			obs, err = nil, sources.Errorf(src.Name(), s, "collect", fmt.Errorf("source panicked: %v", r))
		}
	}()
	obs, err = src.Collect(ctx, s)
	if obs == nil && err == nil {
		err = sources.Errorf(src.Name(), s, "collect", errors.New("source returned neither an observation nor an error"))
	}
	return obs, err
}

// collectCache remembers collections by requested subject ID, and lets
// concurrent walks wait for one read of a shared subject.
type collectCache struct {
	mu    sync.Mutex
	max   int
	m     map[string]*cacheEntry
	order []string // insertion order of completed entries, for eviction
}

type cacheEntry struct {
	done chan struct{}
	val  *collected
}

func newCollectCache(max int) *collectCache {
	return &collectCache{max: max, m: map[string]*cacheEntry{}}
}

// get returns the entry for key; owner is true when the caller must read
// the subject and then call put or abandon.
func (c *collectCache) get(key string) (ent *cacheEntry, owner bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ent, ok := c.m[key]; ok {
		return ent, false
	}
	ent = &cacheEntry{done: make(chan struct{})}
	c.m[key] = ent
	return ent, true
}

func (c *collectCache) put(key string, ent *cacheEntry, v *collected) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ent.val = v
	close(ent.done)
	if c.max == 0 {
		delete(c.m, key)
		return
	}
	c.order = append(c.order, key)
	for len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *collectCache) abandon(key string, ent *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	close(ent.done)
}
