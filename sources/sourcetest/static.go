package sourcetest

import (
	"context"
	"maps"

	"github.com/pedigree-ai/pedigree/sources"
)

// Static is a fake [sources.Source] that serves fixed observations. It is
// the test double for code that consumes sources: build one with
// [NewStatic], or fill the fields directly.
//
// A Static is safe for concurrent use as long as its fields are not changed
// while Collect runs.
type Static struct {
	// SourceName is returned by Name.
	SourceName string
	// Observations maps a subject's ID ([sources.Subject.ID]) to what
	// Collect returns for it. Collect returns a copy, so callers may change
	// the result freely.
	Observations map[string]*sources.Observation
	// Errors maps a subject's ID to the error Collect returns for it,
	// wrapped in a [*sources.Error] unless it already is one or is a context
	// error. An entry here wins over one in Observations.
	Errors map[string]error
	// Supported decides Supports. Nil supports every subject.
	Supported func(sources.Subject) bool
}

// NewStatic returns a Static named name that serves each of obs for its
// Subject's ID. Later observations of the same subject replace earlier ones.
func NewStatic(name string, obs ...*sources.Observation) *Static {
	s := &Static{SourceName: name, Observations: make(map[string]*sources.Observation, len(obs))}
	for _, o := range obs {
		if o != nil {
			s.Observations[o.Subject.ID()] = o
		}
	}
	return s
}

// Name implements [sources.Source].
func (s *Static) Name() string { return s.SourceName }

// Supports implements [sources.Source]; it calls Supported, or returns true
// when Supported is nil.
func (s *Static) Supports(subj sources.Subject) bool {
	return s.Supported == nil || s.Supported(subj)
}

// Collect implements [sources.Source]. It returns a copy of the observation
// stored for subj's ID, the error stored for it, or an error wrapping
// [sources.ErrNotFound]. A cancelled context is returned as is.
func (s *Static) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := subj.ID()
	if err, ok := s.Errors[id]; ok && err != nil {
		if _, isSrc := err.(*sources.Error); isSrc {
			return nil, err
		}
		return nil, sources.Errorf(s.SourceName, subj, "collect", err)
	}
	obs, ok := s.Observations[id]
	if !ok || obs == nil {
		return nil, sources.Errorf(s.SourceName, subj, "collect", sources.ErrNotFound)
	}
	return copyObservation(obs), nil
}

// copyObservation returns a copy of o that shares no slice or map with it.
func copyObservation(o *sources.Observation) *sources.Observation {
	c := &sources.Observation{Subject: o.Subject}
	if o.Evidence != nil {
		c.Evidence = make([]sources.Evidence, len(o.Evidence))
		for i, e := range o.Evidence {
			e.Attrs = maps.Clone(e.Attrs)
			c.Evidence[i] = e
		}
	}
	if o.Edges != nil {
		c.Edges = make([]sources.Edge, len(o.Edges))
		for i, e := range o.Edges {
			if e.Evidence != nil {
				e.Evidence = append([]string(nil), e.Evidence...)
			}
			c.Edges[i] = e
		}
	}
	return c
}
