package osv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/osv-scanner/v2/pkg/models"
	"github.com/google/osv-scanner/v2/pkg/osvscanner"

	"github.com/pedigree-ai/pedigree/sources"
)

// scanSlot serialises osv-scanner scans in the process: osvscanner.DoScan
// logs through a process-wide logger, which each scan replaces, and is not
// documented as safe for concurrent use. A scan holds the slot until
// DoScan returns, even when its caller has given up waiting.
var scanSlot = make(chan struct{}, 1)

// Messages osv-scanner logs, and only logs, when its vulnerability
// matcher fails.
const (
	failOnline  = "(extracting as vulnmatch/osvdev)"
	failOffline = "(extracting as vulnmatch/osvlocal)"
)

// scanRequest is one DoScan to run.
type scanRequest struct {
	// dir is a folder whose top-level files are scanned, or "".
	dir string
	// generated is a file written to a scratch folder and scanned, or nil.
	generated *generatedFile
	// extractOnly lists packages without matching them against the OSV
	// database: no database is read and no request is made.
	extractOnly bool
	// dbRoot, offline, is the database root osv-scanner reads; the
	// source's DBDir when empty.
	dbRoot string
}

// generatedFile is a lockfile the source writes to scan.
type generatedFile struct {
	parseAs string // the osv-scanner parser: "osv-scanner", "requirements.txt"
	name    string
	data    []byte
}

// scanResult is what one DoScan gave.
type scanResult struct {
	res models.VulnerabilityResults
	// bodies maps the URLs read online to the digest of their bodies.
	bodies map[string]string
}

// scan runs one osv-scanner scan for req and classifies its failures. It
// returns ctx.Err() as soon as ctx is done; the scan itself then finishes
// in the background.
func (s *Source) scan(ctx context.Context, req scanRequest) (*scanResult, error) {
	select {
	case scanSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tmp, err := os.MkdirTemp("", "pedigree-osv-")
	if err != nil {
		<-scanSlot
		return nil, fmt.Errorf("create a scratch folder: %w", err)
	}
	// An empty configuration replaces every osv-scanner.toml next to the
	// scanned files, so that a folder cannot hide its own advisories.
	cfg := filepath.Join(tmp, "osv-scanner.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		<-scanSlot
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("write the scan configuration: %w", err)
	}

	var lockfiles []string
	if g := req.generated; g != nil {
		path := filepath.Join(tmp, g.name)
		if err := os.WriteFile(path, g.data, 0o600); err != nil {
			<-scanSlot
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("write the package list: %w", err)
		}
		lockfiles = append(lockfiles, g.parseAs+":"+path)
	}

	logs := newErrorLog(s.logger.Handler().WithAttrs([]slog.Attr{slog.String("source", Name)}))
	rec := &recorder{}
	a := osvscanner.ScannerActions{
		LockfilePaths:      lockfiles,
		ConfigOverridePath: cfg,
		NoIgnore:           true,
		ShowAllPackages:    true,
	}
	if req.dir != "" {
		a.DirectoryPaths = []string{req.dir}
	}
	a.TransitiveScanning.Disabled = true
	switch {
	case req.extractOnly:
		a.PluginNetworkDisabled = true
		a.PluginsDisabled = []string{"vulnmatch/osvdev", "vulnmatch/osvlocal"}
	case s.dbDir != "":
		a.CompareOffline = true
		a.LocalDBPath = s.dbDir
		if req.dbRoot != "" {
			a.LocalDBPath = req.dbRoot
		}
		// Required, not only prudent: osv-scalibr runs the offline matcher
		// only in a scan declared offline. In a scan declared online (the
		// osv-scanner CLI's --offline-vulnerabilities without --offline) it
		// drops the matcher, logs "Disabling plugin" (which osv-scanner's
		// log handler swallows) and finds no vulnerability.
		a.PluginNetworkDisabled = true
	default:
		c := *s.client
		base := c.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		c.Transport = &recordingTransport{base: base, rec: rec}
		a.HTTPClient = &c
	}

	type outcome struct {
		res models.VulnerabilityResults
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() { <-scanSlot }()
		osvscanner.SetLogger(logs)
		res, err := osvscanner.DoScan(a)
		// Removed before the outcome is handed over: a process that exits
		// right after its last scan leaves nothing behind.
		os.RemoveAll(tmp)
		done <- outcome{res, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}

	switch {
	case errors.Is(out.err, osvscanner.ErrVulnerabilitiesFound), errors.Is(out.err, osvscanner.ErrNoPackagesFound):
	case out.err != nil:
		return nil, fmt.Errorf("osv-scanner: %w", out.err)
	}
	if msg, ok := logs.first(failOffline); ok {
		return nil, fmt.Errorf("%w: the offline OSV database in %s could not be read: %s", sources.ErrOffline, s.dbDir, msg)
	}
	if msg, ok := logs.first(failOnline); ok {
		return nil, fmt.Errorf("%w: the OSV API could not be queried: %s", sources.ErrUnavailable, msg)
	}
	if !req.extractOnly && s.dbDir == "" {
		if err := rec.failure(); err != nil {
			return nil, err
		}
	}
	return &scanResult{res: out.res, bodies: rec.digests()}, nil
}

// checkDB reports, offline, an ecosystem the database lacks.
func (s *Source) checkDB(eco string) error {
	if s.dbDir == "" {
		return nil
	}
	base, _, _ := strings.Cut(eco, ":")
	zip := s.zipPath(base)
	info, err := os.Stat(zip)
	if err != nil || !info.Mode().IsRegular() {
		return fmt.Errorf("%w: the offline OSV database has no %s records: %s is missing; download https://osv-vulnerabilities.storage.googleapis.com/%s/all.zip to it", sources.ErrOffline, base, zip, base)
	}
	return nil
}

// zipPath returns where the offline database keeps eco's records.
func (s *Source) zipPath(eco string) string {
	return filepath.Join(s.dbDir, "osv-scalibr", eco, "all.zip")
}

// errorLog is the slog handler installed for one scan. It keeps the
// messages of ERROR records and passes every record on.
type errorLog struct {
	next   slog.Handler
	shared *kept
}

// kept holds the error messages of one scan, shared by derived handlers.
type kept struct {
	mu   sync.Mutex
	msgs []string
}

// newErrorLog returns an errorLog passing records on to next.
func newErrorLog(next slog.Handler) *errorLog {
	return &errorLog{next: next, shared: &kept{}}
}

// Enabled implements slog.Handler: errors are always kept.
func (l *errorLog) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelError || l.next.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (l *errorLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		l.shared.mu.Lock()
		l.shared.msgs = append(l.shared.msgs, r.Message)
		l.shared.mu.Unlock()
	}
	if l.next.Enabled(ctx, r.Level) {
		return l.next.Handle(ctx, r)
	}
	return nil
}

// WithAttrs implements slog.Handler; the derived handler shares the kept
// messages.
func (l *errorLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &errorLog{next: l.next.WithAttrs(attrs), shared: l.shared}
}

// WithGroup implements slog.Handler; the derived handler shares the kept
// messages.
func (l *errorLog) WithGroup(name string) slog.Handler {
	return &errorLog{next: l.next.WithGroup(name), shared: l.shared}
}

// first returns the first kept error message containing sub.
func (l *errorLog) first(sub string) (string, bool) {
	l.shared.mu.Lock()
	defer l.shared.mu.Unlock()
	for _, m := range l.shared.msgs {
		if strings.Contains(m, sub) {
			return m, true
		}
	}
	return "", false
}

// recorder notes what the requests of one online scan to the OSV API got:
// how the last attempt of each request went, and the digest of every body
// read in full.
type recorder struct {
	mu     sync.Mutex
	last   map[string]string // "METHOD URL" -> "" on success, else what failed
	order  []string          // keys of last in first-request order
	bodies map[string]string // URL -> sha256 digest
}

// note records how a request went; problem is "" on success.
func (r *recorder) note(key, problem string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = make(map[string]string)
	}
	if _, seen := r.last[key]; !seen {
		r.order = append(r.order, key)
	}
	r.last[key] = problem
}

