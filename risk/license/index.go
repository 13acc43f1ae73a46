package license

// index maps the compact form of every id, name and alias in table to its
// entry. It is built once, when the package is initialised, and only read
// afterwards.
var index, indexCollisions = buildIndex(table)

// buildIndex indexes entries by the compact form of their ids, names and
// aliases. The first entry claiming a key keeps it; every later claim by a
// different entry is returned as a collision (the tests require none).
func buildIndex(entries []entry) (map[string]*entry, []string) {
	idx := make(map[string]*entry, len(entries)*4)
	var collisions []string
	for i := range entries {
		e := &entries[i]
		e.Known = true
		keys := append([]string{e.ID, e.Name}, e.aliases...)
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
