// Package checkout runs OpenSSF Scorecard's checks in process over a local
// checkout of a code repository, for repositories the Scorecard project
// publishes no result for, or for code that is not published at all.
//
// A [Checkout] is a folder given by the user (pedigree's --scorecard-local
// DIR). When its Git configuration names a GitHub remote "origin", the
// checkout stands for that repository (pkg:github/OWNER/REPO), so a model
// whose card links the repository gets the local result; otherwise it is a
// local repository subject (file:///DIR). The [Source] serves those
// subjects and emits the same [sources.KindScorecard] evidence as the REST
// source in package scorecard (the aggregate, then one per check), so the
// repo-scorecard-low rule reads both alike. The [Linker] links the assessed
// subjects to their checkouts with code_repository edges.
//
// Only Scorecard's file-based checks can run on a folder: Binary-Artifacts,
// Dangerous-Workflow, Dependency-Update-Tool, License, Packaging,
// Pinned-Dependencies, SAST, Security-Policy and Token-Permissions
// ([FileChecks]), plus Fuzzing when an OSS-Fuzz project list is reachable
// ([Options].OSSFuzzStatusURL). Scorecard's Vulnerabilities check is not
// run: it would query api.osv.dev through osv-scanner v1, outside pedigree's
// HTTP client and never offline; pedigree's osv source reads the same
// manifests of the checkout instead, for the dependency-vulnerable rule.
// The aggregate is Scorecard's own risk-weighted mean over the checks run,
// so it is not comparable with a published result's aggregate over all 18
// checks; evidence says which checks ran.
package checkout
