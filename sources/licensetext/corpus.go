package licensetext

import (
	"strings"

	"github.com/google/licenseclassifier/v2/assets"
)

// hubIDs maps the lower-cased SPDX names of the licenseclassifier corpus to
// the Hugging Face Hub ids where the two differ. Every other name is used
// lower-cased, which for the common licenses is the Hub id ("Apache-2.0" is
// "apache-2.0").
var hubIDs = map[string]string{
	"odbl-1.0":   "odbl",
	"odc-by-1.0": "odc-by",
	"pddl-1.0":   "pddl",
	"lgpllr":     "lgpl-lr",
	"gfdl-1.1":   "gfdl",
	"gfdl-1.2":   "gfdl",
	"gfdl-1.3":   "gfdl",
	"c-uda-1.0":  "c-uda",
}

// corpusMatchTypes are the licenseclassifier match types that identify a
// license: its full text, or the standard notice that applies it.
var corpusMatchTypes = map[string]bool{"License": true, "Header": true}

// matchCorpus classifies data with the licenseclassifier corpus, loading the
// corpus on first use. It returns the most confident license match, or the
// zero Match.
func (c *Classifier) matchCorpus(data []byte) Match {
	c.once.Do(func() {
		c.lc, c.initErr = assets.DefaultClassifier()
	})
	if c.initErr != nil || c.lc == nil {
		return Match{}
	}
	var best Match
	for _, m := range c.lc.Match(data).Matches {
		if !corpusMatchTypes[m.MatchType] || m.Confidence <= best.Confidence {
			continue
		}
		best = Match{ID: hubID(m.Name), Name: m.Name, Confidence: m.Confidence, Method: MethodClassifier}
	}
	return best
}

// hubID returns the Hub id of a licenseclassifier license name.
func hubID(spdx string) string {
	id := strings.ToLower(spdx)
	if h, ok := hubIDs[id]; ok {
		return h
	}
	return id
}
