package license

import (
	"fmt"
	"slices"
)

// ConflictResult is the outcome of checking a derivative's license against
// its ancestor's.
type ConflictResult struct {
	// Conflict reports that the derivative's license does not keep the
	// ancestor's terms.
	Conflict bool
	// Dropped are the ancestor's obligations the derivative's license does
	// not keep, sorted by value. It may be empty for a conflict that is not
	// about one obligation (a derivative of a no-derivatives license that
	// keeps the ban, a bespoke agreement replaced by another family's).
	Dropped []Obligation
	// Reason is one sentence, without a final period, naming both license
	// ids and the dropped obligations in words. It is empty when there is
	// no conflict.
	Reason string
}

// Check reports whether a derivative licensed under derivative drops or
// loosens the terms of its ancestor's license ancestor.
//
// There is no conflict when either license is of class [Unknown] (what
// cannot be known is reported separately), when both have the same id, or
// when the derivative's license is one the ancestor's names as compatible
// (a later version, a license it allows relicensing to). Otherwise the
// derivative conflicts when:
//   - the ancestor does not allow distributing derivatives at all;
//   - the derivative's license lacks any of the ancestor's obligations: a
//     license that allows commercial use drops [ObligationNonCommercial], a license
//     without an acceptable-use policy drops [ObligationAcceptableUse], and so on. A
//     user cap is kept by a cap of the same unit no higher than the
//     ancestor's, or by a ban on commercial use; share-alike is kept only by
//     a license the ancestor's allows relicensing to (the same license, a
//     compatible one, or a member of an interchangeable family such as Open
//     RAIL);
//   - the ancestor is [Restricted] and the derivative declares a license of
//     another family: bespoke model agreements bind derivatives to their own
//     terms.
func Check(ancestor, derivative Info) ConflictResult {
	a, d := ancestor, derivative
	if a.Class == Unknown || d.Class == Unknown || a.Class == "" || d.Class == "" {
		return ConflictResult{}
	}
	if a.ID == d.ID || slices.Contains(compatible[a.ID], d.ID) {
		return ConflictResult{}
	}
	sameFamily := a.Family != "" && a.Family == d.Family
	var dropped []Obligation
	for _, o := range a.Obligations {
		if !keeps(a, d, o, sameFamily) {
			dropped = append(dropped, o)
		}
	}
	dropped = normalizeObligations(dropped)
	if len(dropped) == 0 {
		dropped = nil
	}
	var reason string
	switch {
	case a.Has(ObligationNoDerivatives):
		reason = fmt.Sprintf("ancestor license %s does not allow distributing derivatives, yet the derivative is distributed under %s", a.ID, d.ID)
		if rest := slices.DeleteFunc(slices.Clone(dropped), func(o Obligation) bool { return o == ObligationNoDerivatives }); len(rest) > 0 {
			reason += ", which also drops " + describeAll(a, rest)
		}
	case len(dropped) > 0:
		reason = fmt.Sprintf("the derivative's license %s drops %s of its ancestor's license %s", d.ID, describeAll(a, dropped), a.ID)
		if a.Class == Restricted && !sameFamily {
			reason += ", whose agreement binds derivatives to its own terms"
		}
	case a.Class == Restricted && !sameFamily:
		reason = fmt.Sprintf("ancestor license %s binds derivatives to its own terms, but the derivative declares %s of a different family", a.ID, d.ID)
	default:
		return ConflictResult{}
	}
	return ConflictResult{Conflict: true, Dropped: dropped, Reason: reason}
}

// keeps reports whether the derivative's license d keeps obligation o of the
// ancestor's license a.
func keeps(a, d Info, o Obligation, sameFamily bool) bool {
	switch o {
	case ObligationUserCap:
		if d.Has(ObligationNonCommercial) {
			return true // a cap on commercial use is moot when there is none
		}
		if !d.Has(ObligationUserCap) {
			return false
		}
		if a.UserCap == 0 {
			return true
		}
		return d.UserCapUnit == a.UserCapUnit && d.UserCap > 0 && d.UserCap <= a.UserCap
	case ObligationShareAlike:
		// The ancestor's terms, not merely some share-alike terms, must
		// travel: only the same license, a compatible one (checked by the
		// caller) or an interchangeable family keeps them.
		return d.Has(ObligationShareAlike) && sameFamily && interchangeable[a.Family]
	}
	return d.Has(o)
}

// Conflict reports whether a derivative whose license is derivative drops or
// loosens the terms of its ancestor's license ancestor, and explains why in
// one sentence naming both ids. It is [Check] without the dropped
// obligations: Conflict returns false and "" when there is no conflict, and
// whenever either license is of class [Unknown].
func Conflict(ancestor, derivative Info) (bool, string) {
	r := Check(ancestor, derivative)
	return r.Conflict, r.Reason
}
