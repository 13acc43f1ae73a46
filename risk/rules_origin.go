package risk

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// publisherFacts is what the sources say about who publishes a node.
type publisherFacts struct {
	// account is the publishing account (the Hub owner), "" when none.
	account string
	// known is the catalog's entry for the account, when it lists it.
	known *sources.Evidence
	// unlisted is the catalog's word that it does not list the account.
	unlisted *sources.Evidence
	// hub is the Hub's record of the author.
	hub *sources.Evidence
}

// publisherOfNode gathers the publisher evidence of n.
func publisherOfNode(n *Node) publisherFacts {
	var f publisherFacts
	if id, ok := n.Subject.HubID(); ok {
		if owner, _, found := strings.Cut(id, "/"); found {
			f.account = owner
		}
	}
	for _, e := range n.Find(sources.KindPublisher) {
		switch e.Attr("declared_in") {
		case "knowledge":
			if e.Attr("type") == "unlisted" {
				f.unlisted = &e
			} else if f.known == nil {
				f.known = &e
			}
		case "hub":
			if f.hub == nil {
				f.hub = &e
			}
		}
		if f.account == "" {
			f.account = e.Value
		}
	}
	return f
}

// describe names the publisher: "Meta Platforms, Inc. (meta-llama, US,
// company)".
func (f publisherFacts) describe() string {
	if f.known == nil {
		return f.account
	}
	e := f.known
	var parts []string
	if f.account != "" {
		parts = append(parts, f.account)
	}
	if c := e.Attr("country"); c != "" {
		parts = append(parts, c)
	}
	if t := e.Attr("type"); t != "" {
		parts = append(parts, t)
	}
	name := e.Attr("name")
	if name == "" {
		name = f.account
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(parts, ", "))
}

// ids returns the evidence IDs behind the facts.
func (f publisherFacts) ids() []string {
	var out []string
	for _, e := range []*sources.Evidence{f.known, f.unlisted, f.hub} {
		if e != nil {
			out = append(out, e.ID)
		}
	}
	return out
}

// checkOriginJurisdiction is the check of origin-jurisdiction.
func checkOriginJurisdiction(in *Input, n *Node) []Result {
	f := publisherOfNode(n)
	if f.account != "" && in.Policy.Trusted(f.account) {
		return []Result{{Outcome: OutcomePass, Evidence: f.ids(),
			Message: fmt.Sprintf("%s is published by %s, a publisher the policy trusts", ref(n), f.account)}}
	}
	country := ""
	if f.known != nil {
		country = strings.ToUpper(f.known.Attr("country"))
	}
	switch {
	case country == "" && f.account == "":
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("the publisher of %s is not known, so neither is its jurisdiction", ref(n))}}
	case country == "":
		return []Result{{Outcome: OutcomeUnknown, Evidence: f.ids(),
			Message: fmt.Sprintf("%s is published by %s, whose country the publisher catalog does not record", ref(n), f.account)}}
	case in.Policy.Concern(country):
		return []Result{{Outcome: OutcomeFail, Evidence: f.ids(),
			Message: fmt.Sprintf("%s is published by %s, in %s, a jurisdiction the policy lists", ref(n), f.describe(), countryName(country))}}
	}
	return []Result{{Outcome: OutcomePass, Evidence: f.ids(),
		Message: fmt.Sprintf("%s is published by %s, in %s, not a jurisdiction the policy lists", ref(n), f.describe(), countryName(country))}}
}

// Thresholds of origin-unknown-publisher's weighing.
const (
	reputableDownloads = 10_000
	obscureDownloads   = 1_000
	newRepository      = 90 * 24 * time.Hour
)

// checkOriginUnknownPublisher is the check of origin-unknown-publisher.
func checkOriginUnknownPublisher(in *Input, n *Node) []Result {
	f := publisherOfNode(n)
	if f.account == "" {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("no source says who publishes %s", ref(n))}}
	}
	if in.Policy.Trusted(f.account) {
		return []Result{{Outcome: OutcomePass, Evidence: f.ids(),
			Message: fmt.Sprintf("%s is published by %s, a publisher the policy trusts", ref(n), f.account)}}
	}
	if f.known != nil && f.known.Attr("type") != "individual" {
		return []Result{{Outcome: OutcomePass, Evidence: f.ids(),
			Message: fmt.Sprintf("%s is published by a known %s: %s", ref(n), f.known.Attr("type"), f.describe())}}
	}
	if f.known == nil && f.unlisted == nil && f.hub == nil {
		return []Result{{Outcome: OutcomeUnknown,
			Message: fmt.Sprintf("no publisher facts were collected for %s (account %s)", ref(n), f.account)}}
	}

	// Weigh the account by what the Hub records.
	var signals, ids []string
	ids = f.ids()
	org := f.hub != nil && (f.hub.Attr("type") == "org" || f.hub.Attr("verified") == "true")
	if org {
		signals = append(signals, "the Hub lists it as an organization")
	}
	downloads, haveDownloads := repoInt(n, "downloads", &ids)
	if haveDownloads {
		signals = append(signals, fmt.Sprintf("%d downloads", downloads))
	}
	created, haveCreated := repoTime(n, "created_at", &ids)
	young := haveCreated && in.Now.Sub(created) < newRepository
	if haveCreated {
		signals = append(signals, "created "+created.Format("2006-01-02"))
	}
	sev := Severity("")
	switch {
	case org || haveDownloads && downloads >= reputableDownloads:
		sev = SeverityLow
	case young && haveDownloads && downloads < obscureDownloads:
		sev = SeverityHigh
	}
	who := fmt.Sprintf("%s, an account the publisher catalog does not list", f.account)
	if f.known != nil {
		who = fmt.Sprintf("%s, an individual", f.describe())
	}
	msg := fmt.Sprintf("%s is published by %s", ref(n), who)
	if len(signals) > 0 {
		msg += " (" + strings.Join(signals, ", ") + ")"
	}
	return []Result{{Outcome: OutcomeFail, Evidence: ids, Severity: sev, Message: msg}}
}

