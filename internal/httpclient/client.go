package httpclient

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// Defaults taken by zero Options fields.
const (
	DefaultUserAgent     = "pedigree"
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 4
	DefaultRetryWaitMin  = 500 * time.Millisecond
	DefaultRetryWaitMax  = 10 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultMaxBodySize   = 32 << 20
	DefaultMaxRedirects  = 10
	DefaultRateLimit     = 500
	DefaultRateWindow    = 5 * time.Minute
	DefaultCacheTTL      = 24 * time.Hour
)

// Errors returned by [Client.Get]; test for them with errors.Is.
var (
	// ErrTooLarge: the response body is larger than Options.MaxBodySize.
	ErrTooLarge = errors.New("response body over the size limit")
	// ErrRedirect: more than Options.MaxRedirects redirects, a redirect
	// loop, or a redirect to an unusable location.
	ErrRedirect = errors.New("too many redirects or a redirect loop")
	// ErrRateLimited: the server asked for a wait above
	// Options.MaxRetryAfter, or the client-side budget would have to wait
	// longer than that.
	ErrRateLimited = errors.New("rate limited")
	// ErrTransport: the server could not be reached or its answer could not
	// be read (connection refused or reset, truncated body), even after
	// retries.
	ErrTransport = errors.New("transport failure")
	// ErrTimeout: attempts ran past Options.Timeout, even after retries. It
	// is distinct from context.DeadlineExceeded, which only reports the
	// caller's own deadline.
	ErrTimeout = errors.New("request timed out")
)

// Options configure a Client. Zero values take the defaults in brackets.
type Options struct {
	// UserAgent is sent on every request ["pedigree"].
	UserAgent string
	// Token is a bearer token, sent as "Authorization: Bearer ..." only to
	// TokenHosts. It is never logged, never in errors, never in the cache.
	Token string
	// TokenHosts are the hosts (host or host:port; a host without a port
	// matches the default port of http and https) the token may be sent
	// to. Empty means the token is sent to no host. A redirect that leaves
	// these hosts, or goes from https to http, drops the token for the rest
	// of the chain.
	TokenHosts []string
	// Timeout bounds each attempt: connecting, headers and body [30s].
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt [4];
	// < 0 means none.
	MaxRetries int
	// RetryWaitMin is the first backoff [500ms]; it doubles per retry.
	RetryWaitMin time.Duration
	// RetryWaitMax caps the exponential backoff [10s]; it does not cap a
	// wait the server asked for.
	RetryWaitMax time.Duration
	// MaxRetryAfter caps a server-requested wait (Retry-After, RateLimit
	// t=) and a client-side budget wait [60s]; a longer wait gives up at
	// once with ErrRateLimited instead of sleeping.
	MaxRetryAfter time.Duration
	// MaxBodySize is the largest body read [32 MiB]; a larger one makes
	// Get return ErrTooLarge.
	MaxBodySize int64
	// MaxRedirects is the longest redirect chain followed [10]; a longer
	// chain, or a loop, gives ErrRedirect. < 0 means redirects are not
	// followed: the 3xx comes back as the Response.
	MaxRedirects int
	// RateLimit is the client-side budget: at most RateLimit requests per
	// RateWindow to each host [500]; < 0 means unlimited.
	RateLimit int
	// RateWindow is the budget's window [5m].
	RateWindow time.Duration
	// CacheDir is the on-disk HTTP cache; "" means no cache. See
	// DefaultCacheDir.
	CacheDir string
	// CacheTTL is the age below which a cache entry is served without any
	// request [24h]; older entries are revalidated with If-None-Match /
	// If-Modified-Since. < 0 means every entry is revalidated.
	CacheTTL time.Duration
	// Logger receives debug records of requests and warnings; nil means
	// silent.
	Logger *slog.Logger
	// Transport is the base transport (tests); nil means a pooled default
	// that honours the proxy environment variables.
	Transport http.RoundTripper
	// Clock tells the time for cache ages, rate-limit windows and
	// Retry-After dates [time.Now]. Waits are slept in real time, so a
	// replacement clock must advance when the client sleeps.
	Clock func() time.Time
}

// Client is an HTTP client for GET requests with retries, rate limiting,
// redirect control and an optional disk cache. It is safe for concurrent
// use.
type Client struct {
	userAgent     string
	token         string
	tokenHosts    map[string]bool
	timeout       time.Duration
	maxRetries    int
	retryWaitMin  time.Duration
	retryWaitMax  time.Duration
	maxRetryAfter time.Duration
	maxBodySize   int64
	maxRedirects  int
	cacheTTL      time.Duration
	clock         func() time.Time
	log           *slog.Logger // never nil; discards when Options.Logger is nil
	retryLog      *retryLogger // nil when Options.Logger is nil

	http    *http.Client
	limiter *limiter
	cache   *diskCache // nil without a cache
	stats   counters
}

// counters back Stats.
type counters struct {
	requests, bodies, notModified, cacheHits, retries atomic.Int64
	waited                                            atomic.Int64 // nanoseconds
	rangeRequests, rangeBytes                         atomic.Int64
}

