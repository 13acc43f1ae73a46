package knowledge

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// EmbeddedLocator is the Locator of the entries of the built-in catalog.
const EmbeddedLocator = "embedded:sources/knowledge/publishers.yaml"

//go:embed publishers.yaml
var embedded []byte

// Publisher is what the catalog says about one organization or person that
// publishes on the Hugging Face Hub.
type Publisher struct {
	// Accounts are the Hub account names of the publisher, as the catalog
	// writes them; they are matched case-insensitively. At least one.
	Accounts []string
	// Name is the legal entity, or for an individual or a community the
	// name it is publicly known by.
	Name string
	// Country is the ISO 3166-1 alpha-2 code of the country of the legal
	// entity's seat. Empty for an individual or a community whose country
	// is not public.
	Country string
	// Type is company, academic, nonprofit, government, community or
	// individual.
	Type string
	// Source is the URL of a public page stating the facts.
	Source string
	// Note records subtleties (a parent company, an offshore incorporation,
	// a renamed account). Empty when there are none.
	Note string
	// Models are path.Match patterns, matched case-insensitively, of the
	// repository names (the NAME of OWNER/NAME) of the publisher's own base
	// model families. Empty when none are listed.
	Models []string
	// Locator is where the entry was read: [EmbeddedLocator] for the
	// built-in catalog, the file's path for a user's file.
	Locator string
	// Digest is "sha256:HEX" of the bytes of the file the entry was read
	// from.
	Digest string
}

// HasAccount reports whether account, compared case-insensitively, is one
// of p's accounts.
func (p Publisher) HasAccount(account string) bool {
	return slices.ContainsFunc(p.Accounts, func(a string) bool { return strings.EqualFold(a, account) })
}

// clone returns a copy of p that shares no slices with it.
func (p Publisher) clone() Publisher {
	p.Accounts = slices.Clone(p.Accounts)
	p.Models = slices.Clone(p.Models)
	return p
}

// pattern is one models pattern, lower-cased for matching, with the index
// of its publisher.
type pattern struct {
	lower    string
	original string
	pub      int
}

// Catalog is a read-only set of publisher entries. It is safe for
// concurrent use. A nil *Catalog is an empty catalog.
type Catalog struct {
	pubs      []Publisher
	byAccount map[string]int // lower-case account -> index in pubs
	patterns  []pattern      // in catalog order, then in entry order
	locator   string         // where the catalog (or, merged, its base) was read
	digest    string         // digest of that file
}

// newCatalog indexes pubs, which it takes ownership of.
func newCatalog(locator, digest string, pubs []Publisher) *Catalog {
	c := &Catalog{pubs: pubs, byAccount: make(map[string]int), locator: locator, digest: digest}
	for i, p := range pubs {
		for _, a := range p.Accounts {
			c.byAccount[strings.ToLower(a)] = i
		}
		for _, m := range p.Models {
			c.patterns = append(c.patterns, pattern{lower: strings.ToLower(m), original: m, pub: i})
		}
	}
	return c
}

// Default returns the built-in catalog, parsed anew on each call (it is
// small), so that callers share no state.
func Default() (*Catalog, error) {
	return Parse(EmbeddedLocator, embedded)
}

// MaxFileSize bounds the size of a publishers file [Load] reads (the
// built-in catalog is a few hundred KiB).
const MaxFileSize = 16 << 20

// Load reads the publishers catalog at path, a file in the format of the
// built-in one (see docs/publishers.md). The entries' Locator is the
// file's absolute path. Problems with the file's content are reported in a
// [*ParseError].
func Load(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge: read publishers file: %w; check the path given", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("knowledge: read publishers file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("knowledge: publishers file %s is larger than %d bytes; is it the right file?", path, MaxFileSize)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return Parse(abs, data)
}

