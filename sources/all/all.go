// Package all wires Pedigree's default sources together. Only programs
// (the pedigree command) and embedders that want every source import it;
// package risk never does.
package all

import (
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/knowledge"
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
	// HubStore is where the Hugging Face source reads the Hub: an online
	// store ([huggingface.NewOnline]), an offline snapshot
	// ([huggingface.Snapshot]) or a recorder. Nil reads only HubCache: no
	// network access happens unless a store asks for it.
	HubStore huggingface.Store
	// HubCache is the local Hugging Face cache the Hub source reads
	// downloaded repositories from; nil for none.
	HubCache *local.HubCache
	// HubInspectBudget bounds the bytes of each Hub weight file read to
	// inspect it (range requests online); 0 means
	// huggingface.DefaultInspectBudget, a negative value turns remote
	// inspection off.
	HubInspectBudget int64
	// Extra are further sources asked after the default ones: the
	// network sources of dependencies and repositories (osv, scorecard),
	// which the program configures with its own HTTP client and offline
	// settings.
	Extra []sources.Source
	// Publishers is the publisher catalog of the knowledge source; nil
	// means the built-in one ([knowledge.Default]).
	Publishers *knowledge.Catalog
}

// Sources returns the default sources, in the order the engine should ask
// them: local folders, the Hugging Face Hub, then the publisher catalog.
// It fails only when the built-in publisher catalog does not parse, which
// its own tests rule out.
func Sources(opts Options) ([]sources.Source, error) {
	lic := opts.Licenses
	if lic == nil {
		lic = licensetext.New()
	}
	lopts := []local.Option{local.WithLicenseClassifier(lic)}
	hopts := []huggingface.Option{huggingface.WithLicenseClassifier(lic)}
	if opts.Clock != nil {
		lopts = append(lopts, local.WithClock(opts.Clock))
		hopts = append(hopts, huggingface.WithClock(opts.Clock))
	}
	if opts.HubStore != nil {
		hopts = append(hopts, huggingface.WithStore(opts.HubStore))
	}
	if opts.HubCache != nil {
		hopts = append(hopts, huggingface.WithHubCache(opts.HubCache))
	}
	switch {
	case opts.HubInspectBudget < 0:
		hopts = append(hopts, huggingface.WithInspection(0))
	case opts.HubInspectBudget > 0:
		hopts = append(hopts, huggingface.WithInspection(opts.HubInspectBudget))
	}
	cat := opts.Publishers
	if cat == nil {
		var err error
		if cat, err = knowledge.Default(); err != nil {
			return nil, err
		}
	}
	var kopts []knowledge.Option
	if opts.Clock != nil {
		kopts = append(kopts, knowledge.WithClock(opts.Clock))
	}
	srcs := []sources.Source{local.New(lopts...), huggingface.New(hopts...), knowledge.New(cat, kopts...)}
	return append(srcs, opts.Extra...), nil
}
