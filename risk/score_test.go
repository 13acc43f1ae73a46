package risk_test

import (
	"math"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
)

func TestScoreFindings(t *testing.T) {
	t.Parallel()
	half := 0.25
	defs := map[string]risk.Definition{
		"a": {ID: "a"}, "b": {ID: "b"}, "c": {ID: "c"}, "q": {ID: "q", UnknownFraction: &half},
	}
	f := func(id, rule, subj string, sev risk.Severity, out risk.Outcome) risk.Finding {
		return risk.Finding{ID: id, Rule: rule, Subject: subj, Severity: sev, Outcome: out, Category: risk.CategoryLicense}
	}
	tests := []struct {
		name     string
		findings []risk.Finding
		want     float64
		level    risk.Level
		contribs []float64
	}{
		{"nothing", nil, 0, risk.LevelLow, nil},
		{"pass only", []risk.Finding{f("1", "a", "s", risk.SeverityHigh, risk.OutcomePass)}, 0, risk.LevelLow, nil},
		{"high and medium", []risk.Finding{
			f("1", "b", "s", risk.SeverityMedium, risk.OutcomeFail),
			f("2", "a", "s", risk.SeverityHigh, risk.OutcomeFail),
		}, 44.75, risk.LevelMedium, []float64{35, 9.75}},
		{"once per rule and subject", []risk.Finding{
			f("1", "a", "s", risk.SeverityHigh, risk.OutcomeFail),
			f("2", "a", "s", risk.SeverityHigh, risk.OutcomeFail),
		}, 35, risk.LevelMedium, []float64{35}},
		{"same rule other subject counts again", []risk.Finding{
			f("1", "a", "s", risk.SeverityHigh, risk.OutcomeFail),
			f("2", "a", "t", risk.SeverityHigh, risk.OutcomeFail),
		}, 57.75, risk.LevelHigh, []float64{35, 22.75}},
		{"unknown is half", []risk.Finding{f("1", "a", "s", risk.SeverityMedium, risk.OutcomeUnknown)}, 7.5, risk.LevelLow, []float64{7.5}},
		{"rule fraction", []risk.Finding{f("1", "q", "s", risk.SeverityHigh, risk.OutcomeUnknown)}, 8.75, risk.LevelLow, []float64{8.75}},
		{"critical fail is critical", []risk.Finding{f("1", "a", "s", risk.SeverityCritical, risk.OutcomeFail)}, 70, risk.LevelCritical, []float64{70}},
		{"waived counts nothing", []risk.Finding{f("1", "a", "s", risk.SeverityCritical, risk.OutcomeWaived)}, 0, risk.LevelLow, nil},
		{"rounding", []risk.Finding{
			f("1", "a", "s", risk.SeverityLow, risk.OutcomeUnknown),
			f("2", "b", "s", risk.SeverityLow, risk.OutcomeUnknown),
			f("3", "c", "s", risk.SeverityLow, risk.OutcomeUnknown),
		}, 7.31, risk.LevelLow, []float64{2.5, 2.44, 2.37}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := risk.ScoreFindings(tc.findings, defs, &risk.Policy{})
			if s.Value != tc.want || s.Level != tc.level {
				t.Errorf("score = %v %s, want %v %s", s.Value, s.Level, tc.want, tc.level)
			}
			var got []float64
			cents := int64(0)
			for _, c := range s.Contributions {
				got = append(got, c.Points)
				cents += int64(math.Round(c.Points * 100))
			}
			if cents != int64(math.Round(s.Value*100)) {
				t.Errorf("contributions sum to %d cents, score is %v", cents, s.Value)
			}
			if len(got) != len(tc.contribs) {
				t.Fatalf("contributions = %v, want %v", got, tc.contribs)
			}
			for i := range got {
				if got[i] != tc.contribs[i] {
					t.Errorf("contribution %d = %v, want %v", i, got[i], tc.contribs[i])
				}
			}
			if c := s.Categories[risk.CategoryLicense]; c.Value != s.Value {
				t.Errorf("license category = %v, want %v", c.Value, s.Value)
			}
		})
	}
}

func TestScoreWeights(t *testing.T) {
	t.Parallel()
	zero, two := 0.0, 2.0
	p := &risk.Policy{Rules: map[string]risk.RulePolicy{"a": {Weight: &zero}, "b": {Weight: &two}}}
	fs := []risk.Finding{
		{ID: "1", Rule: "a", Subject: "s", Severity: risk.SeverityCritical, Outcome: risk.OutcomeFail},
		{ID: "2", Rule: "b", Subject: "s", Severity: risk.SeverityMedium, Outcome: risk.OutcomeFail},
	}
	s := risk.ScoreFindings(fs, map[string]risk.Definition{}, p)
	if s.Value != 30 || s.Level != risk.LevelMedium {
		t.Errorf("score = %v %s, want 30 medium (weight 0 silences a critical)", s.Value, s.Level)
	}
}
