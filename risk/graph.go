package risk

import (
	"github.com/pedigree-ai/pedigree/sources"
)

// NodeState says how much is known about a subject of the lineage.
type NodeState string

// Node states.
const (
	// NodeCollected: every source that serves the subject read it.
	NodeCollected NodeState = "collected"
	// NodePartial: some sources, or parts of a source, failed.
	NodePartial NodeState = "partial"
	// NodeFailed: every source that serves the subject failed.
	NodeFailed NodeState = "failed"
	// NodeSkipped: no installed source serves the subject, or it lies
	// beyond the walk's depth limit.
	NodeSkipped NodeState = "skipped"
)

// Node is one subject of a lineage graph with everything the sources said
// about it.
type Node struct {
	// ID is the subject's identity (sources.Subject.ID of the resolved subject).
	ID string
	// Subject is the subject as resolved by its sources.
	Subject sources.Subject
	// State says how much is known.
	State NodeState
	// Reason explains a skipped, failed or partial state; empty otherwise.
	Reason string
	// Depth is the number of edges on the shortest path from the assessed subject.
	Depth int
	// Evidence holds what every source said, in source order.
	Evidence []sources.Evidence
	// Sources holds one status per source that served the subject.
	Sources []SourceStatus
	// Unfollowed counts the subject's links that the walk left out of the
	// graph because a limit of the engine was reached (see [Limits]).
	Unfollowed int
}

// Collected reports whether any source read the subject (collected or partial).
func (n *Node) Collected() bool { return n.State == NodeCollected || n.State == NodePartial }

// Find returns the node's evidence of kind k, in order.
func (n *Node) Find(k sources.EvidenceKind) []sources.Evidence {
	var out []sources.Evidence
	for _, e := range n.Evidence {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Has reports whether the node has evidence of kind k.
func (n *Node) Has(k sources.EvidenceKind) bool {
	for _, e := range n.Evidence {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// Edge is a link of the lineage graph between two node IDs. From derives
// from (or depends on) To.
type Edge struct {
	From     string           `json:"from"`
	To       string           `json:"to"`
	Relation sources.Relation `json:"relation"`
	// Declared is true when metadata declares the link.
	Declared bool `json:"declared"`
	// Evidence lists the IDs of the evidence the link rests on.
	Evidence []string `json:"evidence,omitempty"`
}

// Graph is the lineage of one assessed subject: the subject, everything it
// derives from or depends on (as far as the walk went), and the links.
// A Graph is read-only once built and safe for concurrent reads.
type Graph struct {
	// Root is the ID of the assessed subject.
	Root string
	// Nodes are in breadth-first order from the root.
	Nodes []*Node
	// Edges are in the order they were found, without duplicates of
	// (from, to, relation).
	Edges []Edge

	byID   map[string]*Node
	out    map[string][]Edge
	in     map[string][]Edge
	parent map[string]string // BFS tree: node -> the node it was first reached from
}

// NewGraph indexes a lineage graph whose assessed subject is root. nodes
// should list every node once, root first; edges name node IDs. Node depths
// and paths are derived from a breadth-first walk from root. Sources never
// build graphs (the engine does); NewGraph is for tests of rules and for
// embedders that evaluate rules over a graph of their own.
func NewGraph(root string, nodes []*Node, edges []Edge) *Graph {
	g := &Graph{Root: root, Nodes: nodes, Edges: edges, parent: map[string]string{},
		byID: make(map[string]*Node, len(nodes)), out: map[string][]Edge{}, in: map[string][]Edge{}}
	for _, n := range nodes {
		g.byID[n.ID] = n
	}
	for _, e := range edges {
		g.out[e.From] = append(g.out[e.From], e)
		g.in[e.To] = append(g.in[e.To], e)
	}
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.out[cur] {
			if seen[e.To] {
				continue
			}
			seen[e.To] = true
			g.parent[e.To] = cur
			queue = append(queue, e.To)
		}
	}
	return g
}

// Node returns the node with the given ID, or nil.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

// RootNode returns the assessed subject's node.
func (g *Graph) RootNode() *Node { return g.byID[g.Root] }

// Out returns the edges from id: what id derives from or depends on.
func (g *Graph) Out(id string) []Edge { return g.out[id] }

// In returns the edges to id: what derives from or depends on id.
func (g *Graph) In(id string) []Edge { return g.in[id] }

// Path returns the chain of node IDs from the root to id along the walk's
// shortest path, root first. It is nil for an ID not in the graph.
func (g *Graph) Path(id string) []string {
	if g.byID[id] == nil {
		return nil
	}
	var rev []string
	seen := map[string]bool{}
	for cur := id; ; {
		rev = append(rev, cur)
		seen[cur] = true
		p, ok := g.parent[cur]
		if !ok || seen[p] {
			break
		}
		cur = p
	}
	out := make([]string, len(rev))
	for i, s := range rev {
		out[len(rev)-1-i] = s
	}
	return out
}

// Lineage returns the root and every model it derives from through lineage
// relations (finetune, adapter, quantized, merge, distillation,
// derived_from), in breadth-first order.
func (g *Graph) Lineage() []*Node {
	return g.reach(func(e Edge) bool { return e.Relation.Lineage() })
}

// Bases returns the lineage edges from id: the models id directly derives from.
func (g *Graph) Bases(id string) []Edge {
	var out []Edge
	for _, e := range g.out[id] {
		if e.Relation.Lineage() {
			out = append(out, e)
		}
	}
	return out
}

// Ancestors returns every model id derives from, directly or not, through
// lineage relations, in breadth-first order, without id itself.
func (g *Graph) Ancestors(id string) []*Node {
	seen := map[string]bool{id: true}
	queue := []string{id}
	var out []*Node
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.out[cur] {
			if !e.Relation.Lineage() || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if n := g.byID[e.To]; n != nil {
				out = append(out, n)
				queue = append(queue, e.To)
			}
		}
	}
	return out
}

func (g *Graph) reach(follow func(Edge) bool) []*Node {
	root := g.byID[g.Root]
	if root == nil {
		return nil
	}
	seen := map[string]bool{g.Root: true}
	out := []*Node{root}
	for i := 0; i < len(out); i++ {
		for _, e := range g.out[out[i].ID] {
			if !follow(e) || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if n := g.byID[e.To]; n != nil {
				out = append(out, n)
			}
		}
	}
	return out
}
