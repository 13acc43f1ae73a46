package sourcetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
)

var readAt = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

// fixture returns a well-formed observation of subject s by source name.
func fixture(name string, s sources.Subject) *sources.Observation {
	origin := sources.Origin{Source: name, Locator: "https://example.test/" + s.ID() + "/README.md", Digest: sources.Digest([]byte("card")), RetrievedAt: readAt}
	lic := sources.NewEvidence(s.ID(), sources.KindLicense, "apache-2.0", map[string]string{"declared_in": "card"}, origin)
	base := sources.NewEvidence(s.ID(), sources.KindBaseModel, "org/base", map[string]string{"declared_in": "card", "relation": "finetune"}, origin)
	return &sources.Observation{
		Subject:  s,
		Evidence: []sources.Evidence{lic, base},
		Edges: []sources.Edge{{
			From: s.ID(), To: sources.HubModel("org/base", ""), Relation: sources.RelFinetune,
			Declared: true, Evidence: []string{base.ID}, Origin: origin,
		}},
	}
}

func TestStaticConformance(t *testing.T) {
	t.Parallel()
	a := sources.HubModel("org/a", "")
	b := sources.HubModel("org/b", "0123456789abcdef0123456789abcdef01234567")
	RunConformance(t, Harness{
		NewSource: func(t *testing.T) sources.Source {
			s := NewStatic("static", fixture("static", a), fixture("static", b))
			s.Supported = func(s sources.Subject) bool { return s.Kind == sources.SubjectModel }
			return s
		},
		Known:       []sources.Subject{a, b},
		Missing:     sources.HubModel("org/missing", ""),
		Unsupported: sources.HubDataset("org/data", ""),
	})
}

func TestStaticCollect(t *testing.T) {
	t.Parallel()
	a := sources.HubModel("org/a", "")
	gated := sources.HubModel("org/gated", "")
	s := NewStatic("static", fixture("static", a))
	s.Errors = map[string]error{gated.ID(): sources.ErrUnauthorized}

	got, err := s.Collect(context.Background(), a)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if diff := cmp.Diff(fixture("static", a), got); diff != "" {
		t.Errorf("Collect (-want +got):\n%s", diff)
	}
	// The result is a copy: changing it must not change what Static holds.
	got.Evidence[0].Attrs["declared_in"] = "changed"
	got.Edges[0].Evidence[0] = "changed"
	got.Evidence = append(got.Evidence[:0], got.Evidence[1:]...)
	again, err := s.Collect(context.Background(), a)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if diff := cmp.Diff(fixture("static", a), again); diff != "" {
		t.Errorf("Collect after changing an earlier result (-want +got):\n%s", diff)
	}

	_, err = s.Collect(context.Background(), gated)
	var se *sources.Error
	if !errors.Is(err, sources.ErrUnauthorized) || !errors.As(err, &se) || se.Source != "static" || se.Subject != gated.ID() {
		t.Errorf("Collect(gated) = %v, want a *sources.Error of static wrapping ErrUnauthorized", err)
	}

	if !s.Supports(sources.HubDataset("x/y", "")) {
		t.Error("Supports with nil Supported = false, want true")
	}
}

func TestCheckObservation(t *testing.T) {
	t.Parallel()
	s := sources.HubModel("org/a", "")
	tests := []struct {
		name   string
		mutate func(o *sources.Observation)
		want   []string // substrings, one per expected problem
	}{
		{name: "valid", mutate: func(*sources.Observation) {}},
		{name: "other subject", mutate: func(o *sources.Observation) { o.Subject = sources.HubModel("org/b", "") },
			want: []string{"observation subject", "Subject =", "Subject =", "From ="}},
		{name: "foreign origin", mutate: func(o *sources.Observation) { o.Edges[0].Origin.Source = "other" },
			want: []string{`Origin.Source = "other"`}},
		{name: "no locator or time", mutate: func(o *sources.Observation) {
			o.Evidence[0].Origin.Locator = ""
			o.Evidence[0].Origin.RetrievedAt = time.Time{}
		}, want: []string{"Locator is empty", "RetrievedAt is zero", "as sources.NewEvidence derives it"}},
		{name: "underived id", mutate: func(o *sources.Observation) { o.Evidence[1].Value = "org/other" },
			want: []string{"as sources.NewEvidence derives it"}},
		{name: "dangling evidence", mutate: func(o *sources.Observation) { o.Evidence = o.Evidence[:1] },
			want: []string{"which the observation does not hold"}},
		{name: "duplicate", mutate: func(o *sources.Observation) { o.Evidence = append(o.Evidence, o.Evidence[0]) },
			want: []string{"is not unique"}},
		{name: "dangling edge", mutate: func(o *sources.Observation) {
			o.Edges[0].To = sources.Subject{}
			o.Edges[0].Relation = ""
		}, want: []string{"To is the zero subject", "Relation is empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := fixture("static", s)
			tc.mutate(o)
			got := CheckObservation("static", s, o)
			if len(got) != len(tc.want) {
				t.Fatalf("CheckObservation = %q, want %d problems like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
	if got := CheckObservation("static", s, nil); len(got) != 1 {
		t.Errorf("CheckObservation(nil) = %q, want one problem", got)
	}
}

func TestCheckNotFound(t *testing.T) {
	t.Parallel()
	s := sources.HubModel("org/a", "")
	tests := []struct {
		name string
		obs  *sources.Observation
		err  error
		want int
	}{
		{"wrapped", nil, sources.Errorf("static", s, "collect", sources.ErrNotFound), 0},
		{"bare sentinel", nil, sources.ErrNotFound, 1},
		{"other source", nil, sources.Errorf("other", s, "collect", sources.ErrNotFound), 1},
		{"wrong category", nil, sources.Errorf("static", s, "collect", sources.ErrOffline), 1},
		{"nil error", nil, nil, 1},
		{"observation too", fixture("static", s), sources.Errorf("static", s, "collect", sources.ErrNotFound), 1},
	}
	for _, tc := range tests {
		if got := CheckNotFound("static", tc.obs, tc.err); len(got) != tc.want {
			t.Errorf("%s: CheckNotFound = %q, want %d problems", tc.name, got, tc.want)
		}
	}
}
