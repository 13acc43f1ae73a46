// Package sources is the contract between Pedigree's risk engine and the
// places lineage evidence comes from: the Hugging Face Hub, local model
// folders, vulnerability databases and so on.
//
// Most code should use package risk, which walks a lineage with a set of
// sources and turns their evidence into findings and a score. This package is
// for source authors, and for embedders that want to add a source of their own.
//
// # Subjects
//
// A [Subject] is a model, dataset, software package or code repository. It is
// identified by a Package URL (pkg:huggingface/OWNER/NAME) or, for a folder on
// disk, by a file:// URL. [ParseRef] turns the references users type into
// subjects.
//
// # Observations
//
// A [Source] reads what it knows about a subject and returns an [Observation]:
// typed facts ([Evidence]) and lineage links ([Edge]). Every piece of evidence
// and every edge carries an [Origin]: the source that read it, the URL or path
// it was read from, the digest of the bytes read and when. Evidence is data:
// a source never decides whether a fact is risky, the rules in package risk do.
//
// # Errors
//
// A source classifies its failures by wrapping one of the sentinel errors
// ([ErrNotFound], [ErrUnauthorized], [ErrRateLimited], [ErrOffline],
// [ErrUnsupported]) in an [*Error]. A context cancellation is returned as is.
// The engine records the category as the subject's source status and the rules
// that needed the data report the outcome unknown.
//
// A subject's own broken files (a malformed config.json, YAML front matter
// that does not parse) are not errors of the source: they are evidence of kind
// [KindFileError], so that the rules depending on that file can report the
// outcome error while everything else about the subject is still assessed.
package sources
