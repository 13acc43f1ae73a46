package httpclient

import (
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// StandardClient returns an *http.Client for libraries that make their own
// requests (osv-scanner's API calls): every request, of any method, goes
// through the client's rate limit per host, retries with backoff on 429,
// 5xx and connection errors (Retry-After and the RateLimit headers honoured
// and capped as for Get), the per-attempt timeout, and carries the client's
// User-Agent. It follows redirects as net/http does; it never sends the
// token, uses no cache and does not bound body sizes (the library reads the
// bodies). It shares the client's rate limits and Stats.
func (c *Client) StandardClient() *http.Client {
	inner := &http.Client{Transport: c.http.Transport, Timeout: c.timeout}
	rc := &retryablehttp.Client{
		HTTPClient:   inner,
		RetryWaitMin: c.retryWaitMin,
		RetryWaitMax: c.retryWaitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			d := c.backoff(lo, hi, n, resp)
			c.addWaited(d)
			return d
		},
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, i int) {
			if i > 0 {
				c.stats.retries.Add(1)
			}
		},
		PrepareRetry: func(req *http.Request) error {
			return c.limiter.wait(req.Context(), hostKey(req.URL), c.clock, c.maxRetryAfter, c.addWaited)
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if c.retryLog != nil {
		rc.Logger = c.retryLog // never a typed nil: that would panic on use
	}
	return &http.Client{Transport: &standardTransport{c: c, rt: &retryablehttp.RoundTripper{Client: rc}}}
}

// standardTransport waits for the rate limit and sets the User-Agent
// before handing a request to the retrying transport.
type standardTransport struct {
	c  *Client
	rt http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *standardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.c.limiter.wait(req.Context(), hostKey(req.URL), t.c.clock, t.c.maxRetryAfter, t.c.addWaited); err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.c.userAgent)
	req.Header.Del("Authorization")
	return t.rt.RoundTrip(req)
}
