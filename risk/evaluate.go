package risk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// evaluate runs the rules over g and returns the findings and the state of
// the policy's waivers.
func (e *Engine) evaluate(g *Graph, now time.Time) ([]Finding, []WaiverState) {
	return e.evaluateWithin(context.Background(), g, now)
}

// evaluateWithin is evaluate bounded by ctx: once ctx is done, every check
// not yet run is an error finding that says so, never a pass.
func (e *Engine) evaluateWithin(ctx context.Context, g *Graph, now time.Time) ([]Finding, []WaiverState) {
	in := &Input{Graph: g, Policy: e.policy, Now: now}
	runCheck := func(r Rule, in *Input, n *Node) []Result {
		if ctx.Err() != nil {
			return []Result{{Subject: n.ID, Outcome: OutcomeError,
				Message: fmt.Sprintf("rule %s was not run on %s: %s", r.Def.ID, n.Subject, e.timeLimitReason("the evaluation was stopped"))}}
		}
		return runCheck(r, in, n)
	}
	root := g.RootNode()
	used := map[int]bool{}
	var out []Finding
	for _, r := range e.rules {
		if !e.policy.Enabled(r.Def.ID) {
			continue
		}
		var results []Result
		switch r.Def.Scope {
		case ScopeLineage:
			for _, n := range g.Lineage() {
				if !n.Collected() {
					if r.Def.ChecksUnread && n.ID != root.ID {
						if res := withSubject(runCheck(r, in, n), n.ID); answered(res) {
							results = append(results, res...)
							continue
						}
					}
					r := unreadResult(n)
					r.unread = n.ID != root.ID
					results = append(results, r)
					continue
				}
				results = append(results, withSubject(runCheck(r, in, n), n.ID)...)
			}
		default: // subject and graph scope ask about the root
			if !root.Collected() {
				r := unreadResult(root)
				// Nothing is known about the assessed subject itself: every
				// rule's unknown counts on its own, so that an unreadable
				// subject never scores as low risk.
				r.unread = false
				results = append(results, r)
				break
			}
			results = withSubject(runCheck(r, in, root), root.ID)
		}
		for _, res := range results {
			out = append(out, e.finding(r.Def, g, res, now, used))
		}
	}
	return out, e.waiverStates(now, used)
}

// answered reports whether results say more than unknown.
func answered(results []Result) bool {
	for _, r := range results {
		if r.Outcome != OutcomeUnknown {
			return true
		}
	}
	return false
}

// runCheck calls a rule's check, turning a panic into an error finding so
// that one faulty rule cannot hide the others.
func runCheck(r Rule, in *Input, n *Node) (res []Result) {
	defer func() {
		if p := recover(); p != nil {
			res = []Result{{Subject: n.ID, Outcome: OutcomeError, Message: fmt.Sprintf("rule %s failed on %s: %v", r.Def.ID, n.Subject, p)}}
		}
	}()
	return r.Check(in, n)
}

func withSubject(rs []Result, id string) []Result {
	for i := range rs {
		if rs[i].Subject == "" {
			rs[i].Subject = id
		}
	}
	return rs
}

// unreadResult is the unknown verdict about a subject no source could read.
func unreadResult(n *Node) Result {
	why := n.Reason
	if why == "" {
		why = string(n.State)
	}
	return Result{Subject: n.ID, Outcome: OutcomeUnknown, unread: true,
		Message: fmt.Sprintf("%s could not be assessed: %s", n.Subject, why)}
}

func (e *Engine) finding(def Definition, g *Graph, r Result, now time.Time, used map[int]bool) Finding {
	sev := r.Severity
	if sev == "" {
		sev = def.Severity
	}
	sev = e.policy.SeverityFor(def.ID, sev)
	path := r.Path
	if path == nil {
		path = g.Path(r.Subject)
	}
	if path == nil {
		path = []string{r.Subject}
	}
	f := Finding{
		Rule: def.ID, Category: def.Category, Severity: sev, Outcome: r.Outcome,
		Subject: r.Subject, Path: path, Message: r.Message, Evidence: r.Evidence, Unread: r.unread,
	}
	if f.Outcome == OutcomeFail || f.Outcome == OutcomeUnknown || f.Outcome == OutcomeError {
		f.Remediation = def.Remediation
		ref := ""
		if n := g.Node(r.Subject); n != nil {
			ref = n.Subject.Ref
		}
		if i, w := e.policy.waiverIndex(def.ID, r.Subject, ref, now); w != nil {
			used[i] = true
			wc := *w
			f.Waiver = &wc
			f.Outcome = OutcomeWaived
		}
	}
	h := sha256.Sum256([]byte(f.Rule + "\x00" + f.Subject + "\x00" + f.Message))
	f.ID = "f-" + hex.EncodeToString(h[:6])
	return f
}

// WaiverState says whether a policy waiver applied in an assessment.
type WaiverState struct {
	Waiver
	// State is "used" (it waived a finding), "unused" or "expired".
	State string `json:"state"`
}

func (e *Engine) waiverStates(now time.Time, used map[int]bool) []WaiverState {
	var out []WaiverState
	for i, w := range e.policy.Waivers {
		st := "unused"
		switch {
		case used[i]:
			st = "used"
		case w.Expired(now):
			st = "expired"
		}
		out = append(out, WaiverState{Waiver: w, State: st})
	}
	return out
}
