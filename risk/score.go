package risk

import (
	"math"
	"sort"
)

// Score is the risk score of an assessment: a number from 0 (no risk
// found) to 100, its level, the same per category, and the contributions
// that add up to it.
type Score struct {
	// Value is the score, 0 to 100, with two decimals.
	Value float64 `json:"value"`
	// Level is LevelOf(Value), or critical when a critical finding failed
	// and is not waived.
	Level Level `json:"level"`
	// Categories holds a score for every category, 0 when nothing counted.
	Categories map[Category]CategoryScore `json:"categories"`
	// Contributions list every (rule, subject) that scored points, largest
	// first. Their Points add up exactly to Value.
	Contributions []Contribution `json:"contributions"`
}

// CategoryScore is the score of one category, combined the same way as
// the total from that category's findings alone.
type CategoryScore struct {
	Value float64 `json:"value"`
	Level Level   `json:"level"`
}

// Contribution is what one rule's verdict about one subject adds to the score.
type Contribution struct {
	Rule     string   `json:"rule"`
	Category Category `json:"category"`
	Subject  string   `json:"subject"`
	// Outcome is the verdict that scored: fail, unknown or error.
	Outcome Outcome `json:"outcome"`
	// Base is the finding's worth on its own: severity points times the
	// policy weight, times the rule's unknown fraction for unknown or error.
	Base float64 `json:"base"`
	// Points is what it adds to the score once the contributions before
	// it are counted: Base times what the score had left to 100.
	Points float64 `json:"points"`
	// Findings are the IDs of the findings this contribution counts.
	Findings []string `json:"findings"`
}

// ScoreFindings scores findings with the given definitions (by rule ID) and
// policy. It is the only place numbers are produced.
//
// Each (rule, subject) counts once, at the worth of its strongest finding;
// the unknowns reported for a subject no source could read (Finding.Unread)
// count once together, under the rule of the strongest:
// severity points (info 0, low 5, medium 15, high 35, critical 70) times the
// policy weight, times the rule's unknown fraction (default one half) when
// the outcome is unknown or error. Worths w1 >= w2 >= ... combine as
// 100 * (1 - prod(1 - wi/100)); contribution i is the increase of that
// running total, rounded so that the contributions sum exactly to the score.
func ScoreFindings(findings []Finding, defs map[string]Definition, p *Policy) Score {
	type group struct {
		c    Contribution
		crit bool
	}
	groups := map[[2]string]*group{}
	var keys [][2]string
	for _, f := range findings {
		var frac float64
		switch f.Outcome {
		case OutcomeFail:
			frac = 1
		case OutcomeUnknown, OutcomeError:
			frac = defs[f.Rule].Unknown()
		default:
			continue
		}
		base := clamp(f.Severity.Points() * p.Weight(f.Rule) * frac)
		k := [2]string{f.Rule, f.Subject}
		if f.Unread {
			k[0] = "\x00unread"
		}
		g := groups[k]
		if g == nil {
			g = &group{c: Contribution{Rule: f.Rule, Category: f.Category, Subject: f.Subject, Outcome: f.Outcome, Base: -1}}
			groups[k] = g
			keys = append(keys, k)
		}
		g.c.Findings = append(g.c.Findings, f.ID)
		if base > g.c.Base {
			g.c.Base, g.c.Outcome, g.c.Rule, g.c.Category = base, f.Outcome, f.Rule, f.Category
		}
		if f.Outcome == OutcomeFail && f.Severity == SeverityCritical && p.Weight(f.Rule) > 0 {
			g.crit = true
		}
	}
	all := make([]Contribution, 0, len(keys))
	crit := map[Category]bool{}
	anyCrit := false
	for _, k := range keys {
		g := groups[k]
		g.c.Base = round2(g.c.Base)
		all = append(all, g.c)
		if g.crit {
			crit[g.c.Category], anyCrit = true, true
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Base != all[j].Base {
			return all[i].Base > all[j].Base
		}
		if all[i].Rule != all[j].Rule {
			return all[i].Rule < all[j].Rule
		}
		return all[i].Subject < all[j].Subject
	})

	s := Score{Categories: map[Category]CategoryScore{}}
	var contribs []Contribution
	s.Value, contribs = combine(all)
	for _, c := range contribs {
		if c.Points > 0 {
			s.Contributions = append(s.Contributions, c)
		}
	}
	if s.Contributions == nil {
		s.Contributions = []Contribution{}
	}
	s.Level = levelWith(s.Value, anyCrit)
	for _, cat := range Categories {
		var in []Contribution
		for _, c := range all {
			if c.Category == cat {
				in = append(in, c)
			}
		}
		v, _ := combine(in)
		s.Categories[cat] = CategoryScore{Value: v, Level: levelWith(v, crit[cat])}
	}
	return s
}

// combine folds sorted contributions into a score, setting each one's
// Points to the rounded increase of the running total.
func combine(cs []Contribution) (float64, []Contribution) {
	out := make([]Contribution, len(cs))
	remaining := 1.0
	prevCents := int64(0)
	for i, c := range cs {
		remaining *= 1 - c.Base/100
		cents := int64(math.Round((1 - remaining) * 10000))
		c.Points = float64(cents-prevCents) / 100
		prevCents = cents
		out[i] = c
	}
	return float64(prevCents) / 100, out
}

func levelWith(v float64, critical bool) Level {
	if critical {
		return LevelCritical
	}
	return LevelOf(v)
}

func clamp(v float64) float64 { return math.Max(0, math.Min(100, v)) }

func round2(v float64) float64 { return math.Round(v*100) / 100 }
