package knowledge

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const validEntry = `- accounts: [acme]
  name: Acme Corp.
  country: US
  type: company
  source: https://example.com/acme
`

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // lines of the error
	}{{
		name: "unknown key",
		src:  validEntry + "  contry: US\n",
		want: []string{`pubs.yaml:6: contry: unknown key; write one of accounts, name, country, type, source, note, models`},
	}, {
		name: "repeated key",
		src:  validEntry + "  name: Other\n",
		want: []string{`pubs.yaml:6: name: key repeated (first at line 2); keep one`},
	}, {
		name: "missing fields",
		src:  "- accounts: [acme]\n  type: company\n",
		want: []string{
			`pubs.yaml:1: name: missing; add name: followed by the legal name of the organization, such as "Meta Platforms, Inc."`,
			`pubs.yaml:1: country: missing; add country: followed by the ISO 3166-1 alpha-2 code of the country of the organization's seat, such as US, CN or FR`,
			`pubs.yaml:1: source: missing; add source: followed by the http(s) URL of a public page stating the facts, such as the organization's Wikipedia article`,
		},
	}, {
		name: "missing accounts",
		src:  "- name: Acme\n  country: US\n  type: company\n  source: https://example.com\n",
		want: []string{`pubs.yaml:1: accounts: missing; add accounts: followed by the Hugging Face account names of the organization, such as [meta-llama, facebook]`},
	}, {
		name: "empty accounts",
		src:  strings.Replace(validEntry, "[acme]", "[]", 1),
		want: []string{`pubs.yaml:1: accounts: is empty; write the Hugging Face account names of the organization, such as [meta-llama, facebook]`},
	}, {
		name: "accounts not a list",
		src:  strings.Replace(validEntry, "[acme]", "acme", 1),
		want: []string{`pubs.yaml:1: accounts: is a single value; write a list: accounts: [acme]`},
	}, {
		name: "bad account",
		src:  strings.Replace(validEntry, "[acme]", "[acme/model, -x]", 1),
		want: []string{
			`pubs.yaml:1: accounts: "acme/model" is not a Hugging Face account name; write the OWNER part of OWNER/NAME (letters, digits, '-', '_', '.')`,
			`pubs.yaml:1: accounts: "-x" is not a Hugging Face account name; write the OWNER part of OWNER/NAME (letters, digits, '-', '_', '.')`,
		},
	}, {
		name: "account twice across entries",
		src:  validEntry + strings.Replace(validEntry, "[acme]", "[other, ACME]", 1),
		want: []string{`pubs.yaml:6: accounts: "ACME" is already listed at line 1; list each account once, in the entry of the organization that holds it`},
	}, {
		name: "country UK",
		src:  strings.Replace(validEntry, "country: US", "country: UK", 1),
		want: []string{`pubs.yaml:3: country: "UK" is not an ISO 3166-1 alpha-2 code; write "GB"`},
	}, {
		name: "country lower case",
		src:  strings.Replace(validEntry, "country: US", "country: fr", 1),
		want: []string{`pubs.yaml:3: country: "fr" is not an ISO 3166-1 alpha-2 code; write "FR" (upper case)`},
	}, {
		name: "country unassigned",
		src:  strings.Replace(validEntry, "country: US", "country: USA", 1),
		want: []string{`pubs.yaml:3: country: "USA" is not an assigned ISO 3166-1 alpha-2 code; write the ISO 3166-1 alpha-2 code of the country of the organization's seat, such as US, CN or FR`},
	}, {
		name: "type outside the set",
		src:  strings.Replace(validEntry, "type: company", "type: corporation", 1),
		want: []string{`pubs.yaml:4: type: "corporation" is not a publisher type; write one of company, academic, nonprofit, government, community, individual`},
	}, {
		name: "type capitalised",
		src:  strings.Replace(validEntry, "type: company", "type: Company", 1),
		want: []string{`pubs.yaml:4: type: "Company" is not a publisher type; write "company"`},
	}, {
		name: "source not a URL",
		src:  strings.Replace(validEntry, "https://example.com/acme", "ftp://example.com/acme", 1),
		want: []string{`pubs.yaml:5: source: "ftp://example.com/acme" is not an http(s) URL; write the http(s) URL of a public page stating the facts, such as the organization's Wikipedia article`},
	}, {
		name: "source without host",
		src:  strings.Replace(validEntry, "https://example.com/acme", "https:///acme", 1),
		want: []string{`pubs.yaml:5: source: "https:///acme" is not an http(s) URL; write the http(s) URL of a public page stating the facts, such as the organization's Wikipedia article`},
	}, {
		name: "bad glob",
		src:  validEntry + "  models: [\"acme-[\", \"*\", \"org/acme-*\", \"acme-*\", \"ACME-*\"]\n",
		want: []string{
			`pubs.yaml:6: models: "acme-[" is not a valid pattern (path.Match syntax: * ? [a-z] and \ escapes); fix the brackets or escapes`,
			`pubs.yaml:6: models: "*" is too broad; a pattern needs at least 3 characters besides wildcards, such as "gemma-*"`,
			`pubs.yaml:6: models: "org/acme-*" holds a '/'; write a pattern of the NAME part of OWNER/NAME only, such as "Llama-2-*"`,
			`pubs.yaml:6: models: "ACME-*" is already listed at line 6; list each pattern once, in the entry of the publisher whose naming it is`,
		},
	}, {
		name: "individual without country is fine but a bad one is not",
		src:  "- accounts: [someone]\n  name: Someone\n  type: individual\n  source: https://example.com\n  country: Narnia\n",
		want: []string{`pubs.yaml:5: country: "Narnia" is not an assigned ISO 3166-1 alpha-2 code; write the ISO 3166-1 alpha-2 code of the country of the organization's seat, such as US, CN or FR`},
	}, {
		name: "not a list",
		src:  "accounts: [acme]\n",
		want: []string{`pubs.yaml:1: the file is a mapping; write a YAML list of entries, each starting with "- accounts: [org]"`},
	}, {
		name: "entry not a mapping",
		src:  validEntry + "- acme\n",
		want: []string{`pubs.yaml:6: an entry is a single value; write a mapping with the keys accounts, name, country, type, source, note, models`},
	}, {
		name: "alias",
		src:  "- accounts: [acme]\n  name: &n Acme\n  country: US\n  type: company\n  source: https://example.com\n- accounts: [other]\n  name: *n\n  country: US\n  type: company\n  source: https://example.com\n",
		want: []string{`pubs.yaml:7: name: aliases are not supported; write the value out`},
	}, {
		name: "syntax error",
		src:  "- accounts: [acme\n  name: x\n",
		want: []string{`pubs.yaml:1: invalid YAML: did not find expected ',' or ']'; fix the syntax (a list of mappings: - accounts: [org])`},
	}, {
		name: "two documents",
		src:  validEntry + "---\n" + strings.Replace(validEntry, "acme", "other", 1),
		want: []string{`pubs.yaml:6: the file holds more than one YAML document; remove the --- separator and keep one list of entries`},
	}, {
		name: "all problems at once",
		src:  "- accounts: [acme]\n  name: \"\"\n  country: XX\n  type: person\n  source: nowhere\n",
		want: []string{
			`pubs.yaml:2: name: is empty; write the legal name of the organization, such as "Meta Platforms, Inc."`,
			`pubs.yaml:4: type: "person" is not a publisher type; write one of company, academic, nonprofit, government, community, individual`,
			`pubs.yaml:3: country: "XX" is not an assigned ISO 3166-1 alpha-2 code; write the ISO 3166-1 alpha-2 code of the country of the organization's seat, such as US, CN or FR`,
			`pubs.yaml:5: source: "nowhere" is not an http(s) URL; write the http(s) URL of a public page stating the facts, such as the organization's Wikipedia article`,
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("pubs.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded with %d entries, want an error", len(c.Publishers()))
			}
			if c != nil {
				t.Error("Parse returned a catalog with an error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is a %T, want a *ParseError", err)
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("error lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	src := `# comment
- accounts: [acme, Acme-Labs]
  name: Acme Corp.
  country: US
  type: company
  source: https://example.com/acme
  note: A note.
  models: ["acme-*", "Roadrunner?"]
- accounts: [someone]
  name: Someone
  type: individual
  source: http://example.com/someone
  models: []
`
	c, err := Parse("pubs.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	digest := "sha256:" + sha256Hex(src)
	want := []Publisher{{
		Accounts: []string{"acme", "Acme-Labs"}, Name: "Acme Corp.", Country: "US", Type: TypeCompany,
		Source: "https://example.com/acme", Note: "A note.", Models: []string{"acme-*", "Roadrunner?"},
		Locator: "pubs.yaml", Digest: digest,
	}, {
		Accounts: []string{"someone"}, Name: "Someone", Type: TypeIndividual,
		Source: "http://example.com/someone", Locator: "pubs.yaml", Digest: digest,
	}}
	if diff := cmp.Diff(want, c.Publishers()); diff != "" {
		t.Errorf("Publishers() (-want +got):\n%s", diff)
	}
	if c.Locator() != "pubs.yaml" || c.Digest() != digest {
		t.Errorf("catalog locator %q digest %q, want pubs.yaml %s", c.Locator(), c.Digest(), digest)
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"", "# nothing yet\n", "[]\n", "~\n"} {
		c, err := Parse("empty.yaml", []byte(src))
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if n := len(c.Publishers()); n != 0 {
			t.Errorf("Parse(%q) has %d entries, want 0", src, n)
		}
		if c.Locator() != "empty.yaml" {
			t.Errorf("Parse(%q).Locator() = %q, want empty.yaml", src, c.Locator())
		}
	}
}
