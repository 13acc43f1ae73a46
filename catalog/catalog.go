// Package catalog reads lists of subjects to assess.
//
// A catalog is a document that names many subjects: a list of references,
// one a line ([ReadText]); a CSV file with a "ref" column ([ReadCSV]); JSON
// Lines of {"ref": ...} objects ([ReadJSONL]); or a CycloneDX BOM
// ([ReadCycloneDX]), whose machine-learning-model and data components
// become entries. [Read] tells the format by the content and name. Each
// [Entry] carries a reference that sources.ParseRef accepts, where in the
// catalog it was found, and labels to carry into the outputs. An entry
// that cannot be turned into a reference carries an error instead, and
// the other entries proceed; so does an entry naming a subject an earlier
// entry named, so that a batch assesses every subject once.
//
// A catalog can also be a query of the Hugging Face Hub's model listing,
// written hf-search:KEY=VALUE&... ([ParseHubSearch]); the Hub source lists
// its models.
package catalog

import "fmt"

// Entry is one subject of a catalog.
type Entry struct {
	Ref    string            // a reference sources.ParseRef accepts (hf:owner/name[@rev], a purl, a path)
	Where  string            // where in the catalog: "components[3] (bom-ref x)" or "line 12"
	Labels map[string]string // carried into outputs (e.g. bom-ref, component name); nil when none
	Err    error             // set when the entry could not be turned into a reference; the rest proceed
}

// EntryError is the error of an entry that could not be turned into a
// reference.
type EntryError struct {
	File   string // the catalog's name
	Where  string // the entry's position, as Entry.Where
	Reason string // what is wrong and what to add
}

func (e *EntryError) Error() string { return fmt.Sprintf("%s: %s: %s", e.File, e.Where, e.Reason) }