// Stats counts what a Client did since New.
type Stats struct {
	// Requests is the number of HTTP requests sent: each attempt and each
	// redirect hop counts.
	Requests int64
	// Bodies counts final 2xx answers read from the network (a 304
	// revalidation counts in NotModified instead).
	Bodies int64
	// NotModified counts 304 revalidations of cache entries.
	NotModified int64
	// CacheHits counts answers from fresh cache entries, with no request.
	CacheHits int64
	// Retries counts attempts after the first, for any hop.
	Retries int64
	// Waited is the total time slept for backoff and rate limits.
	Waited time.Duration
	// RangeRequests counts GetRange calls that went to the network,
	// whatever the answer; their attempts and hops count in Requests too.
	RangeRequests int64
	// RangeBytes is the total size of the partial bodies GetRange returned.
	RangeBytes int64
}

// Stats returns what the client did since New; safe for concurrent use.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:      c.stats.requests.Load(),
		Bodies:        c.stats.bodies.Load(),
		NotModified:   c.stats.notModified.Load(),
		CacheHits:     c.stats.cacheHits.Load(),
		Retries:       c.stats.retries.Load(),
		Waited:        time.Duration(c.stats.waited.Load()),
		RangeRequests: c.stats.rangeRequests.Load(),
		RangeBytes:    c.stats.rangeBytes.Load(),
	}
}

// addWaited adds a completed sleep to the statistics.
func (c *Client) addWaited(d time.Duration) { c.stats.waited.Add(int64(d)) }

// New returns a client. It validates o and returns an error naming the
// option at fault, e.g. a CacheDir that cannot be created or written.
func New(o Options) (*Client, error) {
	if err := validate(o); err != nil {
		return nil, err
	}
	c := &Client{
		userAgent:     cmpOr(o.UserAgent, DefaultUserAgent),
		token:         o.Token,
		tokenHosts:    make(map[string]bool, len(o.TokenHosts)),
		timeout:       cmpOr(o.Timeout, DefaultTimeout),
		maxRetries:    o.MaxRetries,
		retryWaitMin:  cmpOr(o.RetryWaitMin, DefaultRetryWaitMin),
		retryWaitMax:  cmpOr(o.RetryWaitMax, DefaultRetryWaitMax),
		maxRetryAfter: cmpOr(o.MaxRetryAfter, DefaultMaxRetryAfter),
		maxBodySize:   cmpOr(o.MaxBodySize, DefaultMaxBodySize),
		maxRedirects:  cmpOr(o.MaxRedirects, DefaultMaxRedirects),
		cacheTTL:      cmpOr(o.CacheTTL, DefaultCacheTTL),
		clock:         o.Clock,
	}
	switch {
	case o.MaxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		c.maxRetries = 0
	}
	if o.RetryWaitMin == 0 && c.retryWaitMin > c.retryWaitMax {
		c.retryWaitMin = c.retryWaitMax
	}
	if c.retryWaitMax < c.retryWaitMin {
		return nil, fmt.Errorf("option RetryWaitMax (%s) is below RetryWaitMin (%s)", c.retryWaitMax, c.retryWaitMin)
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	for _, h := range o.TokenHosts {
		c.tokenHosts[tokenHostKey(h)] = true
	}
	if o.Logger != nil {
		c.log = o.Logger
		c.retryLog = &retryLogger{log: o.Logger, secret: o.Token}
	} else {
		c.log = slog.New(slog.DiscardHandler)
	}
	limit := int64(o.RateLimit)
	if o.RateLimit == 0 {
		limit = DefaultRateLimit
	}
	c.limiter = newLimiter(limit, cmpOr(o.RateWindow, DefaultRateWindow))
	if o.CacheDir != "" {
		c.cache = &diskCache{dir: o.CacheDir, maxBody: c.maxBodySize}
		if err := c.cache.probe(); err != nil {
			return nil, fmt.Errorf("option CacheDir %q is not a usable cache directory (choose a writable directory, or disable the cache): %w", o.CacheDir, err)
		}
	}
	base := o.Transport
	if base == nil {
		base = cleanhttp.DefaultPooledTransport()
	}
	c.http = &http.Client{
		Transport: &observingTransport{base: base, c: c},
		Timeout:   c.timeout,
		// Redirects are followed by Get, hop by hop.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// cmpOr returns v, or def when v is zero.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// validate checks o for values no default can fix.
func validate(o Options) error {
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"Timeout", o.Timeout}, {"RetryWaitMin", o.RetryWaitMin}, {"RetryWaitMax", o.RetryWaitMax},
		{"MaxRetryAfter", o.MaxRetryAfter}, {"RateWindow", o.RateWindow},
	}
	for _, d := range durations {
		if d.d < 0 {
			return fmt.Errorf("option %s is negative (%s); use 0 for the default", d.name, d.d)
		}
	}
	if o.MaxBodySize < 0 {
		return fmt.Errorf("option MaxBodySize is negative (%d); use 0 for the default", o.MaxBodySize)
	}
	if hasControl(o.UserAgent) {
		return errors.New("option UserAgent contains a control character")
	}
	if hasControl(o.Token) || strings.ContainsAny(o.Token, " \t") {
		// The token itself is never echoed.
		return errors.New("option Token contains whitespace or a control character; check how it was read (a trailing newline?)")
	}
	for i, h := range o.TokenHosts {
		if h == "" || strings.ContainsAny(h, "/?#@ \t") || hasControl(h) {
			return fmt.Errorf("option TokenHosts[%d] = %q is not a host or host:port (no scheme or path)", i, h)
		}
		if _, err := url.Parse("https://" + h); err != nil {
			return fmt.Errorf("option TokenHosts[%d] = %q is not a host or host:port: %v", i, h, err)
		}
	}
	return nil
}

// hasControl reports whether s contains an ASCII control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// canonicalHost returns host[:port] in lower case with the scheme's default
// port made explicit ("huggingface.co" -> "huggingface.co:443" for https).
// A host without a port and without a scheme gets the https port.
func canonicalHost(hostport, scheme string) string {
	hostport = strings.ToLower(hostport)
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), ""
	}
	if port == "" {
		port = "443"
		if scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}

