package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// Errors returned by [Client.GetRange]; test for them with errors.Is.
var (
	// ErrNoRange: the server answered a range request with the whole
	// resource (200), so it does not serve byte ranges of it. The body is
	// not read.
	ErrNoRange = errors.New("server does not serve byte ranges")
	// ErrRange: the server answered 416 Range Not Satisfiable, in practice
	// because the range starts at or past the end of the resource.
	ErrRange = errors.New("range not satisfiable")
	// errBadRange marks an answer whose Content-Range or body length does
	// not match the request: final, never retried.
	errBadRange = errors.New("partial answer does not match the range requested")
)

// StatusError is the error of [Client.GetRange] for an answer that is
// neither a partial body (206), nor 200 ([ErrNoRange]), nor 416
// ([ErrRange]): 404, 401, 403, a 429 or 5xx after retries, or a redirect
// that was not followed.
type StatusError struct {
	// URL is the URL as requested, user information redacted.
	URL string
	// Status is the final HTTP status.
	Status int
	// Header holds the final response headers.
	Header http.Header
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("get range %s: HTTP %d", e.URL, e.Status)
}

// ContentRange is a parsed Content-Range header of a byte range answer.
type ContentRange struct {
	// Start and End are the first and last byte positions sent (inclusive);
	// both are -1 for an unsatisfied range ("bytes */TOTAL").
	Start, End int64
	// Total is the size of the whole resource, -1 when the server wrote "*".
	Total int64
}

// maxContentRangeLen bounds the Content-Range values parsed.
const maxContentRangeLen = 128

// ParseContentRange parses a Content-Range header value of unit "bytes":
// "bytes START-END/TOTAL", "bytes START-END/*" or "bytes */TOTAL". It
// reports false for anything else, including positions out of order, an
// end at or past a known total, and numbers that do not fit an int64.
func ParseContentRange(v string) (ContentRange, bool) {
	if len(v) > maxContentRangeLen {
		return ContentRange{}, false
	}
	unit, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return ContentRange{}, false
	}
	span, total, ok := strings.Cut(strings.TrimLeft(rest, " "), "/")
	if !ok {
		return ContentRange{}, false
	}
	cr := ContentRange{Start: -1, End: -1, Total: -1}
	if total != "*" {
		n, ok := parsePos(total)
		if !ok {
			return ContentRange{}, false
		}
		cr.Total = n
	}
	if span == "*" {
		// An unsatisfied range must say how large the resource is.
		return cr, cr.Total >= 0
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return ContentRange{}, false
	}
	if cr.Start, ok = parsePos(first); !ok {
		return ContentRange{}, false
	}
	if cr.End, ok = parsePos(last); !ok {
		return ContentRange{}, false
	}
	if cr.End < cr.Start || (cr.Total >= 0 && cr.End >= cr.Total) {
		return ContentRange{}, false
	}
	return cr, true
}

// String formats the range as a Content-Range value.
func (cr ContentRange) String() string {
	total := "*"
	if cr.Total >= 0 {
		total = strconv.FormatInt(cr.Total, 10)
	}
	if cr.Start < 0 {
		return "bytes */" + total
	}
	return fmt.Sprintf("bytes %d-%d/%s", cr.Start, cr.End, total)
}

