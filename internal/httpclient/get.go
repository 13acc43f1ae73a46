package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Response is the final answer to a GET after retries and redirects.
type Response struct {
	// URL is the URL as requested.
	URL string
	// FinalURL is the URL that answered, after redirects (== URL when
	// none). A fresh cache hit reports the FinalURL stored with the entry.
	FinalURL string
	// Redirects lists each hop followed, in order. A fresh cache hit
	// reports the hops stored with the entry.
	Redirects []Redirect
	// Status is the final HTTP status. 304 is never returned: a revalidated
	// entry comes back with its stored 2xx status (200 in practice) and
	// FromCache set.
	Status int
	// Header holds the final response headers (from the cache entry when
	// served from the cache; credentials, cookies and rate-limit headers are
	// never stored there).
	Header http.Header
	// Body is the whole body (at most Options.MaxBodySize bytes).
	Body []byte
	// FromCache reports that the body came from the disk cache (a fresh hit
	// or a 304 revalidation).
	FromCache bool
}

// Redirect is one redirect hop followed.
type Redirect struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

// hop is the answer to one request of a redirect chain, after retries.
type hop struct {
	status int
	header http.Header
	body   []byte
}

// isRedirect reports whether status is a redirect Get follows.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// Get fetches rawURL. Every HTTP status comes back as a Response (404, 401,
// 403, 429 after retries, 5xx after retries); an error is returned only for
// context cancellation (ctx's own error, as is), a transport failure after
// retries ([ErrTransport], [ErrTimeout]), [ErrTooLarge], [ErrRedirect] and
// [ErrRateLimited] (the server asked for a wait above MaxRetryAfter, or the
// client budget's wait exceeds it). Only 2xx responses (except 206) are
// stored in the cache, with their ETag and Last-Modified.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("get %s: not an absolute http or https URL", redactString(rawURL))
	}
	red := redact(u)

	var entry *cacheEntry
	if c.cache != nil {
		e, why := c.cache.load(rawURL, red)
		if why != "" {
			c.log.DebugContext(ctx, "http cache entry ignored", "url", red, "reason", c.scrub(why))
		}
		if e != nil {
			age := c.clock().Sub(e.meta.StoredAt)
			if c.cacheTTL > 0 && age >= 0 && age < c.cacheTTL {
				c.stats.cacheHits.Add(1)
				c.log.DebugContext(ctx, "http get", "url", red, "status", e.meta.Status, "from_cache", true, "age", age.Round(time.Second))
				return e.response(rawURL), nil
			}
			entry = e
		}
	}

	final, finalURL, redirects, err := c.follow(ctx, u, entry)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		c.log.DebugContext(ctx, "http get failed", "url", red, "error", c.scrub(err.Error()))
		return nil, err
	}
	finalText := rawURL
	if len(redirects) > 0 {
		finalText = finalURL.String()
	}

	if final.status == http.StatusNotModified {
		if entry == nil {
			return nil, fmt.Errorf("get %s: %w: the server answered 304 Not Modified to an unconditional request", red, ErrTransport)
		}
		c.stats.notModified.Add(1)
		entry.meta.StoredAt = c.clock()
		entry.meta.FinalURL, entry.meta.Redirects = finalText, redirects
		if entry.meta.Header == nil {
			entry.meta.Header = make(map[string][]string)
		}
		if v := final.header.Get("ETag"); v != "" {
			entry.meta.ETag = v
			entry.meta.Header["Etag"] = []string{v}
		}
		if v := final.header.Get("Last-Modified"); v != "" {
			entry.meta.LastModified = v
			entry.meta.Header["Last-Modified"] = []string{v}
		}
		c.storeEntry(ctx, rawURL, red, entry)
		c.log.DebugContext(ctx, "http get", "url", red, "status", entry.meta.Status, "from_cache", true, "revalidated", true)
		return entry.response(rawURL), nil
	}

	resp := &Response{
		URL:       rawURL,
		FinalURL:  finalText,
		Redirects: redirects,
		Status:    final.status,
		Header:    final.header,
		Body:      final.body,
	}
	if final.status >= 200 && final.status <= 299 {
		c.stats.bodies.Add(1)
		if c.cache != nil && final.status != http.StatusPartialContent {
			header := storableHeader(final.header, c.token)
			c.storeEntry(ctx, rawURL, red, &cacheEntry{
				meta: cacheMeta{
					URL:          red,
					FinalURL:     finalText,
					Redirects:    redirects,
					Status:       final.status,
					ETag:         final.header.Get("ETag"),
					LastModified: final.header.Get("Last-Modified"),
					ContentType:  final.header.Get("Content-Type"),
					Header:       header,
					StoredAt:     c.clock(),
				},
				body: final.body,
			})
		}
	}
	c.log.DebugContext(ctx, "http get", "url", red, "status", final.status, "from_cache", false,
		"redirects", len(redirects), "bytes", len(final.body))
	return resp, nil
}

// storeEntry writes an entry, logging (never returning) a failure: a cache
// that cannot be written only costs requests.
func (c *Client) storeEntry(ctx context.Context, rawURL, red string, e *cacheEntry) {
	if err := c.cache.store(rawURL, e); err != nil {
		c.log.WarnContext(ctx, "http cache entry not written", "url", red, "dir", c.cache.dir, "error", c.scrub(err.Error()))
	}
}

