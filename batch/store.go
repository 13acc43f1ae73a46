package batch

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
)

// Status of a catalog entry in the state store.
type Status string

// Statuses of stored entries. An entry with no record has not been
// assessed yet.
const (
	// StatusDone: the entry was assessed and its report is stored.
	StatusDone Status = "done"
	// StatusFailed: the assessed subject itself could not be read (no
	// source could read it), or a part of its lineage could not be read
	// for a reason that may pass (a rate limit, a network or server error,
	// the time limit). Its report is stored too; a run with --retry-failed
	// assesses it again.
	StatusFailed Status = "failed"
)

// Record is what the store keeps for one catalog entry.
type Record struct {
	// Key is the entry's reference as given in the catalog.
	Key string
	// Status says whether the entry was assessed or its subject could not
	// be read.
	Status Status
	// Error says why the subject, or a part of its lineage, could not be
	// read; empty when done.
	Error string
	// Level is the report's score level.
	Level string
	// Score is the report's score.
	Score float64
	// Report is the report as one line of JSON, without the trailing
	// newline.
	Report []byte
	// UpdatedAt is when the record was stored. Put stores the current time
	// when it is zero; Get returns it in UTC.
	UpdatedAt time.Time
}

// Store is the resumable state of a batch run: an SQLite database file.
//
// The file is created with user-only permissions (0600) when missing. Every
// Put is its own committed transaction, in the write-ahead log before Put
// returns, so a process killed at any moment (SIGKILL included) loses at
// most the records being written and never corrupts the others. A power
// loss may roll back the last commits (the log is not fsynced at every
// commit), which a re-run assesses again. A Store holds the file
// exclusively until Close: a second run opening the same file waits for
// the busy timeout, then fails with an error saying the file is in use.
//
// A Store is safe for concurrent use by the goroutines of one process.
type Store struct {
	db   *sql.DB
	path string
	gz   sync.Pool // *gzip.Writer
}

// Schema constants; see docs/batch-internals.md.
const (
	// applicationID marks a pedigree batch state ("PDGR") in the SQLite
	// header (PRAGMA application_id).
	applicationID = 0x50444752
	// schemaVersion is the layout of the state (PRAGMA user_version).
	schemaVersion = 1
	// DefaultBusyTimeout is how long Open waits for another run that holds
	// the state file before it gives up.
	DefaultBusyTimeout = 5 * time.Second
	// maxReportBytes bounds one report: stored, once decompressed, and one
	// line read by Merge, so a damaged or hostile file cannot exhaust
	// memory. Real reports are well under a megabyte.
	maxReportBytes = 256 << 20
)

const schema = `
CREATE TABLE IF NOT EXISTS records (
	key        TEXT PRIMARY KEY NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('done', 'failed')),
	error      TEXT NOT NULL,
	level      TEXT NOT NULL,
	score      REAL NOT NULL,
	report     BLOB NOT NULL,
	size       INTEGER NOT NULL,
	updated_at TEXT NOT NULL
)`

// Option configures Open.
type Option func(*options)

type options struct {
	busy time.Duration
}

// WithBusyTimeout sets how long Open waits for another run holding the
// state file; the default is [DefaultBusyTimeout]. A negative duration
// means zero (fail at once).
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busy = max(d, 0) }
}

// Open opens the state database at path, creating it (mode 0600) when
// missing. The error of a file that is not a state database, or that
// another run holds, names the file and says what to do.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{busy: DefaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("batch: open state: no file named; give the path of a state file")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("batch: open state %s: %w", path, err)
	}
	if err := createFile(path, abs); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs, o.busy))
	if err != nil {
		return nil, fmt.Errorf("batch: open state %s: %w", path, err)
	}
	// One connection: it holds the file's exclusive lock for the Store's
	// life, and SQLite serializes writers anyway.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, path: path}
	if err := s.init(ctx); err != nil {
		// A file this call created is left in place: another run may have
		// opened it meanwhile, and an empty file is a valid new state.
		db.Close()
		return nil, s.openErr(err, o.busy)
	}
	return s, nil
}