// failure returns an error for the first request whose last attempt
// failed, or nil. osv-scanner retries failed requests itself, so an
// attempt that failed and was retried successfully is not a failure.
func (r *recorder) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.order {
		if p := r.last[k]; p != "" {
			return fmt.Errorf("%w: the OSV API failed: %s: %s", sources.ErrUnavailable, k, p)
		}
	}
	return nil
}

func (r *recorder) body(url, digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bodies == nil {
		r.bodies = make(map[string]string)
	}
	r.bodies[url] = digest
}

func (r *recorder) digests() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.bodies))
	for k, v := range r.bodies {
		out[k] = v
	}
	return out
}

// recordingTransport passes requests to base and tells rec how the ones to
// the OSV API went.
type recordingTransport struct {
	base http.RoundTripper
	rec  *recorder
}

// RoundTrip implements http.RoundTripper.
func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	url := req.URL.String()
	if !strings.HasPrefix(url, osvAPI+"/") {
		return resp, err
	}
	key := req.Method + " " + url
	switch {
	case err != nil:
		t.rec.note(key, err.Error())
		return nil, err
	case resp.StatusCode/100 != 2:
		t.rec.note(key, resp.Status)
		return resp, nil
	}
	t.rec.note(key, "")
	resp.Body = &hashingBody{ReadCloser: resp.Body, h: sha256.New(), done: func(sum string) { t.rec.body(url, sum) }}
	return resp, nil
}

// hashingBody digests a response body as it is read and reports the
// digest once the body is read to its end.
type hashingBody struct {
	io.ReadCloser
	h    hash.Hash
	done func(string)
	sent bool
}

// Read implements io.Reader.
func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.h.Write(p[:n])
	if errors.Is(err, io.EOF) && !b.sent {
		b.sent = true
		b.done("sha256:" + hex.EncodeToString(b.h.Sum(nil)))
	}
	return n, err
}
