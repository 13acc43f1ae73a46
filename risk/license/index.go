package license

import "strings"

// index maps the compact form of every id, name and alias in table to its
// entry. It is built once, when the package is initialised, and only read
// afterwards.
var index, indexCollisions = buildIndex(table)

// buildIndex completes the entries (Known, the fields derived from the
// obligations) and indexes them by the compact form of their ids, names,
// aliases and LicenseRef spellings. The first entry claiming a key keeps it;
// every later claim by a different entry is returned as a collision (the
// tests require none).
func buildIndex(entries []entry) (map[string]*entry, []string) {
	idx := make(map[string]*entry, len(entries)*4)
	var collisions []string
	for i := range entries {
		e := &entries[i]
		e.Info = derive(e.Info)
		e.Known = true
		keys := append([]string{e.ID, e.Name, refID(e.ID)}, e.aliases...)
		for _, k := range keys {
			c := compact(k)
			if c == "" {
				continue
			}
			if prev, ok := idx[c]; ok {
				if prev != e {
					collisions = append(collisions, k+" ("+prev.ID+", "+e.ID+")")
				}
				continue
			}
			idx[c] = e
		}
	}
	return idx, collisions
}

// refID is the idstring of an SPDX LicenseRef for a table id: the id with
// every character SPDX does not allow in a LicenseRef ('+') spelled out.
func refID(id string) string {
	return strings.ReplaceAll(id, "+", "-plus")
}
