package sources

import "testing"

func TestValidCountry(t *testing.T) {
	t.Parallel()
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if ValidCountry(string([]rune{a, b})) {
				n++
			}
		}
	}
	// 249 officially assigned codes plus XK.
	if n != 250 {
		t.Errorf("%d codes are valid, want 250", n)
	}
	for code, want := range map[string]bool{"US": true, "CN": true, "GB": true, "XK": true, "UK": false, "us": false, "U": false, "USA": false, "S ": false, " U": false, "": false} {
		if got := ValidCountry(code); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, want)
		}
	}
}
