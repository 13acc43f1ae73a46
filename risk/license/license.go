package license

import (
	"regexp"
	"strings"
	"unicode"
)

// Class is how restrictive a license is. The package documentation describes
// each class. The string values are report contracts.
type Class string

// The license classes, from the least restrictive to the most.
const (
	// Permissive licenses allow any use, modification and redistribution,
	// at most on condition of keeping a notice. Public-domain dedications
	// (CC0, Unlicense, PDDL) are permissive licenses without attribution.
	Permissive Class = "permissive"
	// WeakCopyleft licenses keep modified files or the licensed component
	// under the license while allowing larger works under other terms.
	WeakCopyleft Class = "weak_copyleft"
	// Copyleft licenses require derivatives to be distributed under the same
	// license.
	Copyleft Class = "copyleft"
	// Restricted licenses grant open weights (or data) under bespoke terms
	// that travel with the work: acceptable-use policies, user or revenue
	// caps, naming and field-of-use terms. Commercial use is allowed, with
	// conditions.
	Restricted Class = "open_weight_restricted"
	// NonCommercial licenses forbid commercial use.
	NonCommercial Class = "non_commercial"
	// ResearchOnly licenses allow research (or evaluation) use only.
	ResearchOnly Class = "research_only"
	// Proprietary means all rights reserved.
	Proprietary Class = "proprietary"
	// Unknown means the license could not be identified.
	Unknown Class = "unknown"
)

// Classes lists every class from the least restrictive to the most,
// [Unknown] last.
func Classes() []Class {
	return []Class{Permissive, WeakCopyleft, Copyleft, Restricted, NonCommercial, ResearchOnly, Proprietary, Unknown}
}

// Restrictiveness orders the classes: 0 for [Permissive] up to 6 for
// [Proprietary]. It is -1 for [Unknown] and any other value.
func (c Class) Restrictiveness() int {
	switch c {
	case Permissive:
		return 0
	case WeakCopyleft:
		return 1
	case Copyleft:
		return 2
	case Restricted:
		return 3
	case NonCommercial:
		return 4
	case ResearchOnly:
		return 5
	case Proprietary:
		return 6
	}
	return -1
}

// Info is what the package knows about one license, or about an SPDX
// expression of several (see [Expression]). The zero value is not
// meaningful; an unrecognised license has Class [Unknown] and Known false.
type Info struct {
	// ID is the normalised id: the lower-case Hub id of a known license
	// ("llama2", "apache-2.0"), the normalised SPDX expression of a
	// compound license ("Apache-2.0 OR MIT"), "other" for a custom license
	// that was not recognised, "unknown" when the card says so, or the
	// lower-cased input for ids outside the table. It is empty when no
	// license was declared at all.
	ID string
	// Name is the human name of the license ("Llama 2 Community License
	// Agreement"). For an unrecognised custom license it is the declared
	// license_name, or the license_link when there is no name.
	Name string
	// Class is how restrictive the license is.
	Class Class
	// Known reports whether ID is in this package's table or, for an
	// expression, whether every license its class rests on is. A license
	// that is not known may still have a Class inferred from its name (a
	// custom license named "non-commercial-license" is NonCommercial).
	Known bool
	// Obligations are the duties and limits of the license, sorted by value,
	// without duplicates. The boolean fields below are derived from them.
	Obligations []Obligation
	// UserCap is the number of the cap when Obligations has [ObligationUserCap]
	// (700000000 for the Llama licenses), in UserCapUnit; 0 when the cap is
	// not a number.
	UserCap int64
	// UserCapUnit is what ObligationUserCap counts.
	UserCapUnit CapUnit
	// NamingNotice is the name or notice a [ObligationNaming] obligation asks for
	// ("Built with Llama"), when the license names one.
	NamingNotice string
	// Commercial reports whether commercial use is allowed, possibly under
	// conditions such as a cap on monthly active users: the class is
	// neither Unknown nor Proprietary and the license has neither
	// [ObligationNonCommercial] nor [ObligationResearchOnly].
	Commercial bool
	// UseRestrictions reports an acceptable-use policy, a user or revenue
	// cap, a naming duty or field-of-use terms.
	UseRestrictions bool
	// NoDerivatives reports that modified versions may not be distributed
	// (CC-BY-ND, proprietary terms): Obligations has [ObligationNoDerivatives].
	NoDerivatives bool
	// Family groups the versions and variants of a license, for comparing
	// an ancestor's license with a derivative's: "llama", "gemma",
	// "openrail", "qwen", "deepseek", "cc", "gpl", "bsd", ... Licenses
	// without relatives have their id as family.
	Family string
	// Attribution reports that redistribution requires keeping a notice or
	// giving credit: Obligations has [ObligationAttribution].
	Attribution bool
	// ShareAlike reports that derivatives must be distributed under this
	// license (or one the license names as compatible): Obligations has
	// [ObligationShareAlike].
	ShareAlike bool
	// URL is where the canonical text of the license is published. It is
	// empty when unknown.
	URL string
}

