package risk

import "flag"

// update makes tests that compare output with a checked-in file rewrite the
// file instead: go test ./risk -run TestRulesDocFresh -update.
var update = flag.Bool("update", false, "rewrite generated files and goldens instead of comparing with them")
