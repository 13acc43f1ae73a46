// Package all wires Pedigree's default sources together. Only programs
// (the pedigree command) and embedders that want every source import it;
// package risk never does.
package all

import (
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/local"
)

// Options configure the default sources.
type Options struct {
	// Clock stamps origins; nil means time.Now.
	Clock func() time.Time
	// Licenses classifies license texts; nil means a new classifier. Share
	// one across sources and runs to reuse its cache.
	Licenses *licensetext.Classifier
}

// Sources returns the default sources, in the order the engine should ask
// them: local folders.
func Sources(opts Options) []sources.Source {
	lic := opts.Licenses
	if lic == nil {
		lic = licensetext.New()
	}
	lopts := []local.Option{local.WithLicenseClassifier(lic)}
	if opts.Clock != nil {
		lopts = append(lopts, local.WithClock(opts.Clock))
	}
	return []sources.Source{local.New(lopts...)}
}