// parsePos parses a byte position: 1 to 19 ASCII digits fitting an int64.
func parsePos(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// GetRange fetches bytes [off, off+n) of rawURL with a Range request,
// through the same rate limit, retries, redirects (followed hop by hop,
// dropping the token as soon as a hop leaves Options.TokenHosts or https)
// and token handling as [Client.Get]. n may not exceed Options.MaxBodySize
// ([ErrTooLarge]). A range answer is stored in the disk cache under the
// URL and the range and served from there while fresh (the files read in
// ranges live at commit URLs, which do not change); network answers count
// in Stats.RangeRequests and Stats.RangeBytes, cached ones in CacheHits.
//
// It returns the bytes and the total size of the resource from the
// Content-Range header (-1 when the server wrote "*"). Fewer than n bytes
// come back only when the range runs past the end of the resource. A 206
// whose Content-Range does not start at off, extends past the request, or
// disagrees with the body length is an error. A 200 answer (the server
// ignored the Range header) is [ErrNoRange], its body unread; a 416 is
// [ErrRange], with the total when the server gave one ("bytes */TOTAL"),
// otherwise -1; any other status is a [*StatusError]. Transport failures,
// rate limits and context cancellation are reported as by Get.
func (c *Client) GetRange(ctx context.Context, rawURL string, off, n int64) (data []byte, total int64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, -1, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, -1, fmt.Errorf("get range %s: not an absolute http or https URL", redactString(rawURL))
	}
	red := redact(u)
	switch {
	case off < 0 || n <= 0 || off > (1<<63-1)-n:
		return nil, -1, fmt.Errorf("get range %s: invalid range of %d bytes at offset %d; want a positive length at a non-negative offset", red, n, off)
	case n > c.maxBodySize:
		return nil, -1, fmt.Errorf("get range %s: %w: %d bytes asked, above %d (Options.MaxBodySize); read in smaller ranges", red, ErrTooLarge, n, c.maxBodySize)
	}
	want := rangeRequest{off: off, n: n}
	// A range of a file is cached like a whole answer, under the URL and
	// the range, while fresh: the files read in ranges live at commit
	// URLs, which do not change.
	key := rawURL + "#" + want.header()
	if c.cache != nil {
		if e, _ := c.cache.load(key, red); e != nil {
			age := c.clock().Sub(e.meta.StoredAt)
			if cr, ok := ParseContentRange(http.Header(e.meta.Header).Get("Content-Range")); ok &&
				c.cacheTTL > 0 && age >= 0 && age < c.cacheTTL && int64(len(e.body)) <= n {
				c.stats.cacheHits.Add(1)
				return e.body, cr.Total, nil
			}
		}
	}
	c.stats.rangeRequests.Add(1)
	final, redirects, err := c.followHops(ctx, u, func(cur *url.URL, withToken bool) (*hop, error) {
		return c.doRange(ctx, cur, withToken, want)
	})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, -1, ctxErr
		}
		c.log.DebugContext(ctx, "http get range failed", "url", red, "error", c.scrub(err.Error()))
		return nil, -1, err
	}
	c.log.DebugContext(ctx, "http get range", "url", red, "status", final.status, "offset", off, "length", n,
		"redirects", len(redirects), "bytes", len(final.body))
	switch final.status {
	case http.StatusPartialContent:
		cr, _ := ParseContentRange(final.header.Get("Content-Range")) // checked by doRange
		c.stats.rangeBytes.Add(int64(len(final.body)))
		if c.cache != nil {
			c.storeEntry(ctx, key, red, &cacheEntry{
				meta: cacheMeta{URL: red, Status: final.status, StoredAt: c.clock(),
					Header: map[string][]string{"Content-Range": {cr.String()}}},
				body: final.body,
			})
		}
		return final.body, cr.Total, nil
	case http.StatusOK:
		return nil, -1, fmt.Errorf("get range %s: %w: it answered 200 with the whole resource", red, ErrNoRange)
	case http.StatusRequestedRangeNotSatisfiable:
		total := int64(-1)
		if cr, ok := ParseContentRange(final.header.Get("Content-Range")); ok && cr.Start < 0 {
			total = cr.Total
		}
		what := "the resource's size is not given"
		if total >= 0 {
			what = fmt.Sprintf("the resource has %d bytes", total)
		}
		return nil, total, fmt.Errorf("get range %s: %w: bytes %d-%d asked, %s", red, ErrRange, off, off+n-1, what)
	}
	return nil, -1, &StatusError{URL: red, Status: final.status, Header: final.header}
}

// rangeRequest is the byte range of a GetRange call.
type rangeRequest struct{ off, n int64 }

// header is the Range header value of r.
func (r rangeRequest) header() string { return fmt.Sprintf("bytes=%d-%d", r.off, r.off+r.n-1) }

// check validates a 206 answer's Content-Range against r and returns the
// number of body bytes it announces.
func (r rangeRequest) check(v string) (int64, error) {
	cr, ok := ParseContentRange(v)
	switch {
	case !ok:
		return 0, fmt.Errorf("%w: Content-Range %q is not a byte range (want %q)", errBadRange, clip(v), "bytes START-END/TOTAL")
	case cr.Start != r.off || cr.End > r.off+r.n-1:
		return 0, fmt.Errorf("%w: Content-Range %q for %s", errBadRange, clip(v), r.header())
	case cr.End < r.off+r.n-1 && cr.Total != cr.End+1:
		// A short answer is only allowed at the end of the resource.
		return 0, fmt.Errorf("%w: Content-Range %q stops short of %s before the end of the resource", errBadRange, clip(v), r.header())
	}
	return cr.End - cr.Start + 1, nil
}

// clip shortens a header value quoted in an error.
func clip(v string) string {
	if len(v) > maxContentRangeLen {
		return v[:maxContentRangeLen] + "..."
	}
	return v
}

