package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-ai/pedigree/sources"
)

// Publisher types.
const (
	TypeCompany    = "company"    // a business
	TypeAcademic   = "academic"   // a university, or a laboratory of one
	TypeNonprofit  = "nonprofit"  // a non-profit institute or foundation
	TypeGovernment = "government" // a government body or a state-funded institute
	TypeCommunity  = "community"  // a collective or project without a legal entity of its own
	TypeIndividual = "individual" // a person
)

// types lists the publisher types in the order error messages give them.
var types = []string{TypeCompany, TypeAcademic, TypeNonprofit, TypeGovernment, TypeCommunity, TypeIndividual}

// fields lists the keys of an entry in the order error messages give them.
var fields = []string{"accounts", "name", "country", "type", "source", "note", "models"}

// minPatternLiterals is how many characters other than wildcards a models
// pattern must hold, so that "*" or "*-7b" cannot claim every name.
const minPatternLiterals = 3

// Problem is one thing wrong with a publishers file.
type Problem struct {
	// Line is the 1-based line of the problem, 0 when unknown.
	Line int
	// Field is the key of the entry the problem is in, empty when the
	// problem is not in one field.
	Field string
	// Message says what is wrong and what to write instead.
	Message string
}

// ParseError is returned by [Parse] and [Load] for a file that is not a
// valid publishers catalog. It lists every problem found, in file order.
type ParseError struct {
	// File is the name of the file, as given to Parse.
	File string
	// Problems are the problems found, at least one.
	Problems []Problem
}

// Error returns one line per problem: FILE:LINE: FIELD: MESSAGE.
func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
		if p.Field != "" {
			b.WriteString(p.Field + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// yamlLine finds the line number in the errors of the YAML parser.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parser collects the problems of one file.
type parser struct {
	file     string
	problems []Problem
	accounts map[string]int // lower-case account -> line where it was first listed
	patterns map[string]int // lower-case models pattern -> line where it was first listed
}

func (p *parser) add(line int, field, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Parse reads a publishers catalog from data, the content of file. file
// names the catalog in error messages and becomes the Locator of its
// entries; the Digest of the entries is that of data.
//
// The file is a YAML list of entries, each a mapping with the keys
// accounts, name, country, type, source and, optionally, note and models
// (see docs/publishers.md). Parsing is strict: unknown or repeated keys,
// missing required keys, a country that is not an assigned ISO 3166-1
// alpha-2 code, an unknown type, a source that is not an http(s) URL, an
// account listed twice (in one entry or across entries), a models pattern
// that is malformed, too broad or listed twice, anchors and aliases, and more
// than one YAML document are errors. Every problem found is reported in one
// [*ParseError], each naming the file, line and field.
func Parse(file string, data []byte) (*Catalog, error) {
	p := &parser{file: file, accounts: map[string]int{}, patterns: map[string]int{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		// An empty file is an empty catalog.
		return newCatalog(file, sources.Digest(data), nil), nil
	case err != nil:
		p.yamlError(err)
		return nil, &ParseError{File: file, Problems: p.problems}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			p.yamlError(err)
		} else {
			p.add(line, "", "the file holds more than one YAML document; remove the --- separator and keep one list of entries")
		}
		return nil, &ParseError{File: file, Problems: p.problems}
	}

	pubs := p.document(&doc)
	if len(p.problems) > 0 {
		return nil, &ParseError{File: file, Problems: p.problems}
	}
	digest := sources.Digest(data)
	for i := range pubs {
		pubs[i].Locator = file
		pubs[i].Digest = digest
	}
	return newCatalog(file, digest, pubs), nil
}

// yamlError records a syntax error of the YAML parser.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.add(line, "", "invalid YAML: %s; fix the syntax (a list of mappings: - accounts: [org])", m[2])
		return
	}
	p.add(0, "", "invalid YAML: %s; fix the syntax (a list of mappings: - accounts: [org])", strings.TrimPrefix(msg, "yaml: "))
}

// document reads the top-level list of entries.
func (p *parser) document(doc *yaml.Node) []Publisher {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.SequenceNode {
		p.add(root.Line, "", "the file is %s; write a YAML list of entries, each starting with \"- accounts: [org]\"", kindName(root))
		return nil
	}
	pubs := make([]Publisher, 0, len(root.Content))
	for _, n := range root.Content {
		if pub, ok := p.entry(n); ok {
			pubs = append(pubs, pub)
		}
	}
	return pubs
}

// entry reads one entry; ok is false when it has problems.
func (p *parser) entry(n *yaml.Node) (pub Publisher, ok bool) {
	before := len(p.problems)
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "", "an entry is %s; write a mapping with the keys %s", kindName(n), strings.Join(fields, ", "))
		return Publisher{}, false
	}
	seen := map[string]int{}
	values := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, "", "a key is %s; write one of %s", kindName(k), strings.Join(fields, ", "))
			continue
		}
		if !slices.Contains(fields, k.Value) {
			p.add(k.Line, k.Value, "unknown key; write one of %s", strings.Join(fields, ", "))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			p.add(k.Line, k.Value, "key repeated (first at line %d); keep one", line)
			continue
		}
		seen[k.Value] = k.Line
		values[k.Value] = v
	}

	pub.Accounts = p.accountList(n, values["accounts"])
	pub.Name = p.scalar(n, "name", values["name"], true, "the legal name of the organization, such as \"Meta Platforms, Inc.\"")
	pub.Type = p.publisherType(n, values["type"])
	pub.Country = p.country(n, values["country"], pub.Type)
	pub.Source = p.source(n, values["source"])
	pub.Note = p.scalar(n, "note", values["note"], false, "")
	pub.Models = p.models(values["models"])
	return pub, len(p.problems) == before
}

