// Package batch is the library core of 'pedigree batch': assessing a catalog
// of thousands of subjects, resumably, possibly split across machines, and
// summarizing the outcome.
//
// # State
//
// A [Store] is the resumable state of a run: an SQLite database file that
// keeps one [Record] per catalog entry, keyed by the entry's reference as
// given. Every [Store.Put] is its own durable transaction, so a run killed
// at any moment resumes where it stopped, losing at most the entry being
// written. [Store.Statuses] tells a new run which entries are already done
// or failed; [RecordOf] turns a report into the record to store.
//
// # Shards
//
// A catalog too large for one machine is split with [ShardOf]: shard I of N
// assesses the entries whose key hashes to I ([ParseShard] reads "I/N").
// The hash is part of the contract and never changes between versions, so
// shards run by different versions of pedigree still partition the catalog.
//
// # Outputs
//
// [Export] writes the stored reports of a catalog in catalog order as JSON
// Lines. [Merge] joins the JSON Lines outputs of shard runs into the output
// one unsharded run would have written, reporting gaps, conflicts and
// extra reports rather than deciding for the caller.
//
// # Summary
//
// A [Summary] accumulates reports one at a time (levels, rules, the riskiest
// entries, the ancestors carrying the most inherited risk) and
// [WriteSummary] renders it as an aligned table, CSV, Markdown or HTML.
//
// docs/batch-internals.md records the state schema, the durability choices,
// the shard hash, the merge rules and the summary definitions.
package batch
