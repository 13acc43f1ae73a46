// Package scorecard reads published OpenSSF Scorecard results for code
// repositories from the Scorecard REST API
// (GET https://api.securityscorecards.dev/projects/github.com/OWNER/REPO).
//
// The [Source] serves repository subjects (pkg:github/OWNER/REPO). It emits
// one [sources.KindScorecard] evidence for the aggregate score and one per check,
// every one citing the API URL and the digest of the body read. A
// repository the Scorecard project does not score (it scores a weekly list
// of popular repositories) answers 404, which Collect reports as
// [sources.ErrNotFound]: the rules that need a score then report unknown,
// and the remedy is to run scorecard against the repository yourself.
//
// [RepoLinks] finds the code repositories a model card or configuration
// file links to, so that a model's code_repository edges can be followed to
// this source.
//
// The package reads JSON only; it does not import the scorecard module.
package scorecard