// Normalize returns the canonical id for id: the Hub id for a known license,
// SPDX id or alias (case, spaces, underscores and dashes do not matter,
// "Apache-2.0" and "apache_2.0" both give "apache-2.0", "GPL-3.0-or-later"
// gives "gpl-3.0"), the normalised expression for a valid SPDX expression of
// several licenses ("mit or apache-2.0" gives "MIT OR Apache-2.0"), and the
// trimmed, lower-cased id otherwise.
func Normalize(id string) string {
	if isExpression(id) {
		if info, err := Expression(id); err == nil {
			return info.ID
		}
	} else if e, ok := find(id); ok {
		return e.ID
	}
	return strings.ToLower(strings.TrimSpace(id))
}

// Lookup returns what is known about the license id, compared
// case-insensitively, in its Hub or SPDX spelling or an alias. An SPDX
// expression of several licenses ("Apache-2.0 OR MIT", "GPL-2.0-or-later
// WITH Classpath-exception-2.0") is resolved by [Expression]. For an id the
// package does not know, and for a malformed expression, it returns
// Info{ID: Normalize(id), Class: Unknown}. The Hub ids "other" and "unknown"
// are not known licenses.
func Lookup(id string) Info {
	if isExpression(id) {
		if info, err := Expression(id); err == nil {
			return info
		}
	} else if e, ok := find(id); ok {
		return e.Info
	}
	return Info{ID: Normalize(id), Class: Unknown}
}

// Resolve returns the license a Hub card declares with its license,
// license_name and license_link fields. A known id, or a valid SPDX
// expression, wins. When the id is "other", "unknown", empty or not known,
// the license_name is looked up (ignoring words such as "license agreement"
// and "terms of use"), then the license_link (known license URLs, and the
// last path segment of other links). A custom license that stays
// unrecognised has Known false and Class Unknown, unless its name or link
// says it is research-only, non-commercial or proprietary; its Name is the
// license_name (or the link).
func Resolve(id, name, link string) Info {
	if info := Lookup(id); info.Class != Unknown || info.Known {
		return info
	}
	if e, ok := findName(name); ok {
		return e.Info
	}
	if e, ok := findLink(link); ok {
		return e.Info
	}
	info := Info{ID: Normalize(id), Class: Unknown}
	if info.ID == "" && (name != "" || link != "") {
		info.ID = "other"
	}
	info.Name = strings.TrimSpace(name)
	if info.Name == "" {
		info.Name = strings.TrimSpace(link)
	}
	switch hint := compact(name) + " " + strings.ToLower(link); {
	case strings.Contains(hint, "researchonly") || strings.Contains(hint, "research-only"):
		info.Class = ResearchOnly
		info.Obligations = []Obligation{ObligationNonCommercial, ObligationResearchOnly}
	case strings.Contains(hint, "noncommercial") || strings.Contains(hint, "non-commercial"):
		info.Class = NonCommercial
		info.Obligations = []Obligation{ObligationNonCommercial}
	case strings.Contains(hint, "proprietary") || strings.Contains(hint, "allrightsreserved"):
		info.Class = Proprietary
		info.Obligations = []Obligation{ObligationNoDerivatives, ObligationNonCommercial}
	}
	return derive(info)
}

