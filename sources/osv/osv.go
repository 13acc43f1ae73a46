package osv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// Name is the source's name in origins and statuses.
const Name = "osv"

// osvAPI is where osv-scanner queries the OSV database online.
const osvAPI = "https://api.osv.dev"

// Options configure a Source.
type Options struct {
	// DBDir is the root of an offline copy of the OSV database, laid out as
	// osv-scanner expects it: DBDir/osv-scalibr/<Ecosystem>/all.zip. Empty
	// means online: the source queries api.osv.dev.
	DBDir string
	// HTTPClient carries every request of an online scan. It is required
	// when DBDir is empty; the source never falls back to
	// http.DefaultClient.
	HTTPClient *http.Client
	// Clock stamps Origin.RetrievedAt; time.Now when nil.
	Clock func() time.Time
	// Logger receives osv-scanner's log records; they are discarded when
	// nil.
	Logger *slog.Logger
	// CacheDir is where an offline source keeps its copy of the database's
	// PyPI records with the package names normalised (PEP 503), which
	// osv-scanner needs to match a record naming "Jinja2" or "Pillow" (see
	// the package documentation). One copy is kept per database version;
	// the folder may be deleted at any time. Empty means
	// os.UserCacheDir()/pedigree/osv-db.
	CacheDir string
}

// Source reads dependencies and vulnerabilities through osv-scanner. It is
// safe for concurrent use; scans run one at a time (see the package
// documentation).
type Source struct {
	dbDir   string
	client  *http.Client
	clock   func() time.Time
	logger  *slog.Logger
	zips    *digestCache
	derived *derivedDBs
}

// New returns a Source configured by o. It fails when o is online (DBDir
// empty) without an HTTPClient, or when DBDir is not a folder.
func New(o Options) (*Source, error) {
	s := &Source{client: o.HTTPClient, clock: o.Clock, logger: o.Logger, zips: newDigestCache(),
		derived: &derivedDBs{dir: o.CacheDir, roots: map[string]string{}}}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if o.DBDir == "" {
		if o.HTTPClient == nil {
			return nil, errors.New("osv: online mode needs Options.HTTPClient; give an HTTP client, or an offline database in Options.DBDir")
		}
		return s, nil
	}
	abs, err := filepath.Abs(o.DBDir)
	if err != nil {
		return nil, fmt.Errorf("osv: offline database %s: %w", o.DBDir, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("osv: offline database %s: %w; give the folder holding osv-scalibr/<Ecosystem>/all.zip", abs, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("osv: offline database %s is a file; give the folder holding osv-scalibr/<Ecosystem>/all.zip", abs)
	}
	s.dbDir = abs
	return s, nil
}

// Name implements [sources.Source]; it returns "osv".
func (s *Source) Name() string { return Name }

// Supports implements [sources.Source]: it supports local folders and
// package subjects of a known ecosystem that name a version.
func (s *Source) Supports(subj sources.Subject) bool {
	if subj.Path != "" {
		return true
	}
	if subj.Kind != sources.SubjectPackage {
		return false
	}
	_, err := parsePackage(subj)
	return err == nil
}

// Collect implements [sources.Source]. For a local folder it returns the
// folder's dependencies; for a package, the advisories affecting it. See
// the package documentation.
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if subj.Path != "" {
		obs, err := s.collectFolder(ctx, subj)
		if err != nil {
			return nil, sources.Errorf(Name, subj, "scan folder", err)
		}
		return obs, nil
	}
	if subj.Kind != sources.SubjectPackage {
		return nil, sources.Errorf(Name, subj, "scan", fmt.Errorf("%w: %s subjects have no dependencies osv can read; give a local folder or a package", sources.ErrUnsupported, subj.Kind))
	}
	obs, err := s.collectPackage(ctx, subj)
	if err != nil {
		return nil, sources.Errorf(Name, subj, "query package", err)
	}
	return obs, nil
}

// classify wraps a file system error in the sentinel of its category.
func classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %v", sources.ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %v", sources.ErrUnauthorized, err)
	}
	return err
}