// follow requests u and follows its redirects, returning the final hop,
// the URL that gave it and the hops followed.
func (c *Client) follow(ctx context.Context, u *url.URL, entry *cacheEntry) (*hop, *url.URL, []Redirect, error) {
	h, redirects, err := c.followHops(ctx, u, func(cur *url.URL, withToken bool) (*hop, error) {
		return c.do(ctx, cur, withToken, entry)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	final := u
	if len(redirects) > 0 {
		if f, perr := url.Parse(redirects[len(redirects)-1].To); perr == nil {
			final = f
		}
	}
	return h, final, redirects, nil
}

// do sends one request of a redirect chain with retries, and reads its
// body.
func (c *Client) do(ctx context.Context, u *url.URL, withToken bool, entry *cacheEntry) (*hop, error) {
	host := hostKey(u)
	if err := c.limiter.wait(ctx, host, c.clock, c.maxRetryAfter, c.addWaited); err != nil {
		return nil, c.hopError(ctx, u, err, 0)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %v", redact(u), c.scrub(err.Error()))
	}
	req.Header.Set("User-Agent", c.userAgent)
	if withToken {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if entry != nil {
		if entry.meta.ETag != "" {
			req.Header.Set("If-None-Match", entry.meta.ETag)
		}
		if entry.meta.LastModified != "" {
			req.Header.Set("If-Modified-Since", entry.meta.LastModified)
		}
	}

	// State of this hop's attempts; retryablehttp calls the hooks
	// synchronously from Do.
	var (
		body []byte
		read bool
	)
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := c.readBody(resp)
		body, read = b, true
		return err
	})
	rc, attempts := c.retrying(ctx, host, c.checkRetry, func() { body, read = nil, false })
	resp, err := rc.Do(req)
	if err != nil {
		return nil, c.hopError(ctx, u, err, *attempts)
	}
	defer resp.Body.Close()
	if !read {
		if body, err = c.readBody(resp); err != nil {
			return nil, c.hopError(ctx, u, err, *attempts)
		}
	}
	return &hop{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// retrying returns the retrying client of one hop to host: the client's
// backoff, retry limits and rate limit between attempts, checkRetry to
// decide what to retry, and reset called before each attempt. The count
// of attempts made is kept in *attempts. A retryable status left when the
// retries are spent is handed to the caller as a response.
func (c *Client) retrying(ctx context.Context, host string, checkRetry retryablehttp.CheckRetry, reset func()) (rc *retryablehttp.Client, attempts *int) {
	attempts = new(int)
	var pending time.Duration
	rc = &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryWaitMin: c.retryWaitMin,
		RetryWaitMax: c.retryWaitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   checkRetry,
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			pending = c.backoff(lo, hi, n, resp)
			return pending
		},
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, i int) {
			*attempts = i + 1
			reset()
			if i > 0 {
				c.stats.retries.Add(1)
				c.addWaited(pending)
			}
		},
		PrepareRetry: func(*http.Request) error {
			return c.limiter.wait(ctx, host, c.clock, c.maxRetryAfter, c.addWaited)
		},
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if err != nil {
				if resp != nil {
					resp.Body.Close()
				}
				return nil, err
			}
			return resp, nil
		},
	}
	if c.retryLog != nil {
		rc.Logger = c.retryLog // never a typed nil: that would panic on use
	}
	return rc, attempts
}

// readBody reads resp's whole body through the size limit and closes it. A
// body cut short (connection closed early, Content-Length mismatch) is an
// error.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	defer func() {
		resp.Body.Close()
		resp.Body = http.NoBody // nothing left for retryablehttp to drain
	}()
	if resp.ContentLength > c.maxBodySize {
		return nil, ErrTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBodySize+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > c.maxBodySize {
		return nil, ErrTooLarge
	}
	return b, nil
}

// checkRetry is the retry policy: retryablehttp's default (429, 5xx except
// 501, recoverable transport errors and unreadable bodies), except that an
// oversized body is final and a server-requested wait above MaxRetryAfter
// gives up at once with ErrRateLimited.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return false, err
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if wait, ok := serverWait(resp, c.clock()); ok && wait > c.maxRetryAfter {
		return false, fmt.Errorf("%w: the server answered %d asking to wait %s, above Options.MaxRetryAfter (%s)",
			ErrRateLimited, resp.StatusCode, wait, c.maxRetryAfter)
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, nil)
}

// backoff is the wait before retry n+1: the server's requested wait when it
// gave one (capped by MaxRetryAfter; longer ones never get here, see
// checkRetry), otherwise lo*2^n capped at hi, less up to a quarter of jitter.
func (c *Client) backoff(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
	if wait, ok := serverWait(resp, c.clock()); ok {
		return min(wait, c.maxRetryAfter)
	}
	d := lo
	for i := 0; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if q := d / 4; q > 0 {
		d -= rand.N(q + 1)
	}
	return d
}

// hopError turns a failure of one hop into Get's error.
func (c *Client) hopError(ctx context.Context, u *url.URL, err error, attempts int) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	red := redact(u)
	switch {
	case errors.Is(err, ErrRateLimited):
		return fmt.Errorf("get %s: %w", red, err)
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("get %s: %w: more than %d bytes (Options.MaxBodySize)", red, ErrTooLarge, c.maxBodySize)
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // its URL may carry user information; ours is redacted
	}
	if isTimeout(cause) {
		return fmt.Errorf("get %s: %w: no complete answer within %s (Options.Timeout) after %d attempt(s)",
			red, ErrTimeout, c.timeout, attempts)
	}
	return fmt.Errorf("get %s: %w after %d attempt(s): %w", red, ErrTransport, attempts, cause)
}

// isTimeout reports whether err is a per-attempt timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
