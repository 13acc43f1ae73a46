//go:build ignore

// Command vulndb builds a Go vulnerability database directory in the v1
// layout that govulncheck reads with -db file:///DIR, from the OSV records
// that the golang.org/x/vulndb module ships in data/osv:
//
//	DIR/index/db.json       {"modified": T}
//	DIR/index/modules.json  [{"path", "vulns": [{"id", "modified", "fixed"}]}]
//	DIR/index/vulns.json    [{"id", "modified", "aliases"}]
//	DIR/ID/GO-YYYY-NNNN.json  the OSV record, byte for byte
//
// The layout is the one described at https://go.dev/security/vuln/database#api.
// Records in the repository carry a zero "modified" time (the real time is
// stamped at deploy), so -modified sets the database time, normally the
// commit time of the x/vulndb pseudo-version. Usage, from the repository root:
//
//	go run scripts/vulndb/main.go -osv VULNDB/data/osv -out DIR [-modified RFC3339]
//
// It uses only the standard library so that it runs without touching the
// module graph. scripts/vulncheck.sh runs it.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	osvDir := flag.String("osv", "", "directory of OSV records named <ID>.json (golang.org/x/vulndb's data/osv)")
	outDir := flag.String("out", "", "directory to write the database to; must be empty or not exist")
	modified := flag.String("modified", "", "database modification time (RFC 3339); default: the latest record's modified time")
	flag.Parse()
	if *osvDir == "" || *outDir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/vulndb/main.go -osv DIR -out DIR [-modified RFC3339]")
		os.Exit(2)
	}
	var dbTime time.Time
	if *modified != "" {
		t, err := time.Parse(time.RFC3339, *modified)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vulndb: -modified %q: not an RFC 3339 time such as 2026-11-05T23:49:57Z\n", *modified)
			os.Exit(2)
		}
		dbTime = t.UTC()
	}
	stats, err := build(*osvDir, *outDir, dbTime)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
	fmt.Printf("vulndb: %d records, %d modules, modified %s, written to %s\n",
		stats.records, stats.modules, stats.modified.Format(time.RFC3339), *outDir)
}

// entry is the part of an OSV record that the indexes need.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

// moduleVuln is one element of a module's "vulns" in index/modules.json.
type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

// moduleMeta is one element of index/modules.json.
type moduleMeta struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

// dbMeta is index/db.json.
type dbMeta struct {
	Modified time.Time `json:"modified"`
}

// vulnMeta is one element of index/vulns.json.
type vulnMeta struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

type buildStats struct {
	records, modules int
	modified         time.Time
}

// build reads every *.json record in osvDir and writes the v1 database to
// outDir. A zero dbTime means the latest record modification time.
func build(osvDir, outDir string, dbTime time.Time) (buildStats, error) {
	names, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return buildStats{}, fmt.Errorf("list %s: %w", osvDir, err)
	}
	if len(names) == 0 {
		return buildStats{}, fmt.Errorf("%s holds no *.json records; pass the data/osv directory of golang.org/x/vulndb", osvDir)
	}
	if err := emptyDir(outDir); err != nil {
		return buildStats{}, err
	}
	idDir := filepath.Join(outDir, "ID")
	indexDir := filepath.Join(outDir, "index")
	for _, d := range []string{idDir, indexDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return buildStats{}, fmt.Errorf("create %s: %w", d, err)
		}
	}

	sort.Strings(names)
	modules := map[string]*moduleMeta{}
	var vulns []vulnMeta
	latest := time.Time{}
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return buildStats{}, fmt.Errorf("read %s: %w", name, err)
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return buildStats{}, fmt.Errorf("%s: not an OSV record: %w", name, err)
		}
		if e.ID == "" || filepath.Base(name) != e.ID+".json" {
			return buildStats{}, fmt.Errorf("%s: record id %q does not match the file name <id>.json", name, e.ID)
		}
		if e.Modified.After(latest) {
			latest = e.Modified
		}
		vulns = append(vulns, vulnMeta{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		for i, a := range e.Affected {
			path := a.Package.Name
			if path == "" {
				return buildStats{}, fmt.Errorf("%s: affected[%d].package.name is empty", name, i)
			}
			m := modules[path]
			if m == nil {
				m = &moduleMeta{Path: path, Vulns: []moduleVuln{}}
				modules[path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified, Fixed: nonSupersededFix(a.Ranges)})
		}
		if err := os.WriteFile(filepath.Join(idDir, e.ID+".json"), raw, 0o644); err != nil {
			return buildStats{}, fmt.Errorf("write record %s: %w", e.ID, err)
		}
	}
	if dbTime.IsZero() {
		dbTime = latest
	}

	paths := make([]string, 0, len(modules))
	for p := range modules {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	modList := make([]*moduleMeta, 0, len(paths))
	for _, p := range paths {
		m := modules[p]
		sort.SliceStable(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		modList = append(modList, m)
	}
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })

	for file, v := range map[string]any{
		"db.json":      dbMeta{Modified: dbTime},
		"modules.json": modList,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return buildStats{}, fmt.Errorf("encode index/%s: %w", file, err)
		}
		if err := os.WriteFile(filepath.Join(indexDir, file), b, 0o644); err != nil {
			return buildStats{}, fmt.Errorf("write index/%s: %w", file, err)
		}
	}
	return buildStats{records: len(vulns), modules: len(modList), modified: dbTime}, nil
}

