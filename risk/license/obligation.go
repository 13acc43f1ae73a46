package license

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Obligation is one duty or limit a license places on those who use or
// redistribute the licensed work. The string values are report contracts.
type Obligation string

// The obligations.
const (
	// ObligationAttribution: keep notices or give credit.
	ObligationAttribution Obligation = "attribution"
	// ObligationShareAlike: derivatives must be distributed under the same terms.
	ObligationShareAlike Obligation = "share_alike"
	// ObligationNaming: derivatives or products must carry a name or notice, such as
	// "Built with Llama" or a model name starting with "Llama".
	ObligationNaming Obligation = "naming"
	// ObligationAcceptableUse: an acceptable-use or prohibited-use policy binds users.
	ObligationAcceptableUse Obligation = "acceptable_use"
	// ObligationUserCap: a cap on monthly active users or revenue above which a
	// separate license is needed (see [Info.UserCap]).
	ObligationUserCap Obligation = "user_cap"
	// ObligationFieldOfUse: use-based restrictions written into the license, such as
	// the Open RAIL Attachment A or a ban on improving other models.
	ObligationFieldOfUse Obligation = "field_of_use"
	// ObligationPassOn: the license, or its use restrictions, must be passed on to
	// recipients of the work and of its derivatives.
	ObligationPassOn Obligation = "pass_on"
	// ObligationNonCommercial: no commercial use.
	ObligationNonCommercial Obligation = "non_commercial"
	// ObligationResearchOnly: research (or evaluation) use only.
	ObligationResearchOnly Obligation = "research_only"
	// ObligationNoDerivatives: modified versions may not be distributed.
	ObligationNoDerivatives Obligation = "no_derivatives"
)

// Obligations lists every obligation, in the order of their declaration.
func Obligations() []Obligation {
	return []Obligation{ObligationAttribution, ObligationShareAlike, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn,
		ObligationNonCommercial, ObligationResearchOnly, ObligationNoDerivatives}
}

// useRestrictions are the obligations that restrict how a work may be used,
// beyond attribution and copyleft terms.
var useRestrictions = []Obligation{ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse}

// CapUnit is what a license's user cap counts.
type CapUnit string

// The units of user caps.
const (
	// MonthlyActiveUsers counts the monthly active users of the licensee's
	// products or services (Llama, Qwen).
	MonthlyActiveUsers CapUnit = "monthly_active_users"
	// DailyActiveUsers counts daily active users (Baichuan 2).
	DailyActiveUsers CapUnit = "daily_active_users"
	// AnnualRevenueUSD is the licensee's annual revenue in US dollars
	// (Stability AI Community, Jamba).
	AnnualRevenueUSD CapUnit = "annual_revenue_usd"
)

// Has reports whether the license carries obligation o.
func (i Info) Has(o Obligation) bool { return slices.Contains(i.Obligations, o) }

// Describe returns a short phrase naming obligation o for use in messages,
// such as "the acceptable-use policy". An unknown obligation is described by
// its value.
func Describe(o Obligation) string {
	switch o {
	case ObligationAttribution:
		return "the attribution duty"
	case ObligationShareAlike:
		return "the share-alike duty"
	case ObligationNaming:
		return "the naming duty"
	case ObligationAcceptableUse:
		return "the acceptable-use policy"
	case ObligationUserCap:
		return "the user cap"
	case ObligationFieldOfUse:
		return "the field-of-use restrictions"
	case ObligationPassOn:
		return "the duty to pass the license on to recipients"
	case ObligationNonCommercial:
		return "the ban on commercial use"
	case ObligationResearchOnly:
		return "the research-only limit"
	case ObligationNoDerivatives:
		return "the ban on distributing derivatives"
	}
	return fmt.Sprintf("the %q obligation", string(o))
}

// Describe returns a short phrase naming obligation o of this license, with
// the license's own details where it has them: "the 'Built with Llama'
// naming duty", "the 700M monthly-active-user cap". Otherwise it is
// [Describe](o).
func (i Info) Describe(o Obligation) string {
	switch {
	case o == ObligationNaming && i.NamingNotice != "":
		return "the '" + i.NamingNotice + "' naming duty"
	case o == ObligationUserCap && i.UserCap > 0:
		switch i.UserCapUnit {
		case MonthlyActiveUsers:
			return "the " + shortNumber(i.UserCap) + " monthly-active-user cap"
		case DailyActiveUsers:
			return "the " + shortNumber(i.UserCap) + " daily-active-user cap"
		case AnnualRevenueUSD:
			return "the $" + shortNumber(i.UserCap) + " annual-revenue cap"
		}
		return "the user cap of " + shortNumber(i.UserCap)
	}
	return Describe(o)
}

// shortNumber writes n with a K, M or B suffix when it is a round multiple.
func shortNumber(n int64) string {
	for _, u := range []struct {
		div    int64
		suffix string
	}{{1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "K"}} {
		if n >= u.div && n%u.div == 0 {
			return strconv.FormatInt(n/u.div, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// describeAll describes obligations of i in words, joined as a list: "a, b
// and c".
func describeAll(i Info, obs []Obligation) string {
	words := make([]string, len(obs))
	for k, o := range obs {
		words[k] = i.Describe(o)
	}
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// normalizeObligations sorts obligations by value and removes duplicates.
func normalizeObligations(obs []Obligation) []Obligation {
	out := slices.Clone(obs)
	slices.Sort(out)
	return slices.Compact(out)
}

// derive sets the boolean summaries of i (Commercial, UseRestrictions,
// NoDerivatives, Attribution, ShareAlike) from its class and obligations,
// and sorts the obligations.
func derive(i Info) Info {
	i.Obligations = normalizeObligations(i.Obligations)
	if len(i.Obligations) == 0 {
		i.Obligations = nil
	}
	i.Attribution = i.Has(ObligationAttribution)
	i.ShareAlike = i.Has(ObligationShareAlike)
	i.NoDerivatives = i.Has(ObligationNoDerivatives)
	i.UseRestrictions = slices.ContainsFunc(useRestrictions, i.Has)
	i.Commercial = i.Class != Unknown && i.Class != "" && i.Class != Proprietary &&
		!i.Has(ObligationNonCommercial) && !i.Has(ObligationResearchOnly)
	return i
}
