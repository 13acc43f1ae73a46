// Package osv is the source of software dependencies and their known
// vulnerabilities. It runs osv-scanner (github.com/google/osv-scanner/v2)
// as a library over the OSV database, online (api.osv.dev) or offline (a
// local copy of the database's per-ecosystem all.zip files).
//
// It collects two kinds of subject:
//
//   - A local folder (Subject.Path set). The lockfiles and manifests that
//     osv-scanner can extract (requirements*.txt, poetry.lock,
//     Pipfile.lock, uv.lock, pdm.lock, package-lock.json, yarn.lock,
//     pnpm-lock.yaml, go.mod, Cargo.lock, Gemfile.lock, ...; not
//     pyproject.toml on its own) at the top level of the folder are read;
//     sub-folders are not walked, so the vendored code or examples of a
//     model repository do not count as its dependencies. Every package found becomes [KindDependency]
//     evidence and a depends_on edge to the package subject (the package's
//     PURL with the version as Revision). Dependencies are never resolved
//     over the network: a requirement without an exact version yields the
//     lowest version its constraint allows, and one with no constraint at
//     all yields a package without a version.
//   - A package (Subject.Kind package, a pkg:pypi, pkg:npm, pkg:golang,
//     pkg:cargo, pkg:gem, pkg:maven, pkg:composer, pkg:nuget, pkg:pub,
//     pkg:hex, pkg:cran or pkg:hackage PURL, with a version as Revision or
//     in the PURL). Every OSV advisory affecting that version becomes
//     [KindVulnerability] evidence.
//
// PyPI package names are compared as PEP 503 normalises them: a
// requirement "Jinja2" matches records naming "jinja2" or "Jinja2". Online,
// api.osv.dev does this. Offline, osv-scanner compares the normalised name
// of the package with the name a record spells, byte for byte, so the
// source matches against a copy of the database's PyPI zip whose names are
// normalised, made once per database version in Options.CacheDir; the
// evidence still cites the database's own zip.
//
// A scan whose vulnerability database cannot be read (the API fails, or the
// offline database lacks an ecosystem) fails: the source never claims that
// a package has no known vulnerability when it could not look.
//
// osv-scanner v2.5.0 has process-wide state: its logger is global and its
// scan takes no context. The source therefore runs one scan at a time in
// the whole process, installs a logger for the duration of each scan to
// see the errors osv-scanner only logs, and runs the scan in a goroutine
// so that Collect returns as soon as its context is done; the abandoned
// scan finishes in the background (at most a few minutes online) and holds
// up the next one until then.
package osv