// Merge returns a new catalog holding the entries of c and over: an entry
// of over replaces every entry of c that shares one of its accounts (it
// takes the place of the first one it replaces), and the other entries of
// over are added after those of c. Neither c nor over is changed. The
// merged catalog keeps the locator and digest of c, which unlisted owners
// are reported with, unless c is empty.
func (c *Catalog) Merge(over *Catalog) *Catalog {
	base, top := c.Publishers(), over.Publishers()
	replaced := make([]bool, len(base)) // base entries an entry of over replaces
	placeAt := make(map[int]int)        // base index -> index in top of the entry taking its place
	var added []int                     // indexes in top of the entries to append
	for j, p := range top {
		first := -1
		for i, b := range base {
			if replaced[i] || !sharesAccount(p, b) {
				continue
			}
			replaced[i] = true
			if first < 0 {
				first = i
				placeAt[i] = j
			}
		}
		if first < 0 {
			added = append(added, j)
		}
	}
	pubs := make([]Publisher, 0, len(base)+len(added))
	for i, b := range base {
		if j, ok := placeAt[i]; ok {
			pubs = append(pubs, top[j])
		} else if !replaced[i] {
			pubs = append(pubs, b)
		}
	}
	for _, j := range added {
		pubs = append(pubs, top[j])
	}
	locator, digest := "", ""
	switch {
	case c != nil && c.locator != "":
		locator, digest = c.locator, c.digest
	case over != nil:
		locator, digest = over.locator, over.digest
	}
	return newCatalog(locator, digest, pubs)
}

// sharesAccount reports whether a and b have an account in common.
func sharesAccount(a, b Publisher) bool {
	return slices.ContainsFunc(a.Accounts, b.HasAccount)
}

// Lookup returns the entry listing account, compared case-insensitively,
// and false when no entry does.
func (c *Catalog) Lookup(account string) (Publisher, bool) {
	if c == nil {
		return Publisher{}, false
	}
	i, ok := c.byAccount[strings.ToLower(account)]
	if !ok {
		return Publisher{}, false
	}
	return c.pubs[i].clone(), true
}

// MatchModel returns the publisher whose models patterns match repoName,
// the NAME of a repository OWNER/NAME (a full OWNER/NAME is accepted and
// its OWNER ignored), compared case-insensitively, and the pattern that
// matched. When several patterns match, the longest (most specific) wins;
// among patterns of the same length, the one listed first. ok is false when
// no pattern matches.
func (c *Catalog) MatchModel(repoName string) (p Publisher, pat string, ok bool) {
	if c == nil {
		return Publisher{}, "", false
	}
	if i := strings.LastIndexByte(repoName, '/'); i >= 0 {
		repoName = repoName[i+1:]
	}
	name := strings.ToLower(repoName)
	best := -1
	for i, pt := range c.patterns {
		if best >= 0 && len(pt.lower) <= len(c.patterns[best].lower) {
			continue
		}
		if m, err := path.Match(pt.lower, name); err == nil && m {
			best = i
		}
	}
	if best < 0 {
		return Publisher{}, "", false
	}
	pt := c.patterns[best]
	return c.pubs[pt.pub].clone(), pt.original, true
}

// Publishers returns a copy of the entries, in file order (for a merged
// catalog, as [Catalog.Merge] orders them).
func (c *Catalog) Publishers() []Publisher {
	if c == nil {
		return nil
	}
	out := make([]Publisher, len(c.pubs))
	for i, p := range c.pubs {
		out[i] = p.clone()
	}
	return out
}

// Locator returns where the catalog was read: [EmbeddedLocator], a file's
// path, or for a merged catalog that of its base. Empty for an empty
// catalog built without a file.
func (c *Catalog) Locator() string {
	if c == nil {
		return ""
	}
	return c.locator
}

// Digest returns "sha256:HEX" of the file the catalog (or, merged, its
// base) was read from.
func (c *Catalog) Digest() string {
	if c == nil {
		return ""
	}
	return c.digest
}
