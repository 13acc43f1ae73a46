package batch

import (
	"math"
	"sort"

	"github.com/pedigree-ai/pedigree/risk"
)

// DefaultTop is the length of a Summary's lists when NewSummary is given
// no positive length.
const DefaultTop = 10

// Summary is the outcome of a batch, accumulated report by report: it
// keeps counts and bounded lists, so its memory grows with the number of
// distinct rules and ancestors, not with the number of reports.
//
// The exported fields are current after every Add and AddFailed; the lists
// do not depend on the order reports are added in. A Summary is not safe
// for concurrent use.
type Summary struct {
	// Total is the number of entries added: assessed and failed.
	Total int
	// Assessed is the number of entries whose subject was read, each
	// counted in ByLevel.
	Assessed int
	// Failed is the number of entries that could not be assessed at all
	// (AddFailed) or whose subject no source could read (a report whose
	// root lineage node failed). They count in Total only.
	Failed int
	// ByLevel counts assessed entries by score level.
	ByLevel map[risk.Level]int
	// ByRule counts, per rule ID, the assessed entries with at least one
	// failing finding of the rule and those with at least one unknown (or
	// error) finding, on the subject or any ancestor. Rules no entry failed
	// or left unknown are absent.
	ByRule map[string]RuleCount
	// Riskiest are the assessed entries with the highest scores, highest
	// first, ties by ref then ID; at most the summary's length.
	Riskiest []SubjectScore
	// Ancestors are the lineage subjects, other than the assessed ones,
	// that carry the most inherited risk across the catalog, by points
	// (highest first, ties by ref then ID); at most the summary's length.
	Ancestors []AncestorRisk
	// Failures are the failed entries first by key (then reason); at most
	// the summary's length. Failed counts them all.
	Failures []Failure

	top       int
	ancestors map[string]*ancestorSum
	// Scratch reused by Add.
	fail, unknown map[string]bool
	points        map[string]int64
}

// RuleCount is how many assessed entries a rule failed or left unknown.
type RuleCount struct {
	// Fail counts entries with at least one failing finding of the rule.
	Fail int
	// Unknown counts entries with at least one unknown or error finding of
	// the rule (an error scores as an unknown).
	Unknown int
}

// SubjectScore is one assessed entry's score.
type SubjectScore struct {
	// Ref is the entry's reference (the report's subject.ref).
	Ref string
	// ID is the subject's identity (the report's subject.purl).
	ID string
	// Score is the report's score, 0 to 100.
	Score float64
	// Level is the score's level.
	Level risk.Level
	// TopRule is the rule of the largest contribution to the score; empty
	// when nothing scored.
	TopRule string
}

// AncestorRisk is the inherited risk one lineage subject carries across
// the catalog.
type AncestorRisk struct {
	// ID is the subject's identity (a lineage node ID).
	ID string
	// Ref is the subject's reference in the lineages that name it (the
	// least in byte order when they differ, as "../base" and "hf:org/base"
	// may); empty when none does.
	Ref string
	// Publisher is the name of the subject's publisher (the least in byte
	// order when reports differ); empty when unknown.
	Publisher string
	// Entries is the number of assessed entries whose score has
	// contributions on the subject.
	Entries int
	// Points is the sum, over those entries, of the points of those
	// contributions (each rounded to hundredths, as reports give them).
	Points float64
}

// Failure is an entry that could not be assessed.
type Failure struct {
	// Key is the entry's reference.
	Key string
	// Reason says why.
	Reason string
}

// ancestorSum accumulates an AncestorRisk; points are in hundredths so
// sums are exact and independent of the order of reports.
type ancestorSum struct {
	AncestorRisk
	centi int64
}

// NewSummary returns an empty summary whose lists hold at most top items;
// top < 1 means DefaultTop.
func NewSummary(top int) *Summary {
	if top < 1 {
		top = DefaultTop
	}
	return &Summary{
		ByLevel:   map[risk.Level]int{},
		ByRule:    map[string]RuleCount{},
		top:       top,
		ancestors: map[string]*ancestorSum{},
		fail:      map[string]bool{},
		unknown:   map[string]bool{},
		points:    map[string]int64{},
	}
}

// Top returns the most items the summary's lists hold.
func (s *Summary) Top() int { return s.top }

