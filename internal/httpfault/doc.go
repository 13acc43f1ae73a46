// Package httpfault injects HTTP faults into test servers: each [Fault] is
// a middleware that wraps a real handler (a fake Hugging Face Hub, a fake
// OSV or Scorecard API) and spoils some of its answers the way networks and
// servers do in practice: requests that hang past the client's timeout,
// connections reset before the headers or in the middle of a body, storms
// of 429 Too Many Requests with or without Retry-After, 500/502/503 errors,
// bodies cut short (a Content-Length larger than what is sent, or a JSON
// document cut in half under a matching Content-Length), an HTML login page
// answered with 200 where data was expected (a captive portal), and bodies
// trickled slower than any client waits for (slow loris).
//
// [All] returns the whole table, so that a test can run every fault against
// every HTTP source:
//
//	for _, f := range httpfault.All(httpfault.Options{}) {
//		srv := httptest.NewServer(f.Wrap(realHandler))
//		// ... collect through srv, compare with a clean run ...
//	}
//
// A fault is either transient ([Fault.Transient]: each URL is spoiled for
// its first [Options.Failures] requests, then answered as the real handler
// answers, so a client that retries that often recovers) or permanent
// (every request it applies to is spoiled). [EveryNth] and [Only] restrict
// a fault to every Nth request or to the requests one predicate selects, so
// that a run mixes good and bad answers.
//
// Faults are deterministic: no randomness, counters per URL in arrival
// order. Every fault handler returns when the client goes away (or after
// [Options.Stall] at most), so closing the test server never hangs. Each
// call of Wrap starts with fresh counters.
package httpfault