// emptyDir makes sure dir exists and holds nothing, so that a stale record
// from an earlier run cannot end up in the database.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(ents) > 0:
		return fmt.Errorf("%s is not empty; pass a new or empty directory to -out", dir)
	}
	return nil
}

// nonSupersededFix returns the latest fixed version of the SEMVER ranges,
// or "" when the vulnerability is reintroduced after it (so no version is
// known to be safe). It mirrors golang.org/x/vuln's index construction:
// govulncheck skips fetching a record when the scanned version is at or
// above this version, so it must never be too low.
func nonSupersededFix(ranges []osvRange) string {
	latest := ""
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed != "" && semverLess(latest, e.Fixed) {
				latest = e.Fixed
			}
		}
		for _, e := range r.Events {
			if e.Introduced != "" && e.Introduced != "0" && semverLess(latest, e.Introduced) {
				latest = ""
				break
			}
		}
	}
	return latest
}

// semverLess reports whether a sorts before b under Semantic Versioning 2.0
// (no "v" prefix; build metadata ignored). As in golang.org/x/mod/semver,
// an invalid version sorts before every valid one.
func semverLess(a, b string) bool {
	return semverCompare(a, b) < 0
}

type semver struct {
	major, minor, patch string
	pre                 []string
}

func parseSemver(s string) (semver, bool) {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	var v semver
	if i := strings.IndexByte(s, '-'); i >= 0 {
		v.pre = strings.Split(s[i+1:], ".")
		for _, p := range v.pre {
			if p == "" || (isNum(p) && len(p) > 1 && p[0] == '0') || !isIdent(p) {
				return semver{}, false
			}
		}
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	for _, p := range parts {
		if !isNum(p) || (len(p) > 1 && p[0] == '0') {
			return semver{}, false
		}
	}
	v.major, v.minor, v.patch = parts[0], parts[1], parts[2]
	return v, true
}

func semverCompare(a, b string) int {
	va, okA := parseSemver(a)
	vb, okB := parseSemver(b)
	switch {
	case !okA && !okB:
		return 0
	case !okA:
		return -1
	case !okB:
		return 1
	}
	for _, p := range [][2]string{{va.major, vb.major}, {va.minor, vb.minor}, {va.patch, vb.patch}} {
		if c := compareNum(p[0], p[1]); c != 0 {
			return c
		}
	}
	switch {
	case len(va.pre) == 0 && len(vb.pre) == 0:
		return 0
	case len(va.pre) == 0:
		return 1
	case len(vb.pre) == 0:
		return -1
	}
	for i := 0; i < len(va.pre) && i < len(vb.pre); i++ {
		x, y := va.pre[i], vb.pre[i]
		nx, ny := isNum(x), isNum(y)
		var c int
		switch {
		case nx && ny:
			c = compareNum(x, y)
		case nx:
			c = -1
		case ny:
			c = 1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return compareInt(len(va.pre), len(vb.pre))
}

// compareNum compares decimal strings without leading zeros of any length.
func compareNum(x, y string) int {
	if c := compareInt(len(x), len(y)); c != 0 {
		return c
	}
	return strings.Compare(x, y)
}

func compareInt(x, y int) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func isNum(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isIdent(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}