// createFile creates the state file with mode 0600 when it does not
// exist. SQLite gives its write-ahead log the same mode.
func createFile(path, abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("batch: create state %s: %w", path, err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		st, err := os.Stat(abs)
		if err != nil {
			return fmt.Errorf("batch: open state %s: %w", path, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("batch: open state %s: not a regular file; give the path of a state file", path)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("batch: create state %s: directory %s does not exist; create it first", path, filepath.Dir(abs))
	default:
		return fmt.Errorf("batch: create state %s: %w", path, err)
	}
}

// dsn is the data source name of the state at abs. The pragmas run on
// every connection, in this order: busy timeout, exclusive locking (before
// the first access, so the write-ahead log keeps its index in memory and no
// other process can open the file), then WAL journal and normal sync
// (durable against a killed process; see docs/batch-internals.md).
func dsn(abs string, busy time.Duration) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// init checks that the file is a state database of a version this package
// reads, and creates the schema in a new one.
func (s *Store) init(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not wal", mode)
	}
	var app, version, objects int64
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return err
	}
	switch {
	case app == 0 && objects == 0:
		// A new file: create the schema.
	case app != applicationID:
		return errForeign
	case version > schemaVersion:
		return errNewer
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		schema,
		fmt.Sprintf("PRAGMA application_id = %d", applicationID),
		fmt.Sprintf("PRAGMA user_version = %d", schemaVersion),
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

var (
	errForeign = errors.New("foreign database")
	errNewer   = errors.New("newer schema")
)

// openErr turns an error of Open into one that names the file and says
// what to do.
func (s *Store) openErr(err error, busy time.Duration) error {
	switch {
	case errors.Is(err, errForeign):
		return fmt.Errorf("batch: %s is an SQLite database of another application, not a pedigree batch state; give another state file", s.path)
	case errors.Is(err, errNewer):
		return fmt.Errorf("batch: state %s was written by a newer version of pedigree (schema above %d); use that version or another state file", s.path, schemaVersion)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("batch: %s is not a pedigree batch state (not an SQLite database); give another state file or remove this one: %w", s.path, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("batch: state %s is in use by another run (waited %s); wait for that run to finish or give another state file: %w", s.path, busy, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("batch: state %s is corrupt; restore it from a backup or remove it to start over: %w", s.path, err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("batch: cannot write state %s; check the permissions of the file and its directory: %w", s.path, err)
		}
	}
	return fmt.Errorf("batch: open state %s: %w", s.path, err)
}

// Close closes the store and releases the file. The write-ahead log is
// folded into the database file when the last connection closes.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("batch: close state %s: %w", s.path, err)
	}
	return nil
}

// Put stores r, replacing the record of the same key, in its own
// transaction: once Put returns nil the record survives the process being
// killed at any moment.
//
// The record must have a key, a known status, an error exactly when it
// failed, a finite score and a report that is one line of valid JSON (one
// trailing newline is dropped).
func (s *Store) Put(ctx context.Context, r Record) error {
	line, err := checkRecord(r)
	if err != nil {
		return fmt.Errorf("batch: put in %s: %w", s.path, err)
	}
	blob, err := s.compress(line)
	if err != nil {
		return fmt.Errorf("batch: put %q in %s: %w", r.Key, s.path, err)
	}
	at := r.UpdatedAt
	if at.IsZero() {
		at = time.Now()
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO records (key, status, error, level, score, report, size, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET status = excluded.status, error = excluded.error, level = excluded.level,
	score = excluded.score, report = excluded.report, size = excluded.size, updated_at = excluded.updated_at`,
		r.Key, string(r.Status), r.Error, r.Level, r.Score, blob, len(line), at.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("batch: put %q in %s: %w", r.Key, s.path, err)
	}
	return nil
}

// checkRecord validates r and returns its report line.
func checkRecord(r Record) ([]byte, error) {
	if r.Key == "" {
		return nil, errors.New("record has no key; key records by the entry's reference")
	}
	switch r.Status {
	case StatusDone:
		if r.Error != "" {
			return nil, fmt.Errorf("record %q is done but has an error; use status failed or drop the error", r.Key)
		}
	case StatusFailed:
		if r.Error == "" {
			return nil, fmt.Errorf("record %q failed without an error; say why it failed", r.Key)
		}
	default:
		return nil, fmt.Errorf("record %q has status %q; want %q or %q", r.Key, r.Status, StatusDone, StatusFailed)
	}
	if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
		return nil, fmt.Errorf("record %q has score %v; want a finite number", r.Key, r.Score)
	}
	line := bytes.TrimSuffix(r.Report, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	switch {
	case len(line) == 0:
		return nil, fmt.Errorf("record %q has no report; store the report of every assessed entry", r.Key)
	case len(line) > maxReportBytes:
		return nil, fmt.Errorf("record %q has a report of %d bytes, above the limit of %d", r.Key, len(line), maxReportBytes)
	case bytes.IndexByte(line, '\n') >= 0:
		return nil, fmt.Errorf("record %q has a report of several lines; store it as one JSON line (report.WriteJSONLine)", r.Key)
	case !json.Valid(line):
		return nil, fmt.Errorf("record %q has a report that is not valid JSON", r.Key)
	}
	return line, nil
}

// compress gzips a report line.
func (s *Store) compress(line []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(line)/8 + 64)
	zw, _ := s.gz.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		zw.Reset(&buf)
	}
	defer s.gz.Put(zw)
	if _, err := zw.Write(line); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decompress writes the report stored as blob (size bytes once
// decompressed) to w.
func decompress(w io.Writer, blob []byte, size int64) error {
	if size <= 0 || size > maxReportBytes {
		return fmt.Errorf("stored report size %d is out of range", size)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return fmt.Errorf("stored report: %w", err)
	}
	n, err := io.Copy(w, io.LimitReader(zr, size+1))
	if err != nil {
		return fmt.Errorf("stored report: %w", err)
	}
	if n != size {
		return fmt.Errorf("stored report is %d bytes, not the %d recorded", n, size)
	}
	return zr.Close()
}

// Get returns the record of key and whether there is one.
func (s *Store) Get(ctx context.Context, key string) (Record, bool, error) {
	r, blob, size, ok, err := s.get(ctx, key)
	if err != nil || !ok {
		return Record{}, ok, err
	}
	var buf bytes.Buffer
	buf.Grow(int(min(max(size, 0), 1<<20)))
	if err := decompress(&buf, blob, size); err != nil {
		return Record{}, false, fmt.Errorf("batch: get %q from %s: %w; the state is damaged, remove the entry's record to assess it again", key, s.path, err)
	}
	r.Report = buf.Bytes()
	return r, true, nil
}

// get reads the record of key with its report still compressed.
func (s *Store) get(ctx context.Context, key string) (r Record, blob []byte, size int64, ok bool, err error) {
	var status, at string
	err = s.db.QueryRowContext(ctx, `SELECT status, error, level, score, report, size, updated_at FROM records WHERE key = ?`, key).
		Scan(&status, &r.Error, &r.Level, &r.Score, &blob, &size, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, nil, 0, false, nil
	}
	if err != nil {
		return Record{}, nil, 0, false, fmt.Errorf("batch: get %q from %s: %w", key, s.path, err)
	}
	r.Key, r.Status = key, Status(status)
	if r.UpdatedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return Record{}, nil, 0, false, fmt.Errorf("batch: get %q from %s: updated_at: %w", key, s.path, err)
	}
	return r, blob, size, true, nil
}

// Statuses returns the status of every stored key, for a run to skip what
// is already done.
func (s *Store) Statuses(ctx context.Context) (map[string]Status, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, status FROM records`)
	if err != nil {
		return nil, fmt.Errorf("batch: read statuses from %s: %w", s.path, err)
	}
	defer rows.Close()
	out := map[string]Status{}
	for rows.Next() {
		var key, status string
		if err := rows.Scan(&key, &status); err != nil {
			return nil, fmt.Errorf("batch: read statuses from %s: %w", s.path, err)
		}
		out[key] = Status(status)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("batch: read statuses from %s: %w", s.path, err)
	}
	return out, nil
}

// Count returns how many entries are done and how many failed.
func (s *Store) Count(ctx context.Context) (done, failed int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
	coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'failed'), 0) FROM records`).Scan(&done, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("batch: count records in %s: %w", s.path, err)
	}
	return done, failed, nil
}

// RecordOf builds the record of an entry's report: failed when the
// assessed subject (the report's root lineage node) could not be read, with
// the node's reason as Error; done otherwise. Report is the compact JSON
// line of r. UpdatedAt is left zero for Put to fill.
func RecordOf(key string, r *risk.Report) (Record, error) {
	if key == "" {
		return Record{}, errors.New("batch: record of a report: no key; key records by the entry's reference")
	}
	if r == nil {
		return Record{}, fmt.Errorf("batch: record of %q: no report", key)
	}
	var buf bytes.Buffer
	if err := report.WriteJSONLine(&buf, r); err != nil {
		return Record{}, fmt.Errorf("batch: record of %q: %w", key, err)
	}
	rec := Record{
		Key:    key,
		Status: StatusDone,
		Level:  string(r.Score.Level),
		Score:  r.Score.Value,
		Report: bytes.TrimSuffix(buf.Bytes(), []byte("\n")),
	}
	if root := r.Root(); root.State == risk.NodeFailed {
		rec.Status = StatusFailed
		rec.Error = root.Reason
		if rec.Error == "" {
			rec.Error = "no source could read the subject"
		}
	} else if why := passingFailure(r); why != "" {
		rec.Status = StatusFailed
		rec.Error = why
	}
	return rec, nil
}

// retryable are the categories of source failures that may pass (see
// sources.Category): a rate limit, a service unavailable, a canceled read,
// an unclassified error.
var retryable = map[string]bool{"rate_limited": true, "unavailable": true, "canceled": true, "error": true}

// passingFailure says which part of r's lineage could not be read for a
// reason that may pass, or "" when none: a source status failed or partial
// in a retryable category, or a subject the time limit cut off.
func passingFailure(r *risk.Report) string {
	for _, st := range r.Sources {
		if st.State != risk.StateFailed && st.State != risk.StatePartial {
			continue
		}
		cat, _, _ := strings.Cut(st.Reason, ":")
		if retryable[cat] {
			return fmt.Sprintf("%s could not be read in full by %s (%s); the cause may pass", st.Subject, st.Source, st.Reason)
		}
	}
	for _, n := range r.Lineage.Nodes {
		if n.State != risk.NodeCollected && strings.Contains(n.Reason, "time limit") {
			return fmt.Sprintf("%s: %s", n.ID, n.Reason)
		}
	}
	return ""
}
