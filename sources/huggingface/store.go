package huggingface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
)

// Request is one read of the Hub.
type Request struct {
	// Path is the URL path without the leading slash, as in the Hub's URLs
	// and in the snapshot layout: "api/models/OWNER/NAME",
	// "api/models/OWNER/NAME/tree/SHA", "OWNER/NAME/resolve/SHA/README.md".
	Path string
	// Query is the URL query ("recursive=true&expand=true" for a tree), ""
	// for none. Snapshots ignore it.
	Query string
	// Alternates are other paths holding the same bytes, such as a file
	// under the branch name as well as under the commit it resolved to. An
	// offline store tries them after Path; a recorder writes the body under
	// each.
	Alternates []string
}

// Store answers reads of the Hub: the Hub itself over HTTP ([Online]), an
// offline snapshot directory ([Snapshot]), or a [Recorder] writing what
// another store answers into a snapshot. Get returns the whole body, or an
// error wrapping one of the sentinel errors of package sources
// (ErrNotFound for a missing repository or file, ErrUnauthorized for a
// gated or private one, ErrRateLimited, ErrOffline for data an offline
// store lacks). Implementations are safe for concurrent use.
type Store interface {
	Get(ctx context.Context, r Request) ([]byte, error)
}

// SnapshotFile returns the file, relative to a snapshot directory, that
// holds the answer to a request for path: API paths get ".json" appended,
// raw files keep their path. It reports false for a path that could escape
// the directory.
func SnapshotFile(p string) (string, bool) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.Contains(p, "\x00") {
		return "", false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	if strings.HasPrefix(p, "api/") {
		p += ".json"
	}
	return p, true
}

// Dir is an offline snapshot directory laid out as the Hub's URL paths
// (see [SnapshotFile]). It never touches the network: what it lacks is an
// error wrapping both [sources.ErrNotFound] and [sources.ErrOffline].
type Dir struct {
	root string

	mu      sync.Mutex
	folders map[string][]string // entries of folders listed for case-insensitive lookups
}

// Snapshot returns the offline store reading the snapshot directory dir.
// It fails when dir is not a directory.
func Snapshot(dir string) (*Dir, error) {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, fmt.Errorf("offline snapshot %s: %w; give a directory laid out as the Hub's URL paths (see 'pedigree snapshot')", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("offline snapshot %s: not a directory; give a directory laid out as the Hub's URL paths (see 'pedigree snapshot')", dir)
	}
	return &Dir{root: dir, folders: map[string][]string{}}, nil
}

// Root returns the snapshot's directory.
func (d *Dir) Root() string { return d.root }

// Get implements [Store]. It reads Path, then each alternate, and matches
// path segments case-insensitively when the exact spelling is absent, as
// the Hub matches repository ids.
func (d *Dir) Get(ctx context.Context, r Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var first string
	for i, p := range append([]string{r.Path}, r.Alternates...) {
		rel, ok := SnapshotFile(p)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not a path a snapshot can hold", sources.ErrMalformed, p)
		}
		if i == 0 {
			first = rel
		}
		data, err := d.read(rel)
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("offline snapshot %s: %w", d.root, err)
		}
		if rerr, ok := d.readRefusal(rel); ok {
			return nil, rerr
		}
	}
	return nil, fmt.Errorf("%w: %s is not in the offline snapshot %s (%w)", sources.ErrNotFound, first, d.root, sources.ErrOffline)
}

// maxSnapshotFile bounds the size of one snapshot file read whole.
const maxSnapshotFile = 64 << 20

// read reads rel, trying case-insensitive matches of its segments when the
// exact path is absent.
func (d *Dir) read(rel string) ([]byte, error) {
	full := filepath.Join(d.root, filepath.FromSlash(rel))
	data, err := readLimited(full)
	if !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	alt, ok := d.fold(rel)
	if !ok {
		return nil, err
	}
	return readLimited(filepath.Join(d.root, filepath.FromSlash(alt)))
}

// readLimited reads a regular file of at most maxSnapshotFile bytes.
func readLimited(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", p, fs.ErrNotExist)
	}
	if fi.Size() > maxSnapshotFile {
		return nil, fmt.Errorf("%s is %d bytes, over the %d byte limit for snapshot files", p, fi.Size(), maxSnapshotFile)
	}
	return os.ReadFile(p)
}

// fold finds rel with each segment matched case-insensitively.
func (d *Dir) fold(rel string) (string, bool) {
	segs := strings.Split(rel, "/")
	cur := ""
	for _, seg := range segs {
		names := d.list(cur)
		match := ""
		for _, n := range names {
			if n == seg {
				match = n
				break
			}
			if match == "" && strings.EqualFold(n, seg) {
				match = n
			}
		}
		if match == "" {
			return "", false
		}
		cur = path.Join(cur, match)
	}
	return cur, true
}

// list returns the names in folder rel of the snapshot, cached.
func (d *Dir) list(rel string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if names, ok := d.folders[rel]; ok {
		return names
	}
	entries, _ := os.ReadDir(filepath.Join(d.root, filepath.FromSlash(rel)))
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	d.folders[rel] = names
	return names
}

