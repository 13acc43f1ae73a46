package knowledge

import "github.com/pedigree-ai/pedigree/sources"

// commonCountryMistakes maps codes people often write for a country to the
// assigned ISO 3166-1 alpha-2 code.
var commonCountryMistakes = map[string]string{
	"UK": "GB", // the United Kingdom's code is GB
	"EL": "GR", // Greece in EU usage
	"EN": "GB",
}

// validCountry reports whether code is an ISO 3166-1 alpha-2 code, in
// upper case ([sources.ValidCountry]).
func validCountry(code string) bool { return sources.ValidCountry(code) }