// compact reduces s to the characters that distinguish license ids: lower-case
// letters, digits, '.' and '+'. Everything else (case, spaces, dashes,
// underscores, punctuation) is dropped.
func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+':
			b.WriteRune(r)
		case r == '.':
			b.WriteRune(r)
		case r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), ".")
}

// find looks id up in the table, trying SPDX operator suffixes ("-only",
// "-or-later", "+") and the "licenseref-" prefix as well.
func find(id string) (*entry, bool) {
	key := compact(id)
	if key == "" {
		return nil, false
	}
	if e, ok := index[key]; ok {
		return e, true
	}
	key = strings.TrimPrefix(key, "licenseref")
	for _, suffix := range []string{"only", "orlater", "+"} {
		if k, ok := strings.CutSuffix(key, suffix); ok && !strings.HasSuffix(k, "+") {
			key = k
			break
		}
	}
	e, ok := index[key]
	return e, ok
}

// nameAffixes are the words a license_name often adds around an id; they are
// stripped, in compact form, one at a time, when the whole name is not
// known.
var (
	nameSuffixes = []string{"communitylicenseagreement", "licenseagreement", "communitylicense", "termsofuse", "termsandconditions", "license", "licence", "agreement", "terms", "model", "community"}
	namePrefixes = []string{"the", "meta"}
)

// findName looks a license_name up: as an id, then with the usual affixes
// stripped.
func findName(name string) (*entry, bool) {
	key := compact(name)
	if key == "" {
		return nil, false
	}
	for range 4 {
		if e, ok := find(key); ok {
			return e, true
		}
		stripped := key
		for _, p := range namePrefixes {
			stripped = strings.TrimPrefix(stripped, p)
		}
		for _, s := range nameSuffixes {
			if k, ok := strings.CutSuffix(stripped, s); ok && k != "" {
				stripped = k
				break
			}
		}
		if stripped == key || stripped == "" {
			return nil, false
		}
		key = stripped
	}
	return find(key)
}

// ccLink matches a Creative Commons license URL.
var ccLink = regexp.MustCompile(`creativecommons\.org/licenses/([a-z-]+)/([0-9]\.[0-9])`)

// genericSegments are path segments of license links that name no license.
var genericSegments = map[string]bool{
	"": true, "license": true, "licence": true, "licenses": true, "licences": true, "copying": true,
	"terms": true, "main": true, "master": true, "blob": true, "resolve": true, "tree": true, "raw": true,
	"readme": true, "legal": true, "policy": true, "licensemodel": true, "modellicense": true,
}

// findLink recognises a license_link: known license URLs first, then the
// last meaningful path segment as a name ("choosealicense.com/licenses/mit/").
func findLink(link string) (*entry, bool) {
	l := strings.ToLower(strings.TrimSpace(link))
	if l == "" {
		return nil, false
	}
	for _, row := range linkTable {
		if containsAll(l, row.fragments) {
			return find(row.id)
		}
	}
	if m := ccLink.FindStringSubmatch(l); m != nil {
		return find("cc-" + m[1] + "-" + m[2])
	}
	if strings.Contains(l, "creativecommons.org/publicdomain/zero/1.0") {
		return find("cc0-1.0")
	}
	rest := l
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			rest = rest[j+1:]
		} else {
			return nil, false
		}
	}
	rest, _, _ = strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "#")
	segments := strings.Split(rest, "/")
	for i := len(segments) - 1; i >= 0; i-- {
		seg := segments[i]
		for _, ext := range []string{".html", ".htm", ".md", ".txt", ".pdf", ".php"} {
			seg = strings.TrimSuffix(seg, ext)
		}
		if genericSegments[compact(seg)] {
			continue
		}
		return findName(seg)
	}
	return nil, false
}

// containsAll reports whether s contains every one of the fragments.
func containsAll(s string, fragments []string) bool {
	for _, f := range fragments {
		if !strings.Contains(s, f) {
			return false
		}
	}
	return true
}
