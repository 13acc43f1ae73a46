package sources

import "context"

// Source reads evidence about subjects.
//
// Implementations must be safe for concurrent use, must return results in a
// deterministic order, and must stamp an Origin on every Evidence and Edge.
// The conformance suite in package sourcetest checks this.
type Source interface {
	// Name identifies the source in origins and statuses (huggingface,
	// local). It is constant and unique among installed sources.
	Name() string
	// Supports reports whether the source can say anything about s. It
	// does no I/O.
	Supports(s Subject) bool
	// Collect reads what the source knows about s. On success it returns an
	// observation and nil. On failure it returns nil and an error wrapping
	// one of the sentinel errors in an *Error. When it could read part of
	// what it wanted it returns both: the observation is kept and the
	// subject's status is partial. A cancelled context is returned as is.
	Collect(ctx context.Context, s Subject) (*Observation, error)
}

// Supplementary is implemented by sources that only add facts to subjects
// other sources read, such as curated facts about publishers. The engine
// counts a subject as read only when a source that is not supplementary
// read it (a Hub model the Hub source could not read stays unread, whatever
// the catalog says about its owner); a supplementary source's evidence is
// kept either way.
type Supplementary interface {
	// Supplementary reports whether the source only supplements others.
	Supplementary() bool
}

// IsSupplementary reports whether src is a [Supplementary] source that
// says it is.
func IsSupplementary(src Source) bool {
	s, ok := src.(Supplementary)
	return ok && s.Supplementary()
}

// Func adapts a name, a support test and a function to a Source. It is
// handy for tests and small embedders' sources.
type Func struct {
	SourceName string
	Supported  func(Subject) bool
	Fn         func(ctx context.Context, s Subject) (*Observation, error)
}

// Name implements Source.
func (f Func) Name() string { return f.SourceName }

// Supports implements Source; a nil Supported supports every subject.
func (f Func) Supports(s Subject) bool { return f.Supported == nil || f.Supported(s) }

// Collect implements Source.
func (f Func) Collect(ctx context.Context, s Subject) (*Observation, error) { return f.Fn(ctx, s) }
