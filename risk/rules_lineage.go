package risk

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// defaultMaxLineageDepth is the derivation chain length lineage-depth allows
// when the policy sets none.
const defaultMaxLineageDepth = 5

// normalizeRef reduces a model reference to a form in which two spellings of
// the same model compare equal: lower case, without an hf: prefix, a
// huggingface.co URL, a pkg:huggingface/ PURL, a Hub base_model: tag prefix,
// a revision or a trailing slash; local paths cleaned.
func normalizeRef(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "base_model:"); ok {
		s = rest
		for _, rel := range []string{"finetune:", "adapter:", "quantized:", "merge:", "distillation:"} {
			s = strings.TrimPrefix(s, rel)
		}
	}
	s = strings.TrimPrefix(s, "file://")
	for _, p := range []string{"hf:", "pkg:huggingface/", "https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, p := range []string{"www.", "huggingface.co/", "hf.co/", "models/"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimRight(s, "/")
	if isLocalRef(s) {
		return path.Clean(strings.ReplaceAll(s, `\`, "/"))
	}
	if i := strings.IndexAny(s, "@?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// isLocalRef reports whether a normalised reference names a folder on disk.
func isLocalRef(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") ||
		strings.HasPrefix(s, `\`) || strings.Count(s, "/") > 1 || (len(s) > 1 && s[1] == ':')
}

// lastElem returns the last path element of a normalised reference.
func lastElem(s string) string {
	return s[strings.LastIndex(s, "/")+1:]
}

// sameModel reports whether two normalised references name the same model:
// equal, or a local path whose last element is the other's model name.
func sameModel(a, b string) bool {
	if a == b {
		return true
	}
	if isLocalRef(a) || isLocalRef(b) {
		return lastElem(a) != "" && lastElem(a) == lastElem(b)
	}
	return false
}

// selfRefs returns the normalised references that name n itself.
func selfRefs(n *Node) []string {
	var out []string
	if id, ok := n.Subject.HubID(); ok {
		out = append(out, normalizeRef(id))
	}
	if n.Subject.Path != "" {
		out = append(out, normalizeRef(n.Subject.Path))
	}
	if n.Subject.Ref != "" {
		out = append(out, normalizeRef(n.Subject.Ref))
	}
	return out
}

// inspected reports whether a source listed n's files or read its configuration.
func inspected(n *Node) bool {
	return n.Has(sources.KindFile) || n.Has(sources.KindConfig) || n.Has(sources.KindAdapter) || n.Has(sources.KindMerge)
}

// checkLineageUndeclared is the check of lineage-undeclared.
func checkLineageUndeclared(in *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "lineage-undeclared")
	}
	var declared, evidenced []sources.Evidence
	for _, e := range n.Find(sources.KindBaseModel) {
		switch e.Attr("declared_in") {
		case "card", "tag":
			declared = append(declared, e)
		case "adapter_config", "config", "merge_config", "card_text", "gguf":
			evidenced = append(evidenced, e)
		}
	}
	// An architecture fingerprint names a base only when nothing else
	// does: a model that declares a base inherits its architecture.
	if len(declared) == 0 && len(evidenced) == 0 {
		evidenced = append(evidenced, n.Find(sources.KindFingerprint)...)
	}
	declaredRefs := make([]string, len(declared))
	for i, e := range declared {
		declaredRefs[i] = normalizeRef(e.Value)
	}
	self := selfRefs(n)
	var undeclared, matched []sources.Evidence
	seen := map[string]bool{}
	for _, e := range evidenced {
		r := normalizeRef(e.Value)
		if r == "" || slices.Contains(self, r) {
			continue
		}
		if slices.ContainsFunc(declaredRefs, func(d string) bool { return sameModel(r, d) }) {
			matched = append(matched, e)
			continue
		}
		// Prose often names a base's own ancestors ("a fine-tune of X,
		// itself based on Llama 2"): a model the declared lineage reaches
		// is declared.
		if e.Attr("declared_in") == "card_text" && in != nil && in.Graph != nil &&
			slices.ContainsFunc(declaredAncestors(in.Graph, n.ID), func(a *Node) bool { return sameModel(r, normalizeRef(a.Subject.Ref)) }) {
			matched = append(matched, e)
			continue
		}
		if !seen[r] {
			seen[r] = true
			undeclared = append(undeclared, e)
		}
	}
	cardBroken := fileErrors(n, "card")
	state, cards := cardState(n)
	if len(undeclared) > 0 {
		var out []Result
		for _, e := range undeclared {
			where := fmt.Sprintf("%s (from %s)", e.Value, undeclaredSource(e))
			switch {
			case len(cardBroken) > 0:
				out = append(out, Result{Outcome: OutcomeError, Evidence: evidenceIDs(append([]sources.Evidence{e}, cardBroken...)...),
					Message: fmt.Sprintf("%s names base model %s, but its card cannot be read to tell whether it declares it: %s", ref(n), where, describeFileErrors(cardBroken))})
			case state == "present" || state == "absent" || len(declared) > 0:
				out = append(out, Result{Outcome: OutcomeFail, Evidence: evidenceIDs(append(append([]sources.Evidence{e}, declared...), cards...)...),
					Message: fmt.Sprintf("%s names base model %s, which its card does not declare (%s)", ref(n), where, describeDeclared(declared, state))})
			default:
				out = append(out, Result{Outcome: OutcomeUnknown, Evidence: evidenceIDs(append([]sources.Evidence{e}, cards...)...),
					Message: fmt.Sprintf("%s names base model %s, but its card could not be read to tell whether it declares it", ref(n), where)})
			}
		}
		return out
	}
	if broken := fileErrors(n, "config", "adapter_config", "merge_config"); len(broken) > 0 {
		return []Result{{Outcome: OutcomeError, Evidence: evidenceIDs(broken...),
			Message: fmt.Sprintf("%s has configuration files that cannot be read, so the base models they name are unknown: %s", ref(n), describeFileErrors(broken))}}
	}
	if len(matched) > 0 {
		names := make([]string, len(matched))
		for i, e := range matched {
			names[i] = fmt.Sprintf("%s (from %s)", e.Value, e.Attr("declared_in"))
		}
		return []Result{{Outcome: OutcomePass, Evidence: evidenceIDs(append(matched, declared...)...),
			Message: fmt.Sprintf("every base model the files of %s name is declared by its card: %s", ref(n), strings.Join(names, ", "))}}
	}
	if !inspected(n) && len(evidenced) == 0 {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("no source listed the files or read the configuration of %s, so whether they name an undeclared base model is unknown", ref(n))}}
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("no configuration file of %s names a base model its card does not declare", ref(n))}}
}

// declaredAncestors returns the models id derives from through declared
// lineage links only: what the metadata of the chain says, not what files
// or prose suggest.
func declaredAncestors(g *Graph, id string) []*Node {
	seen := map[string]bool{id: true}
	queue := []string{id}
	var out []*Node
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.Bases(cur) {
			if !e.Declared || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if a := g.Node(e.To); a != nil {
				out = append(out, a)
				queue = append(queue, e.To)
			}
		}
	}
	return out
}

// undeclaredSource says where evidence of an undeclared base was found.
func undeclaredSource(e sources.Evidence) string {
	switch {
	case e.Kind == sources.KindFingerprint:
		s := fmt.Sprintf("an architecture fingerprint of %s: %s", e.Attr("family"), e.Attr("fields"))
		if c := e.Attr("candidates"); strings.Contains(c, ",") {
			s += "; candidates " + c
		}
		return s
	case e.Attr("declared_in") == "card_text":
		s := "the card's text"
		if line := e.Attr("line"); line != "" {
			s += ", line " + line
		}
		if t := e.Attr("text"); t != "" {
			s += fmt.Sprintf(": %q", t)
		}
		return s
	}
	return e.Attr("declared_in")
}

// describeDeclared says what a card declares as base models.
func describeDeclared(declared []sources.Evidence, cardState string) string {
	if len(declared) == 0 {
		if cardState == "absent" {
			return "it has no card"
		}
		return "the card declares no base_model"
	}
	vals := make([]string, len(declared))
	for i, e := range declared {
		vals[i] = e.Value
	}
	return "the card declares base_model " + quoteList(vals)
}

// checkLineageUnresolvable is the check of lineage-unresolvable.
func checkLineageUnresolvable(in *Input, root *Node) []Result {
	g := in.Graph
	into := map[string][]Edge{}
	var order []string
	seen := map[string]bool{root.ID: true}
	queue := []string{root.ID}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.Out(cur) {
			if !e.Relation.Lineage() && e.Relation != sources.RelTrainedOn {
				continue
			}
			if e.To == root.ID {
				continue
			}
			into[e.To] = append(into[e.To], e)
			if !seen[e.To] {
				seen[e.To] = true
				order = append(order, e.To)
				if n := g.Node(e.To); n != nil && n.Collected() {
					queue = append(queue, e.To)
				}
			}
		}
	}
	// A subject whose links were not all followed (a limit of the walk)
	// hides the lineage beyond them.
	var out []Result
	for _, id := range append([]string{root.ID}, order...) {
		n := g.Node(id)
		if n == nil || !n.Collected() || n.Unfollowed == 0 {
			continue
		}
		out = append(out, Result{Subject: id, Outcome: OutcomeUnknown, Evidence: declarationEvidence(n),
			Message: fmt.Sprintf("%s links to %d more subjects that were not read (%s); what they pass on to %s is unknown", ref(n), n.Unfollowed, n.Reason, ref(root))})
	}
	if len(order) == 0 && len(out) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s declares no base model and no training dataset", ref(root))}}
	}
	for _, id := range order {
		n := g.Node(id)
		if n != nil && n.Collected() {
			continue
		}
		links := make([]string, 0, len(into[id]))
		for _, e := range into[id] {
			how := "evidenced"
			if e.Declared {
				how = "declared"
			}
			links = append(links, fmt.Sprintf("%s of %s (%s)", relationNoun(e.Relation), nodeRef(g, e.From), how))
		}
		why := "no source reported it"
		name := id
		if n != nil {
			why, name = unreadReason(n), ref(n)
		}
		// A training dataset that cannot be read hides less than a base
		// model does (its license and content, not the weights'): low.
		sev := Severity("")
		if onlyTrainedOn(into[id]) {
			sev = SeverityLow
		}
		out = append(out, Result{Subject: id, Outcome: OutcomeUnknown, Evidence: edgeEvidence(into[id]...), Severity: sev,
			Message: fmt.Sprintf("%s, the %s, could not be read (%s); what it passes on to %s is unknown", name, strings.Join(links, "; the "), why, ref(root))})
	}
	if len(out) > 0 {
		return out
	}
	names := make([]string, len(order))
	for i, id := range order {
		names[i] = nodeRef(g, id)
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("every model and dataset %s derives from or was trained on was read: %s", ref(root), strings.Join(names, ", "))}}
}

// maxDeclarationEvidence bounds the evidence IDs one finding about
// unfollowed links cites.
const maxDeclarationEvidence = 64

// declarationEvidence returns the IDs of n's evidence that declares its
// links (base models, merge and adapter configurations, datasets,
// dependencies), at most maxDeclarationEvidence.
func declarationEvidence(n *Node) []string {
	var ids []string
	for _, ev := range n.Evidence {
		switch ev.Kind {
		case sources.KindBaseModel, sources.KindMerge, sources.KindAdapter, sources.KindDataset, sources.KindDependency:
			ids = append(ids, ev.ID)
			if len(ids) == maxDeclarationEvidence {
				return ids
			}
		}
	}
	return ids
}

// relationNoun names what the end of an edge of relation r is to its start.
func relationNoun(r sources.Relation) string {
	switch r {
	case sources.RelFinetune:
		return "fine-tuning base"
	case sources.RelAdapter:
		return "adapter base"
	case sources.RelQuantized:
		return "quantization base"
	case sources.RelMerge:
		return "merge parent"
	case sources.RelDistillation:
		return "distillation teacher"
	case sources.RelTrainedOn:
		return "training dataset"
	case sources.RelDerivedFrom:
		return "undeclared base"
	}
	return string(r) + " target"
}

// checkLineageCycle is the check of lineage-cycle.
func checkLineageCycle(in *Input, root *Node) []Result {
	g := in.Graph
	if len(g.Bases(root.ID)) == 0 {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s derives from no other model", ref(root))}}
	}
	var out []Result
	for _, loop := range lineageCycles(g, root.ID) {
		out = append(out, Result{Subject: loop[0], Outcome: OutcomeFail, Path: loop,
			Evidence: edgeEvidence(chainEdges(g, loop)...),
			Message:  fmt.Sprintf("the lineage of %s loops: %s; a model cannot derive from itself, so one of these declarations is wrong", ref(root), joinRefs(g, loop))})
	}
	if len(out) > 0 {
		return out
	}
	// A model that was not read, or whose links were not all followed, may
	// close a loop the walk could not see.
	var open []string
	var evidence []string
	for _, n := range g.Lineage() {
		if !n.Collected() || n.Unfollowed > 0 {
			open = append(open, ref(n))
			evidence = append(evidence, edgeEvidence(g.In(n.ID)...)...)
		}
	}
	if len(open) > 0 {
		return []Result{{Outcome: OutcomeUnknown, Evidence: mergeIDs(evidence),
			Message: fmt.Sprintf("the lineage of %s read so far has no loop (%d models), but a loop through %s, whose bases were not all read, cannot be ruled out",
				ref(root), len(g.Lineage()), listSome(open, 10))}}
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("the lineage of %s has no loop (%d models)", ref(root), len(g.Lineage()))}}
}

// lineageCycles returns the loops of lineage edges reachable from root, each
// as the chain of node IDs from the node the walk entered the loop by back
// to it (a, b, a), one per back edge, without rotations of the same loop.
func lineageCycles(g *Graph, root string) [][]string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var loops [][]string
	keys := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		stack = append(stack, id)
		for _, e := range g.Bases(id) {
			switch color[e.To] {
			case white:
				visit(e.To)
			case grey:
				i := slices.Index(stack, e.To)
				loop := append(slices.Clone(stack[i:]), e.To)
				if k := loopKey(loop); !keys[k] {
					keys[k] = true
					loops = append(loops, loop)
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
	}
	visit(root)
	return loops
}

// listSome joins the first max names and says how many more there are.
func listSome(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// loopKey identifies a loop whatever node it starts at.
func loopKey(loop []string) string {
	nodes := loop[:len(loop)-1]
	start := 0
	for i, id := range nodes {
		if id < nodes[start] {
			start = i
		}
	}
	rot := append(slices.Clone(nodes[start:]), nodes[:start]...)
	return strings.Join(rot, "\x00")
}

// longestChain returns the longest chain of lineage links from root, root
// first. Links back into the chain being followed are ignored, so the
// result is exact for an acyclic lineage and a lower bound otherwise
// (lineage-cycle reports loops).
func longestChain(g *Graph, root string) []string {
	memo := map[string][]string{}
	onPath := map[string]bool{}
	var walk func(id string) []string
	walk = func(id string) []string {
		if c, ok := memo[id]; ok {
			return c
		}
		onPath[id] = true
		var best []string
		for _, e := range g.Bases(id) {
			if onPath[e.To] {
				continue
			}
			if c := walk(e.To); len(c) > len(best) {
				best = c
			}
		}
		onPath[id] = false
		c := append([]string{id}, best...)
		memo[id] = c
		return c
	}
	return walk(root)
}

// checkLineageDepth is the check of lineage-depth.
func checkLineageDepth(in *Input, root *Node) []Result {
	g := in.Graph
	limit := defaultMaxLineageDepth
	if in.Policy != nil && in.Policy.MaxLineageDepth > 0 {
		limit = in.Policy.MaxLineageDepth
	}
	chain := longestChain(g, root.ID)
	depth := len(chain) - 1
	var unread []string
	open := false // an unread ancestor may continue a chain still within the limit
	for _, n := range g.Lineage() {
		if !n.Collected() {
			unread = append(unread, fmt.Sprintf("%s (%s)", ref(n), unreadReason(n)))
			if len(g.Path(n.ID))-1 <= limit {
				open = true
			}
		}
	}
	note := ""
	if len(unread) > 0 {
		note = "; the lineage may be longer, since these ancestors could not be read: " + strings.Join(unread, ", ")
	}
	ev := edgeEvidence(chainEdges(g, chain)...)
	if depth > limit {
		return []Result{{Outcome: OutcomeFail, Path: chain, Evidence: ev,
			Message: fmt.Sprintf("%s is %s from %s (%s); the policy allows %d%s",
				ref(root), steps(depth), nodeRef(g, chain[len(chain)-1]), joinRefs(g, chain), limit, note)}}
	}
	if depth == 0 {
		return []Result{{Outcome: OutcomePass,
			Message: fmt.Sprintf("%s derives from no other model (%s; the policy allows %d)", ref(root), steps(0), limit)}}
	}
	outcome := OutcomePass
	if open {
		// What lies beyond an unread ancestor is unknown, so the chain
		// may be longer than the policy allows.
		outcome = OutcomeUnknown
	}
	return []Result{{Outcome: outcome, Evidence: ev,
		Message: fmt.Sprintf("the longest derivation chain of %s has %s (%s); the policy allows %d%s",
			ref(root), steps(depth), joinRefs(g, chain), limit, note)}}
}

// steps counts derivation steps in words.
func steps(n int) string { return plural(n, "derivation step") }

// checkLineageMerge is the check of lineage-merge.
func checkLineageMerge(in *Input, n *Node) []Result {
	if notModel(n) {
		return notApplicableToKind(n, "lineage-merge")
	}
	signs := n.Find(sources.KindMerge)
	var methods []string
	for _, e := range signs {
		m := e.Value
		if f := e.Attr("file"); f != "" {
			m += " in " + f
		}
		methods = append(methods, m)
	}
	for _, e := range n.Find(sources.KindCardField) {
		if e.Attr("field") != "base_model_relation" {
			continue
		}
		if r, ok := sources.ParseRelation(e.Value); ok && r == sources.RelMerge {
			signs = append(signs, e)
			methods = append(methods, fmt.Sprintf("card base_model_relation: %s", e.Value))
		}
	}
	for _, e := range n.Find(sources.KindTag) {
		if t := strings.ToLower(e.Value); t == "merge" || t == "mergekit" {
			signs = append(signs, e)
			methods = append(methods, "tag "+e.Value)
		}
	}
	var parents []Edge
	for _, e := range in.Graph.Bases(n.ID) {
		if e.Relation == sources.RelMerge {
			parents = append(parents, e)
		}
	}
	if len(signs) > 0 || len(parents) >= 2 {
		names := make([]string, len(parents))
		for i, e := range parents {
			names[i] = nodeRef(in.Graph, e.To)
		}
		msg := fmt.Sprintf("%s is a merge", ref(n))
		if len(methods) > 0 {
			msg += " (" + strings.Join(methods, "; ") + ")"
		}
		if len(parents) > 0 {
			msg += fmt.Sprintf(" of %d parents: %s", len(parents), strings.Join(names, ", "))
		} else {
			msg += "; its parents are not linked in the lineage"
		}
		return []Result{{Outcome: OutcomeFail, Evidence: mergeIDs(evidenceIDs(signs...), edgeEvidence(parents...)), Message: msg}}
	}
	if state, _ := cardState(n); state != "present" && state != "absent" && !inspected(n) {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("neither the card nor the files of %s could be read, so whether it is a merge is unknown", ref(n))}}
	}
	return []Result{{Outcome: OutcomePass,
		Message: fmt.Sprintf("%s is not a merge: no merge configuration, merge declaration or merge tag, and %s linked", ref(n), plural(len(in.Graph.Bases(n.ID)), "base model"))}}
}

// onlyTrainedOn reports whether every edge is a trained_on link.
func onlyTrainedOn(edges []Edge) bool {
	for _, e := range edges {
		if e.Relation != sources.RelTrainedOn {
			return false
		}
	}
	return len(edges) > 0
}
