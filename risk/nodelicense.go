package risk

import (
	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// EffectiveLicense returns the license that binds a node and the evidence
// it rests on: of the licenses its card, LICENSE files and tags declare,
// the most restrictive recognised one (the same choice the license rules
// make), else the first declaration, unrecognised. ok is false when the
// node declares no license.
func EffectiveLicense(n *Node) (info license.Info, ev []sources.Evidence, ok bool) {
	decls := licenseDecls(n)
	if len(decls) == 0 {
		return license.Info{}, nil, false
	}
	d, found := strictest(decls)
	if !found {
		d = decls[0]
	}
	return d.info, []sources.Evidence{d.ev}, true
}