// followHops requests u with one (retried) request per hop and follows
// redirects as Get does: at most MaxRedirects hops, no loops, and the token
// dropped for the rest of the chain once a hop leaves the token hosts or
// goes from https to http. It returns the final hop and the hops followed.
func (c *Client) followHops(ctx context.Context, u *url.URL, request func(cur *url.URL, withToken bool) (*hop, error)) (*hop, []Redirect, error) {
	cur := u
	withToken := c.tokenAllowed(u)
	seen := map[string]bool{u.String(): true}
	var redirects []Redirect
	for {
		h, err := request(cur, withToken)
		if err != nil {
			return nil, nil, err
		}
		// A server may echo the token back (in an error header or page):
		// nothing it answers keeps it.
		scrubAnswer(h, c.token)
		loc := h.header.Get("Location")
		if !isRedirect(h.status) || loc == "" || c.maxRedirects < 0 {
			return h, redirects, nil
		}
		next, err := cur.Parse(loc)
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
			return nil, nil, fmt.Errorf("get %s: %w: %s answered %d with an unusable Location %q",
				redact(u), ErrRedirect, redact(cur), h.status, redactString(loc))
		}
		next.Fragment, next.RawFragment = "", ""
		if len(redirects) >= c.maxRedirects {
			return nil, nil, fmt.Errorf("get %s: %w: more than %d redirects (Options.MaxRedirects)",
				redact(u), ErrRedirect, c.maxRedirects)
		}
		to := next.String()
		if seen[to] {
			return nil, nil, fmt.Errorf("get %s: %w: %s redirects back to %s",
				redact(u), ErrRedirect, redact(cur), redact(next))
		}
		seen[to] = true
		redirects = append(redirects, Redirect{From: cur.String(), To: to, Status: h.status})
		if withToken && (!c.tokenAllowed(next) || (cur.Scheme == "https" && next.Scheme == "http")) {
			withToken = false
			c.log.DebugContext(ctx, "http redirect leaves the token hosts or https; token dropped", "to", redact(next))
		}
		cur = next
	}
}

// doRange sends one range request of a redirect chain with retries. Only a
// 206 body is read (and checked against r); any other answer's body is
// discarded unread.
func (c *Client) doRange(ctx context.Context, u *url.URL, withToken bool, r rangeRequest) (*hop, error) {
	host := hostKey(u)
	if err := c.limiter.wait(ctx, host, c.clock, c.maxRetryAfter, c.addWaited); err != nil {
		return nil, c.hopError(ctx, u, err, 0)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("get range %s: %v", redact(u), c.scrub(err.Error()))
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Range", r.header())
	// A compressed partial body would be a range of the compressed bytes.
	req.Header.Set("Accept-Encoding", "identity")
	if withToken {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	var (
		body    []byte
		handled bool
	)
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := c.readRange(resp, r)
		body, handled = b, true
		return err
	})
	rc, attempts := c.retrying(ctx, host, func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if errors.Is(err, errBadRange) {
			return false, err
		}
		return c.checkRetry(ctx, resp, err)
	}, func() { body, handled = nil, false })
	resp, err := rc.Do(req)
	if err != nil {
		if errors.Is(err, errBadRange) {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("get range %s: %w", redact(u), err)
		}
		return nil, c.hopError(ctx, u, err, *attempts)
	}
	// The body of an answer the handler did not see (retries spent on a
	// retryable status) is of no use.
	resp.Body.Close()
	if !handled {
		body = nil
	}
	return &hop{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// readRange reads the body of a 206 answer to r after checking its
// Content-Range, and closes any answer's body. A body shorter than
// announced (connection cut) is a retryable error; one that contradicts
// the request is errBadRange.
func (c *Client) readRange(resp *http.Response, r rangeRequest) ([]byte, error) {
	defer func() {
		resp.Body.Close()
		resp.Body = http.NoBody
	}()
	if resp.StatusCode != http.StatusPartialContent {
		return nil, nil
	}
	want, err := r.check(resp.Header.Get("Content-Range"))
	if err != nil {
		return nil, err
	}
	if resp.ContentLength >= 0 && resp.ContentLength != want {
		return nil, fmt.Errorf("%w: Content-Length %d for Content-Range %q", errBadRange, resp.ContentLength, clip(resp.Header.Get("Content-Range")))
	}
	b := make([]byte, want)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, fmt.Errorf("read range body: %w", err)
	}
	// More bytes than announced would be a framing error of the server.
	var extra [1]byte
	if k, _ := resp.Body.Read(extra[:]); k > 0 {
		return nil, fmt.Errorf("%w: the body is longer than its Content-Range %q", errBadRange, clip(resp.Header.Get("Content-Range")))
	}
	return b, nil
}
