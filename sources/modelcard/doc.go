// Package modelcard parses the metadata files of a Hugging Face style model
// or dataset repository and turns them into evidence and lineage edges.
//
// It is the one parser of these files for every source: the local folder
// source and the Hugging Face Hub source read the same files, from disk and
// over HTTP, and hand the bytes here. The package works on bytes only and
// knows nothing of where they came from.
//
// # Files
//
//   - [ParseCard]: README.md, YAML front matter and Markdown body.
//   - [ParseConfig]: config.json (architectures, _name_or_path, auto_map,
//     quantization_config).
//   - [ParseAdapterConfig]: a PEFT adapter_config.json.
//   - [ParseMergeConfig]: a mergekit configuration.
//
// Parsers are lenient about types (a list where a value is usual, numbers
// where text is) because real repositories are messy, and strict about
// syntax: a file that does not parse gives a [*SyntaxError] naming the line
// (and for JSON the column), such as
//
//	README.md:7: yaml: mapping values are not allowed in this context
//
// # Lineage
//
// [InferRelation] is the one place that decides how a subject derives from
// its base models, from the card's declaration and the files. [Emit] turns
// parsed files into [sources.Evidence] and [sources.Edge] values: card base
// models are declared edges, bases that only adapter_config.json, a mergekit
// configuration or config.json's _name_or_path name are undeclared edges,
// and declared datasets are trained_on edges. The declared relation is kept
// in the declared_relation attribute of the card's base_model evidence, so
// that rules can compare it with the relation of the edge.
package modelcard
