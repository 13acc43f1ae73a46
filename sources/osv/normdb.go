package osv

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// normalizedEcosystems lists the ecosystems whose package names OSV
// compares case- and separator-insensitively, and which osv-scanner's
// offline matcher nevertheless compares byte for byte against the names
// the records spell (osv-scalibr normalises the scanned package's name,
// "Jinja2" to "jinja2", but not the record's "Jinja2").
var normalizedEcosystems = map[string]bool{"PyPI": true}

// derivedDBs keeps, per offline database zip, a copy whose package names
// are normalised as osv-scalibr normalises the scanned packages' names,
// so that a record naming "Pillow" matches the package "pillow". A copy is
// made once per database version (sha256 of the zip) and kept in the cache
// folder; a database whose names are all normalised is used as it is.
type derivedDBs struct {
	mu sync.Mutex
	// dir is the cache folder; "" until first needed when the caller
	// gave none.
	dir string
	// roots maps the digest of an original zip to the database root
	// osv-scanner reads its ecosystem from.
	roots map[string]string
}

// cacheDir returns the folder derived databases are kept in; it is
// created when a copy is first written.
func (d *derivedDBs) cacheDir() (string, error) {
	if d.dir != "" {
		return d.dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		// No per-user cache: a private folder for this process.
		tmp, err := os.MkdirTemp("", "pedigree-osv-db-")
		if err != nil {
			return "", fmt.Errorf("create a folder for the normalised OSV database: %w; set Options.CacheDir", err)
		}
		d.dir = tmp
		return d.dir, nil
	}
	d.dir = filepath.Join(base, "pedigree", "osv-db")
	return d.dir, nil
}

// matchRoot returns the database root (the folder holding
// osv-scalibr/<Ecosystem>/all.zip) osv-scanner should match eco's packages
// against: the offline database itself, or a copy of eco's zip with its
// package names normalised.
func (s *Source) matchRoot(eco string) (string, error) {
	if !normalizedEcosystems[eco] {
		return s.dbDir, nil
	}
	src := s.zipPath(eco)
	digest, err := s.zips.digest(src)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", src, err)
	}
	d := s.derived
	d.mu.Lock()
	defer d.mu.Unlock()
	if root, ok := d.roots[digest]; ok {
		return root, nil
	}
	dir, err := d.cacheDir()
	if err != nil {
		return "", err
	}
	sum := strings.TrimPrefix(digest, "sha256:")
	if len(sum) > 32 {
		sum = sum[:32]
	}
	root := filepath.Join(dir, eco+"-"+sum)
	dst := filepath.Join(root, "osv-scalibr", eco, "all.zip")
	if info, err := os.Stat(dst); err == nil && info.Mode().IsRegular() {
		d.roots[digest] = root
		return root, nil
	}
	changed, err := normalizeZip(src, dst, eco)
	if err != nil {
		return "", fmt.Errorf("normalise the package names of %s into %s: %w", src, dst, err)
	}
	if changed == 0 {
		root = s.dbDir
	}
	d.roots[digest] = root
	return root, nil
}

// normalizeZip copies the OSV database zip src to dst, rewriting the
// records that name an eco package other than as normalizeName spells it.
// It returns how many records it rewrote; when none, it writes nothing.
// dst appears complete or not at all.
func normalizeZip(src, dst, eco string) (changed int, err error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	// First pass: find the records to rewrite, so that a database that
	// needs none is not copied.
	rewrites := map[*zip.File][]byte{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		b, err := readEntry(f)
		if err != nil {
			return 0, fmt.Errorf("entry %s: %w", f.Name, err)
		}
		if out, ok := normalizeRecord(b, eco); ok {
			rewrites[f] = out
		}
	}
	if len(rewrites) == 0 {
		return 0, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("%w; set Options.CacheDir to a writable folder", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".all.zip-*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	for _, f := range zr.File {
		out, ok := rewrites[f]
		if !ok {
			if err := zw.Copy(f); err != nil {
				return 0, fmt.Errorf("entry %s: %w", f.Name, err)
			}
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return 0, err
		}
		if _, err := w.Write(out); err != nil {
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return 0, err
	}
	return len(rewrites), nil
}

// maxEntry bounds the size of one record read from a database zip.
const maxEntry = 64 << 20

// readEntry returns the content of one zip entry.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxEntry {
		return nil, errors.New("record larger than 64 MiB")
	}
	return b, nil
}

// normalizeRecord returns the OSV record b with the names of its eco
// packages normalised, and whether it changed anything. A record that is
// not a JSON object is left alone: osv-scanner skips it anyway.
func normalizeRecord(b []byte, eco string) ([]byte, bool) {
	// A cheap look at the names first: most records need no change.
	var peek struct {
		Affected []struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
				Name      string `json:"name"`
			} `json:"package"`
		} `json:"affected"`
	}
	if json.Unmarshal(b, &peek) != nil {
		return nil, false
	}
	needed := false
	for _, a := range peek.Affected {
		if base, _, _ := strings.Cut(a.Package.Ecosystem, ":"); base == eco && a.Package.Name != normalizeName(eco, a.Package.Name) {
			needed = true
			break
		}
	}
	if !needed {
		return nil, false
	}
	// Rewrite through a generic decoding: every other field keeps its
	// value (numbers as written), only the names change.
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	affected, _ := doc["affected"].([]any)
	for _, a := range affected {
		am, _ := a.(map[string]any)
		p, _ := am["package"].(map[string]any)
		e, _ := p["ecosystem"].(string)
		name, _ := p["name"].(string)
		if base, _, _ := strings.Cut(e, ":"); base == eco && name != "" {
			p["name"] = normalizeName(eco, name)
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(doc) != nil {
		return nil, false
	}
	return out.Bytes(), true
}