// Recorder is a [Store] that writes every body another store answers into
// a snapshot directory, under the request's path and its alternates, so
// that a [Snapshot] of that directory answers the same requests offline.
type Recorder struct {
	next    Store
	root    string
	written atomic.Int64
}

// Written returns how many snapshot files the recorder wrote.
func (r *Recorder) Written() int64 { return r.written.Load() }

// Record returns a recorder of next's answers into dir, creating dir.
func Record(next Store, dir string) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot directory %s: %w", dir, err)
	}
	return &Recorder{next: next, root: dir}, nil
}

// Get implements [Store]. A refusal (a missing, gated or private
// repository or file) is recorded too, as a sidecar file next to where the
// answer would be (PATH.error), so that the snapshot replays it.
func (r *Recorder) Get(ctx context.Context, req Request) ([]byte, error) {
	data, err := r.next.Get(ctx, req)
	if err != nil {
		if refusal(err) != "" {
			if werr := r.writeRefusal(req.Path, err); werr != nil {
				return nil, werr
			}
		}
		return nil, err
	}
	for _, p := range append([]string{req.Path}, req.Alternates...) {
		if err := r.Write(p, data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Write records body as the answer to path.
func (r *Recorder) Write(p string, body []byte) error {
	rel, ok := SnapshotFile(p)
	if !ok {
		return fmt.Errorf("%w: %q is not a path a snapshot can hold", sources.ErrMalformed, p)
	}
	return r.writeFile(rel, body)
}

// writeFile writes body to rel in the snapshot, atomically.
func (r *Recorder) writeFile(rel string, body []byte) error {
	full := filepath.Join(r.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(full), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	_, werr := f.Write(body)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), full)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write snapshot %s: %w", full, werr)
	}
	r.written.Add(1)
	return nil
}

// refusedAnswer is the content of a PATH.error sidecar file.
type refusedAnswer struct {
	Error   string `json:"error"`   // not_found or unauthorized
	Message string `json:"message"` // the error as the store gave it
}

// refusal names the recorded kind of err: not_found or unauthorized, or
// "" for errors that are not the service's answer (offline, transport).
func refusal(err error) string {
	switch {
	case errors.Is(err, sources.ErrOffline):
		return ""
	case errors.Is(err, sources.ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, sources.ErrNotFound):
		return "not_found"
	}
	return ""
}

// writeRefusal records err as the answer to path.
func (r *Recorder) writeRefusal(p string, err error) error {
	rel, ok := SnapshotFile(p)
	if !ok {
		return fmt.Errorf("%w: %q is not a path a snapshot can hold", sources.ErrMalformed, p)
	}
	body, merr := json.Marshal(refusedAnswer{Error: refusal(err), Message: err.Error()})
	if merr != nil {
		return merr
	}
	return r.writeFile(rel+".error", body)
}

// replayedError is a refusal read back from a snapshot: the same message
// and the same sentinel as when it was recorded.
type replayedError struct {
	msg      string
	sentinel error
}

func (e *replayedError) Error() string { return e.msg }
func (e *replayedError) Unwrap() error { return e.sentinel }

// readRefusal reads the PATH.error sidecar of rel, if any.
func (d *Dir) readRefusal(rel string) (error, bool) {
	data, err := d.read(rel + ".error")
	if err != nil {
		return nil, false
	}
	var a refusedAnswer
	if json.Unmarshal(data, &a) != nil || a.Message == "" {
		return nil, false
	}
	switch a.Error {
	case "unauthorized":
		return &replayedError{a.Message, sources.ErrUnauthorized}, true
	case "not_found":
		return &replayedError{a.Message, sources.ErrNotFound}, true
	}
	return nil, false
}

// recordAlias is implemented by stores that record, so that the source can
// file a body it read under a further path (a repository info under the
// commit it names).
type recordAlias interface {
	Write(path string, body []byte) error
}

// Online is the [Store] reading the Hub over HTTP.
type Online struct {
	client   *httpclient.Client
	endpoint string
	maxPages int
}

// OnlineStats counts what an [Online] store's HTTP client did.
type OnlineStats = httpclient.Stats

// Stats returns what the store's HTTP client did so far.
func (o *Online) Stats() OnlineStats { return o.client.Stats() }

// Endpoint returns the base URL requests go to.
func (o *Online) Endpoint() string { return o.endpoint }

// maxTreePages bounds how many pages of a paginated listing are read.
const maxTreePages = 200

// Get implements [Store]. A paginated listing (a Link header with
// rel="next") is read page after page, up to a bound, and answered as one
// JSON array.
func (o *Online) Get(ctx context.Context, r Request) ([]byte, error) {
	u := o.endpoint + "/" + r.Path
	if r.Query != "" {
		u += "?" + r.Query
	}
	var pages [][]byte
	for page := 0; ; page++ {
		resp, err := o.client.Get(ctx, u)
		if err != nil {
			return nil, classifyTransport(err)
		}
		if err := statusError(resp); err != nil {
			return nil, err
		}
		if htmlPage(resp, r.Path) {
			return nil, fmt.Errorf("%w: %s answered an HTML page instead of the data (a sign-in page, captive portal or proxy error?); check HF_ENDPOINT and the network",
				sources.ErrMalformed, resp.URL)
		}
		next := nextLink(resp.Header.Values("Link"))
		if page == 0 && next == "" {
			return resp.Body, nil
		}
		pages = append(pages, resp.Body)
		if next == "" {
			break
		}
		if page+1 >= o.maxPages {
			// A cut listing would read as the whole one: a file past the
			// cut could change every verdict about the files.
			return nil, fmt.Errorf("%w: %s: the listing has more than %d pages; Pedigree reads at most that many", errListingTooLong, o.endpoint+"/"+r.Path, o.maxPages)
		}
		u = resolveLink(resp.FinalURL, next)
	}
	return joinPages(pages)
}

// htmlPage reports whether a successful answer to a request for path p is
// an HTML document where the Hub sends data: the API's JSON, or a raw file
// that is not itself an HTML file. Sign-in pages, captive portals and proxy
// error pages answer so, often with status 200.
func htmlPage(resp *httpclient.Response, p string) bool {
	ct := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Type")))
	if !strings.HasPrefix(ct, "text/html") {
		return false
	}
	if ext := strings.ToLower(path.Ext(p)); ext == ".html" || ext == ".htm" {
		return false
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(resp.Body, []byte("\xef\xbb\xbf")), " \t\r\n")
	head = bytes.ToLower(head[:min(len(head), len("<!doctype html"))])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// errListingTooLong is the error of a paginated listing longer than the
// pages Online reads.
var errListingTooLong = fmt.Errorf("%w: listing too long", sources.ErrMalformed)

// joinPages joins JSON array pages into one array.
func joinPages(pages [][]byte) ([]byte, error) {
	var all []json.RawMessage
	for i, p := range pages {
		var items []json.RawMessage
		if err := json.Unmarshal(p, &items); err != nil {
			return nil, fmt.Errorf("%w: page %d of a listing is not a JSON array: %v", sources.ErrMalformed, i+1, err)
		}
		all = append(all, items...)
	}
	if all == nil {
		all = []json.RawMessage{}
	}
	return json.Marshal(all)
}

// linkNext finds the URL of rel="next" in a Link header.
var linkNext = regexp.MustCompile(`<([^>]*)>\s*;[^,]*rel="?next"?`)

// nextLink returns the next-page URL of Link headers, or "".
func nextLink(values []string) string {
	for _, v := range values {
		if m := linkNext.FindStringSubmatch(v); m != nil {
			return m[1]
		}
	}
	return ""
}

// classifyTransport wraps a client error in the sentinel of its kind.
func classifyTransport(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, httpclient.ErrRateLimited):
		return fmt.Errorf("%w: %v", sources.ErrRateLimited, err)
	case errors.Is(err, httpclient.ErrTooLarge), errors.Is(err, httpclient.ErrRedirect):
		return fmt.Errorf("%w: %v", sources.ErrMalformed, err)
	case errors.Is(err, httpclient.ErrTimeout), errors.Is(err, httpclient.ErrTransport):
		return fmt.Errorf("%w: %v", sources.ErrUnavailable, err)
	}
	return err
}