// repoInt returns the integer repo fact field of n, adding its evidence ID.
func repoInt(n *Node, field string, ids *[]string) (int64, bool) {
	for _, e := range n.Find(sources.KindRepo) {
		if e.Attr("field") == field {
			if v, err := strconv.ParseInt(e.Value, 10, 64); err == nil {
				*ids = append(*ids, e.ID)
				return v, true
			}
		}
	}
	return 0, false
}

// repoTime returns the time repo fact field of n, adding its evidence ID.
func repoTime(n *Node, field string, ids *[]string) (time.Time, bool) {
	for _, e := range n.Find(sources.KindRepo) {
		if e.Attr("field") == field {
			if t, err := time.Parse(time.RFC3339, e.Value); err == nil {
				*ids = append(*ids, e.ID)
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// checkOriginReupload is the check of origin-reupload.
func checkOriginReupload(in *Input, n *Node) []Result {
	if n.Subject.Local() || n.Subject.Kind != sources.SubjectModel {
		return []Result{{Outcome: OutcomeNotApplicable,
			Message: fmt.Sprintf("%s is not a Hub model; origin-reupload compares Hub repository names", ref(n))}}
	}
	f := publisherOfNode(n)
	matches := n.Find(sources.KindNameMatch)
	if len(matches) == 0 {
		if f.known == nil && f.unlisted == nil {
			return []Result{{Outcome: OutcomeUnknown,
				Message: fmt.Sprintf("no publisher facts were collected for %s, so whether its name is another publisher's is unknown", ref(n))}}
		}
		return []Result{{Outcome: OutcomePass, Evidence: f.ids(),
			Message: fmt.Sprintf("the name of %s matches no other known publisher's models", ref(n))}}
	}
	m := matches[0]
	owner := fmt.Sprintf("%s (%s)", m.Attr("name"), m.Value)
	if bases := in.Graph.Bases(n.ID); len(bases) > 0 {
		var declared []Edge
		for _, e := range bases {
			if e.Declared {
				declared = append(declared, e)
			}
		}
		if len(declared) > 0 {
			names := make([]string, len(declared))
			for i, e := range declared {
				names[i] = nodeRef(in.Graph, e.To)
			}
			return []Result{{Outcome: OutcomePass, Evidence: mergeIDs(evidenceIDs(m), edgeEvidence(declared...)),
				Message: fmt.Sprintf("%s carries the naming of %s's models (%s) and declares its base: %s", ref(n), owner, m.Attr("pattern"), strings.Join(names, ", "))}}
		}
	}
	if in.Policy.Trusted(f.account) {
		return []Result{{Outcome: OutcomePass, Evidence: append(evidenceIDs(m), f.ids()...),
			Message: fmt.Sprintf("%s carries the naming of %s's models (%s) and is published by %s, a publisher the policy trusts", ref(n), owner, m.Attr("pattern"), f.account)}}
	}
	return []Result{{Outcome: OutcomeFail, Evidence: append(evidenceIDs(m), f.ids()...),
		Message: fmt.Sprintf("%s carries the naming of %s's models (%s) but is published by %s and declares no base model", ref(n), owner, m.Attr("pattern"), f.account)}}
}

// countryName names a country code for messages: "China (CN)".
func countryName(code string) string {
	if name, ok := countryNames[code]; ok {
		return name + " (" + code + ")"
	}
	return code
}

// countryNames are the names of the countries messages most often name.
var countryNames = map[string]string{
	"CN": "China", "HK": "Hong Kong", "MO": "Macau", "CU": "Cuba", "IR": "Iran", "KP": "North Korea",
	"RU": "Russia", "VE": "Venezuela", "US": "the United States", "FR": "France", "GB": "the United Kingdom",
	"DE": "Germany", "CA": "Canada", "AE": "the United Arab Emirates", "KR": "South Korea", "JP": "Japan",
	"IL": "Israel", "IN": "India", "CH": "Switzerland", "SG": "Singapore", "NL": "the Netherlands",
	"SE": "Sweden", "FI": "Finland", "ES": "Spain", "IT": "Italy", "PL": "Poland", "TW": "Taiwan",
	"SA": "Saudi Arabia", "AU": "Australia", "BR": "Brazil", "VN": "Vietnam", "TH": "Thailand",
	"ID": "Indonesia", "TR": "Turkey", "UA": "Ukraine", "RO": "Romania", "BE": "Belgium",
}