// hostKey is the rate-limit and token key of a URL.
func hostKey(u *url.URL) string { return canonicalHost(u.Host, u.Scheme) }

// tokenHostKey is the key of a TokenHosts entry: "host:port" in lower case
// when the entry names a port, the bare lower-case host otherwise.
func tokenHostKey(entry string) string {
	if _, _, err := net.SplitHostPort(entry); err == nil {
		return canonicalHost(entry, "")
	}
	return strings.Trim(strings.ToLower(entry), "[]")
}

// tokenAllowed reports whether the token may be sent to u: its host and
// port are listed, or its host is listed without a port and u uses its
// scheme's default port.
func (c *Client) tokenAllowed(u *url.URL) bool {
	if c.token == "" || len(c.tokenHosts) == 0 {
		return false
	}
	if c.tokenHosts[hostKey(u)] {
		return true
	}
	port := u.Port()
	defaultPort := port == "" || (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80")
	return defaultPort && c.tokenHosts[strings.ToLower(u.Hostname())]
}

// redact returns u as text with any user information replaced, for logs
// and error messages.
func redact(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	r := *u
	r.User = url.User("REDACTED")
	return r.String()
}

// redactString redacts the user information of a URL given as text.
func redactString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparsable URL>"
	}
	return redact(u)
}

// observingTransport counts requests, logs them and feeds the rate limiter
// with what responses say about the server's budget.
type observingTransport struct {
	base http.RoundTripper
	c    *Client
}

// RoundTrip implements http.RoundTripper.
func (t *observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.c.stats.requests.Add(1)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.c.log.DebugContext(req.Context(), "http attempt failed", "method", req.Method, "url", redact(req.URL),
			"error", t.c.scrub(err.Error()), "elapsed", time.Since(start))
		return nil, err
	}
	t.c.limiter.observe(hostKey(req.URL), resp, t.c.clock())
	t.c.log.DebugContext(req.Context(), "http attempt", "method", req.Method, "url", redact(req.URL),
		"status", resp.StatusCode, "elapsed", time.Since(start))
	return resp, nil
}

// scrub removes the token and URL user information from s.
func (c *Client) scrub(s string) string { return scrubSecrets(s, c.token) }

// userInfo matches the user information of URLs inside free text.
var userInfo = regexp.MustCompile(`(://)[^/@\s"'<>]+@`)

// scrubSecrets removes secret and the user information of URLs from s.
func scrubSecrets(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return userInfo.ReplaceAllString(s, "${1}REDACTED@")
}

// retryLogger adapts slog to retryablehttp's LeveledLogger. A failed attempt
// that will be retried is a warning, not an error, and the token is
// scrubbed from every message and value.
type retryLogger struct {
	log    *slog.Logger
	secret string
}

// clean scrubs the values of a key-value list.
func (r *retryLogger) clean(kv []any) []any {
	out := make([]any, len(kv))
	for i, v := range kv {
		switch x := v.(type) {
		case string:
			out[i] = r.scrub(x)
		case error:
			out[i] = r.scrub(x.Error())
		case fmt.Stringer:
			out[i] = r.scrub(x.String())
		default:
			out[i] = v
		}
	}
	return out
}

// scrub removes the token and URL user information from s.
func (r *retryLogger) scrub(s string) string { return scrubSecrets(s, r.secret) }

// Error implements retryablehttp.LeveledLogger.
func (r *retryLogger) Error(msg string, kv ...any) { r.log.Warn(r.scrub(msg), r.clean(kv)...) }

// Info implements retryablehttp.LeveledLogger.
func (r *retryLogger) Info(msg string, kv ...any) { r.log.Info(r.scrub(msg), r.clean(kv)...) }

// Debug implements retryablehttp.LeveledLogger.
func (r *retryLogger) Debug(msg string, kv ...any) { r.log.Debug(r.scrub(msg), r.clean(kv)...) }

// Warn implements retryablehttp.LeveledLogger.
func (r *retryLogger) Warn(msg string, kv ...any) { r.log.Warn(r.scrub(msg), r.clean(kv)...) }
