package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pedigree-ai/pedigree/sources"
)

// Harness describes a source under test and subjects to exercise it with.
type Harness struct {
	// NewSource returns the source under test. It is called once per
	// sub-test, so sources holding state start fresh.
	NewSource func(t *testing.T) sources.Source
	// Known are subjects the source can collect. At least one is required.
	Known []sources.Subject
	// Missing is a subject the source supports but that does not exist;
	// Collect must fail with an error wrapping [sources.ErrNotFound]. Only a
	// [sources.Supplementary] source, which knows of no subject that does
	// not exist, may leave it zero.
	Missing sources.Subject
	// Unsupported is a subject Supports must refuse. The zero value skips
	// that check.
	Unsupported sources.Subject
}

// concurrency is how many Collect calls the concurrency check runs at once.
const concurrency = 8

// ignoreTime compares observations without the time they were read.
var ignoreTime = cmpopts.IgnoreFields(sources.Origin{}, "RetrievedAt")

// RunConformance checks that the source h describes keeps the contract of
// [sources.Source]:
//
//   - Name is not empty and constant; Supports accepts Known and Missing and
//     refuses Unsupported;
//   - Collect on each Known subject returns an observation of that subject
//     (same Kind, PURL and Path) and no error;
//   - every Evidence and Edge has an Origin naming the source, a locator and
//     a read time; evidence IDs are unique and derived by
//     [sources.NewEvidence]; evidence is about the observed subject; every
//     edge starts at the observed subject, ends at a subject, and cites
//     evidence of the same observation;
//   - two Collects give the same result, read times aside (deterministic
//     ordering), and concurrent Collects are safe (run tests with -race);
//   - a cancelled context makes Collect fail with [context.Canceled];
//   - Missing makes Collect fail with a [*sources.Error] wrapping
//     [sources.ErrNotFound] and no observation.
func RunConformance(t *testing.T, h Harness) {
	t.Helper()
	if h.NewSource == nil {
		t.Fatal("sourcetest: Harness.NewSource is nil")
	}
	if len(h.Known) == 0 {
		t.Fatal("sourcetest: Harness.Known is empty; give at least one collectable subject")
	}
	supplementary := sources.IsSupplementary(h.NewSource(t))
	if h.Missing.IsZero() && !supplementary {
		t.Fatal("sourcetest: Harness.Missing is the zero subject; give a supported subject that does not exist")
	}

	t.Run("Name", func(t *testing.T) {
		src := h.NewSource(t)
		name := src.Name()
		if name == "" {
			t.Fatal("Name() is empty")
		}
		if again := src.Name(); again != name {
			t.Errorf("Name() changed from %q to %q", name, again)
		}
	})

	t.Run("Supports", func(t *testing.T) {
		src := h.NewSource(t)
		for _, s := range h.Known {
			if !src.Supports(s) {
				t.Errorf("Supports(%s) = false for a Known subject", s.ID())
			}
		}
		if !h.Missing.IsZero() && !src.Supports(h.Missing) {
			t.Errorf("Supports(%s) = false for the Missing subject", h.Missing.ID())
		}
		if !h.Unsupported.IsZero() && src.Supports(h.Unsupported) {
			t.Errorf("Supports(%s) = true for the Unsupported subject", h.Unsupported.ID())
		}
	})

	t.Run("Collect", func(t *testing.T) {
		src := h.NewSource(t)
		for _, s := range h.Known {
			obs, err := src.Collect(context.Background(), s)
			if err != nil {
				t.Errorf("Collect(%s): %v", s.ID(), err)
				continue
			}
			for _, p := range CheckObservation(src.Name(), s, obs) {
				t.Errorf("Collect(%s): %s", s.ID(), p)
			}
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		src := h.NewSource(t)
		for _, s := range h.Known {
			first, err1 := src.Collect(context.Background(), s)
			second, err2 := src.Collect(context.Background(), s)
			if err1 != nil || err2 != nil {
				t.Errorf("Collect(%s): %v, %v", s.ID(), err1, err2)
				continue
			}
			if diff := cmp.Diff(first, second, ignoreTime); diff != "" {
				t.Errorf("Collect(%s) twice differs (-first +second):\n%s", s.ID(), diff)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		src := h.NewSource(t)
		want := make([]*sources.Observation, len(h.Known))
		for i, s := range h.Known {
			obs, err := src.Collect(context.Background(), s)
			if err != nil {
				t.Fatalf("Collect(%s): %v", s.ID(), err)
			}
			want[i] = obs
		}
		type result struct {
			i   int
			obs *sources.Observation
			err error
		}
		results := make(chan result, concurrency*len(h.Known))
		var wg sync.WaitGroup
		for n := range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range h.Known {
					i := (n + k) % len(h.Known)
					obs, err := src.Collect(context.Background(), h.Known[i])
					results <- result{i, obs, err}
				}
			}()
		}
		wg.Wait()
		close(results)
		for r := range results {
			s := h.Known[r.i]
			if r.err != nil {
				t.Errorf("concurrent Collect(%s): %v", s.ID(), r.err)
				continue
			}
			if diff := cmp.Diff(want[r.i], r.obs, ignoreTime); diff != "" {
				t.Errorf("concurrent Collect(%s) differs from a lone one (-lone +concurrent):\n%s", s.ID(), diff)
			}
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		src := h.NewSource(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, s := range h.Known {
			_, err := src.Collect(ctx, s)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Collect(%s) with a cancelled context = %v, want an error wrapping context.Canceled", s.ID(), err)
			}
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		if h.Missing.IsZero() {
			t.Skip("a supplementary source knows of no missing subject")
		}
		src := h.NewSource(t)
		obs, err := src.Collect(context.Background(), h.Missing)
		for _, p := range CheckNotFound(src.Name(), obs, err) {
			t.Errorf("Collect(%s): %s", h.Missing.ID(), p)
		}
	})
}

// CheckNotFound returns what is wrong with the result (obs, err) of a
// Collect by the source named name of a subject that does not exist, or
// nil when it is right: no observation and a [*sources.Error] of that
// source wrapping [sources.ErrNotFound].
func CheckNotFound(name string, obs *sources.Observation, err error) []string {
	var problems []string
	if !errors.Is(err, sources.ErrNotFound) {
		problems = append(problems, fmt.Sprintf("error = %v, want one wrapping sources.ErrNotFound", err))
	}
	var se *sources.Error
	if err != nil && !errors.As(err, &se) {
		problems = append(problems, fmt.Sprintf("error %q is a %T, want a *sources.Error (use sources.Errorf)", err, err))
	} else if se != nil && se.Source != name {
		problems = append(problems, fmt.Sprintf("error names source %q, want %q", se.Source, name))
	}
	if obs != nil {
		problems = append(problems, "returned an observation with ErrNotFound, want nil")
	}
	return problems
}

// CheckObservation returns what is wrong with obs, the result of a
// successful Collect of subject s by the source named name, or nil when
// nothing is. It checks every rule of [RunConformance] that one observation
// alone can break.
func CheckObservation(name string, s sources.Subject, obs *sources.Observation) []string {
	if obs == nil {
		return []string{"returned a nil observation and a nil error"}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	got := obs.Subject
	if got.Kind != s.Kind || got.PURL != s.PURL || got.Path != s.Path {
		bad("observation subject = {Kind:%q PURL:%q Path:%q}, want {Kind:%q PURL:%q Path:%q}",
			got.Kind, got.PURL, got.Path, s.Kind, s.PURL, s.Path)
	}
	id := got.ID()
	checkOrigin := func(what string, o sources.Origin) {
		if o.Source != name {
			bad("%s: Origin.Source = %q, want %q", what, o.Source, name)
		}
		if o.Locator == "" {
			bad("%s: Origin.Locator is empty", what)
		}
		if o.RetrievedAt.IsZero() {
			bad("%s: Origin.RetrievedAt is zero", what)
		}
	}

	ids := make(map[string]bool, len(obs.Evidence))
	for i, e := range obs.Evidence {
		what := fmt.Sprintf("evidence[%d] (%s %s %q)", i, e.ID, e.Kind, e.Value)
		checkOrigin(what, e.Origin)
		if e.Kind == "" {
			bad("%s: Kind is empty", what)
		}
		if e.Subject != id {
			bad("%s: Subject = %q, want the observed subject %q", what, e.Subject, id)
		}
		if want := sources.NewEvidence(e.Subject, e.Kind, e.Value, e.Attrs, e.Origin).ID; e.ID != want {
			bad("%s: ID = %q, want %q as sources.NewEvidence derives it", what, e.ID, want)
		}
		if ids[e.ID] {
			bad("%s: ID %q is not unique", what, e.ID)
		}
		ids[e.ID] = true
	}
	for i, e := range obs.Edges {
		what := fmt.Sprintf("edge[%d] (%s -%s-> %s)", i, e.From, e.Relation, e.To.ID())
		checkOrigin(what, e.Origin)
		if e.From != id {
			bad("%s: From = %q, want the observed subject %q", what, e.From, id)
		}
		if e.To.IsZero() {
			bad("%s: To is the zero subject", what)
		}
		if e.Relation == "" {
			bad("%s: Relation is empty", what)
		}
		for _, ev := range e.Evidence {
			if !ids[ev] {
				bad("%s: cites evidence %q, which the observation does not hold", what, ev)
			}
		}
	}
	return problems
}
