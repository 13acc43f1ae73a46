package risk

import (
	"github.com/pedigree-ai/pedigree/risk/license"
	"github.com/pedigree-ai/pedigree/sources"
)

// EffectiveLicense returns the license a node declares and the evidence
// it rests on: the card's license (resolved with its license_name and
// license_link), else the license a LICENSE file was recognised as, else a
// license:ID tag. ok is false when the node declares none.
func EffectiveLicense(n *Node) (info license.Info, ev []sources.Evidence, ok bool) {
	var card, file, tag []sources.Evidence
	for _, e := range n.Find(sources.KindLicense) {
		switch e.Attr("declared_in") {
		case "card":
			card = append(card, e)
		case "file":
			file = append(file, e)
		default:
			tag = append(tag, e)
		}
	}
	for _, group := range [][]sources.Evidence{card, file, tag} {
		for _, e := range group {
			if e.Value == "" {
				continue
			}
			i := license.Resolve(e.Value, e.Attr("name"), e.Attr("link"))
			if !ok || (!info.Known && i.Known) {
				info, ev, ok = i, []sources.Evidence{e}, true
			}
		}
		if ok && info.Known {
			return info, ev, true
		}
	}
	return info, ev, ok
}