// Add counts one entry's report. A report whose assessed subject no source
// could read (root lineage node failed) counts as failed, with the node's
// reason. A nil report is ignored.
func (s *Summary) Add(r *risk.Report) {
	if r == nil {
		return
	}
	root := r.Root()
	if root.State == risk.NodeFailed {
		reason := root.Reason
		if reason == "" {
			reason = "no source could read the subject"
		}
		s.AddFailed(r.Subject.Ref, reason)
		return
	}
	s.Total++
	s.Assessed++
	score := r.Score.Value
	if math.IsNaN(score) {
		score = 0
	}
	level := r.Score.Level
	if level.Rank() < 0 {
		level = risk.LevelOf(score)
	}
	s.ByLevel[level]++

	clear(s.fail)
	clear(s.unknown)
	for _, f := range r.Findings {
		switch f.Outcome {
		case risk.OutcomeFail:
			s.fail[f.Rule] = true
		case risk.OutcomeUnknown, risk.OutcomeError:
			s.unknown[f.Rule] = true
		}
	}
	for rule := range s.fail {
		c := s.ByRule[rule]
		c.Fail++
		s.ByRule[rule] = c
	}
	for rule := range s.unknown {
		c := s.ByRule[rule]
		c.Unknown++
		s.ByRule[rule] = c
	}

	rootID := root.ID
	if rootID == "" {
		rootID = r.Subject.PURL
	}
	ss := SubjectScore{Ref: r.Subject.Ref, ID: r.Subject.PURL, Score: score, Level: level}
	if len(r.Score.Contributions) > 0 {
		ss.TopRule = r.Score.Contributions[0].Rule
	}
	s.Riskiest = insertTop(s.Riskiest, ss, s.top, riskier)

	clear(s.points)
	for _, c := range r.Score.Contributions {
		if c.Subject == rootID || c.Subject == "" {
			continue
		}
		s.points[c.Subject] += centi(c.Points)
	}
	ids := make([]string, 0, len(s.points))
	for id := range s.points {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := s.ancestors[id]
		if a == nil {
			a = &ancestorSum{AncestorRisk: AncestorRisk{ID: id}}
			s.ancestors[id] = a
		}
		if n, ok := r.NodeByID(id); ok {
			a.Ref = least(a.Ref, n.Ref)
			if n.Publisher != nil {
				a.Publisher = least(a.Publisher, n.Publisher.Name)
			}
		}
		a.Entries++
		a.centi += s.points[id]
		a.Points = float64(a.centi) / 100
		s.touchAncestor(a)
	}
}

// least returns the lesser of two strings in byte order, ignoring empty
// ones, so that what is kept does not depend on the order of reports.
func least(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}

// centi converts contribution points to hundredths; non-finite or negative
// points count as none, and huge ones are capped so sums cannot overflow.
func centi(p float64) int64 {
	if math.IsNaN(p) || p <= 0 {
		return 0
	}
	return int64(math.Round(min(p, 1e6) * 100))
}

// touchAncestor keeps s.Ancestors the top of all ancestors after a's sum
// grew. Sums only grow, so an ancestor enters the list only when its own
// sum changes, which is when it is touched.
func (s *Summary) touchAncestor(a *ancestorSum) {
	for i := range s.Ancestors {
		if s.Ancestors[i].ID == a.ID {
			s.Ancestors = append(s.Ancestors[:i], s.Ancestors[i+1:]...)
			break
		}
	}
	s.Ancestors = insertTop(s.Ancestors, a.AncestorRisk, s.top, func(x, y AncestorRisk) bool {
		cx, cy := s.ancestors[x.ID].centi, s.ancestors[y.ID].centi
		if cx != cy {
			return cx > cy
		}
		if x.Ref != y.Ref {
			return x.Ref < y.Ref
		}
		return x.ID < y.ID
	})
}

// AddFailed counts an entry that could not be assessed at all, such as a
// reference no source understands.
func (s *Summary) AddFailed(key, reason string) {
	s.Total++
	s.Failed++
	s.Failures = insertTop(s.Failures, Failure{Key: key, Reason: reason}, s.top, func(x, y Failure) bool {
		if x.Key != y.Key {
			return x.Key < y.Key
		}
		return x.Reason < y.Reason
	})
}

// riskier orders entries by score, highest first, then ref and ID.
func riskier(x, y SubjectScore) bool {
	if x.Score != y.Score {
		return x.Score > y.Score
	}
	if x.Ref != y.Ref {
		return x.Ref < y.Ref
	}
	return x.ID < y.ID
}

// insertTop inserts v into list, sorted by before, keeping at most n items.
func insertTop[T any](list []T, v T, n int, before func(x, y T) bool) []T {
	i := sort.Search(len(list), func(i int) bool { return before(v, list[i]) })
	if i >= n {
		return list
	}
	if len(list) < n {
		var zero T
		list = append(list, zero)
	}
	copy(list[i+1:], list[i:len(list)-1])
	list[i] = v
	return list
}
