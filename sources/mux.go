package sources

import "fmt"

// Mux holds the installed sources and says which serve a subject. The zero
// Mux has none. A Mux is safe for concurrent use once built; Register must
// not be called concurrently with For.
type Mux struct {
	srcs []Source
}

// NewMux returns a Mux holding srcs, in order. It fails on a nil source or
// two sources with the same name.
func NewMux(srcs ...Source) (*Mux, error) {
	m := &Mux{}
	for _, s := range srcs {
		if err := m.Register(s); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Register adds src after the sources already held.
func (m *Mux) Register(src Source) error {
	if src == nil {
		return fmt.Errorf("sources: register nil source")
	}
	if src.Name() == "" {
		return fmt.Errorf("sources: register source with empty name")
	}
	for _, s := range m.srcs {
		if s.Name() == src.Name() {
			return fmt.Errorf("sources: source %q registered twice", src.Name())
		}
	}
	m.srcs = append(m.srcs, src)
	return nil
}

// Sources returns the sources held, in registration order.
func (m *Mux) Sources() []Source { return append([]Source(nil), m.srcs...) }

// For returns the sources that support s, in registration order.
func (m *Mux) For(s Subject) []Source {
	var out []Source
	for _, src := range m.srcs {
		if src.Supports(s) {
			out = append(out, src)
		}
	}
	return out
}
