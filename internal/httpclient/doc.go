// Package httpclient is the one HTTP client Pedigree's network sources share
// (the Hugging Face Hub, and later OSV and OpenSSF Scorecard). It only issues
// GET requests and returns whole, size-limited bodies, so every caller gets the
// same retries, rate limiting, redirect rules, token hygiene and on-disk cache.
// [Client.GetRange] reads byte ranges of large files through the same layers,
// except the cache.
//
// # Layers
//
// A call to [Client.Get] passes through these layers, outermost first:
//
//  1. Disk cache (optional, [Options.CacheDir]). An entry younger than
//     [Options.CacheTTL] is answered with no request at all. An older entry is
//     revalidated with If-None-Match / If-Modified-Since; a 304 refreshes the
//     entry and serves the stored body.
//  2. Redirects, followed by the client itself one hop at a time, so that each
//     hop is recorded in [Response.Redirects], loops and overlong chains fail
//     with [ErrRedirect], and the bearer token is dropped as soon as a hop
//     leaves [Options.TokenHosts].
//  3. Rate limiter. Before every attempt (first tries and retries alike) the
//     request takes a slot in its host's budget: at most [Options.RateLimit]
//     requests per [Options.RateWindow], tightened by the server's
//     RateLimit-Policy header when that is stricter, and paused until the
//     server's reset time when a RateLimit header reports r=0. A wait longer
//     than [Options.MaxRetryAfter] is not slept: Get fails at once with
//     [ErrRateLimited].
//  4. Retries (github.com/hashicorp/go-retryablehttp): 429, 5xx except 501,
//     connection errors and truncated bodies are retried with exponential
//     backoff and jitter. A server-requested wait (Retry-After on 429 and 503,
//     the RateLimit t= parameter on 429) replaces the backoff, and one longer
//     than MaxRetryAfter gives up at once with ErrRateLimited.
//  5. Transport. Each attempt is bounded by [Options.Timeout], covering the
//     connection, the headers and the whole body; the body is read through a
//     limit of [Options.MaxBodySize] bytes.
//
// # Errors
//
// Every HTTP status comes back as a [Response]. Get returns an error only for
// cancellation of its context (the context's own error, unwrapped), for a
// transport failure that outlived the retries ([ErrTransport], or
// [ErrTimeout] when attempts ran past Options.Timeout), and for [ErrTooLarge],
// [ErrRedirect] and [ErrRateLimited]. A per-attempt timeout is deliberately
// not reported as context.DeadlineExceeded, so callers can tell it from their
// own deadline.
//
// # Secrets
//
// The bearer token is sent only to the hosts listed in Options.TokenHosts. It
// never appears in errors, in log records, or in cache files, and user
// information in URLs is redacted in logs and error messages.
//
// # Concurrency
//
// A Client is safe for concurrent use; rate-limit budgets and statistics are
// shared by all its goroutines. Cache files are written atomically (temporary
// file and rename), so several processes may share one cache directory.
package httpclient