// statusError maps a Hub answer that is not a success to a classified
// error, reading the Hub's X-Error-Code and X-Error-Message headers.
func statusError(resp *httpclient.Response) error {
	if resp.Status >= 200 && resp.Status < 300 {
		return nil
	}
	code := resp.Header.Get("X-Error-Code")
	msg := resp.Header.Get("X-Error-Message")
	what := fmt.Sprintf("HTTP %d from %s", resp.Status, resp.URL)
	if code != "" || msg != "" {
		what += fmt.Sprintf(" (%s)", strings.TrimSpace(strings.Trim(code+": "+msg, ": ")))
	}
	switch {
	case code == "RepoNotFound" || code == "EntryNotFound" || code == "RevisionNotFound" || resp.Status == 404 || resp.Status == 410:
		if resp.Status == 401 {
			what += "; a private repository reads as missing without a token: set HF_TOKEN if you have access"
		}
		return fmt.Errorf("%w: %s", sources.ErrNotFound, what)
	case code == "GatedRepo" || code == "DisabledRepo" || resp.Status == 401 || resp.Status == 403 || resp.Status == 451:
		return fmt.Errorf("%w: %s; the repository is gated, private or disabled: request access on the Hub and set HF_TOKEN", sources.ErrUnauthorized, what)
	case resp.Status == 429:
		return fmt.Errorf("%w: %s", sources.ErrRateLimited, what)
	case resp.Status >= 500:
		return fmt.Errorf("%w: %s", sources.ErrUnavailable, what)
	}
	return errors.New(what)
}
