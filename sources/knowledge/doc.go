// Package knowledge holds Pedigree's curated facts about the organizations
// and people that publish models and datasets on the Hugging Face Hub: for
// each Hub account, the legal entity behind it, the country of its seat, its
// type (company, academic, nonprofit, government, community or individual),
// a public source of these facts and the naming of its own base-model
// families.
//
// # Catalog
//
// The built-in catalog is publishers.yaml, embedded in the package and
// returned by [Default]. Users add or correct entries with a file of the
// same format ([Load]), merged over the built-in one with [Catalog.Merge].
// docs/publishers.md describes the format and lists every entry.
//
// A [Catalog] answers two questions: who holds an account ([Catalog.Lookup])
// and whose naming a repository name follows ([Catalog.MatchModel]:
// "Llama-2-7b-chat-hf" is Meta's). Catalogs are read-only and safe for
// concurrent use.
//
// # Source
//
// [Source] turns the catalog into evidence for the risk engine: a
// [sources.KindPublisher] fact for the owner of every Hub model and dataset
// (type "unlisted" when the catalog does not know it) and a
// [sources.KindNameMatch] fact when a model's name follows another
// publisher's naming. The origin of each fact is the catalog file it came
// from (its Locator and digest), so a report says which version of the
// catalog it used. The source does no I/O and never fails for a supported
// subject.
package knowledge
