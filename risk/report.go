package risk

import (
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// SchemaVersion is the version of the JSON report format. Fields covered by
// it are those of Report and the types it holds; they are only added to
// within a version, never renamed or removed.
const SchemaVersion = "1"

// Report is the outcome of one assessment: the lineage walked, the
// evidence, the findings and the score, with where every fact came from.
// Its JSON form is the canonical report every other format renders from.
type Report struct {
	SchemaVersion string             `json:"schema_version"`
	Tool          ToolInfo           `json:"tool"`
	Subject       SubjectInfo        `json:"subject"`
	GeneratedAt   time.Time          `json:"generated_at"`
	Policy        PolicyInfo         `json:"policy"`
	Score         Score              `json:"score"`
	Lineage       Lineage            `json:"lineage"`
	Findings      []Finding          `json:"findings"`
	Evidence      []sources.Evidence `json:"evidence"`
	Sources       []SourceStatus     `json:"sources"`
	// Labels are facts the caller attached to the subject, carried through
	// unchanged: a batch catalog's extra columns, a BOM component's
	// bom-ref. Nil when none.
	Labels map[string]string `json:"labels,omitempty"`
}

// SubjectInfo identifies the assessed subject.
type SubjectInfo struct {
	// Ref is the reference as given.
	Ref string `json:"ref"`
	// PURL is the subject's ID: its Package URL with the resolved revision,
	// or its file:// URL.
	PURL string `json:"purl"`
	// Kind is model, dataset, package or repository.
	Kind sources.SubjectKind `json:"kind"`
	// Revision is the commit the reference resolved to; empty when the
	// subject has none (a local folder) or it could not be resolved.
	Revision string `json:"revision,omitempty"`
}

// PolicyInfo names the policy of an assessment.
type PolicyInfo struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	// File is the policy file read; empty for the built-in default.
	File string `json:"file,omitempty"`
	// Waivers says which of the policy's waivers applied.
	Waivers []WaiverState `json:"waivers,omitempty"`
}

// Lineage is the graph walked: the assessed subject first, then what it
// derives from or depends on, breadth first.
type Lineage struct {
	Nodes []LineageNode `json:"nodes"`
	Edges []Edge        `json:"edges"`
}

// LineageNode is one subject of the lineage.
type LineageNode struct {
	// ID is the subject's identity, as in findings' subject and path.
	ID       string              `json:"id"`
	Kind     sources.SubjectKind `json:"kind"`
	Ref      string              `json:"ref"`
	Revision string              `json:"revision,omitempty"`
	// Depth is the number of edges from the assessed subject.
	Depth int `json:"depth"`
	// State says how much is known about the subject.
	State NodeState `json:"state"`
	// Reason explains a skipped, failed or partial state.
	Reason string `json:"reason,omitempty"`
	// Unfollowed counts the subject's links left out of the lineage because
	// a limit of the walk was reached; the lineage beyond them is unknown.
	Unfollowed int `json:"unfollowed,omitempty"`
	// Publisher is who published the subject, when known.
	Publisher *Publisher `json:"publisher,omitempty"`
	// License is the subject's effective license, when one is declared.
	License *NodeLicense `json:"license,omitempty"`
}

// Publisher is who published a subject.
type Publisher struct {
	// Name is the publisher's legal name when the publisher catalog knows
	// the account, else the account name.
	Name string `json:"name"`
	// Account is the publishing account (the Hub owner).
	Account string `json:"account,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code; empty when unknown.
	Country string `json:"country,omitempty"`
	// Type is company, academic, nonprofit, government, community or
	// individual; empty when unknown.
	Type string `json:"type,omitempty"`
	// Evidence lists the IDs of the evidence the facts rest on.
	Evidence []string `json:"evidence,omitempty"`
}

// NodeLicense is a subject's license and its class.
type NodeLicense struct {
	ID    string `json:"id"`
	Class string `json:"class"`
}

// Root returns the assessed subject's lineage node.
func (r *Report) Root() LineageNode {
	if len(r.Lineage.Nodes) == 0 {
		return LineageNode{}
	}
	return r.Lineage.Nodes[0]
}

// NodeByID returns the lineage node with the given ID and whether it exists.
func (r *Report) NodeByID(id string) (LineageNode, bool) {
	for _, n := range r.Lineage.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return LineageNode{}, false
}

func (e *Engine) report(s sources.Subject, g *Graph, findings []Finding, waivers []WaiverState, now time.Time) *Report {
	root := g.RootNode()
	defs := make(map[string]Definition, len(e.rules))
	for _, r := range e.rules {
		defs[r.Def.ID] = r.Def
	}
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          e.tool,
		Subject: SubjectInfo{Ref: s.Ref, PURL: root.ID, Kind: root.Subject.Kind,
			Revision: root.Subject.Revision},
		GeneratedAt: now.UTC(),
		Policy: PolicyInfo{Name: e.policy.Name, Digest: e.policy.Digest, File: e.policy.File,
			Waivers: waivers},
		Score:    ScoreFindings(findings, defs, e.policy),
		Findings: findings,
		Lineage:  Lineage{Nodes: make([]LineageNode, 0, len(g.Nodes)), Edges: g.Edges},
	}
	if rep.Subject.Ref == "" {
		rep.Subject.Ref = s.String()
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Lineage.Edges == nil {
		rep.Lineage.Edges = []Edge{}
	}
	rep.Evidence = []sources.Evidence{}
	rep.Sources = []SourceStatus{}
	for _, n := range g.Nodes {
		ln := LineageNode{ID: n.ID, Kind: n.Subject.Kind, Ref: n.Subject.Ref, Revision: n.Subject.Revision,
			Depth: n.Depth, State: n.State, Reason: n.Reason, Unfollowed: n.Unfollowed, Publisher: publisherOf(n)}
		if info, _, ok := EffectiveLicense(n); ok {
			ln.License = &NodeLicense{ID: info.ID, Class: string(info.Class)}
		}
		rep.Lineage.Nodes = append(rep.Lineage.Nodes, ln)
		rep.Evidence = append(rep.Evidence, n.Evidence...)
		rep.Sources = append(rep.Sources, n.Sources...)
	}
	return rep
}

// publisherOf returns who published a subject: the publisher catalog's
// facts when a source supplied them, else the Hub account alone; nil when
// nothing is known.
func publisherOf(n *Node) *Publisher {
	f := publisherOfNode(n)
	if f.account == "" {
		return nil
	}
	p := &Publisher{Name: f.account, Account: f.account, Evidence: f.ids()}
	if k := f.known; k != nil {
		if name := k.Attr("name"); name != "" {
			p.Name = name
		}
		p.Country = strings.ToUpper(k.Attr("country"))
		p.Type = k.Attr("type")
	}
	return p
}
