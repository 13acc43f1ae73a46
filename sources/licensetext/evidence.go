package licensetext

import (
	"strconv"

	"github.com/pedigree-ai/pedigree/sources"
)

// FileNames returns the names of a repository's license files, in order of
// preference, as the sources look for them at the repository's top level
// (compared case-insensitively).
func FileNames() []string {
	return []string{
		"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE-MODEL", "LICENSE-MODEL.md", "LICENSE-MODEL.txt",
		"LICENCE", "LICENCE.md", "LICENCE.txt",
	}
}

// Evidence classifies the license file named file (its path in the
// subject) holding data, and returns the license evidence about subject:
// the recognised license id, or "other" with match "unrecognized" when no
// license is recognised, declared_in "file". The origin is o.
func (c *Classifier) Evidence(subject, file string, data []byte, o sources.Origin) sources.Evidence {
	m := c.Classify(data)
	value, method := m.ID, m.Method
	if value == "" {
		value, method = "other", "unrecognized"
	}
	a := map[string]string{"declared_in": "file", "file": file, "match": method,
		"confidence": strconv.FormatFloat(m.Confidence, 'f', 2, 64)}
	if m.Name != "" {
		a["name"] = m.Name
	}
	return sources.NewEvidence(subject, sources.KindLicense, value, a, o)
}
