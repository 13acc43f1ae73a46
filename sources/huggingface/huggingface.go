// Package huggingface is the source of Hugging Face Hub models and
// datasets.
//
// For a model it reads the repository info (GET /api/models/{id}, or
// /revision/{rev}), the file tree with sizes, LFS hashes and the Hub's
// security-scan verdicts (/api/models/{id}/tree/{sha}?recursive=true&expand=true),
// the commit history (/api/models/{id}/commits/{sha}) and the raw files
// that describe lineage (README.md, config.json, adapter_config.json,
// mergekit_config.yml, the LICENSE file), all at the commit the reference
// resolved to. For a dataset it reads the repository info and the card.
// Cards and configuration files are parsed by package modelcard, the same
// parser the local folder source uses, so both emit the same evidence.
//
// Where the bytes come from is a [Store]: the Hub over HTTP ([NewOnline],
// with retries, rate limits and an on-disk HTTP cache), an offline
// snapshot directory ([Snapshot]) laid out as the Hub's URL paths, or a
// [Recorder] that writes what it reads into such a snapshot. Files of a
// repository already in the local Hugging Face cache at the resolved
// commit are read from there ([WithHubCache]); with no store at all the
// source reads the local cache only.
//
// Evidence locators are the canonical https://huggingface.co URLs, whatever
// the store (a mirror, a snapshot), so that an offline replay of a snapshot
// reproduces the online report; files read from the local cache are
// located by their path there.
package huggingface

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/local"
	"github.com/pedigree-ai/pedigree/sources/modelcard"
)

// Name is the source's name in origins and statuses.
const Name = "huggingface"

// DefaultEndpoint is the Hub's address; HF_ENDPOINT overrides it.
const DefaultEndpoint = "https://huggingface.co"

// CanonicalBase is the base of every evidence locator.
const CanonicalBase = "https://huggingface.co"

// Defaults.
const (
	// DefaultMaxFileSize bounds the raw files read whole (cards, configs).
	DefaultMaxFileSize = 16 << 20
	// DefaultMaxCommits bounds the commits recorded per repository.
	DefaultMaxCommits = 100
	// DefaultRateLimit is the default client-side budget of requests per
	// DefaultRateWindow: the anonymous quota of the Hub's API bucket.
	DefaultRateLimit  = 500
	DefaultRateWindow = 5 * time.Minute
)

// OnlineOptions configure the HTTP access to the Hub.
type OnlineOptions struct {
	// Endpoint is the Hub's base URL (HF_ENDPOINT); DefaultEndpoint when "".
	Endpoint string
	// Token is a Hub access token (HF_TOKEN), sent as a bearer token to
	// the endpoint's host only. It is never logged or stored.
	Token string
	// UserAgent names the program; "pedigree" when "".
	UserAgent string
	// CacheDir holds the on-disk HTTP cache; "" disables it.
	CacheDir string
	// CacheTTL is how long a cached answer is used without asking the Hub
	// again; older answers are revalidated. 0 means 24 hours.
	CacheTTL time.Duration
	// RateLimit and RateWindow bound the requests sent; DefaultRateLimit
	// per DefaultRateWindow when 0. A negative RateLimit disables the bound.
	RateLimit  int
	RateWindow time.Duration
	// Timeout bounds each attempt; 30 s when 0.
	Timeout time.Duration
	// MaxRetries is how often a failed request is retried; 4 when 0,
	// none when negative.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between retries;
	// 500 ms and 10 s when 0.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps a wait the Hub asks for (Retry-After, RateLimit);
	// a longer one fails at once with ErrRateLimited. 60 s when 0.
	MaxRetryAfter time.Duration
	// MaxBodySize bounds a response body; 32 MiB when 0.
	MaxBodySize int64
	// Logger receives debug logs of requests; nil is silent.
	Logger *slog.Logger
	// Transport is the HTTP transport (tests); nil is a pooled default.
	Transport http.RoundTripper
	// Clock is the time source of the cache and the rate limit.
	Clock func() time.Time
}

// NewOnline returns the store reading the Hub over HTTP.
func NewOnline(o OnlineOptions) (*Online, error) {
	endpoint := strings.TrimRight(o.Endpoint, "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub endpoint %q: want an http or https URL such as %s (HF_ENDPOINT)", o.Endpoint, DefaultEndpoint)
	}
	if u.User != nil {
		// Every URL read is written into reports as evidence: a password in
		// the endpoint would be too.
		return nil, fmt.Errorf("hub endpoint %s holds a user name or password, which would be written into every report; give the token in HF_TOKEN instead (HF_ENDPOINT)", u.Redacted())
	}
	rate := o.RateLimit
	if rate == 0 {
		rate = DefaultRateLimit
	}
	window := o.RateWindow
	if window == 0 {
		window = DefaultRateWindow
	}
	c, err := httpclient.New(httpclient.Options{
		UserAgent:     o.UserAgent,
		Token:         o.Token,
		TokenHosts:    []string{u.Host},
		Timeout:       o.Timeout,
		MaxRetries:    o.MaxRetries,
		RetryWaitMin:  o.RetryWaitMin,
		RetryWaitMax:  o.RetryWaitMax,
		MaxRetryAfter: o.MaxRetryAfter,
		MaxBodySize:   o.MaxBodySize,
		RateLimit:     rate,
		RateWindow:    window,
		CacheDir:      o.CacheDir,
		CacheTTL:      o.CacheTTL,
		Logger:        o.Logger,
		Transport:     o.Transport,
		Clock:         o.Clock,
	})
	if err != nil {
		return nil, err
	}
	return &Online{client: c, endpoint: endpoint, maxPages: maxTreePages}, nil
}

