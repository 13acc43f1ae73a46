package license

import (
	"fmt"
	"slices"
)

// Conflict reports whether a derivative whose license is derivative drops or
// loosens the terms of its ancestor's license ancestor, and explains why in
// one sentence naming both ids. It checks, in order: derivatives of a license
// that allows none; commercial use allowed where the ancestor forbids it;
// use restrictions dropped; a restricted model relicensed under another
// family's agreement; share-alike terms not kept (a different license that is
// neither a later version or compatible license the ancestor names, nor a
// member of an interchangeable family such as Open RAIL); attribution
// dropped. The same id, or a license keeping every term of the ancestor's,
// is no conflict. A license of class [Unknown] on either side is never a
// conflict: Conflict returns false and "".
func Conflict(ancestor, derivative Info) (bool, string) {
	a, d := ancestor, derivative
	if a.Class == Unknown || d.Class == Unknown || a.Class == "" || d.Class == "" {
		return false, ""
	}
	if a.ID == d.ID || slices.Contains(compatible[a.ID], d.ID) {
		return false, ""
	}
	sameFamily := a.Family != "" && a.Family == d.Family
	switch {
	case a.NoDerivatives:
		return true, fmt.Sprintf("ancestor license %s does not allow distributing derivatives, yet the derivative is distributed under %s", a.ID, d.ID)
	case !a.Commercial && d.Commercial:
		return true, fmt.Sprintf("ancestor license %s forbids commercial use but the derivative's license %s allows it", a.ID, d.ID)
	case a.UseRestrictions && !d.UseRestrictions:
		return true, fmt.Sprintf("ancestor license %s imposes use restrictions that the derivative's license %s drops", a.ID, d.ID)
	case a.Class == Restricted && !sameFamily:
		return true, fmt.Sprintf("ancestor license %s binds derivatives to its own terms, but the derivative declares %s of a different family", a.ID, d.ID)
	case a.ShareAlike && !d.ShareAlike:
		return true, fmt.Sprintf("ancestor license %s requires derivatives to keep its terms (share-alike), but the derivative's license %s does not", a.ID, d.ID)
	case a.ShareAlike && !(sameFamily && interchangeable[a.Family]):
		return true, fmt.Sprintf("ancestor license %s requires derivatives to stay under its own terms, but the derivative declares %s", a.ID, d.ID)
	case a.Attribution && !d.Attribution:
		return true, fmt.Sprintf("ancestor license %s requires attribution that the derivative's license %s drops", a.ID, d.ID)
	}
	return false, ""
}