// scalar reads a string field. When required and missing or empty it
// records a problem suggesting what to write.
func (p *parser) scalar(entry *yaml.Node, field string, v *yaml.Node, required bool, what string) string {
	if v == nil {
		if required {
			p.add(entry.Line, field, "missing; add %s: followed by %s", field, what)
		}
		return ""
	}
	if v.Kind == yaml.AliasNode {
		p.add(v.Line, field, "aliases are not supported; write the value out")
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		p.add(v.Line, field, "is %s; write a single value", kindName(v))
		return ""
	}
	s := strings.TrimSpace(v.Value)
	if v.Tag == "!!null" {
		s = ""
	}
	if s == "" && required {
		p.add(v.Line, field, "is empty; write %s", what)
	}
	return s
}

// accountList reads the accounts of an entry and checks that none was
// listed before.
func (p *parser) accountList(entry, v *yaml.Node) []string {
	const what = "the Hugging Face account names of the organization, such as [meta-llama, facebook]"
	if v == nil {
		p.add(entry.Line, "accounts", "missing; add accounts: followed by %s", what)
		return nil
	}
	items := p.list("accounts", v, what)
	if items == nil {
		return nil
	}
	if len(items) == 0 {
		p.add(v.Line, "accounts", "is empty; write %s", what)
		return nil
	}
	accounts := make([]string, 0, len(items))
	for _, it := range items {
		a := strings.TrimSpace(it.Value)
		if a == "" || strings.Contains(a, "/") || !sources.ValidHubID(a) {
			p.add(it.Line, "accounts", "%q is not a Hugging Face account name; write the OWNER part of OWNER/NAME (letters, digits, '-', '_', '.')", it.Value)
			continue
		}
		key := strings.ToLower(a)
		if line, dup := p.accounts[key]; dup {
			p.add(it.Line, "accounts", "%q is already listed at line %d; list each account once, in the entry of the organization that holds it", a, line)
			continue
		}
		p.accounts[key] = it.Line
		accounts = append(accounts, a)
	}
	return accounts
}

// list reads a sequence of scalars; a single scalar is refused with a hint.
// It returns nil after recording a problem.
func (p *parser) list(field string, v *yaml.Node, what string) []*yaml.Node {
	switch {
	case v.Kind == yaml.AliasNode:
		p.add(v.Line, field, "aliases are not supported; write the list out")
		return nil
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return []*yaml.Node{}
	case v.Kind == yaml.ScalarNode:
		p.add(v.Line, field, "is a single value; write a list: %s: [%s]", field, v.Value)
		return nil
	case v.Kind != yaml.SequenceNode:
		p.add(v.Line, field, "is %s; write a list of %s", kindName(v), what)
		return nil
	}
	items := make([]*yaml.Node, 0, len(v.Content))
	for _, it := range v.Content {
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
			p.add(it.Line, field, "an item is %s; write a list of %s", kindName(it), what)
			continue
		}
		items = append(items, it)
	}
	return items
}

