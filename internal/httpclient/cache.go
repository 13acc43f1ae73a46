package httpclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cacheMagic opens every cache file; a file without it is ignored.
const cacheMagic = "pedigree-http-cache/1\n"

// maxCacheMeta bounds the metadata line of a cache file.
const maxCacheMeta = 1 << 20

// DefaultCacheDir returns the default location of the HTTP cache:
// os.UserCacheDir()/pedigree/http (on Linux $XDG_CACHE_HOME/pedigree/http or
// ~/.cache/pedigree/http).
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set $XDG_CACHE_HOME or $HOME, or pass a cache directory): %w", err)
	}
	return filepath.Join(dir, "pedigree", "http"), nil
}

// cacheMeta is the metadata line of a cache file.
type cacheMeta struct {
	URL          string              `json:"url"` // as requested, user information redacted
	FinalURL     string              `json:"final_url"`
	Redirects    []Redirect          `json:"redirects,omitempty"`
	Status       int                 `json:"status"`
	ETag         string              `json:"etag,omitempty"`
	LastModified string              `json:"last_modified,omitempty"`
	ContentType  string              `json:"content_type,omitempty"`
	Header       map[string][]string `json:"header,omitempty"`
	StoredAt     time.Time           `json:"stored_at"`
	Size         int64               `json:"size"`
	SHA256       string              `json:"sha256"` // of the body
}

// cacheEntry is a decoded cache file.
type cacheEntry struct {
	meta cacheMeta
	body []byte
}

// response turns the entry into the Response for a request of rawURL.
func (e *cacheEntry) response(rawURL string) *Response {
	h := make(http.Header, len(e.meta.Header))
	for k, vs := range e.meta.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	// The stored URLs have their user information redacted; an answer
	// that came from the requested URL itself reports that URL as given.
	final := e.meta.FinalURL
	if final == "" || final == e.meta.URL {
		final = rawURL
	}
	return &Response{
		URL:       rawURL,
		FinalURL:  final,
		Redirects: append([]Redirect(nil), e.meta.Redirects...),
		Status:    e.meta.Status,
		Header:    h,
		Body:      e.body,
		FromCache: true,
	}
}

// diskCache stores 2xx bodies under dir, one file per URL.
type diskCache struct {
	dir     string
	maxBody int64
}

// cacheKey is the file name of a URL's entry: the hex sha256 of the URL.
func cacheKey(rawURL string) string {
	sum := sha256.Sum256([]byte(rawURL))
	return hex.EncodeToString(sum[:])
}

// path returns the file holding rawURL's entry.
func (c *diskCache) path(rawURL string) string {
	key := cacheKey(rawURL)
	return filepath.Join(c.dir, key[:2], key)
}

// load returns rawURL's entry, or nil when there is none or it is unusable
// (corrupt, truncated, for another URL): a bad entry is a miss, never an
// error. The reason for a miss other than absence is returned for logging.
func (c *diskCache) load(rawURL, redacted string) (*cacheEntry, string) {
	p := c.path(rawURL)
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ""
	}
	if err != nil {
		return nil, err.Error()
	}
	if info.Size() > c.maxBody+maxCacheMeta+int64(len(cacheMagic)) {
		return nil, "entry larger than the body size limit"
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err.Error()
	}
	e, err := decodeEntry(data)
	if err != nil {
		return nil, err.Error()
	}
	if e.meta.URL != redacted {
		return nil, "entry belongs to another URL"
	}
	return e, ""
}

// decodeEntry parses a cache file, verifying its body against the recorded
// size and digest.
func decodeEntry(data []byte) (*cacheEntry, error) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok {
		return nil, errors.New("not a cache entry")
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || len(line) > maxCacheMeta {
		return nil, errors.New("cache entry has no metadata line")
	}
	var m cacheMeta
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("cache entry metadata: %v", err)
	}
	if m.Status < 200 || m.Status > 299 || m.StoredAt.IsZero() {
		return nil, errors.New("cache entry metadata incomplete")
	}
	if int64(len(body)) != m.Size {
		return nil, fmt.Errorf("cache entry body has %d bytes, want %d", len(body), m.Size)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, errors.New("cache entry body digest mismatch")
	}
	return &cacheEntry{meta: m, body: body}, nil
}