// resolveLink resolves a Link header URL against the URL it came with.
func resolveLink(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// Source reads Hub models and datasets. It is safe for concurrent use.
type Source struct {
	store      Store
	cache      *local.HubCache
	classifier *licensetext.Classifier
	clock      func() time.Time
	// fingerprints are the known base architectures; fpErr is set when
	// the embedded table does not parse, which its tests rule out.
	fingerprints []modelcard.Fingerprint
	fpErr        error
	maxFileSize  int64
	maxCommits   int
	// inspectBudget bounds the bytes fetched per weight file for remote
	// inspection (0: off); inspectFiles how many files of a repository.
	inspectBudget int64
	inspectFiles  int
}

// Option configures a Source.
type Option func(*Source)

// WithStore sets where the source reads the Hub: an [*Online], a [*Dir]
// snapshot, a [*Recorder], or an embedder's own [Store]. Without one the
// source reads only the local Hugging Face cache (HF_HUB_OFFLINE=1).
func WithStore(st Store) Option { return func(s *Source) { s.store = st } }

// WithHubCache makes the source read repository files from the local
// Hugging Face cache when it holds the resolved commit, and, when the
// store cannot answer, read the cached repository alone.
func WithHubCache(c *local.HubCache) Option { return func(s *Source) { s.cache = c } }

// WithLicenseClassifier shares a license classifier (and its cache); by
// default each Source creates its own.
func WithLicenseClassifier(c *licensetext.Classifier) Option {
	return func(s *Source) {
		if c != nil {
			s.classifier = c
		}
	}
}

// WithClock sets the clock that stamps Origin.RetrievedAt; time.Now by
// default.
func WithClock(now func() time.Time) Option {
	return func(s *Source) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithMaxFileSize bounds the size of raw files read whole (default
// DefaultMaxFileSize); n < 1 keeps the default.
func WithMaxFileSize(n int64) Option {
	return func(s *Source) {
		if n > 0 {
			s.maxFileSize = n
		}
	}
}

// WithMaxCommits bounds the commits recorded per repository (default
// DefaultMaxCommits); n < 1 keeps the default.
func WithMaxCommits(n int) Option {
	return func(s *Source) {
		if n > 0 {
			s.maxCommits = n
		}
	}
}

// Remote inspection defaults.
const (
	// DefaultInspectBudget bounds the bytes fetched to inspect one weight
	// file over HTTP: enough for headers, a zip directory and a PyTorch
	// checkpoint's pickle.
	DefaultInspectBudget = 8 << 20
	// DefaultInspectFiles bounds how many weight files of one repository
	// are inspected over HTTP; the others stay uninspected (unknown).
	DefaultInspectFiles = 32
)

// WithInspection sets how many bytes of each weight file are fetched, with
// range requests, to inspect it (pickle imports, safetensors and GGUF
// headers, zip directories). 0 turns remote inspection off; the default is
// DefaultInspectBudget. It applies to an [*Online] store only: snapshots
// hold no weights.
func WithInspection(budget int64) Option {
	return func(s *Source) {
		if budget >= 0 {
			s.inspectBudget = budget
		}
	}
}

// New returns a Hub source.
func New(opts ...Option) *Source {
	s := &Source{clock: time.Now, maxFileSize: DefaultMaxFileSize, maxCommits: DefaultMaxCommits,
		inspectBudget: DefaultInspectBudget, inspectFiles: DefaultInspectFiles}
	for _, o := range opts {
		o(s)
	}
	if s.classifier == nil {
		s.classifier = licensetext.New()
	}
	s.fingerprints, s.fpErr = modelcard.Fingerprints()
	return s
}

// Name implements [sources.Source]; it returns "huggingface".
func (s *Source) Name() string { return Name }

// Supports implements [sources.Source]: Hub models and datasets.
func (s *Source) Supports(subj sources.Subject) bool {
	if subj.Kind != sources.SubjectModel && subj.Kind != sources.SubjectDataset {
		return false
	}
	id, ok := subj.HubID()
	return ok && sources.ValidHubID(id)
}
