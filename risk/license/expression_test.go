package license

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpression(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr      string
		wantID    string
		wantClass Class
		wantKnown bool
		wantObs   []Obligation
		wantName  string // checked when not empty
	}{
		{"Apache-2.0 OR MIT", "Apache-2.0 OR MIT", Permissive, true, []Obligation{ObligationAttribution}, "Apache License 2.0 or MIT License"},
		{"mit or apache-2.0", "MIT OR Apache-2.0", Permissive, true, []Obligation{ObligationAttribution}, ""},
		{"GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0", WeakCopyleft, true, []Obligation{ObligationAttribution, ObligationPassOn, ObligationShareAlike}, "GNU General Public License v2.0 with Classpath-exception-2.0"},
		{"GPL-3.0-only WITH Autoconf-exception-generic-3.0", "GPL-3.0-only WITH Autoconf-exception-generic-3.0", Copyleft, true, []Obligation{ObligationAttribution, ObligationPassOn, ObligationShareAlike}, ""},
		{"(MIT AND CC-BY-4.0)", "MIT AND CC-BY-4.0", Permissive, true, []Obligation{ObligationAttribution}, ""},
		{"MIT AND CC-BY-NC-4.0", "MIT AND CC-BY-NC-4.0", NonCommercial, true, []Obligation{ObligationAttribution, ObligationNonCommercial}, ""},
		{"llama3.1 AND Apache-2.0", "LicenseRef-llama3.1 AND Apache-2.0", Restricted, true, []Obligation{ObligationAcceptableUse, ObligationAttribution, ObligationNaming, ObligationPassOn, ObligationUserCap}, ""},
		{"GPL-2.0+ OR cc-by-nc-4.0", "GPL-2.0-or-later OR CC-BY-NC-4.0", Copyleft, true, []Obligation{ObligationAttribution, ObligationPassOn, ObligationShareAlike}, ""},
		{"CC-BY-NC-4.0 OR CC0-1.0", "CC-BY-NC-4.0 OR CC0-1.0", Permissive, true, nil, ""},
		{"MIT OR Beerware", "MIT OR Beerware", Permissive, true, []Obligation{ObligationAttribution}, ""},
		{"MIT AND Beerware", "MIT AND Beerware", Unknown, false, []Obligation{ObligationAttribution}, ""},
		{"LicenseRef-acme AND MIT", "LicenseRef-acme AND MIT", Unknown, false, []Obligation{ObligationAttribution}, ""},
		{"MIT AND (Apache-2.0 OR GPL-3.0)", "MIT AND (Apache-2.0 OR GPL-3.0)", Permissive, true, []Obligation{ObligationAttribution}, "MIT License and (Apache License 2.0 or GNU General Public License v3.0)"},
		{"MIT OR CC-BY-NC-4.0 AND GPL-3.0", "MIT OR CC-BY-NC-4.0 AND GPL-3.0", Permissive, true, []Obligation{ObligationAttribution}, ""},
		{"openrail++ OR llama2", "LicenseRef-openrail-plus-plus OR LicenseRef-llama2", Restricted, true, []Obligation{ObligationAttribution, ObligationFieldOfUse, ObligationPassOn}, ""},
		{"(mit)", "mit", Permissive, true, []Obligation{ObligationAttribution}, "MIT License"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			got, err := Expression(tc.expr)
			if err != nil {
				t.Fatalf("Expression(%q): %v", tc.expr, err)
			}
			if got.ID != tc.wantID || got.Class != tc.wantClass || got.Known != tc.wantKnown {
				t.Errorf("Expression(%q) = {ID: %q, Class: %q, Known: %v}, want {%q, %q, %v}", tc.expr, got.ID, got.Class, got.Known, tc.wantID, tc.wantClass, tc.wantKnown)
			}
			if diff := cmp.Diff(tc.wantObs, got.Obligations); diff != "" {
				t.Errorf("Expression(%q).Obligations mismatch (-want +got):\n%s", tc.expr, diff)
			}
			if tc.wantName != "" && got.Name != tc.wantName {
				t.Errorf("Expression(%q).Name = %q, want %q", tc.expr, got.Name, tc.wantName)
			}
			if got.Family == "" {
				t.Errorf("Expression(%q) has no family", tc.expr)
			}
			again, err := Expression(got.ID)
			if err != nil || again.ID != got.ID {
				t.Errorf("Expression(%q) = %q, err %v: the normalised id does not resolve to itself", got.ID, again.ID, err)
			}
			if l := Lookup(tc.expr); l.ID != got.ID || l.Class != got.Class {
				t.Errorf("Lookup(%q) = {%q, %q}, want Expression's {%q, %q}", tc.expr, l.ID, l.Class, got.ID, got.Class)
			}
		})
	}
}

func TestExpressionMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, wantIn string }{
		{"", "empty"},
		{"   ", "empty"},
		{"MIT OR", "ends where a license was expected"},
		{"(MIT", "parenthesis is not closed"},
		{"MIT)", `unexpected ")"`},
		{"()", `unexpected ")"`},
		{"MIT AND OR GPL-3.0", "operator OR"},
		{"AND MIT", "operator AND"},
		{"MIT MIT", `unexpected "MIT"`},
		{"foo-bar OR MIT", `unknown license "foo-bar"`},
		{"MIT WITH nope", `unknown SPDX license exception "nope"`},
		{"MIT WITH", "not followed by an exception"},
		{"LicenseRef-llama2 WITH Classpath-exception-2.0", "only after an SPDX license id"},
		{"llama2 WITH Classpath-exception-2.0", "only after an SPDX license id"},
		{strings.Repeat("(", 100) + "MIT" + strings.Repeat(")", 100), "nested deeper"},
		{strings.Repeat("MIT OR ", 1000) + "MIT", "bytes long"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			got, err := Expression(tc.expr)
			if err == nil {
				t.Fatalf("Expression(%q) = %+v, want an error", tc.expr, got)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("Expression(%q) error %q does not contain %q", tc.expr, err, tc.wantIn)
			}
			if l := Lookup(tc.expr); l.Class != Unknown || l.Known {
				t.Errorf("Lookup(%q) = %+v, want unknown", tc.expr, l)
			}
		})
	}
}

func TestExpressionConflict(t *testing.T) {
	t.Parallel()
	anc, err := Expression("GPL-3.0-only OR MIT")
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(anc, Lookup("apache-2.0")); r.Conflict {
		t.Errorf("an ancestor under GPL-3.0 OR MIT may be used under MIT, yet Check reports %q", r.Reason)
	}
	der, err := Expression("MIT OR GPL-3.0-only")
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(Lookup("gpl-3.0"), der); !r.Conflict || !strings.Contains(r.Reason, "MIT OR GPL-3.0-only") {
		t.Errorf("a GPL-3.0 ancestor and a derivative offering MIT: Check = %+v, want a conflict naming the expression", r)
	}
}

func FuzzExpression(f *testing.F) {
	for _, s := range []string{
		"Apache-2.0 OR MIT", "GPL-2.0-or-later WITH Classpath-exception-2.0", "(MIT AND CC-BY-4.0)",
		"llama3.1 AND (apache-2.0 OR mit)", "MIT OR", "((", "LicenseRef-x WITH y", "mit and", "GPL-2.0+",
		"openrail++ or llama2", "DocumentRef-a:LicenseRef-b OR MIT", "\xff AND \x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		info, err := Expression(expr)
		if err != nil {
			if info.ID != "" || info.Class != "" {
				t.Fatalf("Expression(%q) returned %+v with error %v", expr, info, err)
			}
			return
		}
		if info.Class == "" {
			t.Fatalf("Expression(%q) returned no class", expr)
		}
		again, err := Expression(info.ID)
		if err != nil {
			t.Fatalf("Expression(%q) = %q, which does not parse: %v", expr, info.ID, err)
		}
		if again.ID != info.ID || again.Class != info.Class {
			t.Fatalf("Expression(%q) = {%q, %s}, but Expression of that id = {%q, %s}", expr, info.ID, info.Class, again.ID, again.Class)
		}
		r := Check(info, Lookup("mit"))
		if r.Conflict != (r.Reason != "") {
			t.Fatalf("Check returned %+v", r)
		}
	})
}