// encodeEntry serializes an entry, filling in its size and digest.
func encodeEntry(e *cacheEntry) ([]byte, error) {
	m := e.meta
	m.Size = int64(len(e.body))
	sum := sha256.Sum256(e.body)
	m.SHA256 = hex.EncodeToString(sum[:])
	line, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(cacheMagic) + len(line) + 1 + len(e.body))
	buf.WriteString(cacheMagic)
	buf.Write(line)
	buf.WriteByte('\n')
	buf.Write(e.body)
	return buf.Bytes(), nil
}

// store writes rawURL's entry atomically: a temporary file in the same
// directory (mode 0600), renamed over the old entry. The user information
// of every URL the entry records (the answering URL and each redirect hop)
// is redacted first.
func (c *diskCache) store(rawURL string, e *cacheEntry) error {
	stored := *e
	stored.meta.FinalURL = redactString(e.meta.FinalURL)
	if e.meta.FinalURL == "" {
		stored.meta.FinalURL = ""
	}
	stored.meta.Redirects = make([]Redirect, len(e.meta.Redirects))
	for i, r := range e.meta.Redirects {
		stored.meta.Redirects[i] = Redirect{From: redactString(r.From), To: redactString(r.To), Status: r.Status}
	}
	if len(e.meta.Redirects) == 0 {
		stored.meta.Redirects = nil
	}
	data, err := encodeEntry(&stored)
	if err != nil {
		return err
	}
	p := c.path(rawURL)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), p)
	}
	if werr != nil {
		os.Remove(f.Name())
		return werr
	}
	return nil
}

// probe checks that dir can hold cache entries, creating it.
func (c *diskCache) probe() error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// droppedHeaders are never written to the cache: credentials, cookies,
// per-connection headers and rate-limit state that is stale once stored.
var droppedHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Proxy-Authenticate":  true,
	"Set-Cookie":          true,
	"Set-Cookie2":         true,
	"Cookie":              true,
	"Connection":          true,
	"Keep-Alive":          true,
	"Transfer-Encoding":   true,
	"Trailer":             true,
	"Upgrade":             true,
	"Ratelimit":           true,
	"Ratelimit-Policy":    true,
	"Ratelimit-Remaining": true,
	"Ratelimit-Reset":     true,
	"Ratelimit-Limit":     true,
	"Retry-After":         true,
}

// scrubAnswer removes secret from an answer before anything reads it:
// every occurrence in a header value becomes [REDACTED], and so does every
// occurrence in the body of an answer that is not a success (error pages
// that echo the request). A server that echoes the Authorization header
// in X-Error-Message, WWW-Authenticate or an error page cannot make the
// token reach an error message, a report or a snapshot. Successful bodies
// are content and are left as they are.
func scrubAnswer(h *hop, secret string) {
	if h == nil || secret == "" {
		return
	}
	h.header = scrubHeader(h.header, secret)
	if (h.status < 200 || h.status > 299) && bytes.Contains(h.body, []byte(secret)) {
		h.body = bytes.ReplaceAll(h.body, []byte(secret), []byte("[REDACTED]"))
	}
}

// scrubHeader returns h with secret replaced by [REDACTED] in every value;
// h itself is returned when no value holds secret.
func scrubHeader(h http.Header, secret string) http.Header {
	if secret == "" {
		return h
	}
	found := false
	for _, vs := range h {
		for _, v := range vs {
			found = found || strings.Contains(v, secret)
		}
	}
	if !found {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			cp[i] = strings.ReplaceAll(v, secret, "[REDACTED]")
		}
		out[k] = cp
	}
	return out
}

// storableHeader returns the headers of h that may be stored: without
// droppedHeaders and without any value that contains secret.
func storableHeader(h http.Header, secret string) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		k = http.CanonicalHeaderKey(k)
		if droppedHeaders[k] {
			continue
		}
		for _, v := range vs {
			if secret != "" && strings.Contains(v, secret) {
				continue
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}