// publisherType reads and checks the type of an entry.
func (p *parser) publisherType(entry, v *yaml.Node) string {
	what := "one of " + strings.Join(types, ", ")
	t := p.scalar(entry, "type", v, true, what)
	if t == "" {
		return ""
	}
	if !slices.Contains(types, t) {
		if lower := strings.ToLower(t); slices.Contains(types, lower) {
			p.add(v.Line, "type", "%q is not a publisher type; write %q", t, lower)
		} else {
			p.add(v.Line, "type", "%q is not a publisher type; write %s", t, what)
		}
		return ""
	}
	return t
}

// country reads and checks the country of an entry. It is required unless
// the publisher is an individual or a community, whose seat is often not
// public.
func (p *parser) country(entry, v *yaml.Node, typ string) string {
	const what = "the ISO 3166-1 alpha-2 code of the country of the organization's seat, such as US, CN or FR"
	optional := typ == TypeIndividual || typ == TypeCommunity
	c := p.scalar(entry, "country", v, !optional && typ != "", what)
	if c == "" {
		return ""
	}
	if validCountry(c) {
		return c
	}
	upper := strings.ToUpper(c)
	switch {
	case commonCountryMistakes[upper] != "":
		p.add(v.Line, "country", "%q is not an ISO 3166-1 alpha-2 code; write %q", c, commonCountryMistakes[upper])
	case validCountry(upper):
		p.add(v.Line, "country", "%q is not an ISO 3166-1 alpha-2 code; write %q (upper case)", c, upper)
	default:
		p.add(v.Line, "country", "%q is not an assigned ISO 3166-1 alpha-2 code; write %s", c, what)
	}
	return ""
}

// source reads and checks the source URL of an entry.
func (p *parser) source(entry, v *yaml.Node) string {
	const what = "the http(s) URL of a public page stating the facts, such as the organization's Wikipedia article"
	s := p.scalar(entry, "source", v, true, what)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t") {
		p.add(v.Line, "source", "%q is not an http(s) URL; write %s", s, what)
		return ""
	}
	return s
}

// models reads and checks the models patterns of an entry.
func (p *parser) models(v *yaml.Node) []string {
	const what = "patterns of repository names, such as [\"Llama-2-*\", \"CodeLlama-*\"]"
	if v == nil {
		return nil
	}
	items := p.list("models", v, what)
	var patterns []string
	for _, it := range items {
		pat := strings.TrimSpace(it.Value)
		if msg := checkPattern(pat); msg != "" {
			p.add(it.Line, "models", "%q %s", it.Value, msg)
			continue
		}
		key := strings.ToLower(pat)
		if line, dup := p.patterns[key]; dup {
			p.add(it.Line, "models", "%q is already listed at line %d; list each pattern once, in the entry of the publisher whose naming it is", pat, line)
			continue
		}
		p.patterns[key] = it.Line
		patterns = append(patterns, pat)
	}
	return patterns
}

// checkPattern returns what is wrong with a models pattern and what to
// write instead, or "" when it is fine.
func checkPattern(pat string) string {
	if pat == "" {
		return "is empty; write a pattern of repository names, such as \"Llama-2-*\""
	}
	if strings.Contains(pat, "/") {
		return "holds a '/'; write a pattern of the NAME part of OWNER/NAME only, such as \"Llama-2-*\""
	}
	if _, err := path.Match(pat, ""); err != nil {
		return "is not a valid pattern (path.Match syntax: * ? [a-z] and \\ escapes); fix the brackets or escapes"
	}
	literals := 0
	escaped, inClass := false, false
	for _, r := range pat {
		switch {
		case escaped:
			literals++
			escaped = false
		case r == '\\':
			escaped = true
		case inClass:
			if r == ']' {
				inClass = false
			}
		case r == '[':
			inClass = true
		case r != '*' && r != '?':
			literals++
		}
	}
	if literals < minPatternLiterals {
		return fmt.Sprintf("is too broad; a pattern needs at least %d characters besides wildcards, such as \"gemma-*\"", minPatternLiterals)
	}
	return ""
}

// kindName names the kind of a YAML node, with its article, in error
// messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if n.Tag == "!!null" {
		return "a null value"
	}
	return "a single value"
}
