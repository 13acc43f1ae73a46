package knowledge

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that it fails only with a
// *ParseError naming the file, and that what it accepts keeps the
// catalog's invariants.
func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(validEntry))
	f.Add([]byte(""))
	f.Add([]byte("[]"))
	f.Add([]byte("- accounts: [a, b]\n  name: x\n  type: community\n  source: https://x.org\n  models: [\"ab[c-*\", \"x\\\\*yz*\"]\n"))
	f.Add([]byte("- &a {accounts: [x]}\n- *a\n"))
	f.Add([]byte("- accounts: [acme\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("- {accounts: [acme], name: n, country: us, type: Company, source: 'ftp://x', extra: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *ParseError with problems", err, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range c.Publishers() {
			if len(p.Accounts) == 0 || p.Name == "" || p.Source == "" || p.Type == "" {
				t.Fatalf("accepted an incomplete entry %+v", p)
			}
			if p.Country != "" && !validCountry(p.Country) {
				t.Fatalf("accepted country %q", p.Country)
			}
			for _, a := range p.Accounts {
				if seen[strings.ToLower(a)] {
					t.Fatalf("accepted account %q twice", a)
				}
				seen[strings.ToLower(a)] = true
				if got, ok := c.Lookup(a); !ok || !got.HasAccount(a) {
					t.Fatalf("Lookup(%q) does not find its entry", a)
				}
			}
			for _, m := range p.Models {
				if checkPattern(m) != "" {
					t.Fatalf("accepted pattern %q", m)
				}
				c.MatchModel(m)
			}
		}
	})
}
